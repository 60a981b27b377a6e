"""Vtables in a read-only region: one per (type, trait), as rustc emits them into `.rodata`."""

from __future__ import annotations

from ..errors import BuildError, TraitNotImplemented, TypeMismatch
from ..heap import current_heap
from ..snapshot import VtableSnap
from ..types_ import size_align_of, type_name_of
from .trait import Trait, impl_of, implements, require_trait

__all__ = ["Vtable", "vtable_for", "CVtable", "c_vtable", "RODATA_BASE"]

#: Where the model places vtables: a `.rodata`-like range, apart from the heap.
RODATA_BASE = 0xFFFF_FFFF_8200_0000
_HEADER_SLOTS = ("drop_in_place", "size", "align")


class Vtable:
    """The vtable of `<Type as Trait>`: `drop_in_place`, `size`, `align`, then one function
    pointer per trait method, in declaration order. Read-only and shared by every fat pointer
    to that type as that trait.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> class Speak(kp.Trait):
    ...     def speak(self): ...
    >>> @kp.impl_trait(Speak)
    ... class Cat:
    ...     def speak(self):
    ...         return "meow"
    >>> vt = kp.vtable_for(Cat, Speak)
    >>> vt, [name for name, _ in vt.snapshot().slots]
    (Vtable(<Cat as Speak> @0xffffffff82000000), ['drop_in_place', 'speak'])
    """

    def __init__(self, address: int, typ: type, trait: type):
        self.address = address
        self.type = typ
        self.trait = trait
        self.type_name = type_name_of(typ)
        self.trait_name = trait.__name__
        self.size, self.align = size_align_of(typ)
        self.functions = dict(impl_of(typ, trait))    # method name -> function or None

    @property
    def byte_size(self) -> int:
        return 8 * (len(_HEADER_SLOTS) + len(self.functions))

    def slot_of(self, method: str) -> int:
        """The index of `method`'s function pointer (after the three header words)."""
        return len(_HEADER_SLOTS) + list(self.functions).index(method)

    def function(self, method: str):
        return self.functions[method]

    def describe(self, method: str) -> str:
        return f"<{self.type_name} as {self.trait_name}>::{method}"

    def snapshot(self) -> VtableSnap:
        slots = [("drop_in_place", f"core::ptr::drop_in_place::<{self.type_name}>")]
        for name, fn in self.functions.items():
            slots.append((name, None if fn is None else self.describe(name)))
        return VtableSnap(self.address, self.type_name, self.trait_name, self.size,
                          self.align, tuple(slots))

    def __repr__(self) -> str:
        return f"Vtable(<{self.type_name} as {self.trait_name}> @{self.address:#x})"


def require_impl(typ: type, trait: type, what: str) -> None:
    """Raise E0277 unless `typ: Trait` (changes nothing)."""
    if not (isinstance(trait, type) and issubclass(trait, Trait)):
        raise TypeMismatch(f"{what}: {trait!r} is not a trait",
                           rule="`dyn X` needs X to be a trait",
                           rustc="error[E0404]: expected trait",
                           fix="pass a subclass of kp.Trait")
    if not implements(typ, trait):
        name = type_name_of(typ)
        raise TraitNotImplemented(
            f"{what}: the trait bound `{name}: {trait.__name__}` is not satisfied",
            rule=f"only a type that implements {trait.__name__} can become "
                 f"`dyn {trait.__name__}` (Unsize needs the impl)",
            rustc=f"error[E0277]: the trait bound `{name}: {trait.__name__}` is not satisfied",
            fix=f"declare @kp.impl_trait({trait.__name__}) on {name}")


