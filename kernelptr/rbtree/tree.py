"""A red-black tree that owns its nodes and inserts without allocating: the kernel's `RBTree`."""

from __future__ import annotations

import bisect

from ..errors import BorrowError, TraitNotImplemented, TypeMismatch, UseAfterMove
from ..flags import REQUIRED, Flags
from ..heap import current_heap
from ..rust import Stmt, compound, implicit, ref
from ..types_ import type_name_of
from .cursor import Cursor, CursorMut
from .entry import MutRef, Occupied, OccupiedEntry, Vacant, VacantEntry
from .node import RBTreeNode, free_node

__all__ = ["RBTree"]


class RBTree:
    """An ordered map that owns every node: `kernel::rbtree::RBTree<K, V>` (C `rb_root`).

    The point the model makes is allocation, not balancing: nodes are separate heap
    allocations made *before* insertion, and `insert` never allocates, so it is allowed under
    a spinlock. The model keeps the nodes in a sorted Python list (no colours, no rotations);
    what a learner can observe (ascending order, cursors, which node comes back) is the same.
    The key type `K` must be `Ord` and is fixed by the first key; a key the tree cannot
    order is refused before anything is allocated or moved.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> tree = kp.RBTree()
    >>> node = kp.RBTreeNode.new(2, "b", kp.GFP_KERNEL)
    >>> with kp.SpinLock(None, "lock").lock():
    ...     tree.insert(node)                   # no allocation: fine in atomic context
    >>> tree.try_create_and_insert(1, "a", kp.GFP_KERNEL)
    >>> list(tree.keys()), tree.get(2)
    ([1, 2], 'b')

    **Invariants**: keys are unique, of one type, and in ascending order; the tree owns each
    node it holds.
    """

    def __init__(self):
        self._heap = current_heap()
        self._keys: list = []
        self._nodes: list = []      # HeapObjects, parallel to _keys
        self._key_type = None       # K, fixed by the first key
        self._generation = 0        # bumped by every `&mut self` use: ends every borrow
        self._shared = 0            # bumped by every `&self` use: ends `&mut` borrows
        self._dropped = False
        self._heap.trees.append(self)

    # -- borrows ---------------------------------------------------------------------------
    def _live(self, op: str) -> None:
        if self._dropped:
            raise UseAfterMove(f"{op} on an RBTree that was dropped",
                               rule="a dropped value cannot be used",
                               rustc="error[E0382]: borrow of moved value",
                               fix="keep the tree alive while you use it")

    def _use(self, op: str, *, mutate: bool) -> None:
        """The tree is used through `&self` or `&mut self`: with non-lexical lifetimes that
        ends the borrows which conflict with it (a mutable use ends all of them)."""
        self._live(op)
        if mutate:
            self._generation += 1
        else:
            self._shared += 1

    def _stamp(self) -> tuple:
        return (self._generation, self._shared)

    def _check_borrow(self, stamp: tuple, op: str, *, mutable: bool) -> None:
        """Raise BorrowError if the tree was used in a conflicting way since `stamp`."""
        if self._dropped:
            raise BorrowError(f"{op}: the tree it borrows was dropped",
                              rule="a borrow cannot outlive what it borrows",
                              rustc="error[E0505]: cannot move out of `tree` because it is "
                                    "borrowed",
                              fix="use the borrow before dropping the tree")
        gen, shared = stamp
        if gen != self._generation or (mutable and shared != self._shared):
            kind = "`&mut RBTree`" if mutable else "`&RBTree`"
            raise BorrowError(
                f"{op}: the tree was used another way since this borrow was made",
                rule=f"it holds {kind}; using the tree through another path ends that borrow "
                     "(a mutable borrow is exclusive, a shared one excludes mutation)",
                rustc="error[E0499]: cannot borrow `tree` as mutable more than once at a time"
                      if mutable else "error[E0502]: cannot borrow `tree` as mutable because "
                                      "it is also borrowed as immutable",
                fix="make a new cursor/reference after changing the tree")

    # -- keys ------------------------------------------------------------------------------
    def _check_key(self, key, op: str) -> None:
        """`K: Ord` and one `K` per tree: refuse (changing nothing) a key of another type or
        a key that cannot be ordered."""
        if isinstance(key, float) or not _orderable(key):
            name = type_name_of(key)
            why = ("floats are only PartialOrd: NaN compares with nothing" if
                   isinstance(key, float) else f"values of type {name} cannot be compared")
            raise TraitNotImplemented(
                f"{op}: key {key!r}: the trait bound `{name}: Ord` is not satisfied ({why})",
                rule="RBTree<K, V> keeps its nodes ordered by key, so K must be Ord (a total "
                     "order)",
                rustc=f"error[E0277]: the trait bound `{name}: Ord` is not satisfied",
                fix="use integer or string keys (e.g. the value scaled to an integer)")
        if self._key_type is not None and type(key) is not self._key_type:
            raise TypeMismatch(
                f"{op}: key {key!r} is a `{type_name_of(key)}`, but this tree's keys are "
                f"`{type_name_of(self._key_type)}` (e.g. {self._keys[0]!r})"
                if self._keys else f"{op}: key {key!r} is not a `{type_name_of(self._key_type)}`",
                rule="an RBTree<K, V> has one key type K: every key is ordered against the "
                     "others, and this one cannot be ordered against them",
                rustc=f"error[E0308]: mismatched types: expected `{type_name_of(self._key_type)}`"
                      f", found `{type_name_of(key)}`",
                fix=f"use {type_name_of(self._key_type)} keys in this tree")

    def _find(self, key) -> int | None:
        i = bisect.bisect_left(self._keys, key)
        return i if i < len(self._keys) and self._keys[i] == key else None

    def _lower_bound(self, key) -> int | None:
        i = bisect.bisect_left(self._keys, key)
        return i if i < len(self._keys) else None

    # -- queries ---------------------------------------------------------------------------
    def is_empty(self) -> bool:
        self._use("RBTree::is_empty", mutate=False)
        return not self._keys

    def get(self, key):
        """`get(&key)`: the value, or None."""
        self._live("RBTree::get")
        self._check_key(key, "RBTree::get")
        self._use("RBTree::get", mutate=False)
        i = self._find(key)
        return None if i is None else self._nodes[i].value.value

    def get_mut(self, key) -> MutRef | None:
        """`get_mut(&key)`: `&mut V` for the key (assign `.value`), or None.

        >>> import kernelptr as kp
        >>> heap = kp.reset(); tree = kp.RBTree()
        >>> tree.try_create_and_insert(30, 300, kp.GFP_KERNEL)
        >>> tree.get_mut(30).value = 3000; tree.get(30)
        3000
        """
        entry = self.find_mut(key)
        return None if entry is None else entry.into_mut()

    def __contains__(self, key) -> bool:
        self._live("RBTree::contains_key")
        self._check_key(key, "RBTree::contains_key")
        self._use("RBTree::contains_key", mutate=False)
        return self._find(key) is not None

    def iter(self):
        """`iter()`: (key, value) pairs in ascending key order (behaviour 66)."""
        self._use("RBTree::iter", mutate=False)
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
        self._check_key(key, "RBTree::insert")     # may refuse: nothing changed yet
        self._use("RBTree::insert", mutate=True)
        obj = node._consume("RBTree::insert")
        old = self._link(obj, key)
        summary = (f"node {obj.address:#x} linked for key {key!r}; no allocation"
                   if old is None else
                   f"key {key!r} existed: node {old._obj.address:#x} replaced "
                   f"(rb_replace_node) and returned; no allocation")
        self._heap.emit("RBTree::insert", summary, (obj.address,),
                        rust=Stmt("{}.insert({})", self, node, result=old, option=True,
                                  none_note="the key was new"))
        return old

    def _link(self, obj, key) -> RBTreeNode | None:
        """Put the node `obj` (key `key`, already checked) into the tree; the replaced node,
        if the key existed."""
        # INVARIANT: the tree now owns the node's allocation.
        obj.hold("rbtree")
        self._key_type = type(key)
        i = self._find(key)
        if i is None:
            i = bisect.bisect_left(self._keys, key)
            self._keys.insert(i, key)
            self._nodes.insert(i, obj)
            return None
        old_obj = self._nodes[i]
        self._nodes[i] = obj
        old_obj.hold("rbtree", -1)
        return RBTreeNode(old_obj)

    @compound("{self}.try_create_and_insert({key}, {value}, {flags})?")
    def try_create_and_insert(self, key, value, flags: Flags = REQUIRED) -> RBTreeNode | None:
        """`try_create_and_insert(key, value, flags)`: check the key (a key the tree cannot
        take is refused before anything is allocated), allocate a node (may fail with
        AllocError, changing nothing), then insert it (behaviour 62)."""
        self._live("RBTree::try_create_and_insert")
        self._check_key(key, "RBTree::try_create_and_insert")
        return self.insert(RBTreeNode.new(key, value, flags))

    def entry(self, key) -> Vacant | Occupied:
        """`entry(key)`: `Occupied(OccupiedEntry)` if the key is in the tree, else
        `Vacant(VacantEntry)`, which inserts with a reservation (no allocation).

        >>> import kernelptr as kp
        >>> heap = kp.reset(); tree = kp.RBTree()
        >>> r = kp.RBTreeNodeReservation.new(kp.GFP_KERNEL)
        >>> match tree.entry(7):
        ...     case kp.rbtree.Vacant(e):
        ...         v = e.insert("seven", r)
        >>> tree.get(7), type(tree.entry(7)).__name__
        ('seven', 'Occupied')
        """
        self._live("RBTree::entry")
        self._check_key(key, "RBTree::entry")
        self._use("RBTree::entry", mutate=True)
        i = self._find(key)
        if i is None:
            return Vacant(VacantEntry(self, key))
        return Occupied(OccupiedEntry(self, self._nodes[i]))

    def find_mut(self, key) -> OccupiedEntry | None:
        """`find_mut(&key)`: the `OccupiedEntry` for the key, or None."""
        self._live("RBTree::find_mut")
        self._check_key(key, "RBTree::find_mut")
        self._use("RBTree::find_mut", mutate=True)
        i = self._find(key)
        return None if i is None else OccupiedEntry(self, self._nodes[i])

    # -- removal ---------------------------------------------------------------------------
    def _unlink(self, i: int) -> RBTreeNode:
        obj = self._nodes.pop(i)
        del self._keys[i]
        obj.hold("rbtree", -1)
        return RBTreeNode(obj)

    @compound("{self}.remove_node(&{key})", option=True)
    def remove_node(self, key) -> RBTreeNode | None:
        """`remove_node(&key)`: unlink and return the node (memory kept), or None (65)."""
        entry = self.find_mut(key)
        return None if entry is None else entry.remove_node()

    @compound("{self}.remove(&{key})", option=True)
    def remove(self, key):
        """`remove(&key)`: the value (its node freed), or None (behaviour 65)."""
        node = self.remove_node(key)
        return None if node is None else node.to_key_value()[1]

    # -- cursors ---------------------------------------------------------------------------
    def _cursor(self, i: int | None, mutable: bool, op: str):
        self._use(op, mutate=mutable)
        if i is None or not 0 <= i < len(self._nodes):
            return None
        return (CursorMut if mutable else Cursor)(self, self._nodes[i])

    def cursor_front(self) -> Cursor | None:
        """`cursor_front()`: a read-only `Cursor` on the smallest key, or None if empty."""
        return self._cursor(0, False, "RBTree::cursor_front")

    def cursor_back(self) -> Cursor | None:
        """`cursor_back()`: a read-only `Cursor` on the largest key, or None if empty."""
        return self._cursor(len(self._nodes) - 1, False, "RBTree::cursor_back")

    def cursor_front_mut(self) -> CursorMut | None:
        """`cursor_front_mut()`: a `CursorMut` on the smallest key, or None if empty."""
        return self._cursor(0, True, "RBTree::cursor_front_mut")

    def cursor_back_mut(self) -> CursorMut | None:
        """`cursor_back_mut()`: a `CursorMut` on the largest key, or None if empty."""
        return self._cursor(len(self._nodes) - 1, True, "RBTree::cursor_back_mut")

    def cursor_lower_bound(self, key) -> Cursor | None:
        """`cursor_lower_bound(&key)`: a read-only `Cursor` on `key` if present, else on the
        smallest larger key, else None (behaviour 66; `find_best_match` in rbtree.rs)."""
        self._live("RBTree::cursor_lower_bound")
        self._check_key(key, "RBTree::cursor_lower_bound")
        return self._cursor(self._lower_bound(key), False, "RBTree::cursor_lower_bound")

    def cursor_lower_bound_mut(self, key) -> CursorMut | None:
        """`cursor_lower_bound_mut(&key)`: the same place as `cursor_lower_bound`, as a
        `CursorMut`."""
        self._live("RBTree::cursor_lower_bound_mut")
        self._check_key(key, "RBTree::cursor_lower_bound_mut")
        return self._cursor(self._lower_bound(key), True, "RBTree::cursor_lower_bound_mut")

    # -- drop ------------------------------------------------------------------------------
    def drop(self) -> None:
        """Drop the tree: free every node (post-order in the kernel), dropping keys and
        values."""
        self._use("drop(RBTree)", mutate=True)
        nodes, self._nodes, self._keys = self._nodes, [], []
        with implicit("drop({}) frees every node", self):
            for obj in nodes:
                obj.hold("rbtree", -1)
                free_node(obj)
        self._dropped = True
        self._heap.emit("RBTree::drop", f"{len(nodes)} node(s) freed",
                        tuple(o.address for o in nodes), rust=Stmt("drop({})", self))

    def _kp_drop_in_place(self) -> None:
        """Run when the value holding this tree is dropped."""
        if not self._dropped:
            self.drop()

    @property
    def _inside(self):
        """The heap object value (struct) that stores this tree, if any."""
        from ..list.list import stored_in

        return stored_in(self._heap, self)

    def __repr__(self) -> str:
        if self._dropped:
            return "RBTree(dropped)"
        pairs = ", ".join(f"{o.value.key!r}: {o.value.value!r}" for o in self._nodes)
        return f"RBTree({{{pairs}}})"


def _orderable(key) -> bool:
    try:
        key < key   # noqa: B015 - a key the tree cannot compare raises TypeError here
    except TypeError:
        return False
    return True
