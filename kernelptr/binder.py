"""Case study: Binder's per-thread todo list, a `List<DTRWrap<dyn DeliverToRead>>`."""

from __future__ import annotations

from .flags import GFP_KERNEL, Flags
from .list import AtomicTracker, List, ListArc, ListLinksSelfPtr, impl_list_arc_safe
from .list.list_arc import expect_handle
from .lock import SpinLock
from .ownership import register_expander
from .result import Err
from .rust import compound
from .struct import struct
from .traits import Trait, Unsized, impl_dyn_list_item, impl_trait

__all__ = ["DeliverToRead", "DTRWrap", "arc_try_new", "Thread", "PushWorkOk", "FailedDead",
           "ThreadError", "DeliverCode"]


class DeliverToRead(Trait):
    """Work a Binder thread delivers to userspace: the driver's `trait DeliverToRead`.

    `do_work` and `cancel` take `self: DArc<Self>` (`Arc<DTRWrap<Self>>`) by value and are
    called through the trait object; `should_sync_wakeup` takes `&self`.
    """

    def do_work(self: "kp.Arc[DTRWrap[Self]]", thread, writer): ...

    def cancel(self: "kp.Arc[DTRWrap[Self]]"): ...

    def should_sync_wakeup(self): ...


@impl_dyn_list_item(DeliverToRead, id=0, using="links")
@impl_list_arc_safe(id=0, tracked_by="tracker")
@struct
class DTRWrap:
    """Binder's `DTRWrap<T>`: list links (storing a fat self pointer) around a work item.

    The wrapped value is the last field, so `DTRWrap<ThreadError>` unsizes to
    `DTRWrap<dyn DeliverToRead>`; only that dyn form is a `ListItem`. (Binder delegates
    ListArc tracking to the wrapped value; the model keeps the `AtomicTracker` in the wrapper,
    which the model's `impl_list_arc_safe(tracked_by=...)` requires.)

    >>> import kernelptr as kp
    >>> from kernelptr import binder
    >>> heap = kp.reset()
    >>> w = binder.arc_try_new(binder.DeliverCode("BR_NOOP"))
    >>> w.type_str(), w.into_dyn(binder.DeliverToRead).type_str()
    ('ListArc<DTRWrap<DeliverCode>, 0>', 'ListArc<DTRWrap<dyn DeliverToRead>, 0>')
    """

    links: ListLinksSelfPtr[0]
    tracker: AtomicTracker[0]
    wrapped: Unsized


@compound("DTRWrap::arc_try_new({value})?")
def arc_try_new(value, flags: Flags = GFP_KERNEL) -> ListArc:
    """`DTRWrap::arc_try_new(val)`: allocate the wrapper as a `DLArc<T>` (may fail)."""
    return ListArc.new(DTRWrap(value), flags)


class _PushWorkOk:
    def __repr__(self) -> str:
        return "PushWorkRes::Ok"


#: `PushWorkRes::Ok`: the work is on the thread's list.
PushWorkOk = _PushWorkOk()


class FailedDead(Err):
    """`PushWorkRes::FailedDead(work)`: the thread is dead and the ListArc comes back."""

    __slots__ = ()

    @property
    def work(self):
        return self.value

    def __repr__(self) -> str:
        return f"FailedDead({self.value!r})"


class _InnerThread:
    """`InnerThread`: the state protected by the thread's spinlock."""

    def __init__(self):
        self.work_list = List(DTRWrap[DeliverToRead])
        self.is_dead = False

    def _kp_values(self):
        yield self.work_list

    def __repr__(self) -> str:
        return f"InnerThread(dead={self.is_dead})"


