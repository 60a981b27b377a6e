"""Lists of trait objects: `List<Wrapper<dyn Trait>>`, whose links store a fat self pointer."""

from __future__ import annotations

from ..errors import BuildError, TraitNotImplemented, TypeMismatch, UseAfterFree
from ..heap import same_heap
from ..list.links import ListLinksSelfPtr, require_list_arc_safe
from ..list.list_arc import ListArc, expect_handle
from ..ownership import Handle
from ..types_ import type_name_of
from . import dyn
from .receiver import PointerAlias
from .trait import Trait, register_on

__all__ = ["Unsized", "impl_dyn_list_item", "dyn_type", "subscript", "holds_dyn", "refuse_trait",
           "accept", "coerce_at_push", "object_of", "read_self_ptr"]


class _UnsizedType:
    """The annotation of a wrapper's last field: `wrapped: T` with `T: ?Sized`."""

    def __repr__(self) -> str:
        return "kp.Unsized"


#: Annotate a struct's last field with `kp.Unsized` to let the struct unsize (`T: ?Sized`).
Unsized = _UnsizedType()


def _unsized_field(cls) -> str | None:
    fields = getattr(cls, "_kp_fields", ())
    if fields and getattr(cls, "_kp_field_types", {}).get(fields[-1]) is Unsized:
        return fields[-1]
    return None


def dyn_type(cls, trait) -> type:
    """`Wrapper<dyn Trait>`: the wrapper specialised with a trait (also `Wrapper[Trait]`)."""
    specs = cls.__dict__.get("_kp_dyn_specs")
    if specs is None:
        specs = {}
        cls._kp_dyn_specs = specs
    if trait not in specs:
        name = f"{type_name_of(cls)}<dyn {trait.__name__}>"
        specs[trait] = type(name, (cls,), {
            "_kp_type_name": name, "_kp_dyn_base": cls, "_kp_dyn_trait": trait,
            "_kp_list_arc_safe": dict(cls.__dict__.get("_kp_list_arc_safe", {})),
            "__module__": cls.__module__, "__doc__": f"`{name}`"})
    return specs[trait]


def subscript(cls, item):
    """`Struct[X]` for every `@kp.struct` (its `__class_getitem__`): `Wrapper[Trait]` is
    `Wrapper<dyn Trait>` only for a wrapper declared with `impl_dyn_list_item(Trait, ...)`
    (the one route to `List(Wrapper[Trait])`); `Wrapper[Self]` names the generic wrapper in
    an annotation. Anything else is a typed error, never a bare `TypeError`.

    >>> import kernelptr as kp
    >>> class Job(kp.Trait):
    ...     def name(self): ...
    >>> @kp.impl_list_item(id=0, using="links")
    ... @kp.impl_list_arc_safe(id=0, untracked=True)
    ... @kp.struct
    ... class Wrapper:
    ...     links: kp.ListLinks[0]
    ...     wrapped: kp.Unsized
    >>> Wrapper[Job]
    Traceback (most recent call last):
    kernelptr.errors.TraitNotImplemented: `Wrapper<dyn Job>` is not a list item: the trait bound `Wrapper<dyn Job>: ListItem<0>` is not satisfied...
    """
    name = type_name_of(cls)
    if _unsized_field(cls) is None:
        raise TypeMismatch(
            f"`{name}[{getattr(item, '__name__', item)!s}]`: struct `{name}` takes no type "
            "parameter",
            rule="only a struct with a generic last field (`wrapped: kp.Unsized`, "
                 "`T: ?Sized`) can be applied to a type",
            rustc="error[E0107]: struct takes 0 generic arguments but 1 generic argument was "
                  "supplied",
            fix=f"write `{name}` alone, or give it a last field `wrapped: kp.Unsized`")
    if isinstance(item, type) and issubclass(item, Trait):
        if item in cls.__dict__.get("_kp_dyn_items", ()):
            return dyn_type(cls, item)
        ids = sorted(cls.__dict__.get("_kp_list_item", {})) or [0]
        i, trait = ids[0], item.__name__
        declared = ("is a list item only in its concrete form (impl_list_item), whose links "
                    "sit at a fixed offset" if cls.__dict__.get("_kp_list_item") else
                    f"has no ListItem impl for `dyn {trait}`")
        raise TraitNotImplemented(
            f"`{name}<dyn {trait}>` is not a list item: the trait bound "
            f"`{name}<dyn {trait}>: ListItem<{i}>` is not satisfied (`{name}` {declared})",
            rule="a List of trait objects needs `impl ListItem<ID> for Wrapper<dyn Trait>` "
                 "using ListLinksSelfPtr, which stores the fat self pointer on insertion "
                 "(impl ListItem<0> for DTWrap<dyn Foo> in the kernel)",
            rustc=f"error[E0277]: the trait bound `{name}<dyn {trait}>: ListItem<{i}>` is not "
                  "satisfied",
            fix=f"declare the wrapper with @kp.impl_dyn_list_item({trait}, id={i}, "
                f"using='links') (links: kp.ListLinksSelfPtr[{i}], last field kp.Unsized) "
                f"instead of kp.impl_list_item; then kp.List({name}[{trait}])")
    return PointerAlias(cls, item)


