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
    c = t.cursor_lower_bound_mut(2)
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
    c = t.cursor_front_mut()
    t.get(1)                                      # even a shared use ends a &mut borrow
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


# -- the rest of the RBTree API (rust/kernel/rbtree.rs, Rust-for-Linux rust-next) -----------
def test_cursor_mut_remove_prev_and_remove_next(heap):
    """`CursorMut::remove_prev`/`remove_next`: unlink a neighbour, return its node, keep the
    cursor on its node; None at the ends (the kernel's doc example)."""
    t = _tree(10, 20, 30)
    c = t.cursor_front_mut()
    assert c.remove_prev() is None
    c = t.cursor_back_mut()
    assert c.remove_prev().to_key_value() == (20, "v20")
    assert c.current() == (30, "v30") and c.remove_next() is None
    c = c.move_prev()
    assert c.current() == (10, "v10")
    assert c.remove_next().to_key_value() == (30, "v30")
    assert t.keys() == [10]
    heap.check()
    t.drop()
    assert heap.alloc_count == heap.free_count


def test_cursor_mut_current_mut_and_peek_mut_assign_values(heap):
    """`current_mut`, `peek_next_mut`, `peek_prev_mut`: (key, `&mut V`); assigning drops the
    old value; a `&mut V` ends at the next use of the cursor (E0499)."""
    t = _tree(1, 2, 3)
    a = kp.Arc.new("payload", kp.GFP_KERNEL)
    keep = a.clone()
    c = t.cursor_lower_bound_mut(2)
    k, v = c.current_mut()
    assert k == 2 and v.value == "v2" and repr(v) == "&mut 'v2'"
    v.value = a                                   # the Arc moves into the node
    assert not a.is_live() and keep.refcount == 2
    nk, nv = c.peek_next_mut()
    pk, pv = c.peek_prev_mut()
    assert (nk, pk) == (3, 1)
    with pytest.raises(kp.BorrowError, match="E0499"):
        nv.value = "x"                            # ended by peek_prev_mut
    pv.value = "one"
    assert c.peek_prev() == (1, "one") and c.peek_next() == (3, "v3")
    k, v = c.current_mut()
    v.value = "two"                               # the Arc value is dropped
    assert keep.refcount == 1
    assert t.iter() == [(1, "one"), (2, "two"), (3, "v3")]
    heap.check()
    t.drop()
    keep.drop()


def test_rbtree_get_mut(heap):
    """`get_mut(&key) -> Option<&mut V>`: `*tree.get_mut(&30).unwrap() = 3000`."""
    t = _tree(10, 30)
    t.get_mut(30).value = 3000
    assert t.get(30) == 3000 and t.get_mut(99) is None
    t.drop()


def test_rbtree_entry_vacant_insert_with_reservation_never_allocates(heap):
    """`entry(key)`: `Vacant(VacantEntry)` inserts with a reservation made earlier, so it
    never allocates (fine under a spinlock); `Occupied(OccupiedEntry)` gives the node."""
    t = _tree(1)
    r = kp.RBTreeNodeReservation.new(kp.GFP_KERNEL)
    allocs = heap.alloc_count
    with kp.SpinLock(None, "tree_lock").lock():
        match t.entry(2):
            case kp.rbtree.Vacant(e):
                v = e.insert("two", r)
            case kp.rbtree.Occupied(_):
                raise AssertionError("2 is not in the tree yet")
        assert v.value == "two" and not r.is_live()
        match t.entry(1):
            case kp.rbtree.Occupied(e):
                assert e.key == 1 and e.get() == "v1"
                e.get_mut().value = "uno"
    assert heap.alloc_count == allocs and t.iter() == [(1, "uno"), (2, "two")]
    e = t.entry(3).entry
    with pytest.raises(kp.TypeMismatch, match="RBTreeNodeReservation"):
        e.insert("three", "not a reservation")
    assert t.keys() == [1, 2]
    heap.check()
    t.drop()


def test_rbtree_find_mut_and_occupied_entry_remove(heap):
    """`find_mut(&key) -> Option<OccupiedEntry>`; `OccupiedEntry::{into_mut, remove_node,
    remove}` consume the entry."""
    t = _tree(1, 2, 3)
    assert t.find_mut(9) is None
    e = t.find_mut(2)
    assert e.remove() == "v2"
    with pytest.raises(kp.UseAfterMove):
        e.get()
    node = t.find_mut(3).remove_node()
    assert isinstance(node, kp.RBTreeNode) and t.keys() == [1]
    t.find_mut(1).into_mut().value = "one"
    assert t.get(1) == "one"
    node.drop()
    t.drop()
    assert heap.alloc_count == heap.free_count


