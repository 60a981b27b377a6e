"""Cursors over a `List`: the kernel's current `Cursor` (between items) and `CursorPeek`."""

from __future__ import annotations

from ..errors import BorrowError, UseAfterMove
from ..rust import Stmt, compound
from .ring import insert_before, links, set_first

__all__ = ["Cursor", "CursorPeek"]


class Cursor:
    """A position between two items of a list: the kernel's `list::Cursor<'a, T, ID>`.

    It has a previous and a next item but no current one, and exists even on an empty list;
    `next` null means "after the last item". It borrows the list mutably: using the list by
    another path ends that borrow, and a later use of the cursor raises `BorrowError`.

    >>> import kernelptr as kp
    >>> from kernelptr.list.example import Job, queue
    >>> q = queue(1, 3)                             # a List<Job, 0>: Job(1), Job(3)
    >>> c = q.cursor_front()
    >>> c.move_next(), c.peek_next().n
    (True, 3)
    >>> c.insert_prev(kp.ListArc.new(Job(2), kp.GFP_KERNEL))
    >>> [j.n for j in q]
    [1, 2, 3]

    **Invariants**: `next` is null or an item of the list; the list is not used by any other
    path while the cursor is.
    """

    def __init__(self, lst, nxt):
        self._list = lst
        self._next = nxt
        self._state = "live"     # "moved" once `insert` consumed it
        self._version = 0        # bumped by every `&mut self` call: ends older peeks

    def _check(self, op: str):
        lst = self._list
        if self._state != "live":
            raise UseAfterMove(f"{op}: this cursor was consumed by Cursor::insert",
                               rule="Cursor::insert takes the cursor by value",
                               rustc="error[E0382]: borrow of moved value: `cursor`",
                               fix="use insert_prev to keep the cursor")
        if lst._cursor is not self:
            raise BorrowError(
                f"{op}: this cursor's borrow of the {lst.type_str()} ended when the list was "
                "used by another path",
                rule="a cursor holds `&mut` to its list; using the list directly (or making "
                     "another cursor) ends that borrow",
                rustc="error[E0499]: cannot borrow the list as mutable more than once at a "
                      "time",
                fix="finish with the cursor before touching the list, or take a new cursor")
        return lst

    def _mut(self, op: str):
        lst = self._check(op)
        self._version += 1
        return lst

    def _prev_of_next(self, lst):
        return links(self._next if self._next is not None else lst._first, lst.id, lst)[0]

    # -- looking and moving ----------------------------------------------------------------
    def peek_next(self):
        """The item after the cursor, or None at the back (behaviours 54, 55)."""
        self._mut("Cursor::peek_next")
        return None if self._next is None else CursorPeek(self, self._next, True)

    def peek_prev(self):
        """The item before the cursor, or None at the front (behaviours 54, 55)."""
        lst = self._mut("Cursor::peek_prev")
        if self._next is lst._first:
            return None
        return CursorPeek(self, self._prev_of_next(lst), False)

    def move_next(self) -> bool:
        """Step over the next item; False (and no move) at the back (56, 57)."""
        lst = self._mut("Cursor::move_next")
        if self._next is None:
            return False
        self._advance(lst)
        self._announce(lst, "Cursor::move_next", Stmt("{}.move_next()", self))
        return True

    def position(self) -> str:
        """Where the cursor sits, in words: between which two items (or at an end)."""
        lst = self._list
        if lst._first is None:
            return "in an empty list"
        before = None if self._next is lst._first else self._prev_of_next(lst)
        after = self._next

        def name(o):
            return f"{o.type_name} @{o.address:#x}"
        if before is None:
            return f"at the front, before {name(after)}"
        if after is None:
            return f"at the back, after {name(before)}"
        return f"between {name(before)} and {name(after)}"

    def _announce(self, lst, op: str, rust) -> None:
        # A cursor move changes no memory; the event lets a Stepper show where it is.
        lst._emit(op, f"cursor now {self.position()}", self._next, rust)

    def _advance(self, lst) -> None:
        nxt = links(self._next, lst.id, lst)[1]
        self._next = None if nxt is lst._first else nxt

    def move_prev(self) -> bool:
        """Step back over the previous item; False (and no move) at the front (56)."""
        lst = self._mut("Cursor::move_prev")
        if self._next is lst._first:
            return False
        self._next = self._prev_of_next(lst)
        self._announce(lst, "Cursor::move_prev", Stmt("{}.move_prev()", self))
        return True

    # -- inserting -------------------------------------------------------------------------
    def _insert(self, la, op: str, *, consume: bool = False):
        lst = self._check(op)
        obj = lst._accept(la, op)
        self._version += 1
        at_front = self._next is lst._first
        lst._adopt(la, obj, op)
        insert_before(lst, obj, self._next if self._next is not None else lst._first)
        if at_front:
            set_first(lst, obj)   # inserted before the first item: it is the new head
        lst._generation += 1
        if consume:     # before the event, so that its picture shows the cursor gone
            self._state = "moved"
            lst._cursor = None
        lst._emit(op, f"{obj.type_name} @{obj.address:#x} linked in at the cursor; no "
                  "allocation", obj, Stmt("{}.%s({})" % op.split("::")[1], self, la))
        return obj

    def insert_next(self, la) -> None:
        """Insert right after the cursor; `peek_next()` then returns it (behaviour 60)."""
        self._next = self._insert(la, "Cursor::insert_next")

    def insert_prev(self, la) -> None:
        """Insert right before the cursor; `peek_next()` is unchanged (behaviour 60)."""
        self._insert(la, "Cursor::insert_prev")

    def insert(self, la) -> None:
        """`insert_prev`, consuming the cursor (behaviour 60)."""
        self._insert(la, "Cursor::insert", consume=True)

    # -- removing --------------------------------------------------------------------------
    @compound("{self}.remove_next()", option=True)
    def remove_next(self):
        """`peek_next().remove()`, or None at the back (behaviour 59)."""
        peek = self.peek_next()
        return None if peek is None else peek.remove()

    @compound("{self}.remove_prev()", option=True)
    def remove_prev(self):
        """`peek_prev().remove()`, or None at the front (behaviour 59)."""
        peek = self.peek_prev()
        return None if peek is None else peek.remove()

    def __repr__(self) -> str:
        nxt = "null (back)" if self._next is None else f"{self._next.address:#x}"
        return f"Cursor<{self._list.type_name}, {self._list.id}>(next={nxt})"


