"""kp.unchecked: raw `unsafe` list code, and what heap.check() says about the damage."""

import pytest
from _list_types import Job, filled, ns

import kernelptr as kp


@pytest.fixture
def heap():  # noqa: F811  (these tests break the heap on purpose: no check at the end)
    return kp.reset()


def test_two_lists_pushing_the_same_object_corrupt_each_other(heap):
    """The data race ListArc prevents (behaviours 46, 48), shown step by step."""
    a = kp.name(filled([1, 2]), "a")
    b = kp.name(kp.List(Job), "b")
    x = a.first.clone_arc()                  # a plain Arc to item 1, which is in list a
    heap.check()                             # step 0: consistent
    kp.unchecked.push_back(b, x)             # step 1: b links item 1 to itself
    assert x.refcount == 3                   # x, list a's ListArc, b's unchecked clone
    problems = heap.problems()
    text = "\n".join(problems)
    assert f"{x.address:#x} is in List<Job, 0> a and List<Job, 0> b" in text
    second = [o for o in heap.objects() if o.value.n == 2][0]
    assert f"Job @{second.address:#x}: prev -> {x.address:#x} but {x.address:#x}.next -> " \
           f"{x.address:#x} (ListLinks<0>: the prev/next pointers disagree)" in text
    assert f"Job @{second.address:#x}: ListLinks<0> are prev=" in text     # orphaned
    with pytest.raises(kp.InvariantViolation, match="prev/next pointers disagree"):
        heap.check()
    assert ns(a) == [1] and ns(b) == [1]     # item 2 fell out of list a


def test_unchecked_arc_comes_back_as_plain_arc_and_counts_balance(heap):
    q = kp.List(Job)
    x = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    kp.unchecked.push_back(q, x)
    assert x.refcount == 2 and x._obj.held == {"unchecked": 1}
    heap.check()                             # alone in one list: nothing is broken yet
    back = q.pop_front()
    assert isinstance(back, kp.Arc) and x.refcount == 2 and x._obj.held == {}
    heap.check()


def test_unchecked_push_of_wrong_type_is_still_refused(heap):
    q = kp.List(Job)
    with pytest.raises(kp.TypeMismatch):
        kp.unchecked.push_back(q, kp.Arc.new(1, kp.GFP_KERNEL))
    with pytest.raises(kp.TypeMismatch):
        kp.unchecked.push_back(q, kp.ListArc.new(Job(1), kp.GFP_KERNEL))
    heap.check()


def test_behaviour_46_unchecked_remove_from_other_list_corrupts_it(heap):
    """What `unsafe List::remove` does when its safety condition is broken (behaviour 46)."""
    a, b = kp.name(filled([1]), "a"), kp.name(filled([2]), "b")
    item = a.first.clone_arc()
    la = kp.unchecked.remove(b, item)         # item is in a, not b
    assert la.n == 1
    assert a._first is item._obj and item._obj.links[0] == [None, None]
    text = "\n".join(heap.problems())
    assert "List<Job, 0> a: item Job @" in text and "reachable from the list" in text
    with pytest.raises(kp.UndefinedBehavior, match="corrupted"):
        a.pop_front()                         # the kernel would follow a NULL pointer
