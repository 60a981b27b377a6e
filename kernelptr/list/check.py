"""The list invariants of DESIGN 2.6, checked by `heap.check()`."""

from __future__ import annotations

from ..heap import Heap
from .links import tracker_id
from .list_arc import ListArc, current_holder

__all__ = ["check_lists"]


def _a(o) -> str:
    return "null" if o is None else f"{o.address:#x}"


def _o(o) -> str:
    return f"{o.type_name} @{o.address:#x}"


def _list_name(lst) -> str:
    """`List<Job, 0> q` (its kp.name) or `List<Job, 0> list#2` (as snapshots call it)."""
    n = lst._heap.lists.index(lst)
    return f"{lst.type_str()} {lst._label or f'list#{n}'}"


def _ring(lst, problems: list) -> list:
    """Walk one list, reporting every link that disagrees; return the items reached."""
    name = _list_name(lst)
    first, id = lst._first, lst.id
    items, seen = [], set()
    cur = first
    while cur is not None:
        if cur.address in seen:
            problems.append(f"{name}: ring does not close: following next from first "
                            f"{_a(first)} loops back to {_a(cur)} (ID {id})")
            break
        seen.add(cur.address)
        items.append(cur)
        prev, nxt = cur.links.get(id, (None, None))
        if nxt is None or prev is None:
            problems.append(f"{name}: item {_o(cur)} is reachable from the list but its "
                            f"ListLinks<{id}> are prev={_a(prev)}, next={_a(nxt)}")
            break
        back = nxt.links.get(id, (None, None))[0]
        if back is not cur:
            problems.append(f"{name}: {_o(cur)}: next -> {_a(nxt)} but {_a(nxt)}.prev -> "
                            f"{_a(back)} (ListLinks<{id}>: the next/prev pointers disagree)")
        if nxt is first:
            break
        cur = nxt
    return items


def check_lists(heap: Heap) -> list[str]:
    """Problems with ListArc uniqueness, links, rings and trackers (empty when consistent)."""
    problems: list[str] = []
    member: dict[tuple, list] = {}     # (address, id) -> lists whose ring reaches it
    for lst in heap.lists:
        if lst._state == "dropped" and lst._first is None:
            continue
        for obj in _ring(lst, problems):
            member.setdefault((obj.address, lst.id), []).append(lst)
            if obj.address not in lst._unchecked and obj.listarc.get(lst.id) is not lst:
                problems.append(f"{_o(obj)} is in {_list_name(lst)} but that list does not "
                                f"hold its ListArc<_, {lst.id}> (holder: "
                                f"{_holder_text(obj.listarc.get(lst.id))})")
    for (address, id), lists in member.items():
        if len(lists) > 1:
            names = " and ".join(_list_name(lst) for lst in lists)
            problems.append(f"{address:#x} is in {names}, two lists with the same ID {id}: "
                            f"their rings share its ListLinks<{id}>")
    handles: dict[tuple, list] = {}
    for h in heap.handles():
        if isinstance(h, ListArc) and h._state == "live" and h._obj is not None:
            handles.setdefault((h._obj.address, h._id), []).append(h)
    for obj in heap.objects():
        for id, (prev, nxt) in obj.links.items():
            if (prev is None) != (nxt is None):
                problems.append(f"{_o(obj)}: ListLinks<{id}> half null: prev={_a(prev)}, "
                                f"next={_a(nxt)}")
            elif prev is not None and (obj.address, id) not in member:
                problems.append(f"{_o(obj)}: ListLinks<{id}> are prev={_a(prev)}, "
                                f"next={_a(nxt)} but it is in no List with ID {id}")
            if prev is not None and prev.links.get(id, (None, None))[1] is not obj:
                problems.append(f"{_o(obj)}: prev -> {_a(prev)} but {_a(prev)}.next -> "
                                f"{_a(prev.links.get(id, (None, None))[1])} (ListLinks<{id}>: "
                                "the prev/next pointers disagree)")
        ids = set(obj.listarc) | {i for (a, i) in handles if a == obj.address}
        for id in ids:
            hs = handles.get((obj.address, id), [])
            lists = [lst for lst in member.get((obj.address, id), [])
                     if obj.address not in lst._unchecked]
            if len(hs) + len(lists) > 1:
                problems.append(f"{_o(obj)} has {len(hs)} live ListArc<_, {id}> handle(s) and "
                                f"is held by {len(lists)} list(s): at most one ListArc per "
                                "object and ID")
            holder = current_holder(obj, id)
            tid = tracker_id(obj.type, id, obj.value)
            if holder is not None and tid is not None and not obj.trackers.get(tid):
                problems.append(f"{_o(obj)}: a ListArc<_, {id}> exists but its AtomicTracker "
                                "says none does")
            for h in hs:
                if obj.listarc.get(id) is not h:
                    problems.append(f"{_o(obj)}: ListArc<_, {id}> handle is not the recorded "
                                    "holder")
    return problems


def _holder_text(holder) -> str:
    if holder is None:
        return "none"
    return _list_name(holder) if hasattr(holder, "_unchecked") else type(holder).__name__


Heap.invariant_checks.append(check_lists)
