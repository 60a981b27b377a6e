"""Trait objects: the unsizing coercion `into_dyn` and method calls through the vtable.

`DerefHandle` (kernelptr/deref.py) calls in here: `into_dyn`, `trait_method` for
`handle.method`, `dyn_type_name` for the `dyn Trait` in a fat pointer's `type_str`."""

from __future__ import annotations

import inspect

from .. import unwind
from ..errors import (BuildError, NotDynCompatible, ReceiverMismatch, TraitNotImplemented,
                      TypeMismatch)
from ..rust import Stmt, rust_type
from ..types_ import type_name_of
from .trait import impl_of, receiver_in
from .vtable import require_impl, vtable_for

__all__ = ["into_dyn", "TraitMethodCall", "call_method", "trait_method", "dyn_type_name",
           "concrete_type", "NoSuchMethod"]


class NoSuchMethod(TypeMismatch, AttributeError):
    """A name a trait object does not have (rustc E0599); also an AttributeError, so
    `hasattr(dyn_handle, name)` answers False instead of raising."""

#: How to get each receiver from each handle kind: (have, need) -> what to call.
_HOW = {
    ("Arc", "ArcBorrow"): "h.as_arc_borrow()",
    ("ListArc", "ArcBorrow"): "h.as_arc_borrow()",
    ("UniqueArc", "ArcBorrow"): "kp.Arc.from_unique(h).as_arc_borrow()",
    ("ArcBorrow", "Arc"): "h.clone_arc()",
    ("ListArc", "Arc"): "h.into_arc()",
    ("UniqueArc", "Arc"): "kp.Arc.from_unique(h)",
    ("Arc", "ListArc"): "kp.ListArc.try_from_arc(h)",
    ("ArcBorrow", "ListArc"): "kp.ListArc.try_from_arc_borrow(h)",
    ("UniqueArc", "ListArc"): "kp.ListArc.from_unique(h)",
}


def unsized_inner(value):
    """For a wrapper struct whose last field is `kp.Unsized` (see dynlist.py), that field's
    value; else None."""
    field = getattr(type(value), "_kp_unsized_field", None)
    return None if field is None else getattr(value, field, None)


def dyn_type_name(obj, trait_name: str) -> str:
    """The pointee type of a fat pointer to `obj`: `dyn Trait`, or `Wrapper<dyn Trait>` for a
    wrapper struct that unsizes through its last field."""
    inner = unsized_inner(obj.value)
    if inner is None:
        return f"dyn {trait_name}"
    return obj.type_name.replace(f"<{type_name_of(inner)}>", f"<dyn {trait_name}>", 1)


def concrete_type(obj, *, wrapped: bool = False) -> type:
    """The concrete type the object holds (the wrapped one for a wrapper struct)."""
    value = obj.value
    if wrapped:
        inner = unsized_inner(value)
        if inner is not None:
            return type(inner)
    return type(value)


def _check_dyn_compatible(trait) -> None:
    for name, m in trait._kp_methods.items():
        if m.receiver.pointer == "UniqueArc":
            raise NotDynCompatible(
                f"the trait `{trait.__name__}` cannot be made into an object: method `{name}`'s "
                "`self` parameter cannot be dispatched on",
                rule="a dyn receiver must implement DispatchFromDyn; the kernel's UniqueArc "
                     "does not (see kp.check_dispatch_from_dyn(kp.UniqueArc))",
                rustc=f"error[E0038]: the trait `{trait.__name__}` is not dyn compatible",
                fix="take self: Arc<Self> (or &self) in methods meant for trait objects")


