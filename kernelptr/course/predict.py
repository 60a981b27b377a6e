"""Quantities a learner predicts before a step is shown: a refcount, the ListArc holder of
an ID, the list an item is in, what an item's `next` points to.

Each is read from a `Snapshot` (the model's picture of the heap), so a quiz derives its
answer from the recording itself; nothing is written down. `widgets.StepQuiz` asks them.
"""

from __future__ import annotations

__all__ = ["Quantity", "refcount", "holder", "list_of", "next_of", "prev_of", "name_of",
           "NOBODY", "NO_LIST", "NULL"]

NOBODY = "nobody"
NO_LIST = "no list"
NULL = "null"


def name_of(snapshot, address: int | None) -> str:
    """A short name for the object at `address`: its `name` (or `what`, or first) field's
    value, else its address in hex; `null` for no object.

    >>> import kernelptr as kp
    >>> from kernelptr.list.example import Job
    >>> heap = kp.reset(); a = kp.Arc.new(Job(7), kp.GFP_KERNEL)
    >>> name_of(heap.snapshot(), a.address)
    '7'
    """
    if address is None:
        return NULL
    try:
        obj = snapshot.object(address)
    except KeyError:
        return hex(address)
    fields = dict(obj.fields)
    text = fields.get("name") or fields.get("what") or (obj.fields[0][1] if obj.fields else "")
    text = text.strip("'\"")
    return text or hex(address)


class Quantity:
    """One thing to predict about the heap after a step (the course's own tool, nothing in
    the kernel). `target` is a handle's label (`a`) or an item's name (`"c"`).

    >>> import kernelptr as kp
    >>> heap = kp.reset(); a = kp.Arc.new("x", kp.GFP_KERNEL); b = a.clone()
    >>> q = refcount("a")
    >>> q.describe(), q.value(heap.snapshot())
    ('the refcount of the object `a` points to', 2)
    """

    what = ""

    def __init__(self, target: str, id: int = 0):
        self.target = target
        self.id = id

    def address(self, snapshot) -> int:
        """The object the target names in `snapshot`: a handle label first, else an item
        name (LookupError when neither is there: the question asks about nothing)."""
        for h in snapshot.handles:
            if h.label == self.target and h.target is not None:
                return h.target
        for o in snapshot.objects:
            if name_of(snapshot, o.address) == self.target:
                return o.address
        raise LookupError(f"`{self.target}` names no handle and no object at step "
                          f"{snapshot.step}: ask about something that exists then")

    def describe(self) -> str:
        return self.what.format(t=self.target, id=self.id)

    def value(self, snapshot):
        raise NotImplementedError

    def options(self, before, after) -> list | None:
        """The choices to offer (None: a typed answer)."""
        return None

    def rule(self) -> str:
        """What to think about when the prediction is wrong (never the answer)."""
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.target!r})"


class _Refcount(Quantity):
    what = "the refcount of the object `{t}` points to"

    def value(self, snapshot):
        address = self.address(snapshot)
        obj = snapshot.object(address)
        return "SATURATED" if obj.saturated else obj.refcount

    def rule(self) -> str:
        return ("count the owners: each Arc, ListArc and list membership owns one count; a "
                "borrow owns none.")


class _Holder(Quantity):
    what = "the holder of `{t}`'s ListArc<_, {id}> (a handle, `list q`, or nobody)"

    def value(self, snapshot):
        obj = snapshot.object(self.address(snapshot))
        return obj.holders.get(self.id) or NOBODY

    def options(self, before, after):
        names = [h.label for s in (before, after) for h in s.handles if h.kind == "ListArc"]
        lists = [f"list {lst.label}" for s in (before, after) for lst in s.lists
                 if lst.id == self.id]
        return list(dict.fromkeys(names + lists + [NOBODY]))

    def rule(self) -> str:
        return ("at most one ListArc per object and ID exists; pushing moves it into the list, "
                "popping hands it back.")


class _ListOf(Quantity):
    what = "the list (of ID {id}) that `{t}` is in"

    def value(self, snapshot):
        address = self.address(snapshot)
        for lst in snapshot.lists:
            if lst.id == self.id and address in lst.items:
                return lst.label
        return NO_LIST

    def options(self, before, after):
        lists = [lst.label for s in (before, after) for lst in s.lists if lst.id == self.id]
        return list(dict.fromkeys(lists + [NO_LIST]))

    def rule(self) -> str:
        return "an item is in at most one list per ID: the one its ListLinks<ID> are linked in."


class _Link(Quantity):
    side = 1

    def value(self, snapshot):
        obj = snapshot.object(self.address(snapshot))
        links = obj.links.get(self.id, (None, None))
        return name_of(snapshot, links[self.side])

    def options(self, before, after):
        names = [name_of(s, o.address) for s in (before, after) for o in s.objects
                 if self.id in o.links and not o.freed]
        return list(dict.fromkeys(names + [NULL]))

    def rule(self) -> str:
        return ("the list is a ring: the last item's next is the first, the first's prev is "
                "the last, and an item in no list has null links.")


class _Next(_Link):
    what = "the item that `{t}`'s next pointer (ID {id}) points to"
    side = 1


class _Prev(_Link):
    what = "the item that `{t}`'s prev pointer (ID {id}) points to"
    side = 0


def refcount(target: str) -> Quantity:
    """The refcount of the object `target` names (`"SATURATED"` when saturated)."""
    return _Refcount(target)


def holder(target: str, id: int = 0) -> Quantity:
    """Who holds the `ListArc<_, id>` of the object: a handle label, `list q`, or `nobody`."""
    return _Holder(target, id)


def list_of(target: str, id: int = 0) -> Quantity:
    """The label of the list (of that ID) the object is in, or `no list`."""
    return _ListOf(target, id)


def next_of(target: str, id: int = 0) -> Quantity:
    """The name of the item the object's `next` (of that ID) points to, or `null`."""
    return _Next(target, id)


def prev_of(target: str, id: int = 0) -> Quantity:
    """The name of the item the object's `prev` (of that ID) points to, or `null`."""
    return _Prev(target, id)
