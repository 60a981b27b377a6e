"""The exercises' checks, one function per exercise, named `exNN_what` after its notebook."""

from __future__ import annotations

from .. import flags as _flags
from ..arc import Arc
from ..errors import AllocError, SleepInAtomicContext
from ..heap import current_heap
from ..layout import layout
from ..lock import SpinLock
from ..refcount import REFCOUNT_MAX
from ..struct import struct
from ..unique import UniqueArc
from .runner import Hint, exercise


def _call(fn, *args):
    if fn is None or fn is Ellipsis:
        raise NotImplementedError
    if not callable(fn):
        raise Hint(f"expected a function, got {fn!r}")
    return fn(*args)


@struct
class Job:
    """The struct the exercises use."""

    name: str
    prio: int = 0


# -- 00_start_here -----------------------------------------------------------------------
@exercise
def ex00_two_owners(make_two_owners):
    """`make_two_owners()` returns (a, b): two Arcs that own the same Job."""
    result = _call(make_two_owners)
    if not isinstance(result, tuple) or len(result) != 2:
        raise Hint("return a pair: `return a, b`.")
    a, b = result
    if not (isinstance(a, Arc) and isinstance(b, Arc)):
        raise Hint("both must be kp.Arc handles (kp.Arc.new makes the first; what makes a "
                   "second owner of the same object?).")
    if a is b:
        raise Hint("that is the same handle twice: one owner. Call a.clone() for a second "
                   "owner.")
    if not Arc.ptr_eq(a, b):
        raise Hint("these are two separate objects (Arc.new twice). Clone the first Arc "
                   "instead: b = a.clone().")
    return f"a and b share one object at {a.address:#x}; refcount {a.refcount}."


@exercise
def ex00_flags_in_lock(flags):
    """Which flags may a spinlock holder allocate with?"""
    if flags is None or flags is Ellipsis:
        raise NotImplementedError
    if flags == _flags.GFP_KERNEL or getattr(flags, "may_sleep", False):
        raise Hint("GFP_KERNEL may sleep, and a spinlock holder must never sleep. Pick flags "
                   "that never sleep.")
    if flags not in (_flags.GFP_ATOMIC, _flags.GFP_NOWAIT):
        raise Hint("answer with one of kp.GFP_KERNEL, kp.GFP_ATOMIC, kp.GFP_NOWAIT.")
    return f"{flags!r} never sleeps, so it is allowed in atomic context (it may fail, though)."


# -- 01_arc_and_refcount_t -----------------------------------------------------------------
@exercise
def ex01_predict_count(predicted):
    """The refcount after: a = new; b = a.clone(); c = b.clone(); a.drop();
    d = c.as_arc_borrow(); e = d.clone_arc()."""
    if predicted is None or predicted is Ellipsis:
        raise NotImplementedError
    a = Arc.new(Job("p"), _flags.GFP_KERNEL)
    b = a.clone()
    c = b.clone()
    a.drop()
    d = c.as_arc_borrow()
    e = d.clone_arc()
    actual = e.refcount
    if predicted == actual:
        return f"{actual}: b, c and e own it; the borrow d owns nothing."
    if predicted == actual + 1:
        raise Hint("one too many: an ArcBorrow (d) does not own a count.")
    if predicted == actual - 1:
        raise Hint("one too few: clone_arc() turns the borrow into a new owner (+1).")
    if predicted == 4:
        raise Hint("did you forget that a.drop() gives one count back?")
    raise Hint("count the live owners: every clone and clone_arc adds one, every drop "
               "subtracts one, borrows add nothing.")


