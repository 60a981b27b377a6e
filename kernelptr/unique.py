"""An Arc known to be the only reference: the kernel's `UniqueArc<T>`."""

from __future__ import annotations

from .arc import Arc, allocate_arc_inner, check_unplaced, release
from .deref import DerefHandle
from .errors import MutabilityError, NoSuchField, NotClone, TypeMismatch, UndefinedBehavior
from .flags import REQUIRED, Flags
from .rust import Stmt, alloc_expr, implicit, pin_init_expr, rust_ident, write_expr
from .struct import pinned_assignment

__all__ = ["UniqueArc", "Uninit", "PinProjection"]


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

    Some UniqueArcs are pinned, `Pin<UniqueArc<T>>`, exactly where the kernel pins them:
    `UniqueArc::pin_init`, `pin_init_with`, `Pin::from(u)` (`u.into_pin()`) and
    `Arc::into_unique_or_drop` (the value was in an `Arc`, which is always pinned). Through a
    pinned UniqueArc a `!Unpin` value (one with `ListLinks`, a tracker, a lock, a work item,
    `PhantomPinned`) cannot be assigned: only its plain fields, through `u.project()`.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL)
    >>> lock = kp.SpinLock(None, "lock")
    >>> with lock.lock():
    ...     u = u.write(5)          # never allocates: allowed in atomic context
    >>> a = kp.Arc.from_unique(u)
    >>> a.refcount
    1

    **Invariants**: the refcount is exactly 1 while the UniqueArc exists; once pinned, the
    value stays pinned (never moves) until it is dropped.
    """

    kind = "UniqueArc"
    _another_reference = ("turn it into an Arc (kp.Arc.from_unique(u)) and clone that (a "
                          "UniqueArc is never Clone)")

    def __init__(self, obj, *, pinned: bool = False, **kw):
        super().__init__(obj, **kw)
        if obj is not None:
            obj.unique = True
            if pinned:
                # INVARIANT: pinning is for the rest of the value's life (`Pin`'s guarantee).
                obj.extra["pinned"] = True

    @property
    def pinned(self) -> bool:
        """True for a `Pin<UniqueArc<T>>`."""
        obj = self._obj
        return obj is not None and bool(obj.extra.get("pinned"))

    def type_str(self) -> str:
        obj = self._obj
        if obj is not None and obj.uninit:
            return f"UniqueArc<MaybeUninit<{self._pointee_name()}>>"
        return f"Pin<{super().type_str()}>" if self.pinned else super().type_str()

    @classmethod
    def new(cls, value, flags: Flags = REQUIRED) -> "UniqueArc":
        """`UniqueArc::new(value, flags)`: may fail only by allocation; not pinned."""
        obj = allocate_arc_inner(value, flags, "UniqueArc::new")
        u = cls(obj)
        obj.heap.emit("UniqueArc::new", f"{obj.type_name} allocated at {obj.address:#x}, "
                      "refcount 1 (unique)", (obj.address,),
                      rust=Stmt(alloc_expr("UniqueArc", value, flags), result=u, mut=True))
        return u

    @classmethod
    def pin_init(cls, value, flags: Flags = REQUIRED) -> "UniqueArc":
        """`UniqueArc::pin_init(init, flags)` (`InPlaceInit`): allocate, initialise in place
        and return `Pin<UniqueArc<T>>`, the way a value with `ListLinks` or a lock is made.

        >>> import kernelptr as kp
        >>> from kernelptr.list.example import Job
        >>> heap = kp.reset()
        >>> kp.UniqueArc.pin_init(Job(1), kp.GFP_KERNEL).type_str()
        'Pin<UniqueArc<Job>>'
        """
        obj = allocate_arc_inner(value, flags, "UniqueArc::pin_init")
        u = cls(obj, pinned=True)
        obj.heap.emit("UniqueArc::pin_init", f"{obj.type_name} initialised in place at "
                      f"{obj.address:#x}: Pin<UniqueArc>, refcount 1", (obj.address,),
                      rust=Stmt(pin_init_expr("UniqueArc", value, flags), result=u, mut=True))
        return u

    def into_pin(self) -> "UniqueArc":
        """`Pin::from(u)` (`From<UniqueArc<T>> for Pin<UniqueArc<T>>`): pin the value where
        it is, for free; afterwards a `!Unpin` value cannot be assigned through it.

        >>> import kernelptr as kp
        >>> heap = kp.reset()
        >>> kp.UniqueArc.new(1, kp.GFP_KERNEL).into_pin().type_str()
        'Pin<UniqueArc<i64>>'
        """
        obj = self._check("Pin::from(UniqueArc)")
        if obj.uninit:
            raise TypeMismatch(
                f"Pin::from({self.type_str()}): the value is not written yet",
                rule="pin a UniqueArc<T>; a UniqueArc<MaybeUninit<T>> is pinned as it is "
                     "initialised, by pin_init_with",
                rustc="error[E0308]: mismatched types (expected `UniqueArc<T>`)",
                fix="u.pin_init_with(value), or u.write(value).into_pin()")
        pinned = self._transfer("Pin::from(UniqueArc)")
        obj.extra["pinned"] = True
        obj.touch()
        obj.heap.emit("Pin::from(UniqueArc)", f"{obj.type_name} at {obj.address:#x} is "
                      "pinned: it never moves again", (obj.address,),
                      rust=Stmt("Pin::from({})", self, result=pinned, mut=True))
        return pinned

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
                      f"{obj.address:#x}", (obj.address,),
                      rust=Stmt("UniqueArc::new_uninit({})?", flags, result=u))
        return u

    def write(self, value) -> "UniqueArc":
        """`UniqueArc<MaybeUninit<T>>::write`: initialise in place; never allocates, never
        fails, allowed in atomic context (behaviours 13, 75). The result is not pinned."""
        return self._initialise(value, "UniqueArc::write", pinned=False)

    def pin_init_with(self, value) -> "UniqueArc":
        """`UniqueArc<MaybeUninit<T>>::pin_init_with(init)`: initialise in place and return
        `Pin<UniqueArc<T>>`; like `write`, it never allocates.

        >>> import kernelptr as kp
        >>> from kernelptr.list.example import Job
        >>> heap = kp.reset()
        >>> u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        >>> u.pin_init_with(Job(1)).type_str()
        'Pin<UniqueArc<Job>>'
        """
        return self._initialise(value, "UniqueArc::pin_init_with", pinned=True)

    def _initialise(self, value, op: str, *, pinned: bool) -> "UniqueArc":
        from .types_ import type_name_of

        obj = self._check(op)
        if not obj.uninit:
            raise UndefinedBehavior(
                f"{op} on {self.type_str()}, which is already initialised",
                rule=f"{op.split('::')[1]} is defined on UniqueArc<MaybeUninit<T>> only",
                rustc=f"error[E0599]: no method named `{op.split('::')[1]}` found for "
                      "`UniqueArc<T>`",
                fix="assign fields directly (u.field = value): a UniqueArc is mutable")
        expected = obj.type
        if expected is not object and type(value) is not expected:
            raise TypeMismatch(
                f"{op}: expected `{type_name_of(expected)}`, found `{type_name_of(value)}`",
                rule=f"new_uninit(type={type_name_of(expected)}) allocated a "
                     f"UniqueArc<MaybeUninit<{type_name_of(expected)}>>: only that type can "
                     "be written into it (it is sized for it)",
                rustc=f"error[E0308]: mismatched types: expected `{type_name_of(expected)}`, "
                      f"found `{type_name_of(value)}`",
                fix=f"write a {type_name_of(expected)}, or allocate with "
                    f"new_uninit(flags, type={type_name_of(value)})")
        check_unplaced(value, op)
        rust = write_expr(self, value, pinned=pinned)
        self._retire("moved", op)
        obj.value = value
        obj.uninit = False
        if obj.type_name == "T":
            obj.type_name = type_name_of(value)
        if expected is object:
            obj.type = type(value)
        adopt = getattr(value, "_kp_adopt", None)
        if adopt is not None:
            adopt(obj)
        obj.touch()
        u = UniqueArc(obj, pinned=pinned)
        obj.heap.emit(op, f"{obj.type_name} written in place at {obj.data_address:#x}; "
                      f"no allocation{'; pinned' if pinned else ''}", (obj.address,),
                      rust=rust.returning(u, mut=True))
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
        """`DerefMut`: the value, mutable (fields can be assigned through the UniqueArc).
        A pinned UniqueArc of a `!Unpin` value has no `DerefMut` (rustc E0596)."""
        value = self.deref()
        refused = pinned_assignment(self._obj, value, None)
        if refused is not None:
            raise refused
        return value

    def project(self) -> "PinProjection":
        """`#[pin_data]`'s `project()` on a pinned UniqueArc: `&mut` to each plain field, so
        those can be assigned, while the `#[pin]` fields (links, trackers, locks) stay pinned.

        >>> import kernelptr as kp
        >>> from kernelptr.list.example import Job
        >>> heap = kp.reset()
        >>> u = kp.UniqueArc.pin_init(Job(1), kp.GFP_KERNEL)
        >>> u.project().n = 2; u.n
        2
        """
        obj = self._check("project")
        if not self.pinned:
            raise NoSuchField(
                f"no method named `project` found for `{self.type_str()}`",
                rule="project() is generated by #[pin_data] for `Pin<&mut Self>`; an unpinned "
                     "UniqueArc derefs mutably already",
                rustc=f"error[E0599]: no method named `project` found for "
                      f"`{self.type_str()}`",
                fix="assign directly: u.field = value")
        if obj.uninit:
            self.deref("project")
        return PinProjection(self)

    def _assign(self, key, value, *, projected: bool = False):
        """`u.field = value` through `DerefMut` (or a pin projection): the old value is
        dropped, as in Rust."""
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
        refused = None if projected else pinned_assignment(self._obj, target, key)
        if refused is not None:
            raise refused
        if key in cls._kp_special:
            raise MutabilityError(
                f"`{cls.__name__}.{key}` is managed by the kernel API, not assigned",
                rule="list links, trackers and work fields are only changed by the List, "
                     "ListArc and workqueue code that owns them (a pin projection gives "
                     "them as Pin<&mut _>, which cannot be assigned)",
                rustc=f"error[E0616]: field `{key}` is private",
                fix="use the List / ListArc / Queue methods instead")
        old = getattr(target, key)
        if isinstance(value, Handle) and value.owning and value._state == "live":
            # INVARIANT: a handle stored in a field is owned by the struct (moved in).
            value = value._transfer(f"moved into {cls.__name__}.{key}")
            object.__setattr__(value, "_inside", (target, key))
        rust = Stmt("{}.%s = {}" % rust_ident(key), self, value)
        object.__setattr__(target, key, value)
        with implicit("the old value of {}.%s is dropped" % key, self):
            drop_value([old])                 # Rust drops the overwritten value
        obj = self._obj
        obj.touch()
        op = "Pin::project" if projected else "UniqueArc::deref_mut"
        if projected:
            rust = Stmt("*{}.as_mut().project().%s = {}" % rust_ident(key), self, value)
        obj.heap.emit(op, f"{obj.type_name}.{key} = {safe_repr(value)}", (obj.address,),
                      rust=rust)

    def drop(self) -> None:
        """Drop the only reference: the object is freed."""
        obj = self._consume("UniqueArc::drop", "dropped")
        obj.unique = False
        summary = release(obj, "UniqueArc::drop")
        obj.heap.emit("UniqueArc::drop", summary, (obj.address,), rust=Stmt("drop({})", self))

    def into_arc(self) -> Arc:
        """`Arc::from(u)` written as a method: the same as `kp.Arc.from_unique(u)`."""
        return self._keep_fat(Arc.from_unique(self))


class PinProjection:
    """The projection `#[pin_data]` generates for `Pin<&mut T>` (`project()`): plain fields
    come out as `&mut F` and can be assigned; `#[pin]` fields stay pinned.

    >>> import kernelptr as kp
    >>> from kernelptr.list.example import Job
    >>> heap = kp.reset()
    >>> p = kp.UniqueArc.pin_init(Job(1), kp.GFP_KERNEL).project()
    >>> p.links = None
    Traceback (most recent call last):
    kernelptr.errors.MutabilityError: `Job.links` is managed by the kernel API, not assigned...
    """

    __slots__ = ("_unique",)

    def __init__(self, unique: UniqueArc):
        object.__setattr__(self, "_unique", unique)

    def __getattr__(self, name):
        return getattr(self._unique.deref("project"), name)

    def __setattr__(self, key, value):
        self._unique._assign(key, value, projected=True)

    def __repr__(self) -> str:
        return f"Pin<&mut {self._unique._pointee_name()}>::project()"