class CursorPeek:
    """The item next to a cursor: the kernel's `CursorPeek<'a, 'b, T, ISNEXT, ID>`.

    Reading a field reads the item (`Deref`); `arc()` gives an `ArcBorrow`; `remove()` takes
    the item out and returns its ListArc, keeping the cursor between the same survivors.

    >>> from kernelptr.list.example import queue
    >>> q = queue(1, 2)
    >>> c = q.cursor_front()
    >>> peek = c.peek_next()
    >>> peek.n, peek.arc().kind, peek.remove().kind, [j.n for j in q]
    (1, 'ArcBorrow', 'ListArc', [2])

    **Invariants**: valid only until the cursor is used again.
    """

    def __init__(self, cursor: Cursor, obj, is_next: bool):
        self._cursor = cursor
        self._obj = obj
        self._is_next = is_next
        self._version = cursor._version
        self._used = False

    def _check(self, op: str):
        if self._used:
            raise UseAfterMove(f"{op}: this CursorPeek was consumed by remove()",
                               rule="CursorPeek::remove takes the peek by value",
                               rustc="error[E0382]: use of moved value",
                               fix="peek again: cursor.peek_next()")
        lst = self._cursor._check(op)
        if self._cursor._version != self._version:
            raise BorrowError(f"{op}: the cursor was used after this peek was taken",
                              rule="a CursorPeek borrows its cursor mutably",
                              rustc="error[E0499]: cannot borrow `cursor` as mutable more "
                                    "than once at a time",
                              fix="peek again after moving the cursor")
        return lst

    def arc(self):
        """`CursorPeek::arc`: an ArcBorrow of the item (no count change)."""
        return self._check("CursorPeek::arc")._borrow(self._obj)

    def remove(self):
        """`CursorPeek::remove`: unlink the item and return its ListArc (behaviour 58)."""
        lst = self._check("CursorPeek::remove")
        cursor = self._cursor
        self._used = True
        cursor._version += 1
        if self._is_next:
            cursor._advance(lst)   # keep the cursor between the same surviving items
        obj = self._obj
        la = lst._take(obj)
        side = "next" if self._is_next else "previous"
        lst._emit("CursorPeek::remove", f"{side} item {obj.type_name} @{obj.address:#x} "
                  "unlinked at the cursor", obj, Stmt("{}.remove()", self, result=la))
        return la

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        self._check("CursorPeek::deref")
        return getattr(self._obj.value, name)

    def __repr__(self) -> str:
        side = "next" if self._is_next else "prev"
        return f"CursorPeek({side} -> {self._obj.type_name} @{self._obj.address:#x})"