@exercise
def ex01_saturate(saturate):
    """`saturate(a)` drives a's object into saturation with real increments."""
    a = Arc.new(Job("s"), _flags.GFP_KERNEL)
    heap = current_heap()
    obj = heap.object_at(a.address)
    _call(saturate, a)
    if obj.refcount.read() == REFCOUNT_MAX:
        raise Hint("the count is at REFCOUNT_MAX but has not overflowed yet: one more "
                   "increment (a clone) does it.")
    if not obj.refcount.saturated:
        raise Hint("the count is not saturated. Set it near the top with "
                   "kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX), then clone once.")
    if "refcount_t: saturated; leaking memory." not in heap.warnings:
        raise Hint("the count is saturated but no increment overflowed (did you set() it "
                   "to REFCOUNT_SATURATED directly?). Overflow it with a clone instead.")
    return "the counter parked at REFCOUNT_SATURATED and warned once; the object will " \
           "never be freed."


@exercise
def ex01_header_bytes(answer):
    """(kernel, std): size_of ArcInner<u64> in the kernel and in userspace Rust."""
    if answer is None or answer is Ellipsis:
        raise NotImplementedError
    kernel, std = layout(int).arc_inner, layout(int).std_arc_inner
    if answer == (kernel, std):
        return f"{kernel} vs {std} bytes: one 4-byte count padded to 8, versus two 8-byte " \
               "counts."
    if answer == (12, 24):
        raise Hint("the 4-byte refcount is padded to the u64's 8-byte alignment.")
    if answer == (std, kernel):
        raise Hint("the other way round: the kernel's header is the small one.")
    raise Hint("header + 8 bytes of data: the kernel's header is one refcount_t (4 bytes, "
               "padded to 8), std's is strong + weak (2 x 8 bytes).")


# -- 02_arcborrow_and_uniquearc --------------------------------------------------------------
@exercise
def ex02_publish(publish):
    """`publish(lock)`: allocate outside the lock, initialise inside, return the Arc."""
    heap = current_heap()
    lock = SpinLock(None, "list_lock")
    try:
        result = _call(publish, lock)
    except SleepInAtomicContext:
        raise Hint("you allocated with GFP_KERNEL while holding the lock. Allocate with "
                   "kp.UniqueArc.new_uninit(kp.GFP_KERNEL) BEFORE lock.lock().") from None
    if lock.is_locked:
        raise Hint("the lock is still held when publish returns: use `with lock.lock():`.")
    if not isinstance(result, Arc):
        raise Hint("return the shared Arc: kp.Arc.from_unique(u) converts the UniqueArc.")
    ops = [e.op for e in heap.events]
    if "UniqueArc::new_uninit" not in ops:
        raise Hint("use kp.UniqueArc.new_uninit(...) so the allocation and the "
                   "initialisation are separate steps.")
    locked, unlocked = ops.index("SpinLock::lock"), ops.index("SpinLock::unlock")
    if ops.index("UniqueArc::new_uninit") > locked:
        raise Hint("the allocation must happen before the lock is taken.")
    if "UniqueArc::write" not in ops[locked:unlocked]:
        raise Hint("initialise (u.write(...)) inside the `with lock.lock():` block.")
    if result.refcount != 1:
        raise Hint(f"the new Arc should have refcount 1, it has {result.refcount}.")
    return "allocated where sleeping is allowed, initialised under the lock with no " \
           "allocation."


@exercise
def ex02_fallible(try_make):
    """`try_make()` returns an Arc, or None when the allocation fails (no exception)."""
    heap = current_heap()
    heap.fail_next_allocs(1)
    try:
        first = _call(try_make)
    except AllocError:
        raise Hint("the AllocError escaped. Catch it (`except kp.AllocError:`) and return "
                   "None: in the kernel you would return Err(ENOMEM).") from None
    if first is not None:
        raise Hint("the allocation failed, yet something other than None came back.")
    second = _call(try_make)
    if not isinstance(second, Arc):
        raise Hint("when allocation succeeds, return the new kp.Arc.")
    if heap.alloc_count != 1:
        raise Hint("allocate once per call.")
    return "the failure was handled and nothing leaked; the retry succeeded."
