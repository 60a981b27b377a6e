"""Link and tracker fields of list items, and the `impl_list_arc_safe!`/`impl_list_item!` macros."""

from __future__ import annotations

from ..errors import BuildError, TraitNotImplemented, TypeMismatch
from ..struct import FieldSpec
from ..types_ import check_id, type_name_of

__all__ = ["ListLinks", "ListLinksSelfPtr", "AtomicTracker", "impl_list_arc_safe",
           "impl_list_item", "list_arc_safe_of", "list_item_field", "tracker_id",
           "tracking_of", "follow_tracked_by", "require_list_arc_safe"]


def _hex(o) -> str:
    return "null" if o is None else f"{o.address:#x}"


class _FieldView:
    """What a learner sees when reading a links or tracker field of a struct."""

    __slots__ = ("_spec", "_instance")

    def __init__(self, spec, instance):
        self._spec = spec
        self._instance = instance

    def __repr__(self) -> str:
        obj = self._instance._kp_obj
        return self._spec._describe(obj)


class _PerId(FieldSpec):
    """A field type indexed by a list ID (`ListLinks[0]`), one cached instance per ID."""

    _cache: dict = {}
    rust_name = ""

    def __init__(self, id: int):
        self.id = id

    def __class_getitem__(cls, id: int):
        check_id(id, f"{cls.rust_name}[ID]",
                 fix=f"write {cls.rust_name}[0] or {cls.rust_name}[1]")
        key = (cls, id)
        if key not in _PerId._cache:
            _PerId._cache[key] = cls(id)
        return _PerId._cache[key]

    def make(self, instance, name: str):
        return _FieldView(self, instance)

    def __repr__(self) -> str:
        return f"{self.rust_name}<{self.id}>"


class ListLinks(_PerId):
    """The `next`/`prev` pointers of one list ID inside an item: the kernel's `ListLinks<ID>`.

    Declare it as a struct field; the model initialises both pointers to null.

    >>> import kernelptr as kp
    >>> kp.ListLinks[0] is kp.ListLinks[0], kp.ListLinks[0].size
    (True, 16)

    **Invariants**: both pointers are null iff the item is in no list with this ID.
    """

    rust_name = "ListLinks"
    size = 16

    def attach(self, obj, instance, name: str) -> None:
        obj.links[self.id] = [None, None]

    def _describe(self, obj) -> str:
        if obj is None:
            return f"ListLinks<{self.id}>{{prev: null, next: null}}"
        prev, nxt = obj.links.get(self.id, (None, None))
        return f"ListLinks<{self.id}>{{prev: {_hex(prev)}, next: {_hex(nxt)}}}"


class ListLinksSelfPtr(ListLinks):
    """Links plus a pointer back to the containing value: the kernel's `ListLinksSelfPtr<T, ID>`.

    Inserting an item writes its full (possibly fat: data + vtable) pointer into `self_ptr`,
    which is how a `List<Wrapper<dyn Trait>>` finds the value again from its links.

    >>> import kernelptr as kp
    >>> kp.ListLinksSelfPtr[1], kp.ListLinksSelfPtr[1].size
    (ListLinksSelfPtr<1>, 24)

    **Invariants**: as `ListLinks`; `self_ptr` is valid while the item is in a list.
    """

    rust_name = "ListLinksSelfPtr"
    size = 24

    def attach(self, obj, instance, name: str) -> None:
        super().attach(obj, instance, name)
        obj.self_ptrs[self.id] = None


class AtomicTracker(_PerId):
    """An atomic flag recording whether a ListArc exists: the kernel's `AtomicTracker<ID>`.

    >>> import kernelptr as kp
    >>> kp.AtomicTracker[0], kp.AtomicTracker[0].size
    (AtomicTracker<0>, 1)

    **Invariants**: false implies no `ListArc<T, ID>` exists (it may be true while none does).
    """

    rust_name = "AtomicTracker"
    size = 1
    align = 1

    def attach(self, obj, instance, name: str) -> None:
        obj.trackers[self.id] = False

    def _describe(self, obj) -> str:
        state = bool(obj.trackers.get(self.id)) if obj is not None else False
        return f"AtomicTracker<{self.id}>({str(state).lower()})"


