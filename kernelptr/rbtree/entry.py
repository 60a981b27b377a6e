"""The entry API of `RBTree` (`Entry`, `VacantEntry`, `OccupiedEntry`) and `&mut V`."""

from __future__ import annotations

from ..errors import TypeMismatch, UseAfterMove
from ..ownership import drop_value
from ..rust import Stmt, compound
from ..types_ import safe_repr
from .node import RBTreeNode, RBTreeNodeReservation, _move_in

__all__ = ["Entry", "Vacant", "Occupied", "VacantEntry", "OccupiedEntry", "MutRef"]


class MutRef:
    """`&mut V`: a mutable reference to the value in a tree node, as `get_mut`,
    `current_mut` and the entries hand out. Assigning `.value` is `*v = new`: the old value
    is dropped. It borrows the tree mutably, so it ends when the tree is used another way.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); tree = kp.RBTree()
    >>> tree.try_create_and_insert(10, 100, kp.GFP_KERNEL)
    >>> k, v = tree.cursor_front_mut().current_mut()
    >>> v.value = 1000; tree.get(10)
    1000
    """

    __slots__ = ("_tree", "_node", "_stamp")

    def __init__(self, tree, node):
        self._tree = tree
        self._node = node
        self._stamp = tree._stamp()

    def _data(self, op: str):
        self._tree._check_borrow(self._stamp, op, mutable=True)
        return self._node.value

    @property
    def value(self):
        """`*v`: the value."""
        return self._data("*v").value

    @value.setter
    def value(self, new) -> None:
        data = self._data("*v = value")
        old = data.value
        data.value = _move_in(new, f"Node at {self._node.address:#x}")
        drop_value([old])                      # Rust drops the overwritten value
        self._node.touch()
        self._tree._heap.emit("*v = value", f"value for key {data.key!r} = "
                              f"{safe_repr(data.value)}; no allocation", (self._node.address,),
                              rust=Stmt("*{} = {}", self, data.value))

    def __repr__(self) -> str:
        return f"&mut {safe_repr(self._node.value.value)}"


class _Borrowing:
    """An entry: it holds `&mut RBTree` until it is consumed."""

    _kind = "Entry"

    def __init__(self, tree):
        self._tree = tree
        self._stamp = tree._stamp()
        self._state = "live"

    def _check(self, op: str) -> None:
        if self._state != "live":
            raise UseAfterMove(f"{op}: this {self._kind} was consumed by {self._state}",
                               rule="insert, into_mut, remove and remove_node take the entry "
                                    "by value",
                               rustc="error[E0382]: use of moved value",
                               fix="use what that call returned")
        self._tree._check_borrow(self._stamp, op, mutable=True)

    def _consume(self, op: str) -> None:
        self._check(op)
        self._state = op


class VacantEntry(_Borrowing):
    """A key that is not in the tree: `kernel::rbtree::VacantEntry`. `insert(value,
    reservation)` fills the preallocated node and links it, never allocating.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); tree = kp.RBTree()
    >>> e = tree.entry(3).entry
    >>> e.insert("three", kp.RBTreeNodeReservation.new(kp.GFP_KERNEL)).value
    'three'
    """

    _kind = "VacantEntry"

    def __init__(self, tree, key):
        super().__init__(tree)
        self.key = key

    @compound("{self}.insert({value}, {reservation})")
    def insert(self, value, reservation) -> MutRef:
        """`VacantEntry::insert(self, value, reservation) -> &mut V`: no allocation."""
        op = "VacantEntry::insert"
        self._check(op)
        if not isinstance(reservation, RBTreeNodeReservation):
            raise TypeMismatch(f"{op}: expected an RBTreeNodeReservation, found "
                               f"{safe_repr(reservation)}",
                               rule="a vacant entry is filled from memory reserved earlier, "
                                    "so that inserting never allocates",
                               rustc="error[E0308]: mismatched types (expected "
                                     "`RBTreeNodeReservation<K, V>`)",
                               fix="kp.RBTreeNodeReservation.new(flags) before taking the lock")
        reservation._check(op)
        self._state = op
        tree = self._tree
        node = reservation.into_node(self.key, value)
        obj = node._consume(op)
        tree._link(obj, self.key)
        tree._generation += 1
        ref = MutRef(tree, obj)
        tree._heap.emit(op, f"node {obj.address:#x} linked for key {self.key!r} from the "
                        "reservation; no allocation", (obj.address,),
                        rust=Stmt("{}.insert({}, {})", self, value, reservation, result=ref))
        return ref

    def __repr__(self) -> str:
        return f"VacantEntry(key={self.key!r})"


class OccupiedEntry(_Borrowing):
    """A key that is in the tree: `kernel::rbtree::OccupiedEntry`.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); tree = kp.RBTree()
    >>> tree.try_create_and_insert(1, "one", kp.GFP_KERNEL)
    >>> e = tree.find_mut(1); e.get(), e.remove()
    ('one', 'one')
    """

    _kind = "OccupiedEntry"

    def __init__(self, tree, node):
        super().__init__(tree)
        self._node = node

    @property
    def key(self):
        return self._node.value.key

    def get(self):
        """`get(&self) -> &V`."""
        self._check("OccupiedEntry::get")
        return self._node.value.value

    def get_mut(self) -> MutRef:
        """`get_mut(&mut self) -> &mut V`."""
        self._check("OccupiedEntry::get_mut")
        return MutRef(self._tree, self._node)

    def into_mut(self) -> MutRef:
        """`into_mut(self) -> &mut V` (consumes the entry)."""
        self._consume("OccupiedEntry::into_mut")
        return MutRef(self._tree, self._node)

    def remove_node(self) -> RBTreeNode:
        """`remove_node(self)`: unlink and return the node (memory kept)."""
        op = "OccupiedEntry::remove_node"
        self._consume(op)
        tree = self._tree
        node = tree._unlink(tree._nodes.index(self._node))
        tree._generation += 1
        tree._heap.emit("RBTree::remove_node", f"node for key {node.key!r} unlinked and "
                        "returned", (node._obj.address,),
                        rust=Stmt("{}.remove_node()", self, result=node))
        return node

    def remove(self):
        """`remove(self) -> V`: the value; the node's memory is freed."""
        return self.remove_node().to_key_value()[1]

    def __repr__(self) -> str:
        return f"OccupiedEntry(key={self.key!r})"


class Entry:
    """`kernel::rbtree::Entry`: `Vacant(VacantEntry)` or `Occupied(OccupiedEntry)`, as
    `RBTree::entry` returns it; match on it like the Rust enum.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); tree = kp.RBTree()
    >>> isinstance(tree.entry(1), kp.rbtree.Entry), tree.entry(1)
    (True, Vacant(VacantEntry(key=1)))
    """

    __match_args__ = ("entry",)
    __slots__ = ("entry",)

    def __init__(self, entry):
        self.entry = entry

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.entry!r})"


class Vacant(Entry):
    """`Entry::Vacant(VacantEntry)`: the key is not in the tree.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> kp.RBTree().entry(5)
    Vacant(VacantEntry(key=5))
    """

    __slots__ = ()


class Occupied(Entry):
    """`Entry::Occupied(OccupiedEntry)`: the key is in the tree.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); tree = kp.RBTree()
    >>> tree.try_create_and_insert(5, "five", kp.GFP_KERNEL)
    >>> tree.entry(5)
    Occupied(OccupiedEntry(key=5))
    """

    __slots__ = ()
