"""widgets.dot and widgets.render: every concept of the model appears in the picture."""

import graphviz
import pytest

import kernelptr as kp
import widgets
from widgets import render as render_mod
from widgets.escape import node_id
from widgets.style import id_colour
from widgets_scenes import A, B, C, D, VT, every_concept


@pytest.fixture(scope="module")
def source():
    return widgets.to_dot(every_concept()).source


def test_to_dot_returns_a_digraph():
    assert isinstance(widgets.to_dot(every_concept()), graphviz.Digraph)


def test_objects_are_named_by_address_with_an_abbreviated_header(source):
    assert f"obj_{A:x}" in source
    assert "ArcInner&lt;Job&gt;</B>&#160;@ffff8880…1000" in source


def test_refcount_row_and_saturated_badge_and_freed_struck(source):
    assert "refcount" in source
    assert "<B>SATURATED</B>" in source and 'BGCOLOR="#D55E00"' in source
    assert "<S>0</S>" in source and "(freed)" in source


def test_links_rows_have_prev_and_next_ports_per_id(source):
    for port in ('PORT="l0"', 'PORT="p0"', 'PORT="n0"', 'PORT="l1"'):
        assert port in source
    assert "prev: null" in source and "next: null" in source


def test_listarc_holder_row_per_id(source):
    assert "ListArc[0] held by" in source and "list q" in source
    assert "ListArc[1] held by" in source


def test_tracker_and_self_pointer_rows(source):
    assert "AtomicTracker[1]" in source and "ListArc exists" in source
    assert "self_ptr[0]" in source


def test_fields_and_pointer_field_edge(source):
    assert "next_job" in source
    assert f"obj_{B:x}:f_next_job:e -> obj_{A:x}:hdr:w" in source


def test_handles_in_a_stack_frame_cluster_styled_by_kind(source):
    assert "cluster_stack" in source and "stack frame" in source
    assert f"h_a:d:e -> obj_{D:x}:hdr:w [penwidth=1.8 style=solid]" in source
    assert f"h_r:d:e -> obj_{D:x}:hdr:w [penwidth=1.8 style=dashed]" in source
    assert f"h_u:d:e -> obj_{B:x}:hdr:w [penwidth=3.5 style=bold]" in source
    # A ListArc's box wears its ID's colour; its arrow stays black (not a `next` link).
    assert f"h_la:d:e -> obj_{A:x}:hdr:w [penwidth=2.5 style=solid]" in source
    assert f'COLOR="{id_colour(1)}"' in source.split("h_la [")[1].split("]")[0]


def test_fat_pointer_has_data_and_vtable_cells_and_vtable_in_rodata(source):
    assert 'PORT="d"' in source and 'PORT="v"' in source
    assert f"h_w:v:e -> vt_{VT:x}:hdr:w" in source
    assert "cluster_rodata" in source and "&lt;Wrapper&lt;Ping&gt; as WorkItem&gt;" in source
    assert "NULL" in source


def test_raw_pointer_dotted(source):
    assert f"raw_p:d:e -> obj_{D:x}:hdr:w [penwidth=2.2 style=dotted]" in source
    assert "*const Job" in source


def test_moved_handle_greyed_with_moved(source):
    assert "moved by into_arc" in source and "<S><B>old</B>" in source


def test_list_head_first_next_prev_in_the_id_colour(source):
    colour = id_colour(0)
    assert "List&lt;Job, 0&gt;" in source and "first: null" in source   # empty list
    assert f"list_q:f:e -> obj_{A:x}:l0:w" in source
    assert f'obj_{A:x}:n0:e -> obj_{B:x}:l0:w [color="{colour}" penwidth=2.2]' in source
    assert f'obj_{A:x}:p0:s -> obj_{C:x}:l0:s [arrowsize=0.7 color="{colour}"' in source


def test_prev_arrows_do_not_lie_on_top_of_next_arrows(heap):
    """In the drawn SVG a `prev` edge leaves below the row, not along the `next` edge."""
    import re
    from tests._list_types import Node

    q = kp.List(Node)
    for n in range(2):
        q.push_back(kp.ListArc.new(Node(n), kp.GFP_KERNEL))
    svg = widgets.render_svg(heap.snapshot(), legend=False)
    edges = re.findall(r"<title>(obj_\w+):(\w)&#45;&gt;obj_\w+:(\w)</title>\s*"
                       r"<path[^>]* d=\"M[\d.]+,(-?[\d.]+)", svg)
    next_y = {float(y) for _, tail, head, y in edges if (tail, head) == ("e", "w")}
    prev_y = {float(y) for _, tail, head, y in edges if (tail, head) == ("s", "s")}
    assert next_y and prev_y
    assert min(abs(a - b) for a in next_y for b in prev_y) > 5, (next_y, prev_y)


