"""An operation budget for a learner's code: a loop that never ends is stopped with a hint.

The course's own tool (nothing in the kernel): while a check runs the learner's code,
`Budget` counts the lines that code executes, the calls it makes into the model
(`Cursor::peek_next`, `List::push_back`, ...) and the model operations that run. When a count
passes its limit the code is stopped by `BudgetExceeded`, whose text names the step that
repeats and what never happened (`your loop called Cursor::peek_next 10,000 times without
Cursor::move_next`).
"""

from __future__ import annotations

import collections
import linecache
import os
import sys
import sysconfig

from ..events import _MODEL_DIRS       # the model's and the views' folders: never the learner's

__all__ = ["Budget", "BudgetExceeded", "PROGRESS"]

#: The standard library and installed packages: neither the learner's nor the model's.
_LIBRARY_DIRS = tuple(sorted({os.path.normpath(p) + os.sep for p in (
    sysconfig.get_paths().get("stdlib", ""), sysconfig.get_paths().get("platstdlib", ""),
    sysconfig.get_paths().get("purelib", ""), sysconfig.get_paths().get("platlib", ""),
    sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.__file__),
    *(p for p in sys.path if p.endswith(".zip"))) if p and p != os.sep}))  # Pyodide: zipped

#: For a model call that a loop repeats, the calls that would make the loop progress.
PROGRESS = {
    "Cursor::peek_next": ("Cursor::move_next", "CursorPeek::remove", "Cursor::remove_next"),
    "Cursor::peek_prev": ("Cursor::move_prev", "CursorPeek::remove", "Cursor::remove_prev"),
    "List::is_empty": ("List::pop_front", "List::pop_back", "List::remove"),
    "List::first": ("List::pop_front", "List::remove"),
}

_WINDOW = 200       # the calls looked at to name what repeats


class BudgetExceeded(BaseException):
    """The learner's code ran past its budget (a `BaseException`, so that a learner's
    `except Exception:` cannot swallow it and loop on)."""

    def __init__(self, hint: str):
        super().__init__(hint)
        self.hint = hint


def _kind(code) -> str:
    """`model`, `learner` or `library` for a code object (cached by the caller)."""
    path = code.co_filename
    if not os.path.isabs(path):
        # a doctest, an IPython cell, exec'd text; but `<string>` is also where dataclasses
        # and namedtuples compile their methods, and `<frozen ...>` is the import system.
        return "library" if path.startswith(("<string>", "<frozen")) else "learner"
    path = os.path.normpath(path)
    if path.startswith(_MODEL_DIRS):
        return "model"
    if path.startswith(_LIBRARY_DIRS):
        return "library"
    return "learner"


def _call_name(frame) -> str:
    """`Type::method` for a model function entered from the learner's code."""
    code = frame.f_code
    name = code.co_name
    if code.co_argcount and code.co_varnames[0] in ("self", "cls"):
        first = frame.f_locals.get(code.co_varnames[0])
        owner = first if isinstance(first, type) else type(first)
        return f"{owner.__name__}::{name}"
    module = frame.f_globals.get("__name__", "").rsplit(".", 1)[-1]
    return f"{module}::{name}"


