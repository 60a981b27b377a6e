"""Memory layout facts (64-bit): what the kernel's types cost next to userspace Rust's."""

from __future__ import annotations

from dataclasses import dataclass

from .struct import FieldSpec
from .types_ import arc_header, size_align_of, type_name_of

__all__ = ["layout", "Layout"]


@dataclass(frozen=True)
class Layout:
    """The size and alignment of a type and, for `ArcInner`, its header: `core::alloc::Layout`.

    >>> import kernelptr as kp
    >>> kp.layout(int).arc_inner, kp.layout(int).std_arc_inner
    (16, 24)
    """

    type_name: str
    size: int
    align: int

    @property
    def arc_header(self) -> int:
        """The kernel's `ArcInner` header: a 4-byte `refcount_t` padded to the alignment."""
        return arc_header(self.align)

    @property
    def arc_inner(self) -> int:
        """`size_of::<kernel::sync::ArcInner<T>>()`."""
        return _round(self.arc_header + self.size, max(4, self.align))

    @property
    def std_arc_header(self) -> int:
        """std's `ArcInner` header: strong and weak `AtomicUsize`, 16 bytes."""
        return 16

    @property
    def std_arc_inner(self) -> int:
        return _round(16 + self.size, max(8, self.align))

    def __repr__(self) -> str:
        return f"Layout({self.type_name}: size={self.size}, align={self.align})"


def _round(n: int, a: int) -> int:
    return -(-n // a) * a


#: Sizes of the pointer types themselves (bytes, 64-bit), as in the kernel-api reference §1.4.
POINTER_SIZES = {
    "Arc<T>": 8, "Option<Arc<T>>": 8, "Arc<dyn Trait>": 16, "ArcBorrow<T>": 8,
    "UniqueArc<T>": 8, "ListArc<T, ID>": 8, "refcount_t": 4, "ListLinks<ID>": 16,
    "ListLinksSelfPtr<T, ID>": 24, "ListLinksSelfPtr<dyn Trait, ID>": 32, "List<T, ID>": 8,
}


def layout(t) -> Layout:
    """`kp.layout(T)`: size and alignment of a struct, a primitive type or a field type such
    as `kp.ListLinks[0]` (two pointers: 16 bytes, as `core::mem::size_of` says in the kernel).

    >>> import kernelptr as kp
    >>> kp.layout(kp.ListLinks[0]), kp.layout(kp.ListLinks).size
    (Layout(ListLinks<0>: size=16, align=8), 16)
    """
    if isinstance(t, FieldSpec) or (isinstance(t, type) and issubclass(t, FieldSpec)):
        name = repr(t) if isinstance(t, FieldSpec) else (getattr(t, "rust_name", "")
                                                         or t.__name__)
        return Layout(name, t.size, t.align)
    size, align = size_align_of(t)
    return Layout(type_name_of(t), size, align)
