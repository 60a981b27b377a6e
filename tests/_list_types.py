"""Item types and helpers shared by the list tests (tests/test_list*.py, test_cursor.py)."""

import kernelptr as kp


@kp.impl_list_item(id=0, using="links0")
@kp.impl_list_item(id=1, using="links1")
@kp.impl_list_arc_safe(id=0, tracked_by="t0")
@kp.impl_list_arc_safe(id=1, tracked_by="t1")
@kp.struct
class Job:
    n: int
    links0: kp.ListLinks[0]
    links1: kp.ListLinks[1]
    t0: kp.AtomicTracker[0]
    t1: kp.AtomicTracker[1]


@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Node:
    n: int
    links: kp.ListLinks[0]


def job(n, id=0, T=Job):
    return kp.ListArc.new(T(n), kp.GFP_KERNEL, id=id)


def filled(ns, T=Job, id=0):
    q = kp.List(T, id=id)
    for n in ns:
        q.push_back(job(n, id, T))
    return q


def ns(q):
    return [item.n for item in q]


def links_of(x, id=0):
    """(prev address, next address) of the object behind handle or value `x`."""
    obj = x._kp_obj if hasattr(type(x), "_kp_struct") else x._obj
    prev, nxt = obj.links[id]
    return (prev and prev.address, nxt and nxt.address)
