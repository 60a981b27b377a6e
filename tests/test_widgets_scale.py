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
