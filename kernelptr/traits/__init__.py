"""Traits, trait objects and vtables: `kp.Trait`, `impl_trait`, `into_dyn`, `#[vtable]`, dyn lists."""

from .dispatch_from_dyn import DispatchReport, PointerType, check_dispatch_from_dyn, pointer_type
from .dyn import call_method, into_dyn
from .dynlist import Unsized, dyn_type, impl_dyn_list_item
from .receiver import Receiver
from .trait import Trait, impl_of, impl_trait, implements, vtable
from .vtable import CVtable, Vtable, c_vtable, vtable_for

__all__ = ["Trait", "impl_trait", "implements", "impl_of", "vtable", "Receiver", "Vtable",
           "vtable_for", "CVtable", "c_vtable", "into_dyn", "call_method",
           "check_dispatch_from_dyn", "pointer_type", "PointerType", "DispatchReport",
           "Unsized", "impl_dyn_list_item", "dyn_type"]
