"""Representative recordings, one per part of the course, whose Rust the tests read and parse.

Each function records a short program on a fresh heap and returns the `kp.Recording`; the
variables are the function's locals, so the Rust is written with their names.
"""

from __future__ import annotations

import warnings

import kernelptr as kp
from kernelptr import binder
from kernelptr import workqueue as wq
from kernelptr.list.cursor_v6_11 import cursor_front_v6_11

__all__ = ["SCENES"]


@kp.struct
class Job:
    name: str
    prio: int = 0


@kp.impl_list_item(id=0, using="links")
@kp.impl_list_item(id=1, using="mine")
@kp.impl_list_arc_safe(id=0, tracked_by="tracker")
@kp.impl_list_arc_safe(id=1, untracked=True)
@kp.struct
class Task:
    title: str
    links: kp.ListLinks[0]
    mine: kp.ListLinks[1]
    tracker: kp.AtomicTracker[0]


class WorkItem(kp.Trait):
    def run(self: "kp.ListArc[Wrapper[Self]]", log): ...

    def name(self): ...


@kp.impl_dyn_list_item(WorkItem, id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Wrapper:
    links: kp.ListLinksSelfPtr[0]
    wrapped: kp.Unsized


@kp.impl_trait(WorkItem)
@kp.struct
class Ping:
    n: int

    def run(self: "kp.ListArc[Wrapper[Self]]", log):
        log.append(self.wrapped.n)

    def name(self):
        return "ping"


@wq.impl_has_work(id=0, field="work")
@kp.impl_trait(wq.WorkItem)
@kp.struct
class Flush:
    name: str
    work: kp.workqueue.Work[0]

    def run(this: "kp.Arc[Self]"):
        pass


@kp.vtable
class FileOps(kp.Trait):
    def open(self): ...

    def write(self, data): ...


@kp.impl_trait(FileOps)
class MyFile:
    def open(self):
        return 0


def arc():
    kp.reset()
    lock = kp.SpinLock(None, "lock")
    with kp.record() as rec:
        a = kp.Arc.new(Job("render"), kp.GFP_KERNEL)
        b = a.clone()
        borrowed = a.as_arc_borrow()
        owned = borrowed.clone_arc()
        b.drop()
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        with lock.lock() as guard:
            u = u.write(Job("urgent", prio=9))
            u.prio = 10
            guard.value = kp.Arc.from_unique(u)
        p = owned.into_raw()
        back = kp.Arc.from_raw(p)
        gone = kp.Arc.into_unique_or_drop(back)
        with kp.scope():
            c = a.clone()
            d = c.clone()
        pinned = kp.UniqueArc.pin_init(Task("pinned"), kp.GFP_KERNEL)
        plain = kp.UniqueArc.new(Job("plain"), kp.GFP_KERNEL)
        fixed = plain.into_pin()
        pinned.project().title = "projected"
    del gone, d, fixed
    return rec


def lists():
    kp.reset()
    q = kp.List(Task)
    qlock = kp.SpinLock(None, "qlock")
    with kp.record() as rec:
        a = kp.ListArc.new(Task("a"), kp.GFP_KERNEL)
        with qlock.lock():
            q.push_back(a)
            q.push_front(kp.ListArc.new(Task("b"), kp.GFP_ATOMIC))
        first = q.pop_front()
        front = q.first.clone_arc()
        taken = q.remove(front)
        nothing = q.remove(front)
        other = kp.List(Task)
        other.push_back(first)
        q.push_all_back(other)
        empty = other.pop_back()
        for item in q.into_iter():
            item.drop()
        taken.drop()
        q2 = kp.List(Task)
        q2.push_back(kp.ListArc.new(Task("c"), kp.GFP_KERNEL))
        q2.drop()
    del nothing, empty
    return rec


def cursors():
    kp.reset()
    q = kp.List(Task)
    for t in "abc":
        q.push_back(kp.ListArc.new(Task(t), kp.GFP_KERNEL))
    with kp.record() as rec:
        cursor = q.cursor_front()
        cursor.move_next()
        removed = cursor.peek_next().remove()
        cursor.insert_prev(kp.ListArc.new(Task("new"), kp.GFP_KERNEL))
        cursor.move_prev()
        again = cursor.remove_next()
        back = q.cursor_back()
        back.insert_next(removed)
        empty = q.is_empty()            # another use of the list ends back's borrow
        old = cursor_front_v6_11(q)
        gone = old.remove()
    del again, gone, empty
    return rec


def list_arc():
    kp.reset()
    timeline, mine = kp.List(Task, id=0), kp.List(Task, id=1)
    with kp.record() as rec:
        t0, t1 = kp.ListArc.pair_from_unique(kp.UniqueArc.new(Task("write"), kp.GFP_KERNEL),
                                             ids=(0, 1))
        timeline.push_back(t0)
        mine.push_back(t1)
        arc = timeline.first.clone_arc()
        refused = kp.ListArc.try_from_arc(arc)
        arc = refused.value
        la = kp.ListArc.try_from_arc(timeline.pop_front().into_arc()).unwrap()
        p = la.into_raw()
        la = kp.ListArc.from_raw(p)
        plain = la.into_arc()
        le = kp.ListArc.try_from_arc_or_drop(plain)
        none = kp.ListArc.try_from_arc_borrow(arc.as_arc_borrow())
        u = kp.UniqueArc.new(Task("solo"), kp.GFP_KERNEL)
        solo = kp.ListArc.from_unique(u)
        left, right = kp.List(Task), kp.List(Task)
        x = kp.Arc.new(Task("x"), kp.GFP_KERNEL)
        kp.unchecked.push_back(left, x)
        kp.unchecked.push_back(right, x)
    del none, le, solo
    return rec


def dyn_lists():
    kp.reset()
    todo = kp.SpinLock(kp.List(Wrapper[WorkItem]), "todo")
    w = kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL)
    log = []
    with kp.record() as rec:
        d = w.into_dyn(WorkItem)
        with todo.lock() as guard:
            guard.value.push_back(d)
            guard.value.push_back(kp.ListArc.new(Wrapper(Ping(2)), kp.GFP_ATOMIC))
            item = guard.value.pop_front()
        item.name()
        item.run(log)
    return rec


