"""Checks of notebook 05 (dynamic dispatch): a by-value receiver; the DispatchFromDyn rules."""

from __future__ import annotations

from ... import flags as _flags
from ...arc import Arc
from ...errors import KernelPtrError
from ...traits import Trait, check_dispatch_from_dyn, impl_trait, pointer_type
from ..attempt import Hint, attempt
from ..runner import exercise
from ._common import fresh

__all__ = ["ex05_square", "ex05_dispatchable", "Area", "DECLARATIONS"]


class Area(Trait):
    """The trait of exercise 05.1, in Rust `trait Area { fn area(self: Arc<Self>) -> u64; }`:
    `area` takes the Arc by value."""

    def area(self: "kp.Arc[Self]"): ...


@exercise
def ex05_square(Square):
    """`Square` (a struct with `side`) implements `Area`, whose `area` takes `self: Arc<Self>`
    by value; the check calls it through `Arc<dyn Area>` for two sides."""
    if Square is None or Square is Ellipsis:
        raise NotImplementedError
    if not isinstance(Square, type) or not getattr(Square, "_kp_struct", False):
        raise Hint("declare Square as a class with @kp.struct and a `side: int` field.")
    try:
        impl_trait(Area)(Square)
    except KernelPtrError as err:
        raise Hint(f"kp.impl_trait(Area) refused Square: {err.what}. In Rust the trait says "
                   "`fn area(self: Arc<Self>) -> u64`: write the receiver the model's way, "
                   "exactly as the trait has it.") from None
    for side in (3, 7):
        with fresh() as heap:
            shape = Arc.new(Square(side), _flags.GFP_KERNEL).into_dyn(Area)
            address = shape.address
            run = attempt(lambda: shape.area())
            if not run.first("<dyn Area>::area"):
                raise Hint("area was not called through the vtable.")
            if run.result != side * side:
                raise Hint(f"a {side}x{side} square reported area {run.result!r}: use the "
                           "square's own side (self.side).", at=run.first("<dyn Area>::area"))
            if not heap.object_at(address).freed:
                raise Hint("the Arc that area received was the last reference; it should be "
                           "dropped when area returns, unless you keep it somewhere.")
    return "Arc<dyn Area> -> <Square as Area>::area through the vtable, the Arc moved into the " \
           "call and dropped when it returned."


def _declarations():
    """Pointer types, as rustc sees them, with a variety of shapes (only A, B and C are
    shown in the notebook)."""
    p = pointer_type
    return {
        "A": p("A", fields=["ptr: NonNull<T>", "_p: PhantomData<T>"]),
        "B": p("B", fields=["ptr: NonNull<T>", "len: usize"]),
        "C": p("C", fields=["ptr: NonNull<T>"], repr="C"),
        "D": p("D", fields=["ptr: Box<T>", "_pin: PhantomPinned"]),
        "E": p("E", fields=["ptr: *const T"], sized=True),
        "F": p("F", fields=["ptr: &'a T", "_m: PhantomData<&'a ()>"], repr="Rust"),
        "G": p("G", fields=["ptr: NonNull<T>"], repr="packed"),
        "H": p("H", fields=["a: NonNull<T>", "b: NonNull<T>"]),
        "I": p("I", fields=["handle: usize", "_p: PhantomData<T>"]),
        "J": p("J", fields=["ptr: NonNull<T>"], kind="enum"),
        "K": p("K", fields=["ptr: *mut T"], derive=False),
        "L": p("L", fields=["_p: PhantomData<T>"]),
    }


DECLARATIONS = _declarations()


def _rust(p) -> str:
    """A declaration as one line of Rust, for hints."""
    attrs = "" if p.repr in ("Rust",) else f"#[repr({p.repr})] "
    derive = "#[derive(CoercePointee)] " if p.derives else ""
    bound = f"{p.pointee}" if p.pointee_sized else f"{p.pointee}: ?Sized"
    fields = ", ".join(f"{n}: {t}" for n, t in p.fields)
    return f"{derive}{attrs}{p.kind} {p.name}<{bound}> {{ {fields} }}"


@exercise
def ex05_dispatchable(dispatchable):
    """`dispatchable(p) -> bool`: whether pointer type `p` passes the DispatchFromDyn rules,
    decided from its declaration (kind, repr, fields, pointee, derive), for every declaration
    in `DECLARATIONS` (most are not in the notebook)."""
    if isinstance(dispatchable, (set, frozenset, list, tuple, str)):
        raise Hint("write a function `dispatchable(p)` that decides from any declaration, not "
                   "a set of names.", recording=False)
    for name, decl in DECLARATIONS.items():
        run = attempt(dispatchable, decl)
        if run.called("dispatch_from_dyn::check_dispatch_from_dyn") or \
                run.called("traits::check_dispatch_from_dyn"):
            raise Hint("decide from the declaration's fields yourself: "
                       "kp.check_dispatch_from_dyn is the answer key.", recording=False)
        report = check_dispatch_from_dyn(decl)
        if not isinstance(run.result, bool):
            raise Hint(f"return True or False; for {name} you returned {run.result!r}.",
                       recording=False)
        if run.result != bool(report):
            verdict = "can" if run.result else "cannot"
            why = (f"it breaks the rule: {report.failed[0].text}" if not report else
                   "it passes every rule")
            raise Hint(f"your function says `{_rust(decl)}` {verdict} be a dyn receiver; "
                       f"{why}.", recording=False)
    return f"right for all {len(DECLARATIONS)} declarations: a struct over one pointer to a " \
           "?Sized T plus zero-sized markers, not repr(C) or packed, with the impl derived."
