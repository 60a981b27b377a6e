"""Checks of notebook 00 (start here): two owners of one object; allocating under a lock."""

from __future__ import annotations

from ...arc import Arc
from ...errors import AllocError, SleepInAtomicContext
from ...flags import GFP_ATOMIC
from ...lock import SpinLock
from ..attempt import Hint, attempt
from ..runner import exercise
from ._common import Job, fresh

__all__ = ["ex00_two_owners", "ex00_alloc_in_lock"]

#: Ways to make a second owner of an object that already has one.
_SECOND_OWNER = ("Arc::clone", "ArcBorrow::clone_arc", "Arc::from(ArcBorrow)")


@exercise
def ex00_two_owners(make_two_owners):
    """`make_two_owners(value)` returns (a, b): two Arcs that own one new object holding
    `value` (run for two different values)."""
    for value in ("shared", Job("job", 7)):
        with fresh() as heap:
            run = attempt(make_two_owners, value)
            result = run.result
            if not isinstance(result, tuple) or len(result) != 2:
                raise Hint("return a pair: `return a, b`.")
            a, b = result
            if not (isinstance(a, Arc) and isinstance(b, Arc)):
                raise Hint("both must be kp.Arc handles (kp.Arc.new makes the first; what makes "
                           "a second owner of the same object?).")
            if a is b:
                raise Hint("that is the same handle twice: one owner. A second owner comes "
                           "from cloning the first.")
            if not Arc.ptr_eq(a, b):
                news = run.events("Arc::new")
                raise Hint("these are two separate objects (kp.Arc.new twice): each has its "
                           "own count of 1. Clone the first Arc instead.",
                           at=news[1] if len(news) > 1 else None)
            if heap.alloc_count != 1:
                raise Hint(f"{heap.alloc_count} allocations: one object needs exactly one.")
            if run.called("Refcount::set") or run.called("Refcount::inc"):
                raise Hint("you changed the count by hand: the count must say how many owners "
                           "exist, so make a real owner and let it count itself.")
            held = heap.object_at(a.address).value
            if held is not value and held != value:
                raise Hint(f"the object holds {held!r}, not the value you were given "
                           f"({value!r}): pass `value` to kp.Arc.new.", at=run.first("Arc::new"))
            if not run.touching(a.address, *_SECOND_OWNER):
                raise Hint("b owns the object, but it was not made by cloning a.")
            if a.refcount != 2:
                extra = run.touching(a.address, *_SECOND_OWNER)
                raise Hint(f"the refcount is {a.refcount}, not 2: exactly two owners, no extra "
                           "clones left behind.", at=extra[-1] if extra else None)
    return "a and b share one object; refcount 2, for any value."


@exercise
def ex00_alloc_in_lock(remember):
    """`remember(guard, text)` runs with the spinlock held: it allocates an Arc of `text`
    with flags that never sleep and appends it to `guard.value`; True, or False (log
    unchanged) when the allocation fails."""
    with fresh() as heap:
        lock = SpinLock([], "log_lock")
        guard = lock.lock()
        run = attempt(remember, guard, "boot", hints={SleepInAtomicContext: (
            "GFP_KERNEL may sleep, and your code runs with `log_lock` held: a spinlock holder "
            "must never sleep. Pick flags that never sleep.")})
        released = run.events("SpinLock::unlock")
        if released or not lock.is_locked:
            raise Hint("you released the lock your caller holds (to allocate?): the caller "
                       "still relies on it when you return. Allocate without sleeping "
                       "instead.", at=released[0] if released else None)
        guard.drop()
        log = lock.lock().value
        if run.result is False and not run.events("Arc::new"):
            raise Hint("nothing failed here, yet you returned False: if you catch errors, "
                       "catch only kp.AllocError (GFP_KERNEL under a lock raises "
                       "SleepInAtomicContext: a bug to fix, not a failure to hide).")
        if run.result is not True:
            raise Hint(f"returned {run.result!r}; return True once the text is in the log.")
        if len(log) != 1 or not isinstance(log[0], Arc):
            raise Hint("append the new kp.Arc to the log (guard.value.append(...)).")
        if heap.object_at(log[0].address).value != "boot":
            raise Hint("the Arc in the log should hold the text you were given.")

    with fresh() as heap:
        lock = SpinLock([], "log_lock")
        guard = lock.lock()
        guard.value.append(Arc.new("earlier", GFP_ATOMIC))
        heap.fail_next_allocs(1)
        run = attempt(remember, guard, "irq 7", hints={AllocError: (
            "the allocation failed and the AllocError escaped: GFP_ATOMIC and GFP_NOWAIT never "
            "sleep, but they can fail. Catch kp.AllocError and return False.")})
        if run.result is not False:
            raise Hint(f"the allocation failed, yet you returned {run.result!r}: return False.")
        if len(guard.value) != 1:
            raise Hint("the allocation failed: leave the log as it was.")
        guard.drop()
    return "allocated without sleeping while the lock was held, and survived the failure."

