"""Cheap long recordings: per event only what changed is captured; frames are rebuilt on demand.

A `Recording` used to copy the whole heap into a `Snapshot` at every event, so a trace cost
O(objects) time and memory per step. The `Journal` instead watches the heap's dirty set
(`HeapObject.touch()` and changes to an object's ListArc holders add the object to it) and
stores, per frame, only the objects whose picture changed (structural sharing: an unchanged
object is the same `ObjectSnap` in every frame), with a full keyframe now and then. A frame's
`Snapshot` is materialised when asked for (nearest keyframe plus the deltas after it) and a
few are cached, so scrubbing to any frame costs O(objects + deltas since the keyframe).

List items are not copied per frame either: a frame stores each list's `first` address and
the items are walked from the frame's own objects' links when the frame is materialised
(eagerly copied, as before, while unchecked code may have corrupted a ring).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict

from .problem import snapshot_problems
from .snapshot import (ListSnap, Snapshot, _handle_rows, _Labeller, _list_items, cursor_of,
                       holding, object_snapshot)

__all__ = ["Journal"]

_MIN_KEY_GAP = 64       # changes between keyframes at least (more on big heaps)
_CACHE = 8              # materialised snapshots kept per recording


class _Pending:
    """One event's changes, waiting for the learner's names (resolved at the next event)."""

    __slots__ = ("step", "changes", "holders", "handles", "lists", "vtables", "raws", "locks",
                 "warnings", "allocs", "frees", "problems")


class _Stored:
    """One frame as stored: its object delta and everything small, already labelled."""

    __slots__ = ("step", "delta", "handles", "lists", "vtables", "raws", "locks", "warnings",
                 "allocs", "frees", "problems")


class Journal:
    """Incremental captures of one heap for a recording (see the module docstring)."""

    def __init__(self, heap):
        from .list.list import List

        self.heap = heap
        self._ring_items = List._items      # lists whose items can be walked from links
        self._dirty: set = set()
        heap._dirty_sets.append(self._dirty)
        self._started = False
        self._raw: dict = {}            # address -> ObjectSnap without holders, last capture
        self._freed: set = set()        # freed objects still shown (until the next step)
        self._vtables: tuple = ()
        # resolved state (labels known), advanced frame by frame in `resolve`
        self._state: dict = {}          # address -> (raw snap, final ObjectSnap with holders)
        self._hold: dict = {}           # address -> {id: holder} (a ListArc handle or a List)
        self._holder_addrs: dict = {}   # id(holder) -> (holder, set of addresses)
        self._holder_labels: dict = {}  # id(holder) -> label in the previous frame
        self._stored: list[_Stored] = []
        self._keys: list[int] = []      # frame indices with a keyframe
        self._keyframes: dict = {}      # index -> tuple of ObjectSnaps
        self._since_key = 0
        self._cache: OrderedDict = OrderedDict()
        self._cursor = None             # (index, {address: ObjectSnap}) last materialised
        self._problems: tuple = ()      # the problems found at the last capture

    def close(self) -> None:
        """Stop watching the heap and let go of model objects (holders, freed objects), so
        a finished recording keeps no handle alive: frames hold snapshots only."""
        if self._dirty in self.heap._dirty_sets:
            self.heap._dirty_sets.remove(self._dirty)
        self._dirty, self._freed = set(), set()
        self._hold, self._holder_addrs = {}, {}

    # -- capturing (at every event) ---------------------------------------------------------
    def capture(self) -> _Pending:
        heap = self.heap
        step = heap.step
        if self._started:
            # Volatile objects (a Python list in a field) may have changed unseen: look again.
            todo = sorted(self._dirty | self._freed | heap._volatile, key=_address)
        else:
            todo = list(heap._objects.values())
            self._started = True
        # Invariants are checked in full only when something may have broken them.
        self._problems = snapshot_problems(heap, todo, again=bool(self._problems))
        self._dirty.clear()
        p = _Pending()
        p.step = step
        p.changes = {}
        p.holders = {}
        for o in todo:
            a = o.address
            if o.freed and o.freed_step < step:
                self._freed.discard(o)
                if self._raw.pop(a, None) is not None:
                    p.changes[a] = None
                    p.holders[a] = None
                continue
            if o.freed:
                self._freed.add(o)
            snap = object_snapshot(o)
            if self._raw.get(a) is not snap:
                self._raw[a] = snap
                p.changes[a] = snap
            p.holders[a] = o.listarc.resolved() if o.listarc and not o.freed else None
        p.handles = _handle_rows(heap)
        corrupting = any(lst._unchecked for lst in heap.lists)
        p.lists = []
        for lst in heap.lists:
            if corrupting or type(lst)._items is not self._ring_items:
                items = _list_items(lst, heap)
            else:
                items = _First(lst._first.address if lst._first is not None else _NULL)
            p.lists.append((lst, items, (lst._dropped, cursor_of(lst))))
        vtables = tuple(vt.snapshot() for vt in heap.vtables.values())
        if vtables != self._vtables:
            self._vtables = vtables
        p.vtables = self._vtables
        p.raws = [r for r in heap.raw_pointers if not r.reclaimed]
        p.locks = tuple(lock.name for lock in heap._locks_held)
        p.warnings = tuple(heap.warnings)
        p.allocs = heap.alloc_count
        p.frees = heap.free_count
        p.problems = self._problems
        return p

    # -- resolving labels (at the next event, when names are bound) -------------------------
    def resolve(self, pending: list, names: dict) -> list[int]:
        """Store the pending frames with labels from `names`; returns their indices."""
        done = []
        for p in pending:
            lab = _Labeller(names, p.handles, p.lists)
            touched = set(p.changes)
            for a, hold in p.holders.items():
                self._set_holders(a, hold)
                touched.add(a)
            labels = {k: lab.holder(h) for k, (h, _) in self._holder_addrs.items()}
            for k, label in labels.items():
                if self._holder_labels.get(k) != label:
                    touched |= self._holder_addrs[k][1]
            self._holder_labels = labels
            delta = []
            for a in sorted(touched):
                delta.extend(self._settle(a, p.changes, lab))
            s = _Stored()
            s.step, s.delta = p.step, tuple(delta)
            s.handles = _share(tuple(lab.handles), self._stored, "handles")
            s.lists = _share(tuple((label, lst.id, lst.type_name, items, state)
                                   for lst, label, items, state in lab.lists),
                             self._stored, "lists")
            s.vtables, s.locks = p.vtables, p.locks
            s.warnings = _share(p.warnings, self._stored, "warnings")
            s.raws = lab.raws(p.raws)
            s.allocs, s.frees = p.allocs, p.frees
            s.problems = lab.problems(p.problems, p.lists)
            self._stored.append(s)
            i = len(self._stored) - 1
            self._since_key += len(delta)
            if i == 0 or self._since_key >= max(_MIN_KEY_GAP, len(self._state) // 2):
                self._keys.append(i)
                self._keyframes[i] = tuple(v[1] for v in self._state.values())
                self._since_key = 0
            done.append(i)
        return done

    def _set_holders(self, a, hold) -> None:
        for h in self._hold.pop(a, {}).values():
            entry = self._holder_addrs.get(id(h))
            if entry is not None:
                entry[1].discard(a)
                if not entry[1]:
                    del self._holder_addrs[id(h)]
        if hold:
            self._hold[a] = hold
            for h in hold.values():
                self._holder_addrs.setdefault(id(h), (h, set()))[1].add(a)

    def _settle(self, a, changes, lab):
        """The delta entries for address `a`: [its new ObjectSnap], [a] when it left the
        picture, [] when unchanged."""
        old = self._state.get(a)
        if a in changes and changes[a] is None:
            if old is None:
                return []
            del self._state[a]
            return [a]
        raw = changes.get(a) or (old[0] if old else None)
        if raw is None:
            return []
        hold = self._hold.get(a)
        final = holding(raw, lab.holders(hold)) if hold else raw
        if old is not None and old[1] == final:
            self._state[a] = (raw, old[1])
            return []
        self._state[a] = (raw, final)
        return [final]

    # -- materialising frames ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._stored)

    def snapshot(self, i: int) -> Snapshot:
        """Frame `i`'s snapshot (built from the nearest keyframe or the last frame built)."""
        hit = self._cache.get(i)
        if hit is not None:
            self._cache.move_to_end(i)
            return hit
        k = self._keys[bisect_right(self._keys, i) - 1]
        if self._cursor is not None and k <= self._cursor[0] <= i:
            start, objects = self._cursor[0], dict(self._cursor[1])
        else:
            start, objects = k, {o.address: o for o in self._keyframes[k]}
        for s in self._stored[start + 1:i + 1]:
            for entry in s.delta:
                if entry.__class__ is int:
                    objects.pop(entry, None)
                else:
                    objects[entry.address] = entry
        self._cursor = (i, objects)
        s = self._stored[i]
        lists = tuple(ListSnap(label, lid, tname, _items(items, lid, objects), *state)
                      for label, lid, tname, items, state in s.lists)
        snap = Snapshot(s.step, tuple(objects.values()), s.handles, lists, s.vtables, s.raws,
                        s.locks, s.warnings, s.allocs, s.frees, s.problems)
        self._cache[i] = snap
        if len(self._cache) > _CACHE:
            self._cache.popitem(last=False)
        return snap


class _First(int):
    """A list's `first` address, standing for its items until a frame is materialised."""

    __slots__ = ()


def _items(items, lid, objects) -> tuple:
    if not isinstance(items, _First):
        return items
    if items == _NULL:
        return ()
    out, cur, first = [], int(items), int(items)
    for _ in range(len(objects) + 1):
        out.append(cur)
        o = objects.get(cur)
        pair = o.links.get(lid) if o is not None else None
        if pair is None or pair[1] is None or pair[1] == first:
            break
        cur = pair[1]
    return tuple(out)


_NULL = -1


def _address(o) -> int:
    return o.address


def _share(value: tuple, stored: list, attr: str) -> tuple:
    """`value`, or the previous frame's equal tuple (so unchanged frames share it)."""
    if stored:
        previous = getattr(stored[-1], attr)
        if previous == value:
            return previous
    return value
