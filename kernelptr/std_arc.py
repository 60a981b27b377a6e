"""Userspace `std::sync::Arc`, for contrast only: two counts, weak references, abort."""

from __future__ import annotations

from .deref import DerefHandle
from .errors import Abort, MutabilityError
from .flags import Flags
from .heap import current_heap
from .types_ import size_align_of, type_name_of

__all__ = ["StdArc", "Weak", "ISIZE_MAX"]

ISIZE_MAX = 2**63 - 1


class StdArc(DerefHandle):
    """Userspace `std::sync::Arc<T>`, modelled only to contrast with the kernel's `Arc`.

    Its `ArcInner` carries a strong and a weak count (16 bytes of header), it supports
    `downgrade` and `get_mut`, and an increment past `isize::MAX` aborts the whole process,
    which a kernel must never do.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> s = kp.StdArc.new(1)
    >>> w = s.downgrade()
    >>> s.strong_count, s.weak_count
    (1, 1)
    """

    kind = "std::Arc"
    _unsizes = False    # no trait objects in this contrast model

    @classmethod
    def new(cls, value) -> "StdArc":
        """`std::sync::Arc::new(value)`: infallible in userspace (it aborts on OOM)."""
        heap = current_heap()
        size, align = size_align_of(value)
        obj = heap.allocate(_NOFAIL, what="std::sync::Arc::new", type_name=type_name_of(value),
                            value=value, size=16 + size, header=16, kind="std::ArcInner")
        obj.extra["weak"] = 0
        a = cls(obj)
        heap.emit("std::Arc::new", f"{obj.type_name} at {obj.address:#x}, strong 1, weak 1",
                  (obj.address,))
        return a

    @property
    def strong_count(self) -> int:
        return self._check("Arc::strong_count").refcount.read()

    @property
    def weak_count(self) -> int:
        """Weak references (`Arc::weak_count`: the Weak handles, not the implicit one)."""
        obj = self._check("Arc::weak_count")
        return obj.extra["weak"]

    def clone(self) -> "StdArc":
        """`Arc::clone`: past `isize::MAX` the process aborts (`std::process::abort`)."""
        obj = self._check("std::Arc::clone")
        old = obj.refcount.read()
        if old >= _limit(obj):
            raise Abort(
                "std::sync::Arc::clone: the strong count passed isize::MAX: the process "
                "aborts (no unwinding, no recovery)",
                rule="userspace Arc treats overflow as unrecoverable; the kernel cannot abort, "
                     "so its Arc uses refcount_t, which saturates and leaks instead",
                fix="in the kernel, use kp.Arc: see what the same overflow does there")
        obj.refcount._value = old + 1
        obj.touch()
        new = StdArc(obj)
        obj.heap.emit("std::Arc::clone", f"strong {old} -> {old + 1}", (obj.address,))
        return new

    def set_strong_count(self, n: int) -> None:
        """Demonstration aid: pretend the strong count is `n` (e.g. isize::MAX)."""
        obj = self._check("set_strong_count")
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= ISIZE_MAX:
            from .errors import TypeMismatch

            raise TypeMismatch(f"set_strong_count({n!r}): expected a count in 1..=isize::MAX",
                               rule="a live Arc has at least one strong reference",
                               fix="e.g. s.set_strong_count(kp.ISIZE_MAX)")
        obj.refcount._value = n
        obj.touch()
        obj.heap.emit("std::Arc::set_strong_count", f"strong count set to {n}",
                      (obj.address,))

    def drop(self) -> None:
        obj = self._consume("std::Arc::drop", "dropped")
        old = obj.refcount.read()
        obj.refcount._value = old - 1
        obj.touch()
        if old == 1:
            from .ownership import drop_value

            drop_value(obj.value)
            obj.heap.free(obj)
            summary = "strong 1 -> 0: value dropped and freed"
        else:
            summary = f"strong {old} -> {old - 1}"
        obj.heap.emit("std::Arc::drop", summary, (obj.address,))

    def downgrade(self) -> "Weak":
        """`Arc::downgrade`: a weak reference (the kernel's Arc has none: behaviour 5)."""
        obj = self._check("Arc::downgrade")
        obj.extra["weak"] += 1
        obj.touch()
        w = Weak(obj)
        obj.heap.emit("std::Arc::downgrade", f"weak count {obj.extra['weak']}",
                      (obj.address,))
        return w

    def get_mut(self):
        """`Arc::get_mut`: the value, mutable, only when this is the only reference (None
        otherwise). The kernel's Arc has no `get_mut`: its contents are pinned."""
        obj = self._check("Arc::get_mut")
        return obj.value if obj.refcount.read() == 1 and not obj.extra["weak"] else None


class Weak(DerefHandle):
    """Userspace `std::sync::Weak<T>`: does not keep the value alive; `upgrade` may fail. The
    kernel's `Arc` has no weak references at all.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); s = kp.StdArc.new(1); w = s.downgrade(); s.drop()
    >>> w.upgrade() is None
    True
    """

    kind = "Weak"
    owning = False
    _unsizes = False

    def _check(self, op):
        if self._state != "live":
            return super()._check(op)
        return self._obj

    def upgrade(self):
        """A new StdArc if the value is still alive, else None."""
        obj = self._check("Weak::upgrade")
        if obj.freed or obj.refcount.read() <= 0:
            return None
        obj.refcount._value += 1
        obj.touch()
        return StdArc(obj)

    def deref(self, _op: str = "deref"):
        raise MutabilityError("a Weak cannot be dereferenced", rule="upgrade() it first",
                              fix="w.upgrade()")


def _limit(obj) -> int:
    return ISIZE_MAX


_NOFAIL = Flags(0, "std (aborts on OOM)")
