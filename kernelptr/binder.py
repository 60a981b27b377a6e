"""Case study: Binder's per-thread todo list, a `List<DTRWrap<dyn DeliverToRead>>`."""

from __future__ import annotations

from .errors import AllocError
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


class DeliverToRead(Trait, list_arc_safe=(0,)):
    """Work a Binder thread delivers to userspace: the driver's `trait DeliverToRead:
    ListArcSafe`.

    `do_work` and `cancel` take `self: DArc<Self>` (`Arc<DTRWrap<Self>>`) by value and are
    called through the trait object; `should_sync_wakeup` takes `&self`. The `ListArcSafe`
    supertrait is what lets `DTRWrap<dyn DeliverToRead>` delegate its tracking to the
    wrapped trait object.

    >>> DeliverToRead.methods()["do_work"]
    self: Arc<DTRWrap<Self>>
    """

    def do_work(self: "kp.Arc[DTRWrap[Self]]", thread, writer): ...

    def cancel(self: "kp.Arc[DTRWrap[Self]]"): ...

    def should_sync_wakeup(self): ...


@impl_dyn_list_item(DeliverToRead, id=0, using="links")
@impl_list_arc_safe(id=0, tracked_by="wrapped")
@struct
class DTRWrap:
    """Binder's `DTRWrap<T>`: list links (storing a fat self pointer) around a work item.

    The wrapped value is the last field, so `DTRWrap<ThreadError>` unsizes to
    `DTRWrap<dyn DeliverToRead>`; only that dyn form is a `ListItem`. Tracking is
    delegated to the wrapped value, as in Binder (`tracked_by wrapped: T`): a
    `DTRWrap<ThreadError>` is tracked by the ThreadError's `AtomicTracker`, while a
    `DTRWrap<DeliverCode>` is untracked and so only gets its ListArc at allocation.

    >>> import kernelptr as kp
    >>> from kernelptr import binder
    >>> heap = kp.reset()
    >>> w = binder.arc_try_new(binder.DeliverCode("BR_NOOP"))
    >>> w.type_str(), w.into_dyn(binder.DeliverToRead).type_str()
    ('ListArc<DTRWrap<DeliverCode>, 0>', 'ListArc<DTRWrap<dyn DeliverToRead>, 0>')
    """

    links: ListLinksSelfPtr[0]
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
    """`InnerThread`: the state protected by the thread's spinlock, including the two
    preallocated, reusable error items `reply_work` and `return_work` (`DArc<ThreadError>`)."""

    def __init__(self, reply_work, return_work):
        self.is_dead = False
        self.reply_work = reply_work
        self.return_work = return_work
        self.work_list = List(DTRWrap[DeliverToRead])

    def _kp_values(self):
        yield self.reply_work
        yield self.return_work
        yield self.work_list

    def __repr__(self) -> str:
        return f"InnerThread(dead={self.is_dead})"


