"""widgets.Stepper: navigation, panels, frame cache, stable layout; the %%kptrace magic."""

import pytest

import kernelptr as kp
import widgets
from widgets import render as render_mod
from widgets_scenes import centres, list_recording


@pytest.fixture
def rec(heap):
    return list_recording()


def test_recording_has_more_than_ten_frames(rec):
    assert len(rec.frames) >= 10


def test_buttons_move_and_index_clamps(rec):
    s = widgets.Stepper(rec)
    n = len(rec.frames)
    assert s.index == 0
    s.next(); s.next()
    assert s.index == 2
    s.prev()
    assert s.index == 1
    s.last()
    assert s.index == n - 1
    s.next()
    assert s.index == n - 1
    s.first()
    assert s.index == 0
    s.prev()
    assert s.index == 0
    s.index = 999
    assert s.index == n - 1
    s.index = -5
    assert s.index == 0


def test_buttons_are_clickable_widgets(rec):
    s = widgets.Stepper(rec)
    first, prev, nxt, last = s._buttons
    nxt.click(); nxt.click()
    assert s.index == 2
    last.click()
    assert s.index == len(rec.frames) - 1
    prev.click()
    assert s.index == len(rec.frames) - 2
    first.click()
    assert s.index == 0


def test_panels_show_source_line_and_current_event(rec):
    s = widgets.Stepper(rec)
    s.index = 5
    event = rec.frames[5].event
    assert event.op in s._title.value
    assert "q.push_back(a)" in s._source.value and "→" in s._source.value
    assert "►" in s._log.value and event.op in s._log.value.split("►")[1]
    assert s._graph.value == widgets.render.fit(s.drawing.picture(5))


def test_play_and_speed_controls_exist(rec):
    s = widgets.Stepper(rec)
    assert s._play.max == len(rec.frames) - 1
    assert s._speed.value == s._play.interval


def test_frames_are_rendered_once(rec, monkeypatch):
    """The Stepper's own frame cache: revisiting renders nothing, even with the global
    SVG cache emptied."""
    s = widgets.Stepper(rec)
    svgs = [s.svg(i) for i in range(len(s))]
    pictures = [s.drawing.picture(i) for i in range(len(s))]
    render_mod._CACHE.clear()
    monkeypatch.setattr(render_mod, "run", lambda *a, **k: pytest.fail("dot ran"))
    for i in reversed(range(len(s))):
        s.index = i
        assert s.svg() == svgs[i]
        assert s._graph.value == widgets.render.fit(pictures[i])


def test_layout_is_stable_between_consecutive_frames(rec):
    s = widgets.Stepper(rec)
    frames = [centres(s.svg(i)) for i in range(len(s))]
    shared = 0
    for before, after in zip(frames, frames[1:]):
        for name in before.keys() & after.keys():
            (x0, y0), (x1, y1) = before[name], after[name]
            assert ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 < 5, name
            shared += 1
    assert shared > 50


def test_empty_recording_shows_a_message(heap):
    with kp.record() as rec:
        pass
    s = widgets.Stepper(rec)
    assert s.svg() == "" and "no frames" in s._title.value


def test_trace_cell_records_one_frame_per_executed_line_that_changed_the_heap(heap):
    """Like Python Tutor: a loop's body is a step each time it runs."""
    ns = {"kp": kp}
    rec = widgets.trace_cell("a = kp.Arc.new(1, kp.GFP_KERNEL)\nn = 3\nb = a.clone()\n"
                             "for i in range(n):\n    kp.drop(a.clone())\n", ns)
    assert [f.event.op for f in rec.frames] == ["Arc::new", "Arc::clone"] + ["Arc::drop"] * 3
    assert [f.event.location.line for f in rec.frames] == [1, 3, 5, 5, 5]
    assert [h.label for h in rec.frames[1].snapshot.handles] == ["a", "b"]


CELL = "/tmp/ipykernel_4242/{}.py"      # where IPython keeps a notebook's cells


def _define(ns, source, cell):
    """Run `source` as notebook cell number `cell` (its functions count as the notebook's)."""
    import linecache

    path = CELL.format(cell)
    linecache.cache[path] = (len(source), None, source.splitlines(True), path)
    exec(compile(source, path, "exec"), ns)
    return path


def test_trace_cell_steps_into_the_notebooks_own_functions(heap):
    """A call to a function the notebook defined is traced line by line, each of its
    lines a frame, its variables drawn in a stack frame of its own."""
    ns = {"kp": kp}
    _define(ns, "def share(x):\n    a = x.clone()\n    b = a.clone()\n    a.drop()\n"
                "    return b\n", 1)
    rec = widgets.trace_cell("a = kp.Arc.new(1, kp.GFP_KERNEL)\nc = share(a)\nc.drop()\n", ns,
                             filename=CELL.format(2))
    steps = [(f.event.op, f.event.location.line) for f in rec.frames]
    assert steps == [("Arc::new", 1), ("Arc::clone", 2), ("Arc::clone", 3), ("Arc::drop", 4),
                     ("Arc::drop", 3)]
    inside = rec.frames[2].snapshot
    assert {(h.frame, h.label) for h in inside.handles} == {("share", "x"), ("share", "a"),
                                                             ("share", "b")}
    after = rec.frames[-1].snapshot
    assert {(h.frame, h.label) for h in after.handles} == {("", "a"), ("", "c")}
    s = widgets.Stepper(rec)
    s.index = 2
    assert "in share()" in s.drawing.dot_source(2)
    assert "b = a.clone()" in s._source.value


