"""The simulated kernel: allocator, objects at stable addresses, atomic context, event log."""

from __future__ import annotations

import warnings as _warnings
import weakref
from collections import deque
from typing import Callable

from . import rust as _rust
from . import unwind
from .errors import (AllocError, InvariantViolation, SleepInAtomicContext, UndefinedBehavior,
                     UseAfterFree)
from .events import Event, Location, user_frame
from .flags import REQUIRED, Flags
from .interrupt import protect
from .problem import Problem, as_problem
from .refcount import Refcount, RefcountWarning

__all__ = ["Heap", "current_heap", "reset", "HeapObject"]

BASE_ADDRESS = 0xFFFF_8880_0000_1000
SLOT = 0x40


class HeapObject:
    """One allocation, usually an `ArcInner<T>`: a refcount header followed by the data.

    This is the model's private bookkeeping for a kernel object; learners meet it through
    handles and snapshots. `held` counts references owned by something other than a handle
    (a list, a queue, a raw pointer) so that `heap.check()` can account for every count.
    """

    __slots__ = (
        "heap", "address", "header", "size", "kind", "type_name", "value", "refcount",
        "freed", "freed_step", "version", "owners", "forgotten", "held", "links",
        "self_ptrs", "listarc", "trackers", "unique", "uninit", "type", "extra", "__weakref__",
    )

    def __init__(self, heap: "Heap", address: int, size: int, header: int, kind: str,
                 type_name: str, value, typ=None):
        self.heap = heap
        self.address = address
        self.header = header
        self.size = size
        self.kind = kind
        self.type_name = type_name
        self.type = typ
        self.value = value
        self.refcount = Refcount(1, heap=heap)
        self.refcount._on_change = self.touch
        self.freed = False
        self.freed_step = None
        self.version = 0
        self.owners = _Owners()     # live owning handles
        self.forgotten = 0          # handles Python collected while they owned a count
        self.held: dict[str, int] = {}   # counts owned by lists, raw pointers, queues, ...
        self.links: dict[int, list] = {}     # id -> [prev HeapObject, next HeapObject]
        self.self_ptrs: dict[int, tuple | None] = {}
        self.listarc: dict[int, object] = _Watched(self)  # id -> holder (ListArc or List)
        self.trackers: dict[int, bool] = {}
        self.unique = False         # a UniqueArc owns it (fields are assignable)
        self.uninit = False         # UniqueArc<MaybeUninit<T>> not yet written
        self.extra: dict = {}       # per-kind data (std::Arc's weak count, ...)

    @property
    def data_address(self) -> int:
        """The address of `data` inside `ArcInner` (what `Arc::into_raw` returns)."""
        return self.address + self.header

    def touch(self) -> None:
        """Mark the object changed, so a snapshot rebuilds its picture (and a recording,
        which watches the heap's dirty sets, re-captures only the objects that changed)."""
        self.version += 1
        for dirty in self.heap._dirty_sets:
            dirty.add(self)

    def hold(self, reason: str, n: int = 1) -> None:
        """Record that `reason` (a list, the raw pointers, a queue) owns `n` more counts."""
        left = self.held.get(reason, 0) + n
        if left:
            self.held[reason] = left
        else:
            self.held.pop(reason, None)
        self.touch()

    def live_owner_count(self) -> int:
        return sum(1 for h in self.owners if h._state == "live")

    def expected_refcount(self) -> int:
        return self.live_owner_count() + self.forgotten + sum(self.held.values())

    def __repr__(self) -> str:
        return f"<{self.kind}<{self.type_name}> @{self.address:#x}>"


class _Owners:
    """The owning handles of one object, held weakly (a handle Python collects is forgotten,
    not an owner): `weakref.WeakSet`'s job at a fifth of its memory, which matters for a
    100,000-item list."""

    __slots__ = ("_refs",)

    def __init__(self):
        self._refs = None       # id(handle) -> weakref, made on the first add

    def add(self, handle) -> None:
        if self._refs is None:
            self._refs = {}
        self._refs[id(handle)] = weakref.ref(handle)

    def discard(self, handle) -> None:
        if self._refs:
            ref = self._refs.get(id(handle))
            if ref is not None and (ref() is handle or ref() is None):
                del self._refs[id(handle)]

    def __iter__(self):
        for ref in list(self._refs.values()) if self._refs else ():
            handle = ref()
            if handle is not None:
                yield handle


