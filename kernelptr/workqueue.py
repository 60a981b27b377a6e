"""Work items and queues: the kernel's `kernel::workqueue` (`Queue`, `WorkItem`, `Work<T, ID>`)."""

from __future__ import annotations

from . import unwind
from .arc import Arc, count_text, release
from .errors import BuildError, TraitNotImplemented, TypeMismatch
from .flags import REQUIRED, Flags
from .heap import Heap, current_heap, same_heap
from .problem import Problem
from .result import Err, Ok
from .rust import Stmt, compound, rust_type
from .struct import FieldSpec
from .traits import Trait, call_method, implements
from .traits.trait import receiver_in, register_on
from .types_ import check_id, type_name_of
from .unique import UniqueArc

__all__ = ["Queue", "system", "WorkItem", "Work", "impl_has_work", "work_items", "is_pending"]


class WorkItem(Trait):
    """A type that can run on a workqueue: the kernel's `WorkItem<const ID: u64 = 0>`.

    `run(this)` receives the pointer the queue owned (`type Pointer`, usually `Arc<Self>`;
    `UniqueArc<Self>` stands in for `Pin<KBox<Self>>`). `WorkItem[ID]` is `WorkItem<ID>`
    for types with several `Work` fields.

    >>> import kernelptr as kp
    >>> from kernelptr import workqueue as wq
    >>> wq.WorkItem[0] is wq.WorkItem, wq.WorkItem[2].__name__
    (True, 'WorkItem<2>')
    """

    _kp_id = 0
    _by_id: dict = {}

    def run(this: "kp.Pointer[Self]"): ...

    def __class_getitem__(cls, id: int):
        check_id(id, "WorkItem[ID]", fix="write WorkItem[1]")
        if id == 0:
            return WorkItem
        if id not in WorkItem._by_id:
            WorkItem._by_id[id] = type(f"WorkItem<{id}>", (WorkItem,), {"_kp_id": id})
        return WorkItem._by_id[id]


class _WorkField:
    """What reading a `Work` field shows: its ID and whether the item is PENDING."""

    __slots__ = ("_id", "_instance")

    def __init__(self, id: int, instance):
        self._id = id
        self._instance = instance

    def __repr__(self) -> str:
        obj = self._instance._kp_obj
        pending = obj is not None and is_pending(obj, self._id)
        return f"Work<{self._id}>({'PENDING' if pending else 'idle'})"


class Work(FieldSpec):
    """The `work_struct` embedded in a work item: the kernel's `Work<T, const ID: u64 = 0>`.

    Declare `work: kp.workqueue.Work[0]` in a `@kp.struct` and link it with
    `impl_has_work`. It holds the PENDING bit the queue tests.

    >>> import kernelptr as kp
    >>> kp.workqueue.Work[1], kp.workqueue.Work[1].size
    (Work<1>, 32)
    """

    size = 32
    _cache: dict = {}

    def __init__(self, id: int):
        self.id = id

    def __class_getitem__(cls, id: int):
        check_id(id, "Work[ID]", fix="write Work[0]")
        if id not in Work._cache:
            Work._cache[id] = cls(id)
        return Work._cache[id]

    def make(self, instance, name: str):
        return _WorkField(self.id, instance)

    def attach(self, obj, instance, name: str) -> None:
        obj.extra.setdefault("work_pending", {})[self.id] = False

    def __repr__(self) -> str:
        return f"Work<{self.id}>"


def impl_has_work(T=None, *, id: int = 0, field: str = "work"):
    """`impl_has_work!`: `T`'s `Work<T, id>` lives in `field` (works as a decorator too)."""
    check_id(id, "impl_has_work")

    def apply(cls):
        spec = getattr(cls, "_kp_special", {}).get(field)
        if not isinstance(spec, Work) or spec.id != id:
            raise BuildError(f"impl_has_work for `{type_name_of(cls)}`: field `{field}` is not "
                             f"a Work<{id}>",
                             rule="HasWork<T, ID> names a Work<T, ID> field of the struct",
                             rustc=f"error[E0609]: no field `{field}` of type `Work<{id}>`",
                             fix=f"declare `{field}: kp.workqueue.Work[{id}]` in a @kp.struct")
        register_on(cls, "_kp_has_work", id, field)
        return cls

    if T is None:
        return apply
    return apply(T)


def is_pending(obj, id: int = 0) -> bool:
    """Whether the PENDING bit of `obj`'s `Work<_, id>` is set."""
    return bool(obj.extra.get("work_pending", {}).get(id))


def _set_pending(obj, id: int, value: bool) -> None:
    obj.extra.setdefault("work_pending", {})[id] = value
    obj.touch()


def _queues(heap) -> list:
    if not hasattr(heap, "_kp_queues"):
        heap._kp_queues = []
    return heap._kp_queues


class _Closure:
    """The `ClosureWork` that `try_spawn` boxes: a function to call once."""

    def __init__(self, fn):
        self.fn = fn

    def __repr__(self) -> str:
        return f"ClosureWork({getattr(self.fn, '__name__', 'closure')})"


