"""Tree nodes as separate allocations: `RBTreeNode` and `RBTreeNodeReservation`."""

from __future__ import annotations

from ..flags import REQUIRED, Flags
from ..heap import current_heap
from ..ownership import Handle, drop_value
from ..rust import Stmt, implicit
from ..types_ import type_name_of

__all__ = ["RBTreeNode", "RBTreeNodeReservation", "RB_NODE_SIZE"]

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
        free_node(obj)
        obj.heap.emit(f"{self.kind}::drop", f"node memory at {obj.address:#x} freed",
                      (obj.address,), rust=Stmt("drop({})", self))

    def __repr__(self) -> str:
        if self._state != "live":
            return f"{self.type_str()}({self._state})"
        return f"{self.type_str()}(@{self._obj.address:#x})"


def free_node(obj) -> None:
    if not obj.uninit:
        with implicit("the node's destructor"):
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
    def new(cls, flags: Flags = REQUIRED) -> "RBTreeNodeReservation":
        """`RBTreeNodeReservation::new(flags)`: allocate an empty node; may fail (and may sleep
        with GFP_KERNEL)."""
        heap = current_heap()
        obj = heap.allocate(flags, what="RBTreeNodeReservation::new", type_name="Node<K, V>",
                            value=None, size=RB_NODE_SIZE + 16, header=RB_NODE_SIZE,
                            kind="RBNode")
        obj.uninit = True
        r = cls(obj)
        heap.emit("RBTreeNodeReservation::new", f"empty node allocated at {obj.address:#x}",
                  (obj.address,), rust=Stmt("RBTreeNodeReservation::new({})?", flags, result=r))
        return r

    def into_node(self, key, value) -> "RBTreeNode":
        """`into_node(key, value)`: write key and value into the reserved memory; infallible,
        no allocation (behaviour 64)."""
        obj = self._check("RBTreeNodeReservation::into_node")
        rust = Stmt("{}.into_node({}, {})", self, key, value)
        self._retire("moved", "RBTreeNodeReservation::into_node")
        _fill(obj, key, value)
        node = RBTreeNode(obj)
        obj.heap.emit("RBTreeNodeReservation::into_node", f"key {key!r} written into the "
                      f"reserved node at {obj.address:#x}; no allocation", (obj.address,),
                      rust=rust.returning(node))
        return node


def _fill(obj, key, value) -> None:
    where = f"Node at {obj.address:#x}"
    obj.value = _NodeData(_move_in(key, where), _move_in(value, where))
    obj.uninit = False
    obj.type_name = f"Node<{type_name_of(key)}, {type_name_of(value)}>"
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
    def new(cls, key, value, flags: Flags = REQUIRED) -> "RBTreeNode":
        """`RBTreeNode::new(key, value, flags)`: allocate and fill a node; may fail only by
        allocation."""
        heap = current_heap()
        obj = heap.allocate(flags, what="RBTreeNode::new", type_name="Node<K, V>", value=None,
                            size=RB_NODE_SIZE + 16, header=RB_NODE_SIZE, kind="RBNode")
        _fill(obj, key, value)
        node = cls(obj)
        heap.emit("RBTreeNode::new", f"node for key {key!r} allocated at {obj.address:#x}",
                  (obj.address,), rust=Stmt("RBTreeNode::new({}, {}, {})?", key, value, flags,
                                            result=node))
        return node

    @property
    def key(self):
        return self._check("RBTreeNode::key").value.key

    def into_reservation(self) -> RBTreeNodeReservation:
        """`into_reservation`: drop key and value in place but keep the memory (64)."""
        obj = self._consume("RBTreeNode::into_reservation")
        with implicit("into_reservation drops the key and value"):
            drop_value([obj.value.key, obj.value.value])
        obj.value = None
        obj.uninit = True
        obj.type_name = "Node<K, V>"
        obj.touch()
        r = RBTreeNodeReservation(obj)
        obj.heap.emit("RBTreeNode::into_reservation", f"key and value dropped; the memory at "
                      f"{obj.address:#x} is a reservation again", (obj.address,),
                      rust=Stmt("{}.into_reservation()", self, result=r))
        return r

    def to_key_value(self) -> tuple:
        """`to_key_value`: take key and value out and free the node's memory."""
        obj = self._consume("RBTreeNode::to_key_value")
        where = f"Node at {obj.address:#x}"
        kv = (_move_out(obj.value.key, where), _move_out(obj.value.value, where))
        obj.value = None
        obj.uninit = True
        free_node(obj)
        obj.heap.emit("RBTreeNode::to_key_value", f"key {kv[0]!r} and value moved out; node "
                      f"memory at {obj.address:#x} freed", (obj.address,),
                      rust=Stmt("{}.to_key_value()", self, result=kv))
        return kv
