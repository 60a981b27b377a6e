"""An intrusive, circular, doubly linked list of `ListArc`s: the kernel's `List<T, ID>`."""

from __future__ import annotations

from .. import unwind
from ..arc import Arc
from ..borrow import ArcBorrow
from ..errors import (BorrowError, TraitNotImplemented, TypeMismatch, UndefinedBehavior,
                      UseAfterFree, UseAfterMove)
from ..heap import current_heap, same_heap
from ..ownership import Handle
from ..rust import Stmt, implicit, mut_ref, ref
from ..types_ import check_id, type_name_of
from .links import ListLinksSelfPtr, list_item_field, require_list_arc_safe
from .list_arc import ListArc, expect_handle
from .ring import insert_before, links, set_first, unlink, walk, wrote

__all__ = ["List"]


class List:
    """A circular doubly linked list threaded through its items: the kernel's `List<T, ID>`.

    The list is one pointer, `first`; there is no sentinel node and no length. It owns the
    `ListArc<T, ID>` of every item, which gives it the exclusive right to the items'
    `ListLinks<ID>`. Every operation is O(1) except iteration, none allocates and none can
    fail, so all are allowed in atomic context (inside a SpinLock). `first` is exposed as an
    `ArcBorrow` of the first item (None when empty), valid until the list next changes.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> from kernelptr.list.example import Job     # n: int, links: ListLinks<0>
    >>> q = kp.List(Job)
    >>> for n in (1, 2, 3):
    ...     q.push_back(kp.ListArc.new(Job(n), kp.GFP_KERNEL))
    >>> [job.n for job in q]
    [1, 2, 3]
    >>> q.pop_front().n, q.first.n
    (1, 2)

    **Invariants**: `first` is null iff the list is empty; the items' next/prev pointers
    form one cycle (a single item points to itself both ways); the list holds the ListArc of
    every item.

    **Trait objects**: `List(Wrapper[Trait])` holds `Wrapper<dyn Trait>` values (see
    kernelptr/traits/dynlist.py); its ListArcs are fat pointers, and the vtable is read back
    from each item's `ListLinksSelfPtr` into the handles the list hands out.
    """

    _kp_labelled = True

    def __init__(self, T, id: int = 0):
        from ..traits.dynlist import refuse_trait

        check_id(id, "List::new")
        refuse_trait(T, id)     # `List<dyn Trait>`: a trait has no links at a fixed offset
        if list_item_field(T, id) is None:
            name = type_name_of(T)
            raise TraitNotImplemented(
                f"List<{name}, {id}>: the trait bound `{name}: ListItem<{id}>` is not "
                "satisfied",
                rule="a List<T, ID> threads through T's ListLinks<ID>, declared with "
                     "impl_list_item!",
                rustc=f"error[E0277]: the trait bound `{name}: ListItem<{id}>` is not "
                      "satisfied",
                fix=f"kp.impl_list_item({name}, id={id}, using='<a ListLinks[{id}] field>')")
        require_list_arc_safe(T, id, f"List<{type_name_of(T)}, {id}>")
        self.T = T
        self.id = id
        self.type_name = type_name_of(T)
        self._first = None
        self._label = None
        self._state = "live"        # "moved" by into_iter, "dropped" by drop
        self._moved_by = None
        self._generation = 0        # bumped by every `&mut self` use: ends ArcBorrows
        self._cursor = None         # the cursor whose `&mut` borrow is still alive
        self._unchecked: set[int] = set()   # addresses pushed by kp.unchecked (no ListArc)
        self._heap = current_heap()
        self._heap.lists.append(self)
        self._heap.emit("List::new", f"empty List<{self.type_name}, {id}>: first = null, "
                        "nothing allocated", rust=Stmt("List::new()", result=self, mut=True))

    # -- ownership and borrows -------------------------------------------------------------
    @property
    def _dropped(self) -> bool:
        return self._state != "live"

    @property
    def _inside(self):
        """The value (struct or lock contents) that stores this list, if any."""
        return stored_in(self._heap, self)

    def type_str(self) -> str:
        return f"List<{self.type_name}, {self.id}>"

    def _alive(self, op: str) -> None:
        self._heap._require_current(op)
        if self._state != "live":
            raise UseAfterMove(
                f"use of {self._state} value: this {self.type_str()} was {self._state}"
                f"{' by ' + self._moved_by if self._moved_by else ''}; {op} needs it",
                rule="into_iter() and drop() take the list by value",
                rustc="error[E0382]: borrow of moved value",
                fix="use the iterator into_iter() returned, or make a new List")

    def _use(self, op: str, *, mutate: bool) -> bool:
        """Another path uses the list: the cursor's `&mut` borrow ends; a `&mut self` use
        also ends every ArcBorrow the list handed out (non-lexical lifetimes). Returns
        whether a live cursor's borrow ended."""
        self._alive(op)
        ended = self._cursor is not None and self._cursor._state == "live"
        self._cursor = None
        if mutate:
            self._generation += 1
        return ended

    def _read(self, op: str) -> None:
        """A `&self` use (no event of its own): if it ends a cursor's borrow, that is a
        change the pictures show, so it gets an event."""
        if self._use(op, mutate=False):
            call = {"List::first": "iter().next", "List::is_empty": "is_empty"}.get(op, "iter")
            self._emit(op, "the cursor's `&mut` borrow of the list ends here (the list is "
                       "used by another path)", rust=Stmt("{}.%s()" % call, self))

    def _borrow(self, obj) -> ArcBorrow:
        return self._fat(obj, ArcBorrow(obj, source=self, generation=self._generation))

    @property
    def _holds_dyn(self) -> bool:
        """A list of trait objects, `List<Wrapper<dyn Trait>>` (kernelptr/traits/dynlist.py):
        its ListArcs are fat pointers and its items' links are `ListLinksSelfPtr`s."""
        from ..traits.dynlist import holds_dyn

        return holds_dyn(self.T)

    def _fat(self, obj, handle):
        """`handle` to a removed or borrowed item; fat, with the vtable its links' self
        pointer stored, when the list holds trait objects."""
        if not self._holds_dyn:
            return handle
        from ..traits.dynlist import read_self_ptr

        return read_self_ptr(self, obj, handle)

    def _emit(self, op: str, summary: str, obj=None, rust="") -> None:
        self._heap.emit(op, summary, (obj.address,) if obj is not None else (), rust=rust)

    # -- queries ---------------------------------------------------------------------------
    @property
    def first(self) -> ArcBorrow | None:
        """The first item as an ArcBorrow, or None when the list is empty (behaviour 35)."""
        self._read("List::first")
        return None if self._first is None else self._borrow(self._first)

    def is_empty(self) -> bool:
        """`List::is_empty`: `first` is null."""
        self._read("List::is_empty")
        return self._first is None

    def __iter__(self):
        """`List::iter`: ArcBorrows front to back (behaviour 50)."""
        from .iter import Iter

        self._read("List::iter")
        return Iter(self)

    iter = __iter__

    def into_iter(self):
        """`IntoIterator for List`: consume the list; `next` pops the front, `next_back` the
        back (behaviour 51)."""
        from .iter import IntoIter

        self._use("List::into_iter", mutate=True)
        self._state, self._moved_by = "moved", "List::into_iter"
        it = IntoIter(self)
        self._emit("List::into_iter", f"{self.type_str()} moved into an IntoIter: each next() "
                   "pops its front item", rust=Stmt("{}.into_iter()", self, result=it))
        return it

    def __len__(self):
        raise _NoLen(
            f"{self.type_str()} has no len(): the list keeps no length counter",
            rule="List is one pointer; counting its items walks the ring, O(n)",
            rustc="error[E0599]: no method named `len` found for struct `List`",
            fix="sum(1 for _ in lst), or is_empty()")

    def __bool__(self):
        raise TypeMismatch(f"{self.type_str()} is not a bool",
                           rule="Rust has no truthiness", rustc="error[E0308]: mismatched "
                           "types (expected `bool`)", fix="lst.is_empty()")

    def __reversed__(self):
        raise TraitNotImplemented(
            "`Iter` is not a `DoubleEndedIterator`: a List cannot be iterated backwards",
            rule="List::iter only walks next pointers",
            rustc="error[E0277]: the trait bound `Iter<'_, T, ID>: DoubleEndedIterator` is "
                  "not satisfied",
            fix="use a cursor: cursor_back() then peek_prev()/move_prev()")

    # -- checking arguments ----------------------------------------------------------------
    def _accept(self, la, op: str):
        """Validate a ListArc for this list (type and ID) and return its object."""
        if self._holds_dyn:
            from ..traits.dynlist import accept

            return accept(self, la, op)
        expected = f"ListArc<{self.type_name}, {self.id}>"
        expect_handle(la, ListArc, op, expected)
        if la._obj is not None:
            same_heap(self, la._obj, op)
        obj = la._check(op)
        if obj.type is not self.T or la._id != self.id:
            raise TypeMismatch(
                f"{op}: expected `{expected}`, found `{la.type_str()}`",
                rule="a List<T, ID> takes only ListArc<T, ID>: the ID picks the links field",
                rustc=f"error[E0308]: mismatched types: expected `{expected}`, found "
                      f"`{la.type_str()}`",
                fix="push into the list of that type and ID, or make the ListArc with the "
                    "list's id=")
        return obj

    def _object_of(self, item, op: str):
        """The object behind `item`: any handle to it, or the struct value itself."""
        if self._holds_dyn:
            from ..traits.dynlist import object_of

            return object_of(self, item, op)
        if isinstance(item, Handle):
            obj = item._check(op)
        elif getattr(type(item), "_kp_struct", False):
            obj = item._kp_obj
            if obj is not None and obj.freed:
                raise UseAfterFree(f"{op}: the value at {obj.address:#x} was freed",
                                   rule="nothing may reach a freed object",
                                   fix="keep an Arc to it while you use it")
        else:
            obj = None
        wrong_type = (obj.type is not self.T) if obj is not None else \
            not isinstance(item, self.T)
        if wrong_type:
            found = item.type_str() if isinstance(item, Handle) else type_name_of(item)
            raise TypeMismatch(f"{op}: expected `&{self.type_name}`, found `{found}`",
                               rule=f"{self.type_str()}::remove takes a reference to a "
                                    f"{self.type_name}",
                               rustc="error[E0308]: mismatched types",
                               fix="pass the item (or any Arc/ArcBorrow/ListArc to it)")
        return obj

    # -- the ListArc <-> list hand-over (prepare_to_insert / post_remove) ------------------
    def _adopt(self, la, obj, op: str) -> None:
        la._retire("moved", op)   # ListArc::into_raw: the list now owns the count
        # INVARIANT: the list is the one holder of this item's ListArc<T, ID>.
        obj.listarc[self.id] = self
        obj.extra.setdefault("lists", {})[self.id] = self   # debug back-reference, see remove
        obj.hold("list")
        if isinstance(self.T._kp_special[list_item_field(self.T, self.id)], ListLinksSelfPtr):
            vt = la._vtable
            obj.self_ptrs[self.id] = (obj.data_address, vt.address if vt is not None else None)

    def _release(self, obj):
        """post_remove + ListArc::from_raw: the removed item's ListArc (a plain Arc for an
        item kp.unchecked pushed, since no ListArc ever existed for it)."""
        back = obj.extra.get("lists", {})
        if back.get(self.id) is self:
            del back[self.id]
        if obj.address in self._unchecked:
            self._unchecked.discard(obj.address)
            obj.hold("unchecked", -1)
            return self._fat(obj, Arc(obj))
        if obj.listarc.get(self.id) is self:
            del obj.listarc[self.id]
        obj.hold("list", -1)
        return self._fat(obj, ListArc(obj, id=self.id))

    def _take(self, obj):
        unlink(self, obj)
        self._generation += 1
        return self._release(obj)

    # -- pushing and popping ---------------------------------------------------------------
    def push_back(self, la) -> None:
        """`List::push_back`: consume the ListArc and link it in at the tail (36-41)."""
        self._push(la, "List::push_back", front=False)

    def push_front(self, la) -> None:
        """`List::push_front`: consume the ListArc; it becomes `first` (36-41)."""
        self._push(la, "List::push_front", front=True)

    def _push(self, la, op: str, *, front: bool) -> None:
        self._alive(op)
        if self._holds_dyn:
            from ..traits.dynlist import coerce_at_push

            la = coerce_at_push(self, la)   # the unsizing coercion rustc inserts here
        obj = self._accept(la, op)
        self._use(op, mutate=True)
        self._adopt(la, obj, op)
        insert_before(self, obj, self._first)
        if front:
            set_first(self, obj)
        where = "front (new first)" if front else "back (before first)"
        self._emit(op, f"{obj.type_name} @{obj.address:#x} linked at the {where}; no "
                   "allocation", obj, Stmt("{}.%s({})" % op.split("::")[1], self, la))

    def pop_front(self):
        """`List::pop_front`: the first item's ListArc, or None when empty (behaviour 42)."""
        return self._pop("List::pop_front", back=False)

    def pop_back(self):
        """`List::pop_back`: the last item (`first.prev`), or None when empty (42)."""
        return self._pop("List::pop_back", back=True)

    def _pop(self, op: str, *, back: bool):
        self._use(op, mutate=True)
        return self._pop_end(op, back=back)

    def _pop_end(self, op: str, *, back: bool, rust=None):
        """Unlink the first (or last) item; `rust` is the call's Rust without its result
        (default: `list.pop_front()` / `list.pop_back()`)."""
        if rust is None:
            rust = Stmt("{}.pop_%s()" % ("back" if back else "front"), self)
        first = self._first
        if first is None:
            self._emit(op, "list is empty: None", rust=rust.returning(
                None, option=True, none_note="the list is empty"))
            return None
        obj = links(first, self.id, self)[0] if back else first
        la = self._take(obj)
        self._emit(op, f"{obj.type_name} @{obj.address:#x} unlinked; its links are null "
                   "again", obj, rust.returning(la, option=True))
        return la

    def remove(self, item):
        """`unsafe List::remove`: unlink `item` (any handle to it, or the value) and return
        its ListArc; None if it is in no list (behaviours 45, 46).

        The kernel only looks at the item's own links, so it cannot tell this list from
        another list with the same ID: that is why `remove` is `unsafe`. The model keeps a
        debug back-reference (object -> list per ID) and raises UndefinedBehavior instead of
        corrupting both lists.
        """
        op = "List::remove"
        self._alive(op)
        obj = self._object_of(item, op)
        owner = None if obj is None else obj.extra.get("lists", {}).get(self.id)
        linked = obj is not None and obj.links.get(self.id, [None])[0] is not None
        if linked and owner is not self:
            raise UndefinedBehavior(
                f"List::remove: {obj.type_name} @{obj.address:#x} is in a different "
                f"List<{self.type_name}, {self.id}>, not this one",
                rule="List::remove is `unsafe` because it only reads the item's own links and "
                     "cannot check which list they belong to; unlinking an item of another "
                     "list with the same ID corrupts both lists",
                fix="call remove on the list that holds the item (# Safety: the caller must "
                    "know the item is in this list, or in none)")
        self._use(op, mutate=True)
        rust = Stmt("unsafe {{ {}.remove({}) }}", self, ref(item), option=True)
        if not linked:
            self._emit(op, "item is in no list (its links are null): None", obj,
                       rust.returning(None, none_note="the item is in no list"))
            return None
        la = self._take(obj)
        self._emit(op, f"{obj.type_name} @{obj.address:#x} unlinked from this list", obj,
                   rust.returning(la))
        return la

    def push_all_back(self, other: "List") -> None:
        """`List::push_all_back`: splice `other`'s items after ours in O(1) (behaviour 49).

        The kernel rewires four pointers; the model additionally renames the ListArc holder of
        each moved item (picture bookkeeping only, not kernel work).
        """
        op = "List::push_all_back"
        self._alive(op)
        if not isinstance(other, List) or other.T is not self.T or other.id != self.id:
            found = other.type_str() if isinstance(other, List) else type(other).__name__
            raise TypeMismatch(f"{op}: expected `&mut {self.type_str()}`, found `&mut {found}`",
                               rule="only lists of the same item type and ID can be spliced",
                               rustc="error[E0308]: mismatched types",
                               fix="splice lists with the same T and ID")
        if other is self:
            raise BorrowError(f"{op}: the list is passed as both `self` and `other`",
                              rule="two `&mut` borrows of one list cannot coexist",
                              rustc="error[E0499]: cannot borrow `*list` as mutable more "
                                    "than once at a time",
                              fix="splice two different lists")
        other._alive(op)
        self._use(op, mutate=True)
        other._use(op, mutate=True)
        moved = list(walk(other))
        if other._first is not None:
            if self._first is None:
                set_first(self, other._first)
            else:
                a_first, b_first = self._first, other._first
                a_last, b_last = a_first.links[self.id][0], b_first.links[self.id][0]
                a_last.links[self.id][1] = b_first
                b_first.links[self.id][0] = a_last
                b_last.links[self.id][1] = a_first
                a_first.links[self.id][0] = b_last
                wrote(self, 4)
                for o in (a_first, a_last, b_first, b_last):
                    o.touch()
        set_first(other, None)
        for obj in moved:
            if obj.listarc.get(self.id) is other:
                obj.listarc[self.id] = self
            obj.extra.setdefault("lists", {})[self.id] = self
            obj.touch()
        self._unchecked |= other._unchecked
        other._unchecked = set()
        self._emit(op, f"{len(moved)} item(s) spliced onto the back; the other list is empty",
                   rust=Stmt("{}.push_all_back({})", self, mut_ref(other)))

    # -- cursors ---------------------------------------------------------------------------
    def cursor_front(self):
        """`List::cursor_front`: a cursor before the first item (exists even when empty)."""
        return self._cursor_at("List::cursor_front", self._first)

    def cursor_back(self):
        """`List::cursor_back`: a cursor after the last item (`next` is null)."""
        return self._cursor_at("List::cursor_back", None)

    def _cursor_at(self, op: str, nxt):
        from .cursor import Cursor

        self._use(op, mutate=True)
        cursor = Cursor(self, nxt)
        self._cursor = cursor
        cursor._announce(self, op, Stmt("{}.%s()" % op.split("::")[1], self, result=cursor,
                                        mut=True))
        return cursor

    # -- dropping --------------------------------------------------------------------------
    def drop(self) -> None:
        """Drop the list: pop every item and drop its ListArc (behaviour 52)."""
        self._use("List::drop", mutate=True)
        with implicit("drop({}) drops every item", self):
            self._drop_items()
        self._state = "dropped"
        self._moved_by = "List::drop"
        self._emit("List::drop", f"{self.type_str()} dropped", rust=Stmt("drop({})", self))

    def _drop_items(self) -> None:
        """Pop and drop every item; an item whose destructor panics does not stop the others
        (the panic is raised again when the operation ends, see kernelptr.unwind)."""
        unwind.begin()      # the pops' own events must not raise a caught panic yet
        try:
            while self._first is not None:
                unwind.drop_unwinding(self._pop_end("List::drop", back=False))
        finally:
            unwind.end()

    def _kp_drop_in_place(self) -> None:
        """Run when the struct holding this list is freed."""
        if self._state == "live":
            self.drop()

    @staticmethod
    def _kp_layout():
        return 8, 8

    # -- model internals read by snapshots and checks ---------------------------------------
    def _items(self) -> list:
        return list(walk(self))

    def __repr__(self) -> str:
        # At most 64 items: a struct holding a long list is drawn at every event.
        shown = [f"{o.address:#x}" for o in walk(self, 65)]
        items = ", ".join(shown[:64] + (["..."] if len(shown) > 64 else []))
        state = "" if self._state == "live" else f" ({self._state})"
        return f"{self.type_str()}[{items}]{state}"


class _NoLen(TraitNotImplemented, TypeError):
    """`len(list)`: also a TypeError, so `list(lst)` (which asks for a length hint) works."""


def stored_in(heap, target):
    """`(value, None)` for the heap object value (a struct) that stores `target` (a List or
    an RBTree) in a field, or None when it lives on its own."""
    for obj in heap.objects():
        if _contains(obj.value, target, 0):
            return (obj.value, None)
    return None


def _contains(value, target, depth: int) -> bool:
    if value is target:
        return True
    if depth > 2:
        return False
    fields = getattr(value, "_kp_values", None)
    if fields is not None and not isinstance(value, Handle):
        return any(_contains(v, target, depth + 1) for v in fields())
    if isinstance(value, (list, tuple)):
        return any(_contains(v, target, depth + 1) for v in value)
    return False
