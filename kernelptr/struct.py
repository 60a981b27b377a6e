"""Declaring kernel structs: `@kp.struct` turns annotations into fields, like a Rust struct."""

from __future__ import annotations

import sys

from ._annotations import annotations_of
from .errors import MutabilityError, TypeMismatch
from .ownership import Handle
from .types_ import safe_repr, size_align_of

__all__ = ["struct", "FieldSpec", "is_struct", "PhantomPinned", "is_unpin", "not_unpin_because"]

_MISSING = object()


class FieldSpec:
    """A field type the model initialises itself (links, trackers): not a constructor argument.

    Subclasses say how to make the field's value for a new instance (`make`) and what to
    register on the heap object once the struct is inside an allocation (`attach`). These are
    the kernel's pin-initialised types (`ListLinks`, `AtomicTracker`, `Work`, ...): each is
    `!Unpin` (`unpin = False`), so a struct holding one is `!Unpin` too.
    """

    size = 8
    align = 8
    unpin = False

    def make(self, instance, name: str):
        return None

    def attach(self, obj, instance, name: str) -> None:
        pass


def pinned_assignment(obj, value, key: str):
    """The error for assigning `key` of `value` (the contents of `obj`) through a pinned
    `UniqueArc`, or None when that is allowed: `obj` is not pinned, or `value` is `Unpin`
    (then `Pin` derefs mutably)."""
    if not obj.extra.get("pinned"):
        return None
    why = not_unpin_because(value)
    if why is None:
        return None
    name = type(value)._kp_type_name
    pin = f"Pin<UniqueArc<{name}>>"
    what, rustc = (f"cannot assign to `{key}`", f"error[E0594]: cannot assign to data in "
                   f"dereference of `{pin}`") if key is not None else (
        "cannot borrow the value as mutable", f"error[E0596]: cannot borrow data in "
        f"dereference of `{pin}` as mutable")
    return MutabilityError(
        f"{what} through `{pin}`: `{name}` is !Unpin (field `{why}`)",
        rule="a pinned value that is !Unpin must never move, so Pin<P> implements DerefMut "
             "only for T: Unpin; no &mut T can be had through it",
        rustc=f"{rustc} (trait `DerefMut` is required to modify through a dereference, but "
              f"it is not implemented for `{pin}`)",
        fix="assign through a pin projection (u.project().field = value, #[pin_data]'s "
            "project()), or set the field in the initialiser before the value is pinned")


def _resolve(annotation, cls):
    """An annotation's value: strings are evaluated in the class's module, with `kp` bound."""
    if not isinstance(annotation, str):
        return annotation
    import kernelptr

    module = sys.modules.get(cls.__module__)
    env = dict(vars(module)) if module is not None else {}
    env.setdefault("kp", kernelptr)
    try:
        return eval(annotation, env)  # noqa: S307 - annotations of the learner's own class
    except Exception:
        return annotation


def is_struct(value) -> bool:
    return getattr(type(value), "_kp_struct", False)


class _PhantomPinned(FieldSpec):
    """The zero-sized marker that makes a struct `!Unpin`: `core::marker::PhantomPinned`.

    Declare `_pin: kp.PhantomPinned` in a `@kp.struct` (as `#[pin_data]` structs do with
    `#[pin] _pin: PhantomPinned`); like the links fields it is not a constructor argument.

    >>> import kernelptr as kp
    >>> @kp.struct
    ... class Pinned:
    ...     n: int
    ...     _pin: kp.PhantomPinned
    >>> kp.is_unpin(Pinned), kp.not_unpin_because(Pinned)
    (False, '_pin: PhantomPinned')
    """

    size = 0
    align = 1

    def make(self, instance, name: str):
        return self

    def __repr__(self) -> str:
        return "PhantomPinned"


#: `core::marker::PhantomPinned`, for a struct field annotation.
PhantomPinned = _PhantomPinned()


def _type_not_unpin(t) -> str | None:
    """Why a field of declared type `t` is `!Unpin` (its Rust type), or None if it is Unpin
    (or only known once a value is there, as for `kp.Unsized`)."""
    if isinstance(t, FieldSpec):
        return None if t.unpin else repr(t)
    if isinstance(t, type):
        if getattr(t, "_kp_struct", False):
            return None if t._kp_unpin else t._kp_type_name
        from .lock import SpinLock

        if issubclass(t, SpinLock):
            return "SpinLock<T>"
    return None


