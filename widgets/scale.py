"""Big heaps stay legible: long lists drawn with an elided middle, and a filter to what some
handles reach (used by `to_dot(..., elide=..., reach=...)`)."""

from __future__ import annotations

from dataclasses import replace

from .escape import node_id

__all__ = ["ELIDE_AT", "KEEP_ENDS", "OBJECT_BUDGET", "HANDLE_BUDGET", "reach", "Elision"]

#: Lists with more items than this are drawn with an elided middle.
ELIDE_AT = 12
#: Items kept at each end of an elided list (plus every item something points at).
KEEP_ENDS = 3
#: At most this many objects are drawn (unless `elide=None`): beyond it a picture is
#: unreadable and `dot` takes seconds; the rest become one "… N more objects" node.
OBJECT_BUDGET = 24
#: At most this many handles are drawn (unless `elide=None`).
HANDLE_BUDGET = 16


def reach(snapshot, labels):
    """`snapshot` cut down to what the handles (or lists, or raw pointers) called `labels`
    reach: their objects, whatever those objects' fields point at and the lists they are
    linked into, transitively. Raises KeyError naming the labels that exist.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> a, b = kp.Arc.new(1, kp.GFP_KERNEL), kp.Arc.new(2, kp.GFP_KERNEL)
    >>> small = reach(heap.snapshot(), "a")
    >>> [h.label for h in small.handles], len(small.objects)
    (['a'], 1)
    """
    wanted = {labels} if isinstance(labels, str) else set(labels)
    known = ({h.label for h in snapshot.handles} | {x.label for x in snapshot.lists}
             | {r.label for r in snapshot.raw_pointers})
    missing = sorted(wanted - known)
    if missing:
        raise KeyError(f"reach={missing!r}: no handle, list or raw pointer of that name; "
                       f"this snapshot has {sorted(known)!r}")
    handles = tuple(h for h in snapshot.handles if h.label in wanted)
    raws = tuple(r for r in snapshot.raw_pointers if r.label in wanted)
    todo = [h.target for h in handles if h.target is not None and h.state == "live"]
    todo += [r.target for r in raws if not r.reclaimed]
    for lst in snapshot.lists:
        if lst.label in wanted:
            todo.extend(lst.items)
    by_address = {o.address: o for o in snapshot.objects}
    seen: set = set()
    while todo:
        a = todo.pop()
        if a in seen or a not in by_address:
            continue
        seen.add(a)
        o = by_address[a]
        todo.extend(p.target for p in o.pointers if p.target is not None)
        for pair in o.links.values():
            todo.extend(x for x in pair if x is not None)
    lists = tuple(x for x in snapshot.lists
                  if x.label in wanted or any(i in seen for i in x.items))
    objects = tuple(o for o in snapshot.objects if o.address in seen)
    vts = {h.vtable for h in handles} | {sp[1] for o in objects for sp in o.self_ptrs.values()
                                         if sp} | {p.vtable for o in objects for p in o.pointers}
    return replace(snapshot, objects=objects, handles=handles, lists=lists, raw_pointers=raws,
                   vtables=tuple(v for v in snapshot.vtables if v.address in vts))


class Elision:
    """Which objects and handles a picture leaves out, and the nodes standing for them.

    Two kinds of elision: a list longer than `elide_at` keeps its first and last `keep` items
    and every item something points at, and each run of the others becomes one "… N more …"
    node on its ring; then, if more than `budget` objects (or `handle_budget` handles) are
    still to draw, the rest are grouped into one "… N more objects" (or handles) node that
    says how to see them. Kept first: objects a problem concerns, those the drawn handles
    and raw pointers point at, list items still drawn, targets of pointer fields, then the
    rest by address.

    `hidden` maps an address to the node standing for it; `runs` lists (node name, ID,
    count, item after the run); `more` is (node name, count) of the objects beyond the
    budget or None; `hidden_handles` the labels of the handles left out.
    """

    MORE = "elide_objects"
    MORE_HANDLES = "elide_handles"

    def __init__(self, snapshot, elide_at: int | None = ELIDE_AT, keep: int = KEEP_ENDS,
                 budget: int | None = None, handle_budget: int | None = None):
        self.hidden: dict = {}
        self.runs: list = []
        self.more = None
        self.hidden_handles: set = set()
        if not elide_at:
            return
        budget = OBJECT_BUDGET if budget is None else budget
        handle_budget = HANDLE_BUDGET if handle_budget is None else handle_budget
        handles = snapshot.handles
        if len(handles) > handle_budget:
            self.hidden_handles = {h.label for h in handles[handle_budget:]}
            handles = handles[:handle_budget]
        marked = [p.address for p in getattr(snapshot, "problems", ()) if p.address is not None]
        pointed = [h.target for h in handles if h.target is not None]
        pointed += [r.target for r in snapshot.raw_pointers]
        fields = [p.target for o in snapshot.objects for p in o.pointers]
        self._elide_lists(snapshot, elide_at, keep, set(pointed) | set(marked) | set(fields))
        if len(snapshot.objects) - len(self.hidden) > budget:
            listed = [a for x in snapshot.lists for a in x.items if a not in self.hidden]
            self._over_budget(snapshot, budget, marked + pointed + listed + fields)

    def _elide_lists(self, snapshot, elide_at, keep, kept):
        long = [x for x in snapshot.lists if len(x.items) > elide_at and not x.dropped]
        if not long:
            return
        kept = set(kept)
        for x in snapshot.lists:
            kept.update(x.items if len(x.items) <= elide_at else
                        x.items[:keep] + x.items[len(x.items) - keep:])
        for lst in long:
            items = lst.items
            run: list = []
            for a in items:
                if a in kept:
                    if run:
                        self._run(lst, run, a)
                        run = []
                elif a not in self.hidden:
                    run.append(a)
            if run:
                self._run(lst, run, items[0])

    def _run(self, lst, run, after):
        name = node_id("elide", f"{lst.label}_{len(self.runs)}")
        for a in run:
            self.hidden[a] = name
        self.runs.append((name, lst.id, len(run), after))

    def _over_budget(self, snapshot, budget, first):
        """Keep `budget` objects (those in `first` first, then by address); hide the rest."""
        visible = [o.address for o in snapshot.objects if o.address not in self.hidden]
        present = set(visible)
        chosen: dict = {}
        for a in first + sorted(visible):
            if len(chosen) >= budget:
                break
            if a in present:
                chosen[a] = True
        rest = [a for a in visible if a not in chosen]
        for a in rest:
            self.hidden[a] = self.MORE
        self.more = (self.MORE, len(rest))

    def endpoint(self, address: int, port: str, compass: str) -> str:
        """The edge endpoint for `address` (`obj_…:port:compass`, or the node standing for it,
        at `compass`)."""
        stand_in = self.hidden.get(address)
        if stand_in:
            return f"{stand_in}:{compass}"
        return f"{node_id('obj', f'{address:x}')}:{port}:{compass}"
