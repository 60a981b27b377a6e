"""A reference-counted pointer backed by `refcount_t`: the kernel's `Arc<T>`."""

from __future__ import annotations

from . import unwind
from .deref import DerefHandle
from .errors import AllocError, TypeMismatch, UndefinedBehavior, UseAfterFree, UseAfterMove
from .flags import REQUIRED, Flags
from .heap import HeapObject, current_heap
from .ownership import drop_value
from .raw import RawPtr
from .rust import Code, Stmt, alloc_expr, implicit
from .struct import is_struct
from .types_ import arc_header, size_align_of, type_name_of

__all__ = ["Arc", "allocate_arc_inner", "release", "count_text"]


def count_text(obj: HeapObject) -> str:
    return "SATURATED" if obj.refcount.saturated else str(obj.refcount.read())


def allocate_arc_inner(value, flags: Flags, what: str, *, uninit_type=None) -> HeapObject:
    """Allocate an `ArcInner<T>` holding `value` with count 1.

    A refused call (wrong flags, a sleeping allocation in atomic context) changes nothing.
    When the allocator fails (`AllocError`), `value` was already moved into the call and is
    dropped, as Rust drops it: the handles it holds give their counts back, and a struct
    value cannot be used again."""
    heap = current_heap()
    check_unplaced(value, what)
    typ = uninit_type if uninit_type is not None else type(value)
    size, align = size_align_of(typ)
    header = arc_header(align)
    name = type_name_of(typ)
    try:
        obj = heap.allocate(flags, what=what, type_name=name, value=value,
                            size=header + size, header=header, typ=typ)
    except AllocError:
        if is_struct(value):
            object.__setattr__(value, "_kp_consumed", f"{what}, whose allocation failed")
        drop_value(value)
        unwind.resume()
        raise
    adopt = getattr(value, "_kp_adopt", None)
    if adopt is not None:
        adopt(obj)
    return obj


def check_unplaced(value, what: str) -> None:
    """A struct value is moved into its allocation: placing the same value twice is using it
    after the move (it would make two objects share one value)."""
    placed = getattr(value, "_kp_obj", None) if is_struct(value) else None
    if placed is not None:
        raise UseAfterMove(
            f"{what}: this {placed.type_name} value was already moved into the allocation "
            f"at {placed.address:#x}",
            rule="Arc::new(value) moves the value into the new allocation; the old binding "
                 "cannot be used again",
            rustc="error[E0382]: use of moved value",
            fix="make a new value for the second allocation, or share the first one with "
                ".clone() on its Arc")
    consumed = getattr(value, "_kp_consumed", None) if is_struct(value) else None
    if consumed is not None:
        raise UseAfterMove(
            f"{what}: this {type_name_of(value)} value was moved into {consumed} and dropped "
            "there",
            rule="a value moved into a call belongs to that call, even when the call fails "
                 "(it drops the value)",
            rustc="error[E0382]: use of moved value",
            fix="make the value again (with new handles) before retrying")


def release(obj: HeapObject, op: str) -> str:
    """Give up one count with `dec_and_test`; free the object when it reached zero. Returns
    a summary of what happened to the count."""
    before = count_text(obj)
    if obj.refcount.dec_and_test():
        destroy(obj)
        where = ""
        if obj.heap.in_atomic():
            where = f" (inside spinlock `{obj.heap._locks_held[-1].name}`: the destructor " \
                    f"runs in atomic context)"
        return f"refcount {before} -> 0: {obj.type_name} dropped and freed{where}"
    return f"refcount {before} -> {count_text(obj)}"


def new_reference(obj: HeapObject, op: str, cls=None, rust=None) -> "Arc":
    """One more counted reference to `obj` (`refcount_inc`, never fails or allocates) as a
    new Arc handle, recorded as `op` with the Rust `rust` (a `Stmt` without its result);
    shared by clone, clone_arc and Arc::from(ArcBorrow)."""
    before = count_text(obj)
    obj.refcount.inc()
    arc = (cls or Arc)(obj)
    obj.heap.emit(op, f"refcount {before} -> {count_text(obj)}", (obj.address,),
                  rust=rust.returning(arc))
    return arc


