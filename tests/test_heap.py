"""The heap (kernelptr/heap.py): current heap, invariants, leaks."""

import pytest

import kernelptr as kp


def test_reset_gives_a_fresh_default_heap():
    h1 = kp.reset()
    kp.Arc.new(1, kp.GFP_KERNEL)
    h2 = kp.reset()
    assert h1 is not h2 and kp.current_heap() is h2 and h2.alloc_count == 0


def test_with_heap_is_current_inside_only():
    outer = kp.current_heap()
    with kp.Heap() as inner:
        assert kp.current_heap() is inner
    assert kp.current_heap() is outer


def test_check_reports_a_corrupted_refcount(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).set(5)
    with pytest.raises(kp.InvariantViolation, match="refcount is 5 but 1 references"):
        heap.check()
    kp.Arc.refcount_of(a).set(1)


def test_leaks_lists_unreachable_objects(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    kp.Arc.new(2, kp.GFP_KERNEL)             # temporary handle forgotten at once
    assert [o.address for o in heap.leaks()] == [a.address + 0x40]
    assert a


def test_repr(heap):
    kp.Arc.new(1, kp.GFP_KERNEL).drop()
    assert repr(heap) == "Heap(objects=0, allocs=1, frees=1, step=2)"
