"""kernelptr: a faithful Python model of the Linux kernel's Rust smart pointers and lists.

`import kernelptr as kp`, then `heap = kp.reset()` and drive `kp.Arc`, `kp.UniqueArc`,
`kp.ListArc` and `kp.List`; `heap.snapshot()` and `kp.record()` feed the pictures in
`widgets`.
"""

from .arc import Arc
from .borrow import ArcBorrow
from .errors import (Abort, AllocError, BorrowError, BuildError, Deadlock, InvariantViolation,
                     KernelPtrError, MutabilityError, NoSuchField, NotClone, NotDynCompatible,
                     ReceiverMismatch, SleepInAtomicContext, TraitNotImplemented, TypeMismatch,
                     UndefinedBehavior, UseAfterFree, UseAfterMove)
from .events import Event, Location
from .flags import GFP_ATOMIC, GFP_KERNEL, GFP_KERNEL_ACCOUNT, GFP_NOWAIT, Flags
from .heap import Heap, current_heap, reset
from .layout import Layout, layout
from .lock import Guard, SpinLock
from .ownership import Handle, drop, name, scope
from .problem import Problem
from .raw import RawPtr
from .record import Frame, Recording, record, trace
from .rust import rust_decl
from .refcount import (REFCOUNT_MAX, REFCOUNT_SATURATED, Refcount, RefcountWarning,
                       SaturationKind)
from .snapshot import (HandleSnap, ListSnap, ObjectSnap, PointerSnap, RawPtrSnap, Snapshot,
                       VtableSnap)
from .std_arc import ISIZE_MAX, StdArc, Weak
from .struct import PhantomPinned, is_unpin, not_unpin_because, struct
from .unique import PinProjection, UniqueArc, Uninit

__all__ = [
    "Arc", "ArcBorrow", "UniqueArc", "Uninit", "PinProjection", "PhantomPinned", "is_unpin",
    "not_unpin_because", "RawPtr", "StdArc", "Weak", "ISIZE_MAX",
    "Refcount", "REFCOUNT_MAX", "REFCOUNT_SATURATED", "RefcountWarning", "SaturationKind",
    "Heap", "current_heap", "reset", "Flags", "GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT",
    "GFP_KERNEL_ACCOUNT", "SpinLock", "Guard", "Handle", "drop", "scope", "name", "struct",
    "layout", "Layout", "Event", "Location", "record", "trace", "Recording", "Frame",
    "rust_decl",
    "Snapshot", "ObjectSnap", "HandleSnap", "ListSnap", "VtableSnap", "RawPtrSnap",
    "PointerSnap", "Problem",
    "KernelPtrError", "NoSuchField", "AllocError", "SleepInAtomicContext", "UseAfterMove", "UseAfterFree",
    "BorrowError", "MutabilityError", "UndefinedBehavior", "InvariantViolation",
    "TypeMismatch", "NotClone", "TraitNotImplemented", "ReceiverMismatch", "BuildError",
    "Deadlock", "Abort", "NotDynCompatible",
]

# -- traits, trait objects, vtables -------------------------------------------------------
from .traits import (CVtable, DispatchReport, PointerType, Trait, Unsized,  # noqa: E402
                     Vtable, c_vtable, check_dispatch_from_dyn, impl_dyn_list_item,
                     impl_trait, implements, pointer_type, vtable, vtable_for)

__all__ += ["Trait", "impl_trait", "implements", "vtable", "Vtable", "vtable_for", "CVtable",
            "c_vtable", "check_dispatch_from_dyn", "pointer_type", "PointerType",
            "DispatchReport", "Unsized", "impl_dyn_list_item"]

# -- intrusive lists and ListArc -----------------------------------------------------------
from .list import (AtomicTracker, Cursor, CursorPeek, IntoIter, Iter, List,  # noqa: E402
                   ListArc, ListLinks, ListLinksSelfPtr, impl_list_arc_safe, impl_list_item,
                   unchecked)
from .result import Err, Ok, Panic  # noqa: E402

__all__ += [
    "List", "ListArc", "ListLinks", "ListLinksSelfPtr", "AtomicTracker", "impl_list_arc_safe",
    "impl_list_item", "Iter", "IntoIter", "Cursor", "CursorPeek", "unchecked", "Ok", "Err",
    "Panic",
]

# -- RBTree --------------------------------------------------------------------------------
from . import rbtree  # noqa: E402
from .rbtree import CursorMut, RBTree, RBTreeNode, RBTreeNodeReservation  # noqa: E402

__all__ += ["RBTree", "RBTreeNode", "RBTreeNodeReservation", "CursorMut", "rbtree"]

# -- workqueue -----------------------------------------------------------------------------
from . import workqueue  # noqa: E402

__all__ += ["workqueue"]

# -- Binder's todo list ----------------------------------------------------------------------
from . import binder  # noqa: E402

__all__ += ["binder"]

# -- demonstrating a mistake without stopping the notebook ---------------------------------
from .expect import ExpectedErrorMissing, expect_error  # noqa: E402

__all__ += ["expect_error", "ExpectedErrorMissing"]