def vtable_for(typ: type, trait: type, heap=None) -> Vtable:
    """The one vtable of `<typ as trait>` on this heap, placed in the read-only region the
    first time it is needed (addresses are deterministic: in order of first use)."""
    heap = heap if heap is not None else current_heap()
    found = heap.vtables.get((typ, trait))
    if found is not None:
        return found
    require_impl(typ, trait, f"vtable of <{type_name_of(typ)} as {trait.__name__}>")
    address = RODATA_BASE
    for vt in heap.vtables.values():
        address = max(address, -(-(vt.address + vt.byte_size) // 0x10) * 0x10)
    vt = Vtable(address, typ, trait)
    heap.vtables[(typ, trait)] = vt
    return vt


class CVtable:
    """The C operations table a `#[vtable]` abstraction fills in: a function pointer where
    the impl defines the method (`HAS_<NAME>` true), NULL (None) elsewhere (behaviour 76).

    `call(name, *args)` is the C side: it checks the slot for NULL first and then returns
    that caller's error without running anything (`-EINVAL`, as `vfs_write` does for a file
    without `write`, unless `defaults` says otherwise: `vfs_ioctl` returns `-ENOTTY`); the
    trait's default body never runs.

    >>> import kernelptr as kp
    >>> @kp.vtable
    ... class FileOps(kp.Trait):
    ...     def open(self): ...
    ...     def write(self, data): ...
    >>> @kp.impl_trait(FileOps)
    ... class MyFile:
    ...     def open(self):
    ...         return 0
    >>> table = kp.c_vtable(FileOps, MyFile)
    >>> table.slots, table.call("write", MyFile(), b"x")
    ({'open': '<MyFile as FileOps>::open', 'write': None}, -22)
    """

    EINVAL = -22

    def __init__(self, trait: type, typ: type, defaults: dict | None = None):
        self.trait = trait
        self.type = typ
        self.defaults = dict(defaults or {})
        funcs = impl_of(typ, trait)
        for n in trait._kp_methods:
            if getattr(typ, f"HAS_{n.upper()}") and funcs[n] is None:
                raise BuildError(
                    f"impl {trait.__name__} for {type_name_of(typ)} declares HAS_{n.upper()} "
                    f"= true but defines no `{n}`: the table would point at the trait's "
                    "default body",
                    rule="a #[vtable] default body is `build_error!(VTABLE_DEFAULT_ERROR)`: "
                         "the build fails as soon as anything can call it",
                    rustc="error: the build_error! in the default body fails the build "
                          "(VTABLE_DEFAULT_ERROR)",
                    fix=f"define {n} in the impl, or set HAS_{n.upper()} = False")
        self._functions = {n: (funcs[n] if getattr(typ, f"HAS_{n.upper()}") else None)
                           for n in trait._kp_methods}
        self.slots = {n: (None if f is None else
                          f"<{type_name_of(typ)} as {trait.__name__}>::{n}")
                      for n, f in self._functions.items()}

    def call(self, name: str, *args):
        """What the C caller does: `if (ops->name) return ops->name(args); return default;`."""
        if name not in self._functions:
            raise TypeMismatch(f"{self.trait.__name__} has no operation {name!r}",
                               rule="a C ops table has exactly the trait's slots",
                               rustc="error[E0609]: no field on type",
                               fix=f"slots are: {', '.join(self._functions)}")
        fn = self._functions[name]
        heap = current_heap()
        if fn is None:
            result = self.defaults.get(name, self.EINVAL)
            heap.emit(f"{self.trait.__name__}::{name} (C caller)",
                      f"ops->{name} is NULL: the C side returns {result} without calling "
                      "anything", rust=f"// C: ops->{name} is NULL, so the caller returns "
                                       f"{result} and no Rust runs")
            return result
        heap.emit(f"{self.trait.__name__}::{name} (C caller)",
                  f"ops->{name} is set: calling {self.slots[name]}",
                  rust=f"// C: ops->{name} is set, so the caller calls {self.slots[name]}")
        return fn(*args)

    def __repr__(self) -> str:
        filled = ", ".join(f"{n}={'NULL' if s is None else 'fn'}" for n, s in self.slots.items())
        return f"CVtable(<{type_name_of(self.type)} as {self.trait.__name__}>: {filled})"


def c_vtable(trait: type, typ: type, defaults: dict | None = None) -> CVtable:
    """`kp.c_vtable(Trait, Impl)`: build the C ops table for a `#[vtable]` trait's impl."""
    require_trait(trait, "c_vtable")
    if not getattr(trait, "_kp_vtable_attr", False):
        raise TypeMismatch(
            f"c_vtable: trait {trait.__name__} is not declared with @kp.vtable",
            rule="only #[vtable] traits have HAS_<NAME> constants to build a C table from",
            rustc=f"error[E0599]: no associated item named `HAS_...` found for `{trait.__name__}`",
            fix="decorate the trait with @kp.vtable")
    require_impl(typ, trait, "c_vtable")
    return CVtable(trait, typ, defaults)
