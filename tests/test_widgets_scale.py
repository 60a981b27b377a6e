"""widgets.scale: long lists drawn with an elided middle; pictures filtered to what a handle
reaches."""

import pytest

import kernelptr as kp
import widgets
from kernelptr.list.example import Job


@kp.struct
class Node:
    name: str
    next: object = None


def _queue(n):
    q = kp.List(Job)
    for i in range(n):
        q.push_back(kp.ListArc.new(Job(i), kp.GFP_KERNEL))
    return q


def _obj(address):
    return f"obj_{address:x}"


def test_long_list_is_drawn_with_an_elided_middle(heap):
    q = _queue(1000)
    items = heap.snapshot().list("q").items
    source = widgets.to_dot(heap.snapshot()).source
    assert "… 994 more …" in source
    for kept in items[:3] + items[-3:]:
        assert _obj(kept) in source
    assert _obj(items[500]) not in source
    assert source.count("ArcInner&lt;Job&gt;") == 6
    assert not q.is_empty()


def test_an_item_a_handle_points_at_stays_visible_and_splits_the_elision(heap):
    q = _queue(100)
    middle = q.pop_front()
    kept = middle.clone_arc()
    q.push_back(middle)
    for _ in range(50):
        q.push_back(q.pop_front())
    items = heap.snapshot().list("q").items
    source = widgets.to_dot(heap.snapshot()).source
    assert _obj(kept.address) in source
    at = items.index(kept.address)
    assert 10 < at < 90
    assert f"… {at - 3} more …" in source and f"… {len(items) - at - 4} more …" in source


def test_short_lists_and_elide_none_draw_every_item(heap):
    q = _queue(1000)
    source = widgets.to_dot(heap.snapshot(), elide=None).source
    assert "more …" not in source and source.count("ArcInner&lt;Job&gt;") == 1000
    small = _queue(5)
    assert "more …" not in widgets.to_dot(heap.snapshot(), reach="small").source
    assert not q.is_empty() and not small.is_empty()


def test_reach_keeps_only_what_the_handle_reaches(heap):
    tail = kp.Arc.new(Node("tail"), kp.GFP_KERNEL)
    a = kp.Arc.new(Node("head", tail.clone()), kp.GFP_KERNEL)
    b = kp.Arc.new(Node("elsewhere"), kp.GFP_KERNEL)
    source = widgets.to_dot(heap.snapshot(), reach="a").source
    assert _obj(a.address) in source and _obj(tail.address) in source
    assert _obj(b.address) not in source
    assert "h_b" not in source and "h_tail" not in source
    both = widgets.to_dot(heap.snapshot(), reach=["a", "b"]).source
    assert _obj(b.address) in both


def test_reach_of_a_list_item_shows_its_list(heap):
    q = _queue(3)
    other = kp.Arc.new(Node("other"), kp.GFP_KERNEL)
    snap = widgets.scale.reach(heap.snapshot(), "q")
    assert [x.label for x in snap.lists] == ["q"] and len(snap.objects) == 3
    assert other.address not in {o.address for o in snap.objects}


def test_reach_names_the_labels_that_exist_when_one_is_unknown(heap):
    a = kp.Arc.new(Node("a"), kp.GFP_KERNEL)
    with pytest.raises(KeyError, match=r"no handle, list or raw pointer.*\['a'\]"):
        widgets.to_dot(heap.snapshot(), reach="nope")
    assert a


def test_a_heap_beyond_the_budget_is_drawn_elided_with_how_to_see_the_rest(heap):
    """Issue: a heap too large to draw is never a multi-second dot run: objects and handles
    beyond the budget become one node each, which says how to see the rest."""
    from widgets.scale import HANDLE_BUDGET, OBJECT_BUDGET

    items = [kp.Arc.new(i, kp.GFP_KERNEL) for i in range(300)]
    source = widgets.to_dot(heap.snapshot()).source
    assert source.count("ArcInner&lt;i64&gt;") == OBJECT_BUDGET
    assert f"… {300 - OBJECT_BUDGET:,} more objects" in source
    assert f"… {300 - HANDLE_BUDGET:,} more handles" in source
    assert 'reach=&quot;items[0]&quot;' in source and "elide=None" in source
    for h in items[:HANDLE_BUDGET]:       # the handles drawn point at objects drawn
        assert _obj(h.address) in source
    everything = widgets.to_dot(heap.snapshot(), elide=None).source
    assert everything.count("ArcInner&lt;i64&gt;") == 300 and "more objects" not in everything
    one = widgets.to_dot(heap.snapshot(), reach="items[7]").source
    assert one.count("ArcInner&lt;i64&gt;") == 1 and "more objects" not in one


def test_an_object_a_problem_concerns_is_drawn_even_beyond_the_budget(heap):
    items = [kp.Arc.new(i, kp.GFP_KERNEL) for i in range(100)]
    snap = heap.snapshot()
    last = items[-1].address
    broken = kp.Snapshot(snap.step, snap.objects, snap.handles, problems=(
        kp.Problem("refcount is 5 but 1 references own it", "refcount", last,
                   field="refcount"),))
    assert _obj(last) in widgets.to_dot(broken).source
    assert _obj(last) not in widgets.to_dot(snap).source


def test_a_huge_heap_draws_in_bounded_time(heap):
    """10,000 objects in one list and 2,000 loose ones: the picture is the budget's size."""
    q = _queue(10_000)
    loose = [kp.Arc.new(i, kp.GFP_KERNEL) for i in range(2_000)]
    svg = widgets.render_svg(heap.snapshot())
    assert svg.count("ArcInner&lt;") <= 24 + 1 and "more objects" in svg
    assert not q.is_empty() and loose