def destroy(obj: HeapObject) -> None:
    """Run the destructor (`drop_in_place`) once, then free the memory.

    While it runs the object's count is already 0 (Rust's order: the destructor runs, then
    the memory is freed); `heap.check()` accepts that only for objects being destroyed."""
    # INVARIANT: free only after the fields' own references are given up.
    heap = obj.heap
    heap._dropping.add(obj)
    try:
        if not obj.uninit:
            with implicit(f"{obj.type_name.split('<', 1)[0]}'s destructor"):
                drop_value(obj.value)
    finally:
        heap._dropping.discard(obj)
        heap.free(obj)


class Arc(DerefHandle):
    """A thread-safe reference-counted pointer: the kernel's `kernel::sync::Arc<T>`.

    Unlike `std::sync::Arc` it is backed by C `refcount_t` (saturates instead of aborting),
    has no weak references (a 4-byte header instead of 16) and no `get_mut`, so the
    contents are always pinned.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> a = kp.Arc.new(42, kp.GFP_KERNEL)
    >>> b = a.clone()
    >>> a.refcount, kp.Arc.ptr_eq(a, b)
    (2, True)
    >>> b.drop(); a.refcount
    1

    **Invariants**: the count seen by any live Arc is non-zero; the pointee never moves.
    """

    kind = "Arc"

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def new(cls, value, flags: Flags = REQUIRED) -> "Arc":
        """`Arc::new(value, flags)`: allocate with count 1 (behaviour 1)."""
        obj = allocate_arc_inner(value, flags, "Arc::new")
        arc = cls(obj)
        obj.heap.emit("Arc::new", f"{obj.type_name} allocated at {obj.address:#x}, refcount 1",
                      (obj.address,), rust=Stmt(alloc_expr("Arc", value, flags), result=arc))
        return arc

    @staticmethod
    def from_unique(u) -> "Arc":
        """`Arc::from(UniqueArc)`: free conversion, the count stays 1 (behaviour 12)."""
        from .unique import UniqueArc

        _expect(u, UniqueArc, "Arc::from_unique")
        if u._obj is not None and u._obj.uninit:
            u._check("Arc::from_unique")
            raise UndefinedBehavior(
                "Arc::from_unique on a UniqueArc<MaybeUninit<T>> that was never written",
                rule="an Arc must point at an initialised T",
                fix="call u = u.write(value) first")
        obj = u._consume("Arc::from_unique")
        obj.unique = False
        arc = u._keep_fat(Arc(obj))
        obj.heap.emit("Arc::from(UniqueArc)", "UniqueArc becomes a shared Arc; refcount stays 1",
                      (obj.address,), rust=Stmt("Arc::from({})", u, result=arc))
        return arc

    @staticmethod
    def from_borrow(b) -> "Arc":
        """`Arc::from(ArcBorrow)`: a new counted reference (+1, behaviour 11)."""
        from .borrow import ArcBorrow

        _expect(b, ArcBorrow, "Arc::from_borrow")
        return b.clone_arc()

    # -- counting --------------------------------------------------------------------------
    def clone(self) -> "Arc":
        """`Arc::clone`: add exactly one to the count; never fails, never allocates (2)."""
        obj = self._check("Arc::clone")
        return self._keep_fat(new_reference(obj, "Arc::clone", type(self),
                                            Stmt("{}.clone()", self)))

    def drop(self) -> None:
        """Drop this Arc: `dec_and_test`, and free the object at zero (behaviour 3)."""
        obj = self._consume("Arc::drop", "dropped")
        summary = release(obj, "Arc::drop")
        obj.heap.emit("Arc::drop", summary, (obj.address,), rust=Stmt("drop({})", self))

    @staticmethod
    def refcount_of(a) -> "Refcount":
        """The object's `Refcount` itself, for demonstrations such as `set(REFCOUNT_MAX)`."""
        return _expect_pointer(a, "Arc::refcount_of").refcount

    @staticmethod
    def ptr_eq(a, b) -> bool:
        """`Arc::ptr_eq`: the same allocation, not equal values (behaviour 6)."""
        return _expect_pointer(a, "Arc::ptr_eq") is _expect_pointer(b, "Arc::ptr_eq")

    def as_arc_borrow(self):
        """`as_arc_borrow`: a borrowed handle, no count change (behaviour 11)."""
        from .borrow import ArcBorrow

        obj = self._check("Arc::as_arc_borrow")
        b = ArcBorrow(obj, source=self)
        obj.heap.emit("Arc::as_arc_borrow", f"borrowed, refcount stays {count_text(obj)}",
                      (obj.address,), rust=Stmt("{}.as_arc_borrow()", self, result=b))
        return self._keep_fat(b)

    # -- raw pointers ----------------------------------------------------------------------
    def into_raw(self) -> RawPtr:
        """`Arc::into_raw`: the *data* address; the count now belongs to the pointer (7)."""
        obj = self._consume("Arc::into_raw")
        p = RawPtr(obj, obj.data_address, owns=True, origin="into_raw")
        obj.heap.emit("Arc::into_raw", f"raw pointer {obj.data_address:#x} now owns one count "
                      f"(refcount stays {count_text(obj)})", (obj.address,),
                      rust=Stmt("{}.into_raw()", self, result=p))
        return p

    def into_foreign(self) -> RawPtr:
        """`ForeignOwnable::into_foreign`: the *ArcInner* address, for C `void *` (8)."""
        obj = self._consume("Arc::into_foreign")
        p = RawPtr(obj, obj.address, owns=True, origin="into_foreign")
        obj.heap.emit("Arc::into_foreign", f"C now owns one count through {obj.address:#x}",
                      (obj.address,), rust=Stmt("{}.into_foreign()", self, result=p))
        return p

    @staticmethod
    def as_ptr(a) -> RawPtr:
        """`Arc::as_ptr`: the data address, without giving up ownership."""
        obj = a._check("Arc::as_ptr")
        return RawPtr(obj, obj.data_address, owns=False, origin="as_ptr")

    @classmethod
    def from_raw(cls, p: RawPtr) -> "Arc":
        """`unsafe Arc::from_raw`: take back the count an `into_raw` gave away (7)."""
        return cls._reclaim(p, "into_raw", "Arc::from_raw")

    @classmethod
    def from_foreign(cls, p: RawPtr) -> "Arc":
        """`ForeignOwnable::from_foreign`: take back what `into_foreign` gave C."""
        return cls._reclaim(p, "into_foreign", "Arc::from_foreign")

    @staticmethod
    def borrow(p: RawPtr):
        """`ForeignOwnable::borrow`: an ArcBorrow through a foreign pointer, no count change."""
        from .borrow import ArcBorrow

        obj = _raw_target(p, "into_foreign", "Arc::borrow", need_owner=False)
        b = ArcBorrow(obj, source=p)
        obj.heap.emit("ForeignOwnable::borrow", "borrowed through the foreign pointer",
                      (obj.address,), rust=Stmt("unsafe {{ Arc::<{}>::borrow({}) }}",
                                                Code(obj.type_name), p, result=b))
        return b

    @classmethod
    def _reclaim(cls, p: RawPtr, origin: str, op: str) -> "Arc":
        obj = _raw_target(p, origin, op, need_owner=True)
        p._reclaim()
        arc = cls(obj)
        call = "from_raw" if origin == "into_raw" else "from_foreign"
        obj.heap.emit(op, f"the count owned by {p.address:#x} is an Arc again "
                      f"(refcount stays {count_text(obj)})", (obj.address,),
                      rust=Stmt("unsafe {{ Arc::<{}>::%s({}) }}" % call, Code(obj.type_name),
                                p, result=arc))
        return arc

    @staticmethod
    def into_unique_or_drop(a):
        """`Arc::into_unique_or_drop`: the only reference becomes a pinned UniqueArc
        (`Pin<UniqueArc<T>>`, count back to 1); otherwise give up this reference and return
        None without running the destructor (9)."""
        from .unique import UniqueArc

        _expect(a, Arc, "Arc::into_unique_or_drop")
        obj = a._consume("Arc::into_unique_or_drop")
        before = count_text(obj)
        if obj.refcount.dec_and_test():
            # INVARIANT: we held the last reference, so nobody else can see the object.
            obj.refcount.set(1)
            obj.unique = True
            # The value was in an Arc, which pins it: the result is Pin<UniqueArc<T>>.
            u = a._keep_fat(UniqueArc(obj, pinned=True))
            obj.heap.emit("Arc::into_unique_or_drop", "last reference: refcount 1 -> 0 -> 1, "
                          "returned as Pin<UniqueArc>", (obj.address,),
                          rust=Stmt("Arc::into_unique_or_drop({})", a, result=u, option=True,
                                    mut=True))
            return u
        obj.heap.emit("Arc::into_unique_or_drop", f"not unique: refcount {before} -> "
                      f"{count_text(obj)}, returned None", (obj.address,),
                      rust=Stmt("Arc::into_unique_or_drop({})", a, result=None, option=True,
                                none_note="other references exist; this one was dropped"))
        return None


