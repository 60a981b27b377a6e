"""Focus: a picture draws what a recording (or a live view) touched and what that reaches,
not everything earlier cells left on the heap."""

from __future__ import annotations

from dataclasses import replace

from .dot import made_up

__all__ = ["Focus", "UNNAMED"]

#: How a picture names a list no variable names (numbered when a picture has several).
UNNAMED = "(no name)"


def _object_state(o) -> tuple:
    """What an object's own operations change (its ListArc holders are left out: they only
    change their *label* when a variable is re-bound; real hand-overs are events)."""
    return (o.refcount, o.saturated, o.freed, o.fields, o.links, o.trackers, o.self_ptrs,
            o.pointers, o.uninit, o.unique)


def _list_content(x) -> tuple:
    return (x.id, x.type_name, x.items, x.dropped, x.cursor)


class Focus:
    """The part of the heap a sequence of frames is about: the objects the events touched or
    that changed, the handles, lists and raw pointers that changed, and everything those
    reach (fields' pointers, list neighbours, vtables), in any frame.

    `apply(snapshot)` cuts a snapshot down to it: objects in the focus; live handles (and
    raw pointers) pointing at them; moved or dropped handles only if they changed during the
    frames (a name moved three cells ago is not this picture's business); lists holding a
    focused object or changed; the vtables those use. A list no variable names any more is
    called `(no name)` instead of the model's `list#N` (numbered only if there are several).

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> old = kp.Arc.new("earlier cell", kp.GFP_KERNEL)
    >>> with kp.record() as rec:
    ...     a = kp.Arc.new("this cell", kp.GFP_KERNEL)
    ...     b = a.clone()
    >>> focus = Focus.of_recording(rec)
    >>> snap = focus.apply(rec.frames[-1].snapshot)
    >>> [h.label for h in snap.handles], len(snap.objects)
    (['a', 'b'], 1)
    """

    def __init__(self, snapshots, events=(), baseline=None):
        """`snapshots` in order, the `events` that led to each (optional), and the snapshot
        before the first (`baseline`, if known: a live view's heap when it was made)."""
        snapshots, events = list(snapshots), list(events)
        self.objects: set = set()
        self.handles: set = set()       # keys of handles that changed
        self.lists: set = set()         # keys of lists that changed
        self.raws: set = set()          # labels of raw pointers that changed
        known = {o.address for s in snapshots for o in s.objects}
        roots = {a for e in events for a in e.addresses if a in known}
        if baseline is None and snapshots and events:
            self._first(snapshots[0], events[0])
        before = baseline
        for snap in snapshots:
            roots |= self._changes(before, snap)
            before = snap
        self.objects = _closure(roots, snapshots)
        self._names = _unnamed_lists(self, snapshots)

    @classmethod
    def of_recording(cls, recording) -> "Focus":
        """The focus of a `kp.record()` recording: what its events touched, what changed
        from the heap it started from (`recording.before`) and from frame to frame, and
        what that reaches."""
        frames = recording.frames
        return cls([f.snapshot for f in frames], [f.event for f in frames],
                   baseline=recording.before)

    def _first(self, snap, event) -> None:
        """The first frame has no frame before it: a handle its event moved or dropped is
        one whose target the event touched and whose note names the event's operation."""
        for h in snap.handles:
            if h.state == "live" or h.target not in event.addresses:
                continue
            if (h.note and h.note.endswith(event.op)) or (
                    h.state == "dropped" and event.op.endswith("drop")):
                self.handles.add(h.key)

    # -- what changed -------------------------------------------------------------------
    def _changes(self, before, after) -> set:
        """Record the handles, lists and raw pointers that differ between two frames;
        return the addresses of the objects that did (and of the changed things' targets)."""
        roots: set = set()
        old = {o.address: _object_state(o) for o in before.objects} if before else None
        for o in after.objects:
            if old is not None and old.get(o.address) != _object_state(o):
                roots.add(o.address)
        if before is None:
            return roots
        if old.keys() - {o.address for o in after.objects}:
            roots |= old.keys() - {o.address for o in after.objects}
        hb = {h.key: h for h in before.handles}
        for h in after.handles:
            was = hb.pop(h.key, None)
            if was != h and not _renamed(was, h, before.handles):
                self.handles.add(h.key)
                if h.target is not None:
                    roots.add(h.target)
        self.handles |= {k for k, h in hb.items() if h.state == "live"}   # went away
        lb = {x.key: x for x in before.lists}
        gone = {_list_content(x) for x in before.lists}
        for x in after.lists:
            was = lb.pop(x.key, None)
            if was is None and _list_content(x) in gone:
                continue                 # the same list, under a new name
            if was is None or _list_content(was) != _list_content(x):
                self.lists.add(x.key)
                roots.update(x.items)
        rb = {r.label: r for r in before.raw_pointers}
        for r in after.raw_pointers:
            if rb.get(r.label) != r:
                self.raws.add(r.label)
                roots.add(r.target)
        return roots

    # -- cutting a snapshot down ----------------------------------------------------------
    def apply(self, snapshot):
        """`snapshot` with only what this focus is about (see the class docstring)."""
        objects = tuple(o for o in snapshot.objects if o.address in self.objects)
        handles = tuple(h for h in snapshot.handles
                        if h.key in self.handles
                        or (h.state == "live" and h.target in self.objects))
        lists = tuple(x for x in snapshot.lists
                      if x.key in self.lists or any(a in self.objects for a in x.items))
        raws = tuple(r for r in snapshot.raw_pointers
                     if r.label in self.raws or (not r.reclaimed and r.target in self.objects))
        vts = ({h.vtable for h in handles}
               | {sp[1] for o in objects for sp in o.self_ptrs.values() if sp}
               | {p.vtable for o in objects for p in o.pointers})
        warnings = snapshot.warnings if any(o.saturated for o in objects) else ()
        cut = replace(snapshot, objects=objects, handles=handles, lists=lists,
                      raw_pointers=raws, warnings=warnings,
                      vtables=tuple(v for v in snapshot.vtables if v.address in vts))
        return rename_lists(cut, self._names)