_ABSENT = object()


def _unwrap(value):
    return value() if isinstance(value, weakref.ref) else value


class _Watched(dict):
    """A HeapObject's ListArc holders (ID -> ListArc handle, List or raw pointer) whose
    changes mark the object dirty for recordings, even where model code changes it without
    `touch()`.

    A ListArc handle is held weakly: if Python forgets it, the reference it owned is leaked
    (`core::mem::forget`), the tracker keeps saying "exists", and nothing holds the ListArc
    any more, which is what the pictures and `heap.leaks()` then show.
    """

    __slots__ = ("_owner",)

    def __init__(self, owner):
        super().__init__()
        self._owner = owner

    def _mark(self):
        for dirty in self._owner.heap._dirty_sets:
            dirty.add(self._owner)

    def __setitem__(self, key, value):
        if getattr(type(value), "_kp_weak_holder", False):
            value = weakref.ref(value)
        super().__setitem__(key, value)
        self._mark()

    def __getitem__(self, key):
        return _unwrap(super().__getitem__(key))

    def get(self, key, default=None):
        value = super().get(key, _ABSENT)
        return default if value is _ABSENT else _unwrap(value)

    def items(self):
        pairs = ((k, _unwrap(v)) for k, v in super().items())
        return [(k, v) for k, v in pairs if v is not None]

    def values(self):
        return [v for _, v in self.items()]

    def resolved(self) -> dict:
        """A plain dict of the holders that still exist (`dict(self)` would copy weakrefs)."""
        return dict(self.items())

    def __delitem__(self, key):
        super().__delitem__(key)
        self._mark()

    def pop(self, *args):
        self._mark()
        return _unwrap(super().pop(*args))

    def clear(self):
        self._mark()
        super().clear()

    def update(self, *args, **kw):
        self._mark()
        super().update(*args, **kw)

    def setdefault(self, key, default=None):
        self._mark()
        return super().setdefault(key, default)


_stack: list["Heap"] = []
_default: "Heap | None" = None


def current_heap() -> "Heap":
    """The heap that model operations use: the innermost `with Heap()`, else the default."""
    global _default
    protect()
    if _stack:
        return _stack[-1]
    if _default is None:
        _default = Heap()
    return _default


def reset() -> "Heap":
    """Replace the default heap with a fresh one and return it (first cell of a notebook).

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> heap.alloc_count
    0
    """
    global _default
    if _default is not None:
        # INVARIANT: the old kernel's objects are refused from now on (see Heap._retired).
        _default._retired = True
    _default = Heap()
    return _default


class EventLog(deque):
    """The heap's most recent events, oldest first: a bounded ring (`heap.events`).

    Outside a recording nobody steps back through old events, so only the last
    `Heap.EVENT_LOG_SIZE` are kept and a long run (a 100,000-item list) costs no memory per
    operation; `kp.record()` keeps every event of its block in its own frames.

    >>> log = EventLog(maxlen=2); log.extend("abc"); log == ["b", "c"], log[-1]
    (True, 'c')
    """

    __slots__ = ()
    __hash__ = None

    def __eq__(self, other) -> bool:
        """Equal to a list (or tuple) of the same events, as `heap.events` used to be."""
        if isinstance(other, (list, tuple)):
            return list(self) == list(other)
        return super().__eq__(other)

    def __repr__(self) -> str:
        return f"EventLog({list(self)!r})"