def impl_dyn_list_item(trait, *, id: int = 0, using: str = "links"):
    """`impl_list_item! { impl ListItem<ID> for Wrapper<dyn Trait> { using ListLinksSelfPtr {
    self.links }; } }`, as a class decorator on the wrapper struct.

    The struct's last field must be `kp.Unsized` and `using` a `kp.ListLinksSelfPtr[id]`;
    `Wrapper[Trait]` is then `Wrapper<dyn Trait>`, the type a `kp.List` can hold. This is the
    only route to `kp.List(Wrapper[Trait])`: a wrapper declared with `kp.impl_list_item` is a
    list item only as itself. Put it above `kp.impl_list_arc_safe`.

    >>> import kernelptr as kp
    >>> class Job(kp.Trait):
    ...     def name(self): ...
    >>> @kp.impl_dyn_list_item(Job, id=0, using="links")
    ... @kp.impl_list_arc_safe(id=0, untracked=True)
    ... @kp.struct
    ... class Wrapper:
    ...     links: kp.ListLinksSelfPtr[0]
    ...     wrapped: kp.Unsized
    >>> Wrapper[Job].__name__, kp.List(Wrapper[Job]).type_str()
    ('Wrapper<dyn Job>', 'List<Wrapper<dyn Job>, 0>')
    """

    def apply(cls):
        name = getattr(cls, "_kp_type_name", getattr(cls, "__name__", cls))
        last = _unsized_field(cls)
        if last is None:
            raise BuildError(
                f"`{name}` cannot hold `dyn {trait.__name__}`: its last field is not "
                "`kp.Unsized`",
                rule="a struct unsizes only through its last field (Unsize<U>); that field "
                     "holds the value whose type becomes `dyn Trait`",
                rustc="error[E0277]: the size for values of type `dyn Trait` cannot be known "
                      "at compilation time",
                fix="declare the wrapped value last: `wrapped: kp.Unsized`")
        spec = getattr(cls, "_kp_special", {}).get(using)
        if not isinstance(spec, ListLinksSelfPtr) or spec.id != id:
            raise BuildError(
                f"impl_dyn_list_item for `{name}<dyn {trait.__name__}>`: field `{using}` is "
                f"not a ListLinksSelfPtr[{id}]",
                rule="a List of trait objects finds each value through the self pointer its "
                     "links store (ListLinksSelfPtr), not through a fixed offset",
                rustc=f"error[E0277]: `{name}<dyn {trait.__name__}>: HasSelfPtr` is not "
                      "satisfied",
                fix=f"declare `{using}: kp.ListLinksSelfPtr[{id}]`")
        require_list_arc_safe(cls, id, f"impl ListItem<{id}> for {name}<dyn "
                                       f"{trait.__name__}>")
        cls._kp_unsized_field = last
        if "_kp_dyn_items" not in cls.__dict__:
            cls._kp_dyn_items = ()
            _name_by_wrapped(cls, last)
        cls._kp_dyn_items += (trait,)
        register_on(dyn_type(cls, trait), "_kp_list_item", id, using)
        return cls

    return apply


def _name_by_wrapped(cls, field: str) -> None:
    """Name each allocation after what it wraps (`Wrapper<Ping>`), as Rust types read."""
    adopt = cls._kp_adopt

    def _kp_adopt(self, obj):
        adopt(self, obj)
        obj.type_name = f"{type_name_of(cls)}<{type_name_of(getattr(self, field))}>"

    cls._kp_adopt = _kp_adopt


