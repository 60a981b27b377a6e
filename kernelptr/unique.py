"""An Arc known to be the only reference: the kernel's `UniqueArc<T>`."""

from __future__ import annotations

from .arc import Arc, allocate_arc_inner, check_unplaced, release
from .deref import DerefHandle
from .errors import MutabilityError, NotClone, UndefinedBehavior
from .flags import REQUIRED, Flags

__all__ = ["UniqueArc", "Uninit"]


class _UninitType:
    """The contents of a `UniqueArc<MaybeUninit<T>>` before `write`."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MaybeUninit::uninit()"


Uninit = _UninitType()


class UniqueArc(DerefHandle):
    """An Arc allocation whose count is exactly 1: the kernel's `kernel::sync::UniqueArc<T>`.

    Because nobody else can see the object, its fields are assignable (`DerefMut`), and it
    converts for free into a shared `Arc` (`kp.Arc.from_unique(u)`, count stays 1).
    `new_uninit` splits allocation from initialisation: allocate where sleeping is allowed,
    then `write` the value inside a spinlock, where nothing may allocate.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL)
    >>> lock = kp.SpinLock(None, "lock")
    >>> with lock.lock():
    ...     u = u.write(5)          # never allocates: allowed in atomic context
    >>> a = kp.Arc.from_unique(u)
    >>> a.refcount
    1

    **Invariants**: the refcount is exactly 1 while the UniqueArc exists.
    """

    kind = "UniqueArc"

    def __init__(self, obj, **kw):
        super().__init__(obj, **kw)
        if obj is not None:
            obj.unique = True

    def type_str(self) -> str:
        obj = self._obj
        if obj is not None and obj.uninit:
            return f"UniqueArc<MaybeUninit<{self._pointee_name()}>>"
        return super().type_str()

    @classmethod
    def new(cls, value, flags: Flags = REQUIRED) -> "UniqueArc":
        """`UniqueArc::new(value, flags)`: may fail only by allocation."""
        obj = allocate_arc_inner(value, flags, "UniqueArc::new")
        u = cls(obj)
        obj.heap.emit("UniqueArc::new", f"{obj.type_name} allocated at {obj.address:#x}, "
                      "refcount 1 (unique)", (obj.address,))
        return u

    @classmethod
    def new_uninit(cls, flags: Flags = REQUIRED, type=None) -> "UniqueArc":
        """`UniqueArc::new_uninit(flags)`: allocate now, initialise later (behaviour 13).

        Pass `type=` (a struct class) to size the allocation like `UniqueArc<MaybeUninit<T>>`.
        """
        obj = allocate_arc_inner(Uninit, flags, "UniqueArc::new_uninit",
                                 uninit_type=type if type is not None else object)
        if type is None:
            obj.type_name = "T"
        obj.uninit = True
        u = cls(obj)
        obj.heap.emit("UniqueArc::new_uninit", f"uninitialised {obj.type_name} allocated at "
                      f"{obj.address:#x}", (obj.address,))
        return u

    def write(self, value) -> "UniqueArc":
        """`UniqueArc<MaybeUninit<T>>::write`: initialise in place; never allocates, never
        fails, allowed in atomic context (behaviours 13, 75)."""
        from .types_ import type_name_of

        obj = self._check("UniqueArc::write")
        if not obj.uninit:
            raise UndefinedBehavior(
                f"UniqueArc::write on {self.type_str()}, which is already initialised",
                rule="write is defined on UniqueArc<MaybeUninit<T>> only",
                rustc="error[E0599]: no method named `write` found for `UniqueArc<T>`",
                fix="assign fields directly (u.field = value): a UniqueArc is mutable")
        check_unplaced(value, "UniqueArc::write")
        self._retire("moved", "UniqueArc::write")
        obj.value = value
        obj.uninit = False
        if obj.type_name == "T":
            obj.type_name = type_name_of(value)
        adopt = getattr(value, "_kp_adopt", None)
        if adopt is not None:
            adopt(obj)
        obj.touch()
        u = UniqueArc(obj)
        obj.heap.emit("UniqueArc::write", f"{obj.type_name} written in place at "
                      f"{obj.data_address:#x}; no allocation", (obj.address,))
        return u

    def assume_init(self) -> "UniqueArc":
        """`unsafe assume_init`: only sound after the memory was really initialised."""
        obj = self._check("UniqueArc::assume_init")
        if obj.uninit:
            raise UndefinedBehavior(
                "UniqueArc::assume_init on memory that was never written",
                rule="assume_init's safety requirement: the value must be initialised",
                fix="use write(value), which initialises and converts in one safe step")
        return self._transfer("UniqueArc::assume_init")

    def clone(self):
        """A UniqueArc is not `Clone`: a second reference would break its uniqueness."""
        self._check("UniqueArc::clone")
        raise NotClone(
            f"{self._who()} cannot be cloned",
            rule="UniqueArc<T> guarantees the count is exactly 1, so it does not implement "
                 "Clone",
            rustc="error[E0599]: no method named `clone` found for struct `UniqueArc`",
            fix="convert it first: a = kp.Arc.from_unique(u), then a.clone()")

    def deref_mut(self):
        """`DerefMut`: the value, mutable (fields can be assigned through the UniqueArc)."""
        return self.deref()

    def _assign(self, key, value):
        """`u.field = value` through `DerefMut`: the old value is dropped, as in Rust."""
        from .errors import NoSuchField
        from .ownership import Handle, drop_value
        from .types_ import safe_repr

        target = self.deref()
        cls = type(target)
        if key not in getattr(cls, "_kp_fields", ()):
            raise NoSuchField(
                f"{cls.__name__} has no field `{key}`",
                rule="a struct has exactly the fields it declares",
                rustc=f"error[E0609]: no field `{key}` on type `{cls.__name__}`",
                fix=f"fields are: {', '.join(getattr(cls, '_kp_plain', ())) or '(none)'}")
        if key in cls._kp_special:
            raise MutabilityError(
                f"`{cls.__name__}.{key}` is managed by the kernel API, not assigned",
                rule="list links, trackers and work fields are only changed by the List, "
                     "ListArc and workqueue code that owns them",
                rustc=f"error[E0616]: field `{key}` is private",
                fix="use the List / ListArc / Queue methods instead")
        old = getattr(target, key)
        if isinstance(value, Handle) and value.owning and value._state == "live":
            # INVARIANT: a handle stored in a field is owned by the struct (moved in).
            value = value._transfer(f"moved into {cls.__name__}.{key}")
            object.__setattr__(value, "_inside", (target, key))
        object.__setattr__(target, key, value)
        drop_value([old])                     # Rust drops the overwritten value
        obj = self._obj
        obj.touch()
        obj.heap.emit("UniqueArc::deref_mut", f"{obj.type_name}.{key} = {safe_repr(value)}",
                      (obj.address,))

    def drop(self) -> None:
        """Drop the only reference: the object is freed."""
        obj = self._consume("UniqueArc::drop", "dropped")
        obj.unique = False
        summary = release(obj, "UniqueArc::drop")
        obj.heap.emit("UniqueArc::drop", summary, (obj.address,))

    def into_arc(self) -> Arc:
        """`Arc::from(u)` written as a method: the same as `kp.Arc.from_unique(u)`."""
        return self._keep_fat(Arc.from_unique(self))
