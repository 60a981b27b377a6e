"""A mutable cursor over an `RBTree`: the kernel's `rbtree::CursorMut`."""

from __future__ import annotations

from ..errors import BorrowError, UseAfterMove
from ..rust import Stmt

__all__ = ["CursorMut"]


class CursorMut:
    """A mutable cursor on one node of an `RBTree`: `kernel::rbtree::CursorMut`.

    `move_next`/`move_prev` consume the cursor and return a new one, or None at the ends
    (the cursor is gone); `remove_current` returns the next cursor and the removed node
    (behaviour 67). It borrows the tree mutably: changing the tree another way ends it.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); tree = kp.RBTree()
    >>> for k in (10, 20, 30):
    ...     _ = tree.try_create_and_insert(k, str(k), kp.GFP_KERNEL)
    >>> cursor = tree.cursor_lower_bound(15)
    >>> cursor.current()
    (20, '20')
    """

    def __init__(self, tree: RBTree, index: int):
        self._tree = tree
        self._index = index
        self._generation = tree._generation
        self._state = "live"

    def _check(self, op: str) -> None:
        if self._state != "live":
            raise UseAfterMove(f"{op}: this CursorMut was consumed by {self._state}",
                               rule="move_next, move_prev and remove_current take the cursor "
                                    "by value",
                               rustc="error[E0382]: use of moved value: `cursor`",
                               fix="use the cursor they returned (None means the end)")
        if self._tree._dropped or self._tree._generation != self._generation:
            raise BorrowError(f"{op}: the tree changed since this cursor was made",
                              rule="a CursorMut holds `&mut RBTree`: nothing else may change "
                                   "the tree while it exists",
                              rustc="error[E0499]: cannot borrow `tree` as mutable more than "
                                    "once at a time",
                              fix="make a new cursor after changing the tree")

    def current(self) -> tuple:
        """`current()`: (key, value) of the node under the cursor."""
        self._check("CursorMut::current")
        data = self._tree._nodes[self._index].value
        return data.key, data.value

    def _peek(self, i: int):
        nodes = self._tree._nodes
        return (nodes[i].value.key, nodes[i].value.value) if 0 <= i < len(nodes) else None

    def peek_next(self):
        self._check("CursorMut::peek_next")
        return self._peek(self._index + 1)

    def peek_prev(self):
        self._check("CursorMut::peek_prev")
        return self._peek(self._index - 1)

    def _move(self, delta: int, op: str) -> "CursorMut | None":
        self._check(op)
        self._state = op
        return self._tree._cursor(self._index + delta)

    def move_next(self) -> "CursorMut | None":
        """`move_next(self)`: the cursor on the next node, or None past the end (67)."""
        return self._move(1, "CursorMut::move_next")

    def move_prev(self) -> "CursorMut | None":
        """`move_prev(self)`: the cursor on the previous node, or None before the start."""
        return self._move(-1, "CursorMut::move_prev")

    def remove_current(self) -> tuple:
        """`remove_current(self)`: (cursor on the next node, else the previous, else None;
        the removed node) (behaviour 67)."""
        self._check("CursorMut::remove_current")
        self._state = "CursorMut::remove_current"
        tree = self._tree
        i = self._index
        node = tree._unlink(i)
        nxt = tree._cursor(i) if i < len(tree._nodes) else tree._cursor(i - 1)
        result = (nxt, node)
        tree._heap.emit("CursorMut::remove_current", f"node for key {node.key!r} unlinked; "
                        f"cursor {'moved on' if nxt else 'gone (tree empty)'}",
                        (node._obj.address,), rust=Stmt("{}.remove_current()", self,
                                                        result=result))
        return result

    def __repr__(self) -> str:
        if self._state != "live":
            return "CursorMut(consumed)"
        return f"CursorMut(at key {self._tree._keys[self._index]!r})"