def test_a_local_a_and_a_global_a_are_two_boxes_named_by_frame(heap):
    """Behaviour of pictures: two handles with one name in two Python frames (a function's
    local `a`, the notebook's global `a`) are two boxes, each in its frame's cluster."""
    ns = {"kp": kp}
    _define(ns, "def make():\n    a = kp.Arc.new(2, kp.GFP_KERNEL)\n    return a\n", 3)
    rec = widgets.trace_cell("a = kp.Arc.new(1, kp.GFP_KERNEL)\nb = make()\n", ns,
                             filename=CELL.format(4))
    inside = rec.frames[1].snapshot
    named_a = sorted((h.frame, hex(h.target)) for h in inside.handles if h.label == "a")
    assert [frame for frame, _ in named_a] == ["", "make"]
    assert named_a[0][1] != named_a[1][1]
    scene = widgets.Stepper(rec).drawing.scene(1)
    boxes = [n for n in scene.nodes if n.startswith("h_") and n.endswith("a")]
    assert len(boxes) == 2
    clusters = {scene.nodes[n][0] for n in boxes}
    assert len(clusters) == 2 and "cluster_stack" in clusters


def test_controls_are_compact_with_tooltips(rec):
    """Four short buttons (no text to cut), each saying what it does in its tooltip."""
    s = widgets.Stepper(rec)
    assert [b.description for b in s._buttons] == ["«", "‹", "›", "»"]
    assert [b.tooltip.split(" (")[0] for b in s._buttons] == [
        "first step", "previous step", "next step", "last step"]


def test_whole_heap_toggle_draws_what_focus_leaves_out(heap):
    from _list_types import Job

    old = kp.Arc.new(Job(99), kp.GFP_KERNEL)        # an earlier section's object
    with kp.record() as rec:
        a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
        b = a.clone()
    s = widgets.Stepper(rec)
    assert s.focus and f"{old.address:x}" not in s.drawing.dot_source(1)
    s._whole.value = True                            # the tick box
    assert not s.focus and f"{old.address:x}" in s.drawing.dot_source(1)
    assert f"{old.address:x}" in s._graph.value
    assert f"{old.address:x}" not in widgets.Stepper(rec).svg(1)
    assert f"{old.address:x}" in widgets.Stepper(rec, focus=False).svg(1)


def test_code_and_log_sit_beside_a_picture_that_fits_beside_them(heap):
    with kp.record() as rec:
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        b = a.clone()
    s = widgets.Stepper(rec)
    assert s.drawing.beside
    assert s._body.children == (s._picture, s._side)
    assert s._side.children == (s._source, s._log)
    assert s._body.layout.flex_flow == "row wrap"


def test_a_picture_too_wide_to_share_the_width_gets_the_code_above_it(heap):
    from kernelptr import binder

    t = binder.Thread("t1")
    work = binder.arc_try_new(binder.DeliverCode("BR_NOOP"))
    with kp.record() as rec:
        t.push_work(work)           # a fat pointer, a wide vtable, a wide list head
    s = widgets.Stepper(rec)
    assert not s.drawing.beside
    assert s._body.children == (s._source, s._picture, s._log)


def test_trace_cell_keeps_frames_before_an_error(heap):
    ns = {"kp": kp}
    with pytest.raises(kp.UseAfterMove) as err:
        widgets.trace_cell("a = kp.Arc.new(1, kp.GFP_KERNEL)\nb = a.into_raw()\na.clone()\n", ns)
    assert len(err.value.kp_recording.frames) == 2


def test_kptrace_magic_in_ipython(heap):
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.run_line_magic("load_ext", "widgets")
    shown = []
    ip.user_ns["kp"] = kp
    from IPython.core import display_functions
    original = display_functions.display
    try:
        display_functions.display = lambda *objs, **kw: shown.extend(objs)
        import IPython.display
        IPython.display.display = display_functions.display
        result = ip.run_cell("%%kptrace\nx = kp.Arc.new(1, kp.GFP_KERNEL)\ny = x.clone()\n")
    finally:
        display_functions.display = original
        IPython.display.display = original
    assert result.success
    (stepper,) = shown
    assert isinstance(stepper, widgets.Stepper) and len(stepper) == 2
    stepper.last()
    assert "y = x.clone()" in stepper._source.value
    assert [h.label for h in stepper.recording.frames[1].snapshot.handles] == ["x", "y"]
