"""One run of a learner's answer: recorded, on a budget, with the context of every step.

A check does not only look at what the learner's code left behind; it looks at what it did:
which operations ran, on which objects, in which lock context, and whether anything went
through `kp.unchecked` (the model of raw `unsafe` code).
"""

from __future__ import annotations

import collections

from ..errors import KernelPtrError
from ..heap import current_heap
from ..record import record
from .budget import Budget, BudgetExceeded

__all__ = ["Attempt", "attempt", "hint_for", "starter", "Hint", "UNSAFE_OPS"]

#: Steps that model an `unsafe fn` (raw pointers, `kp.unchecked`): the compiler cannot check
#: them, so no exercise accepts them unless it says so.
UNSAFE_OPS = ("Arc::from_raw", "Arc::from_foreign", "ListArc::from_raw",
              "ForeignOwnable::borrow")
UNSAFE_HINT = ("this exercise needs no `unsafe`: `{op}` models an unsafe fn (a raw pointer or "
               "kp.unchecked), whose safety rustc cannot check. Use the safe API.")


class Hint(Exception):
    """Raised by a check when an answer is recognisably wrong; its text is the hint.

    `at` is the event of the first wrong step (highlighted in the picture of the learner's
    run), `run` the `Attempt` it belongs to (default: the check's latest run). A check that
    shows another picture passes `recording` (and `index`, the frame to open at), or
    `recording=False` for none at all.
    """

    def __init__(self, text: str, *, at=None, run: "Attempt | None" = None, recording=None,
                 index: int | None = None):
        super().__init__(text)
        self.text = text
        self.at = at
        self.run = run
        self.recording = recording
        self.index = index
        self.level = 0          # set by `escalate`: 1 rule, 2 pointer, 3 answer


def _empty():
    ...


def starter(fn) -> bool:
    """Whether `fn` is still the notebook's starter (`...`, or a body that is only `...`)."""
    if fn is None or fn is Ellipsis:
        return True
    code = getattr(fn, "__code__", None)
    return code is not None and code.co_code == _empty.__code__.co_code and \
        code.co_consts[:1] in ((None,), (Ellipsis,), ())


class Attempt:
    """The recording of one call of the learner's code and the context of each step (the
    course's own record, nothing in the kernel).

    >>> import kernelptr as kp
    >>> from kernelptr.course.attempt import attempt
    >>> heap = kp.reset(); lock = kp.SpinLock(None, "l")
    >>> def answer(lock):
    ...     a = kp.Arc.new(1, kp.GFP_KERNEL)
    ...     with lock.lock():
    ...         a.drop()
    >>> run = attempt(answer, lock)
    >>> run.ops()
    ['Arc::new', 'SpinLock::lock', 'Arc::drop', 'SpinLock::unlock']
    >>> [run.locks(e) for e in run.events("Arc::new", "Arc::drop")]
    [(), ('l',)]
    """

    def __init__(self, heap, recording, budget: Budget, contexts: dict):
        self.heap = heap
        self.recording = recording
        self.budget = budget
        self._contexts = contexts
        self.result = None
        self.error: BaseException | None = None

    # -- what ran ----------------------------------------------------------------------------
    def events(self, *ops: str) -> list:
        """The recorded events, or only those whose op is one of `ops`."""
        events = [f.event for f in self.recording.frames]
        return [e for e in events if e.op in ops] if ops else events

    def ops(self) -> list:
        return [e.op for e in self.events()]

    def first(self, *ops: str):
        """The first event with one of `ops`, or None."""
        found = self.events(*ops)
        return found[0] if found else None

    def touching(self, address: int, *ops: str) -> list:
        """The events (optionally only `ops`) that touched the object at `address`."""
        return [e for e in self.events(*ops) if address in e.addresses]

    def unsafe(self) -> list:
        """The steps that model `unsafe` code: `kp.unchecked` (no ListArc) and the raw-pointer
        `unsafe fn`s (`Arc::from_raw`, ...)."""
        return [e for e in self.events() if e.op.startswith("unchecked::") or e.op in UNSAFE_OPS]

    def called(self, name: str) -> int:
        """How many times the learner's code itself called `Type::method` of the model
        (calls that record no event, such as `Cursor::peek_next`, count too)."""
        return self.budget.calls[name]

    # -- in which context ----------------------------------------------------------------------
    def locks(self, event) -> tuple:
        """The spinlocks held right after `event` (names)."""
        return self._contexts.get(event.step, ())

    def atomic(self, event) -> bool:
        """Whether `event` happened in atomic context (a spinlock held)."""
        return bool(self.locks(event))

    def index(self, event) -> int | None:
        """The frame of `event` in the recording (None if it was not recorded)."""
        for i, frame in enumerate(self.recording.frames):
            if frame.event.step == event.step:
                return i
        return None

    def __repr__(self) -> str:
        return f"Attempt({len(self.recording.frames)} steps)"


