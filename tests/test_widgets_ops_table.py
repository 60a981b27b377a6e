"""widgets.draw_c_vtable: the C ops table of a `#[vtable]` impl beside the Rust side."""

import re

import kernelptr as kp
import widgets
from widgets_scenes import edge_shapes, node_boxes, texts


@kp.vtable
class FileOps(kp.Trait):
    def open(self): ...
    def read(self, n): ...
    def write(self, data): ...
    def ioctl(self, cmd): ...


@kp.impl_trait(FileOps)
class RandomFile:
    def open(self):
        return 0

    def read(self, n):
        return bytes(range(n))


def _picture():
    return widgets.draw_c_vtable(kp.c_vtable(FileOps, RandomFile, defaults={"ioctl": -25}))


def test_behaviour_76_null_slots_are_drawn_null_with_what_the_c_caller_returns():
    drawn = texts(_picture().svg())
    shown = " ".join(t for t, _, _ in drawn)
    for const, value in (("HAS_OPEN", "true"), ("HAS_READ", "true"), ("HAS_WRITE", "false"),
                         ("HAS_IOCTL", "false")):
        assert re.search(rf"const {const}: bool = +{value}", shown)
    assert [t for t, _, _ in drawn].count("NULL") == 2
    assert "-EINVAL (-22)" in shown and "-ENOTTY (-25)" in shown
    assert "<RandomFile as FileOps>::open" in shown and "no fn write" in shown


def test_each_set_slot_is_an_arrow_from_the_c_table_to_the_rust_function():
    svg = _picture().svg()
    boxes = node_boxes(svg)
    rust, c = boxes["rust"], boxes["c"]
    assert rust[2] < c[0]                              # Rust on the left, C on the right
    edges = edge_shapes(svg)
    assert len(edges) == 2                             # open and read; NULL slots none
    fn_rows = {t: y for t, x, y in texts(svg) if t in ("fn open", "fn read")}
    assert len(fn_rows) == 2
    for e in edges:
        (fill, head), = e["heads"]
        assert abs(head[0] - rust[2]) < 12             # the head touches the Rust function
        assert min(abs(head[1] - y) for y in fn_rows.values()) < 8, (head, fn_rows)


def test_the_picture_shows_itself_as_svg_in_a_notebook():
    bundle = _picture()._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert bundle["text/plain"] == "Picture(C ops table of <RandomFile as FileOps>)"
    # Notebooks show the HTML: the same picture, shrinking to the output's width.
    assert '<svg width="100%"' in bundle["text/html"] and "max-width:" in bundle["text/html"]
    assert _picture().source == _picture().source     # deterministic


def test_hostile_names_in_an_ops_table_are_escaped():
    Ops = kp.vtable(type("Ops", (kp.Trait,), {"op": lambda self: ...}))
    Impl = type("Impl", (), {})
    Impl._kp_type_name = '<script>"x"\x00'
    Impl = kp.impl_trait(Ops)(Impl)
    svg = widgets.draw_c_vtable(kp.c_vtable(Ops, Impl)).svg()
    assert "<script>" not in svg and "NULL" in svg


@kp.impl_trait(FileOps)
class QuietFile:
    HAS_READ = False          # written in the impl: #[vtable] keeps it

    def open(self):
        return 0

    def read(self, n):
        return b"\0" * n


def test_a_has_const_written_by_the_impl_shows_its_function_left_out_of_the_table():
    """rust/macros/vtable.rs skips a `HAS_<NAME>` the impl declared: `read` exists, yet its
    slot is NULL; the picture says so instead of claiming there is no `fn read`."""
    table = kp.c_vtable(FileOps, QuietFile)
    shown = " ".join(t for t, _, _ in texts(widgets.draw_c_vtable(table).svg()))
    assert table.slots["read"] is None
    assert "(written by the impl)" in shown and "not in the table" in shown
    assert "no fn read" not in shown and "no fn write" in shown
