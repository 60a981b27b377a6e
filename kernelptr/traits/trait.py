"""Traits and `impl Trait for Type`, checked when the impl is declared (like rustc)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ReceiverMismatch, TraitNotImplemented
from ..types_ import type_name_of
from .receiver import Receiver, has_body, receiver_of

__all__ = ["Trait", "TraitMethod", "impl_trait", "vtable", "implements", "impl_of",
           "receiver_in", "register_on", "require_trait"]


@dataclass(frozen=True)
class TraitMethod:
    """One method a trait declares: its receiver and, when it has one, its default body."""

    name: str
    receiver: Receiver
    default: object = None      # the trait's own body, or None for a required method

    @property
    def required(self) -> bool:
        return self.default is None


class Trait:
    """Base of model traits: a Rust `trait`, whose methods declare their receivers.

    Each method's first parameter is its receiver, annotated as in Rust
    (`self: "kp.Arc[Self]"`); unannotated means `&self`. A body of `...` is a required
    method, any other body a provided default.

    >>> import kernelptr as kp
    >>> class Greet(kp.Trait):
    ...     def hello(self: "kp.ArcBorrow[Self]"): ...
    >>> Greet.methods()
    {'hello': self: ArcBorrow<Self>}
    """

    _kp_methods: dict = {}
    _kp_vtable_attr = False
    _kp_list_arc_safe: tuple = ()    # IDs of a `ListArcSafe<ID>` supertrait

    def __init_subclass__(cls, list_arc_safe: tuple = (), **kw):
        """`class Run(kp.Trait, list_arc_safe=(0,))` declares `trait Run: ListArcSafe<0>`,
        which lets `ListArc<T, 0>` coerce to `ListArc<dyn Run, 0>` (behaviour 34)."""
        super().__init_subclass__(**kw)
        inherited = tuple(i for base in cls.__mro__[1:]
                          for i in getattr(base, "_kp_list_arc_safe", ()))
        cls._kp_list_arc_safe = tuple(sorted(set(inherited) | set(list_arc_safe)))
        methods = {}
        for base in reversed(cls.__mro__[1:]):
            methods.update(getattr(base, "_kp_methods", {}))
        for name, fn in cls.__dict__.items():
            if name.startswith("_") or not callable(fn) or isinstance(fn, type):
                continue
            methods[name] = TraitMethod(name, receiver_of(fn, cls.__name__,
                                                          f"trait {cls.__name__}::{name}"),
                                        fn if has_body(fn) else None)
        cls._kp_methods = methods

    @classmethod
    def methods(cls) -> dict:
        """Method name -> receiver, in declaration order (the vtable's method slots)."""
        return {n: m.receiver for n, m in cls._kp_methods.items()}

    @classmethod
    def trait_name(cls) -> str:
        return cls.__name__


def vtable(trait: type) -> type:
    """`#[vtable]` on a trait: every method becomes optional and gets `HAS_<NAME> = False`;
    the impl sets `HAS_<NAME> = True` for the methods it defines (behaviour 76). On either
    side a `HAS_<NAME>` written by hand is kept, as `rust/macros/vtable.rs` skips consts
    that are already declared.

    >>> import kernelptr as kp
    >>> @kp.vtable
    ... class FileOps(kp.Trait):
    ...     def open(self): ...
    ...     def ioctl(self): ...
    >>> FileOps.HAS_OPEN, FileOps.HAS_IOCTL
    (False, False)
    """
    require_trait(trait, "#[vtable]")
    trait._kp_vtable_attr = True
    for name in trait._kp_methods:
        const = f"HAS_{name.upper()}"
        if const not in trait.__dict__:      # a const the user wrote is kept
            setattr(trait, const, False)
    return trait


def require_trait(trait, what: str) -> None:
    """Refuse anything but a trait (a subclass of `kp.Trait`): rustc E0404."""
    if not (isinstance(trait, type) and issubclass(trait, Trait)):
        from ..types_ import safe_repr

        found = trait.__name__ if isinstance(trait, type) else safe_repr(trait)
        raise TraitNotImplemented(
            f"{what}({found}): expected a trait (a subclass of kp.Trait)",
            rule="only traits can be implemented, made into C tables or used as `dyn`",
            rustc=f"error[E0404]: expected trait, found `{found}`",
            fix="derive the trait class from kp.Trait")


def _type_name(cls) -> str:
    return type_name_of(cls)


def impl_trait(trait: type):
    """`impl Trait for Type` as a class decorator: reports missing methods (E0046) and
    receivers that differ from the trait's (E0053) at declaration time.

    >>> import kernelptr as kp
    >>> class Greet(kp.Trait):
    ...     def hello(self: "kp.ArcBorrow[Self]"): ...
    >>> @kp.impl_trait(Greet)
    ... class Dog:
    ...     def hello(self: "kp.ArcBorrow[Self]"):
    ...         return "woof"
    >>> kp.implements(Dog, Greet)
    True
    """
    require_trait(trait, "impl_trait")

    def decorate(cls):
        tname = trait.__name__
        own = _type_name(cls)
        where = f"impl {tname} for {own}"
        missing, methods, receivers = [], {}, {}
        for name, m in trait._kp_methods.items():
            fn = cls.__dict__.get(name)
            if fn is None:
                if m.required and not trait._kp_vtable_attr:
                    missing.append(name)
                # A #[vtable] method left out is a NULL slot; its default body never runs.
                methods[name] = None if trait._kp_vtable_attr else m.default
                continue
            got = receiver_of(fn, cls.__name__, f"{where}::{name}")
            if own != cls.__name__ and got == Receiver():
                got = receiver_of(fn, own, f"{where}::{name}")
            if m.receiver.pointer == "Pointer" and got.by_value and got.pointer != "Pointer":
                pass    # the impl chooses `type Pointer` (Arc<Self>, a unique box, ...)
            elif got != m.receiver:
                raise ReceiverMismatch(
                    f"{where}: method `{name}` has an incompatible receiver: the trait "
                    f"declares `{m.receiver!r}`, the impl `{got!r}`",
                    rule="an impl's method must have exactly the signature the trait declares",
                    rustc=f"error[E0053]: method `{name}` has an incompatible type for trait: "
                          f"expected `{m.receiver.rust(own)}`, found `{got.rust(own)}`",
                    fix=f"annotate self as the trait does ({m.receiver!r})")
            methods[name] = fn
            receivers[name] = got
        if missing:
            names = ", ".join(f"`{n}`" for n in missing)
            raise TraitNotImplemented(
                f"{where}: not all trait items implemented, missing: {names}",
                rule="an impl must define every trait method that has no default body",
                rustc=f"error[E0046]: not all trait items implemented, missing: {names}",
                fix=f"define {', '.join(missing)} in {own} (with the trait's receivers)")
        # INVARIANT: only a complete, well-typed impl is recorded.
        register_on(cls, "_kp_impls", trait, methods)
        register_on(cls, "_kp_receivers", trait, receivers)
        if trait._kp_vtable_attr:
            for name in trait._kp_methods:
                const = f"HAS_{name.upper()}"
                if const in cls.__dict__:
                    continue            # `#[vtable]` skips a const the impl wrote itself
                setattr(cls, const, name in cls.__dict__ or bool(getattr(trait, const)))
        return cls

    return decorate


def register_on(cls, attr: str, key, value) -> None:
    """Record `key -> value` in the table `attr` of `cls` itself (never a base class's)."""
    table = dict(cls.__dict__.get(attr, {}))
    table[key] = value
    setattr(cls, attr, table)


def implements(cls, trait) -> bool:
    """Whether `impl Trait for Type` was declared (`T: Trait` holds)."""
    return trait in getattr(cls, "_kp_impls", {})


def receiver_in(cls, trait, name: str):
    """The receiver `cls`'s impl of `trait` uses for `name` (the trait's, unless the trait
    leaves the pointer to the impl with `Self::Pointer`)."""
    return cls.__dict__.get("_kp_receivers", {}).get(trait, {}).get(
        name, trait._kp_methods[name].receiver)


def impl_of(cls, trait) -> dict:
    """The impl's methods (name -> function; None for a `#[vtable]` method left out)."""
    return cls._kp_impls[trait]
