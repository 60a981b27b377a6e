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
from .runner import Hint, exercise


def _call(fn, *args):
    if fn is None or fn is Ellipsis:
        raise NotImplementedError
    if not callable(fn):
        raise Hint(f"expected a function, got {fn!r}")
    result = fn(*args)
    if result is None and getattr(fn, "__code__", None) is not None and \
            fn.__code__.co_code == _EMPTY.__code__.co_code:
        raise NotImplementedError       # the starter body `...` is still there
    return result


def _EMPTY():
    ...


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
    if a.refcount != 2:
        raise Hint(f"the refcount is {a.refcount}, not 2: exactly two owners, no extra "
                   "clones left behind.")
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
    overflowed = any(e.addresses == (obj.address,) and e.summary.endswith("-> SATURATED")
                     and "2147483647" in e.summary for e in heap.events)
    if not overflowed:
        raise Hint("the count is saturated but no increment of THIS object overflowed (did "
                   "you set() it to REFCOUNT_SATURATED directly?). Overflow it with a clone.")
    return "the counter parked at REFCOUNT_SATURATED and warned once; the object will " \
           "never be freed."


@exercise
def ex01_header_bytes(answer):
    """(kernel, std): size_of ArcInner<u64> in the kernel and in userspace Rust."""
    if answer is None or answer is Ellipsis:
        raise NotImplementedError
    kernel, std = layout(int).arc_inner, layout(int).std_arc_inner
    if isinstance(answer, list):
        answer = tuple(answer)
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
    allocating = [op for op in ops[locked:unlocked] if op.endswith(("::new", "::new_uninit"))]
    if allocating or heap.alloc_count != 1:
        raise Hint("allocate exactly once, before the lock; inside it only write (even "
                   "GFP_ATOMIC can fail in the middle of your critical section).")
    first = next(e for e in heap.events if e.op == "UniqueArc::new_uninit")
    if result.address != first.addresses[0]:
        raise Hint("return the object you allocated before the lock.")
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


# -- 03_intrusive_lists -------------------------------------------------------------------
def _list_types():
    """The item types the list exercises use (declared lazily: lists import the model)."""
    from .. import list as kl

    @kl.impl_list_item(id=0, using="links")
    @kl.impl_list_arc_safe(id=0, untracked=True)
    @struct
    class Item:
        name: str
        prio: int = 0
        links: kp.ListLinks[0]

    @kl.impl_list_item(id=0, using="by_time")
    @kl.impl_list_item(id=1, using="by_owner")
    @kl.impl_list_arc_safe(id=0, untracked=True)
    @kl.impl_list_arc_safe(id=1, untracked=True)
    @struct
    class Task:
        name: str
        by_time: kp.ListLinks[0]
        by_owner: kp.ListLinks[1]

    @kl.impl_list_item(id=0, using="links")
    @kl.impl_list_arc_safe(id=0, tracked_by="tracker")
    @struct
    class Event:
        what: str
        links: kp.ListLinks[0]
        tracker: kp.AtomicTracker[0]

    return Item, Task, Event


Item, Task, Event = _list_types()


def _names(q) -> list:
    return [item.name for item in q]


@exercise
def ex03_build(build):
    """`build(q, make)` makes `q` iterate x, y, z; "y" pushed first."""
    from ..list import List, ListArc

    q = List(Item, id=0)
    made = []

    def make(name):
        made.append(name)
        return ListArc.new(Item(name), _flags.GFP_KERNEL)

    _call(build, q, make)
    names = _names(q)
    if names == ["x", "y", "z"]:
        if made and made[0] != "y":
            raise Hint("the order is right, but push \"y\" first: then you need both "
                       "push_back and push_front.")
        return "x, y, z: push_front put x before the first item, push_back z after the last."
    if names == ["z", "y", "x"]:
        raise Hint("reversed: push_front puts an item before the current first one.")
    if sorted(names) != ["x", "y", "z"]:
        raise Hint(f"the list holds {names}; it should hold exactly x, y and z.")
    raise Hint(f"the list iterates {names}: push_back appends, push_front prepends.")


@exercise
def ex03_drop_low(drop_low):
    """`drop_low(q)` removes and drops every item with prio < 5, in place."""
    from ..list import List, ListArc
    heap = current_heap()

    q = List(Item, id=0)
    for name, prio in [("a", 1), ("b", 7), ("c", 2), ("d", 3), ("e", 9), ("f", 0)]:
        q.push_back(ListArc.new(Item(name, prio), _flags.GFP_KERNEL))
    allocs = heap.alloc_count
    _call(drop_low, q)
    names = _names(q)
    if heap.alloc_count != allocs:
        raise Hint("drop_low allocated: walking and removing never needs to.")
    if names == ["b", "e"]:
        if heap.free_count != 4:
            raise Hint("the items are unlinked but not freed: drop the ListArc that "
                       "remove() returns.")
        return "b and e kept in order; a, c, d and f unlinked and freed, no allocation."
    if names in (["b", "d", "e"], ["b", "c", "e"], ["b", "d", "e", "f"], ["b", "e", "f"]):
        raise Hint("some low items survived: after removing the next item, do not move "
                   "the cursor (peek_next() is already the following item).")
    raise Hint(f"the list holds {names}; it should hold b and e.")


