"""Snapshots: immutable pictures of the heap that views read (the model never draws)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .ownership import Handle, names_in
from .problem import snapshot_problems
from .types_ import safe_repr

__all__ = ["Snapshot", "ObjectSnap", "HandleSnap", "ListSnap", "VtableSnap", "RawPtrSnap",
           "PointerSnap", "take", "object_snapshot"]


def _hex(a):
    return "null" if a is None else f"{a:#x}"


@dataclass(frozen=True, slots=True)
class PointerSnap:
    """A handle stored in a field of an object (a struct holding an `Arc`): an edge from
    that field to its target.

    >>> import kernelptr as kp
    >>> @kp.struct
    ... class Node:
    ...     child: object
    >>> heap = kp.reset(); leaf = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> parent = kp.Arc.new(Node(leaf), kp.GFP_KERNEL)
    >>> heap.snapshot().object(parent.address).pointers
    (PointerSnap('child', 'Arc' -> 0xffff888000001000),)
    """

    field: str
    kind: str
    target: int | None
    id: int | None = None
    vtable: int | None = None

    def __repr__(self) -> str:
        return f"PointerSnap({self.field!r}, {self.kind!r} -> {_hex(self.target)})"


@dataclass(frozen=True, slots=True)
class ObjectSnap:
    """One heap object (an `ArcInner<T>`): its count, fields, links and ListArc holders.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new("job", kp.GFP_KERNEL); b = a.clone()
    >>> heap.snapshot().objects
    (ObjectSnap(ArcInner<String> @0xffff888000001000, refcount=2),)

    `links` maps a list ID to `(prev_address, next_address)` of the neighbouring objects, or
    `(None, None)` when the object is in no list of that ID. `holders` maps an ID to the label
    of whoever holds the ListArc for it (a handle label, `list q`) or None. `trackers` maps a
    tracked ID to its `AtomicTracker` state. `self_ptrs` maps an ID to the stored (possibly fat)
    self pointer `(data, vtable)` of a `ListLinksSelfPtr`.
    """

    address: int
    type_name: str
    refcount: int
    saturated: bool
    freed: bool
    fields: tuple = ()             # ((name, repr), ...) in declaration order
    links: dict = field(default_factory=dict)
    holders: dict = field(default_factory=dict)
    trackers: dict = field(default_factory=dict)
    self_ptrs: dict = field(default_factory=dict)
    pointers: tuple = ()           # PointerSnap for handles stored in fields
    size: int = 0
    header: int = 8
    kind: str = "ArcInner"
    uninit: bool = False
    unique: bool = False

    @property
    def data_address(self) -> int:
        return self.address + self.header

    def __repr__(self) -> str:
        count = "SATURATED" if self.saturated else str(self.refcount)
        state = ", freed" if self.freed else ""
        return f"ObjectSnap({self.kind}<{self.type_name}> @{self.address:#x}, refcount={count}{state})"


@dataclass(frozen=True, slots=True)
class HandleSnap:
    """One handle on the learner's side (an `Arc`, `ListArc`, ... in a variable): its label,
    kind, target and state.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new("job", kp.GFP_KERNEL); b = a.as_arc_borrow()
    >>> heap.snapshot().handles
    (HandleSnap(a: Arc<String> -> 0xffff888000001000, live), HandleSnap(b: ArcBorrow<String> -> 0xffff888000001000, live))

    `kind` is `Arc`, `ArcBorrow`, `UniqueArc`, `ListArc`, ...; `id` is the ListArc ID; `state`
    is `live`, `moved`, `dropped` or `stale` (a borrow whose lifetime ended); `vtable` is set
    for a fat pointer (`Arc<dyn Trait>`), with the trait in `dyn`. `frame` names the Python
    frame whose variable it is: `""` for module level (a notebook's globals), else the
    function's name, so a function's local `a` and a global `a` are two handles
    (`key` tells them apart).
    """

    label: str
    kind: str
    type_name: str
    target: int | None
    state: str = "live"
    id: int | None = None
    vtable: int | None = None
    dyn: str | None = None
    note: str = ""
    rust_type: str = ""      # the handle's own Rust type, e.g. `UniqueArc<MaybeUninit<Job>>`
    frame: str = ""          # the Python frame naming it: "" module level, else the function

    @property
    def key(self) -> tuple:
        """`(frame, label)`: what identifies a handle across the frames of a recording."""
        return (self.frame, self.label)

    @property
    def type_str(self) -> str:
        if self.rust_type:
            return self.rust_type
        inner = f"dyn {self.dyn}" if self.dyn else self.type_name
        if self.kind == "ListArc":
            return f"ListArc<{inner}, {self.id}>"
        return f"{self.kind}<{inner}>"

    def __repr__(self) -> str:
        where = f"{self.frame}." if self.frame else ""
        return (f"HandleSnap({where}{self.label}: {self.type_str} -> {_hex(self.target)}, "
                f"{self.state})")


@dataclass(frozen=True, slots=True)
class ListSnap:
    """One `List<T, ID>`: its label, ID and the addresses of its items, front to back.

    >>> import kernelptr as kp
    >>> from kernelptr.list.example import Job
    >>> heap = kp.reset(); q = kp.List(Job)
    >>> q.push_back(kp.ListArc.new(Job(1), kp.GFP_KERNEL))
    >>> heap.snapshot().lists
    (ListSnap(q: List<Job, 0> [0xffff888000001000]),)
    """

    label: str
    id: int
    type_name: str
    items: tuple = ()
    dropped: bool = False
    cursor: tuple = ()      # () no live cursor; (next address or None at the back,) else
    frame: str = ""         # the Python frame naming it, as `HandleSnap.frame`

    @property
    def first(self) -> int | None:
        return self.items[0] if self.items else None

    @property
    def key(self) -> tuple:
        """`(frame, label)`, as `HandleSnap.key`."""
        return (self.frame, self.label)

    def __repr__(self) -> str:
        where = f"{self.frame}." if self.frame else ""
        return (f"ListSnap({where}{self.label}: List<{self.type_name}, {self.id}> "
                f"[{', '.join(map(_hex, self.items))}])")


@dataclass(frozen=True)
class VtableSnap:
    """One vtable in the read-only region: `drop_in_place`, `size`, `align`, then methods.

    >>> import kernelptr as kp
    >>> class Speak(kp.Trait):
    ...     def speak(self): ...
    >>> @kp.impl_trait(Speak)
    ... @kp.struct
    ... class Cat:
    ...     def speak(self):
    ...         return "meow"
    >>> heap = kp.reset(); c = kp.Arc.new(Cat(), kp.GFP_KERNEL).into_dyn(Speak)
    >>> heap.snapshot().vtables
    (VtableSnap(<Cat as Speak> @0xffffffff82000000),)
    """

    address: int
    type_name: str
    trait_name: str
    size: int
    align: int
    slots: tuple = ()   # ((name, description or None for NULL), ...)

    @property
    def layout(self) -> tuple:
        """Every entry in memory order, as rustc lays a vtable out: `drop_in_place`, `size`,
        `align`, then the methods (a method's slot number is its index here)."""
        drop = tuple(s for s in self.slots if s[0] == "drop_in_place")
        rest = tuple(s for s in self.slots if s[0] != "drop_in_place")
        return drop + (("size", self.size), ("align", self.align)) + rest

    def __repr__(self) -> str:
        return f"VtableSnap(<{self.type_name} as {self.trait_name}> @{self.address:#x})"


@dataclass(frozen=True)
class RawPtrSnap:
    """An outstanding raw pointer that owns a count (`Arc::into_raw`, `into_foreign`).

    >>> import kernelptr as kp
    >>> heap = kp.reset(); p = kp.Arc.new(1, kp.GFP_KERNEL).into_raw()
    >>> heap.snapshot().raw_pointers
    (RawPtrSnap(p = 0xffff888000001008),)
    """

    label: str
    address: int
    target: int
    origin: str
    reclaimed: bool = False

    def __repr__(self) -> str:
        return f"RawPtrSnap({self.label} = {self.address:#x})"


@dataclass(frozen=True)
class Snapshot:
    """The simulated kernel heap at one moment: objects, handles, lists, vtables, raw
    pointers, locks held, and the invariants broken (`problems`, `kp.Problem` records, empty
    unless unchecked code or a tampered count broke something).

    Snapshots are plain immutable data (the model's side of the model -> view boundary;
    nothing in the kernel); `widgets` turns them into pictures.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new("job", kp.GFP_KERNEL)
    >>> snap = heap.snapshot()
    >>> snap, snap.handle("a").target == snap.objects[0].address
    (Snapshot(step=1, objects=1, handles=1, lists=0), True)
    """

    step: int
    objects: tuple = ()
    handles: tuple = ()
    lists: tuple = ()
    vtables: tuple = ()
    raw_pointers: tuple = ()
    locks: tuple = ()
    warnings: tuple = ()
    alloc_count: int = 0
    free_count: int = 0
    problems: tuple = ()

    def object(self, address: int) -> ObjectSnap:
        """The object at `address` (raises KeyError if the snapshot has none there)."""
        for o in self.objects:
            if o.address == address:
                return o
        raise KeyError(hex(address))

    def handle(self, label: str) -> HandleSnap:
        for h in self.handles:
            if h.label == label:
                return h
        raise KeyError(label)

    def list(self, label: str) -> ListSnap:
        for lst in self.lists:
            if lst.label == label:
                return lst
        raise KeyError(label)

    def __repr__(self) -> str:
        live = sum(1 for o in self.objects if not o.freed)
        return (f"Snapshot(step={self.step}, objects={live}, handles={len(self.handles)}, "
                f"lists={len(self.lists)})")


# -- taking snapshots ---------------------------------------------------------------------
def _field_repr(value) -> str:
    if isinstance(value, Handle):
        target = value.address
        return f"{value.type_str()} -> {_hex(target)}" if value._state == "live" else \
            f"{value.type_str()} ({value._state})"
    return safe_repr(value)


def object_snapshot(obj) -> ObjectSnap:
    """The picture of one object, without holder labels (those need the learner's names).

    The picture is cached until the object changes (`HeapObject.touch`). A value the model
    cannot watch, such as a Python list in a field that the learner appends to through the
    Arc, is *volatile*: its fields are read again at every snapshot (bounded reprs), and the
    heap lists it in `_volatile` so that recordings look at it at every event too."""
    cache = obj.heap._snap_cache.get(obj.address)
    fresh = cache is not None and cache[0] == obj.version
    if fresh and not cache[2]:
        return cache[1]
    value = obj.value
    fields: list = []
    pointers: list = []
    plain = getattr(type(value), "_kp_plain", None)
    if obj.uninit:
        fields.append(("value", "MaybeUninit::uninit()"))
    elif plain is not None:
        for name in plain:
            v = getattr(value, name)
            fields.append((name, _field_repr(v)))
            if isinstance(v, Handle) and v._state == "live":
                pointers.append(PointerSnap(name, v.kind, v.address, v._id, _vtable_addr(v)))
    else:
        fields.append(("value", _field_repr(value)))
        if isinstance(value, Handle) and value._state == "live":
            pointers.append(PointerSnap("value", value.kind, value.address))
    fields, pointers = tuple(fields), tuple(pointers)
    if fresh and cache[1].fields == fields and cache[1].pointers == pointers:
        return cache[1]         # a volatile value that has not changed since
    links = _shared_dict((i, (_addr(p), _addr(n))) for i, (p, n) in sorted(obj.links.items()))
    if cache is not None:       # share the previous picture's field tuples when unchanged
        fields = cache[1].fields if cache[1].fields == fields else fields
        pointers = cache[1].pointers if cache[1].pointers == pointers else pointers
    snap = ObjectSnap(
        address=obj.address, type_name=obj.type_name, refcount=obj.refcount.read(),
        saturated=obj.refcount.saturated, freed=obj.freed, fields=fields,
        links=links, holders=_NONE, trackers=_shared_dict(sorted(obj.trackers.items()))
        if obj.trackers else _NONE,
        self_ptrs=_shared_dict(sorted(obj.self_ptrs.items())) if obj.self_ptrs else _NONE,
        pointers=pointers,
        size=obj.size, header=obj.header, kind=obj.kind, uninit=obj.uninit, unique=obj.unique)
    volatile = not obj.freed and not obj.uninit and not _settled(value, 0)
    obj.heap._snap_cache[obj.address] = (obj.version, snap, volatile)
    if volatile:
        obj.heap._volatile.add(obj)
    else:
        obj.heap._volatile.discard(obj)
    return snap


#: Values whose repr only changes through the model (which then touches the object).
_SETTLED = (int, float, complex, str, bytes, bool, type(None), Handle)


def _settled(value, depth: int) -> bool:
    """Whether the picture of `value` can only change through a model operation: immutable
    values, handles, and structs and tuples made of them (a struct's links, trackers and
    work fields are not plain fields: the model touches the object when they change)."""
    if isinstance(value, _SETTLED):
        return True
    if depth > 3:
        return False
    if isinstance(value, (tuple, frozenset)):
        return len(value) <= 64 and all(_settled(v, depth + 1) for v in value)
    plain = getattr(type(value), "_kp_plain", None)
    if plain is None:
        return False
    return all(_settled(getattr(value, f, None), depth + 1) for f in plain)


_SHARED: dict = {}
_NONE: dict = {}        # the empty dict every snapshot shares (snapshots are never mutated)


def _shared_dict(items) -> dict:
    """`dict(items)`, the same dict object for every snapshot with equal contents.

    Snapshots are immutable, so equal dicts can be shared: a long recording then stores a
    frame's changed links and holders as references, not copies."""
    key = tuple(items)
    try:
        found = _SHARED.get(key)
    except TypeError:       # an unhashable value: no sharing
        return dict(key)
    if found is None:
        if len(_SHARED) >= 1 << 14:
            _SHARED.clear()
        found = _SHARED[key] = dict(key)
    return found


def _addr(o):
    return None if o is None else o.address


def _vtable_addr(h):
    return h._vtable.address if h._vtable is not None else None


def cursor_of(lst) -> tuple:
    """Where the list's live cursor sits: `(address of its next item,)`, `(None,)` at the
    back, or `()` when no cursor borrows the list."""
    cursor = getattr(lst, "_cursor", None)
    if cursor is None or getattr(cursor, "_state", "live") != "live":
        return ()
    nxt = cursor._next
    return (nxt.address if nxt is not None else None,)


def _handle_rows(heap) -> list:
    """(handle, state, kind, type_name, target, id, vtable, dyn, rust type) for every handle
    not stored in a field, oldest first (the handle itself is kept only until labels are
    resolved)."""
    rows = []
    for h in heap.handles():
        if h._inside is not None:
            continue
        state = h._state
        if state == "live" and not h.is_live():
            state = "stale"
        vt = h._vtable
        rows.append((h, state, h.kind, h._obj.type_name if h._obj else "?", h.address, h._id,
                     vt.address if vt is not None else None, h._dyn_name, h.type_str()))
    return rows


class _Labeller:
    """Labels for one frame: handles and lists named from the learner's variables (`names`),
    and the label of whoever holds an object's ListArc."""

    def __init__(self, names: dict, handle_rows, lists):
        self.names = names
        self.handles = []
        self.handle_labels = {}
        for (h, state, kind, tname, target, lid, vt, dyn, rust) in handle_rows:
            named = names.get(id(h))
            if h._label is None and named is None and (state != "live" or not h.owning):
                continue    # a consumed or borrowed handle nobody can name any more
            lab = self.label(h, f"{kind.lower()}#{h._serial}")
            where = self.frame(h)
            note = f"moved by {h._moved_by}" if state == "moved" and h._moved_by else ""
            self.handle_labels[id(h)] = lab
            self.handles.append(HandleSnap(lab, kind, tname, target, state, lid, vt, dyn, note,
                                           rust, where))
        self.lists = []     # (list, label, items, (dropped, cursor, frame)) of the lists shown
        self.list_labels = {}
        for n, (lst, items, state) in enumerate(lists):
            dropped = state[0]
            lab = self.label(lst, f"list#{n}")
            where = self.frame(lst)
            self.list_labels[id(lst)] = lab
            if dropped and lst._label is None and id(lst) not in names:
                continue
            self.lists.append((lst, lab, items, (*state, where)))

    def label(self, thing, fallback):
        if getattr(thing, "_label", None):
            return thing._label
        entry = self.names.get(id(thing))
        return entry[0] if entry else fallback

    def frame(self, thing) -> str:
        """The Python frame whose variable names `thing` (`""`: module level, or a name given
        with `kp.name`)."""
        if getattr(thing, "_label", None):
            return ""
        return getattr(self.names, "frames", {}).get(id(thing), "")

    def holder(self, holder) -> str:
        if id(holder) in self.list_labels:
            return f"list {self.list_labels[id(holder)]}"
        return self.handle_labels.get(id(holder)) or self.label(holder, "ListArc")

    def holders(self, hold: dict) -> dict:
        return _shared_dict((i, self.holder(holder)) for i, holder in sorted(hold.items()))

    def problems(self, problems, lists) -> tuple:
        """`problems` with their lists named as in this frame (`lists`: the frame's
        (list, ...) entries, in `heap.lists` order)."""
        if not problems:
            return ()
        labels = {n: self.list_labels[id(entry[0])] for n, entry in enumerate(lists)}
        return tuple(p.relabelled(labels) for p in problems)

    def raws(self, raws) -> tuple:
        return tuple(RawPtrSnap(self.label(p, f"raw@{p.address:#x}"), p.address, p.target,
                                p.origin, p.reclaimed) for p in raws)


class Capture:
    """The model state at one event, before labels are resolved from the learner's frame."""

    __slots__ = ("step", "objects", "handles", "lists", "vtables", "raws", "locks",
                 "warnings", "allocs", "frees", "holders", "problems")

    def __init__(self, heap):
        self.step = heap.step
        self.objects = [object_snapshot(o) for o in heap._objects.values()
                        if not o.freed or o.freed_step >= heap.step]
        self.handles = _handle_rows(heap)
        self.lists = [(lst, _list_items(lst, heap), (lst._dropped, cursor_of(lst)))
                      for lst in heap.lists]
        self.vtables = [vt.snapshot() for vt in heap.vtables.values()]
        self.raws = [p for p in heap.raw_pointers if not p.reclaimed]
        self.locks = tuple(lock.name for lock in heap._locks_held)
        self.warnings = tuple(heap.warnings)
        self.allocs = heap.alloc_count
        self.frees = heap.free_count
        self.holders = {o.address: o.listarc.resolved() for o in heap._objects.values()
                        if o.listarc and not o.freed}
        self.problems = snapshot_problems(heap)

    def finish(self, names: dict) -> Snapshot:
        """Build the snapshot, labelling handles and lists with the learner's names."""
        lab = _Labeller(names, self.handles, self.lists)
        lists = [ListSnap(label, lst.id, lst.type_name, items, *state)
                 for lst, label, items, state in lab.lists]
        objects = []
        for o in self.objects:
            hold = self.holders.get(o.address)
            if hold:
                o = _with_holders(o, lab.holders(hold))
            objects.append(o)
        return Snapshot(self.step, tuple(objects), tuple(lab.handles), tuple(lists),
                        tuple(self.vtables), lab.raws(self.raws), self.locks, self.warnings,
                        self.allocs, self.frees, lab.problems(self.problems, self.lists))


_HOLDERS_CACHE: dict = {}


def holding(snap: ObjectSnap, holders: dict) -> ObjectSnap:
    """`snap` with `holders` (dataclasses.replace, without its per-call introspection)."""
    return ObjectSnap(snap.address, snap.type_name, snap.refcount, snap.saturated, snap.freed,
                      snap.fields, snap.links, holders, snap.trackers, snap.self_ptrs,
                      snap.pointers, snap.size, snap.header, snap.kind, snap.uninit,
                      snap.unique)


def _with_holders(snap: ObjectSnap, resolved: dict) -> ObjectSnap:
    """`snap` with its ListArc holders filled in, shared while neither changes."""
    key = (id(snap), tuple(resolved.items()))
    hit = _HOLDERS_CACHE.get(snap.address)
    if hit is not None and hit[0] == key and hit[1] is not None:
        return hit[1]
    done = holding(snap, resolved)
    _HOLDERS_CACHE[snap.address] = (key, done, snap)   # keeps `snap` alive: its id is stable
    return done


def _list_items(lst, heap) -> tuple:
    """A list's item addresses, walked again only when the list changed (or when unchecked
    code, which can rewrite any list's links, is in play)."""
    cached = getattr(lst, "_kp_items_cache", None)
    corrupting = any(other._unchecked for other in heap.lists)
    if cached is not None and cached[0] == lst._generation and not corrupting:
        return cached[1]
    items = tuple(o.address for o in lst._items())
    lst._kp_items_cache = (lst._generation, items)
    return items


def take(heap, frame, limit: int = 4) -> Snapshot:
    """Snapshot `heap` now, naming handles after the variables visible from `frame` and up
    to `limit` learner frames around it (each handle with the frame that names it)."""
    return Capture(heap).finish(names_in(frame, limit))