def test_rbtree_cursor_is_read_only_and_a_shared_borrow(heap):
    """`Cursor` (from `cursor_front`, `cursor_back`, `cursor_lower_bound`): current and peeks
    only, no moves (E0599); shared cursors coexist; changing the tree ends them (E0502)."""
    t = _tree(10, 20, 30)
    front, back = t.cursor_front(), t.cursor_back()
    assert isinstance(front, kp.rbtree.Cursor) and not isinstance(front, kp.CursorMut)
    assert front.current() == (10, "v10") and back.current() == (30, "v30")
    assert front.peek_prev() is None and back.peek_next() is None
    assert t.get(20) == "v20" and front.peek_next() == (20, "v20")   # shared uses coexist
    for name in ("move_next", "remove_current", "current_mut"):
        with pytest.raises(kp.NoSuchField, match="E0599.*"):
            getattr(front, name)
    assert not hasattr(front, "remove_next")
    t.try_create_and_insert(40, "v40", kp.GFP_KERNEL)
    with pytest.raises(kp.BorrowError, match="E0502"):
        front.current()
    c = t.cursor_back()
    t.cursor_front_mut()                          # a &mut borrow ends the shared cursor
    with pytest.raises(kp.BorrowError, match="E0502"):
        c.current()
    assert kp.RBTree().cursor_front() is None and kp.RBTree().cursor_back_mut() is None
    t.drop()


def test_rbtree_cursor_lower_bound_is_the_key_or_the_next_larger(heap):
    """behaviour 66, as `find_best_match` in current rbtree.rs: the key if present, else the
    smallest larger key, else None; `cursor_lower_bound` is read-only, `_mut` is a
    CursorMut on the same node."""
    t = _tree(10, 20, 30, 40, 50)
    assert t.cursor_lower_bound(20).current() == (20, "v20")
    assert t.cursor_lower_bound(25).current() == (30, "v30")
    assert t.cursor_lower_bound(5).current() == (10, "v10")
    assert t.cursor_lower_bound(55) is None
    c = t.cursor_lower_bound_mut(25)
    assert isinstance(c, kp.CursorMut) and c.current() == (30, "v30")
    assert t.cursor_lower_bound_mut(51) is None
    t.drop()


def test_scope_drops_rbtree(heap):
    """`kp.scope()` drops a tree created inside it, like a Rust block: every node is freed
    (a tree stored in a struct is dropped with the struct instead)."""
    @kp.struct
    class Index:
        tree: object

    with kp.scope():
        t = _tree(1, 2, 3)
        kept = kp.Arc.new(Index(_tree(4)), kp.GFP_KERNEL)
    assert t._dropped and kept.state == "dropped"
    assert all(o.kind != "RBNode" for o in heap.objects())
    assert heap.alloc_count == heap.free_count
    with pytest.raises(kp.UseAfterMove):
        t.get(1)
    heap.check()


def test_rbtree_try_create_and_insert_checks_the_key_before_allocating(heap):
    """A key the tree cannot take (another type than K, or not Ord) is refused before the
    node is allocated: a refused insert changes nothing."""
    t = _tree(1, 2)
    allocs, events = heap.alloc_count, len(heap.events)
    with pytest.raises(kp.TypeMismatch, match="E0308"):
        t.try_create_and_insert("x", "v", kp.GFP_KERNEL)
    with pytest.raises(kp.TypeMismatch, match="E0308"):
        t.try_create_and_insert(True, "v", kp.GFP_KERNEL)          # bool is not i64
    assert heap.alloc_count == allocs and len(heap.events) == events
    assert t.keys() == [1, 2] and heap.leaks() == []
    heap.check()
    t.drop()


@pytest.mark.parametrize("key", [1.5, float("nan"), 1j, {}, object()])
def test_rbtree_unorderable_keys_are_e0277_changing_nothing(heap, key):
    """`RBTree<K, V>` needs `K: Ord`: floats (only PartialOrd) and values Python cannot
    order are refused (E0277) by every operation, before anything happens."""
    t = kp.RBTree()
    for call in (lambda: t.try_create_and_insert(key, "v", kp.GFP_KERNEL),
                 lambda: t.get(key), lambda: t.entry(key), lambda: t.remove(key),
                 lambda: t.cursor_lower_bound(key)):
        with pytest.raises(kp.TraitNotImplemented, match="Ord"):
            call()
    n = kp.RBTreeNode.new(key, "v", kp.GFP_KERNEL)
    with pytest.raises(kp.TraitNotImplemented, match="E0277"):
        t.insert(n)
    assert n.is_live() and t.is_empty() and heap.alloc_count == 1
    n.drop()
    t.drop()


def test_rbtree_entry_refused_key_changes_nothing(heap):
    t = _tree(1)
    c = t.cursor_front_mut()
    with pytest.raises(kp.TypeMismatch):
        t.entry("one")
    assert c.current() == (1, "v1")               # the refused call borrowed nothing
    t.drop()
