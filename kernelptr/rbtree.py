"""A red-black tree that owns its nodes and inserts without allocating: the kernel's `RBTree`."""

from __future__ import annotations

import bisect

from .errors import BorrowError, UseAfterMove
from .flags import Flags
from .heap import current_heap
from .ownership import Handle, drop_value

__all__ = ["RBTree", "RBTreeNode", "RBTreeNodeReservation", "CursorMut"]

#: `struct Node<K, V> { links: rb_node, key: K, value: V }`: rb_node is 24 bytes.
RB_NODE_SIZE = 24


class _NodeData:
    """The contents of one node allocation (`key`, `value`), as snapshots show them."""

    _kp_plain = ("key", "value")

    def __init__(self, key, value):
        self.key = key
        self.value = value

    def _kp_values(self):
        yield self.key
        yield self.value

    def __repr__(self) -> str:
        return f"Node(key={self.key!r}, value={self.value!r})"


def _move_in(v, where: str):
    """A handle stored in a node is owned by the node (moved in), like a struct field."""
    if isinstance(v, Handle) and v.owning and v._state == "live":
        v = v._transfer(f"moved into {where}")
        v._inside = (None, where)
    return v


def _move_out(v, where: str):
    if isinstance(v, Handle) and v._inside is not None and v._state == "live":
        v = v._transfer(f"moved out of {where}")
        v._inside = None
    return v


class _NodeHandle(Handle):
    """An owned node allocation (`KBox<Node<K, V>>`), not reference counted: the allocation
    is owned by this handle while it is outside a tree."""

    def drop(self) -> None:
        """Free the allocation (dropping key and value first, if any)."""
        obj = self._consume(f"drop({self.kind})", "dropped")
        _free_node(obj)
        obj.heap.emit(f"{self.kind}::drop", f"node memory at {obj.address:#x} freed",
                      (obj.address,))

    def __repr__(self) -> str:
        if self._state != "live":
            return f"{self.type_str()}({self._state})"
        return f"{self.type_str()}(@{self._obj.address:#x})"


def _free_node(obj) -> None:
    if not obj.uninit:
        drop_value([obj.value.key, obj.value.value])
    obj.refcount.dec_and_test()
    obj.heap.free(obj)


class RBTreeNodeReservation(_NodeHandle):
    """Memory for one tree node, allocated ahead of time: `kernel::rbtree::RBTreeNodeReservation`.

    Allocate it where sleeping is allowed; `into_node(k, v)` then never allocates and never
    fails, so the node can be inserted under a spinlock (behaviour 64).

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> r = kp.RBTreeNodeReservation.new(kp.GFP_KERNEL)
    >>> node = r.into_node(1, "one")
    >>> node.to_key_value()
    (1, 'one')

    **Invariants**: the memory is uninitialised; it holds no key or value.
    """

    kind = "RBTreeNodeReservation"

    @classmethod
    def new(cls, flags: Flags) -> "RBTreeNodeReservation":
        """`RBTreeNodeReservation::new(flags)`: allocate an empty node; may fail (and may sleep
        with GFP_KERNEL)."""
        heap = current_heap()
        obj = heap.allocate(flags, what="RBTreeNodeReservation::new", type_name="Node<K, V>",
                            value=None, size=RB_NODE_SIZE + 16, header=RB_NODE_SIZE,
                            kind="RBNode")
        obj.uninit = True
        r = cls(obj)
        heap.emit("RBTreeNodeReservation::new", f"empty node allocated at {obj.address:#x}",
                  (obj.address,))
        return r

    def into_node(self, key, value) -> "RBTreeNode":
        """`into_node(key, value)`: write key and value into the reserved memory; infallible,
        no allocation (behaviour 64)."""
        obj = self._check("RBTreeNodeReservation::into_node")
        self._retire("moved", "RBTreeNodeReservation::into_node")
        _fill(obj, key, value)
        node = RBTreeNode(obj)
        obj.heap.emit("RBTreeNodeReservation::into_node", f"key {key!r} written into the "
                      f"reserved node at {obj.address:#x}; no allocation", (obj.address,))
        return node


def _fill(obj, key, value) -> None:
    where = f"Node at {obj.address:#x}"
    obj.value = _NodeData(_move_in(key, where), _move_in(value, where))
    obj.uninit = False
    obj.type_name = f"Node<{type(key).__name__}, {type(value).__name__}>"
    obj.touch()