# -- the two macros ------------------------------------------------------------------------
def _own(cls, attr: str) -> dict:
    """The registrations stored on `cls` itself (not inherited from a base class)."""
    if attr not in cls.__dict__:
        setattr(cls, attr, {})
    return cls.__dict__[attr]


def _field_spec(cls, field: str, macro: str, kinds: tuple):
    special = getattr(cls, "_kp_special", None)
    if special is None:
        raise BuildError(f"{macro} on `{getattr(cls, '__name__', cls)}`, which is not a "
                         "@kp.struct",
                         rule="the macros name fields of a struct",
                         fix="declare the type with @kp.struct (put @kp.struct lowest, "
                             "right above `class`)")
    spec = special.get(field)
    if not isinstance(spec, kinds):
        wanted = " or ".join(k.rust_name for k in kinds)
        raise BuildError(f"{macro} for `{cls._kp_type_name}`: field `{field}` is not a "
                         f"{wanted}",
                         rule=f"the field named by the macro must be a {wanted} field",
                         rustc=f"error[E0609]: no field `{field}` of the right type",
                         fix=f"declare `{field}: kp.{kinds[0].rust_name}[ID]`")
    return spec


def _register(cls, attr: str, id: int, entry, trait: str) -> None:
    table = _own(cls, attr)
    if id in table:
        raise BuildError(f"conflicting implementations of trait `{trait}<{id}>` for type "
                         f"`{cls._kp_type_name}`",
                         rule="a type implements a trait at most once per ID",
                         rustc=f"error[E0119]: conflicting implementations of trait "
                               f"`{trait}<{id}>`",
                         fix="use another ID for the second list the item can be in")
    table[id] = entry


def _decorator_or_call(T, apply):
    if T is None:
        def deco(cls):
            apply(cls)
            return cls
        return deco
    apply(T)
    return T


def impl_list_arc_safe(T=None, *, id: int = 0, untracked: bool = False,
                       tracked_by: str | None = None):
    """`impl_list_arc_safe!`: say how `T` knows whether a `ListArc<T, id>` exists.

    `untracked=True`: it does not know, so a ListArc can only come from a `UniqueArc`.
    `tracked_by="field"`: tracking is delegated to that field, which must itself be
    `ListArcSafe<id>`: an `AtomicTracker[id]` (the usual case), a struct declared with
    `impl_list_arc_safe`, or the generic last field `kp.Unsized` of a wrapper (Binder's
    `tracked_by wrapped: T`, where the bound `T: ListArcSafe` is checked on the wrapped
    value). `T` also gets `TryNewListArc` (`ListArc.try_from_arc`) exactly when the field
    has it. Works as a call or a class decorator.

    >>> import kernelptr as kp
    >>> @kp.impl_list_arc_safe(id=0, tracked_by="t")
    ... @kp.struct
    ... class Job:
    ...     t: kp.AtomicTracker[0]
    >>> @kp.impl_list_arc_safe(id=0, tracked_by="job")
    ... @kp.struct
    ... class Outer:
    ...     job: Job
    >>> kp.list.list_arc_safe_of(Outer, 0), kp.list.tracking_of(Outer, 0, Outer(Job()))
    (('delegated', 'job'), 'tracked')
    """
    check_id(id, "impl_list_arc_safe")
    if untracked == (tracked_by is not None):
        raise BuildError("impl_list_arc_safe needs exactly one of untracked=True or "
                         "tracked_by='field'",
                         rule="the macro takes `untracked;` or `tracked_by field: Type;`",
                         fix="impl_list_arc_safe(T, id=0, untracked=True)")

    def apply(cls):
        entry = ("untracked", None)
        if tracked_by is not None:
            entry = _tracked_by_entry(cls, tracked_by, id)
        _register(cls, "_kp_list_arc_safe", id, entry, "ListArcSafe")

    return _decorator_or_call(T, apply)


