"""A wrapper around `Arc` for linked lists: the kernel's `ListArc<T, ID>`."""

from __future__ import annotations

from ..arc import Arc, _raw_target, allocate_arc_inner, count_text, new_reference, release
from ..borrow import ArcBorrow
from ..deref import DerefHandle
from ..errors import (BuildError, NotClone, TraitNotImplemented, TypeMismatch,
                      UndefinedBehavior)
from ..flags import REQUIRED, Flags
from ..raw import RawPtr
from ..result import Err, Ok
from ..rust import Stmt, alloc_expr, compound, rust_type
from ..types_ import check_id, type_name_of
from ..unique import UniqueArc
from .links import follow_tracked_by, require_list_arc_safe, tracker_id

__all__ = ["ListArc", "current_holder", "expect_handle"]


def current_holder(obj, id: int):
    """Who holds the `ListArc<_, id>` of `obj` now: a live ListArc, a List, an unreclaimed
    raw pointer from `ListArc::into_raw`, or None."""
    holder = obj.listarc.get(id)
    if holder is None:
        return None
    if isinstance(holder, RawPtr):
        return None if holder.reclaimed else holder
    if isinstance(holder, ListArc):
        return holder if holder._state == "live" else None
    return None if getattr(holder, "_dropped", False) else holder


def expect_handle(value, cls, op: str, expected: str):
    """Raise TypeMismatch (rustc E0308) unless `value` is a `cls` handle."""
    if not isinstance(value, cls):
        found = value.type_str() if hasattr(value, "type_str") and callable(
            getattr(type(value), "type_str", None)) else type(value).__name__
        fix = f"pass a {cls.kind} handle"
        if cls.kind == "ListArc" and found.startswith("Arc<"):
            fix = ("a plain Arc cannot prove it is the only one allowed to touch the links: "
                   "make a ListArc instead (kp.ListArc.new, kp.ListArc.from_unique(u), or "
                   "kp.ListArc.try_from_arc(arc) for a type with an AtomicTracker)")
        raise TypeMismatch(f"{op}: expected `{expected}`, found `{found}`",
                           rule=f"{op} takes a {cls.kind}",
                           rustc="error[E0308]: mismatched types",
                           fix=fix)


def _path(id: int) -> str:
    """`ListArc`, or `ListArc::<_, ID>` when the ID is not the default 0."""
    return "ListArc" if not id else f"ListArc::<_, {id}>"


def _result_type(obj, id: int, a) -> str:
    """`Result<ListArc<T, ID>, Arc<T>>`, what `try_from_arc` returns."""
    arc = rust_type(a)
    return f"Result<{arc.replace('Arc<', 'ListArc<', 1)[:-1]}, {id}>, {arc}>"


def _on_create(obj, id: int) -> None:
    """`ListArcSafe::on_create_list_arc_from_unique`: the tracker (reached through any
    `tracked_by` delegation) stores true."""
    tid = tracker_id(obj.type, id, obj.value)
    if tid is not None:
        obj.trackers[tid] = True


def _on_drop(obj, id: int) -> None:
    """`ListArcSafe::on_drop_list_arc`: the tracker stores false (Release)."""
    tid = tracker_id(obj.type, id, obj.value)
    if tid is not None:
        obj.trackers[tid] = False


