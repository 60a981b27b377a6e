"""Pointer surgery on the circular `next`/`prev` ring of a `List` (no allocation, O(1))."""

from __future__ import annotations

from ..errors import UndefinedBehavior

__all__ = ["links", "insert_before", "unlink", "walk", "set_first", "wrote"]


def wrote(lst, n: int) -> None:
    """Count `n` pointer writes (`prev`, `next` or `first`) on `lst`'s heap: what O(1) means
    for an intrusive list is a fixed number of these per operation, whatever the length."""
    lst._heap.pointer_writes += n


def set_first(lst, obj) -> None:
    """Write the list head's `first` pointer (counted as one pointer write)."""
    lst._first = obj
    wrote(lst, 1)


def links(obj, id: int, lst) -> list:
    """The `[prev, next]` links of `obj` for `id`; raises UndefinedBehavior if the ring the
    list reaches is broken (only unchecked code can do that), before anything changes."""
    pair = obj.links.get(id)
    if pair is None or pair[0] is None or pair[1] is None:
        raise UndefinedBehavior(
            f"List<{obj.type_name}, {id}> reached {obj.address:#x}, whose ListLinks<{id}> are "
            "null: the list is corrupted",
            rule="only the holder of the ListArc may touch an item's links; unchecked "
                 "(`unsafe`) code broke that, and the kernel would now follow a NULL pointer",
            fix="see heap.check(): it names the inconsistent links")
    return pair


def insert_before(lst, item, nxt) -> None:
    """`List::insert_inner`: link `item` just before `nxt` (or alone, into an empty list)."""
    id = lst.id
    if nxt is None:
        # INVARIANT: a single element points to itself both ways.
        item.links[id] = [item, item]
        wrote(lst, 2)
        set_first(lst, item)
    else:
        nl = links(nxt, id, lst)
        prev = nl[0]
        pl = links(prev, id, lst)
        item.links[id] = [prev, nxt]
        pl[1] = item
        nl[0] = item
        wrote(lst, 4)
        prev.touch()
        nxt.touch()
    item.touch()


def unlink(lst, item) -> None:
    """`List::remove_internal_inner`: take `item` out of the ring, null its links, and move
    `first` on if it was the first element."""
    id = lst.id
    prev, nxt = links(item, id, lst)
    if nxt is not item:
        nl, pl = links(nxt, id, lst), links(prev, id, lst)
        nl[0] = prev
        pl[1] = nxt
        wrote(lst, 2)
        prev.touch()
        nxt.touch()
    if lst._first is item:
        set_first(lst, None if nxt is item else nxt)
    # INVARIANT: links are null iff the item is in no list.
    item.links[id] = [None, None]
    wrote(lst, 2)
    item.touch()


def walk(lst, limit: int | None = None):
    """The objects of `lst` front to back, following `next`; stops at a broken link and
    after `limit` steps (a corrupted ring may never return to `first`)."""
    first = lst._first
    if first is None:
        return
    if limit is None:
        limit = len(lst._heap._objects) + 1
    cur = first
    for _ in range(limit):
        yield cur
        pair = cur.links.get(lst.id)
        if pair is None or pair[1] is None:
            return
        cur = pair[1]
        if cur is first:
            return