class Queue:
    """A workqueue: the kernel's `kernel::workqueue::Queue` (C `workqueue_struct`).

    `enqueue(arc)` hands one reference to the queue; a worker later clears PENDING and calls
    `WorkItem::run` with it. Queuing an item that is already pending fails and returns the
    same Arc. The model's worker is deterministic: `step()` runs one item, `run_pending()`
    runs until the queue is empty.

    >>> import kernelptr as kp
    >>> from kernelptr import workqueue as wq
    >>> heap = kp.reset()
    >>> @wq.impl_has_work(id=0, field="work")
    ... @kp.impl_trait(wq.WorkItem)
    ... @kp.struct
    ... class Job:
    ...     name: str
    ...     work: kp.workqueue.Work[0]
    ...     def run(this: "kp.Arc[Self]"):
    ...         print("running", this.name)
    >>> job = kp.Arc.new(Job("flush"), kp.GFP_KERNEL)
    >>> q = wq.system()
    >>> q.enqueue(job.clone()), q.enqueue(job.clone())
    (Ok(None), Err(Arc<Job>(@0xffff888000001000, refcount=3)))
    >>> q.run_pending()
    running flush
    1
    """

    def __init__(self, name: str = "wq"):
        self.name = name
        self._heap = current_heap()
        self._items: list = []      # (obj, id, kind) in queue order; kind: Arc, Box, Closure
        _queues(self._heap).append(self)

    def __len__(self) -> int:
        return len(self._items)

    def _work_type(self, obj, id: int, op: str) -> type:
        T = obj.type
        name = type_name_of(T)
        if not implements(T, WorkItem[id]):
            raise TraitNotImplemented(
                f"{op}: the trait bound `{name}: WorkItem<{id}>` is not satisfied",
                rule="only a type that implements WorkItem<ID> (with run) can be queued",
                rustc=f"error[E0277]: the trait bound `{name}: WorkItem<{id}>` is not satisfied",
                fix=f"@kp.impl_trait(kp.workqueue.WorkItem[{id}]) with def run(this: ...)")
        if id not in getattr(T, "_kp_has_work", {}):
            raise TraitNotImplemented(
                f"{op}: the trait bound `{name}: HasWork<{name}, {id}>` is not satisfied",
                rule="the queue needs to find the work_struct inside the item",
                rustc=f"error[E0277]: the trait bound `{name}: HasWork<{name}, {id}>` is not "
                      "satisfied",
                fix=f"add a Work[{id}] field and kp.workqueue.impl_has_work(id={id}, "
                    "field=...)")
        return T

    def enqueue(self, w, id: int = 0):
        """`Queue::enqueue(w)`: for an `Arc`, `Ok(None)` when queued (the queue owns that
        reference until `run`) or `Err(w)`, the same Arc, count unchanged, when the item is
        already pending (behaviours 68, 69, 73). A unique box (`UniqueArc`) cannot already
        be pending: returns None (behaviour 72)."""
        op = "Queue::enqueue"
        if not isinstance(w, (Arc, UniqueArc)) or w._vtable is not None:
            found = w.type_str() if isinstance(w, (Arc, UniqueArc)) else type(w).__name__
            raise TypeMismatch(f"{op}: expected `Arc<T>` or `Pin<KBox<T>>`, found `{found}`",
                               rule="RawWorkItem is implemented for Arc<T> and Pin<KBox<T>> "
                                    "of a concrete T with a Work field",
                               rustc="error[E0277]: the trait bound `RawWorkItem` is not "
                                     "satisfied",
                               fix="enqueue an Arc (or a UniqueArc for a boxed item)")
        self._heap._require_current(op)
        obj = w._check(op)
        same_heap(self, obj, op)
        T = self._work_type(obj, id, op)
        boxed = isinstance(w, UniqueArc)
        pointer = receiver_in(T, WorkItem[id], "run").pointer
        if pointer is not None and pointer != w.kind:
            raise TypeMismatch(
                f"{op}: {type_name_of(T)}::run takes `{pointer}<Self>` but a "
                f"`{w.type_str()}` was enqueued",
                rule="WorkItem::Pointer is the pointer run() receives; only that pointer "
                     "can be enqueued",
                rustc="error[E0271]: type mismatch resolving `<T as WorkItem>::Pointer`",
                fix=f"enqueue a {pointer} (or declare run(this: \"kp.{w.kind}[Self]\"))")
        call = "{}.enqueue({})" if not id else "{}.enqueue::<_, %d>({})" % id
        ty = None if boxed else f"Result<(), {rust_type(w)}>"
        if is_pending(obj, id):
            # queue_work_on returned false: Arc::from_raw gives the same Arc back.
            err = Err(w)
            self._heap.emit(op, f"{obj.type_name} @{obj.address:#x} is already PENDING on "
                            f"Work<{id}>: Err(arc) returned, refcount stays {count_text(obj)}",
                            (obj.address,), rust=Stmt(call, self, w, result=err,
                                                      must_use=True, ty=ty))
            return err
        w._consume(op)          # Arc::into_raw: the queue now owns this reference
        # INVARIANT: a pending item's queue reference is recorded as held by "queue".
        obj.hold("queue")
        _set_pending(obj, id, True)
        self._items.append((obj, id, "Box" if boxed else "Arc"))
        out = None if boxed else Ok(None)
        rust = Stmt(call, self, w) if boxed else Stmt(call, self, w, result=out, must_use=True,
                                                      ty=ty)
        self._heap.emit(op, f"{obj.type_name} @{obj.address:#x} queued on `{self.name}` "
                        f"(PENDING set); the queue owns one reference, refcount "
                        f"{count_text(obj)}", (obj.address,), rust=rust)
        return out

    def try_spawn(self, flags: Flags = REQUIRED, fn=None) -> None:
        """`Queue::try_spawn(flags, fn)`: box a closure and queue it; may fail with
        AllocError, changing nothing (behaviour 74)."""
        self._heap._check_flags(flags, "Queue::try_spawn")
        if not callable(fn):
            raise TypeMismatch(f"Queue::try_spawn: expected a closure, found "
                               f"`{type(fn).__name__}`",
                               rule="try_spawn boxes an FnOnce() + Send + 'static",
                               rustc="error[E0277]: expected a `FnOnce()` closure",
                               fix="pass a function or lambda taking no arguments")
        obj = self._heap.allocate(flags, what="Queue::try_spawn", type_name="ClosureWork",
                                  value=_Closure(fn), size=40, header=0, kind="KBox")
        obj.hold("queue")
        self._items.append((obj, 0, "Closure"))
        self._heap.emit("Queue::try_spawn", f"ClosureWork boxed at {obj.address:#x} and "
                        f"queued on `{self.name}`", (obj.address,),
                        rust=Stmt("{}.try_spawn({}, {})?", self, flags, fn))

    @compound("// a worker thread runs the oldest queued item", label="the worker")
    def step(self) -> bool:
        """Run the oldest queued item, as a worker thread would; False if there was none.

        PENDING is cleared right before `run` is called, so the item may be queued again
        while it runs (behaviour 71); `run` gets the queue's reference (behaviour 70)."""
        self._heap._require_current("Queue::step")
        if not self._items:
            return False
        obj, id, kind = self._items.pop(0)
        obj.hold("queue", -1)
        if kind == "Closure":
            self._heap.emit("worker", f"running ClosureWork @{obj.address:#x}",
                            (obj.address,), rust="// the worker calls the closure")
            try:
                obj.value.fn()
            finally:
                # INVARIANT: the box is freed even if the closure raised (unwound).
                summary = release(obj, "ClosureWork::drop")
                self._heap.emit("KBox::drop", f"ClosureWork: {summary}", (obj.address,),
                                rust="// the worker frees the closure's box")
            return True
        _set_pending(obj, id, False)
        this = UniqueArc(obj) if kind == "Box" else Arc(obj)     # Arc::from_raw
        self._heap.emit("worker", f"PENDING of Work<{id}> cleared on {obj.type_name} "
                        f"@{obj.address:#x}; calling run with the queue's reference",
                        (obj.address,), rust=f"// the worker clears PENDING and calls "
                                             f"{obj.type_name}::run with the queue's reference")
        try:
            call_method(this, WorkItem[id], "run")
        except BaseException as error:
            if this._state == "live":
                # `run` was never entered (its signature did not fit): the queue's reference
                # is dropped while unwinding, as the worker's stack frame ends.
                unwind.unwind_out_of("the worker", error, this)
            raise
        return True

    @compound("// worker threads run the queued items", label="the worker")
    def run_pending(self) -> int:
        """Run queued items in order (including ones queued meanwhile) until none is left;
        returns how many ran."""
        n = 0
        while self.step():
            n += 1
        return n

    def __repr__(self) -> str:
        return f"Queue({self.name!r}, queued={len(self._items)})"