class Heap:
    """One simulated kernel: allocator, objects at stable fake addresses, events, warnings.

    It models kmalloc and the rules around it: allocation flags, atomic context while a
    spinlock is held, and allocation failure. `heap.events` keeps the last
    `EVENT_LOG_SIZE` events only (a bounded ring: use `kp.record()` to keep every event of a
    block). After `kp.reset()` replaced it, every operation on its objects is refused.

    >>> import kernelptr as kp
    >>> with kp.Heap() as heap:
    ...     a = kp.Arc.new(1, kp.GFP_KERNEL)
    ...     hex(a.address), heap.alloc_count
    ('0xffff888000001000', 1)
    """

    #: invariant checks run by `check()`; each takes the heap and returns `kp.Problem`
    #: records (or plain sentences).
    invariant_checks: list[Callable[["Heap"], list]] = []
    #: how many recent events `heap.events` keeps.
    EVENT_LOG_SIZE = 10_000

    def __init__(self, *, record_events: bool = True):
        self.record_events = record_events
        self.events: EventLog = EventLog(maxlen=self.EVENT_LOG_SIZE)
        self._retired = False       # replaced by kp.reset(): its objects are refused
        self._dropping: set = set()     # objects whose destructor is running (count 0)
        self.warnings: list[str] = []
        self._warned: set = set()     # WARN_ONCE sites that already fired
        self.trees: list = []         # every RBTree created on this heap (dropped by scopes)
        self.alloc_count = 0
        self.free_count = 0
        #: `prev`/`next`/`first` pointers written by list operations (what O(1) counts).
        self.pointer_writes = 0
        #: set by `kp.unchecked` code, after which snapshots check every invariant.
        self.unsafe_used = False
        self._problem_watch = None   # what snapshots last saw (kernelptr.problem)
        self.step = 0
        self._next_address = BASE_ADDRESS
        self._objects: dict[int, HeapObject] = {}
        self._fail_next = 0
        self._locks_held: list = []
        self._subscribers: list[Callable[[Event], None]] = []
        self._handles: "weakref.WeakValueDictionary[int, object]" = weakref.WeakValueDictionary()
        self._serial = 0
        self.lists: list = []        # every List created on this heap (lists are never GC'd)
        self.raw_pointers: list = []  # every RawPtr made by into_raw / into_foreign
        self.vtables: dict = {}       # (type, trait) -> vtable object (read-only region)
        self._snap_cache: dict[int, tuple] = {}    # address -> (version, snap, volatile)
        self._volatile: set = set()     # objects whose value may change unseen (see snapshot)
        # Objects touched since a capture: one set per recording, one for snapshots' checks.
        self._dirty_sets: list = []
        self._rust_step = None       # the Rust step of the event being told to subscribers

    # -- current heap ----------------------------------------------------------------------
    def __enter__(self) -> "Heap":
        _stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _stack.remove(self)

    # -- allocation ------------------------------------------------------------------------
    def fail_next_allocs(self, n: int = 1) -> None:
        """Make the next `n` allocations fail with `AllocError` (fault injection)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            from .errors import TypeMismatch
            from .types_ import safe_repr

            raise TypeMismatch(f"fail_next_allocs({safe_repr(n)}): expected a count >= 0",
                               rule="fault injection counts allocations",
                               fix="heap.fail_next_allocs(1), or 0 to stop injecting")
        self._fail_next = n

    def _require_current(self, what: str) -> None:
        """Refuse an operation on an object of a kernel that `kp.reset()` replaced."""
        if self._retired:
            raise UseAfterFree(
                f"{what}: this object belongs to the simulated kernel that kp.reset() "
                "replaced; the model no longer runs that kernel",
                rule="kp.reset() starts a new kernel: every object of the old one is gone, as "
                     "if all its memory had been freed",
                fix="re-run the cells that make this object after kp.reset()")

    def in_atomic(self) -> bool:
        """True while a spinlock is held: sleeping, and so `GFP_KERNEL`, is forbidden."""
        return bool(self._locks_held)

    def _check_alloc(self, flags: Flags, what: str) -> None:
        self._check_flags(flags, what)
        self._check_context(flags, what)

    def _check_flags(self, flags: Flags, what: str) -> None:
        """Refuse a missing or non-`Flags` flags argument (rustc E0061 / E0308)."""
        if flags is REQUIRED:
            from .errors import TypeMismatch

            raise TypeMismatch(
                f"{what}: no allocation flags given",
                rule="every allocating constructor takes `flags: Flags` explicitly: the "
                     "caller says whether the allocation may sleep",
                rustc="error[E0061]: an argument of type `Flags` is missing",
                fix="pass kp.GFP_KERNEL (may sleep) or kp.GFP_ATOMIC (inside a spinlock)",
            )
        if not isinstance(flags, Flags):
            from .errors import TypeMismatch
            from .types_ import safe_repr

            raise TypeMismatch(
                f"{what}: expected allocation flags, found {safe_repr(flags)}",
                rule="every allocating constructor takes `flags: Flags` explicitly",
                rustc="error[E0308]: mismatched types (expected `Flags`)",
                fix="pass kp.GFP_KERNEL (may sleep) or kp.GFP_ATOMIC (inside a spinlock)",
            )

    def _check_context(self, flags: Flags, what: str) -> None:
        """Refuse sleeping in atomic context; consume an injected failure."""
        if flags.may_sleep and self.in_atomic():
            held = ", ".join(f"`{lock.name}`" for lock in self._locks_held)
            raise SleepInAtomicContext(
                f"BUG: sleeping function called from invalid context: {what} with "
                f"{flags!r} while holding spinlock {held}",
                rule="GFP_KERNEL may sleep; code holding a spinlock is in atomic context and "
                     "must never sleep",
                fix="allocate before taking the lock (UniqueArc::new_uninit, a ListArc, an "
                    "RBTreeNodeReservation) or use GFP_ATOMIC/GFP_NOWAIT, which can fail",
            )
        if self._fail_next:
            self._fail_next -= 1
            raise AllocError(
                f"{what}: allocation with {flags!r} failed (injected failure)",
                rule="kernel allocation can fail; every allocating constructor returns "
                     "Result<_, AllocError> and nothing is created",
                fix="handle the error: propagate ENOMEM with `?`, or retry later",
            )

    def allocate(self, flags: Flags, *, what: str, type_name: str, value, size: int,
                 header: int = 8, kind: str = "ArcInner", typ=None) -> HeapObject:
        """Allocate one object (checks context and injected failures first; no state change
        on failure)."""
        self._require_current(what)
        self._check_alloc(flags, what)
        address = self._next_address
        self._next_address += max(SLOT, -(-size // SLOT) * SLOT)
        obj = HeapObject(self, address, size, header, kind, type_name, value, typ)
        self._objects[address] = obj
        self.alloc_count += 1
        for dirty in self._dirty_sets:
            dirty.add(obj)
        return obj

    def free(self, obj: HeapObject) -> None:
        """Release an object's memory (its destructor has already run)."""
        obj.freed = True
        obj.freed_step = self.step + 1
        obj.touch()
        self.free_count += 1

    def objects(self, *, include_freed: bool = False) -> list[HeapObject]:
        return [o for o in self._objects.values() if include_freed or not o.freed]

    def object_at(self, address: int) -> HeapObject | None:
        return self._objects.get(address)

    # -- handles ---------------------------------------------------------------------------
    def _register(self, handle) -> int:
        self._serial += 1
        self._handles[self._serial] = handle
        return self._serial

    def handles(self) -> list:
        """Every handle object Python still holds, oldest first."""
        return [h for _, h in sorted(self._handles.items())]

    # -- warnings --------------------------------------------------------------------------
    def _warn_once(self, site, text: str | None = None) -> None:
        """One `WARN_ONCE` call site (a `SaturationKind`, or a function's own site such as
        `refcount_dec_not_one`): it prints the first time only. Two sites with the same
        text each print once, as in the kernel."""
        text = site.text if text is None else text
        if site in self._warned:
            return
        self._warned.add(site)
        self.warnings.append(text)
        # Shown like a line of the kernel log, with no host path, so notebook output is the
        # same on every run; the heap already makes it once per kind (WARN_ONCE).
        _warnings.warn_explicit(text, RefcountWarning, filename="dmesg", lineno=0,
                                module="kernelptr", registry={})

    # -- events ----------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback(event)` after every operation; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, op: str, summary: str, addresses=(), *, rust="") -> Event | None:
        """Record one completed operation and tell the subscribers.

        `rust` is the kernel Rust the operation stands for: a `kernelptr.rust.Stmt` (named
        with the learner's variables, see that module) or plain text."""
        protect()
        self.step += 1
        if not self.record_events and not self._subscribers:
            unwind.resume()
            return None
        frame = user_frame(2)
        location = Location.of(frame)
        if self._subscribers:       # they may read the text now: it names this frame's values
            step = _rust.capture(rust)
            text = rust if step is None else _rust.emit_text(step, frame, location)
        else:                       # written when first read (handles held weakly till then)
            step, text = None, _rust.deferred(rust, frame, location)
        event = Event(self.step, op, summary, tuple(addresses), location, text)
        if self.record_events:
            self.events.append(event)
        # A recording reads the step (to name results at the next event) while it is told.
        self._rust_step = step
        try:
            for callback in list(self._subscribers):
                callback(event)
        finally:
            self._rust_step = None
        unwind.resume()     # a panic caught while this operation dropped values
        return event

    # -- checking --------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Every broken invariant, as sentences (empty when the heap is consistent)."""
        return [p.text for p in self.problem_records()]

    def problem_records(self) -> list[Problem]:
        """Every broken invariant as a `kp.Problem`: the sentence `problems()` prints and the
        object, list ID, field and list concerned (what the pictures mark)."""
        found: list[Problem] = []
        for check in self.invariant_checks:
            found.extend(as_problem(p) for p in check(self))
        return found

    def check(self) -> None:
        """Raise `InvariantViolation` if any invariant of the model is broken (DESIGN 2.6)."""
        found = self.problems()
        if found:
            raise InvariantViolation(
                "heap.check() found broken invariants:\n  - " + "\n  - ".join(found),
                rule="refcount = owners + list memberships + raw pointers + queued work; "
                     "at most one ListArc per object and ID; links null iff unlisted; "
                     "every list a consistent ring; nothing live points at freed memory",
                fix="this is what unchecked (`unsafe`) code can do; see which links or "
                    "counts are named above",
            )

    def leaks(self) -> list:
        """Live objects that nothing reaches (no handle, list, raw pointer): kmemleak."""
        from .snapshot import object_snapshot

        reached = self._reachable()
        return [object_snapshot(o) for o in self.objects() if o.address not in reached]

    def _reachable(self) -> set[int]:
        from .ownership import roots_of

        seen: set[int] = set()
        todo = [o for o in roots_of(self)]
        while todo:
            obj = todo.pop()
            if obj.address in seen or obj.freed:
                continue
            seen.add(obj.address)
            from .ownership import handles_inside

            todo.extend(h._obj for h in handles_inside(obj.value) if h._obj is not None)
        return seen

    def snapshot(self):
        """An immutable picture of the heap now, handles labelled by the caller's variables."""
        from .snapshot import take

        return take(self, user_frame(2))

    def __repr__(self) -> str:
        live = len(self.objects())
        return (f"Heap(objects={live}, allocs={self.alloc_count}, frees={self.free_count}, "
                f"step={self.step})")