def test_locks_banner_and_legend(source):
    assert "locks held: q_lock" in source
    assert "ArcBorrow (borrows)" in source and "changed since last step" in source


def test_changes_since_previous_are_highlighted():
    before = every_concept()
    objects = list(before.objects)
    objects[1] = kp.ObjectSnap(B, "Job", 7, False, False, objects[1].fields,
                               links=objects[1].links, holders=objects[1].holders)
    after = every_concept(objects=tuple(objects))
    yellow = 'BGCOLOR="#F0E442"'
    assert widgets.to_dot(before, before).source.count(yellow) == 1    # the legend's swatch
    changed = widgets.to_dot(after, before).source
    assert '<TD COLSPAN="2" BGCOLOR="#F0E442"><B>7</B>' in changed


def test_node_names_are_stable_across_snapshots(heap):
    """The same object, handle and list keep their node names when other things change."""
    import re
    from tests._list_types import Node

    def names(source):
        return set(re.findall(r"^\t+(\w+) \[", source, re.M))

    q = kp.List(Node)
    a = kp.ListArc.new(Node(1), kp.GFP_KERNEL)
    keep = a.clone_arc()
    one = names(widgets.to_dot(heap.snapshot()).source)
    q.push_back(a)
    extra = kp.Arc.new(5, kp.GFP_KERNEL)
    two = names(widgets.to_dot(heap.snapshot()).source)
    here = "test_node_names_are_stable_across_snapshots"    # the handles' Python frame
    stable = {f"obj_{keep.address:x}", node_id("h", f"{here}/keep"), node_id("list", f"{here}/q")}
    assert stable <= one and stable <= two
    assert f"obj_{extra.address:x}" in two - one


def test_real_heap_renders_svg(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    b = a.clone()
    svg = widgets.render_svg(heap.snapshot())
    assert "<svg" in svg and "ArcInner&lt;i64&gt;" in svg
    assert ">b<" in svg


def test_render_cache_runs_dot_once_per_source(monkeypatch, heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    snap = heap.snapshot()
    first = widgets.render_svg(snap)
    monkeypatch.setattr(render_mod.graphviz, "pipe", lambda *a, **k: pytest.fail("dot ran"))
    assert widgets.render_svg(snap) == first


def test_missing_dot_is_a_clear_error(monkeypatch):
    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))
    monkeypatch.setattr(render_mod.graphviz, "pipe", missing)
    with pytest.raises(widgets.DotNotFound) as err:
        render_mod.render("digraph { never_rendered_before_x }")
    assert "apt-get install graphviz" in str(err.value)
    assert isinstance(err.value, kp.KernelPtrError)
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_fat_self_pointer_in_the_links_points_at_its_vtable(source):
    assert f"obj_{C:x}:sv0:e -> vt_{VT:x}:hdr:w" in source


def test_real_list_of_trait_objects_draws_vtables_and_lock(heap):
    from test_dynlist import WorkItem, Wrapper, Ping
    p = kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL).into_dyn(WorkItem)
    todo = kp.SpinLock(kp.List(Wrapper[WorkItem]), "todo")
    with todo.lock() as guard:
        guard.value.push_back(p)
        source = widgets.to_dot(heap.snapshot()).source
    assert "locks held: todo" in source and "List&lt;Wrapper&lt;dyn WorkItem&gt;, 0&gt;" in source
    assert "&lt;Ping as WorkItem&gt;" in source and ":sv0:e -> vt_" in source


def test_unnamed_temporaries_share_slots_so_long_traces_stay_compact():
    snap = every_concept(handles=(kp.HandleSnap("listarc#12", "ListArc", "Job", A, id=0),
                                  kp.HandleSnap("arc#3", "Arc", "Job", B)))
    source = widgets.to_dot(snap).source
    assert "h__tmp0" in source and "h__tmp1" in source
    assert "<B>listarc#12</B>" in source


def test_a_live_cursor_is_drawn_on_its_list(heap):
    """The cursor's place shows in the picture: an arrow to the item after it, or 'at the
    back'; a list with no live cursor shows none."""
    from tests._list_types import Node

    q = kp.List(Node)
    for n in range(2):
        q.push_back(kp.ListArc.new(Node(n), kp.GFP_KERNEL))
    assert "cursor: " not in widgets.to_dot(heap.snapshot()).source
    c = q.cursor_front()
    c.move_next()
    second = heap.snapshot().list("q").items[1]
    assert heap.snapshot().list("q").cursor == (second,)
    source = widgets.to_dot(heap.snapshot()).source
    q_node = node_id("list", "test_a_live_cursor_is_drawn_on_its_list/q")   # a local `q`
    assert f"{q_node}:c:e -> obj_{second:x}:l0:w" in source
    c.move_next()
    assert "cursor: at the back" in widgets.to_dot(heap.snapshot()).source
