"""ArcBorrow (kernelptr/borrow.py): behaviour 11 and the model's lifetime check."""

import pytest

import kernelptr as kp


def test_borrow_copies_do_not_change_the_count_behaviour_11(heap):
    """Behaviour 11: ArcBorrow copies leave the count alone; converting to an Arc adds 1."""
    a = kp.Arc.new("x", kp.GFP_KERNEL)
    b = a.as_arc_borrow()
    copies = [b.clone() for _ in range(3)]
    assert a.refcount == 1
    c = copies[0].clone_arc()
    assert a.refcount == 2 and isinstance(c, kp.Arc)
    d = kp.Arc.from_borrow(b)
    assert a.refcount == 3
    c.drop()
    d.drop()


def test_borrow_reads_through_without_double_indirection(heap):
    @kp.struct
    class Job:
        name: str

    a = kp.Arc.new(Job("j"), kp.GFP_KERNEL)
    b = a.as_arc_borrow()
    assert b.name == "j" and b.address == a.address


def test_borrow_after_source_dropped_is_a_borrow_error(heap):
    """The model's lifetime check: a borrow may not outlive the Arc it came from (E0505)."""
    a = kp.Arc.new("x", kp.GFP_KERNEL)
    keep = a.clone()
    b = a.as_arc_borrow()
    a.drop()
    with pytest.raises(kp.BorrowError, match="E0505") as err:
        b.clone_arc()
    assert "dropped" in str(err.value)
    assert keep.refcount == 1
    heap.check()


def test_borrow_after_source_moved_is_a_borrow_error(heap):
    a = kp.Arc.new("x", kp.GFP_KERNEL)
    b = a.as_arc_borrow()
    p = a.into_raw()
    with pytest.raises(kp.BorrowError, match="into_raw"):
        b.deref()
    kp.Arc.from_raw(p).drop()


def test_borrow_cannot_assign(heap):
    @kp.struct
    class Job:
        name: str

    a = kp.Arc.new(Job("j"), kp.GFP_KERNEL)
    with pytest.raises(kp.MutabilityError):
        a.as_arc_borrow().name = "k"


def test_dropping_a_borrow_changes_nothing(heap):
    a = kp.Arc.new("x", kp.GFP_KERNEL)
    b = a.as_arc_borrow()
    kp.drop(b)
    assert b.deref() == "x" and a.refcount == 1
