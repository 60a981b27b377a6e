"""Checks of notebook 04 (ListArc): one task in two lists; queue an event at most once."""

from __future__ import annotations

from ... import flags as _flags
from ...arc import Arc
from ...errors import NotClone, TraitNotImplemented, TypeMismatch
from ...result import Panic
from ..attempt import Hint, attempt, hint_for
from ..runner import exercise
from ._common import Event, Task, fresh, names

__all__ = ["ex04_share_front", "ex04_enqueue_once"]

_UNCHECKED = ("kp.unchecked is raw `unsafe` code: no ListArc, so nothing proves the links "
              "it writes are free (the corrupted lists at the top of this notebook). Get a real "
              "ListArc for the ID instead.")


_SHARE_HINTS = {
    TraitNotImplemented: "Task is `untracked` for both IDs: it has no AtomicTracker, so "
                         "try_from_arc cannot know whether a ListArc<Task, 1> exists. An "
                         "untracked type gets its ListArcs only from a UniqueArc.",
    NotClone: "a ListArc is never Clone: that is the whole point. A second ListArc, for the "
              "other ID, must come from a UniqueArc.",
}


@exercise
def ex04_share_front(share_front):
    """`share_front(by_time, by_owner)`: the first task of `by_time` (held by nothing else)
    also goes to the back of `by_owner`, and stays first in `by_time`."""
    from ...list import List, ListArc

    for timeline, owned in ((["t1", "t2"], []), (["w"], ["o1", "o2"])):
        with fresh() as heap:
            by_time, by_owner = List(Task, id=0), List(Task, id=1)
            for n in timeline:
                by_time.push_back(ListArc.new(Task(n), _flags.GFP_KERNEL, id=0))
            for n in owned:
                by_owner.push_back(ListArc.new(Task(n), _flags.GFP_KERNEL, id=1))
            address = by_time.first.address
            allocs = heap.alloc_count
            run = attempt(share_front, by_time, by_owner, raises=False, unsafe=_UNCHECKED)
            not_unique = [e for e in run.events("Arc::into_unique_or_drop")
                          if "not unique" in e.summary]
            if not_unique:
                raise Hint("into_unique_or_drop found other owners (the list still held its "
                           "reference), so it dropped yours and gave None: take the task out of "
                           "by_time first, so that your Arc is the only one.", at=not_unique[0])
            if run.error is not None:
                raise hint_for(run, _SHARE_HINTS)
            if heap.alloc_count != allocs:
                raise Hint("you allocated a new Task: a copy is another task, and the two lists "
                           "must share the one object that is first in by_time.",
                           at=run.first("UniqueArc::new", "ListArc::new", "Arc::new"))
            if names(by_time) != timeline:
                raise Hint(f"by_time should still iterate {timeline}; it iterates "
                           f"{names(by_time)}.")
            if names(by_owner) != owned + [timeline[0]]:
                raise Hint(f"by_owner should iterate {owned + [timeline[0]]}; it iterates "
                           f"{names(by_owner)}: push_back the task.")
            if by_time.first.address != address or list(by_owner)[-1].address != address:
                raise Hint("both lists must hold the task that was first in by_time, not "
                           "another with its name.")
            if heap.object_at(address).refcount.read() != 2 or heap.leaks():
                raise Hint("exactly two references should remain, one per list.")
    return "the task went back into by_time and into by_owner: both ListArcs minted from the " \
           "one UniqueArc you recovered, nothing allocated, nothing unsafe."


@exercise
def ex04_enqueue_once(enqueue_once):
    """`enqueue_once(q, event)`: `event` is an ArcBorrow (the caller keeps its Arc); push the
    event into `q` unless a ListArc for it exists anywhere (True), else False; never change
    the count otherwise."""
    from ...list import List, ListArc

    hints = {TypeMismatch: "`event` is an ArcBorrow: the caller keeps its Arc. A ListArc needs a "
                           "reference of its own (+1): make one from the borrow (clone_arc) or "
                           "ask ListArc.try_from_arc_borrow.",
             Panic: "you unwrapped an Err: the event's tracker said a ListArc for it already "
                    "exists, in another list (your own search of q could not know). Handle "
                    "Err(arc) instead of unwrapping."}

    def call(q, event, expected: bool, count: int, what: str):
        run = attempt(enqueue_once, q, event.as_arc_borrow(), hints=hints, unsafe=_UNCHECKED)
        if run.result is not expected:
            tracker = run.events("ListArc::try_from_arc", "ListArc::try_from_arc_borrow",
                                 "ListArc::try_from_arc_or_drop")
            if not tracker:
                asked = " (`q.is_empty()` says nothing about this event)" \
                    if run.called("List::is_empty") else ""
                raise Hint(f"{what}, and you returned {run.result!r}{asked}: only the event's "
                           "AtomicTracker knows whether a ListArc for it exists, in this list "
                           "or any other. Ask it through ListArc.try_from_arc.")
            raise Hint(f"{what}: expected {expected}, you returned {run.result!r}.",
                       at=tracker[-1])
        if event.refcount != count:
            extra = event.refcount - count
            raise Hint(f"{extra} count(s) leaked: on Err you get the same Arc back; drop it."
                       if extra > 0 else "a count went missing: the caller's Arc is still its "
                       "own.", at=run.events()[-1] if run.events() else None)

    with fresh():
        q = List(Event, id=0)
        e = Arc.new(Event("irq"), _flags.GFP_KERNEL)
        call(q, e, True, 2, "the event was in no list")
        call(q, e, False, 2, "the event was already queued")
        if len(list(q)) != 1:
            raise Hint("the event should be in the list exactly once.")

    with fresh():
        q, other = List(Event, id=0), List(Event, id=0)
        x = Arc.new(Event("timer"), _flags.GFP_KERNEL)
        q.push_back(ListArc.try_from_arc(x.clone()).unwrap())
        busy = Arc.new(Event("disk"), _flags.GFP_KERNEL)
        other.push_back(ListArc.try_from_arc(busy.clone()).unwrap())
        call(q, busy, False, 2, "the event sat in another list")
        fresh_event = Arc.new(Event("net"), _flags.GFP_KERNEL)
        call(q, fresh_event, True, 2, "the event was in no list, though q was not empty")
        if names(q) != ["timer", "net"] or names(other) != ["disk"]:
            raise Hint(f"q should iterate ['timer', 'net'] and the other list ['disk']; they "
                       f"iterate {names(q)} and {names(other)}.")
    return "the tracker answered every time, in this list or another, and every count " \
           "balanced."
