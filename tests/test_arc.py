"""The kernel's Arc (kernelptr/arc.py): behaviours 1-10 of the reference."""

import pytest

import kernelptr as kp


@kp.struct
class Job:
    name: str
    prio: int = 0


def test_new_starts_at_one_behaviour_1(heap):
    """Behaviour 1: Arc.new creates count 1."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    assert a.refcount == 1
    assert heap.alloc_count == 1
    assert a.address == 0xFFFF_8880_0000_1000


def test_new_allocation_failure_creates_nothing_behaviour_1(heap):
    """Behaviour 1: on an injected allocation failure, AllocError and nothing is created."""
    heap.fail_next_allocs(1)
    with pytest.raises(kp.AllocError, match="allocation with GFP_KERNEL failed"):
        kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    assert heap.alloc_count == 0 and heap.objects() == []
    heap.check()
    a = kp.Arc.new(Job("b"), kp.GFP_KERNEL)     # only the next allocation failed
    assert a.refcount == 1


def test_addresses_are_stable_and_deterministic():
    """Two fresh heaps doing the same things give the same addresses."""
    def run():
        with kp.Heap():
            xs = [kp.Arc.new(i, kp.GFP_KERNEL) for i in range(3)]
            return [x.address for x in xs]
    assert run() == run() == [0xFFFF888000001000, 0xFFFF888000001040, 0xFFFF888000001080]


def test_clone_adds_exactly_one_and_allocates_nothing_behaviour_2(heap):
    """Behaviour 2: clone adds exactly 1, cannot fail, allocates nothing."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    heap.fail_next_allocs(5)
    b = a.clone()
    assert a.refcount == b.refcount == 2
    assert heap.alloc_count == 1
    heap.fail_next_allocs(0)


def test_drop_to_zero_runs_destructor_once_and_frees_behaviour_3(heap):
    """Behaviour 3: the last drop runs the destructor once and frees; later use is flagged."""
    dropped = []

    @kp.struct
    class Noisy:
        n: int

        def drop(self):
            dropped.append(self.n)

    a = kp.Arc.new(Noisy(7), kp.GFP_KERNEL)
    b = a.clone()
    a.drop()
    assert dropped == [] and b.refcount == 1
    b.drop()
    assert dropped == [7]
    assert heap.free_count == 1
    with pytest.raises(kp.UseAfterMove, match="E0382"):
        b.clone()


def test_destructor_runs_in_the_droppers_context_behaviour_4(heap):
    """Behaviour 4: the destructor runs where the last reference is dropped, even in a lock."""
    seen = []

    @kp.struct
    class Probe:
        def drop(self):
            seen.append(heap.in_atomic())

    a = kp.Arc.new(Probe(), kp.GFP_KERNEL)
    lock = kp.SpinLock(None, "big_lock")
    with lock.lock():
        a.drop()
    assert seen == [True]
    assert "atomic context" in heap.events[-2].summary


def test_no_weak_references_no_get_mut_no_assignment_behaviour_5(heap):
    """Behaviour 5: no downgrade, no get_mut; assigning through an Arc raises (E0594)."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    for name in ("downgrade", "get_mut", "weak_count"):
        with pytest.raises(AttributeError):
            getattr(a, name)
    with pytest.raises(kp.MutabilityError, match="E0594") as err:
        a.name = "b"
    assert "DerefMut" in str(err.value) and "fix" in str(err.value)
    with pytest.raises(kp.MutabilityError):
        a.deref().prio = 3
    assert a.name == "a" and a.prio == 0


def test_ptr_eq_is_identity_not_equality_behaviour_6(heap):
    """Behaviour 6: ptr_eq compares allocations, not values."""
    a = kp.Arc.new(5, kp.GFP_KERNEL)
    b = kp.Arc.new(5, kp.GFP_KERNEL)
    c = a.clone()
    assert a.deref() == b.deref()
    assert not kp.Arc.ptr_eq(a, b)
    assert kp.Arc.ptr_eq(a, c)


def test_into_raw_keeps_count_and_gives_data_address_behaviour_7(heap):
    """Behaviour 7: into_raw keeps the count, returns the data address; from_raw adopts it."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    address = a.address
    p = a.into_raw()
    assert p.address == address + 8            # ArcInner<Job>: 4-byte count padded to 8
    assert heap.object_at(address).refcount.read() == 1
    heap.check()                               # the raw pointer owns the count
    b = kp.Arc.from_raw(p)
    assert b.refcount == 1 and b.address == address