def _value_not_unpin(value, depth: int = 0) -> str | None:
    """Why a field *value* is `!Unpin`: a lock, or a struct that is `!Unpin` itself."""
    from .lock import SpinLock

    if isinstance(value, SpinLock):
        return "SpinLock<T>"
    if is_struct(value) and depth < 8:
        inner = not_unpin_because(value, depth + 1)
        return None if inner is None else type(value)._kp_type_name
    return None


def not_unpin_because(T, _depth: int = 0) -> str | None:
    """The field (`name: Type`) that makes a struct type or value `!Unpin`, or None when it
    is `Unpin`. Rust derives `Unpin` from the fields, as `#[pin_data]` does from its
    `#[pin]` fields: one `!Unpin` field (`ListLinks`, `AtomicTracker`, a lock, a work item,
    `PhantomPinned`) makes the whole struct `!Unpin`.

    >>> import kernelptr as kp
    >>> from kernelptr.list.example import Job
    >>> kp.not_unpin_because(Job), kp.not_unpin_because(5)
    ('links: ListLinks<0>', None)
    """
    cls = T if isinstance(T, type) else type(T)
    if not getattr(cls, "_kp_struct", False):
        return None if isinstance(T, type) else _value_not_unpin(T, _depth)
    if cls._kp_pinned_by is not None or isinstance(T, type):
        return cls._kp_pinned_by
    for field in cls._kp_plain:             # value-dependent fields (a wrapped `T`, ...)
        why = _value_not_unpin(getattr(T, field, None), _depth)
        if why is not None:
            return f"{field}: {why}"
    return None


def is_unpin(T) -> bool:
    """Whether a struct type (or value) is `Unpin` (`core::marker::Unpin`): only then can a
    pinned pointer to it (`Pin<UniqueArc<T>>`) hand out `&mut T`.

    >>> import kernelptr as kp
    >>> @kp.struct
    ... class Plain:
    ...     n: int
    >>> kp.is_unpin(Plain), kp.is_unpin(kp.list.example.Job)
    (True, False)
    """
    return not_unpin_because(T) is None


