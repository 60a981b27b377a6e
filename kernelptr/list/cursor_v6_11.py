"""The original list cursor (v6.11-v6.14), which always points *at* an item."""

from __future__ import annotations

from ..errors import UseAfterMove
from ..rust import Stmt
from .cursor import Cursor

__all__ = ["OldCursor", "cursor_front_v6_11"]


def cursor_front_v6_11(lst):
    """`List::cursor_front` as in v6.11-v6.14: a cursor at the first item, None if empty.

    >>> from kernelptr.list.example import queue
    >>> cursor_front_v6_11(queue()) is None        # an empty List<Job, 0>
    True
    """
    lst._use("List::cursor_front", mutate=True)
    if lst._first is None:
        return None
    cursor = OldCursor(lst, lst._first)
    lst._cursor = cursor
    return cursor


class OldCursor(Cursor):
    """A cursor at one item: the kernel's `list::Cursor` before v6.15 (`current`, and
    consuming `next`, `prev`, `remove`).

    >>> from kernelptr.list.example import queue
    >>> c = cursor_front_v6_11(queue(1, 2)).next()
    >>> c.current().n, c.next()
    (2, None)

    **Invariants**: `current` is an item of the list.
    """

    def current(self):
        """The item the cursor points at, as an ArcBorrow."""
        return self._check("Cursor::current")._borrow(self._next)

    def _step(self, op: str, forward: bool):
        lst = self._check(op)
        cur = self._next
        prev, nxt = cur.links[lst.id]
        at_end = (nxt is lst._first) if forward else (cur is lst._first)
        self._state = "moved"
        lst._cursor = None
        if at_end:
            return None
        new = OldCursor(lst, nxt if forward else prev)
        lst._cursor = new
        return new

    def next(self):
        """Consume the cursor; one at the next item, or None after the last."""
        return self._step("Cursor::next", True)

    def prev(self):
        """Consume the cursor; one at the previous item, or None at the first."""
        return self._step("Cursor::prev", False)

    def remove(self):
        """Consume the cursor and unlink its item, returning the ListArc."""
        lst = self._check("Cursor::remove")
        self._state = "moved"
        lst._cursor = None
        obj = self._next
        la = lst._take(obj)
        lst._emit("Cursor::remove", f"{obj.type_name} @{obj.address:#x} unlinked", obj,
                  Stmt("{}.remove()", self, result=la))
        return la

    def _check(self, op: str):
        if self._state != "live":
            raise UseAfterMove(f"{op}: this cursor was consumed (v6.11 cursors move by value)",
                               rule="next(), prev() and remove() take the cursor by value",
                               rustc="error[E0382]: use of moved value: `cursor`",
                               fix="use the cursor the call returned")
        return super()._check(op)
