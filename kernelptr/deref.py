"""Reading through a pointer (`Deref`): field access on a handle reads the pointee.

The kernel's pointers (`Arc`, `ArcBorrow`, `UniqueArc`, `ListArc`) can also be fat pointers
to trait objects (`Arc<dyn Trait>`); the trait machinery they call lives in kernelptr/traits/.
"""

from __future__ import annotations

from .errors import MutabilityError, NoSuchField, UndefinedBehavior
from .ownership import Handle

__all__ = ["DerefHandle"]


_HINTS = {
    "as_arc_borrow": "convert first: kp.Arc.from_unique(u).as_arc_borrow()",
    "into_arc": "a plain Arc is already one; ListArc and UniqueArc have into_arc",
    "clone_arc": "clone_arc belongs to ArcBorrow and ListArc; on an Arc use clone()",
    "into_raw": "into_raw consumes an owner (Arc or ListArc); a borrow owns nothing",
}


def _hint_for(handle, name: str) -> str:
    return _HINTS.get(name, f"check the spelling; `{handle.kind}` methods are listed by "
                            f"dir(kp.{handle.kind})")


class DerefHandle(Handle):
    """A handle whose pointee can be read through it (`Deref<Target = T>`), but not written:
    the kernel's `Arc` has no `DerefMut`, so its contents are always pinned and shared.

    With `_unsizes` (the kernel's pointers), the handle also takes part in traits:
    `kp.Arc[Self]` names the pointer type in an annotation, `into_dyn(Trait)` coerces it to
    a fat pointer (`CoerceUnsized`), `handle.method()` finds a trait method and calls it with
    the receiver it declares, and pointers derived from a fat pointer (clones, borrows,
    conversions) stay fat (`_keep_fat`).
    """

    #: CoerceUnsized/DispatchFromDyn in the model; False for the userspace std::sync::Arc,
    #: which is modelled for contrast only.
    _unsizes = True

    def __class_getitem__(cls, item):
        """`kp.Arc[Job]` in an annotation (`self: Arc<Self>`): a `PointerAlias`."""
        if not cls._unsizes:
            raise TypeError(f"type '{cls.__name__}' is not subscriptable")
        from .traits.receiver import PointerAlias

        return PointerAlias(cls, item)

    def into_dyn(self, trait):
        """`P<T>` -> `P<dyn Trait>`: the unsizing coercion (see `kp.traits.dyn.into_dyn`)."""
        if not self._unsizes:
            return self._forward("into_dyn")(trait)
        from .traits.dyn import into_dyn

        return into_dyn(self, trait)

    def _keep_fat(self, new):
        """`new` points at this handle's object: make it as fat as this handle
        (`Arc<dyn T>::clone` is an `Arc<dyn T>`). Returns `new`."""
        if self._vtable is not None and new._obj is self._obj and new._vtable is None:
            new._vtable = self._vtable
            new._dyn_name = self._dyn_name
        return new

    def _clone_handle(self, obj, **kw):
        return self._keep_fat(super()._clone_handle(obj, **kw))

    def _pointee_name(self) -> str:
        if self._dyn_name and self._obj is not None:
            from .traits.dyn import dyn_type_name

            return dyn_type_name(self._obj, self._dyn_name)
        return super()._pointee_name()

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
        """A public name not on the handle: a trait method of the pointee (called with its
        declared receiver), else the pointee's own field or method."""
        if name.startswith("_"):
            raise AttributeError(name)
        if self._unsizes:
            from .traits.dyn import trait_method

            method = trait_method(self, name)
            if method is not None:
                return method
        return self._forward(name)

    def _forward(self, name: str):
        value = self.deref(f"reading `.{name}`")
        try:
            return getattr(value, name)
        except AttributeError:
            raise NoSuchField(
                f"no method or field `{name}` on `{self.type_str()}` (nor on its pointee, "
                f"{type(value).__name__})",
                rule="a smart pointer offers its own methods and, through Deref, the "
                     "pointee's fields and methods; this name is neither",
                rustc=f"error[E0599]: no method named `{name}` found (E0609 for a field)",
                fix=_hint_for(self, name)) from None

    def _assign(self, key, value):
        raise MutabilityError(
            f"cannot assign to `{key}`: {self._who()} is a shared pointer",
            rule="Arc (and ArcBorrow, ListArc) implement Deref but not DerefMut: the contents "
                 "are shared and pinned, so they cannot be assigned through it",
            rustc="error[E0594]: cannot assign to data in dereference of `Arc<T>` (trait "
                  "`DerefMut` is required to modify through a dereference)",
            fix="use interior mutability (a SpinLock field) or set the field while you still "
                "hold the UniqueArc, before converting it to an Arc",
        )
