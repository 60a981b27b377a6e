"""Raw `unsafe` list code: pushing a plain `Arc` without a `ListArc`, checks switched off."""

from __future__ import annotations

from ..arc import Arc, count_text
from ..errors import TypeMismatch
from .list_arc import expect_handle
from ..rust import Stmt, ref
from .ring import insert_before, unlink

__all__ = ["push_back", "remove"]


def push_back(lst, arc) -> None:
    """Model of `unsafe` code linking an object into `lst` through a plain `Arc`.

    No ListArc is asked for, so nothing stops the same object being pushed into a second
    list with the same ID: both lists then write the same `ListLinks<ID>` and corrupt each
    other, which is the data race ListArc exists to prevent. The list takes a clone of
    `arc` (counted as held "unchecked"); `heap.check()` names every inconsistent link.

    >>> import kernelptr as kp
    >>> from kernelptr.list.example import Job, queue
    >>> heap = kp.reset()
    >>> a, b = queue(2), queue()
    >>> x = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    >>> kp.unchecked.push_back(a, x)
    >>> kp.unchecked.push_back(b, x)        # the same links, now in two rings
    >>> len(heap.problems()) > 0
    True
    """
    op = "unchecked::push_back"
    lst._alive(op)
    expect_handle(arc, Arc, op, f"Arc<{lst.type_name}>")
    obj = arc._check(op)
    if obj.type is not lst.T:
        raise TypeMismatch(f"{op}: expected `Arc<{lst.type_name}>`, found `{arc.type_str()}`",
                           rule="even unsafe code links items of the list's type",
                           rustc="error[E0308]: mismatched types",
                           fix="push an Arc to the list's item type")
    lst._use(op, mutate=True)
    lst._heap.unsafe_used = True
    obj.refcount.inc()
    obj.hold("unchecked")
    lst._unchecked.add(obj.address)
    obj.extra.setdefault("lists", {})[lst.id] = lst
    # SAFETY: none. Whatever the links held before is overwritten.
    insert_before(lst, obj, lst._first)
    lst._emit(op, f"{obj.type_name} @{obj.address:#x} linked WITHOUT a ListArc (refcount "
              f"{count_text(obj)}); nothing checked its links were free", obj,
              Stmt("{}.push_back(unsafe {{ ListArc::from_raw({}.clone().into_raw()) }})", lst,
                   arc, note="unsound: no ListArc existed for it"))


def remove(lst, item):
    """Model of calling `unsafe List::remove` without its safety check: unlink `item` from
    whatever ring its links are in, even another list's, and return what `lst` would hand
    back. If the item was another list's `first`, that list now points at an unlinked item.
    """
    op = "unchecked::remove"
    lst._alive(op)
    obj = lst._object_of(item, op)
    if obj is None or obj.links.get(lst.id, [None])[0] is None:
        return None
    lst._use(op, mutate=True)
    lst._heap.unsafe_used = True
    owner = obj.extra.get("lists", {}).get(lst.id, lst)
    # SAFETY: none. If the item sits in `owner`, its neighbours there are rewired, and if it
    # was `owner`'s first item, `owner.first` keeps pointing at an unlinked item.
    unlink(lst, obj)
    if obj.address in owner._unchecked:
        owner._unchecked.discard(obj.address)
        lst._unchecked.add(obj.address)
    if obj.listarc.get(lst.id) is owner:
        obj.listarc[lst.id] = lst
    obj.extra["lists"][lst.id] = lst
    result = lst._release(obj)
    lst._emit(op, f"{obj.type_name} @{obj.address:#x} unlinked WITHOUT checking which list "
              "it was in", obj, Stmt("unsafe {{ {}.remove({}) }}", lst, ref(item),
                                     result=result, option=True,
                                     note="unsound: the item may be in another list"))
    return result