def _require_tracked(handle, obj, id: int, op: str) -> None:
    """`T: TryNewListArc<id>`, following `tracked_by` delegation, or TraitNotImplemented."""
    T = obj.type
    require_list_arc_safe(T, id, op, obj.value)
    if handle._vtable is not None:
        name = handle._pointee_name()
        raise TraitNotImplemented(
            f"{op}: the trait bound `{name}: TryNewListArc<{id}>` is not satisfied: through "
            f"`dyn {handle._dyn_name}` only the trait's supertraits are known, and "
            "TryNewListArc is not one",
            rule="try_from_arc needs T: TryNewListArc; a trait object only has what its "
                 "trait declares (ListArcSafe may be a supertrait, TryNewListArc is not)",
            rustc=f"error[E0277]: the trait bound `{name}: TryNewListArc<{id}>` is not "
                  "satisfied",
            fix="keep a concrete Arc for try_from_arc (Binder keeps reply_work as "
                "DArc<ThreadError>) and coerce the ListArc afterwards: la.into_dyn(Trait)")
    if tracker_id(T, id, obj.value) is None:
        name = obj.type_name
        last, inner, _ = follow_tracked_by(T, obj.value, id)
        how = (f"`{name}` is `untracked` for ID {id}" if last is T else
               f"`{name}` delegates its tracking (tracked_by) to "
               f"`{type_name_of(inner if inner is not None else last)}`, which is "
               f"`untracked` for ID {id}")
        raise TraitNotImplemented(
            f"{op}: the trait bound `{name}: TryNewListArc<{id}>` is not satisfied ({how})",
            rule="an untracked type cannot tell whether a ListArc already exists, so it only "
                 "gets a ListArc from a UniqueArc, where you own every reference",
            rustc=f"error[E0277]: the trait bound `{name}: TryNewListArc<{id}>` is not "
                  "satisfied",
            fix=f"use ListArc.from_unique / ListArc.new, or track it: add an "
                f"AtomicTracker[{id}] field and impl_list_arc_safe(..., tracked_by=field)")


