"""widgets.dot and widgets.render: every concept of the model appears in the picture."""

import math
import re

import graphviz
import pytest

import kernelptr as kp
import widgets
from widgets import render as render_mod
from widgets.escape import node_id
from widgets.style import id_colour
from widgets_scenes import (A, B, C, D, VT, edge_shapes, every_concept, node_boxes,
                            race_recording, texts)


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
    assert f"list_q:f:e -> obj_{A:x}:p0:w" in source
    # A's next is B and B's prev is A: one line, filled head at B (next), open head at A (prev).
    assert (f'obj_{A:x}:n0:e -> obj_{B:x}:p0:w [arrowtail=empty color="{colour}" dir=both '
            'penwidth=2.2]') in source


def _two_ring(heap):
    from tests._list_types import Node

    q = kp.List(Node)
    for n in range(2):
        q.push_back(kp.ListArc.new(Node(n), kp.GFP_KERNEL))
    return q


def _distance(path_a, path_b):
    return min(math.dist(p, q) for p in path_a for q in path_b)


@pytest.mark.parametrize("drawn_by", ["to_dot", "Stepper"])
def test_prev_is_an_arrow_from_the_prev_cell_distinct_from_next_in_a_two_item_ring(heap,
                                                                                  drawn_by):
    """In a two-item ring both prevs point at the other item, like both nexts. Each prev is
    an open arrowhead at the right end (`next ►`) of the row it points at, on a line that
    leaves its own `◄ prev` cell; each next a filled head at the left end (`◄ prev`) of the
    row it points at; the two lines never merge."""
    if drawn_by == "Stepper":
        with kp.record() as rec:
            q = _two_ring(heap)
        svg = widgets.Stepper(rec, legend=False).svg(len(rec.frames) - 1)
    else:
        q = _two_ring(heap)
        svg = widgets.render_svg(heap.snapshot(), legend=False)
    boxes = node_boxes(svg)
    rows = {round(y) for t, x, y in texts(svg) if t in ("◄ prev", "next ►")}
    links = [e for e in edge_shapes(svg) if re.match(r"obj_\w+:e->obj_\w+:w$",
                                                      e["title"].replace("&#45;&gt;", "->"))]
    assert len(links) == 2
    for e in links:
        tail, head = re.findall(r"(obj_\w+):", e["title"])
        fills = sorted(e["heads"], key=lambda h: h[0] != "none")
        (open_fill, open_at), (fill, filled_at) = fills
        assert open_fill == "none" and fill != "none"
        # the prev head (open) at the right end of the tail object's links row
        assert abs(open_at[0] - boxes[tail][2]) < 14, (open_at, boxes[tail])
        # the next head (filled) at the left end of the head object's links row, which is
        # where the head object's own prev leaves (its `◄ prev` cell)
        assert abs(filled_at[0] - boxes[head][0]) < 14, (filled_at, boxes[head])
        for at in (open_at, filled_at):
            assert min(abs(at[1] - y) for y in rows) < 14, (at, rows)
    assert _distance(links[0]["path"], links[1]["path"]) > 20
    q.drop()


@pytest.fixture
def broken_heap():
    """A fresh current heap that the test corrupts on purpose (no check at the end)."""
    with kp.Heap() as h:
        yield h


def test_a_prev_that_disagrees_is_a_line_of_its_own(broken_heap):
    rec, (a, x, left, right) = race_recording()
    source = widgets.to_dot(rec.frames[-1].snapshot).source
    # x.prev -> a, but a.next -> a: x's prev leaves its prev cell alone, dashed, open head
    assert re.search(rf"obj_{x.address:x}:p0:w -> obj_{a.address:x}:p0:w \[arrowhead=empty "
                     r"arrowsize=0.9[^]]*style=dashed", source)


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
    assert '<TD PORT="rc" COLSPAN="2" BGCOLOR="#F0E442"><B>7</B>' in changed


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
    monkeypatch.setattr(render_mod, "run", lambda *a, **k: pytest.fail("dot ran"))
    assert widgets.render_svg(snap) == first


def test_missing_dot_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("KERNELPTR_GRAPHVIZ", "no-such-graphviz-program")
    with pytest.raises(widgets.DotNotFound) as err:
        render_mod.render("digraph { never_rendered_before_x }")
    assert "pip install graphviz-pure" in str(err.value)
    assert "apt-get install graphviz" in str(err.value)
    assert isinstance(err.value, kp.KernelPtrError)
    assert err.value.__cause__ is None and err.value.__context__ is None


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
    assert f"{q_node}:c:e -> obj_{second:x}:p0:w" in source
    c.move_next()
    assert "cursor: at the back" in widgets.to_dot(heap.snapshot()).source


