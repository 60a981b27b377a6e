"""List<T, ID>: structure, push/pop/remove, splicing, iteration, dropping (behaviours 35-53)."""

import pytest
from _list_types import Job, Node, filled, job, links_of, ns

import kernelptr as kp


def test_behaviour_35_new_list_is_empty_and_allocates_nothing(heap):
    q = kp.List(Job)
    assert q.first is None and q.is_empty() and heap.alloc_count == 0
    assert kp.layout(kp.List).size == 8


def test_list_needs_list_item_for_its_id(heap):
    with pytest.raises(kp.TraitNotImplemented, match="ListItem<2>"):
        kp.List(Job, id=2)
    with pytest.raises(kp.TraitNotImplemented, match="ListItem<0>"):
        kp.List(int)


def test_behaviour_36_push_consumes_the_list_arc(heap):
    q = kp.List(Job)
    la = job(1)
    q.push_back(la)
    with pytest.raises(kp.UseAfterMove, match="List::push_back"):
        la.n
    lb = job(2)
    q.push_front(lb)
    with pytest.raises(kp.UseAfterMove):
        q.push_back(lb)


def test_behaviour_37_push_never_allocates_even_in_atomic_context(heap):
    q = kp.List(Job)
    items = [job(n) for n in range(4)]
    lock = kp.SpinLock(q, "q_lock")
    before = heap.alloc_count
    with lock.lock() as guard:
        guard.value.push_back(items[0])
        guard.value.push_front(items[1])
        guard.value.push_back(items[2])
        c = guard.value.cursor_front()
        c.insert_next(items[3])
        assert guard.value.pop_back().n == 2
        c = guard.value.cursor_back()
        c.remove_prev().drop()
        guard.value.pop_front().into_arc().drop()
    assert heap.alloc_count == before


def test_behaviour_38_single_element_points_to_itself(heap):
    q = filled([1])
    a = q.first.address
    assert links_of(q.first) == (a, a)


def test_behaviour_39_circular(heap):
    q = filled([1, 2, 3])
    items = [b.address for b in q]
    first, last = q._first, q._first.links[0][0]
    assert first.address == items[0] and last.address == items[-1]
    assert last.links[0][1] is first and first.links[0][0] is last


def test_behaviour_40_push_back_keeps_first_push_front_replaces_it(heap):
    q = filled([1])
    head = q._first
    q.push_back(job(2))
    assert q._first is head
    q.push_front(job(0))
    assert q.first.n == 0


def test_behaviour_41_kernel_doc_order(heap):
    assert ns(filled([1, 2, 3])) == [1, 2, 3]
    q = kp.List(Job)
    for n in (1, 2, 3):
        q.push_front(job(n))
    assert ns(q) == [3, 2, 1]


def test_behaviour_42_pop_empty_none_and_links_nulled(heap):
    q = kp.List(Job)
    assert q.pop_front() is None and q.pop_back() is None
    q = filled([1, 2, 3])
    back = q.pop_back()
    front = q.pop_front()
    assert (front.n, back.n) == (1, 3) and isinstance(back, kp.ListArc)
    assert links_of(front) == (None, None) and links_of(back) == (None, None)
    assert ns(q) == [2]


def test_behaviour_43_removing_only_element_empties(heap):
    q = filled([1])
    q.pop_front()
    assert q.is_empty() and q.first is None


def test_behaviour_44_removing_head_promotes_next(heap):
    q = filled([1, 2, 3])
    head = q.first
    q.remove(head)
    assert q.first.n == 2


def test_behaviour_45_remove_takes_plain_reference(heap):
    q = filled([1, 2, 3])
    middle = list(q)[1]
    a = middle.clone_arc()
    value = a.deref()
    la = q.remove(value)                    # the struct value itself
    assert la.n == 2 and ns(q) == [1, 3]
    assert q.remove(a) is None              # in no list: links are null
    q.push_back(la)
    assert q.remove(a).n == 2               # any handle works
    with pytest.raises(kp.TypeMismatch, match="expected `&Job`"):
        q.remove(kp.Arc.new(Node(1), kp.GFP_KERNEL))