def system() -> Queue:
    """`kernel::workqueue::system()`: the shared system workqueue of the current heap."""
    heap = current_heap()
    for q in _queues(heap):
        if q.name == "system_wq":
            return q
    return Queue("system_wq")


def work_items(queue: Queue) -> list:
    """The addresses of the queued objects, oldest first."""
    return [obj.address for obj, _, _ in queue._items]


def _check_queues(heap) -> list[Problem]:
    problems = []
    counted: dict = {}
    for q in _queues(heap):
        for obj, id, kind in q._items:
            counted[obj.address] = counted.get(obj.address, 0) + 1
            if obj.freed:
                problems.append(Problem(f"{obj!r} is queued on `{q.name}` but freed", "queue",
                                        obj.address))
            if kind != "Closure" and not is_pending(obj, id):
                problems.append(Problem(f"{obj!r} is queued on `{q.name}` for Work<{id}> but "
                                        "its PENDING bit is clear", "queue", obj.address))
    for obj in heap.objects():
        held = obj.held.get("queue", 0)
        if held != counted.get(obj.address, 0):
            problems.append(Problem(f"{obj!r}: the queues hold {counted.get(obj.address, 0)} "
                                    f"reference(s) but {held} are recorded", "queue",
                                    obj.address))
    return problems


Heap.invariant_checks.append(_check_queues)