class Thread:
    """A Binder thread with its todo list under a `SpinLock`, as in the driver's `Thread`.

    >>> import kernelptr as kp
    >>> from kernelptr import binder
    >>> heap = kp.reset()
    >>> t = binder.Thread("t1")
    >>> t.push_work(binder.arc_try_new(binder.DeliverCode("BR_NOOP")))
    PushWorkRes::Ok
    >>> writer = []
    >>> t.do_work(writer), writer
    (1, ['BR_NOOP'])
    """

    @compound("Thread::new({name})?")
    def __init__(self, name: str = "thread", flags: Flags = GFP_KERNEL):
        self.name = name
        self.inner = SpinLock(_InnerThread(), f"{name}.inner")
        # The reusable, preallocated error item (a DArc<ThreadError>): allocated once here.
        self.reply_work = arc_try_new(ThreadError("BR_FAILED_REPLY"), flags).into_arc()
        self.log: list[str] = []

    @compound("{self}.push_work({work})")
    def push_work(self, work):
        """`push_work`: take the lock, queue `work` (a `DLArc<dyn DeliverToRead>`; a concrete
        one is coerced) without allocating; `FailedDead(work)` if the thread is dead
        (behaviours 77, 79). Drop a returned work item after the lock is released."""
        expect_handle(work, ListArc, "InnerThread::push_work",
                      "DLArc<dyn DeliverToRead> (ListArc<DTRWrap<dyn DeliverToRead>, 0>)")
        with self.inner.lock() as guard:
            inner = guard.value
            if inner.is_dead:
                return FailedDead(work)
            # push_back coerces DLArc<T> to DLArc<dyn T> itself, after checking it fits.
            inner.work_list.push_back(work)
            return PushWorkOk

    @compound("{self}.pop_work()", option=True)
    def pop_work(self):
        """`pop_work`: the next `DLArc<dyn DeliverToRead>`, or None (takes the lock)."""
        with self.inner.lock() as guard:
            return guard.value.work_list.pop_front()

    @compound("{self}.push_reply_work()")
    def push_reply_work(self):
        """Queue the preallocated `reply_work` again: `ListArc::try_from_arc` fails while it
        is still queued, and the driver logs instead of queuing twice (behaviour 78). On a
        dead thread the result is `FailedDead`, whose work was already dropped after the
        lock was released."""
        result = ListArc.try_from_arc(self.reply_work.clone())
        if result.is_err():
            self.log.append(f"{self.name}: reply_work already in use")
            result.value.drop()
            return None
        res = self.push_work(result.value)
        if isinstance(res, FailedDead):
            res.work.drop()
        return res

    @compound("{self}.do_work({writer})?")
    def do_work(self, writer: list) -> int:
        """Deliver every queued item: `pop_work().into_arc().do_work(self, writer)`, a
        by-value `Arc` receiver dispatched through the trait object. Returns the count."""
        n = 0
        while (work := self.pop_work()) is not None:
            work.into_arc().do_work(self, writer)
            n += 1
        return n

    @compound("{self}.release()")
    def release(self) -> int:
        """The thread exits: mark it dead and take its work under the lock, then cancel each
        item after unlocking (destructors never run inside the spinlock)."""
        taken = []
        with self.inner.lock() as guard:
            guard.value.is_dead = True
            while (work := guard.value.work_list.pop_front()) is not None:
                taken.append(work)
        for work in taken:
            work.into_arc().cancel()
        return len(taken)

    def __repr__(self) -> str:
        return f"Thread({self.name!r})"


@impl_trait(DeliverToRead)
@struct
class ThreadError:
    """Binder's `ThreadError`: a per-thread error return, allocated once and reused."""

    code: str

    def do_work(self: "kp.Arc[DTRWrap[Self]]", thread, writer):
        writer.append(self.wrapped.code)
        return True

    def cancel(self: "kp.Arc[DTRWrap[Self]]"):
        pass

    def should_sync_wakeup(self):
        return False


@impl_trait(DeliverToRead)
@struct
class DeliverCode:
    """Binder's `DeliverCode`: a return code to write to userspace, unless marked `skip`
    (the driver neutralises such an item rather than removing it from a list)."""

    code: str
    skip: bool = False

    def do_work(self: "kp.Arc[DTRWrap[Self]]", thread, writer):
        if not self.wrapped.skip:
            writer.append(self.wrapped.code)
        return True

    def cancel(self: "kp.Arc[DTRWrap[Self]]"):
        """Nothing to undo: dropping `self` at the end frees the item."""

    def should_sync_wakeup(self):
        return not self.skip


def _expand(name, value):
    """Label the handles and lists inside a thread after its fields (`t.reply_work`)."""
    if isinstance(value, Thread):
        yield f"{name}.reply_work", value.reply_work
        yield f"{name}.inner", value.inner
        yield f"{name}.work_list", value.inner._value.work_list


register_expander(_expand)
