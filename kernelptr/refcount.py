"""C `refcount_t` and the Rust `Refcount` wrapper: a 32-bit counter that saturates.

The kernel's counter never wraps: on overflow, on an increment from 0 and on an underflow it
stores `REFCOUNT_SATURATED` (INT_MIN / 2) and warns once per kind (`WARN_ONCE`). A saturated
object is leaked forever, which is a memory leak rather than a use-after-free.
"""

from __future__ import annotations

import enum
from .errors import BuildError

__all__ = ["Refcount", "REFCOUNT_MAX", "REFCOUNT_SATURATED", "SaturationKind",
           "RefcountWarning"]

REFCOUNT_MAX = 2**31 - 1
REFCOUNT_SATURATED = -(2**30)


class RefcountWarning(UserWarning):
    """A `refcount_t: ...` warning, the model of the kernel's one-shot `WARN_ONCE` splat.

    >>> import kernelptr as kp, warnings
    >>> heap = kp.reset()
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always"); kp.Refcount(0).inc()
    >>> w[0].category is kp.RefcountWarning, str(w[0].message)
    (True, 'refcount_t: addition on 0; use-after-free.')
    """


class SaturationKind(enum.Enum):
    """Why a counter saturated: C `enum refcount_saturation_type`.

    >>> SaturationKind.DEC_LEAK.value, SaturationKind.DEC_LEAK.text
    ('REFCOUNT_DEC_LEAK', 'refcount_t: decrement hit 0; leaking memory.')
    """

    ADD_NOT_ZERO_OVF = "REFCOUNT_ADD_NOT_ZERO_OVF"
    ADD_OVF = "REFCOUNT_ADD_OVF"
    ADD_UAF = "REFCOUNT_ADD_UAF"
    SUB_UAF = "REFCOUNT_SUB_UAF"
    DEC_LEAK = "REFCOUNT_DEC_LEAK"

    @property
    def text(self) -> str:
        """The kernel's warning text, `refcount_t: ` included; the two overflows share one."""
        return "refcount_t: " + _TEXTS[self] + "."


_TEXTS = {
    SaturationKind.ADD_NOT_ZERO_OVF: "saturated; leaking memory",
    SaturationKind.ADD_OVF: "saturated; leaking memory",
    SaturationKind.ADD_UAF: "addition on 0; use-after-free",
    SaturationKind.SUB_UAF: "underflow; use-after-free",
    SaturationKind.DEC_LEAK: "decrement hit 0; leaking memory",
}


I32_MIN, I32_MAX = -(2**31), 2**31 - 1


