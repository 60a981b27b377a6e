"""The heap (kernelptr/heap.py): current heap, invariants, leaks."""

import pytest

import kernelptr as kp


def test_reset_gives_a_fresh_default_heap():
    h1 = kp.reset()
    kp.Arc.new(1, kp.GFP_KERNEL)
    h2 = kp.reset()
    assert h1 is not h2 and kp.current_heap() is h2 and h2.alloc_count == 0


def test_with_heap_is_current_inside_only():
    outer = kp.current_heap()
    with kp.Heap() as inner:
        assert kp.current_heap() is inner
    assert kp.current_heap() is outer


def test_check_reports_a_corrupted_refcount(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).set(5)
    with pytest.raises(kp.InvariantViolation, match="refcount is 5 but 1 references"):
        heap.check()
    kp.Arc.refcount_of(a).set(1)


def test_leaks_lists_unreachable_objects(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    kp.Arc.new(2, kp.GFP_KERNEL)             # temporary handle forgotten at once
    assert [o.address for o in heap.leaks()] == [a.address + 0x40]
    assert a


def test_repr(heap):
    kp.Arc.new(1, kp.GFP_KERNEL).drop()
    assert repr(heap) == "Heap(objects=0, allocs=1, frees=1, step=2)"


@kp.struct
class Node:
    n: int
    next: object = None


def chain(depth: int):
    """`head = Arc::new(Node { n, next: head })`, `depth` times."""
    head = None
    for n in range(depth):
        head = kp.Arc.new(Node(n, head), kp.GFP_KERNEL)
    return head


DEEP = 3_000        # each level is several frames: far past Python's recursion limit


def test_a_deep_chain_of_arcs_is_snapshotted_leak_scanned_and_dropped_iteratively(heap):
    head = chain(DEEP)
    heap.check()
    assert heap.leaks() == []
    snap = heap.snapshot()
    assert len(snap.objects) == DEEP
    assert snap.object(head.address).pointers[0].target == head.address - 0x40
    head.drop()
    assert heap.objects() == [] and heap.free_count == DEEP
    heap.check()


def test_nested_destructors_free_the_innermost_object_first_as_rust_does(heap):
    head = chain(3)
    addresses = sorted(o.address for o in heap.objects())      # n = 0, 1, 2
    with kp.record() as rec:
        head.drop()
    freed = [[o.address for o in f.snapshot.objects if o.freed] for f in rec.frames]
    assert freed == [[addresses[0]], [addresses[1]], [addresses[2]]]


def test_a_chain_deeper_than_the_destructor_depth_is_freed_in_a_fixed_order():
    from kernelptr.ownership import DROP_DEPTH

    orders = []
    for _ in range(2):
        with kp.Heap() as heap:
            head = chain(3 * DROP_DEPTH + 5)
            with kp.record() as rec:
                head.drop()
            orders.append([f.event.summary for f in rec.frames])
            assert heap.objects() == [] and len(rec.frames) == 3 * DROP_DEPTH + 5
    assert orders[0] == orders[1]


def test_a_live_object_at_refcount_0_is_an_invariant_violation(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).set(0)
    with pytest.raises(kp.InvariantViolation, match="live at refcount 0"):
        heap.check()
    kp.Arc.refcount_of(a).set(1)


def test_the_event_log_outside_a_recording_is_a_bounded_ring():
    class Small(kp.Heap):
        EVENT_LOG_SIZE = 50

    with Small() as heap:
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        with kp.record() as rec:
            for _ in range(100):
                a.clone().drop()
        assert len(heap.events) == 50 == heap.events.maxlen
        assert [e.step for e in heap.events] == list(range(heap.step - 49, heap.step + 1))
        assert len(rec.frames) == 200           # a recording keeps all of its block's events
    assert kp.Heap().events.maxlen == kp.Heap.EVENT_LOG_SIZE >= 10_000


def test_leaks_finds_a_cycle_through_a_locks_value(heap):
    @kp.struct
    class Owner:
        lock: object

    a = kp.Arc.new(Owner(kp.SpinLock(None, "l")), kp.GFP_KERNEL)
    with a.lock.lock() as guard:
        guard.value = a.clone()         # the object owns a reference to itself
    assert heap.leaks() == []
    address = a.address
    a.drop()
    assert [o.address for o in heap.leaks()] == [address]


def test_leaks_finds_a_cycle_through_nested_containers(heap):
    box = [[[[[[]]]]]]
    a = kp.Arc.new(box, kp.GFP_KERNEL)
    box[0][0][0][0][0].append(a.clone())    # six lists down, the object points at itself
    assert heap.leaks() == []
    address = a.address
    a.drop()
    assert [o.address for o in heap.leaks()] == [address]


def test_objects_made_before_a_reset_are_refused():
    """After kp.reset() the old kernel's objects are refused, never silently modelled on a
    heap nobody looks at; a lock made before would not make the new kernel atomic."""
    old = kp.reset()
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    p = kp.Arc.new(2, kp.GFP_KERNEL).into_raw()
    lock = kp.SpinLock(None, "l")
    q = kp.workqueue.Queue("q")
    new = kp.reset()
    for stale in (a.clone, a.drop, lock.lock, q.step, lambda: kp.Arc.from_raw(p),
                  lambda: q.try_spawn(kp.GFP_KERNEL, lambda: None)):
        with pytest.raises(kp.UseAfterFree, match="kp.reset"):
            stale()
    assert not new.in_atomic() and new.alloc_count == 0 and not lock.is_locked
    old.check()
    new.check()


def test_a_failed_allocation_drops_the_value_it_was_given(heap):
    """`Arc::new(value, flags)` moves `value` in; when the allocation fails Rust drops it:
    the Arc it holds gives its count back, and the value cannot be used again."""
    child = kp.Arc.new(1, kp.GFP_KERNEL)
    node = Node(1, child.clone())
    heap.fail_next_allocs()
    with pytest.raises(kp.AllocError):
        kp.Arc.new(node, kp.GFP_KERNEL)
    assert child.refcount == 1 and heap.alloc_count == 1
    with pytest.raises(kp.UseAfterMove, match="allocation failed"):
        kp.Arc.new(node, kp.GFP_KERNEL)


def test_a_refused_allocation_changes_nothing(heap):
    child = kp.Arc.new(1, kp.GFP_KERNEL)
    node = Node(1, child.clone())
    lock = kp.SpinLock(None, "l")
    with lock.lock(), pytest.raises(kp.SleepInAtomicContext):
        kp.Arc.new(node, kp.GFP_KERNEL)
    assert child.refcount == 2
    assert kp.Arc.new(node, kp.GFP_ATOMIC).next.refcount == 2