class ListArc(DerefHandle):
    """An `Arc` that is the only one of its kind per list ID: the kernel's `ListArc<T, ID>`.

    It carries the exclusive right to touch the `ListLinks<ID>` inside the object, so a
    `List<T, ID>` takes the ListArc of every element it holds. Plain `Arc`s to the same
    object may exist alongside. Its tracking rule is asymmetric: the type's tracker may
    believe a ListArc exists when none does (you merely fail to make one), but never the
    reverse, which would allow two ListArcs and so two lists racing on the same links.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> @kp.impl_list_arc_safe(id=0, tracked_by="t")
    ... @kp.struct
    ... class Job:
    ...     t: kp.AtomicTracker[0]
    >>> la = kp.ListArc.new(Job(), kp.GFP_KERNEL)
    >>> a = la.clone_arc()
    >>> kp.ListArc.try_from_arc(a)       # a ListArc for ID 0 already exists
    Err(Arc<Job>(@0xffff888000001000, refcount=2))

    **Invariants**: at most one ListArc per object and ID (a List holding it counts); the
    tracker says "exists" while it exists.
    """

    kind = "ListArc"
    _another_reference = "call .clone_arc() (a plain Arc: a ListArc is never Clone)"

    def __init__(self, obj, *, id: int = 0):
        super().__init__(obj)
        object.__setattr__(self, "_id", id)
        if obj is not None:
            # INVARIANT: this handle is now the one holder of the ListArc for (obj, id).
            obj.listarc[id] = self
            obj.touch()

    def _clone_handle(self, obj, **kw):
        return self._keep_fat(ListArc(obj, id=self._id))

    def type_str(self) -> str:
        return f"ListArc<{self._pointee_name()}, {self._id}>"

    @property
    def id(self) -> int:
        """The list ID this ListArc is unique for."""
        return self._id

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def new(cls, value, flags: Flags = REQUIRED, id: int = 0) -> "ListArc":
        """`ListArc::new(value, flags)`: can fail only by allocation (behaviour 24)."""
        require_list_arc_safe(type(value), id, "ListArc::new", value)
        obj = allocate_arc_inner(value, flags, "ListArc::new")
        _on_create(obj, id)
        la = cls(obj, id=id)
        obj.heap.emit("ListArc::new", f"{obj.type_name} allocated at {obj.address:#x} as "
                      f"ListArc<_, {id}>, refcount 1", (obj.address,),
                      rust=Stmt(alloc_expr("ListArc", value, flags, id), result=la))
        return la

    @classmethod
    def from_unique(cls, u, id: int = 0) -> "ListArc":
        """`ListArc::from(UniqueArc)` (or from `Pin<UniqueArc>`): always works, you own every
        reference (behaviour 23)."""
        obj = cls._take_unique(u, (id,), "ListArc::from_unique")
        _on_create(obj, id)
        la = cls(obj, id=id)
        obj.heap.emit("ListArc::from(UniqueArc)", f"UniqueArc becomes ListArc<_, {id}>; "
                      "refcount stays 1", (obj.address,),
                      rust=Stmt(_path(id) + "::from({})", u, result=la))
        return la

    @classmethod
    def pair_from_unique(cls, u, ids=(0, 1)) -> tuple["ListArc", "ListArc"]:
        """`ListArc::pair_from_unique`: two ListArcs with different IDs from a `UniqueArc<T>`,
        count 2 (behaviour 32)."""
        return cls._pair(u, ids, "ListArc::pair_from_unique", pinned=False)

    @classmethod
    def pair_from_pin_unique(cls, u, ids=(0, 1)) -> tuple["ListArc", "ListArc"]:
        """`ListArc::pair_from_pin_unique`: the same from a `Pin<UniqueArc<T>>` (for
        example what `Arc::into_unique_or_drop` returns).

        >>> import kernelptr as kp
        >>> heap = kp.reset()
        >>> @kp.impl_list_arc_safe(id=1, untracked=True)
        ... @kp.impl_list_arc_safe(id=0, untracked=True)
        ... @kp.struct
        ... class Both:
        ...     n: int
        >>> u = kp.UniqueArc.pin_init(Both(1), kp.GFP_KERNEL)
        >>> [la.type_str() for la in kp.ListArc.pair_from_pin_unique(u)]
        ['ListArc<Both, 0>', 'ListArc<Both, 1>']
        """
        return cls._pair(u, ids, "ListArc::pair_from_pin_unique", pinned=True)

    @classmethod
    def _pair(cls, u, ids, op: str, *, pinned: bool):
        if not (isinstance(ids, tuple) and len(ids) == 2 and
                all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids)):
            raise TypeMismatch(f"{op}: ids={ids!r} is not two list IDs",
                               rule="the two IDs are const generics `ID` and `ID2: u64`",
                               rustc="error[E0308]: mismatched types (expected `u64`)",
                               fix="ids=(0, 1)")
        id1, id2 = ids
        check_id(id1, op)
        check_id(id2, op)
        if id1 == id2:
            raise BuildError(
                f"{op}::<{id1}, {id2}>: build_assert!(ID != ID2) failed",
                rule="two ListArcs with the same ID would both own the same links",
                rustc="error: build_assert! failed (the kernel refuses to link)",
                fix="use two different IDs, e.g. ids=(0, 1)")
        if isinstance(u, UniqueArc) and u.is_live() and u.pinned != pinned:
            want, other = ("Pin<UniqueArc<T>>", "pair_from_unique") if pinned else \
                ("UniqueArc<T>", "pair_from_pin_unique")
            raise TypeMismatch(f"{op}: expected `{want}`, found `{u.type_str()}`",
                               rule=f"{op.split('::')[1]} takes a {want}",
                               rustc=f"error[E0308]: mismatched types: expected `{want}`",
                               fix=f"use ListArc.{other}(u)")
        obj = cls._take_unique(u, ids, op)
        _on_create(obj, id1)
        _on_create(obj, id2)
        obj.refcount.inc()
        first, second = cls(obj, id=id1), cls(obj, id=id2)
        method = op.split("::")[1]
        obj.heap.emit(op, f"ListArc<_, {id1}> and ListArc<_, {id2}> from one UniqueArc; "
                      f"refcount {count_text(obj)}", (obj.address,),
                      rust=Stmt(f"ListArc::<_, {id1}>::{method}::<{id2}>({{}})", u,
                                result=(first, second)))
        return first, second

    @staticmethod
    def _take_unique(u, ids, op: str):
        expect_handle(u, UniqueArc, op, "UniqueArc<T>")
        obj = u._check(op)
        if obj.uninit:
            raise UndefinedBehavior(f"{op} on a UniqueArc<MaybeUninit<T>> never written",
                                    rule="a ListArc must point at an initialised T",
                                    fix="call u = u.write(value) first")
        if u._vtable is not None:
            raise TypeMismatch(
                f"{op}: expected a concrete `UniqueArc<T>`, found `{u.type_str()}`",
                rule="the ListArc is made for the concrete type; unsize it afterwards",
                rustc="error[E0277]: the size for values of type `dyn Trait` cannot be "
                      "known here",
                fix="make the ListArc from the concrete UniqueArc, then la.into_dyn(Trait)")
        for i in ids:
            require_list_arc_safe(obj.type, i, op, obj.value)
        u._retire("moved", op)
        obj.unique = False
        return obj

    @classmethod
    def try_from_arc(cls, a, id: int = 0):
        """`ListArc::try_from_arc`: `Ok(ListArc)` iff no ListArc exists for `id`, else
        `Err(a)`, the same Arc, count unchanged (behaviours 26, 27)."""
        expect_handle(a, Arc, "ListArc::try_from_arc", "Arc<T>")
        obj = a._check("ListArc::try_from_arc")
        _require_tracked(a, obj, id, "ListArc::try_from_arc")
        call = _path(id) + "::try_from_arc({})"
        if not cls._try_new(obj, id):
            err = Err(a)
            obj.heap.emit("ListArc::try_from_arc", f"tracker says a ListArc<_, {id}> exists: "
                          "Err(arc) handed back, refcount unchanged", (obj.address,),
                          rust=Stmt(call, a, result=err, ty=_result_type(obj, id, a)))
            return err
        a._retire("moved", "ListArc::try_from_arc")
        la = cls(obj, id=id)
        ok = Ok(la)
        obj.heap.emit("ListArc::try_from_arc", f"tracker false -> true: Ok(ListArc<_, {id}>), "
                      f"refcount stays {count_text(obj)}", (obj.address,),
                      rust=Stmt(call, a, result=ok, ty=_result_type(obj, id, a)))
        return ok

    @staticmethod
    def _try_new(obj, id: int) -> bool:
        """`TryNewListArc::try_new_list_arc`: compare-exchange the tracker false -> true."""
        tid = tracker_id(obj.type, id, obj.value)
        if obj.trackers.get(tid):
            return False
        obj.trackers[tid] = True
        obj.touch()
        return True

    @classmethod
    def try_from_arc_borrow(cls, b, id: int = 0):
        """`ListArc::try_from_arc_borrow`: a ListArc (+1) or None (behaviour 28)."""
        expect_handle(b, ArcBorrow, "ListArc::try_from_arc_borrow", "ArcBorrow<'_, T>")
        obj = b._check("ListArc::try_from_arc_borrow")
        _require_tracked(b, obj, id, "ListArc::try_from_arc_borrow")
        call = Stmt(_path(id) + "::try_from_arc_borrow({})", b, option=True)
        if not cls._try_new(obj, id):
            obj.heap.emit("ListArc::try_from_arc_borrow", f"a ListArc<_, {id}> exists: None",
                          (obj.address,), rust=call.returning(
                              None, none_note="a ListArc for this ID exists"))
            return None
        before = count_text(obj)
        obj.refcount.inc()
        la = cls(obj, id=id)
        obj.heap.emit("ListArc::try_from_arc_borrow", f"new ListArc<_, {id}>: refcount "
                      f"{before} -> {count_text(obj)}", (obj.address,),
                      rust=call.returning(la))
        return la

    @classmethod
    @compound("ListArc::try_from_arc_or_drop({a})", option=True)
    def try_from_arc_or_drop(cls, a, id: int = 0):
        """`ListArc::try_from_arc_or_drop`: try; on failure, if `a` was the last reference,
        make the ListArc from the recovered UniqueArc, else give `a` up and return None
        without running the destructor (behaviour 29)."""
        result = cls.try_from_arc(a, id)
        if result.is_ok():
            return result.value
        u = Arc.into_unique_or_drop(result.value)
        return None if u is None else cls.from_unique(u, id)

    @classmethod
    def from_raw(cls, p, id: int = 0) -> "ListArc":
        """`unsafe ListArc::from_raw`: take back the pointer `ListArc::into_raw` returned."""
        op = "ListArc::from_raw"
        check_id(id, op)
        obj = _raw_target(p, "into_raw", op, need_owner=True)
        if obj.listarc.get(id) is not p:
            raise UndefinedBehavior(
                f"{op}({p.address:#x}) for ID {id}: this pointer is not the one "
                f"ListArc<_, {id}>::into_raw returned",
                rule="from_raw's safety contract: the pointer must come from into_raw of a "
                     "ListArc with the same ID, so no other ListArc exists",
                fix="use kp.Arc.from_raw for a plain Arc pointer, or the right id=")
        p._reclaim()
        la = cls(obj, id=id)
        obj.heap.emit(op, f"raw pointer {p.address:#x} is a ListArc<_, {id}> again "
                      f"(refcount stays {count_text(obj)})", (obj.address,),
                      rust=Stmt("unsafe {{ %s::from_raw({}) }}" % _path(id), p, result=la))
        return la

    # -- conversion and access -------------------------------------------------------------
    def into_raw(self) -> RawPtr:
        """`ListArc::into_raw`: the data address; the tracker stays set (behaviour 31)."""
        obj = self._consume("ListArc::into_raw")
        p = RawPtr(obj, obj.data_address, owns=True, origin="into_raw")
        obj.listarc[self._id] = p   # INVARIANT: the pointer now stands for the ListArc.
        obj.touch()
        obj.heap.emit("ListArc::into_raw", f"raw pointer {obj.data_address:#x} owns the "
                      f"ListArc<_, {self._id}>; tracker stays set", (obj.address,),
                      rust=Stmt("{}.into_raw()", self, result=p))
        return p

    def into_arc(self) -> Arc:
        """`ListArc::into_arc`: a plain Arc, tracker reset, count unchanged (behaviour 31)."""
        obj = self._consume("ListArc::into_arc")
        self._give_up(obj)
        arc = Arc(obj)
        arc = self._keep_fat(arc)
        obj.heap.emit("ListArc::into_arc", f"ListArc<_, {self._id}> becomes a plain Arc; "
                      f"tracker reset, refcount stays {count_text(obj)}", (obj.address,),
                      rust=Stmt("{}.into_arc()", self, result=arc))
        return arc

    def _give_up(self, obj) -> None:
        _on_drop(obj, self._id)
        if obj.listarc.get(self._id) is self:
            del obj.listarc[self._id]
        obj.touch()

    def clone_arc(self) -> Arc:
        """`ListArc::clone_arc`: a plain Arc (+1); this ListArc stays (behaviour 25)."""
        obj = self._check("ListArc::clone_arc")
        return self._keep_fat(new_reference(obj, "ListArc::clone_arc",
                                            rust=Stmt("{}.clone_arc()", self)))

    def as_arc_borrow(self) -> ArcBorrow:
        """`ListArc::as_arc_borrow`: a borrow, no count change."""
        obj = self._check("ListArc::as_arc_borrow")
        return self._keep_fat(ArcBorrow(obj, source=self))

    @staticmethod
    def ptr_eq(a, b) -> bool:
        """`ListArc::ptr_eq`: the same allocation."""
        return a._check("ListArc::ptr_eq") is b._check("ListArc::ptr_eq")

    def clone(self):
        """A ListArc is not `Clone` (behaviour 25): raises `NotClone`."""
        self._check("ListArc::clone")
        raise NotClone(
            f"no method named `clone` found for `{self.type_str()}`",
            rule="a ListArc is unique per ID; a clone would be a second owner of the same "
                 "list links",
            rustc=f"error[E0599]: no method named `clone` found for struct "
                  f"`{self.type_str()}`",
            fix="la.clone_arc() gives a plain Arc; la.as_arc_borrow() a borrow")

    def drop(self) -> None:
        """Drop: reset the tracker first, then give up the count (behaviour 30)."""
        obj = self._consume("ListArc::drop", "dropped")
        self._give_up(obj)   # on_drop_list_arc runs BEFORE the decrement
        summary = release(obj, "ListArc::drop")
        obj.heap.emit("ListArc::drop", f"tracker reset; {summary}", (obj.address,),
                      rust=Stmt("drop({})", self))
