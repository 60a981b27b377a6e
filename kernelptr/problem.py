"""Broken invariants as records: what `heap.check()` found, and where in the picture it is."""

from __future__ import annotations

import dataclasses
import re
import weakref
from dataclasses import dataclass, replace

__all__ = ["Problem", "as_problem", "snapshot_problems"]


@dataclass(frozen=True)
class Problem:
    """One broken invariant of the model heap, like a report of the kernel's list debugging
    (`CONFIG_DEBUG_LIST`: `__list_del_entry_valid_or_report` in lib/list_debug.c says "list_del
    corruption. next->prev should be ...") or refcount checks: the sentence and the place.

    `text` is the sentence `heap.problems()` prints. `kind` is `"link"` (a `prev`/`next`
    pointer disagrees with its neighbour), `"ring"` (a ring does not close, or two lists share
    one item's links), `"listarc"` (ListArc uniqueness or tracking), `"refcount"`, `"queue"`
    or `"invariant"` (anything else). The place: `address` (the object concerned or None),
    `link_id` (the list ID), `field` (`"prev"`, `"next"`, `"first"`, `"refcount"`,
    `"holder"`, `"tracker"`, or None for the whole links row or object) and `list_label`
    (the list concerned). Views draw the mark on that link or cell.

    >>> import kernelptr as kp
    >>> from kernelptr.list.example import Job, queue
    >>> heap = kp.reset()
    >>> left, right = queue(), queue()
    >>> a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    >>> kp.unchecked.push_back(left, a)
    >>> kp.unchecked.push_back(right, a)        # one object's links in two rings
    >>> p = heap.problem_records()[0]
    >>> p.kind, p.field, p.address == a.address, p.list_label
    ('ring', None, True, 'list#0')
    >>> p                                       # doctest: +ELLIPSIS
    Problem(ring, 0xffff888000001000, link_id=0, list_label='list#0': '0xffff888000001000 is in ...')
    >>> str(p) == heap.problems()[0]
    True
    """

    text: str
    kind: str = "invariant"
    address: int | None = None
    link_id: int | None = None
    field: str | None = None
    list_label: str | None = None
    #: (index in `heap.lists`, label the text uses) for each list the text names, so that a
    #: snapshot can rename them after the learner's variables.
    lists: tuple = dataclasses.field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        where = [f"{self.kind}"]
        if self.address is not None:
            where.append(f"{self.address:#x}")
        where += [f"{k}={v!r}" for k, v in (("link_id", self.link_id), ("field", self.field),
                                            ("list_label", self.list_label)) if v is not None]
        return f"Problem({', '.join(where)}: {self.text!r})"

    def relabelled(self, labels: dict) -> "Problem":
        """This problem with its lists named by `labels` ({index in heap.lists: label})."""
        text, first = self.text, self.list_label
        for n, (index, old) in enumerate(self.lists):
            new = labels.get(index, old)
            if new == old:
                continue
            text = re.sub(re.escape(f" {old}") + r"(?![\w#])", lambda _m: f" {new}", text)
            if n == 0:
                first = new
        if text == self.text and first == self.list_label:
            return self
        return replace(self, text=text, list_label=first)


def as_problem(found) -> Problem:
    """A check's finding as a `Problem` (checks written before records return sentences)."""
    return found if isinstance(found, Problem) else Problem(str(found))


def snapshot_problems(heap, touched=None, *, again: bool = False) -> tuple:
    """The heap's problems for a snapshot, at the cost of the objects that changed.

    Outside `kp.unchecked` code and direct refcount changes the model keeps every invariant
    (its operations check, then commit), so the full check runs only when one of those can
    have broken something: `kp.unchecked` code ran on the heap, an object in `touched` has
    a count its owners do not explain or is freed while referenced, or `again` (the
    previous snapshot had problems, which may persist). Without `touched` (a plain
    `heap.snapshot()`), the objects touched since the previous plain snapshot are looked at.
    """
    watch = None
    if touched is None:
        watch = heap._problem_watch
        if watch is None:
            watch = heap._problem_watch = _Watch(heap)
            touched = heap.objects(include_freed=True)
        else:
            touched = list(watch.dirty)
        watch.dirty.clear()
        again = again or watch.found
    suspicious = again or heap.unsafe_used or any(_suspect(o) for o in touched)
    found = tuple(heap.problem_records()) if suspicious else ()
    if watch is not None:
        watch.found = bool(found)
    return found


class _Watch:
    """What plain snapshots of one heap need to know: the objects touched since the last
    one (held weakly) and whether it had problems."""

    __slots__ = ("dirty", "found")

    def __init__(self, heap):
        self.dirty = weakref.WeakSet()
        heap._dirty_sets.append(self.dirty)
        self.found = False


def _suspect(obj) -> bool:
    if obj.freed:
        return bool(obj.held) or any(h._state == "live" for h in obj.owners)
    if obj.refcount.saturated or obj.kind.startswith("std::"):
        return False
    return obj.refcount.read() != obj.expected_refcount()
