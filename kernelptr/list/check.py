"""The list invariants of DESIGN 2.6, checked by `heap.check()`."""

from __future__ import annotations

from ..heap import Heap
from ..problem import Problem
from .links import tracker_id
from .list_arc import ListArc, current_holder

__all__ = ["check_lists"]


def _a(o) -> str:
    return "null" if o is None else f"{o.address:#x}"


def _o(o) -> str:
    return f"{o.type_name} @{o.address:#x}"


def _label(lst) -> str:
    return lst._label or f"list#{lst._heap.lists.index(lst)}"


def _list_name(lst) -> str:
    """`List<Job, 0> q` (its kp.name) or `List<Job, 0> list#2` (as snapshots call it)."""
    return f"{lst.type_str()} {_label(lst)}"


def _about(kind, obj, id, field, *lists) -> dict:
    """The place a problem concerns, as `Problem` keyword arguments."""
    return dict(kind=kind, address=None if obj is None else obj.address, link_id=id,
                field=field, list_label=_label(lists[0]) if lists else None,
                lists=tuple((lst._heap.lists.index(lst), _label(lst)) for lst in lists))


def _ring(lst, problems: list) -> list:
    """Walk one list, reporting every link that disagrees; return the items reached."""
    name = _list_name(lst)
    first, id = lst._first, lst.id
    items, seen = [], set()
    cur = first
    while cur is not None:
        if cur.address in seen:
            # The `next` that led back into the ring is the one that is wrong.
            problems.append(Problem(f"{name}: ring does not close: following next from first "
                                    f"{_a(first)} loops back to {_a(cur)} (ID {id})",
                                    **_about("ring", items[-1], id, "next", lst)))
            break
        seen.add(cur.address)
        items.append(cur)
        prev, nxt = cur.links.get(id, (None, None))
        if nxt is None or prev is None:
            # Reached through `first` or through the previous item's `next`.
            at, field = (cur, "first") if len(items) == 1 else (items[-2], "next")
            problems.append(Problem(f"{name}: item {_o(cur)} is reachable from the list but "
                                    f"its ListLinks<{id}> are prev={_a(prev)}, next={_a(nxt)}",
                                    **_about("link", at, id, field, lst)))
            break
        back = nxt.links.get(id, (None, None))[0]
        if back is not cur:
            problems.append(Problem(f"{name}: {_o(cur)}: next -> {_a(nxt)} but {_a(nxt)}.prev "
                                    f"-> {_a(back)} (ListLinks<{id}>: the next/prev pointers "
                                    "disagree)", **_about("link", cur, id, "next", lst)))
        if nxt is first:
            break
        cur = nxt
    return items


def check_lists(heap: Heap) -> list[Problem]:
    """Problems with ListArc uniqueness, links, rings and trackers (empty when consistent)."""
    problems: list[Problem] = []
    member: dict[tuple, list] = {}     # (address, id) -> lists whose ring reaches it
    for lst in heap.lists:
        if lst._state == "dropped" and lst._first is None:
            continue
        for obj in _ring(lst, problems):
            member.setdefault((obj.address, lst.id), []).append(lst)
            if obj.address not in lst._unchecked and obj.listarc.get(lst.id) is not lst:
                problems.append(Problem(
                    f"{_o(obj)} is in {_list_name(lst)} but that list does not hold its "
                    f"ListArc<_, {lst.id}> (holder: {_holder_text(obj.listarc.get(lst.id))})",
                    **_about("listarc", obj, lst.id, "holder", lst)))
    for (address, id), lists in member.items():
        if len(lists) > 1:
            names = " and ".join(_list_name(lst) for lst in lists)
            problems.append(Problem(f"{address:#x} is in {names}, two lists with the same ID "
                                    f"{id}: their rings share its ListLinks<{id}>",
                                    **_about("ring", heap.object_at(address), id, None,
                                             *lists)))
    handles: dict[tuple, list] = {}
    for h in heap.handles():
        if isinstance(h, ListArc) and h._state == "live" and h._obj is not None:
            handles.setdefault((h._obj.address, h._id), []).append(h)
    for obj in heap.objects():
        for id, (prev, nxt) in obj.links.items():
            if (prev is None) != (nxt is None):
                problems.append(Problem(f"{_o(obj)}: ListLinks<{id}> half null: "
                                        f"prev={_a(prev)}, next={_a(nxt)}",
                                        **_about("link", obj, id, None)))
            elif prev is not None and (obj.address, id) not in member:
                problems.append(Problem(f"{_o(obj)}: ListLinks<{id}> are prev={_a(prev)}, "
                                        f"next={_a(nxt)} but it is in no List with ID {id}",
                                        **_about("link", obj, id, None)))
            if prev is not None and prev.links.get(id, (None, None))[1] is not obj:
                problems.append(Problem(
                    f"{_o(obj)}: prev -> {_a(prev)} but {_a(prev)}.next -> "
                    f"{_a(prev.links.get(id, (None, None))[1])} (ListLinks<{id}>: the prev/next "
                    "pointers disagree)", **_about("link", obj, id, "prev")))
        ids = set(obj.listarc) | {i for (a, i) in handles if a == obj.address}
        for id in ids:
            hs = handles.get((obj.address, id), [])
            lists = [lst for lst in member.get((obj.address, id), [])
                     if obj.address not in lst._unchecked]
            if len(hs) + len(lists) > 1:
                problems.append(Problem(
                    f"{_o(obj)} has {len(hs)} live ListArc<_, {id}> handle(s) and is held by "
                    f"{len(lists)} list(s): at most one ListArc per object and ID",
                    **_about("listarc", obj, id, "holder")))
            holder = current_holder(obj, id)
            tid = tracker_id(obj.type, id, obj.value)
            if holder is not None and tid is not None and not obj.trackers.get(tid):
                problems.append(Problem(f"{_o(obj)}: a ListArc<_, {id}> exists but its "
                                        "AtomicTracker says none does",
                                        **_about("listarc", obj, id, "tracker")))
            for h in hs:
                if obj.listarc.get(id) is not h:
                    problems.append(Problem(f"{_o(obj)}: ListArc<_, {id}> handle is not the "
                                            "recorded holder",
                                            **_about("listarc", obj, id, "holder")))
    return problems


def _holder_text(holder) -> str:
    if holder is None:
        return "none"
    return _list_name(holder) if hasattr(holder, "_unchecked") else type(holder).__name__


Heap.invariant_checks.append(check_lists)