def _tracked_by_entry(cls, field: str, id: int) -> tuple:
    """`("tracked", field)` for an AtomicTracker field, `("delegated", field)` for a field
    whose type is itself `ListArcSafe<id>`; raises (changing nothing) otherwise."""
    special = getattr(cls, "_kp_special", None)
    if special is None:
        _field_spec(cls, field, "impl_list_arc_safe", (AtomicTracker,))   # raises
    name = cls._kp_type_name
    spec = special.get(field)
    if isinstance(spec, AtomicTracker):
        if spec.id != id:
            raise TraitNotImplemented(
                f"the trait bound `AtomicTracker<{spec.id}>: ListArcSafe<{id}>` is not "
                "satisfied",
                rule="an AtomicTracker<N> tracks only ListArc<_, N>",
                rustc="error[E0277]: the trait bound is not satisfied",
                fix=f"declare `{field}: kp.AtomicTracker[{id}]`")
        return ("tracked", field)
    if spec is None and field not in getattr(cls, "_kp_plain", ()):
        raise BuildError(f"impl_list_arc_safe for `{name}`: `tracked_by {field}` names no "
                         "field of the struct",
                         rule="tracked_by delegates to one of the struct's own fields",
                         rustc=f"error[E0609]: no field `{field}` on type `{name}`",
                         fix=f"fields are: {', '.join(cls._kp_fields) or '(none)'}")
    t = spec if spec is not None else cls._kp_field_types.get(field)
    if isinstance(t, type) and getattr(t, "_kp_struct", False):
        require_list_arc_safe(t, id, f"impl_list_arc_safe for `{name}` (tracked_by {field})")
        return ("delegated", field)
    if t is None or isinstance(t, FieldSpec) or isinstance(t, type):
        shown = repr(t) if isinstance(t, FieldSpec) else type_name_of(t)
        raise TraitNotImplemented(
            f"impl_list_arc_safe for `{name}`: the trait bound `{shown}: ListArcSafe<{id}>` "
            f"is not satisfied (field `{field}`)",
            rule="tracked_by delegates both tracking hooks to the field, so the field's type "
                 "must implement ListArcSafe<ID> itself",
            rustc=f"error[E0277]: the trait bound `{shown}: ListArcSafe<{id}>` is not "
                  "satisfied",
            fix=f"track with an AtomicTracker: `{field}: kp.AtomicTracker[{id}]`, or name a "
                "field whose struct type has its own impl_list_arc_safe")
    # A generic field (`wrapped: kp.Unsized`, `impl{T: ListArcSafe} ... tracked_by wrapped:
    # T`): the bound is checked on the value a ListArc is made for (require_list_arc_safe).
    return ("delegated", field)


def impl_list_item(T=None, *, id: int = 0, using: str = "links"):
    """`impl_list_item!`: `T` can be in a `List<T, id>` through its links field `using`.

    `kernelptr/list/example.py` declares its `Job` with `@kp.impl_list_item(id=0,
    using="links")` above `@kp.impl_list_arc_safe(...)` above `@kp.struct`:

    >>> from kernelptr.list.example import Job
    >>> list_item_field(Job, 0), list_item_field(Job, 1)
    ('links', None)
    """
    check_id(id, "impl_list_item")

    def apply(cls):
        spec = _field_spec(cls, using, "impl_list_item", (ListLinks,))
        if spec.id != id:
            raise TypeMismatch(
                f"impl_list_item for ListItem<{id}> uses `{using}`: expected "
                f"`ListLinks<{id}>`, found `{spec!r}`",
                rule="the links field of ListItem<ID> must be a ListLinks<ID>",
                rustc="error[E0308]: mismatched types",
                fix=f"declare `{using}: kp.{spec.rust_name}[{id}]`")
        _register(cls, "_kp_list_item", id, using, "ListItem")

    return _decorator_or_call(T, apply)


