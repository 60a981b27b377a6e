"""Cursors over an `RBTree`: the kernel's `rbtree::CursorMut` and read-only `rbtree::Cursor`."""

from __future__ import annotations

from ..errors import NoSuchField, UseAfterMove
from ..rust import Stmt
from .entry import MutRef

__all__ = ["Cursor", "CursorMut"]


class Cursor:
    """A read-only cursor on one node of an `RBTree`: `kernel::rbtree::Cursor`.

    It holds `&RBTree` (a shared borrow): it reads the current node and peeks at its
    neighbours, but cannot move; changing the tree another way ends it (rustc E0502).

    >>> import kernelptr as kp
    >>> heap = kp.reset(); tree = kp.RBTree()
    >>> for k in (10, 20, 30):
    ...     _ = tree.try_create_and_insert(k, str(k), kp.GFP_KERNEL)
    >>> c = tree.cursor_lower_bound(15)
    >>> c.current(), c.peek_prev(), c.peek_next()
    ((20, '20'), (10, '10'), (30, '30'))
    """

    _mutable = False
    _kind = "Cursor"

    def __init__(self, tree, node):
        self._tree = tree
        self._node = node
        self._stamp = tree._stamp()
        self._state = "live"

    def _check(self, op: str) -> int:
        """Raise unless the cursor may be used; return its index in the tree."""
        if self._state != "live":
            raise UseAfterMove(f"{op}: this {self._kind} was consumed by {self._state}",
                               rule="move_next, move_prev and remove_current take the cursor "
                                    "by value",
                               rustc="error[E0382]: use of moved value: `cursor`",
                               fix="use the cursor they returned (None means the end)")
        self._tree._check_borrow(self._stamp, op, mutable=self._mutable)
        return self._tree._nodes.index(self._node)

    def _at(self, i: int):
        nodes = self._tree._nodes
        return nodes[i] if 0 <= i < len(nodes) else None

    def current(self) -> tuple:
        """`current()`: (key, value) of the node under the cursor."""
        data = self._tree._nodes[self._check(f"{self._kind}::current")].value
        return data.key, data.value

    def _peek(self, delta: int, op: str):
        node = self._at(self._check(op) + delta)
        return None if node is None else (node.value.key, node.value.value)

    def peek_next(self):
        """`peek_next()`: (key, value) of the next node, or None at the end."""
        return self._peek(1, f"{self._kind}::peek_next")

    def peek_prev(self):
        """`peek_prev()`: (key, value) of the previous node, or None at the start."""
        return self._peek(-1, f"{self._kind}::peek_prev")

    def __getattr__(self, name):
        if name.startswith("_") or not hasattr(CursorMut, name):
            raise AttributeError(name)
        raise NoSuchField(
            f"no method named `{name}` found for the read-only `Cursor`",
            rule="cursor_front, cursor_back and cursor_lower_bound take `&self` and give a "
                 "read-only Cursor (current, peek_prev, peek_next); moving, removing and "
                 "`&mut V` need the tree borrowed mutably",
            rustc=f"error[E0599]: no method named `{name}` found for struct `Cursor`",
            fix="use the _mut variant: tree.cursor_front_mut(), cursor_back_mut() or "
                "cursor_lower_bound_mut(key)")

    def __repr__(self) -> str:
        if self._state != "live":
            return f"{self._kind}(consumed)"
        return f"{self._kind}(at key {self._node.value.key!r})"


