"""`kp.RBTree`: allocate-then-insert, removal, ordered iteration and cursors (62-67)."""

import pytest

import kernelptr as kp


def _tree(*keys):
    t = kp.RBTree()
    for k in keys:
        t.try_create_and_insert(k, f"v{k}", kp.GFP_KERNEL)
    return t


def test_behaviour_62_try_create_and_insert_fails_only_by_allocation(heap):
    """behaviour 62: returns the replaced node when the key existed, else None."""
    t = kp.RBTree()
    assert t.try_create_and_insert(1, "a", kp.GFP_KERNEL) is None
    old = t.try_create_and_insert(1, "b", kp.GFP_KERNEL)
    assert old.to_key_value() == (1, "a") and t.get(1) == "b"
    heap.fail_next_allocs()
    allocs = heap.alloc_count
    with pytest.raises(kp.AllocError):
        t.try_create_and_insert(2, "c", kp.GFP_KERNEL)
    assert t.keys() == [1] and heap.alloc_count == allocs
    heap.check()
    t.drop()


def test_behaviour_63_insert_never_allocates_and_returns_old_node(heap):
    """behaviour 63: insert under a spinlock; replacing a key returns the old node."""
    t = _tree(1)
    n1 = kp.RBTreeNode.new(1, "new", kp.GFP_KERNEL)
    n2 = kp.RBTreeNode.new(2, "two", kp.GFP_KERNEL)
    allocs = heap.alloc_count
    lock = kp.SpinLock(None, "tree_lock")
    with lock.lock():
        old = t.insert(n1)
        assert t.insert(n2) is None
        with pytest.raises(kp.SleepInAtomicContext):    # allocating here would be a bug
            t.try_create_and_insert(3, "x", kp.GFP_KERNEL)
    assert heap.alloc_count == allocs
    assert old.key == 1 and old.to_key_value() == (1, "v1")
    assert t.iter() == [(1, "new"), (2, "two")]
    with pytest.raises(kp.UseAfterMove):
        t.insert(n1)
    t.drop()


def test_behaviour_64_reservation_is_memory_only(heap):
    """behaviour 64: into_node is infallible and allocation-free; into_reservation keeps memory."""
    r = kp.RBTreeNodeReservation.new(kp.GFP_KERNEL)
    assert heap.snapshot().object(r.address).uninit
    heap.fail_next_allocs(5)                 # nothing below allocates
    lock = kp.SpinLock(None, "l")
    t = kp.RBTree()
    with lock.lock():
        node = r.into_node(7, "seven")
        t.insert(node)
    heap.fail_next_allocs(0)
    node = t.remove_node(7)
    addr = node.address
    a = kp.Arc.new("payload", kp.GFP_KERNEL)
    node2 = node.into_reservation().into_node(8, a)
    assert node2.address == addr and not a.is_live()
    r2 = node2.into_reservation()            # drops the Arc value in place
    assert heap.object_at(a.address).freed
    r2.drop()
    t.drop()
    assert heap.alloc_count == heap.free_count


def test_behaviour_65_remove_and_remove_node(heap):
    """behaviour 65: remove -> value or None; remove_node -> node or None."""
    t = _tree(3, 1, 2)
    assert t.remove(2) == "v2" and t.remove(2) is None
    node = t.remove_node(1)
    assert isinstance(node, kp.RBTreeNode) and t.remove_node(1) is None
    assert t.keys() == [3]
    node.drop()
    t.drop()
    assert heap.alloc_count == heap.free_count


def test_behaviour_66_ascending_iteration_and_lower_bound(heap):
    """behaviour 66: iteration ascending; cursor_lower_bound lands on k or the next larger."""
    t = _tree(30, 10, 20)
    assert t.keys() == [10, 20, 30] and [k for k, _ in t] == [10, 20, 30]
    assert t.cursor_lower_bound(20).current() == (20, "v20")
    assert t.cursor_lower_bound(11).current() == (20, "v20")
    assert t.cursor_lower_bound(31) is None
    assert kp.RBTree().cursor_lower_bound(0) is None
    t.drop()


def test_behaviour_67_cursor_moves_consume_and_remove_current(heap):
    """behaviour 67: move_next consumes; None past the end; remove_current -> (next|prev, node)."""
    t = _tree(1, 2, 3)
    c = t.cursor_front_mut()
    c2 = c.move_next()
    with pytest.raises(kp.UseAfterMove):
        c.current()
    assert c2.current() == (2, "v2") and c2.peek_next() == (3, "v3")
    assert c2.move_next().move_next() is None
    c = t.cursor_lower_bound(2)
    nxt, node = c.remove_current()
    assert nxt.current() == (3, "v3") and node.to_key_value() == (2, "v2")
    prev, node = nxt.remove_current()
    assert prev.current() == (1, "v1")
    node.drop()
    none, node = prev.remove_current()
    assert none is None and t.is_empty()
    node.drop()
    assert t.cursor_back_mut() is None


def test_cursor_is_a_mutable_borrow(heap):
    t = _tree(1, 2)
    c = t.cursor_front_mut()
    t.try_create_and_insert(3, "v3", kp.GFP_KERNEL)
    with pytest.raises(kp.BorrowError, match="E0499"):
        c.current()
    t.drop()


def test_tree_owns_values_and_drop_frees_everything(heap):
    t = kp.RBTree()
    a = kp.Arc.new("job", kp.GFP_KERNEL)
    keep = a.clone()
    t.try_create_and_insert(1, a, kp.GFP_KERNEL)
    assert not a.is_live() and keep.refcount == 2
    heap.check()
    snap = heap.snapshot()
    node = [o for o in snap.objects if o.kind == "RBNode"][0]
    assert node.pointers[0].target == keep.address
    t.drop()
    assert keep.refcount == 1
    with pytest.raises(kp.UseAfterMove):
        t.get(1)
    keep.drop()


def test_scope_frees_unused_reservation(heap):
    with kp.scope():
        r = kp.RBTreeNodeReservation.new(kp.GFP_KERNEL)
    assert r.state == "dropped"
    assert heap.alloc_count == heap.free_count == 1


def test_insert_wrong_type(heap):
    with pytest.raises(kp.TypeMismatch):
        kp.RBTree().insert(("k", "v"))
