"""Stop pressed at every line: deliver a SIGINT while each model line is about to run.

`interrupt_points(scenario)` runs one representative operation once per line the model
executes for it (or for an even spread of them, see `MOST`); on run k the k-th model line is
interrupted the way CPython interrupts a program: the current Python-level SIGINT handler is
called with that frame (with Python's default handler that raises `KeyboardInterrupt` right
there). After each run the heap must pass `heap.check()` and be either untouched or exactly
as after an uninterrupted run.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import warnings
from dataclasses import dataclass

import kernelptr as kp
from kernelptr import workqueue as wq
from _list_types import Job as Item     # tracked for IDs 0 and 1
from kernelptr.list.example import Job, queue

_MODEL = os.path.dirname(kp.__file__) + os.sep


# -- item types used by the scenarios ---------------------------------------------------
@kp.struct
class Node:
    n: int
    next: object = None


class Shape(kp.Trait):
    def area(self: "kp.ArcBorrow[Self]"): ...

    def consume(self: "kp.Arc[Self]"): ...


@kp.impl_trait(Shape)
@kp.struct
class Square:
    side: int

    def area(self: "kp.ArcBorrow[Self]"):
        return self.side * self.side

    def consume(self: "kp.Arc[Self]"):
        return self.side


class Deliver(kp.Trait):
    def deliver(self: "kp.ListArc[Wrapper[Self]]"): ...


@kp.impl_dyn_list_item(Deliver, id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Wrapper:
    links: kp.ListLinksSelfPtr[0]
    wrapped: kp.Unsized


@kp.impl_trait(Deliver)
@kp.struct
class Ping:
    n: int

    def deliver(self: "kp.ListArc[Wrapper[Self]]"):
        return self.wrapped.n


@wq.impl_has_work(id=0, field="work")
@kp.impl_trait(wq.WorkItem)
@kp.struct
class Task:
    n: int
    work: wq.Work[0]

    def run(this: "kp.Arc[Self]"):
        return this.n


def _cursor_after_first(*ns):
    q = queue(*ns)
    c = q.cursor_front()
    c.move_next()
    return q, c


def chain(depth: int):
    """`head = Arc::new(Node { n, next: head })`, `depth` times."""
    head = None
    for n in range(depth):
        head = kp.Arc.new(Node(n, head), kp.GFP_KERNEL)
    return head


#: name -> (setup() -> state tuple, operation(state) -> result). Setups run unobserved.
SCENARIOS = {
    "Arc::new": (lambda: (), lambda s: kp.Arc.new(Node(1), kp.GFP_KERNEL)),
    "struct literal moving an Arc in": (lambda: (kp.Arc.new(1, kp.GFP_KERNEL),),
                                        lambda s: Node(1, s[0])),
    "Arc::new of a value holding an Arc": (
        lambda: (Node(1, kp.Arc.new(1, kp.GFP_KERNEL)),),
        lambda s: kp.Arc.new(s[0], kp.GFP_KERNEL)),
    "Arc::clone": (lambda: (kp.Arc.new(1, kp.GFP_KERNEL),), lambda s: s[0].clone()),
    "Arc::drop (last reference)": (lambda: (kp.Arc.new(Node(1), kp.GFP_KERNEL),),
                                   lambda s: s[0].drop()),
    "Arc::drop (cascade of 3)": (lambda: (chain(3),), lambda s: s[0].drop()),
    "Arc::as_arc_borrow + clone_arc": (lambda: (kp.Arc.new(1, kp.GFP_KERNEL),),
                                       lambda s: s[0].as_arc_borrow().clone_arc()),
    "Arc::into_raw": (lambda: (kp.Arc.new(1, kp.GFP_KERNEL),), lambda s: s[0].into_raw()),
    "UniqueArc::new_uninit + write": (
        lambda: (kp.UniqueArc.new_uninit(kp.GFP_KERNEL),), lambda s: s[0].write(Node(2))),
    "Arc::from_unique": (lambda: (kp.UniqueArc.new(Node(1), kp.GFP_KERNEL),),
                         lambda s: kp.Arc.from_unique(s[0])),
    "ListArc::from_unique": (lambda: (kp.UniqueArc.new(Item(1), kp.GFP_KERNEL),),
                             lambda s: kp.ListArc.from_unique(s[0])),
    "ListArc::pair_from_unique": (lambda: (kp.UniqueArc.new(Item(1), kp.GFP_KERNEL),),
                                  lambda s: kp.ListArc.pair_from_unique(s[0])),
    "ListArc::into_arc": (lambda: (kp.ListArc.new(Item(1), kp.GFP_KERNEL),),
                          lambda s: s[0].into_arc()),
    "ListArc::try_from_arc": (lambda: (kp.Arc.new(Item(1), kp.GFP_KERNEL),),
                              lambda s: kp.ListArc.try_from_arc(s[0])),
    "ListArc::drop": (lambda: (kp.ListArc.new(Item(1), kp.GFP_KERNEL),),
                      lambda s: s[0].drop()),
    "List::push_back": (lambda: (queue(1, 2), kp.ListArc.new(Job(3), kp.GFP_KERNEL)),
                        lambda s: s[0].push_back(s[1])),
    "List::push_front": (lambda: (queue(1), kp.ListArc.new(Job(3), kp.GFP_KERNEL)),
                         lambda s: s[0].push_front(s[1])),
    "List::pop_front": (lambda: (queue(1, 2, 3),), lambda s: s[0].pop_front()),
    "List::pop_back": (lambda: (queue(1, 2),), lambda s: s[0].pop_back()),
    "List::remove": (lambda: (queue(1, 2, 3),),
                     lambda s: s[0].remove(list(s[0])[1])),
    "List::push_all_back": (lambda: (queue(1, 2), queue(3, 4)),
                            lambda s: s[0].push_all_back(s[1])),
    "List::drop": (lambda: (queue(1, 2),), lambda s: s[0].drop()),
    "List::cursor_front + move_next": (lambda: (queue(1, 2),),
                                       lambda s: s[0].cursor_front().move_next()),
    "Cursor::insert_prev": (lambda: (*_cursor_after_first(1, 3),
                                     kp.ListArc.new(Job(2), kp.GFP_KERNEL)),
                            lambda s: s[1].insert_prev(s[2])),
    "CursorPeek::remove": (lambda: _cursor_after_first(1, 2, 3),
                           lambda s: s[1].peek_next().remove()),
    "into_dyn + dispatch (&self)": (lambda: (kp.Arc.new(Square(3), kp.GFP_KERNEL),),
                                    lambda s: s[0].into_dyn(Shape).as_arc_borrow().area()),
    "dispatch consuming self: Arc<Self>": (
        lambda: (kp.Arc.new(Square(3), kp.GFP_KERNEL).into_dyn(Shape),),
        lambda s: s[0].consume()),
    "List<Wrapper<dyn Trait>>::push_back (coercion)": (
        lambda: (kp.List(Wrapper[Deliver]), kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL)),
        lambda s: s[0].push_back(s[1])),
    "Queue::enqueue": (lambda: (wq.Queue("q"), kp.Arc.new(Task(1), kp.GFP_KERNEL)),
                       lambda s: s[0].enqueue(s[1])),
    "Queue::step (run)": (
        lambda: (_enqueued(),), lambda s: s[0].step()),
    "SpinLock::lock + Guard::drop": (lambda: (kp.SpinLock(None, "l"),),
                                     lambda s: s[0].lock().drop()),
}


def _enqueued():
    q = wq.Queue("q")
    q.enqueue(kp.Arc.new(Task(1), kp.GFP_KERNEL))
    return q


# -- fingerprints ------------------------------------------------------------------------
def _a(o):
    return None if o is None else o.address


def fingerprint(heap) -> tuple:
    """Everything `heap.check()` reasons about, without step numbers or events."""
    objs = tuple(
        (o.address, o.refcount.read(), o.freed, o.forgotten, tuple(sorted(o.held.items())),
         tuple((i, _a(p), _a(n)) for i, (p, n) in sorted(o.links.items())),
         tuple(sorted(o.trackers.items())), tuple(sorted(o.self_ptrs.items())),
         tuple((i, type(h).__name__) for i, h in sorted(o.listarc.items())),
         o.unique, o.uninit, repr(o.extra.get("work_pending")))
        for o in heap.objects(include_freed=True))
    handles = tuple((h._serial, h.kind, h._state, h.address, h._id) for h in heap.handles())
    lists = tuple((_a(lst._first), lst._state, tuple(o.address for o in lst._items()))
                  for lst in heap.lists)
    queues = tuple(tuple((o.address, i, k) for o, i, k in q._items)
                   for q in getattr(heap, "_kp_queues", ()))
    return objs, handles, lists, queues, tuple(lock.name for lock in heap._locks_held)


# -- running -----------------------------------------------------------------------------
class _Stop:
    """A trace function that counts model lines and interrupts the k-th one."""

    def __init__(self, k: int):
        self.k = k
        self.seen = 0

    def __call__(self, frame, event, arg):
        if not frame.f_code.co_filename.startswith(_MODEL):
            return None
        return self._line

    def _line(self, frame, event, arg):
        if event == "line":
            self.seen += 1
            if self.seen == self.k:
                handler = signal.getsignal(signal.SIGINT)
                if callable(handler):
                    handler(signal.SIGINT, frame)
        return self._line


def _settle():
    """Learner code after the operation: a stop the model deferred is delivered here."""
    return None


@dataclass
class Outcome:
    k: int
    interrupted: bool
    problems: list
    state: str          # "untouched", "done" or "neither"

    @property
    def inconsistent(self) -> bool:
        return bool(self.problems) or self.state == "neither"


def _run(setup, op, k: int | None):
    with kp.Heap() as heap, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        state = setup()
        gc.collect(1)     # the young generations hold what the run made
        before = fingerprint(heap)
        stop = _Stop(k or 0)
        interrupted, result = False, None
        gc.disable()        # the garbage collector's finalizers run at no fixed line
        try:
            sys.settrace(stop)
            try:
                result = op(state)
            finally:
                sys.settrace(None)
            _settle()
        except KeyboardInterrupt:
            interrupted = True
        finally:
            sys.settrace(None)      # also when the Stop was raised at the line above
            sys.setprofile(None)
            gc.enable()
        gc.collect(1)     # the young generations hold what the run made
        after = fingerprint(heap)
        problems = heap.problems()
        del result, state
        return heap, before, after, problems, interrupted, stop.seen


#: KP_INTERRUPT_POINTS=0 interrupts every line; otherwise at most this many lines per
#: operation, spread evenly from the first to the last (the default keeps the suite fast).
MOST = int(os.environ.get("KP_INTERRUPT_POINTS", "150"))


def interrupt_points(name: str) -> list[Outcome]:
    """Interrupt the scenario's operation at each of its model lines in turn (or at `MOST`
    of them, evenly spread, first and last included; 0 means every line)."""
    setup, op = SCENARIOS[name]
    _run(setup, op, None)        # warm the caches a first run fills
    _, untouched, done, problems, _, n = _run(setup, op, None)
    assert not problems, problems
    points = range(1, n + 1) if not MOST or n <= MOST else \
        sorted({1 + round(i * (n - 1) / (MOST - 1)) for i in range(MOST)})
    outcomes = []
    for k in points:
        _, before, after, problems, interrupted, _ = _run(setup, op, k)
        assert before == untouched
        state = "untouched" if after == untouched else "done" if after == done else "neither"
        outcomes.append(Outcome(k, interrupted, problems, state))
    return outcomes


def run_interrupted(op, k: int):
    """Run `op()` with a Stop delivered at its k-th model line (if it gets that far);
    returns (result, whether KeyboardInterrupt was raised, lines seen). The tracer that was
    installed before (a coverage tool, hypothesis) is put back."""
    stop, previous, result = _Stop(k), sys.gettrace(), None
    try:
        sys.settrace(stop)
        try:
            result = op()
        finally:
            sys.settrace(previous)
        _settle()
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    finally:
        sys.settrace(previous)      # also when the Stop was raised at the line above
        sys.setprofile(None)
    return result, interrupted, stop.seen
