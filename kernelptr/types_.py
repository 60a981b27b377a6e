"""How the model names and sizes Rust types (`Arc<Job>`, `ArcInner<u64>` is 16 bytes)."""

from __future__ import annotations

import itertools
import re
import reprlib

from .errors import TypeMismatch

__all__ = ["type_name_of", "size_align_of", "safe_repr", "check_id"]

_PY_ID = re.compile(r" at 0x[0-9a-fA-F]+")


class _Bounded(reprlib.Repr):
    """`reprlib` sized so that its text starts exactly like `repr` for `limit` characters:
    a value whose repr fits reads the same, a huge one costs O(limit), not O(size)."""

    def __init__(self, limit: int):
        super().__init__()
        self.maxlevel = limit
        for name in ("maxtuple", "maxlist", "maxarray", "maxdict", "maxset", "maxfrozenset",
                     "maxdeque"):
            setattr(self, name, limit // 3 + 1)
        self.maxstring = self.maxlong = self.maxother = 2 * limit + 6

    # In the order `repr` uses (reprlib sorts dicts and sets).
    def repr_dict(self, x, level):
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}"
                  for k, v in itertools.islice(x.items(), self.maxdict)]
        if len(x) > self.maxdict:
            pieces.append("...")
        return "{" + ", ".join(pieces) + "}"

    def repr_set(self, x, level):
        return self._repr_iterable(x, level, "{", "}", self.maxset) if x else "set()"

    def repr_frozenset(self, x, level):
        return self._repr_iterable(x, level, "frozenset({", "})", self.maxfrozenset) \
            if x else "frozenset()"

    def repr_instance(self, x, level):
        try:
            text = repr(x)
        except Exception as error:
            return _failed(x, error)
        return text if len(text) <= self.maxother else text[:self.maxother - 3] + "..."


_BOUNDED: dict = {}


def _failed(value, error) -> str:
    return f"<{type(value).__name__}: repr raised {type(error).__name__}>"


def safe_repr(value, limit: int = 60) -> str:
    """`repr(value)` without Python memory addresses (stable from run to run), shortened to
    `limit` characters, in time bounded by `limit` for big containers, and never raising (a
    learner's `__repr__` that raises is named instead).

    >>> safe_repr(object()), safe_repr("x" * 70)[-4:], len(safe_repr(list(range(10**6))))
    ('<object object>', 'x...', 60)
    >>> class Bad:
    ...     def __repr__(self): raise ValueError
    >>> safe_repr([Bad()])
    '[<Bad: repr raised ValueError>]'
    """
    bounded = _BOUNDED.get(limit)
    if bounded is None:
        bounded = _BOUNDED[limit] = _Bounded(limit)
    try:
        text = bounded.repr(value)
    except Exception as error:      # a container whose iteration raises, say
        text = _failed(value, error)
    text = _PY_ID.sub("", text)
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


def check_id(id, op: str, fix: str = "write id=0 or id=1") -> None:
    """Refuse anything but an ID of a list or work item, a `u64` constant (`True` and `1.0`
    are not IDs, nor is 2**64)."""
    if not isinstance(id, int) or isinstance(id, bool) or not 0 <= id < 2**64:
        raise TypeMismatch(f"{op}: the ID is a `u64` constant, found {safe_repr(id)}",
                           rule="the ID is a const generic `const ID: u64`",
                           rustc="error[E0308]: mismatched types (expected `u64`)", fix=fix)
