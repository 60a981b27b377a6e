"""UniqueArc (kernelptr/unique.py): behaviours 12, 13 and 75 (write in atomic context)."""

import pytest

import kernelptr as kp


@kp.struct
class Job:
    name: str
    prio: int = 0


def test_unique_is_mutable_and_converts_for_free_behaviour_12(heap):
    """Behaviour 12: UniqueArc -> Arc keeps count 1; UniqueArc allows mutation, Arc not."""
    u = kp.UniqueArc.new(Job("a"), kp.GFP_KERNEL)
    u.prio = 5
    assert u.prio == 5 and u.refcount == 1
    a = kp.Arc.from_unique(u)
    assert a.refcount == 1 and a.prio == 5 and heap.alloc_count == 1
    with pytest.raises(kp.MutabilityError):
        a.prio = 6
    with pytest.raises(kp.UseAfterMove):
        u.prio = 7


def test_new_uninit_may_fail_write_cannot_behaviour_13(heap):
    """Behaviour 13: new_uninit may fail; write never fails and never allocates."""
    heap.fail_next_allocs()
    with pytest.raises(kp.AllocError):
        kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    assert heap.alloc_count == 1
    heap.fail_next_allocs(3)
    u = u.write(Job("a"))
    heap.fail_next_allocs(0)
    assert heap.alloc_count == 1 and u.name == "a"


def test_allocate_outside_lock_write_inside_behaviour_75(heap):
    """Behaviour 75: UniqueArc.write is allowed in atomic context; GFP_KERNEL is not."""
    lock = kp.SpinLock(None, "list_lock")
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    with lock.lock() as guard:
        with pytest.raises(kp.SleepInAtomicContext, match="list_lock"):
            kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        u = u.write(Job("inside"))
        guard.value = kp.Arc.from_unique(u)
    assert heap.alloc_count == 1
    assert lock._value.name == "inside"


def test_reading_uninit_memory_is_undefined_behaviour(heap):
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    with pytest.raises(kp.UndefinedBehavior, match="write"):
        u.name
    with pytest.raises(kp.UndefinedBehavior):
        u.assume_init()
    with pytest.raises(kp.UndefinedBehavior):
        kp.Arc.from_unique(u)
    assert u.type_str() == "UniqueArc<MaybeUninit<Job>>"
    u.drop()
    assert heap.free_count == 1


def test_write_twice_is_refused(heap):
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL).write(1)
    with pytest.raises(kp.UndefinedBehavior, match="E0599"):
        u.write(2)
    assert u.deref() == 1


def test_unknown_field_assignment(heap):
    u = kp.UniqueArc.new(Job("a"), kp.GFP_KERNEL)
    with pytest.raises(AttributeError):
        u.colour = "red"


def test_drop_frees(heap):
    u = kp.UniqueArc.new(Job("a"), kp.GFP_KERNEL)
    u.drop()
    assert heap.free_count == 1 and heap.objects() == []