def struct(cls=None, *, name: str | None = None):
    """Declare a kernel struct from a class's annotations (like `struct Job { ... }`).

    Fields whose type is a model field type (`kp.ListLinks[0]`, `kp.AtomicTracker[0]`, ...)
    are initialised by the model; the others are constructor arguments, in order. Handles
    passed in are moved into the struct. Once the struct lives in a shared `Arc`, its fields
    cannot be assigned (no `DerefMut`); through a `UniqueArc` they can.

    >>> import kernelptr as kp
    >>> @kp.struct
    ... class Job:
    ...     name: str
    ...     prio: int = 0
    >>> Job("build", prio=2)
    Job(name='build', prio=2)
    """
    if cls is None:
        return lambda c: struct(c, name=name)
    annotations = annotations_of(cls)
    plain: list[tuple[str, object]] = []
    special: dict[str, FieldSpec] = {}
    types: dict[str, object] = {}
    for field, ann in annotations.items():
        spec = _resolve(ann, cls)
        if isinstance(spec, FieldSpec):
            special[field] = spec
        else:
            plain.append((field, cls.__dict__.get(field, _MISSING)))
            types[field] = spec
    cls._kp_struct = True
    cls._kp_type_name = name or cls.__name__
    cls._kp_fields = tuple(annotations)
    cls._kp_plain = tuple(f for f, _ in plain)
    cls._kp_special = special
    cls._kp_field_types = types
    # INVARIANT: Unpin is derived from the fields' declared types (auto trait / #[pin_data]).
    cls._kp_pinned_by = next((f"{f}: {why}" for f in cls._kp_fields
                              for why in [_type_not_unpin(special.get(f) or types.get(f))]
                              if why is not None), None)
    cls._kp_unpin = cls._kp_pinned_by is None
    for field, default in plain:
        if default is not _MISSING and field in cls.__dict__:
            delattr(cls, field)
    defaults = dict(plain)

    def __init__(self, *args, **kwargs):
        if len(args) > len(plain):
            raise TypeMismatch(
                f"{cls.__name__}() takes {len(plain)} fields, got {len(args)} positional values",
                rule="a struct literal names each field once",
                rustc="error[E0063]: missing fields / E0560: struct has no field",
                fix=f"fields are: {', '.join(cls._kp_plain) or '(none)'}")
        values = dict(zip(cls._kp_plain, args))
        for key, value in kwargs.items():
            if key not in defaults or key in values:
                raise TypeMismatch(
                    f"{cls.__name__}() got an unexpected or repeated field {key!r}",
                    rule="a struct literal names each field exactly once",
                    rustc=f"error[E0560]: struct `{cls.__name__}` has no field named `{key}`",
                    fix=f"fields are: {', '.join(cls._kp_plain) or '(none)'}")
            values[key] = value
        missing = [f for f in cls._kp_plain if f not in values and defaults[f] is _MISSING]
        if missing:
            raise TypeMismatch(
                f"{cls.__name__}() is missing field(s) {', '.join(missing)}",
                rule="every field of a struct must be initialised",
                rustc=f"error[E0063]: missing fields {', '.join(missing)} in initializer",
                fix=f"pass {', '.join(missing)}")
        object.__setattr__(self, "_kp_obj", None)
        for field in cls._kp_fields:
            if field in special:
                object.__setattr__(self, field, special[field].make(self, field))
                continue
            value = values.get(field, defaults[field])
            if isinstance(value, Handle) and value.owning and value._state == "live":
                # INVARIANT: a handle stored in a struct is owned by the struct (moved in).
                value = value._transfer(f"moved into {cls.__name__}.{field}")
                object.__setattr__(value, "_inside", (self, field))
            object.__setattr__(self, field, value)

    def __setattr__(self, key, value):
        obj = self._kp_obj
        refused = pinned_assignment(obj, self, key) if obj is not None and obj.unique \
            else None
        if refused is not None:
            raise refused
        if obj is not None and not obj.unique:
            raise MutabilityError(
                f"cannot assign to `{cls.__name__}.{key}`: the struct is inside a shared Arc",
                rule="Arc has no DerefMut: shared contents are immutable and pinned",
                rustc="error[E0594]: cannot assign to data in dereference of `Arc<T>` "
                      "(trait `DerefMut` is required to modify through a dereference)",
                fix="use a SpinLock field for shared mutable state, or assign while you hold "
                    "the UniqueArc")
        object.__setattr__(self, key, value)
        if obj is not None:
            obj.touch()

    def __repr__(self):
        inner = ", ".join(f"{f}={safe_repr(getattr(self, f), 200)}" for f in cls._kp_plain)
        return f"{cls._kp_type_name}({inner})"

    def _kp_values(self):
        for f in cls._kp_fields:
            yield getattr(self, f)

    def _kp_adopt(self, obj):
        object.__setattr__(self, "_kp_obj", obj)
        for field, spec in special.items():
            spec.attach(obj, self, field)
        for field in cls._kp_plain:
            inner = getattr(self, field)
            if is_struct(inner):
                # A struct stored by value lives in the same allocation: its trackers and
                # links are the object's (Binder's `tracked_by wrapped: T` reaches them).
                inner._kp_adopt(obj)

    def _kp_layout():
        offset, align = 0, 1
        for field in cls._kp_fields:
            t = special.get(field) or types.get(field)
            if isinstance(t, FieldSpec):
                size, a = t.size, t.align
            elif isinstance(t, type):
                size, a = size_align_of(t)
            else:
                size, a = 8, 8
            offset = -(-offset // a) * a + size
            align = max(align, a)
        return -(-offset // align) * align, align

    def __class_getitem__(cls_, item):
        from .traits.dynlist import subscript

        return subscript(cls_, item)

    cls.__init__ = __init__
    cls.__setattr__ = __setattr__
    cls.__class_getitem__ = classmethod(__class_getitem__)
    cls.__repr__ = __repr__
    cls._kp_values = _kp_values
    cls._kp_adopt = _kp_adopt
    cls._kp_layout = staticmethod(_kp_layout)
    return cls
