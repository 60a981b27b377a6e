"""Allocation flags: `kernel::alloc::Flags`, a newtype over C `gfp_t`."""

from __future__ import annotations

__all__ = ["Flags", "GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_KERNEL_ACCOUNT",
           "__GFP_ZERO", "__GFP_NOWARN", "REQUIRED"]

_SLEEP = 1 << 0       # may sleep (direct reclaim)
_HIGH = 1 << 1        # may use atomic reserves
_ACCOUNT = 1 << 2
_ZERO = 1 << 3
_NOWARN = 1 << 4
_NAMES = {_SLEEP: "may sleep", _HIGH: "reserves", _ACCOUNT: "account", _ZERO: "zero",
          _NOWARN: "nowarn"}


class Flags:
    """Allocation flags, modelling the kernel's `Flags` (C `gfp_t`); combine them with `|`.

    >>> GFP_KERNEL.may_sleep, GFP_ATOMIC.may_sleep
    (True, False)
    >>> GFP_KERNEL | __GFP_ZERO
    GFP_KERNEL | __GFP_ZERO
    """

    __slots__ = ("bits", "_name")

    def __init__(self, bits: int, name: str | None = None):
        self.bits = bits
        self._name = name

    @property
    def may_sleep(self) -> bool:
        """True when an allocation with these flags may sleep (forbidden in atomic context)."""
        return bool(self.bits & _SLEEP)

    def contains(self, other: "Flags") -> bool:
        """Whether every bit of `other` is set here (`Flags::contains`)."""
        return self.bits & other.bits == other.bits

    def __or__(self, other: "Flags") -> "Flags":
        _expect_flags(self, "|", other)
        return Flags(self.bits | other.bits, f"{self!r} | {other!r}")

    def __and__(self, other: "Flags") -> "Flags":
        _expect_flags(self, "&", other)
        return Flags(self.bits & other.bits)

    def __ror__(self, other):
        _expect_flags(self, "|", other)

    def __rand__(self, other):
        _expect_flags(self, "&", other)

    def __invert__(self) -> "Flags":
        return Flags(~self.bits & 0x1F)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Flags) and other.bits == self.bits

    def __hash__(self) -> int:
        return hash(self.bits)

    def __repr__(self) -> str:
        if self._name:
            return self._name
        parts = [name for bit, name in _NAMES.items() if self.bits & bit]
        return f"Flags({' | '.join(parts) or '0'})"


def _expect_flags(flags: Flags, op: str, other) -> None:
    if not isinstance(other, Flags):
        from .errors import TypeMismatch
        from .types_ import safe_repr, type_name_of

        raise TypeMismatch(
            f"{flags!r} {op} {safe_repr(other)}: allocation flags combine only with flags",
            rule="`Flags` implements BitOr/BitAnd with `Flags`, not with integers or strings",
            rustc=f"error[E0277]: no implementation for `Flags {op} {type_name_of(other)}`",
            fix="combine kp flags: kp.GFP_KERNEL | kp.flags.__GFP_ZERO")


class _Required:
    """The default of every `flags` parameter, so that leaving it out is a rustc error."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<required>"


#: The default of an allocating constructor's `flags`: none was passed (rustc E0061).
REQUIRED = _Required()

GFP_KERNEL = Flags(_SLEEP, "GFP_KERNEL")
GFP_ATOMIC = Flags(_HIGH, "GFP_ATOMIC")
GFP_NOWAIT = Flags(0, "GFP_NOWAIT")
GFP_KERNEL_ACCOUNT = Flags(_SLEEP | _ACCOUNT, "GFP_KERNEL_ACCOUNT")
__GFP_ZERO = Flags(_ZERO, "__GFP_ZERO")
__GFP_NOWARN = Flags(_NOWARN, "__GFP_NOWARN")