def test_second_from_raw_is_a_double_free_behaviour_7(heap):
    """Behaviour 7: from_raw twice for one into_raw is detected as a double free."""
    p = kp.Arc.new(Job("a"), kp.GFP_KERNEL).into_raw()
    b = kp.Arc.from_raw(p)
    with pytest.raises(kp.UndefinedBehavior, match="double free"):
        kp.Arc.from_raw(p)
    assert b.refcount == 1
    heap.check()


def test_from_raw_of_as_ptr_steals_a_count(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    p = kp.Arc.as_ptr(a)
    assert p.address == a.address + 8
    with pytest.raises(kp.UndefinedBehavior, match="as_ptr"):
        kp.Arc.from_raw(p)
    assert a.refcount == 1


def test_into_foreign_hands_out_the_arcinner_address_behaviour_8(heap):
    """Behaviour 8: into_foreign gives the ArcInner address, unlike into_raw's data address."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    b = a.clone()
    foreign = a.into_foreign()
    raw = b.into_raw()
    assert foreign.address == foreign.target
    assert raw.address == raw.target + 8
    borrowed = kp.Arc.borrow(foreign)
    assert borrowed.name == "a" and heap.object_at(foreign.target).refcount.read() == 2
    with pytest.raises(kp.UndefinedBehavior, match="into_foreign"):
        kp.Arc.from_raw(foreign)
    c = kp.Arc.from_foreign(foreign)
    d = kp.Arc.from_raw(raw)
    assert c.refcount == 2
    with pytest.raises(kp.BorrowError):
        borrowed.name
    c.drop()
    d.drop()


def test_into_unique_or_drop_unique_case_behaviour_9(heap):
    """Behaviour 9: with count 1 it returns a UniqueArc and the count is 1 again."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    u = kp.Arc.into_unique_or_drop(a)
    assert isinstance(u, kp.UniqueArc)
    assert u.refcount == 1
    u.prio = 9                                   # unique again: mutable
    assert u.prio == 9
    assert heap.free_count == 0


def test_into_unique_or_drop_shared_case_behaviour_9(heap):
    """Behaviour 9: with count > 1 it returns None, count -1, destructor not run."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    b = a.clone()
    assert kp.Arc.into_unique_or_drop(a) is None
    assert b.refcount == 1 and heap.free_count == 0
    with pytest.raises(kp.UseAfterMove):
        a.refcount


@pytest.mark.parametrize("first", [0, 1])
def test_last_two_holders_exactly_one_gets_unique_behaviour_10(heap, first):
    """Behaviour 10: of the holders of the last two references, exactly one gets the
    UniqueArc, whichever goes first."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    holders = [a, a.clone()]
    results = [kp.Arc.into_unique_or_drop(holders[first]),
               kp.Arc.into_unique_or_drop(holders[1 - first])]
    assert results[0] is None
    assert isinstance(results[1], kp.UniqueArc) and results[1].refcount == 1


def test_from_borrow_adds_one(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    b = kp.Arc.from_borrow(a.as_arc_borrow())
    assert a.refcount == 2 and kp.Arc.ptr_eq(a, b)


def test_refcount_of_saturated_object_is_never_freed_behaviour_17(heap):
    """Behaviour 17 through Arc: a saturated object is leaked, never freed."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)
    b = a.clone()
    assert a.refcount == kp.REFCOUNT_SATURATED
    a.drop()
    b.drop()
    assert heap.free_count == 0
    assert [o.address for o in heap.leaks()] == [0xFFFF_8880_0000_1000]
    assert heap.leaks()[0].saturated
    assert heap.warnings[0] == "refcount_t: saturated; leaking memory."


def test_wrong_argument_type_is_a_type_mismatch(heap):
    with pytest.raises(kp.TypeMismatch, match="E0308"):
        kp.Arc.from_unique(kp.Arc.new(1, kp.GFP_KERNEL))
    with pytest.raises(kp.TypeMismatch, match="Flags"):
        kp.Arc.new(1, "GFP_KERNEL")


def test_repr_has_no_python_ids(heap):
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    assert repr(a) == "Arc<Job>(@0xffff888000001000, refcount=1)"
    a.drop()
    assert repr(a) == "Arc<Job>(dropped)"
