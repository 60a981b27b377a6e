"""What several notebooks' checks share: the item types they build their instances from."""

from __future__ import annotations

from ...heap import Heap
from ...struct import struct

__all__ = ["Job", "Item", "Task", "Event", "fresh", "name_of", "names"]

#: A fresh simulated kernel for one instance of an exercise (`with fresh() as heap:`).
fresh = Heap


@struct
class Job:
    """The struct the exercises use."""

    name: str
    prio: int = 0


def _list_types():
    """The item types the list exercises use (declared lazily: lists import the model)."""
    from ... import list as kl

    @kl.impl_list_item(id=0, using="links")
    @kl.impl_list_arc_safe(id=0, untracked=True)
    @struct
    class Item:
        name: str
        prio: int = 0
        links: kp.ListLinks[0]

    @kl.impl_list_item(id=0, using="by_time")
    @kl.impl_list_item(id=1, using="by_owner")
    @kl.impl_list_arc_safe(id=0, untracked=True)
    @kl.impl_list_arc_safe(id=1, untracked=True)
    @struct
    class Task:
        name: str
        by_time: kp.ListLinks[0]
        by_owner: kp.ListLinks[1]

    @kl.impl_list_item(id=0, using="links")
    @kl.impl_list_arc_safe(id=0, tracked_by="tracker")
    @struct
    class Event:
        what: str
        links: kp.ListLinks[0]
        tracker: kp.AtomicTracker[0]

    return Item, Task, Event


Item, Task, Event = _list_types()


def name_of(heap, address: int) -> str:
    """The `name` (or `what`) field of the object at `address`."""
    value = heap.object_at(address).value
    return getattr(value, "name", None) or getattr(value, "what", None) or hex(address)


def names(q) -> list:
    """The names of a list's items, front to back."""
    return [getattr(item, "name", None) or item.what for item in q]
