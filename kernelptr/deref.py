"""Reading through a pointer (`Deref`): field access on a handle reads the pointee."""

from __future__ import annotations

from .errors import MutabilityError, UndefinedBehavior
from .ownership import Handle

__all__ = ["DerefHandle"]


class DerefHandle(Handle):
    """A handle whose pointee can be read through it (`Deref<Target = T>`), but not written:
    the kernel's `Arc` has no `DerefMut`, so its contents are always pinned and shared."""

    def deref(self, _op: str = "deref"):
        """The value the handle points at (Rust `*a`)."""
        obj = self._check(_op)
        if obj.uninit:
            raise UndefinedBehavior(
                f"reading {self.type_str()} before it was initialised",
                rule="UniqueArc::new_uninit gives MaybeUninit<T>; reading it before `write` "
                     "reads uninitialised memory",
                fix="call u = u.write(value) first",
            )
        return obj.value

    @property
    def refcount(self) -> int:
        """The current value of the object's `refcount_t` (SATURATED is negative)."""
        return self._check(f"{self.kind}::refcount").refcount.read()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = self.deref(f"reading `.{name}`")
        try:
            return getattr(value, name)
        except AttributeError:
            raise AttributeError(
                f"{self.type_str()} has no field or method {name!r} (its pointee is "
                f"{type(value).__name__})") from None

    def _assign(self, key, value):
        raise MutabilityError(
            f"cannot assign to `{key}`: {self._who()} is a shared pointer",
            rule="Arc (and ArcBorrow, ListArc) implement Deref but not DerefMut: the contents "
                 "are shared and pinned, so they cannot be assigned through it",
            rustc="error[E0594]: cannot assign to data in an `Arc`",
            fix="use interior mutability (a SpinLock field) or set the field while you still "
                "hold the UniqueArc, before converting it to an Arc",
        )