class Thread:
    """A Binder thread with its todo list under a `SpinLock`, as in the driver's `Thread`.

    Creating it allocates its two reusable error items (`InnerThread::new` calls
    `ThreadError::try_new()?` twice); if the second allocation fails, the first is dropped
    and nothing is left behind.

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
        # `reply_work: ThreadError::try_new()?, return_work: ThreadError::try_new()?`: when the
        # second `?` returns early, Rust drops the first, already-built field.
        reply_work = ThreadError.try_new("BR_FAILED_REPLY", flags)
        try:
            return_work = ThreadError.try_new("BR_ERROR", flags)
        except AllocError:
            reply_work.drop()
            raise
        self.inner = SpinLock(_InnerThread(reply_work, return_work), f"{name}.inner")
        self.log: list[str] = []

    @property
    def reply_work(self):
        """The preallocated `DArc<ThreadError>` for errors sent to the thread that started a
        transaction (`InnerThread::reply_work`)."""
        return self.inner._value.reply_work

    @property
    def return_work(self):
        """The preallocated `DArc<ThreadError>` for errors returned to this thread itself
        (`InnerThread::return_work`)."""
        return self.inner._value.return_work

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
        """`push_reply_work`: queue the preallocated `reply_work` again. `ListArc::try_from_arc`
        fails while it is still queued (its `AtomicTracker`, reached through `DTRWrap`'s
        `tracked_by wrapped`, says a ListArc exists), and the driver logs instead of queuing
        twice (behaviour 78). On a dead thread the result is `FailedDead`, whose work was
        already dropped after the lock was released."""
        return self._push_reusable(self.reply_work, "reply_work")

    @compound("{self}.push_return_work()")
    def push_return_work(self):
        """`push_return_work`: the same for the preallocated `return_work`."""
        return self._push_reusable(self.return_work, "return_work")

    def _push_reusable(self, darc, what: str):
        result = ListArc.try_from_arc(darc.clone())
        if result.is_err():
            self.log.append(f"{self.name}: {what} already in use")
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

    def drop(self) -> None:
        """Drop the thread's state (the last `Arc<Thread>` going away): its `InnerThread`
        fields are dropped in declaration order, `reply_work`, `return_work`, then the work
        list (each queued item)."""
        inner = self.inner._value
        inner.reply_work.drop()
        inner.return_work.drop()
        inner.work_list.drop()

    def __repr__(self) -> str:
        return f"Thread({self.name!r})"


@impl_list_arc_safe(id=0, tracked_by="links_track")
@impl_trait(DeliverToRead)
@struct
class ThreadError:
    """Binder's `ThreadError`: a per-thread error return, allocated once and reused. It is
    tracked (`tracked_by links_track: AtomicTracker`), so `ListArc::try_from_arc` can tell
    whether it is still queued. (The driver stores the code in an atomic when it queues the
    item; the model fixes the code when the item is allocated.)

    >>> import kernelptr as kp
    >>> from kernelptr import binder
    >>> heap = kp.reset()
    >>> e = binder.ThreadError.try_new("BR_DEAD_REPLY", kp.GFP_KERNEL)
    >>> la = kp.ListArc.try_from_arc(e.clone()).unwrap(); la.type_str()
    'ListArc<DTRWrap<ThreadError>, 0>'
    """

    code: str
    links_track: AtomicTracker[0]

    @staticmethod
    def try_new(code: str, flags: Flags = GFP_KERNEL):
        """`ThreadError::try_new()`: `DTRWrap::arc_pin_init(...)` then `ListArc::into_arc`,
        a `DArc<ThreadError>` (may fail with AllocError, creating nothing)."""
        return arc_try_new(ThreadError(code), flags).into_arc()

    def do_work(self: "kp.Arc[DTRWrap[Self]]", thread, writer):
        writer.append(self.wrapped.code)
        return True

    def cancel(self: "kp.Arc[DTRWrap[Self]]"):
        pass

    def should_sync_wakeup(self):
        return False


@impl_list_arc_safe(id=0, untracked=True)
@impl_trait(DeliverToRead)
@struct
class DeliverCode:
    """Binder's `DeliverCode`: a return code to write to userspace, unless marked `skip`
    (the driver neutralises such an item rather than removing it from a list). It is
    `untracked`, so only `arc_try_new` (from a unique allocation) makes its ListArc:
    `ListArc::try_from_arc` on it does not compile (E0277).

    >>> import kernelptr as kp
    >>> from kernelptr import binder
    >>> heap = kp.reset()
    >>> a = binder.arc_try_new(binder.DeliverCode("BR_NOOP")).into_arc()
    >>> kp.ListArc.try_from_arc(a)
    Traceback (most recent call last):
    kernelptr.errors.TraitNotImplemented: ListArc::try_from_arc: the trait bound `DTRWrap<DeliverCode>: TryNewListArc<0>` is not satisfied...
    """

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
        yield f"{name}.return_work", value.return_work
        yield f"{name}.inner", value.inner
        yield f"{name}.work_list", value.inner._value.work_list


register_expander(_expand)