# -- lookups used by ListArc and List --------------------------------------------------------
def list_arc_safe_of(T, id: int):
    """`("untracked", None)`, `("tracked", field)` or `("delegated", field)` for
    `T: ListArcSafe<id>`, else None."""
    table = T.__dict__.get("_kp_list_arc_safe") if isinstance(T, type) else None
    return table.get(id) if table else None


def list_item_field(T, id: int):
    """The links field of `T: ListItem<id>`, or None."""
    table = T.__dict__.get("_kp_list_item") if isinstance(T, type) else None
    return table.get(id) if table else None


def follow_tracked_by(T, value, id: int):
    """Follow `tracked_by` delegations from `T` (and its `value`, if known) to the type
    that decides: returns (type, value, registration) for the last step, where the
    registration is None when that type is not `ListArcSafe<id>`. `type` is None when a
    generic field's value is unknown."""
    for _ in range(16):
        entry = list_arc_safe_of(T, id)
        if entry is None or entry[0] != "delegated":
            return T, value, entry
        field = entry[1]
        inner = getattr(value, field, None) if value is not None else None
        declared = T._kp_field_types.get(field)
        if isinstance(declared, type):
            T, value = declared, inner
        elif inner is None:
            return None, None, entry          # generic `T`, no value to look at yet
        else:
            T, value = type(inner), inner
    return T, value, None


def tracking_of(T, id: int, value=None) -> str | None:
    """How `ListArc<T, id>` is tracked, following `tracked_by` delegation: "tracked" (an
    `AtomicTracker` at the end: `TryNewListArc`), "untracked", "generic" (it depends on a
    wrapped value not given), or None (`T` is not `ListArcSafe<id>`).

    >>> from kernelptr import binder
    >>> wrap = binder.DTRWrap(binder.DeliverCode("BR_NOOP"))
    >>> tracking_of(binder.DTRWrap, 0), tracking_of(binder.DTRWrap, 0, wrap)
    ('generic', 'untracked')
    """
    last, _, entry = follow_tracked_by(T, value, id)
    if entry is None:
        return None
    return "generic" if last is None else entry[0]


def tracker_id(T, id: int, value=None) -> int | None:
    """The ID of the AtomicTracker that tracks `ListArc<T, id>` (following delegation to
    the wrapped `value`), or None if it is untracked."""
    return id if tracking_of(T, id, value) == "tracked" else None


def require_list_arc_safe(T, id: int, op: str, value=None):
    """Raise TraitNotImplemented unless `T: ListArcSafe<id>` (through every `tracked_by`
    delegation, down to the wrapped `value` when given); return `T`'s registration."""
    check_id(id, op)
    last, inner, entry = follow_tracked_by(T, value, id)
    if entry is None:
        bad = T if list_arc_safe_of(T, id) is None else last
        name = type_name_of(bad)
        why = "" if bad is T else (f" (`{type_name_of(T)}` delegates its tracking to it with "
                                   f"tracked_by, which needs `{name}: ListArcSafe<{id}>`)")
        raise TraitNotImplemented(
            f"{op}: the trait bound `{name}: ListArcSafe<{id}>` is not satisfied{why}",
            rule="ListArc<T, ID> needs T to say how it tracks ListArcs for that ID",
            rustc=f"error[E0277]: the trait bound `{name}: ListArcSafe<{id}>` is not "
                  "satisfied",
            fix=f"kp.impl_list_arc_safe({name}, id={id}, untracked=True) or "
                f"tracked_by='<an AtomicTracker[{id}] field>'")
    return list_arc_safe_of(T, id)
