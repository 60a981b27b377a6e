"""The kernel's `RBTree`: an ordered map whose nodes are allocated before insertion."""

from .cursor import Cursor, CursorMut
from .entry import Entry, MutRef, Occupied, OccupiedEntry, Vacant, VacantEntry
from .node import RBTreeNode, RBTreeNodeReservation
from .tree import RBTree

__all__ = ["RBTree", "RBTreeNode", "RBTreeNodeReservation", "Cursor", "CursorMut", "Entry",
           "Vacant", "Occupied", "VacantEntry", "OccupiedEntry", "MutRef"]