def _require_i32(value, op: str) -> None:
    """`value` must be what Rust accepts for an `i32` parameter: an int (not a bool or a
    float) in the signed 32-bit range. Anything else does not compile, so nothing changes."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise BuildError(f"{op}({value!r}): a refcount_t holds a 32-bit int",
                         rule="refcount_t wraps an atomic_t (a C int); Refcount::new and "
                              "Refcount::set take an `i32`",
                         rustc=f"error[E0308]: mismatched types (expected `i32`, found "
                               f"`{_rust_type_of(value)}`)",
                         fix="pass an int, e.g. kp.REFCOUNT_MAX")
    if not I32_MIN <= value <= I32_MAX:
        raise BuildError(f"{op}({value}): {value} does not fit in an `i32` "
                         f"({I32_MIN}..={I32_MAX})",
                         rule="a refcount_t is a signed 32-bit counter; Rust never wraps a "
                              "constant silently into that range",
                         rustc="error: literal out of range for `i32` (the deny-by-default "
                               "`overflowing_literals` lint; E0308 for a wider variable)",
                         fix="use a value from 0 to kp.REFCOUNT_MAX")


def _rust_type_of(value) -> str:
    return {bool: "bool", float: "f64", str: "&str"}.get(type(value), type(value).__name__)


def _s32(n: int) -> int:
    """Wrap an int to a signed 32-bit value, as `atomic_t` arithmetic does."""
    n &= 0xFFFF_FFFF
    return n - 2**32 if n >= 2**31 else n


class Refcount:
    """A reference count with C `refcount_t` semantics: Rust `kernel::sync::Refcount`.

    Increments and decrements do the operation, then check the *old* value; anything suspicious
    stores `REFCOUNT_SATURATED` and warns once per kind.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> r = kp.Refcount.new(1)
    >>> r.inc(); r.read()
    2
    >>> r.set(kp.REFCOUNT_MAX)
    >>> r.inc()                       # overflow: saturate and warn once, never wrap
    >>> r.read() == kp.REFCOUNT_SATURATED, heap.warnings
    (True, ['refcount_t: saturated; leaking memory.'])

    **Invariants**: the value is a signed 32-bit int; once negative it is treated as saturated
    and `dec_and_test` never returns True again.
    """

    __slots__ = ("_value", "_heap", "_on_change")

    #: The memory ordering of each operation in the kernel (behaviour 22). The model runs one
    #: thing at a time, so ordering never changes a result here; it is stated for learners.
    ORDERING = {
        "inc": "relaxed",
        "add": "relaxed",
        "inc_not_zero": "relaxed (control dependency on success)",
        "dec": "release",
        "dec_and_test": "release; acquire when it returns true",
        "sub_and_test": "release; acquire when it returns true",
    }

    def __init__(self, value: int = 1, *, heap=None):
        _require_i32(value, "Refcount::new")
        if value < 0:
            raise BuildError(
                f"Refcount::new({value}): a refcount cannot start negative",
                rule="Refcount::new checks `value >= 0` with build_assert!, so a negative "
                     "constant is rejected when the kernel is built",
                fix="start the count at 1 (a new object has one owner) or 0",
            )
        from .heap import current_heap

        self._value = value
        self._heap = heap if heap is not None else current_heap()
        self._on_change = None

    @classmethod
    def new(cls, value: int, *, heap=None) -> "Refcount":
        """`Refcount::new(value)`: a negative value is a build-time error (behaviour 21)."""
        return cls(value, heap=heap)

    # -- reading -------------------------------------------------------------------------
    def read(self) -> int:
        """`refcount_read`: the current value as a signed 32-bit int."""
        return self._value

    @property
    def saturated(self) -> bool:
        """True once the counter is in the negative (bad) range."""
        return self._value < 0

    # -- the C algorithm -------------------------------------------------------------------
    def _store(self, value: int) -> None:
        self._value = value
        if self._on_change is not None:
            self._on_change()

    def _saturate(self, kind: SaturationKind) -> None:
        """`refcount_warn_saturate`: store SATURATED first, then warn once for this kind
        (each `case` of its `switch` is its own `WARN_ONCE`)."""
        self._store(REFCOUNT_SATURATED)
        self._heap._warn_once(kind)

    def set(self, value: int) -> None:
        """`refcount_set` (Rust `Refcount::set(value: i32)`): store a value, e.g. REFCOUNT_MAX
        for a demonstration; a value outside `i32` does not compile (`BuildError`)."""
        _require_i32(value, "Refcount::set")
        self._store(value)

    def add(self, i: int) -> None:
        """`refcount_add`: saturate on add-to-0 (use-after-free) or on signed overflow."""
        _require_i32(i, "refcount_add")
        old = self._value
        new = _s32(old + i)
        self._store(new)
        if old == 0:
            self._saturate(SaturationKind.ADD_UAF)
        elif old < 0 or old + i > REFCOUNT_MAX:
            self._saturate(SaturationKind.ADD_OVF)

    def inc(self) -> None:
        """`refcount_inc`: add one; never wraps (behaviours 15, 16, 17)."""
        self.add(1)

    def inc_not_zero(self) -> bool:
        """`refcount_inc_not_zero`: False (and no change) at 0; saturates on overflow."""
        old = self._value
        if old == 0:
            return False
        if old < 0 or old + 1 > REFCOUNT_MAX:
            self._saturate(SaturationKind.ADD_NOT_ZERO_OVF)
        else:
            self._store(old + 1)
        return True

    def sub_and_test(self, i: int) -> bool:
        """`refcount_sub_and_test`: True iff this subtraction reached exactly zero."""
        old = self._value
        self._store(_s32(old - i))
        if old > 0 and old == i:
            return True
        if old <= 0 or old - i < 0:
            self._saturate(SaturationKind.SUB_UAF)
        return False

    def dec_and_test(self) -> bool:
        """`refcount_dec_and_test`: subtract one, True iff the count reached zero (18, 17)."""
        return self.sub_and_test(1)

    def dec(self) -> None:
        """`refcount_dec`: a plain decrement must never be the one that reaches 0 (19)."""
        old = self._value
        self._store(_s32(old - 1))
        if old <= 1:
            self._saturate(SaturationKind.DEC_LEAK)

    def dec_if_one(self) -> bool:
        """`refcount_dec_if_one`: 1 -> 0 only; True if it did."""
        if self._value == 1:
            self._store(0)
            return True
        return False

    def dec_not_one(self) -> bool:
        """`refcount_dec_not_one`: decrement unless the value is 1 (then False).

        As lib/refcount.c: a saturated counter is left alone (True); at 0 the decrement
        would wrap, so it warns `underflow; use-after-free` from its own `WARN_ONCE` and
        returns True *without storing anything* (no saturation here).

        >>> import kernelptr as kp
        >>> heap = kp.reset(); r = kp.Refcount(0)
        >>> r.dec_not_one(), r.read(), heap.warnings
        (True, 0, ['refcount_t: underflow; use-after-free.'])
        """
        old = self._value
        if old == REFCOUNT_SATURATED:
            return True
        if old == 1:
            return False
        if old == 0:
            self._heap._warn_once("refcount_dec_not_one", SaturationKind.SUB_UAF.text)
            return True
        self._store(_s32(old - 1))
        return True

    def __repr__(self) -> str:
        if self.saturated:
            return "Refcount(SATURATED)"
        return f"Refcount({self._value})"