def test_the_race_picture_marks_each_broken_link_in_the_problem_colour(broken_heap):
    """Behaviour 48 drawn: after the second list rewrites the shared links, x's next and
    prev and a's next (which loops back to a) are drawn in the problem colour, each with its
    sentence as tooltip; a's links row is marked for being in two rings. The frames before
    it are unmarked."""
    from widgets.style import PROBLEM

    rec, (a, x, left, right) = race_recording()
    stepper = widgets.Stepper(rec, legend=False)
    for i in range(len(rec.frames) - 1):
        assert PROBLEM.lower() not in stepper.svg(i).lower()
    svg = stepper.svg(len(rec.frames) - 1)
    marked = [e for e in edge_shapes(svg) if e["stroke"] == PROBLEM.lower()]
    tails = {(re.match(r"(obj_\w+)", e["title"]).group(1), e["tooltip"]) for e in marked}
    problems = rec.frames[-1].snapshot.problems
    by_place = {(p.address, p.field): p.text for p in problems}
    for address, field in ((x.address, "next"), (x.address, "prev"), (a.address, "next")):
        assert (f"obj_{address:x}", by_place[(address, field)]) in tails
    cells = re.findall(r'<a xlink:href="#kp-problems" xlink:title="([^"]*)">', svg)
    assert len(cells) == 4                       # x.prev, x.next, a's links row, a.next
    assert svg.count(f'stroke="{PROBLEM.lower()}" stroke-width="3"') == 4
    assert any("two lists with the same ID 0" in c for c in cells)
    shown = " ".join(t for t, _, _ in texts(svg))
    assert "heap.check() fails" in shown and "×4" in shown
    assert "List&lt;Node, 0&gt; left and List&lt;Node, 0&gt; right" not in shown
    assert "List<Node, 0> left and List<Node, 0> right" in shown


def test_a_tampered_refcount_is_marked_on_the_refcount_cell(broken_heap):
    from widgets.style import PROBLEM

    a = kp.Arc.new(1, kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).inc()
    source = widgets.to_dot(broken_heap.snapshot()).source
    assert re.search(rf'<TD PORT="rc" COLSPAN="2" BGCOLOR="[^"]+" COLOR="{PROBLEM}" '
                     r'BORDER="3" HREF="#kp-problems" TOOLTIP="[^"]*refcount is 2 but 1 '
                     r'references own it', source)


def test_a_list_whose_first_is_unlinked_marks_its_first_pointer(broken_heap):
    """Behaviour 46: `unsafe List::remove` on the wrong list leaves the other list's first
    pointing at an unlinked item; the mark is on that list's `first`."""
    from tests._list_types import Node
    from widgets.style import PROBLEM

    a = kp.name(kp.List(Node), "a")
    b = kp.name(kp.List(Node), "b")
    a.push_back(kp.ListArc.new(Node(1), kp.GFP_KERNEL))
    item = a.first.clone_arc()
    kp.unchecked.remove(b, item)
    source = widgets.to_dot(broken_heap.snapshot()).source
    head = source.split("list_a [")[1].split("]")[0]
    assert f'PORT="f"' in head and f'COLOR="{PROBLEM}"' in head and "×" in head
    assert re.search(rf'list_a:f:e -> obj_\w+:p0:w \[color="{PROBLEM}"', source)


def test_problems_caption_names_every_problem_with_its_mark_number(broken_heap):
    from widgets.dot import problems_caption

    assert problems_caption(broken_heap.snapshot()) == ""
    rec, _ = race_recording()
    text = problems_caption(rec.frames[-1].snapshot)
    assert text.startswith("heap.check() fails: ×1 ")
    for n in range(1, 5):
        assert f"×{n} " in text
    assert "ffff8880…1000" in text and "0xffff888000001000" not in text
    assert "left and List<Node, 0> right" in text


def test_the_problem_colour_is_reserved():
    from widgets.style import CHANGED, GREY, PROBLEM, SATURATED

    assert PROBLEM not in {id_colour(i) for i in range(5)} | {CHANGED, GREY, SATURATED}


_RACE_DOT = """
import sys
sys.path.insert(0, "tests")
import kernelptr as kp, widgets
from widgets_scenes import race_recording
rec, _ = race_recording()
print(widgets.to_dot(rec.frames[-1].snapshot, rec.frames[-2].snapshot).source)
"""


def test_marked_dot_source_is_the_same_in_every_process_and_hash_seed():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", _RACE_DOT], cwd=root, env=env,
                              capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    (source,) = outputs
    assert "×4" in source
