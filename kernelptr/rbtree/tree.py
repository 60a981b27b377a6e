"""A red-black tree that owns its nodes and inserts without allocating: the kernel's `RBTree`."""

from __future__ import annotations

import bisect

from ..errors import TypeMismatch, UseAfterMove
from ..flags import REQUIRED, Flags
from ..heap import current_heap
from .cursor import CursorMut
from .node import RBTreeNode, free_node

__all__ = ["RBTree"]


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
        try:
            i = bisect.bisect_left(self._keys, key)
        except TypeError:
            first = self._keys[0] if self._keys else None
            raise TypeMismatch(
                f"RBTree: key {key!r} cannot be ordered against the tree's keys (e.g. "
                f"{first!r})",
                rule="an RBTree<K, V> has one key type K: Ord; every key is compared with "
                     "the others",
                rustc="error[E0308]: mismatched types (expected `K`)",
                fix="use keys of one comparable type") from None
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
            raise TypeMismatch(f"RBTree::insert: expected an RBTreeNode, found {node!r}",
                               rule="insert takes a node made by RBTreeNode::new or "
                                    "RBTreeNodeReservation::into_node",
                               rustc="error[E0308]: mismatched types",
                               fix="make the node first (allocation happens there)")
        key = node._check("RBTree::insert").value.key
        i = self._index(key)                  # may refuse the key: nothing changed yet
        obj = node._consume("RBTree::insert")
        # INVARIANT: the tree now owns the node's allocation.
        obj.hold("rbtree")
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

    def try_create_and_insert(self, key, value, flags: Flags = REQUIRED) -> RBTreeNode | None:
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
            free_node(obj)
        self._dropped = True
        self._heap.emit("RBTree::drop", f"{len(nodes)} node(s) freed",
                        tuple(o.address for o in nodes))

    def __repr__(self) -> str:
        if self._dropped:
            return "RBTree(dropped)"
        return f"RBTree({{{', '.join(f'{k!r}: {v!r}' for k, v in self.iter())}}})"