def hint_for(run: Attempt, hints: dict | None = None) -> Hint:
    """The hint for the error `run` ended with (`hints` maps error classes to hints)."""
    if isinstance(run.error, BudgetExceeded):
        return Hint(run.error.hint, run=run)
    return Hint(_explain(run.error, hints or {}), run=run)


def _explain(err: BaseException, hints: dict) -> str:
    for cls, text in hints.items():
        if isinstance(err, cls):
            return text
    if isinstance(err, KernelPtrError):
        fix = f" Fix: {err.fix}" if err.fix else ""
        return f"your code raised {type(err).__name__}: {err.what}.{fix}".replace("..", ".")
    return f"your code raised {type(err).__name__}: {err}"


def attempt(fn, *args, hints: dict | None = None, raises: bool = True,
            budget: Budget | None = None, unsafe: str | None = UNSAFE_HINT) -> Attempt:
    """Call the learner's `fn(*args)` on the current heap, recorded, under an operation
    budget, and return the `Attempt`.

    A loop that runs past the budget, a step that models `unsafe` code (the `unsafe` hint,
    `{op}` filled in; `unsafe=None` accepts them), or an error the learner's code raises
    becomes a `Hint` carrying this attempt (its picture opens at that step); `hints` maps an
    error class to the hint to give for it. With `raises=False` the error is kept in
    `attempt.error` instead.
    """
    if starter(fn):
        raise NotImplementedError
    if not callable(fn):
        raise Hint(f"expected a function or class, got {fn!r}.")
    heap = current_heap()
    contexts: dict = {}

    def on_event(event) -> None:
        held = tuple(lock.name for lock in heap._locks_held)
        if held:
            contexts[event.step] = held

    budget = budget if budget is not None else Budget()
    run = None
    with record(heap) as rec:
        unsubscribe = heap.subscribe(on_event)
        run = Attempt(heap, rec, budget, contexts)
        try:
            with budget:
                run.result = fn(*args)
        except BudgetExceeded as stop:
            run.error = stop
        except Exception as err:       # the learner's code: explained, not a traceback
            run.error = err
        finally:
            unsubscribe()
    _register(run)
    if isinstance(run.error, NotImplementedError):
        raise NotImplementedError           # the starter's `raise NotImplementedError`
    if isinstance(run.error, BudgetExceeded):
        raise hint_for(run, hints)
    if unsafe and run.unsafe():
        first = run.unsafe()[0]
        raise Hint(unsafe.format(op=first.op), at=first, run=run)
    if run.error is not None and raises:
        raise hint_for(run, hints)
    return run


#: The runs of the check in progress (the runner reads them to draw the failing one).
_runs: collections.deque = collections.deque(maxlen=16)


def _register(run: Attempt) -> None:
    _runs.append(run)


def latest_run() -> Attempt | None:
    """The latest run of the check in progress."""
    return _runs[-1] if _runs else None


def forget_runs() -> None:
    _runs.clear()