def _renamed(was, h, before_handles) -> bool:
    """`h` appeared under a new name, but is the same handle as one before (same target,
    kind and state): a variable re-bound, not an operation."""
    if was is not None:
        return False
    return any(b.target == h.target and b.kind == h.kind and b.state == h.state
               and b.key != h.key and b.id == h.id for b in before_handles
               if b.state != "live")


def _closure(roots, snapshots) -> set:
    """Every object reachable from `roots` in any of `snapshots`: pointer fields and list
    neighbours, until nothing new is found."""
    seen = set(roots)
    graphs = []
    for snap in snapshots:
        out: dict = {}
        for o in snap.objects:
            nxt = [p.target for p in o.pointers if p.target is not None]
            for pair in o.links.values():
                nxt.extend(a for a in pair if a is not None)
            if nxt:
                out[o.address] = nxt
        graphs.append(out)
    todo = list(seen)
    while todo:
        a = todo.pop()
        for out in graphs:
            for b in out.get(a, ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
    return seen


def _unnamed_lists(focus, snapshots) -> dict:
    """`list#N` labels of the lists drawn -> `(no name)`, numbered if there are several."""
    found: list = []
    for snap in snapshots:
        for x in snap.lists:
            if made_up(x.label) and x.label not in found and (
                    x.key in focus.lists or any(a in focus.objects for a in x.items)):
                found.append(x.label)
    if len(found) == 1:
        return {found[0]: UNNAMED}
    return {label: f"{UNNAMED[:-1]} {n})" for n, label in enumerate(found, 1)}


def rename_lists(snapshot, names: dict):
    """`snapshot` with the lists in `names` (old label -> new) relabelled, in their head
    nodes and in the "ListArc held by list …" of their items."""
    if not names or not any(x.label in names for x in snapshot.lists):
        return snapshot
    lists = tuple(replace(x, label=names.get(x.label, x.label)) for x in snapshot.lists)
    held = {f"list {old}": f"list {new}" for old, new in names.items()}
    objects = tuple(
        replace(o, holders={i: held.get(v, v) for i, v in o.holders.items()})
        if any(v in held for v in o.holders.values()) else o for o in snapshot.objects)
    return replace(snapshot, lists=lists, objects=objects)
