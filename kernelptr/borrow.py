"""A borrowed reference to an Arc-managed object: the kernel's `ArcBorrow<'a, T>`."""

from __future__ import annotations

from .deref import DerefHandle
from .errors import BorrowError
from .raw import RawPtr

__all__ = ["ArcBorrow"]


class ArcBorrow(DerefHandle):
    """A non-owning handle to an object managed by an Arc: `kernel::sync::ArcBorrow<'a, T>`.

    It avoids the double indirection of `&Arc<T>` (it points straight at the ArcInner) yet
    can still make a new `Arc` (`clone_arc`, +1). It is `Copy`: copies never change the count.
    The model checks its lifetime: using it after what it borrowed from was dropped, moved or
    changed raises `BorrowError`.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> a = kp.Arc.new("job", kp.GFP_KERNEL)
    >>> b = a.as_arc_borrow()
    >>> c = b.clone_arc()
    >>> a.refcount
    2

    **Invariants**: the object stays alive for the borrow's lifetime `'a`.
    """

    kind = "ArcBorrow"
    owning = False

    def __init__(self, obj, *, source, generation=None):
        super().__init__(obj)
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_generation", generation)

    def _source_alive(self) -> str | None:
        """Why the borrow has ended, or None while it is still valid."""
        src = self._source
        if isinstance(src, ArcBorrow):
            return src._source_alive()
        if isinstance(src, RawPtr):
            return "the foreign pointer's count was taken back" if src.reclaimed else None
        if hasattr(src, "_generation") and self._generation is not None:
            if getattr(src, "_dropped", False):
                return "the list it came from was dropped"
            if src._generation != self._generation:
                return "the list it came from was changed since"
            return None
        state = getattr(src, "_state", "live")
        if state != "live":
            verb = "dropped" if state == "dropped" else "moved"
            by = f" by {src._moved_by}" if getattr(src, "_moved_by", None) else ""
            at = f" at {src._moved_at}" if getattr(src, "_moved_at", None) else ""
            return f"the {src.type_str()} it borrowed from was {verb}{at}{by}"
        return None

    def _check(self, op: str):
        ended = self._source_alive()
        if ended is not None and self._state == "live":
            raise BorrowError(
                f"borrow used after its lifetime ended: {self._who()}: {ended}; {op} needs it",
                rule="an ArcBorrow<'a, T> is only valid while the reference it borrows from "
                     "is alive and unchanged",
                rustc="error[E0505]: cannot move out of `a` because it is borrowed",
                fix="finish using the borrow first, or turn it into an owned Arc with "
                    "clone_arc() while it is still valid",
            )
        return super()._check(op)

    def _clone_handle(self, obj, **kw):
        return self._keep_fat(ArcBorrow(obj, source=self._source, generation=self._generation))

    def clone(self) -> "ArcBorrow":
        """`ArcBorrow` is `Copy`: another borrow of the same object; no count change (11)."""
        obj = self._check("ArcBorrow::clone")
        return self._clone_handle(obj)

    def clone_arc(self):
        """`Arc::from(ArcBorrow)`: a new owned Arc, count +1 (behaviour 11)."""
        from .arc import new_reference

        obj = self._check("ArcBorrow::clone_arc")
        from .rust import Stmt

        return self._keep_fat(new_reference(obj, "Arc::from(ArcBorrow)",
                                            rust=Stmt("Arc::from({})", self)))

    def drop(self) -> None:
        """Dropping a borrow gives up nothing; the name stays usable (it is `Copy`)."""
        self._check("drop(ArcBorrow)")

    def is_live(self) -> bool:
        return self._state == "live" and self._source_alive() is None
