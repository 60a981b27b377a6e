"""Which pointer types may be dyn receivers: the compiler's `DispatchFromDyn` rules, explained."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import TypeMismatch

__all__ = ["PointerType", "pointer_type", "check_dispatch_from_dyn", "DispatchReport",
           "LIBRARY_POINTERS"]

_ZST_PREFIXES = ("PhantomData", "PhantomPinned", "()")
_BUILTIN_DISPATCH = ("&", "*const ", "*mut ", "NonNull<", "Box<", "KBox<", "Pin<")


@dataclass(frozen=True)
class PointerType:
    """A declared smart-pointer type, described the way rustc sees it for `DispatchFromDyn`:
    struct or enum, its fields (name, type), its `#[repr]`, its pointee parameter and whether
    an impl exists (`#[derive(CoercePointee)]` or a manual `DispatchFromDyn` impl).

    >>> import kernelptr as kp
    >>> p = kp.pointer_type("MyPtr", fields=["ptr: NonNull<T>", "_p: PhantomData<T>"])
    >>> bool(kp.check_dispatch_from_dyn(p))
    True
    """

    name: str
    fields: tuple = ()                  # ((name, type text or PointerType), ...)
    repr: str = "transparent"           # "transparent", "Rust", "C" or "packed"
    kind: str = "struct"
    pointee: str | None = "T"
    pointee_sized: bool = False          # True: `T` without `?Sized`
    derives: bool = True                 # derive(CoercePointee) / impl DispatchFromDyn
    note: str = ""

    def __repr__(self) -> str:
        return f"PointerType({self.name}<{self.pointee or ''}>)"


def _field(f):
    if isinstance(f, tuple):
        return f
    name, _, typ = f.partition(":")
    return name.strip(), typ.strip()


def pointer_type(name: str, fields=(), *, repr: str = "transparent", kind: str = "struct",
                 pointee: str | None = "T", sized: bool = False, derive: bool = True,
                 note: str = "") -> PointerType:
    """Declare a pointer type to check: `fields` are `"name: Type"` strings or
    `(name, Type)` pairs, where Type may be another declared `PointerType`."""
    if repr not in ("transparent", "Rust", "C", "packed"):
        raise TypeMismatch(f"pointer_type: unknown repr {repr!r}",
                           rule="#[repr] is transparent, C, packed or absent (Rust)",
                           fix='pass repr="transparent", "Rust", "C" or "packed"')
    return PointerType(name, tuple(_field(f) for f in fields), repr, kind, pointee, sized,
                       derive, note)


def _type_text(t) -> str:
    return f"{t.name}<{t.pointee}>" if isinstance(t, PointerType) else str(t)


def _is_zst(t) -> bool:
    return not isinstance(t, PointerType) and str(t).startswith(_ZST_PREFIXES)


def _dispatchable(t, pointee: str | None) -> tuple[bool, str]:
    if isinstance(t, PointerType):
        ok = bool(check_dispatch_from_dyn(t))
        return ok, f"{t.name} {'implements' if ok else 'does not implement'} DispatchFromDyn"
    text = str(t).replace(" ", "")
    mentions = pointee is not None and pointee in text
    for prefix in _BUILTIN_DISPATCH:
        if text.startswith(prefix.replace(" ", "")) and mentions:
            return True, f"`{t}` is a built-in dispatchable pointer"
    for lib in LIBRARY_POINTERS.values():
        if text.startswith(lib.name + "<") and mentions:
            ok = bool(check_dispatch_from_dyn(lib))
            return ok, f"`{t}`: {lib.name} {'implements' if ok else 'lacks'} DispatchFromDyn"
    return False, f"`{t}` is not a pointer to the pointee, so it cannot carry the vtable"


@dataclass(frozen=True)
class Rule:
    text: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class DispatchReport:
    """The rule-by-rule answer to "may `self: P<Self>` be a dyn receiver?" (rustc's
    `DispatchFromDyn` checks); truthy when every rule passes.

    >>> import kernelptr as kp
    >>> report = kp.check_dispatch_from_dyn(kp.ArcBorrow)
    >>> bool(report), report.pointer
    (True, 'ArcBorrow<T>')
    """

    pointer: str
    rules: tuple = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return all(r.passed for r in self.rules)

    @property
    def failed(self) -> list:
        return [r for r in self.rules if not r.passed]

    def __repr__(self) -> str:
        verdict = "allowed" if self else "NOT allowed"
        lines = [f"DispatchFromDyn for {self.pointer}: {verdict}"]
        for r in self.rules:
            lines.append(f"  [{'pass' if r.passed else 'FAIL'}] {r.text}"
                         + (f" -- {r.detail}" if r.detail else ""))
        return "\n".join(lines)


def check_dispatch_from_dyn(p) -> DispatchReport:
    """Check, rule by rule (kernel-api §1.20), whether pointer type `p` may be a dyn receiver.

    `p` is a `PointerType` or one of the library's handle classes (`kp.Arc`, ...).

    >>> import kernelptr as kp
    >>> bool(kp.check_dispatch_from_dyn(kp.Arc)), bool(kp.check_dispatch_from_dyn(kp.UniqueArc))
    (True, False)
    """
    if not isinstance(p, PointerType):
        name = getattr(p, "kind", None) or getattr(p, "__name__", str(p))
        if name not in LIBRARY_POINTERS:
            raise TypeMismatch(f"check_dispatch_from_dyn: {p!r} is not a declared pointer type",
                               rule="the check reads a struct's declaration",
                               fix="declare it with kp.pointer_type(name, fields=[...])")
        p = LIBRARY_POINTERS[name]
    rules = []
    rules.append(Rule("is a struct", p.kind == "struct",
                      "" if p.kind == "struct" else f"it is an {p.kind} (E0802 for the derive)"))
    rules.append(Rule("has a pointee type parameter that is ?Sized",
                      p.pointee is not None and not p.pointee_sized,
                      "no type parameter" if p.pointee is None else
                      (f"`{p.pointee}: Sized` cannot become dyn" if p.pointee_sized else "")))
    rules.append(Rule("is not #[repr(C)] or #[repr(packed)]", p.repr in ("transparent", "Rust"),
                      f"#[repr({p.repr})]" if p.repr in ("C", "packed") else ""))
    real = [(n, t) for n, t in p.fields if not _is_zst(t)]
    rules.append(Rule("exactly one field besides 1-aligned zero-sized markers", len(real) == 1,
                      f"fields that are not ZSTs: {', '.join(n for n, _ in real) or 'none'}"))
    if len(real) == 1:
        ok, why = _dispatchable(real[0][1], p.pointee)
    else:
        ok, why = False, "needs exactly one pointer field to check"
    rules.append(Rule("that field itself implements DispatchFromDyn", ok, why))
    rules.append(Rule("an impl exists: #[derive(CoercePointee)] or impl DispatchFromDyn",
                      p.derives, p.note if not p.derives else ""))
    return DispatchReport(f"{p.name}<{p.pointee or ''}>", tuple(rules))


LIBRARY_POINTERS = {
    "Arc": pointer_type("Arc", ["ptr: NonNull<ArcInner<T>>", "_p: PhantomData<ArcInner<T>>"]),
    "ArcBorrow": pointer_type("ArcBorrow", ["inner: NonNull<ArcInner<T>>",
                                            "_p: PhantomData<&'a ()>"]),
    "ListArc": pointer_type("ListArc", ["arc: Arc<T>"]),
    # The kernel's UniqueArc is `struct UniqueArc<T: ?Sized> { inner: Arc<T> }` with no
    # #[repr(transparent)], no CoercePointee derive and no manual impl: its shape would pass
    # the compiler's checks, but nobody wrote the impl, so `self: UniqueArc<Self>` is not a
    # dyn receiver.
    "UniqueArc": pointer_type("UniqueArc", ["inner: Arc<T>"], repr="Rust", derive=False,
                              note="rust/kernel/sync/arc.rs derives nothing for UniqueArc; "
                                   "convert to Arc first (Arc::from(unique))"),
}