class CursorMut(Cursor):
    """A mutable cursor on one node of an `RBTree`: `kernel::rbtree::CursorMut`.

    `move_next`/`move_prev` consume the cursor and return a new one, or None at the ends
    (the cursor is gone); `remove_current` returns the next cursor and the removed node
    (behaviour 67); `remove_prev`/`remove_next` unlink a neighbour and keep the cursor where
    it is; `current_mut` and `peek_*_mut` hand out `&mut V`. It borrows the tree mutably:
    using the tree another way ends it (rustc E0499).

    >>> import kernelptr as kp
    >>> heap = kp.reset(); tree = kp.RBTree()
    >>> for k in (10, 20, 30):
    ...     _ = tree.try_create_and_insert(k, str(k), kp.GFP_KERNEL)
    >>> cursor = tree.cursor_lower_bound_mut(15)
    >>> cursor.current()
    (20, '20')
    >>> cursor.remove_next().to_key_value(), cursor.peek_next()
    ((30, '30'), None)
    """

    _mutable = True
    _kind = "CursorMut"

    def _reborrow(self, op: str) -> int:
        """A `&mut self` use of the cursor: earlier `&mut V` taken from it end here."""
        i = self._check(op)
        self._tree._generation += 1
        self._stamp = self._tree._stamp()
        return i

    def current_mut(self) -> tuple:
        """`current_mut()`: (key, `&mut V`) of the node under the cursor; assign `.value`."""
        node = self._tree._nodes[self._reborrow("CursorMut::current_mut")]
        return node.value.key, MutRef(self._tree, node)

    def _peek_mut(self, delta: int, op: str):
        node = self._at(self._reborrow(op) + delta)
        return None if node is None else (node.value.key, MutRef(self._tree, node))

    def peek_next_mut(self):
        """`peek_next_mut()`: (key, `&mut V`) of the next node, or None."""
        return self._peek_mut(1, "CursorMut::peek_next_mut")

    def peek_prev_mut(self):
        """`peek_prev_mut()`: (key, `&mut V`) of the previous node, or None."""
        return self._peek_mut(-1, "CursorMut::peek_prev_mut")

    def _move(self, delta: int, op: str) -> "CursorMut | None":
        node = self._at(self._check(op) + delta)
        self._state = op
        return None if node is None else CursorMut(self._tree, node)

    def move_next(self) -> "CursorMut | None":
        """`move_next(self)`: the cursor on the next node, or None past the end (67)."""
        return self._move(1, "CursorMut::move_next")

    def move_prev(self) -> "CursorMut | None":
        """`move_prev(self)`: the cursor on the previous node, or None before the start."""
        return self._move(-1, "CursorMut::move_prev")

    def remove_current(self) -> tuple:
        """`remove_current(self)`: (cursor on the next node, else the previous, else None;
        the removed node) (behaviour 67)."""
        i = self._reborrow("CursorMut::remove_current")
        self._state = "CursorMut::remove_current"
        tree = self._tree
        node = tree._unlink(i)
        neighbour = self._at(i) if i < len(tree._nodes) else self._at(i - 1)
        nxt = None if neighbour is None else CursorMut(tree, neighbour)
        result = (nxt, node)
        tree._heap.emit("CursorMut::remove_current", f"node for key {node.key!r} unlinked; "
                        f"cursor {'moved on' if nxt else 'gone (tree empty)'}",
                        (node._obj.address,), rust=Stmt("{}.remove_current()", self,
                                                        result=result))
        return result

    def _remove_neighbour(self, delta: int, op: str):
        i = self._reborrow(op)
        if self._at(i + delta) is None:
            return None
        node = self._tree._unlink(i + delta)
        self._stamp = self._tree._stamp()
        method = op.split("::")[1]
        self._tree._heap.emit(op, f"node for key {node.key!r} unlinked and returned; the "
                              f"cursor stays on key {self._node.value.key!r}",
                              (node._obj.address,),
                              rust=Stmt("{}.%s()" % method, self, result=node, option=True))
        return node

    def remove_next(self):
        """`remove_next(&mut self)`: unlink and return the next node, or None at the end;
        the cursor stays on its node."""
        return self._remove_neighbour(1, "CursorMut::remove_next")

    def remove_prev(self):
        """`remove_prev(&mut self)`: unlink and return the previous node, or None at the
        start; the cursor stays on its node."""
        return self._remove_neighbour(-1, "CursorMut::remove_prev")
