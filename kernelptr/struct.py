"""Declaring kernel structs: `@kp.struct` turns annotations into fields, like a Rust struct."""

from __future__ import annotations

import sys

from ._annotations import annotations_of
from .errors import MutabilityError, TypeMismatch
from .ownership import Handle
from .types_ import safe_repr, size_align_of

__all__ = ["struct", "FieldSpec", "is_struct"]

_MISSING = object()


class FieldSpec:
    """A field type the model initialises itself (links, trackers): not a constructor argument.

    Subclasses say how to make the field's value for a new instance (`make`) and what to
    register on the heap object once the struct is inside an allocation (`attach`).
    """

    size = 8
    align = 8

    def make(self, instance, name: str):
        return None

    def attach(self, obj, instance, name: str) -> None:
        pass


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
        if obj is not None and not obj.unique:
            raise MutabilityError(
                f"cannot assign to `{cls.__name__}.{key}`: the struct is inside a shared Arc",
                rule="Arc has no DerefMut: shared contents are immutable and pinned",
                rustc="error[E0594]: cannot assign to data in an `Arc`",
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

    cls.__init__ = __init__
    cls.__setattr__ = __setattr__
    cls.__repr__ = __repr__
    cls._kp_values = _kp_values
    cls._kp_adopt = _kp_adopt
    cls._kp_layout = staticmethod(_kp_layout)
    return cls
