"""SpinLock and atomic context (kernelptr/lock.py): behaviour 75."""

import pytest

import kernelptr as kp


def test_gfp_kernel_in_atomic_context_is_a_bug_behaviour_75(heap):
    """Behaviour 75: GFP_KERNEL inside a spinlock raises, naming the lock; nothing created."""
    lock = kp.SpinLock(0, "todo_lock")
    with lock.lock():
        assert heap.in_atomic()
        with pytest.raises(kp.SleepInAtomicContext, match="todo_lock") as err:
            kp.Arc.new(1, kp.GFP_KERNEL)
        assert "GFP_ATOMIC" in str(err.value)
        assert heap.alloc_count == 0
    assert not heap.in_atomic()


def test_gfp_atomic_and_nowait_allowed_but_can_fail_behaviour_75(heap):
    """Behaviour 75: GFP_ATOMIC and GFP_NOWAIT work in atomic context and may fail."""
    lock = kp.SpinLock(0, "l")
    with lock.lock():
        a = kp.Arc.new(1, kp.GFP_ATOMIC)
        b = kp.Arc.new(2, kp.GFP_NOWAIT)
        heap.fail_next_allocs()
        with pytest.raises(kp.AllocError):
            kp.Arc.new(3, kp.GFP_ATOMIC)
    assert heap.alloc_count == 2
    a.drop()
    b.drop()


def test_guard_gives_the_value_and_unlocks_on_drop(heap):
    lock = kp.SpinLock([1], "l")
    guard = lock.lock()
    guard.value.append(2)
    guard.drop()
    assert not heap.in_atomic() and lock._value == [1, 2]
    with pytest.raises(kp.UseAfterMove):
        guard.value


def test_recursive_lock_is_a_deadlock(heap):
    lock = kp.SpinLock(0, "l")
    with lock.lock():
        with pytest.raises(kp.Deadlock, match="not recursive"):
            lock.lock()
        assert lock.try_lock() is None
    assert lock.try_lock() is not None


def test_nested_locks_keep_atomic_context(heap):
    a, b = kp.SpinLock(0, "a"), kp.SpinLock(0, "b")
    with a.lock():
        with b.lock():
            assert heap.snapshot().locks == ("a", "b")
        assert heap.in_atomic()
    assert not heap.in_atomic()


def test_flags_combine():
    assert (kp.GFP_KERNEL | kp.flags.__GFP_ZERO).may_sleep
    assert not kp.GFP_NOWAIT.may_sleep
    assert kp.GFP_KERNEL_ACCOUNT.contains(kp.GFP_KERNEL)
    assert repr(kp.GFP_ATOMIC) == "GFP_ATOMIC"
