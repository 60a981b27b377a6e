"""Demonstrating a mistake: run code that must break a kernel rule, show the error, go on.

A cell that teaches a misuse (cloning a `ListArc`, allocating with `GFP_KERNEL` under a
spinlock) must not stop "Run All". `with kp.expect_error(kp.NotClone):` runs its block,
prints the `KernelPtrError` it raises (what happened, the rule, the rustc error, the fix) and
lets the notebook continue. It fails loudly when the lesson does not happen: no error at all
(`ExpectedErrorMissing`), or an error of another kind (that error propagates unchanged).
This is the model's counterpart of a rustdoc `compile_fail` example: the code is shown so
that its refusal can be read.
"""

from __future__ import annotations

from .errors import InvariantViolation, KernelPtrError
from .heap import current_heap

__all__ = ["expect_error", "ExpectedErrorMissing"]


class ExpectedErrorMissing(AssertionError):
    """The block of a `kp.expect_error(...)` ran without the error it was meant to show, like
    a rustdoc `compile_fail` example that compiles.

    Not a `KernelPtrError`: the learner's code broke no rule, so the demonstration (or the
    learner's edit of it) no longer shows what the cell says it shows.

    >>> import kernelptr as kp
    >>> issubclass(kp.ExpectedErrorMissing, kp.KernelPtrError)
    False
    """


class expect_error:
    """Run a block that must raise one of `errors`; print that error and continue.

    It models how Rust documentation shows a mistake: a `compile_fail` example (rustc
    refuses the code) or a `#[should_panic]` test. The error must also leave the heap as it
    was: a refused operation changes nothing, so if the heap's broken invariants differ
    after the error, `InvariantViolation` is raised.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> a.drop()
    >>> with kp.expect_error(kp.UseAfterMove) as caught:
    ...     a.clone()     # doctest: +ELLIPSIS
    UseAfterMove (expected): use of dropped value: ...
      rule: a method that takes `self` by value consumes the handle; ...
      rustc: error[E0382]: borrow of moved value
      fix:  ...
    >>> type(caught.error).__name__
    'UseAfterMove'
    >>> with kp.expect_error(kp.UseAfterMove):
    ...     b = kp.Arc.new(2, kp.GFP_KERNEL)
    Traceback (most recent call last):
    kernelptr.expect.ExpectedErrorMissing: this block was meant to show UseAfterMove, but it ran without any error...
    """

    def __init__(self, *errors: type):
        if not errors:
            errors = (KernelPtrError,)
        for err in errors:
            if not (isinstance(err, type) and issubclass(err, KernelPtrError)):
                from .errors import TypeMismatch

                raise TypeMismatch(
                    f"kp.expect_error({err!r}): expected an error class such as kp.NotClone",
                    rule="expect_error shows one of the model's errors (a KernelPtrError "
                         "subclass)",
                    fix="kp.expect_error(kp.UseAfterMove), or several: "
                        "kp.expect_error(kp.UseAfterMove, kp.BorrowError)")
        self.errors = errors
        self.error: KernelPtrError | None = None
        self._heap = None
        self._before: list[str] = []

    def __enter__(self) -> "expect_error":
        self._heap = current_heap()
        self._before = self._heap.problems()
        return self

    def __exit__(self, etype, value, tb) -> bool:
        names = " or ".join(e.__name__ for e in self.errors)
        if etype is None:
            raise ExpectedErrorMissing(
                f"this block was meant to show {names}, but it ran without any error; "
                "the rule it demonstrates was not broken (was the code changed?)")
        if not issubclass(etype, self.errors):
            return False        # another error: let it show as it is
        self.error = value
        # INVARIANT: a refused operation changes nothing (DESIGN 4).
        after = self._heap.problems()
        if after != self._before:
            new = [p for p in after if p not in self._before]
            raise InvariantViolation(
                f"{etype.__name__} was raised, but the failed operation changed the heap:\n  - "
                + "\n  - ".join(new or after),
                rule="a refused operation changes nothing",
                fix="this is a bug in the model: please report it with the cell that "
                    "shows it") from value
        print(f"{etype.__name__} (expected): {value}")
        return True

    def __repr__(self) -> str:
        names = ", ".join(e.__name__ for e in self.errors)
        return f"expect_error({names})"
