"""How the model names and sizes Rust types (`Arc<Job>`, `ArcInner<u64>` is 16 bytes)."""

from __future__ import annotations

import re

__all__ = ["type_name_of", "size_align_of", "safe_repr"]

_PY_ID = re.compile(r" at 0x[0-9a-fA-F]+")


def safe_repr(value, limit: int = 60) -> str:
    """`repr(value)` without Python memory addresses (stable from run to run), shortened.

    >>> safe_repr(object()), safe_repr("x" * 70)[-4:]
    ('<object object>', 'x...')
    """
    text = _PY_ID.sub("", repr(value))
    return text if len(text) <= limit else text[:limit - 3] + "..."

_PRIMITIVES = {bool: ("bool", 1, 1), int: ("i64", 8, 8), float: ("f64", 8, 8),
               str: ("String", 24, 8), bytes: ("KVec<u8>", 24, 8), type(None): ("()", 0, 1)}


def type_name_of(value) -> str:
    """The Rust-looking type name of a model value (a struct's name, `i64`, `String`, ...)."""
    if isinstance(value, type):
        if value in _PRIMITIVES:
            return _PRIMITIVES[value][0]
        return getattr(value, "_kp_type_name", value.__name__)
    name = getattr(type(value), "_kp_type_name", None)
    if name:
        return name
    if type(value) in _PRIMITIVES:
        return _PRIMITIVES[type(value)][0]
    return type(value).__name__


def size_align_of(value_or_type) -> tuple[int, int]:
    """(size, align) in bytes on a 64-bit kernel, as `core::mem::size_of`/`align_of` give."""
    t = value_or_type if isinstance(value_or_type, type) else type(value_or_type)
    layout = getattr(t, "_kp_layout", None)
    if layout is not None:
        return layout()
    if t in _PRIMITIVES:
        _, size, align = _PRIMITIVES[t]
        return size, align
    return 8, 8


def arc_header(align: int) -> int:
    """Bytes before `data` in the kernel's `ArcInner<T>`: a 4-byte refcount padded to T's
    alignment."""
    return max(4, align) if align > 4 else 4