# -- 04_listarc -------------------------------------------------------------------------------
@exercise
def ex04_in_two_lists(in_two_lists):
    """`in_two_lists(task, by_time, by_owner)` puts one object in both lists."""
    from ..list import List
    heap = current_heap()
    by_time, by_owner = List(Task, id=0), List(Task, id=1)
    _call(in_two_lists, Task("t"), by_time, by_owner)
    a, b = list(by_time), list(by_owner)
    if len(a) != 1 or len(b) != 1:
        raise Hint(f"expected one item in each list, found {len(a)} and {len(b)}.")
    if a[0].address != b[0].address:
        raise Hint("the lists hold two different objects: make both ListArcs from ONE "
                   "UniqueArc with kp.ListArc.pair_from_unique(u, ids=(0, 1)).")
    if heap.alloc_count != 1:
        raise Hint("allocate once.")
    return f"one object at {a[0].address:#x} in both lists; refcount " \
           f"{heap.object_at(a[0].address).refcount.read()} (one per list)."


@exercise
def ex04_enqueue_once(enqueue_once):
    """`enqueue_once(q, arc)` pushes at most once and never leaks a count."""
    from ..list import List
    q = List(Event, id=0)
    e = Arc.new(Event("irq"), _flags.GFP_KERNEL)
    first = _call(enqueue_once, q, e.clone())
    second = _call(enqueue_once, q, e.clone())
    if first is not True or second is not False:
        raise Hint(f"returned {first!r} then {second!r}; expected True then False.")
    if len(list(q)) != 1:
        raise Hint("the item should be in the list exactly once.")
    if e.refcount != 2:
        extra = e.refcount - 2
        raise Hint(f"{extra} count(s) leaked: on Err you get the same Arc back; drop it."
                   if extra > 0 else "a count went missing.")
    return "Ok the first time, Err(arc) the second, and the returned Arc was dropped."


# -- 05_dynamic_dispatch ------------------------------------------------------------------------
from ..traits import Trait, c_vtable, check_dispatch_from_dyn, impl_trait, vtable  # noqa: E402


class Shape(Trait):
    """The trait of exercise 05.1: `area` takes `self: ArcBorrow<Self>`."""

    def area(self: "kp.ArcBorrow[Self]"): ...


@exercise
def ex05_square(Square):
    """`Square` (a struct with `side`) implements Shape; area dispatched through a vtable."""
    from ..errors import KernelPtrError
    if Square is None or Square is Ellipsis:
        raise NotImplementedError
    if not getattr(Square, "_kp_struct", False):
        raise Hint("declare Square with @kp.struct and a `side: int` field.")
    try:
        impl_trait(Shape)(Square)
    except KernelPtrError as err:
        raise Hint(f"kp.impl_trait(Shape) refused Square: {err.what}. The receiver must "
                   "be written exactly as the trait's: self: \"kp.ArcBorrow[Self]\".") \
            from None
    shape = Arc.new(Square(3), _flags.GFP_KERNEL).into_dyn(Shape)
    area = shape.as_arc_borrow().area()
    if area != 9:
        raise Hint(f"a 3x3 square reported area {area!r}; return self.side * self.side.")
    return "Arc<dyn Shape> -> ArcBorrow<dyn Shape> -> <Square as Shape>::area via the vtable."


@exercise
def ex05_dispatchable(answer):
    """Which of the notebook's pointer types A, B, C can be a dyn receiver?"""
    if answer is None or answer is Ellipsis:
        raise NotImplementedError
    from ..traits import pointer_type
    kinds = {
        "A": pointer_type("A", fields=["ptr: NonNull<T>", "_p: PhantomData<T>"]),
        "B": pointer_type("B", fields=["ptr: NonNull<T>", "len: usize"]),
        "C": pointer_type("C", fields=["ptr: NonNull<T>"], repr="C"),
    }
    good = sorted(k for k, p in kinds.items() if check_dispatch_from_dyn(p))
    given = sorted(answer) if isinstance(answer, (set, list, tuple)) else [answer]
    if given == good:
        return f"only {', '.join(good)}: one pointer field plus zero-sized markers, no repr(C)."
    if "B" in given:
        raise Hint("B has a second field that is not zero-sized (len: usize).")
    if "C" in given:
        raise Hint("C is #[repr(C)]: DispatchFromDyn needs a plain (or transparent) struct.")
    raise Hint("run kp.check_dispatch_from_dyn on each and read the rules.")


