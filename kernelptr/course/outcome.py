"""What a program does on the model: its value, or the error it raises with its rustc code.

Prediction questions ("does this compile?", "what is the count?") run their program only
after the learner has committed to an answer; the right answer is derived from this
outcome, never written down where a learner could read it first.
"""

from __future__ import annotations

import re
import warnings

from ..errors import KernelPtrError
from ..heap import Heap
from ..record import record
from ..refcount import RefcountWarning
from .budget import Budget, BudgetExceeded

__all__ = ["Outcome", "run_program", "choice_key"]

_CODE = re.compile(r"\bE\d{4}\b")
#: Keys of outcomes, from the most specific to the least (a choice that names the error
#: beats "compiles" when both would match).
_OK_WORDS = ("compiles", "runs", "ok", "no error", "fine")


def _error_names() -> set:
    import kernelptr

    return {name for name in dir(kernelptr)
            if isinstance(getattr(kernelptr, name), type)
            and issubclass(getattr(kernelptr, name), KernelPtrError)}


def choice_key(label: str) -> str:
    """The outcome a choice's label names: a rustc code (`E0382`), an error class of the
    model (`SleepInAtomicContext`), `warns` (runs, with a kernel warning), or `ok`.

    >>> choice_key("error[E0382]: use of moved value"), choice_key("compiles and runs")
    ('E0382', 'ok')
    >>> choice_key("compiles, then BUG: SleepInAtomicContext")
    'SleepInAtomicContext'
    """
    code = _CODE.search(label)
    if code:
        return code.group(0)
    for name in sorted(_error_names(), key=len, reverse=True):
        if name in label:
            return name
    low = label.lower()
    if "warn" in low:
        return "warns"
    if any(w in low for w in _OK_WORDS):
        return "ok"
    raise ValueError(f"cannot tell which outcome {label!r} names: give (label, key) with key "
                     "'ok', 'warns', an E-code or a kp error class name")


class Outcome:
    """The result of running a program on a fresh simulated kernel (the course's own record,
    nothing in the kernel): the value it returned or the error it raised, the kernel
    warnings it printed and the recording of its steps.

    >>> import kernelptr as kp
    >>> from kernelptr.course import run_program
    >>> def moved():
    ...     a = kp.Arc.new(1, kp.GFP_KERNEL)
    ...     a.drop()
    ...     return a.clone()
    >>> out = run_program(moved)
    >>> out.key, out.matches("E0382"), out.matches("ok")
    ('E0382', True, False)
    """

    def __init__(self, value, error, recording, heap, warned: tuple):
        self.value = value
        self.error = error
        self.recording = recording
        self.heap = heap
        self.warnings = warned

    @property
    def code(self) -> str | None:
        """The rustc error code of the error raised (`E0382`), if it has one."""
        rustc = getattr(self.error, "rustc", None) or ""
        found = _CODE.search(rustc)
        return found.group(0) if found else None

    @property
    def key(self) -> str:
        """The most specific key of this outcome (see `choice_key`)."""
        if self.error is not None:
            return self.code or type(self.error).__name__
        return "warns" if self.warnings else "ok"

    def matches(self, key: str) -> bool:
        """Whether a choice with outcome key `key` describes this outcome."""
        if self.error is None:
            return key == "ok" or (key == "warns" and bool(self.warnings))
        if key == self.code:
            return True
        return any(cls.__name__ == key for cls in type(self.error).__mro__
                   if issubclass(cls, KernelPtrError) and cls is not KernelPtrError)

    def best(self, keys) -> int | None:
        """The index of the key that describes this outcome best (None if none does)."""
        order = [self.code, type(self.error).__name__ if self.error else None, "warns", "ok"]
        matching = [i for i, k in enumerate(keys) if self.matches(k)]
        if not matching:
            return None
        return min(matching, key=lambda i: order.index(keys[i]) if keys[i] in order else 1)

    @property
    def rule(self) -> str:
        """The rule the error names (empty when the program ran)."""
        return getattr(self.error, "rule", "") or ""

    def describe(self) -> str:
        """What happened, in the words the model's error uses (what, rule, rustc, fix)."""
        if self.error is None:
            ran = "it compiles and runs"
            if self.warnings:
                ran += "; the kernel log says: " + " / ".join(self.warnings)
            return ran
        if isinstance(self.error, KernelPtrError):
            return f"{type(self.error).__name__}: {self.error}"
        return f"{type(self.error).__name__}: {self.error}"

    def __repr__(self) -> str:
        return f"Outcome({self.key})"


def run_program(program, *args) -> Outcome:
    """Run `program(*args)` on a fresh heap (the learner's heap is untouched), recorded and
    on an operation budget; any error it raises is kept, not shown."""
    heap = Heap()
    value = error = None
    with heap, warnings.catch_warnings():
        warnings.simplefilter("ignore", RefcountWarning)
        with record(heap) as rec:
            try:
                with Budget():
                    value = program(*args)
            except BudgetExceeded as stop:
                error = RuntimeError(stop.hint)
            except Exception as err:
                error = err
    return Outcome(value, error, rec, heap, tuple(heap.warnings))