def test_behaviour_46_remove_from_other_list_same_id_is_undefined_behaviour(heap):
    q, r = filled([1, 2]), filled([3])
    x = list(r)[0].clone_arc()
    before = (ns(q), ns(r), heap.alloc_count)
    with pytest.raises(kp.UndefinedBehavior, match="unsafe"):
        q.remove(x)
    assert (ns(q), ns(r), heap.alloc_count) == before
    heap.check()


def test_behaviour_47_links_null_iff_in_no_list(heap):
    la = job(1)
    assert links_of(la) == (None, None)
    q = kp.List(Job)
    q.push_back(la)
    assert None not in links_of(q.first)
    assert links_of(q.pop_front()) == (None, None)
    q.push_back(job(2))
    q._first.links[0][1] = None            # break it behind the model's back
    assert any("half null" in p or "ListLinks<0>" in p for p in heap.problems())
    q._first.links[0][1] = q._first


def test_behaviour_48_two_ids_two_lists_never_two_same_id(heap):
    a, b = kp.ListArc.pair_from_unique(kp.UniqueArc.new(Job(1), kp.GFP_KERNEL))
    q0, q1 = kp.List(Job, id=0), kp.List(Job, id=1)
    q0.push_back(a)
    q1.push_back(b)
    assert ns(q0) == ns(q1) == [1]
    r0 = kp.List(Job, id=0)
    x = q0.first.clone_arc()
    assert kp.ListArc.try_from_arc(x).is_err()      # the list holds ListArc<_, 0>
    with pytest.raises(kp.TypeMismatch, match="expected `ListArc<Job, 0>`, found `ListArc<Job, 1>`"):
        r0.push_back(q1.pop_front())
    snap = heap.snapshot()
    assert snap.object(x.address).holders[0] == "list q0"


def test_behaviour_49_push_all_back(heap):
    for left, right in [([1, 2], [3, 4]), ([], [3]), ([1], []), ([], [])]:
        q, r = filled(left), filled(right)
        before = heap.alloc_count
        q.push_all_back(r)
        assert ns(q) == left + right and r.is_empty() and heap.alloc_count == before
        heap.check()
    with pytest.raises(kp.BorrowError, match="E0499"):
        q.push_all_back(q)
    with pytest.raises(kp.TypeMismatch):
        q.push_all_back(kp.List(Job, id=1))


def test_behaviour_50_iter_borrows_fused_no_len_not_reversible(heap):
    q = filled([1, 2])
    it = iter(q)
    borrows = list(it)
    assert [b.n for b in borrows] == [1, 2] and all(b.kind == "ArcBorrow" for b in borrows)
    assert next(it, None) is None and next(it, None) is None
    assert borrows[0].refcount == 1
    with pytest.raises(kp.TraitNotImplemented):
        len(q)
    with pytest.raises(kp.TraitNotImplemented, match="DoubleEndedIterator"):
        reversed(q)
    assert sum(1 for _ in q) == 2
    q.push_back(job(3))
    with pytest.raises(kp.BorrowError):
        borrows[0].n                       # valid until the list is next changed


def test_behaviour_51_consuming_iteration(heap):
    q = filled([1, 2, 3, 4])
    it = q.into_iter()
    assert it.next_back().n == 4
    assert [la.n for la in it] == [1, 2, 3]
    with pytest.raises(kp.UseAfterMove):
        q.push_back(job(5))


def test_behaviour_52_dropping_list_drops_every_list_arc(heap):
    q = filled([1, 2])
    keep = q.first.clone_arc()
    q.drop()
    assert heap.free_count == 1 and keep.refcount == 1
    assert keep._obj.trackers[0] is False
    with pytest.raises(kp.UseAfterMove):
        q.is_empty()


def test_list_in_struct_is_dropped_with_it(heap):
    @kp.struct
    class Queue:
        items: kp.List

    owner = kp.Arc.new(Queue(kp.List(Job)), kp.GFP_KERNEL)
    owner.items.push_back(job(1))
    with kp.scope():
        pass                                # the list is inside a struct: not dropped here
    assert not owner.items._dropped
    owner.drop()
    assert heap.free_count == 2


