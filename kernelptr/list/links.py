"""Link and tracker fields of list items, and the `impl_list_arc_safe!`/`impl_list_item!` macros."""

from __future__ import annotations

from ..errors import BuildError, TraitNotImplemented, TypeMismatch
from ..struct import FieldSpec
from ..types_ import type_name_of

__all__ = ["ListLinks", "ListLinksSelfPtr", "AtomicTracker", "impl_list_arc_safe",
           "impl_list_item", "list_arc_safe_of", "list_item_field", "tracker_id", "check_id"]


def check_id(id, op: str) -> None:
    """Refuse anything but a list ID, a `u64` constant (`True` and `1.0` are not IDs)."""
    if not isinstance(id, int) or isinstance(id, bool) or not 0 <= id < 2**64:
        from ..types_ import safe_repr

        raise TypeMismatch(f"{op}: a list ID is a `u64` constant, found {safe_repr(id)}",
                           rule="the ID is a const generic `const ID: u64`",
                           rustc="error[E0308]: mismatched types (expected `u64`)",
                           fix="write id=0 or id=1")


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
        if not isinstance(id, int) or isinstance(id, bool) or id < 0:
            raise TypeMismatch(f"{cls.rust_name}[{id!r}]: a list ID is a `u64` constant",
                               rule="the ID is a const generic `const ID: u64`",
                               rustc="error[E0308]: mismatched types (expected `u64`)",
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
    `tracked_by="field"`: an `AtomicTracker[id]` field tracks it, which also gives
    `TryNewListArc` (`ListArc.try_from_arc`). Works as a call or a class decorator.

    >>> import kernelptr as kp
    >>> @kp.impl_list_arc_safe(id=0, tracked_by="t")
    ... @kp.struct
    ... class Job:
    ...     t: kp.AtomicTracker[0]
    >>> kp.list.list_arc_safe_of(Job, 0)
    ('tracked', 't')
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
            spec = _field_spec(cls, tracked_by, "impl_list_arc_safe", (AtomicTracker,))
            if spec.id != id:
                raise TraitNotImplemented(
                    f"the trait bound `AtomicTracker<{spec.id}>: ListArcSafe<{id}>` is not "
                    "satisfied",
                    rule="an AtomicTracker<N> tracks only ListArc<_, N>",
                    rustc="error[E0277]: the trait bound is not satisfied",
                    fix=f"declare `{tracked_by}: kp.AtomicTracker[{id}]`")
            entry = ("tracked", tracked_by)
        _register(cls, "_kp_list_arc_safe", id, entry, "ListArcSafe")

    return _decorator_or_call(T, apply)


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
    """`("untracked", None)` or `("tracked", field)` for `T: ListArcSafe<id>`, else None."""
    table = T.__dict__.get("_kp_list_arc_safe") if isinstance(T, type) else None
    return table.get(id) if table else None


def list_item_field(T, id: int):
    """The links field of `T: ListItem<id>`, or None."""
    table = T.__dict__.get("_kp_list_item") if isinstance(T, type) else None
    return table.get(id) if table else None


def tracker_id(T, id: int) -> int | None:
    """The ID of the AtomicTracker that tracks `ListArc<T, id>`, or None if untracked."""
    entry = list_arc_safe_of(T, id)
    return id if entry and entry[0] == "tracked" else None


def require_list_arc_safe(T, id: int, op: str):
    """Raise TraitNotImplemented unless `T: ListArcSafe<id>`; return its registration."""
    check_id(id, op)
    entry = list_arc_safe_of(T, id)
    if entry is None:
        name = type_name_of(T)
        raise TraitNotImplemented(
            f"{op}: the trait bound `{name}: ListArcSafe<{id}>` is not satisfied",
            rule="ListArc<T, ID> needs T to say how it tracks ListArcs for that ID",
            rustc=f"error[E0277]: the trait bound `{name}: ListArcSafe<{id}>` is not "
                  "satisfied",
            fix=f"kp.impl_list_arc_safe({name}, id={id}, untracked=True) or "
                f"tracked_by='<an AtomicTracker[{id}] field>'")
    return entry
