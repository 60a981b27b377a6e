"""Method receivers read from the `self` annotation, as written in Rust (`self: Arc<Self>`)."""

from __future__ import annotations

import ast
import dis
import inspect
from dataclasses import dataclass

from .._annotations import annotations_of, signature_of
from ..errors import TypeMismatch

__all__ = ["Receiver", "receiver_of", "has_body", "PointerAlias"]

#: Pointer kinds a receiver may name, and whether they take `self` by value.
#: `Pointer` stands for an associated type (`this: Self::Pointer`): each impl picks one.
BY_VALUE = {"Arc": True, "ListArc": True, "UniqueArc": True, "ArcBorrow": False,
            "Pointer": True}


@dataclass(frozen=True)
class Receiver:
    """A method's receiver: `&self` (pointer None) or `self: Pointer<Self>` /
    `self: Pointer<Wrapper<Self>>` (Binder's `DArc<Self>`).

    >>> Receiver("Arc"), Receiver(None), Receiver("ListArc", "Wrapper")
    (self: Arc<Self>, &self, self: ListArc<Wrapper<Self>>)
    """

    pointer: str | None = None
    wrapper: str | None = None

    @property
    def by_value(self) -> bool:
        """True when calling the method consumes the handle (`self: Arc<Self>`)."""
        return BY_VALUE.get(self.pointer, False)

    def rust(self, self_name: str = "Self") -> str:
        """The receiver's Rust type, e.g. `Arc<Ping>` or `&Ping`."""
        if self.pointer is None:
            return f"&{self_name}"
        if self.pointer == "Pointer":
            return f"{self_name}::Pointer"
        inner = f"{self.wrapper}<{self_name}>" if self.wrapper else self_name
        return f"{self.pointer}<{inner}>"

    def __repr__(self) -> str:
        return "&self" if self.pointer is None else f"self: {self.rust()}"


class PointerAlias:
    """`kp.Arc[Job]` in an annotation: a pointer type applied to a pointee (never a handle)."""

    def __init__(self, pointer: type, arg):
        self.pointer = pointer
        self.arg = arg

    def __getitem__(self, item):
        return PointerAlias(self, item)

    def __repr__(self) -> str:
        return f"{_name(self.pointer)}<{_name(self.arg)}>"


def _name(x) -> str:
    if isinstance(x, PointerAlias):
        return repr(x)
    if isinstance(x, str):
        return x
    return getattr(x, "_kp_type_name", None) or getattr(x, "kind", None) or \
        getattr(x, "__name__", repr(x))


def _parts(node) -> list[str]:
    """`kp.ListArc[Wrapper[Self]]` -> ['ListArc', 'Wrapper', 'Self'] (outermost first)."""
    if isinstance(node, ast.Subscript):
        return _parts(node.value) + _parts(node.slice)
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _parse(node.value)
    raise ValueError(ast.dump(node))


def _parse(text: str) -> list[str]:
    return _parts(ast.parse(text.strip(), mode="eval").body)


def _alias_parts(ann) -> list[str]:
    if isinstance(ann, PointerAlias):
        return _alias_parts(ann.pointer) + _alias_parts(ann.arg)
    if isinstance(ann, str):
        return _parse(ann)
    if getattr(ann, "__name__", None) == "Self":     # typing.Self
        return ["Self"]
    return [_name(ann)]


def receiver_of(fn, owner: str, where: str) -> Receiver:
    """Read the receiver of `fn` from its first parameter's annotation (parsed, never
    evaluated). `owner` is the name that may stand for `Self` (the type's or trait's own)."""
    params = list(signature_of(fn).parameters.values())
    if not params or params[0].kind not in (params[0].POSITIONAL_ONLY,
                                             params[0].POSITIONAL_OR_KEYWORD):
        raise TypeMismatch(
            f"{where}: a trait method needs a `self` receiver as its first parameter",
            rule="methods callable on a trait object take self (`&self`, `self: Arc<Self>`)",
            rustc="error[E0038]: the trait cannot be made into an object",
            fix="add a first parameter `self` (annotate it to take a smart pointer)")
    ann = annotations_of(fn).get(params[0].name, inspect.Parameter.empty)
    if ann is inspect.Parameter.empty:
        return Receiver()
    try:
        parts = _alias_parts(ann)
    except (SyntaxError, ValueError):
        parts = []
    parts = ["Self" if p == owner else p for p in parts]
    ok = (len(parts) in (2, 3) and parts[-1] == "Self" and parts[0] in BY_VALUE)
    if not ok:
        raise TypeMismatch(
            f"{where}: invalid `self` parameter type {ann!r}",
            rule="a receiver is `&self`, or `self: P<Self>` for a smart pointer P "
                 f"({', '.join(BY_VALUE)}), optionally `P<Wrapper<Self>>`",
            rustc="error[E0307]: invalid `self` parameter type",
            fix='write self: "kp.Arc[Self]", "kp.ArcBorrow[Self]", "kp.ListArc[Self]" or '
                'leave self unannotated for &self')
    return Receiver(parts[0], parts[1] if len(parts) == 3 else None)


_EMPTY_OPS = {"RESUME", "NOP", "RETURN_CONST", "LOAD_CONST", "RETURN_VALUE", "CACHE"}


def has_body(fn) -> bool:
    """False when a trait method's body is only `...`, `pass` or a docstring (a required
    method in Rust: `fn run(this: Self::Pointer);`)."""
    for ins in dis.get_instructions(fn):
        if ins.opname not in _EMPTY_OPS:
            return True
        if ins.opname in ("RETURN_CONST", "LOAD_CONST") and ins.argval is not None:
            return True
    return False