# -- 06_c_vtables -------------------------------------------------------------------------------
@vtable
class FileOps(Trait):
    """A C `file_operations`-like table of exercise 06.1: every method is optional."""

    def open(self): ...

    def read(self, n): ...

    def write(self, data): ...

    def ioctl(self, cmd): ...


@exercise
def ex06_only_open_and_read(MyFile):
    """`MyFile` defines only open and read; the C table has NULL for write and ioctl."""
    if MyFile is None or MyFile is Ellipsis:
        raise NotImplementedError
    impl_trait(FileOps)(MyFile)
    has = {n: getattr(MyFile, f"HAS_{n.upper()}") for n in ("open", "read", "write", "ioctl")}
    table = c_vtable(FileOps, MyFile)
    extra = [n for n in ("write", "ioctl") if has[n]]
    missing = [n for n in ("open", "read") if not has[n]]
    if extra:
        raise Hint(f"MyFile defines {', '.join(extra)}: leave those out so their slots stay "
                   "NULL.")
    if missing:
        raise Hint(f"MyFile must define {', '.join(missing)}.")
    nulls = sorted(n for n, slot in table.slots.items() if slot is None)
    return f"HAS_OPEN and HAS_READ are True; the C table has NULL in {', '.join(nulls)}."


@exercise
def ex06_null_slot(answer):
    """What does the C caller return for write when the slot is NULL? (vfs_write returns
    -EINVAL when a file has neither write nor write_iter.)"""
    if answer is Ellipsis:
        raise NotImplementedError

    @impl_trait(FileOps)
    class OnlyOpen:
        def open(self):
            return 0

    actual = c_vtable(FileOps, OnlyOpen).call("write", OnlyOpen(), b"data")
    if answer == actual:
        return f"{actual} (-EINVAL): the caller checks the slot and never calls NULL."
    if answer is None:
        raise Hint("C has no None: the caller sees a NULL pointer and returns an error code.")
    if answer == 22:
        raise Hint("kernel functions return negative error codes.")
    raise Hint("the trait's default body never runs for a NULL slot; look at table.call.")


# -- 07_case_study_todo_list -----------------------------------------------------------------
@exercise
def ex07_deliver_or_drop(deliver):
    """`deliver(thread, work)` pushes; on FailedDead it drops the work (after the lock)."""
    from .. import binder
    heap = current_heap()
    alive = binder.Thread("alive")
    ok = _call(deliver, alive, binder.arc_try_new(binder.DeliverCode("BR_NOOP")))
    dead = binder.Thread("dead")
    dead.release()
    work = binder.arc_try_new(binder.DeliverCode("BR_SPAWN_LOOPER"))
    address = work.address
    failed = _call(deliver, dead, work)
    if ok is not True or failed is not False:
        raise Hint(f"returned {ok!r} for a live thread and {failed!r} for a dead one; "
                   "expected True and False.")
    obj = heap.object_at(address)
    if not obj.freed:
        raise Hint("the work handed back by FailedDead(work) was not dropped: it leaks. "
                   "match res: case binder.FailedDead(w): w.drop().")
    return "delivered to the live thread; the dead thread's work came back and was dropped " \
           "outside the lock."


@exercise
def ex07_kick(kick):
    """`kick(queue, job)` enqueues a clone; returns False (dropping the Err) if pending."""
    from .. import workqueue as wq

    @wq.impl_has_work(id=0, field="work")
    @impl_trait(wq.WorkItem)
    @struct
    class Flush:
        name: str
        work: kp.workqueue.Work[0]

        def run(this: "kp.Arc[Self]"):
            pass

    q = wq.Queue("events")
    job = Arc.new(Flush("flush"), _flags.GFP_KERNEL)
    first, second = _call(kick, q, job), _call(kick, q, job)
    if (first, second) != (True, False):
        raise Hint(f"returned {first!r} then {second!r}; expected True (queued) then False "
                   "(already pending).")
    if job.refcount != 2:
        raise Hint(f"refcount is {job.refcount}, expected 2 (yours + the queue's): "
                   "drop the Arc that Err(arc) hands back."
                   if job.refcount > 2 else "enqueue a clone, not your own Arc.")
    q.run_pending()
    if job.refcount != 1:
        raise Hint("after run the queue's reference should be gone.")
    return "queued once; the second enqueue handed the same Arc back and you dropped it."