def workqueue():
    kp.reset()
    job = kp.Arc.new(Flush("flush"), kp.GFP_KERNEL)
    q = wq.system()
    with kp.record() as rec:
        first = q.enqueue(job.clone())
        second = q.enqueue(job.clone())
        q.try_spawn(kp.GFP_KERNEL, lambda: None)
        q.run_pending()
        second.value.drop()
    del first
    return rec


def binder_todo():
    kp.reset()
    with kp.record() as rec:
        t = binder.Thread("t1")
        noop = binder.arc_try_new(binder.DeliverCode("BR_NOOP"))
        t.push_work(noop)
        t.push_reply_work()
        writer = []
        t.do_work(writer)
        t.push_work(binder.arc_try_new(binder.DeliverCode("BR_SPAWN")))
        t.release()
    return rec


def rbtree():
    kp.reset()
    tree = kp.RBTree()
    lock = kp.SpinLock(None, "lock")
    with kp.record() as rec:
        reservation = kp.RBTreeNodeReservation.new(kp.GFP_KERNEL)
        node = kp.RBTreeNode.new(2, "b", kp.GFP_KERNEL)
        with lock.lock():
            tree.insert(reservation.into_node(1, "a"))
            tree.insert(node)
        old = tree.insert(kp.RBTreeNode.new(2, "B", kp.GFP_KERNEL))
        r = old.into_reservation()
        tree.try_create_and_insert(3, "c", kp.GFP_KERNEL)
        value = tree.remove(3)
        n = tree.remove_node(1)
        key, val = n.to_key_value()
        cursor = tree.cursor_lower_bound_mut(2)
        cursor, removed = cursor.remove_current()
        removed.drop()
        match tree.entry(5):
            case kp.rbtree.Vacant(entry):
                five = entry.insert("e", kp.RBTreeNodeReservation.new(kp.GFP_KERNEL))
        five.value = "E"
        tree.try_create_and_insert(7, "g", kp.GFP_KERNEL)
        tree.try_create_and_insert(4, "d", kp.GFP_KERNEL)
        cursor = tree.cursor_lower_bound_mut(5)
        after = cursor.remove_next()
        before = cursor.remove_prev()
        after.drop()
        before.drop()
        r.drop()
        tree.drop()
    del value, key, val
    return rec


def contrast():
    kp.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with kp.record() as rec:
            s = kp.StdArc.new(1)
            s2 = s.clone()
            w = s.downgrade()
            s.set_strong_count(kp.ISIZE_MAX - 1)
            s2.drop()
            table = kp.c_vtable(FileOps, MyFile)
            table.call("open", MyFile())
            table.call("write", MyFile(), b"x")
    del w
    return rec


def foreign():
    kp.reset()
    left, right = kp.List(Task), kp.List(Task)
    with kp.record() as rec:
        a = kp.Arc.new(Task("c"), kp.GFP_KERNEL)
        ptr = a.clone().into_foreign()
        seen = kp.Arc.borrow(ptr)
        back = kp.Arc.from_foreign(ptr)
        back.drop()
        u = kp.Arc.into_unique_or_drop(a)
        u.drop()
        b = kp.Arc.new(Task("b"), kp.GFP_KERNEL)
        la = kp.ListArc.try_from_arc_borrow(b.as_arc_borrow())
        kp.unchecked.push_back(left, b)
        moved = kp.unchecked.remove(right, b)
    del seen, la, moved
    return rec


SCENES = {f.__name__: f for f in (arc, lists, cursors, list_arc, dyn_lists, workqueue,
                                   binder_todo, rbtree, contrast, foreign)}