def _expect(value, cls, op: str) -> None:
    if not isinstance(value, cls):
        raise TypeMismatch(
            f"{op}: expected `{cls.kind}<_>`, found {_describe(value)}",
            rule=f"{op} takes a {cls.kind}",
            rustc="error[E0308]: mismatched types",
            fix=f"pass a {cls.kind} handle",
        )


def _expect_pointer(value, op: str) -> HeapObject:
    """The object behind any pointer handle (Arc, ArcBorrow, ListArc, ...), checked."""
    if not isinstance(value, DerefHandle):
        raise TypeMismatch(f"{op}: expected `&Arc<T>`, found {_describe(value)}",
                           rule=f"{op} compares or inspects pointers",
                           rustc="error[E0308]: mismatched types",
                           fix="pass Arc (or ArcBorrow, ListArc, UniqueArc) handles")
    return value._check(op)


def _describe(value) -> str:
    type_str = getattr(value, "type_str", None)
    return f"`{type_str()}`" if type_str else f"`{type(value).__name__}`"


def _raw_target(p: RawPtr, origin: str, op: str, *, need_owner: bool) -> HeapObject:
    if not isinstance(p, RawPtr):
        raise TypeMismatch(f"{op}: expected a raw pointer, found {_describe(p)}",
                           rule=f"{op} takes the pointer returned by {origin}",
                           rustc="error[E0308]: mismatched types",
                           fix=f"pass the RawPtr that {origin} returned")
    obj = p._obj
    obj.heap._require_current(op)
    if p.origin != origin and not (p.origin == "as_ptr" and origin == "into_raw"):
        raise UndefinedBehavior(
            f"{op} on a pointer from {p.origin} ({p.address:#x})",
            rule=f"{op} must get exactly a pointer returned by {origin}: into_raw points at "
                 "`data`, into_foreign at the ArcInner, so mixing them reads the wrong address",
            fix=f"pair into_raw with from_raw and into_foreign with from_foreign")
    if obj.freed:
        raise UseAfterFree(f"{op}({p.address:#x}): that object was already freed",
                           rule="a raw pointer does not keep its object alive unless it owns a "
                                "count",
                           fix="only turn back pointers that still own their count")
    if need_owner and (p.reclaimed or not p.owns):
        why = ("this into_raw's count was already taken back by an earlier from_raw; a second "
               "Arc would drop the same reference again: double free") if p.reclaimed else (
               "the pointer came from as_ptr, which owns no count; the new Arc would steal one")
        raise UndefinedBehavior(
            f"{op}({p.address:#x}): {why}",
            rule=f"every {origin} is balanced by exactly one {op} (that is the `# Safety` "
                 "requirement of the unsafe function)",
            fix="clone the Arc you got from the first from_raw instead of calling it again")
    return obj