def into_dyn(handle, trait):
    """`P<T>` -> `P<dyn Trait>`: the unsizing coercion (`CoerceUnsized`).

    The handle becomes a fat pointer, data address plus the vtable of `<T as Trait>`. Owning
    handles are moved into the result; an `ArcBorrow` is `Copy` and stays usable. For a
    wrapper struct whose last field is `kp.Unsized`, the wrapped value's type is coerced
    (`ListArc<Wrapper<Ping>>` -> `ListArc<Wrapper<dyn WorkItem>>`).

    A `UniqueArc` has no unsizing coercion in the kernel (no `CoerceUnsized`, no
    `CoercePointee` derive, as `check_dispatch_from_dyn(kp.UniqueArc)` reports): refused with
    `TypeMismatch` (rustc E0308), changing nothing; convert it to an `Arc` first.
    """
    op = f"into_dyn({getattr(trait, '__name__', trait)})"
    obj = handle._check(op)
    if handle.kind == "UniqueArc":
        raise _no_unsizing(handle, trait, op)
    if handle._vtable is not None:
        raise TypeMismatch(
            f"{op}: {handle.type_str()} is already a trait object",
            rule="unsizing turns a sized pointee into `dyn Trait` once; `dyn A` to `dyn B` "
                 "is not an unsizing coercion",
            rustc="error[E0605]: non-primitive cast",
            fix="keep the concrete handle if you need other traits")
    inner = unsized_inner(obj.value)
    typ = type(inner) if inner is not None else type(obj.value)
    require_impl(typ, trait, f"{handle.type_str()}.{op}")
    if handle._id is not None and inner is None:
        _require_list_arc_safe_dyn(handle, trait, op)
    _check_dyn_compatible(trait)
    vt = vtable_for(typ, trait, obj.heap)
    before = handle.type_str()
    if handle.owning:
        new = handle._transfer(f"{handle.kind}::{op}")
    else:
        new = handle._clone_handle(obj)
    new._vtable = vt
    new._dyn_name = trait.__name__
    target = rust_type(new)
    obj.heap.emit("CoerceUnsized", f"{before} -> {new.type_str()}: fat pointer (data "
                  f"{obj.data_address:#x}, vtable {vt.address:#x})", (obj.address,),
                  rust=Stmt("{} as %s" % target, handle, result=new, typed=True, inline="{}",
                            coerce=True))
    return new


def _no_unsizing(handle, trait, op: str) -> TypeMismatch:
    """`UniqueArc<T>` -> `UniqueArc<dyn Trait>`: no `CoerceUnsized` impl exists."""
    name = getattr(trait, "__name__", str(trait))
    found = handle.type_str()
    wanted = found.replace(f"<{handle._pointee_name()}>", f"<dyn {name}>", 1)
    return TypeMismatch(
        f"{found}.{op}: a UniqueArc has no unsizing coercion to `{wanted}`",
        rule="only pointers that implement CoerceUnsized coerce to a trait object; the kernel "
             "derives CoercePointee for Arc, ArcBorrow and ListArc, but not for UniqueArc "
             "(see kp.check_dispatch_from_dyn(kp.UniqueArc))",
        rustc=f"error[E0308]: mismatched types: expected `{wanted}`, found `{found}`",
        fix=f"convert it to an Arc first (free, count stays 1): "
            f"kp.Arc.from_unique(u).into_dyn({name}), or make a ListArc: "
            f"kp.ListArc.from_unique(u).into_dyn({name})")


def _require_list_arc_safe_dyn(handle, trait, op: str) -> None:
    """`ListArc<T, ID>` -> `ListArc<dyn Trait, ID>` needs `dyn Trait: ListArcSafe<ID>`, which
    only a `ListArcSafe<ID>` supertrait gives (behaviour 34). A wrapper struct implements
    `ListArcSafe` itself, for every wrapped type, so it needs none."""
    if handle._id in trait._kp_list_arc_safe:
        return
    name, i = trait.__name__, handle._id
    raise TraitNotImplemented(
        f"{handle.type_str()}.{op}: the trait bound `dyn {name}: ListArcSafe<{i}>` is not "
        "satisfied",
        rule="a ListArc<U, ID> needs U: ListArcSafe<ID>; for U = dyn Trait that holds only "
             "when ListArcSafe<ID> is a supertrait of the trait",
        rustc=f"error[E0277]: the trait bound `dyn {name}: ListArcSafe<{i}>` is not "
              "satisfied",
        fix=f"declare it: class {name}(kp.Trait, list_arc_safe=({i},)), i.e. "
            f"`trait {name}: ListArcSafe<{i}>`; or wrap the value (Wrapper<dyn {name}>)")


