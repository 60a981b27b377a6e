"""Intrusive linked lists: `ListLinks`, `ListArc<T, ID>`, `List<T, ID>` and its cursors."""

from . import check as _check  # noqa: F401  (registers the list invariants with Heap)
from . import unchecked
from .cursor import Cursor, CursorPeek
from .cursor_v6_11 import OldCursor, cursor_front_v6_11
from .iter import IntoIter, Iter
from .links import (AtomicTracker, ListLinks, ListLinksSelfPtr, impl_list_arc_safe,
                    impl_list_item, list_arc_safe_of, list_item_field, tracking_of)
from .list import List
from .list_arc import ListArc

__all__ = ["ListLinks", "ListLinksSelfPtr", "AtomicTracker", "impl_list_arc_safe",
           "impl_list_item", "list_arc_safe_of", "list_item_field", "tracking_of", "ListArc",
           "List",
           "Iter", "IntoIter", "Cursor", "CursorPeek", "OldCursor", "cursor_front_v6_11",
           "unchecked"]
