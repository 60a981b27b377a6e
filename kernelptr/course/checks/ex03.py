"""Checks of notebook 03 (intrusive lists): order by pushing; a cursor that filters."""

from __future__ import annotations

from ... import flags as _flags
from ...errors import BorrowError
from ..attempt import Hint, attempt
from ..runner import exercise
from ._common import Item, fresh, name_of, names

__all__ = ["ex03_build", "ex03_drop_low"]

_PUSHES = ("List::push_back", "List::push_front")
#: List operations that take items out of a list or put them in other than by pushing.
_NOT_PUSHING = ("List::pop_front", "List::pop_back", "List::remove", "List::push_all_back",
                "Cursor::insert_next", "Cursor::insert_prev", "Cursor::insert",
                "CursorPeek::remove", "Cursor::remove_next", "Cursor::remove_prev",
                "unchecked::push_back")


@exercise
def ex03_build(build):
    """`build(q, make, names, first)`: `q` iterates `names`; `names[first]` pushed first;
    only push_back and push_front (run on three different instances)."""
    from ...list import List, ListArc

    for wanted, first in ((["x", "y", "z"], 1), (["a", "b", "c", "d", "e"], 3), (["p", "q"], 0)):
        with fresh() as heap:
            q = List(Item, id=0)
            made = []

            def make(name):
                made.append(name)
                return ListArc.new(Item(name), _flags.GFP_KERNEL)

            run = attempt(build, q, make, list(wanted), first)
            got = names(q)
            other = run.events(*_NOT_PUSHING)
            if other:
                raise Hint(f"only push_back and push_front here: `{other[0].op}` builds the "
                           "order some other way.", at=other[0])
            pushes = run.events(*_PUSHES)
            if pushes and name_of(heap, pushes[0].addresses[0]) != wanted[first]:
                raise Hint(f"push {wanted[first]!r} (names[first]) before any other item; you "
                           f"pushed {name_of(heap, pushes[0].addresses[0])!r} first.",
                           at=pushes[0])
            if got == wanted:
                if len(pushes) != len(wanted) or len(made) != len(wanted):
                    raise Hint(f"{len(pushes)} pushes for {len(wanted)} names: make and push "
                               "each name once.")
                continue
            if sorted(got) != sorted(wanted):
                raise Hint(f"the list holds {got}; it should hold exactly {wanted}.",
                           at=pushes[-1] if pushes else None)
            before = wanted[:first]
            fronts = run.events("List::push_front")
            if before and not fronts:
                raise Hint(f"the list iterates {got}: nothing can get in front of "
                           f"{wanted[first]!r} with push_back; push_front puts an item before "
                           "the current first one.")
            wrong = next(i for i, (g, w) in enumerate(zip(got, wanted)) if g != w)
            bad = next((e for e in pushes if name_of(heap, e.addresses[0]) == got[wrong]), None)
            if got[:first] == before[::-1]:
                raise Hint(f"the list iterates {got}: the names before {wanted[first]!r} came out "
                           "reversed. Each push_front goes before the current first item, so "
                           "push the nearest one first.", at=bad)
            raise Hint(f"the list iterates {got}, not {wanted}: push_back appends after the last "
                       "item, push_front goes before the first.", at=bad)
    return "every order built with one push per item: push_front for the names before the " \
           "first one pushed (nearest first), push_back for those after it."


_REMOVING = ("CursorPeek::remove", "Cursor::remove_next", "Cursor::remove_prev")


@exercise
def ex03_drop_low(drop_low):
    """`drop_low(q, limit)`: walk `q` with a cursor, unlink and drop every item with
    prio < limit, keep the others in order, allocate nothing (two instances)."""
    from ...list import List, ListArc

    instances = (([("a", 1), ("b", 7), ("c", 2), ("d", 3), ("e", 9), ("f", 0)], 5),
                 ([("g", 2), ("h", 1), ("i", 9), ("j", 3), ("k", 4), ("l", 0), ("m", 1)], 3))
    for items, limit in instances:
        with fresh() as heap:
            q = List(Item, id=0)
            for name, prio in items:
                q.push_back(ListArc.new(Item(name, prio), _flags.GFP_KERNEL))
            allocs = heap.alloc_count
            run = attempt(drop_low, q, limit, hints={BorrowError: (
                "you changed the list while an iterator (or an older cursor) still borrowed "
                "it. Walk with one cursor (q.cursor_front()) and remove through its peek.")})
            keep = [n for n, p in items if p >= limit]
            low = [n for n, p in items if p < limit]
            taken = run.events("List::pop_front", "List::pop_back", "List::push_back",
                               "List::push_front", "List::remove")
            if taken:
                raise Hint(f"`{taken[0].op}` takes items out of the list (or puts them back): "
                           "walk it with a cursor instead, so the items you keep never leave "
                           "it.", at=taken[0])
            if heap.alloc_count != allocs:
                raise Hint("drop_low allocated: walking and removing never needs to.",
                           at=run.first("ListArc::new", "Arc::new", "UniqueArc::new"))
            if not run.events("List::cursor_front", "List::cursor_back"):
                raise Hint("walk the list with a cursor: cursor = q.cursor_front().")
            got = names(q)
            if got != keep:
                survivors = [n for n in got if n in low]
                if survivors and set(got) <= set(keep) | set(low):
                    skip = _skip_after_remove(run)
                    raise Hint(f"with limit {limit}, {survivors} survived: after removing the "
                               "next item, do not move the cursor (peek_next() is already the "
                               "following item).", at=skip)
                raise Hint(f"with limit {limit} the list should hold {keep}; it holds {got}.")
            removed = run.events(*_REMOVING)
            freed = [e for e in run.events("ListArc::drop", "Arc::drop") if "freed" in e.summary]
            if len(freed) != len(low):
                raise Hint("the items are unlinked but not freed: drop the ListArc that "
                           "remove() returns.", at=removed[0] if removed else None)
    return "kept items never left the list; the others were unlinked at the cursor and freed, " \
           "with no allocation, whatever the limit."


def _skip_after_remove(run):
    """The first `move_next` that came right after a removal (it skips an item)."""
    previous = None
    for event in run.events():
        if event.op == "Cursor::move_next" and previous in _REMOVING:
            return event
        if event.op not in ("ListArc::drop", "Arc::drop"):
            previous = event.op
    return None