class Budget:
    """Run code with limits: `max_calls` calls from the learner's code into the model,
    `max_events` model operations (each one recorded: the costly kind) and `max_lines` lines
    of the learner's own code (the course's tool, nothing in the kernel).

    >>> import kernelptr as kp
    >>> from kernelptr.course.budget import Budget, BudgetExceeded
    >>> from kernelptr.list.example import Job, queue
    >>> heap = kp.reset(); q = queue(2)
    >>> def stuck(q):
    ...     cursor = q.cursor_front()
    ...     while cursor.peek_next() is not None:
    ...         pass                              # forgot cursor.move_next()
    >>> try:
    ...     with Budget(max_calls=500):
    ...         stuck(q)
    ... except BudgetExceeded as stop:
    ...     print(stop.hint)
    your loop called `Cursor::peek_next` 500 times without `Cursor::move_next` or `CursorPeek::remove`: nothing moves the cursor, so `peek_next()` returns the same item for ever and the loop never ends.
    """

    def __init__(self, *, max_calls: int = 10_000, max_events: int = 500,
                 max_lines: int = 50_000):
        self.max_calls = max_calls
        self.max_events = max_events
        self.max_lines = max_lines
        self.events: collections.Counter = collections.Counter()
        self.recent_events: collections.deque = collections.deque(maxlen=_WINDOW)
        self.n_events = 0
        self._unsubscribe = None
        self.calls: collections.Counter = collections.Counter()
        self.lines: collections.Counter = collections.Counter()
        self.recent: collections.deque = collections.deque(maxlen=_WINDOW)
        self.n_calls = 0
        self.n_lines = 0
        self._kinds: dict = {}
        self._previous = None

    # -- the trace functions ---------------------------------------------------------------
    def _classify(self, code) -> str:
        kind = self._kinds.get(code)
        if kind is None:
            kind = self._kinds[code] = _kind(code)
        return kind

    def _on_event(self, event) -> None:
        self.n_events += 1
        self.events[event.op] += 1
        self.recent_events.append(event.op)

    def _on_call(self, frame, event, arg):
        kind = self._classify(frame.f_code)
        if kind == "learner":
            if self.n_events > self.max_events:
                raise BudgetExceeded(self._event_hint())
            return self._on_line
        if kind == "model":
            caller = frame.f_back
            if caller is not None and self._classify(caller.f_code) == "learner":
                name = _call_name(frame)
                if name.rsplit("::", 1)[-1].startswith("__"):
                    return None         # reading a field (`peek.prio`): not a step
                self.calls[name] += 1
                self.recent.append(name)
                self.n_calls += 1
                if self.n_calls > self.max_calls:
                    raise BudgetExceeded(self._loop_hint())
        return None

    def _on_line(self, frame, event, arg):
        if event == "line":
            if self.n_events > self.max_events:   # checked back in the learner's code
                raise BudgetExceeded(self._event_hint())
            self.n_lines += 1
            self.lines[(frame.f_code.co_filename, frame.f_lineno)] += 1
            if self.n_lines > self.max_lines:
                raise BudgetExceeded(self._line_hint())
        return self._on_line

    # -- hints -----------------------------------------------------------------------------
    def _loop_hint(self) -> str:
        window = collections.Counter(self.recent)
        repeated, _ = window.most_common(1)[0]
        total = self.calls[repeated]
        progress = PROGRESS.get(repeated)
        if progress:
            missing = [p for p in progress[:2] if p not in window]
            if len(missing) == 2 or (missing and progress[0] in missing):
                what = " or ".join(f"`{p}`" for p in progress[:2])
                method = repeated.split("::")[1]
                subject = "cursor" if repeated.startswith("Cursor") else "list"
                return (f"your loop called `{repeated}` {total:,} times without {what}: "
                        f"nothing moves the {subject}, so `{method}()` returns the same item "
                        "for ever and the loop never ends.")
        others = ", ".join(f"`{n}`" for n, _ in window.most_common(4)[1:])
        tail = f" (with {others})" if others else ""
        return (f"your code called `{repeated}` {total:,} times{tail} and was stopped: the "
                "same steps repeat, so a loop never ends. Check that each pass changes what "
                "the loop's condition tests.")

    def _event_hint(self) -> str:
        window = collections.Counter(self.recent_events)
        repeated, _ = window.most_common(1)[0]
        others = ", ".join(f"`{n}`" for n, _ in window.most_common(4)[1:])
        tail = f" (with {others})" if others else ""
        return (f"your code ran `{repeated}` {self.events[repeated]:,} times{tail}, "
                f"{self.n_events:,} steps in all, and was stopped: far more than this exercise "
                "needs, so a loop never ends? Check that each pass changes what the loop's "
                "condition tests.")

    def _line_hint(self) -> str:
        (path, line), count = self.lines.most_common(1)[0]
        text = linecache.getline(path, line).strip()
        code = f" (`{text}`)" if text else ""
        return (f"your code ran line {line}{code} {count:,} times and was stopped: a loop that "
                "never ends? Check that each pass changes what the loop's condition tests.")

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> "Budget":
        from ..heap import current_heap

        self._unsubscribe = current_heap().subscribe(self._on_event)
        self._previous = sys.gettrace()
        sys.settrace(self._on_call)
        return self

    def __exit__(self, *exc) -> None:
        sys.settrace(self._previous)
        self._unsubscribe()
