"""Recording journal (kernelptr/journal.py): frames stored as changes, rebuilt on demand."""

import random

import kernelptr as kp
from kernelptr.list.example import Job


def test_scrubbed_frames_equal_the_heap_as_it_was_at_each_step(heap):
    """A long trace stores only what changed, yet every frame, visited in any order, is
    exactly the snapshot the heap gave at that step (objects, holders, lists, handles)."""
    expected = []
    with kp.record() as rec:
        q = kp.List(Job)
        expected.append(heap.snapshot())
        for n in range(6):
            q.push_back(kp.ListArc.new(Job(n), kp.GFP_KERNEL))
            expected.append(heap.snapshot())
        keep = kp.ListArc.new(Job(99), kp.GFP_KERNEL)       # a handle holds the ListArc
        expected.append(heap.snapshot())
        a = kp.Arc.new(Job(7), kp.GFP_KERNEL)
        expected.append(heap.snapshot())
        for _ in range(150):                                  # past several keyframes
            la = q.pop_front()
            expected.append(heap.snapshot())
            q.push_back(la)
            expected.append(heap.snapshot())
            b = a.clone()
            expected.append(heap.snapshot())
            b.drop()
            expected.append(heap.snapshot())
        a.drop()                                              # freed: shown greyed, once
        expected.append(heap.snapshot())
        q.push_front(keep)
        expected.append(heap.snapshot())
    at = {snap.step: snap for snap in expected}      # statements of one op end at a frame
    order = [i for i, f in enumerate(rec.frames) if f.event.step in at]
    assert len(order) > 500
    random.Random(7).shuffle(order)
    for i in order:
        assert rec.frames[i].snapshot == at[rec.frames[i].event.step], i
    assert [x.address for x in rec.frames[-2].snapshot.objects if x.freed] == [a.address]
    assert not any(x.freed for x in rec.frames[-1].snapshot.objects)


def test_unchanged_objects_are_shared_between_frames_not_copied(heap):
    q = kp.List(Job)
    for n in range(20):
        q.push_back(kp.ListArc.new(Job(n), kp.GFP_KERNEL))
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    with kp.record() as rec:
        b = a.clone()
        b.drop()
    first, second = (f.snapshot for f in rec.frames)
    items = set(q_items(first))
    assert all(second.object(x) is first.object(x) for x in items)


def q_items(snap):
    return snap.lists[0].items


def test_holding_is_replace_with_holders(heap):
    from dataclasses import replace

    from kernelptr.snapshot import holding

    la = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    snap = heap.snapshot().object(la.address)
    assert holding(snap, {0: "x"}) == replace(snap, holders={0: "x"})


def test_recordings_stop_watching_the_heap(heap):
    """Neither a finished `kp.record()` nor a Recording filled by hand (`%%kptrace`) leaves
    a dirty set on the heap that would grow with every later operation."""
    with kp.record():
        a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    kp.Recording(heap)
    a.clone().drop()
    watch = heap._problem_watch          # snapshots' own problem watch is not a recording's
    assert [d for d in heap._dirty_sets if watch is None or d is not watch.dirty] == []