def _describe_handle(h) -> str:
    return h.type_str()


class TraitMethodCall:
    """A trait method looked up on a handle (`arc.run`), called with the declared receiver."""

    def __init__(self, handle, trait, name: str, wrapped: bool):
        self._handle = handle
        self._trait = trait
        self._name = name
        self._wrapped = wrapped

    def __call__(self, *args, **kwargs):
        return call_method(self._handle, self._trait, self._name, *args,
                           _wrapped=self._wrapped, **kwargs)

    def __repr__(self) -> str:
        return f"<method {self._trait.__name__}::{self._name} of {self._handle.type_str()}>"


def _mismatch(handle, trait, name, receiver, own):
    how = _HOW.get((handle.kind, receiver.pointer))
    needed = receiver.rust("Self")
    if receiver.wrapper is not None and handle.kind == receiver.pointer:
        fix = (f"the value must live in a {receiver.wrapper}: allocate "
               f"{receiver.wrapper}(value) instead")
    elif how is not None:
        fix = f"call {how} first"
    else:
        fix = f"call it through a {receiver.pointer} to the value"
    return ReceiverMismatch(
        f"{trait.__name__}::{name} takes self: {needed}, but was called through "
        f"{handle.type_str()}; this method takes self: {needed}; {fix}",
        rule="a method can only be called through the receiver type it declares "
             "(arbitrary self types): the handle is not converted implicitly",
        rustc=f"error[E0599]: no method named `{name}` found for `{handle.type_str()}` "
              f"(the method takes `self: {receiver.rust(own)}`)",
        fix=fix)


def _returned(result, handle) -> bool:
    """Whether the method handed `handle` back (itself, in a tuple or list, or in an
    `Ok`/`Err`)."""
    from ..result import Err, Ok

    if result is handle:
        return True
    if isinstance(result, (tuple, list)):
        return any(_returned(r, handle) for r in result)
    if isinstance(result, (Ok, Err)):
        return _returned(result.value, handle)
    return False


def call_method(handle, trait, name: str, *args, _wrapped: bool = False, **kwargs):
    """Call `Trait::name` on `handle`: through the vtable for a fat pointer, statically
    otherwise. A by-value receiver consumes the handle; the method's `self` is dropped when
    the method returns unless it moved it on (stored it, pushed it, returned it)."""
    obj = handle._check(f"{trait.__name__}::{name}")
    vt = handle._vtable
    typ = vt.type if vt is not None else concrete_type(obj, wrapped=_wrapped)
    receiver = receiver_in(typ, trait, name)
    own = type_name_of(typ)
    # Validate everything before changing anything.
    if receiver.pointer is not None and receiver.pointer != handle.kind:
        raise _mismatch(handle, trait, name, receiver, own)
    inner = unsized_inner(obj.value)
    if receiver.wrapper is not None and inner is None:
        raise _mismatch(handle, trait, name, receiver, own)
    fn = vt.function(name) if vt is not None else impl_of(typ, trait)[name]
    if fn is None:
        raise BuildError(
            f"<{own} as {trait.__name__}>::{name} is not implemented: the #[vtable] default "
            "body would run",
            rule="a #[vtable] trait's default bodies are never meant to run "
                 "(build_error!(VTABLE_DEFAULT_ERROR)); callers check HAS_<NAME> first",
            fix=f"check {own}.HAS_{name.upper()} before calling, or implement {name}")
    _check_arguments(fn, f"<{own} as {trait.__name__}>::{name}", args, kwargs)
    heap = obj.heap
    if receiver.pointer is None:
        this = inner if inner is not None and (vt is not None or _wrapped) else obj.value
    else:
        this = handle._transfer(f"{trait.__name__}::{name}") if receiver.by_value else \
            handle._clone_handle(obj)
        # Inside the method `self` has the concrete type: a thin pointer.
        this._vtable = None
        this._dyn_name = None
    rust = _call_stmt(fn, own, name, handle, args)
    if vt is not None:
        heap.emit(f"<dyn {trait.__name__}>::{name}",
                  f"dynamic dispatch: load slot {vt.slot_of(name)} of vtable {vt.address:#x}, "
                  f"call {vt.describe(name)}", (obj.address,), rust=rust)
    else:
        heap.emit(f"<{own} as {trait.__name__}>::{name}",
                  f"static call of {own}::{name} with self: {receiver.rust(own)}",
                  (obj.address,), rust=rust)
    try:
        result = fn(this, *args, **kwargs)
    except BaseException as error:
        # Unwinding: the method panicked; the `self` it was given is dropped on the way out
        # (a second panic from that drop aborts, see kernelptr.unwind).
        if receiver.by_value and _unclaimed(this):
            unwind.unwind_out_of(f"{own}::{name}", error, this)
        raise
    if receiver.by_value and _unclaimed(this) and not _returned(result, this):
        # INVARIANT: a by-value `self` nobody took is dropped at the end of the method.
        from ..rust import implicit

        with implicit(f"end of {own}::{name}"):
            this.drop()
    return result