def test_list_moved_into_struct_survives_the_scope_that_made_it(heap):
    @kp.struct
    class Queue:
        items: kp.List

    with kp.scope() as s:
        q = filled([1])
        owner = s.keep(kp.Arc.new(Queue(q), kp.GFP_KERNEL))
    assert not q._dropped and q._inside is not None and ns(q) == [1]
    owner.drop()
    assert q._dropped and heap.free_count == 2


def test_scope_drops_lists_made_inside(heap):
    with kp.scope():
        q = filled([1, 2])
    assert q._dropped and heap.free_count == 2


def test_behaviour_53_borrowed_list_mutation_ends_iterator(heap):
    q = filled([1, 2])
    it = iter(q)
    next(it)
    q.pop_back()
    with pytest.raises(kp.BorrowError, match="E0502"):
        next(it)
    c = q.cursor_front()
    q.push_back(job(3))
    with pytest.raises(kp.BorrowError, match="E0499"):
        c.move_next()


def test_zero_allocations_during_list_operations(heap):
    q, r = filled([1, 2, 3]), filled([4])
    spare = [job(n) for n in (5, 6, 7)]
    before = heap.alloc_count
    q.push_front(spare[0])
    q.push_back(spare[1])
    q.push_all_back(r)
    list(q)
    q.remove(q.first).drop()
    c = q.cursor_back()
    c.move_prev()
    c.insert_next(spare[2])
    c.remove_prev()
    q.pop_back()
    q.pop_front()
    assert heap.alloc_count == before


def test_events_and_labels(heap):
    q = filled([1])
    ops = [e.op for e in heap.events]
    assert "List::new" in ops and "List::push_back" in ops
    q.pop_front()
    assert heap.events[-1].op == "List::pop_front"
    assert "unlinked" in heap.events[-1].summary
    assert repr(q) == "List<Job, 0>[]"


def test_misuse_leaves_heap_consistent(heap):
    q = filled([1])
    misuses = [lambda: q.push_back(kp.Arc.new(Job(1), kp.GFP_KERNEL)),
               lambda: q.push_back(job(1, id=1)),
               lambda: q.push_back(job(1, T=Node)),
               lambda: q.remove(3), lambda: bool(q)]
    for m in misuses:
        with pytest.raises(kp.KernelPtrError):
            m()
        heap.check()


def test_into_iter_moves_the_list_in_an_event(heap):
    q = filled([1, 2])
    with kp.record() as rec:
        it = q.into_iter()
    assert [f.event.op for f in rec.frames] == ["List::into_iter"]
    assert rec.frames[0].snapshot.lists == () or rec.frames[0].snapshot.lists[0].dropped
    assert [la.n for la in it] == [1, 2]


@pytest.mark.parametrize("bad", [True, 1.0, -1, "0", None, 2**64])
def test_a_list_id_is_a_u64_constant(heap, bad):
    u = kp.UniqueArc.new(Job(1), kp.GFP_KERNEL)
    for refused in (lambda: kp.List(Job, id=bad),
                    lambda: kp.ListArc.new(Job(2), kp.GFP_KERNEL, id=bad),
                    lambda: kp.ListArc.from_unique(u, id=bad),
                    lambda: kp.ListArc.pair_from_unique(u, ids=(0, bad)),
                    lambda: kp.impl_list_item(Job, id=bad, using="links0")):
        with pytest.raises(kp.TypeMismatch, match="u64"):
            refused()
    assert u.is_live() and heap.alloc_count == 1


def test_layout_of_the_link_fields_is_two_or_three_pointers():
    """Kernel-api §1.4: `ListLinks<ID>` holds `next` and `prev` (16 bytes) and
    `ListLinksSelfPtr<T, ID>` adds the pointer back to the value (24 bytes); asked of the
    field type itself, `kp.layout` says the same as a struct holding it does."""
    assert kp.layout(kp.ListLinks[0]).size == 16
    assert kp.layout(kp.ListLinks).size == 16
    assert kp.layout(kp.ListLinksSelfPtr[1]).size == 24
    assert kp.layout(kp.AtomicTracker[0]) == kp.Layout("AtomicTracker<0>", 1, 1)
    from kernelptr import workqueue as wq
    assert kp.layout(wq.Work).size == kp.layout(wq.Work[0]).size   # a field type without IDs