class RBTreeNode(_NodeHandle):
    """A node with its key and value, not yet in a tree: `kernel::rbtree::RBTreeNode<K, V>`.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> node = kp.RBTreeNode.new(5, "five", kp.GFP_KERNEL)
    >>> r = node.into_reservation()      # key and value dropped, memory kept
    >>> r.into_node(6, "six").to_key_value()
    (6, 'six')
    """

    kind = "RBTreeNode"

    @classmethod
    def new(cls, key, value, flags: Flags) -> "RBTreeNode":
        """`RBTreeNode::new(key, value, flags)`: allocate and fill a node; may fail only by
        allocation."""
        heap = current_heap()
        obj = heap.allocate(flags, what="RBTreeNode::new", type_name="Node<K, V>", value=None,
                            size=RB_NODE_SIZE + 16, header=RB_NODE_SIZE, kind="RBNode")
        _fill(obj, key, value)
        node = cls(obj)
        heap.emit("RBTreeNode::new", f"node for key {key!r} allocated at {obj.address:#x}",
                  (obj.address,))
        return node

    @property
    def key(self):
        return self._check("RBTreeNode::key").value.key

    def into_reservation(self) -> RBTreeNodeReservation:
        """`into_reservation`: drop key and value in place but keep the memory (64)."""
        obj = self._consume("RBTreeNode::into_reservation")
        drop_value([obj.value.key, obj.value.value])
        obj.value = None
        obj.uninit = True
        obj.type_name = "Node<K, V>"
        obj.touch()
        r = RBTreeNodeReservation(obj)
        obj.heap.emit("RBTreeNode::into_reservation", f"key and value dropped; the memory at "
                      f"{obj.address:#x} is a reservation again", (obj.address,))
        return r

    def to_key_value(self) -> tuple:
        """`to_key_value`: take key and value out and free the node's memory."""
        obj = self._consume("RBTreeNode::to_key_value")
        where = f"Node at {obj.address:#x}"
        kv = (_move_out(obj.value.key, where), _move_out(obj.value.value, where))
        obj.value = None
        obj.uninit = True
        _free_node(obj)
        obj.heap.emit("RBTreeNode::to_key_value", f"key {kv[0]!r} and value moved out; node "
                      f"memory at {obj.address:#x} freed", (obj.address,))
        return kv


