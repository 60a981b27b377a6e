"""The error hierarchy: every misuse of the model raises a `KernelPtrError` subclass.

Each message says what happened, which kernel rule it breaks, the rustc error that the same
mistake produces in Rust (where there is one) and how to fix it. A failed operation changes
nothing, so `heap.check()` still passes after any of these is raised.
"""

from __future__ import annotations

__all__ = [
    "KernelPtrError",
    "NoSuchField",
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
    """Base of every error the model raises: a kernel rule was broken (what `rustc`, the
    kernel's `WARN`/`BUG` checks or an `unsafe` contract would catch).

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


class NoSuchField(KernelPtrError, AttributeError):
    """A field or method the pointer type and its pointee do not have: rustc's
    `error[E0609]` / `error[E0599]`. Also an AttributeError, so `hasattr` answers False.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); u = kp.UniqueArc.new(1, kp.GFP_KERNEL)
    >>> u.as_arc_borrow()
    Traceback (most recent call last):
    kernelptr.errors.NoSuchField: no method or field `as_arc_borrow` on `UniqueArc<i64>`...
    """


class AllocError(KernelPtrError):
    """The allocator returned NULL: models `kernel::alloc::AllocError` (C `-ENOMEM`).

    >>> import kernelptr as kp
    >>> heap = kp.reset(); heap.fail_next_allocs()
    >>> kp.Arc.new(1, kp.GFP_KERNEL)
    Traceback (most recent call last):
    kernelptr.errors.AllocError: Arc::new: allocation with GFP_KERNEL failed (injected failure)...
    """


class SleepInAtomicContext(KernelPtrError):
    """A sleeping allocation while a spinlock is held: the kernel's "BUG: sleeping function
    called from invalid context" (`might_sleep()` in atomic context).

    >>> import kernelptr as kp
    >>> heap = kp.reset(); lock = kp.SpinLock(None, "l")
    >>> with lock.lock():
    ...     kp.Arc.new(1, kp.GFP_KERNEL)
    Traceback (most recent call last):
    kernelptr.errors.SleepInAtomicContext: BUG: sleeping function called from invalid context...
    """


class UseAfterMove(KernelPtrError):
    """A handle used after a by-value method consumed it: Rust's `error[E0382]` (use of a
    moved value), which the borrow checker reports at compile time.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new(1, kp.GFP_KERNEL); a.drop()
    >>> a.clone()
    Traceback (most recent call last):
    kernelptr.errors.UseAfterMove: use of dropped value: `a` (Arc<i64>) was dropped...
    """


class UseAfterFree(KernelPtrError):
    """An object reached after its last reference was dropped and `kfree` ran: the bug
    `refcount_t` and Rust's ownership exist to prevent.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); p = kp.Arc.new(1, kp.GFP_KERNEL).into_foreign()
    >>> kp.Arc.from_foreign(p).drop()
    >>> kp.Arc.borrow(p)
    Traceback (most recent call last):
    kernelptr.errors.UseAfterFree: Arc::borrow(0xffff888000001000): that object was already freed...
    """


class BorrowError(KernelPtrError):
    """A borrow that outlived what it borrowed from, or a stale `&mut` borrow: rustc's
    `error[E0505]` / `error[E0499]`, checked by the model at run time.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new(1, kp.GFP_KERNEL); b = a.as_arc_borrow(); a.drop()
    >>> b.clone_arc()
    Traceback (most recent call last):
    kernelptr.errors.BorrowError: borrow used after its lifetime ended...
    """


class MutabilityError(KernelPtrError):
    """An assignment through a pointer without `DerefMut` (the kernel's `Arc` has none):
    rustc's `error[E0594]` / `error[E0596]`.

    >>> import kernelptr as kp
    >>> @kp.struct
    ... class Job:
    ...     n: int
    >>> heap = kp.reset(); a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    >>> a.n = 2
    Traceback (most recent call last):
    kernelptr.errors.MutabilityError: cannot assign to `n`: `a` (Arc<Job>) is a shared pointer...
    """


class UndefinedBehavior(KernelPtrError):
    """What is undefined behaviour in the kernel (breaking an `unsafe fn`'s `# Safety`
    contract, e.g. `Arc::from_raw` twice); the model refuses and explains instead.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); p = kp.Arc.new(1, kp.GFP_KERNEL).into_raw(); a = kp.Arc.from_raw(p)
    >>> kp.Arc.from_raw(p)
    Traceback (most recent call last):
    kernelptr.errors.UndefinedBehavior: Arc::from_raw(0xffff888000001008): ...double free...
    """


class InvariantViolation(KernelPtrError):
    """`heap.check()` found a broken invariant (DESIGN 2.6): what `unsafe` code that breaks
    the kernel's `// INVARIANT:` comments leaves behind.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> kp.Arc.refcount_of(a).set(7); heap.check()
    Traceback (most recent call last):
    kernelptr.errors.InvariantViolation: heap.check() found broken invariants:...
    """


class TypeMismatch(KernelPtrError):
    """A value of the wrong type or list ID: rustc's `error[E0308]` (mismatched types).

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> kp.Arc.new(1, "GFP_KERNEL")
    Traceback (most recent call last):
    kernelptr.errors.TypeMismatch: Arc::new: expected allocation flags, found 'GFP_KERNEL'...
    """


class NotClone(KernelPtrError):
    """`clone()` on a type without `Clone` (`UniqueArc`, `ListArc`): rustc's `error[E0599]`.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); u = kp.UniqueArc.new(1, kp.GFP_KERNEL)
    >>> u.clone()
    Traceback (most recent call last):
    kernelptr.errors.NotClone: `u` (UniqueArc<i64>) cannot be cloned...
    """


class TraitNotImplemented(KernelPtrError):
    """A trait bound that is not satisfied (e.g. `TryNewListArc` for an untracked type):
    rustc's `error[E0277]`.

    >>> import kernelptr as kp
    >>> issubclass(kp.TraitNotImplemented, kp.KernelPtrError)
    True
    """


class ReceiverMismatch(KernelPtrError):
    """A method called through a handle that is not its declared receiver (`self:
    ArcBorrow<Self>` called on an `Arc`), which `arbitrary_self_types` would reject.

    >>> import kernelptr as kp
    >>> issubclass(kp.ReceiverMismatch, kp.KernelPtrError)
    True
    """


class BuildError(KernelPtrError):
    """What `build_assert!` or the compiler rejects before the kernel ever runs.

    >>> import kernelptr as kp
    >>> kp.Refcount.new(-1)
    Traceback (most recent call last):
    kernelptr.errors.BuildError: Refcount::new(-1): a refcount cannot start negative...
    """


class Deadlock(KernelPtrError):
    """A `SpinLock` taken again by the context that holds it: kernel spinlocks are not
    recursive, so this spins forever (lockdep reports "possible recursive locking").

    >>> import kernelptr as kp
    >>> heap = kp.reset(); lock = kp.SpinLock(0, "l"); g = lock.lock()
    >>> lock.lock()
    Traceback (most recent call last):
    kernelptr.errors.Deadlock: spinlock `l` is already held by this context...
    """


class Abort(KernelPtrError):
    """Userspace `std::process::abort()` from `std::sync::Arc` on count overflow: no code can
    recover from it, which is why the kernel's `Arc` saturates instead.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); s = kp.StdArc.new(1); s.set_strong_count(kp.ISIZE_MAX + 1)
    >>> s.clone()
    Traceback (most recent call last):
    kernelptr.errors.Abort: std::sync::Arc::clone: the strong count was 9223372036854775808...
    """


class NotDynCompatible(KernelPtrError):
    """A trait or pointer type that cannot be used for dynamic dispatch: rustc's
    `error[E0038]` (the trait is not dyn compatible).

    >>> import kernelptr as kp
    >>> issubclass(kp.NotDynCompatible, kp.KernelPtrError)
    True
    """
