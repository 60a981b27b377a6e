"""The error hierarchy: every misuse of the model raises a `KernelPtrError` subclass.

Each message says what happened, which kernel rule it breaks, the rustc error that the same
mistake produces in Rust (where there is one) and how to fix it. A failed operation changes
nothing, so `heap.check()` still passes after any of these is raised.
"""

from __future__ import annotations

__all__ = [
    "KernelPtrError",
    "AllocError",
    "SleepInAtomicContext",
    "UseAfterMove",
    "UseAfterFree",
    "BorrowError",
    "MutabilityError",
    "UndefinedBehavior",
    "InvariantViolation",
    "TypeMismatch",
    "NotClone",
    "TraitNotImplemented",
    "ReceiverMismatch",
    "BuildError",
    "Deadlock",
    "Abort",
    "NotDynCompatible",
]


class KernelPtrError(Exception):
    """Base of every error the model raises: a kernel rule was broken.

    >>> str(KernelPtrError("x happened", rule="never do x", fix="do y"))
    'x happened\\n  rule: never do x\\n  fix:  do y'
    """

    def __init__(self, what: str, *, rule: str = "", fix: str = "", rustc: str | None = None):
        self.what = what
        self.rule = rule
        self.fix = fix
        self.rustc = rustc
        super().__init__(self._compose())

    def _compose(self) -> str:
        lines = [self.what]
        if self.rule:
            lines.append(f"  rule: {self.rule}")
        if self.rustc:
            lines.append(f"  rustc: {self.rustc}")
        if self.fix:
            lines.append(f"  fix:  {self.fix}")
        return "\n".join(lines)


class AllocError(KernelPtrError):
    """The allocator returned NULL: models `kernel::alloc::AllocError` (ENOMEM)."""


class SleepInAtomicContext(KernelPtrError):
    """A sleeping allocation (`GFP_KERNEL`) was attempted while a spinlock is held."""


class UseAfterMove(KernelPtrError):
    """A handle was used after a by-value method consumed it (rustc E0382)."""


class UseAfterFree(KernelPtrError):
    """An object was reached after its last reference was dropped and it was freed."""


class BorrowError(KernelPtrError):
    """A borrow outlived what it borrowed from, or aliased a mutable borrow (E0505, E0499)."""


class MutabilityError(KernelPtrError):
    """An assignment through a shared pointer that has no `DerefMut` (E0594, E0596)."""


class UndefinedBehavior(KernelPtrError):
    """Something that is undefined behaviour in the kernel; the model refuses and explains."""


class InvariantViolation(KernelPtrError):
    """`heap.check()` found a broken invariant of the model (DESIGN 2.6)."""


class TypeMismatch(KernelPtrError):
    """A value of the wrong type or ID was passed (rustc E0308 mismatched types)."""


class NotClone(KernelPtrError):
    """`clone()` on a type that does not implement `Clone` (rustc E0599)."""


class TraitNotImplemented(KernelPtrError):
    """A method needs a trait the type does not implement (rustc E0277)."""


class ReceiverMismatch(KernelPtrError):
    """A method was called through a handle that is not the receiver it declares."""


class BuildError(KernelPtrError):
    """What `build_assert!` or the type checker rejects before the code ever runs."""


class Deadlock(KernelPtrError):
    """A spinlock was taken again by the context that already holds it."""


class Abort(KernelPtrError):
    """Userspace `std::sync::Arc` aborted the process: no code can recover from this in Rust."""


class NotDynCompatible(KernelPtrError):
    """A trait or pointer type cannot be used for dynamic dispatch (rustc E0038)."""
