"""The kernel's `RBTree`: an ordered map whose nodes are allocated before insertion."""

from .cursor import CursorMut
from .node import RBTreeNode, RBTreeNodeReservation
from .tree import RBTree

__all__ = ["RBTree", "RBTreeNode", "RBTreeNodeReservation", "CursorMut"]