def _call_stmt(fn, own: str, name: str, handle, args) -> Stmt:
    """`x.name(args)`, or `Type::name(x, args)` for a method whose receiver is not spelled
    `self` (the workqueue's `run(this: Arc<Self>)`)."""
    code = getattr(fn, "__code__", None)
    first = code.co_varnames[0] if code is not None and code.co_argcount else "self"
    fields = ", ".join("{}" for _ in args)
    if first != "self":
        template = f"{own}::{name}({{}}{', ' if args else ''}{fields})"
    else:
        template = f"{{}}.{name}({fields})"
    return Stmt(template, handle, *args)


def _unclaimed(this) -> bool:
    """A by-value `self` the method neither moved on nor stored: it is still the method's."""
    return this._state == "live" and this._inside is None and \
        not (this._obj is not None and this._obj.freed)


def _check_arguments(fn, what: str, args, kwargs) -> None:
    """Refuse a call whose arguments do not fit the method (rustc E0061), before anything
    moves."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return          # a builtin without a signature: Python will check
    try:
        signature.bind(None, *args, **kwargs)
    except TypeError as error:
        params = [p for p in signature.parameters.values()][1:]
        takes = ", ".join(p.name for p in params) or "no arguments"
        raise TypeMismatch(
            f"{what}: {error}",
            rule="a method is called with exactly the arguments it declares after self",
            rustc=f"error[E0061]: this method takes {len(params)} argument(s) but "
                  f"{len(args) + len(kwargs)} were supplied",
            fix=f"pass: {takes}") from None


def trait_method(handle, name: str):
    """The trait method `name` reachable through `handle` (a `TraitMethodCall`), or None.
    Through a fat pointer only the trait's methods exist: any other name raises
    `NoSuchMethod`."""
    obj = handle._obj
    if obj is None or obj.freed or obj.uninit or handle._state != "live":
        return None
    vt = handle._vtable
    if vt is not None:
        if name in vt.trait._kp_methods:
            return TraitMethodCall(handle, vt.trait, name, True)
        raise NoSuchMethod(
            f"no method named `{name}` on {handle.type_str()}: a trait object only has the "
            f"trait's methods ({', '.join(vt.trait._kp_methods) or 'none'})",
            rule="through `dyn Trait` only the vtable's methods are reachable; the concrete "
                 "type is erased",
            rustc=f"error[E0599]: no method named `{name}` found for `{handle.type_str()}`",
            fix="keep a concrete handle (or an ArcBorrow of it) to use the type's own fields")
    for wrapped, typ in ((False, type(obj.value)), (True, concrete_type(obj, wrapped=True))):
        for trait in getattr(typ, "_kp_impls", {}):
            m = trait._kp_methods.get(name)
            if m is not None and (not wrapped or typ is not type(obj.value)):
                return TraitMethodCall(handle, trait, name, wrapped)
    return None