# -- what List does for a list of trait objects ----------------------------------------------
# A `dyn Trait` has no links at a uniform offset, so the kernel wraps each value in a struct
# whose last field is the unsized value and whose links are a `ListLinksSelfPtr` (Binder's
# `DTRWrap<dyn DeliverToRead>`). `List` (kernelptr/list/list.py) calls these functions: it
# refuses `List(Trait)`, accepts only fat `ListArc`s of the right trait (coercing a concrete
# one at push, as rustc does at the call site), stores nothing new (it already writes
# (data, vtable) into `self_ptrs`) and reads the vtable back into the handles that removal
# and iteration hand out.
def holds_dyn(T) -> bool:
    """True for `Wrapper<dyn Trait>` (made by `dyn_type`): a List of trait objects."""
    return T.__dict__.get("_kp_dyn_base") is not None


def read_self_ptr(lst, obj, handle):
    """Give `handle` the vtable stored in the item's `ListLinksSelfPtr` (read back)."""
    stored = obj.self_ptrs.get(lst.id)
    if stored and stored[1] is not None:
        for vt in obj.heap.vtables.values():
            if vt.address == stored[1]:
                handle._vtable = vt
                handle._dyn_name = vt.trait_name
    return handle


def refuse_trait(T, id: int) -> None:
    """`List<dyn Trait>` (`kp.List(SomeTrait)`): raise; anything else passes."""
    if not (isinstance(T, type) and issubclass(T, Trait)):
        return
    name = T.__name__
    raise TraitNotImplemented(
        f"List<dyn {name}, {id}>: the trait bound `dyn {name}: ListItem<{id}>` is not "
        "satisfied: a `dyn` type has no ListLinks at a uniform offset",
        rule="a List finds each item's links at a fixed offset from the item; every type "
             f"implementing {name} lays out its fields differently, so `dyn {name}` has no "
             "such offset",
        rustc=f"error[E0277]: the trait bound `dyn {name}: ListItem<{id}>` is not satisfied",
        fix="wrap the values: a struct with `links: kp.ListLinksSelfPtr[ID]` and a last "
            f"field `kp.Unsized`, declared with kp.impl_dyn_list_item({name}); then "
            f"kp.List(Wrapper[{name}])")


def accept(lst, la, op: str):
    """`List::_accept` for a list of trait objects: a fat ListArc of the wrapper, with the
    list's trait and ID. Returns its object."""
    expected = f"ListArc<{lst.type_name}, {lst.id}>"
    expect_handle(la, ListArc, op, expected)
    obj = la._check(op)
    same_heap(lst, obj, op)
    vt = la._vtable
    if not issubclass(obj.type, lst.T._kp_dyn_base) or la._id != lst.id or \
            vt is None or vt.trait is not lst.T._kp_dyn_trait:
        trait = lst.T._kp_dyn_trait.__name__
        raise TypeMismatch(
            f"{op}: expected `{expected}`, found `{la.type_str()}`",
            rule="a List of trait objects holds fat ListArcs (data + vtable) of the "
                 "wrapper specialised with that trait, with the list's ID",
            rustc=f"error[E0308]: mismatched types: expected `{expected}`, found "
                  f"`{la.type_str()}`",
            fix=f"coerce it first: la.into_dyn({trait}) (its value must implement {trait})")
    return obj


def coerce_at_push(lst, la):
    """The implicit unsizing coercion at the call site, as rustc inserts it: a live, thin
    ListArc with the list's ID becomes `ListArc<Wrapper<dyn Trait>>`; anything else is
    returned as it is (for `accept` to judge)."""
    # Coerce only what `accept` will then take, so a refused push moves nothing.
    if isinstance(la, ListArc) and la._vtable is None and la._state == "live" and \
            la._id == lst.id and la._obj is not None and not la._obj.freed and \
            la._obj.heap is lst._heap and \
            issubclass(la._obj.type, lst.T._kp_dyn_base):
        return dyn.into_dyn(la, lst.T._kp_dyn_trait)
    return la


def object_of(lst, item, op: str):
    """`List::_object_of` for a list of trait objects: the object behind any handle to a
    wrapper (or the wrapper value)."""
    obj = item._check(op) if isinstance(item, Handle) else getattr(item, "_kp_obj", None)
    if obj is None or not issubclass(obj.type, lst.T._kp_dyn_base):
        raise TypeMismatch(f"{op}: expected `&{lst.type_name}`, found "
                           f"`{getattr(item, 'type_str', lambda: type_name_of(item))()}`",
                           rule="remove takes a reference to an item of this list's type",
                           rustc="error[E0308]: mismatched types",
                           fix="pass a handle to the wrapper (or the wrapper value)")
    if obj.freed:
        raise UseAfterFree(f"{op}: the value at {obj.address:#x} was freed",
                           rule="nothing may reach a freed object",
                           fix="keep an Arc to it while you use it")
    return obj