def _check_refcounts(heap: Heap) -> list[Problem]:
    problems = []
    for obj in heap.objects():
        if obj.refcount.saturated or obj.kind.startswith("std::"):
            continue
        expected = obj.expected_refcount()
        if obj.refcount.read() != expected:
            problems.append(Problem(
                f"{obj!r}: refcount is {obj.refcount.read()} but {expected} references own it "
                f"({obj.live_owner_count()} handles, {obj.forgotten} forgotten, "
                f"held {dict(obj.held)})", "refcount", obj.address, field="refcount"))
        if obj.refcount.read() == 0 and obj not in heap._dropping:
            problems.append(Problem(f"{obj!r} is live at refcount 0: its last reference was "
                                    "dropped but it was never freed (a zombie)", "refcount",
                                    obj.address, field="refcount"))
    for obj in heap.objects(include_freed=True):
        if obj.freed:
            alive = [h for h in obj.owners if h._state == "live"]
            if alive or obj.held:
                problems.append(Problem(f"{obj!r} is freed but still referenced ({len(alive)} "
                                        f"live handles, held {dict(obj.held)})", "refcount",
                                        obj.address, field="refcount"))
    return problems


Heap.invariant_checks.append(_check_refcounts)


def same_heap(owner, obj, op: str) -> None:
    """Refuse an object of another simulated kernel (a handle kept across `kp.reset()`)."""
    if obj.heap is not owner._heap:
        raise UndefinedBehavior(
            f"{op}: the {obj.type_name} at {obj.address:#x} belongs to another heap (made "
            "before a kp.reset() or in another `with kp.Heap()`)",
            rule="a list or queue holds objects of its own kernel; one from another is a "
                 "dangling pointer here",
            fix="re-run the cells that make the items after resetting, so that list and "
                "items share one heap")