class RBTree:
    """An ordered map that owns every node: `kernel::rbtree::RBTree<K, V>` (C `rb_root`).

    The point the model makes is allocation, not balancing: nodes are separate heap
    allocations made *before* insertion, and `insert` never allocates, so it is allowed under
    a spinlock. The model keeps the nodes in a sorted Python list (no colours, no rotations);
    what a learner can observe (ascending order, cursors, which node comes back) is the same.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> tree = kp.RBTree()
    >>> node = kp.RBTreeNode.new(2, "b", kp.GFP_KERNEL)
    >>> with kp.SpinLock(None, "lock").lock():
    ...     tree.insert(node)                   # no allocation: fine in atomic context
    >>> tree.try_create_and_insert(1, "a", kp.GFP_KERNEL)
    >>> list(tree.keys()), tree.get(2)
    ([1, 2], 'b')

    **Invariants**: keys are unique and in ascending order; the tree owns each node it holds.
    """

    def __init__(self):
        self._heap = current_heap()
        self._keys: list = []
        self._nodes: list = []      # HeapObjects, parallel to _keys
        self._generation = 0
        self._dropped = False

    # -- queries ---------------------------------------------------------------------------
    def _live(self, op: str) -> None:
        if self._dropped:
            raise UseAfterMove(f"{op} on an RBTree that was dropped",
                               rule="a dropped value cannot be used",
                               rustc="error[E0382]: borrow of moved value",
                               fix="keep the tree alive while you use it")

    def is_empty(self) -> bool:
        self._live("RBTree::is_empty")
        return not self._keys

    def _index(self, key) -> int | None:
        i = bisect.bisect_left(self._keys, key)
        return i if i < len(self._keys) and self._keys[i] == key else None

    def get(self, key):
        """`get(&key)`: the value, or None."""
        self._live("RBTree::get")
        i = self._index(key)
        return None if i is None else self._nodes[i].value.value

    def __contains__(self, key) -> bool:
        self._live("RBTree::contains_key")
        return self._index(key) is not None

    def iter(self):
        """`iter()`: (key, value) pairs in ascending key order (behaviour 66)."""
        self._live("RBTree::iter")
        return [(o.value.key, o.value.value) for o in self._nodes]

    __iter__ = lambda self: iter(self.iter())  # noqa: E731

    def keys(self):
        return [k for k, _ in self.iter()]

    def values(self):
        return [v for _, v in self.iter()]

    # -- insertion -------------------------------------------------------------------------
    def insert(self, node: RBTreeNode) -> RBTreeNode | None:
        """`insert(node)`: link a prepared node; never allocates, never fails (allowed in
        atomic context). An existing node with the same key is swapped out and returned with
        its old key and value (behaviour 63)."""
        self._live("RBTree::insert")
        if not isinstance(node, RBTreeNode):
            from .errors import TypeMismatch

            raise TypeMismatch(f"RBTree::insert: expected an RBTreeNode, found {node!r}",
                               rule="insert takes a node made by RBTreeNode::new or "
                                    "RBTreeNodeReservation::into_node",
                               rustc="error[E0308]: mismatched types",
                               fix="make the node first (allocation happens there)")
        obj = node._consume("RBTree::insert")
        key = obj.value.key
        # INVARIANT: the tree now owns the node's allocation.
        obj.hold("rbtree")
        i = self._index(key)
        old = None
        if i is None:
            i = bisect.bisect_left(self._keys, key)
            self._keys.insert(i, key)
            self._nodes.insert(i, obj)
            summary = f"node {obj.address:#x} linked for key {key!r}; no allocation"
        else:
            old_obj = self._nodes[i]
            self._nodes[i] = obj
            old_obj.hold("rbtree", -1)
            old = RBTreeNode(old_obj)
            summary = (f"key {key!r} existed: node {old_obj.address:#x} replaced "
                       f"(rb_replace_node) and returned; no allocation")
        self._generation += 1
        self._heap.emit("RBTree::insert", summary, (obj.address,))
        return old

    def try_create_and_insert(self, key, value, flags: Flags) -> RBTreeNode | None:
        """`try_create_and_insert(key, value, flags)`: allocate a node (may fail with
        AllocError, changing nothing), then insert it (behaviour 62)."""
        self._live("RBTree::try_create_and_insert")
        return self.insert(RBTreeNode.new(key, value, flags))

    # -- removal ---------------------------------------------------------------------------
    def _unlink(self, i: int) -> RBTreeNode:
        obj = self._nodes.pop(i)
        del self._keys[i]
        obj.hold("rbtree", -1)
        self._generation += 1
        return RBTreeNode(obj)

    def remove_node(self, key) -> RBTreeNode | None:
        """`remove_node(&key)`: unlink and return the node (memory kept), or None (65)."""
        self._live("RBTree::remove_node")
        i = self._index(key)
        if i is None:
            return None
        node = self._unlink(i)
        self._heap.emit("RBTree::remove_node", f"node for key {key!r} unlinked and returned",
                        (node._obj.address,))
        return node

    def remove(self, key):
        """`remove(&key)`: the value (its node freed), or None (behaviour 65)."""
        node = self.remove_node(key)
        return None if node is None else node.to_key_value()[1]

    # -- cursors ---------------------------------------------------------------------------
    def _cursor(self, i: int | None) -> "CursorMut | None":
        return None if i is None or not 0 <= i < len(self._nodes) else CursorMut(self, i)

    def cursor_lower_bound(self, key) -> "CursorMut | None":
        """`cursor_lower_bound_mut(&key)`: a cursor on `key`, else on the next larger key,
        else None (behaviour 66)."""
        self._live("RBTree::cursor_lower_bound")
        return self._cursor(bisect.bisect_left(self._keys, key))

    def cursor_front_mut(self) -> "CursorMut | None":
        self._live("RBTree::cursor_front_mut")
        return self._cursor(0)

    def cursor_back_mut(self) -> "CursorMut | None":
        self._live("RBTree::cursor_back_mut")
        return self._cursor(len(self._nodes) - 1)

    # -- drop ------------------------------------------------------------------------------
    def drop(self) -> None:
        """Drop the tree: free every node (post-order in the kernel), dropping keys and
        values."""
        self._live("drop(RBTree)")
        nodes, self._nodes, self._keys = self._nodes, [], []
        for obj in nodes:
            obj.hold("rbtree", -1)
            _free_node(obj)
        self._dropped = True
        self._heap.emit("RBTree::drop", f"{len(nodes)} node(s) freed",
                        tuple(o.address for o in nodes))

    def __repr__(self) -> str:
        if self._dropped:
            return "RBTree(dropped)"
        return f"RBTree({{{', '.join(f'{k!r}: {v!r}' for k, v in self.iter())}}})"


class CursorMut:
    """A mutable cursor on one node of an `RBTree`: `kernel::rbtree::CursorMut`.

    `move_next`/`move_prev` consume the cursor and return a new one, or None at the ends
    (the cursor is gone); `remove_current` returns the next cursor and the removed node
    (behaviour 67). It borrows the tree mutably: changing the tree another way ends it.
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
        tree._heap.emit("CursorMut::remove_current", f"node for key {node.key!r} unlinked; "
                        f"cursor {'moved on' if nxt else 'gone (tree empty)'}",
                        (node._obj.address,))
        return nxt, node

    def __repr__(self) -> str:
        if self._state != "live":
            return "CursorMut(consumed)"
        return f"CursorMut(at key {self._tree._keys[self._index]!r})"
