"""ListArc<T, ID>: construction, tracking and conversions (behaviours 23-34)."""

import pytest
from _list_types import Job, Node, job

import kernelptr as kp


def test_behaviour_23_from_unique_always_works_and_sets_tracker(heap):
    u = kp.UniqueArc.new(Job(1), kp.GFP_KERNEL)
    la = kp.ListArc.from_unique(u)
    assert la._obj.trackers == {0: True, 1: False}
    assert la.id == 0 and la.type_str() == "ListArc<Job, 0>"
    with pytest.raises(kp.UseAfterMove):
        u.n
    n = kp.ListArc.from_unique(kp.UniqueArc.new(Node(2), kp.GFP_KERNEL))   # untracked too
    assert n.n == 2


def test_behaviour_24_new_fails_only_by_allocation(heap):
    heap.fail_next_allocs(1)
    with pytest.raises(kp.AllocError):
        kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    assert heap.alloc_count == 0
    la = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    assert la._obj.refcount.read() == 1


def test_behaviour_25_not_clone_but_clone_arc(heap):
    la = job(1)
    with pytest.raises(kp.NotClone, match="E0599"):
        la.clone()
    a = la.clone_arc()
    assert isinstance(a, kp.Arc) and a.refcount == 2 and la.is_live()


def test_behaviour_26_try_from_arc_succeeds_iff_none_exists(heap):
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    b = a.clone()
    r = kp.ListArc.try_from_arc(a)
    assert r.is_ok()
    match r:
        case kp.Ok(la):
            assert la.type_str() == "ListArc<Job, 0>"
    r2 = kp.ListArc.try_from_arc(b)
    assert r2.is_err() and r2.value is b and b.is_live() and b.refcount == 2
    with pytest.raises(kp.Panic, match="called `Result::unwrap\\(\\)` on an `Err` value"):
        r2.unwrap()
    r3 = kp.ListArc.try_from_arc(b, id=1)       # another ID is independent
    assert r3.is_ok()
    assert repr(kp.Ok(1)) == "Ok(1)"


def test_behaviour_27_untracked_has_no_try_from_arc(heap):
    a = kp.Arc.new(Node(1), kp.GFP_KERNEL)
    with pytest.raises(kp.TraitNotImplemented, match="TryNewListArc"):
        kp.ListArc.try_from_arc(a)
    with pytest.raises(kp.TraitNotImplemented, match="TryNewListArc"):
        kp.ListArc.try_from_arc_borrow(a.as_arc_borrow())
    assert a.is_live() and a.refcount == 1


def test_behaviour_28_try_from_arc_borrow(heap):
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    la = kp.ListArc.try_from_arc_borrow(a.as_arc_borrow())
    assert la is not None and a.refcount == 2
    assert kp.ListArc.try_from_arc_borrow(a.as_arc_borrow()) is None
    assert a.refcount == 2


def test_behaviour_29_try_from_arc_or_drop(heap):
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    la = kp.ListArc.try_from_arc_or_drop(a)            # success
    b = la.clone_arc()
    assert kp.ListArc.try_from_arc_or_drop(b) is None  # failed, not last: count released
    assert la._obj.refcount.read() == 1 and heap.free_count == 0
    p = la.into_raw()                                  # tracker stays set
    last = kp.Arc.from_raw(p)                          # a plain Arc, the only reference
    la2 = kp.ListArc.try_from_arc_or_drop(last)        # failed, but last: recovered
    assert la2 is not None and la2._obj.refcount.read() == 1 and heap.free_count == 0


def test_behaviour_30_drop_resets_tracker_before_decrement(heap):
    la = job(1)
    obj = la._obj
    seen = []
    touch = obj.refcount._on_change

    def spy():                      # runs when the count changes
        seen.append(obj.trackers[0])
        touch()

    obj.refcount._on_change = spy
    la.drop()
    assert seen and seen[0] is False and obj.freed


def test_behaviour_31_into_arc_resets_into_raw_keeps(heap):
    la = job(1)
    a = la.into_arc()
    assert a._obj.trackers[0] is False and a.refcount == 1
    la2 = kp.ListArc.try_from_arc(a).unwrap()
    p = la2.into_raw()
    assert p._obj.trackers[0] is True and p._obj.refcount.read() == 1
    with pytest.raises(kp.UndefinedBehavior):
        kp.ListArc.from_raw(p, id=1)
    la3 = kp.ListArc.from_raw(p)
    assert la3.is_live() and la3.refcount == 1


def test_behaviour_32_pair_from_unique(heap):
    u = kp.UniqueArc.new(Job(1), kp.GFP_KERNEL)
    with pytest.raises(kp.BuildError, match="build_assert"):
        kp.ListArc.pair_from_unique(u, ids=(0, 0))
    assert u.is_live()                                 # nothing consumed
    a, b = kp.ListArc.pair_from_unique(u, ids=(0, 1))
    assert (a.id, b.id, a.refcount) == (0, 1, 2)
    assert a._obj.trackers == {0: True, 1: True}


def test_behaviour_33_tracker_may_say_exists_when_none_does(heap):
    la = job(1)
    p = la.into_raw()
    a = kp.Arc.from_raw(p)          # a plain Arc again, tracker still "exists"
    assert a._obj.trackers[0] is True
    assert kp.ListArc.try_from_arc(a).is_err()       # harmless: just fails
    heap.check()                                      # the reverse would be reported
    la2 = kp.ListArc.new(Job(2), kp.GFP_KERNEL)
    la2._obj.trackers[0] = False                      # break it on purpose
    assert any("AtomicTracker" in p for p in heap.problems())
    la2._obj.trackers[0] = True


def test_behaviour_34_list_arc_to_dyn_needs_list_arc_safe_supertrait(heap):
    """Behaviour 34: ListArc<T, 0> -> ListArc<dyn Trait, 0> only if dyn Trait: ListArcSafe<0>;
    refused (E0277) without the supertrait, and the ListArc is left as it was."""
    class Plain(kp.Trait):
        def run(self: "kp.ArcBorrow[Self]"): ...

    @kp.impl_list_arc_safe(id=0, untracked=True)
    @kp.impl_trait(Plain)
    @kp.struct
    class Pong:
        def run(self: "kp.ArcBorrow[Self]"):
            return "ping"

    la = kp.ListArc.new(Pong(), kp.GFP_KERNEL)
    with pytest.raises(kp.TraitNotImplemented, match="dyn Plain: ListArcSafe<0>"):
        la.into_dyn(Plain)
    assert la.is_live() and la.type_str() == "ListArc<Pong, 0>"


def test_behaviour_34_list_arc_unsizes_to_dyn_and_self_ptr_records_vtable(heap):
    class Run(kp.Trait, list_arc_safe=(0,)):
        def run(self: "kp.ArcBorrow[Self]"): ...

    @kp.impl_list_item(id=0, using="links")
    @kp.impl_list_arc_safe(id=0, untracked=True)
    @kp.impl_trait(Run)
    @kp.struct
    class Ping:
        links: kp.ListLinksSelfPtr[0]

        def run(self: "kp.ArcBorrow[Self]"):
            return "pong"

    la = kp.ListArc.new(Ping(), kp.GFP_KERNEL).into_dyn(Run)
    assert la.type_str() == "ListArc<dyn Run, 0>" and la._obj.listarc[0] is la
    q = kp.List(Ping)
    q.push_back(la)
    obj = q._first
    data, vtable = obj.self_ptrs[0]
    assert data == obj.data_address and vtable == la._vtable.address


def test_at_most_one_list_arc_whatever_the_learner_tries(heap):
    la = job(1)
    a = la.clone_arc()
    attempts = [lambda: kp.ListArc.try_from_arc(a.clone()).unwrap(),
                lambda: kp.ListArc.try_from_arc_borrow(a.as_arc_borrow()) or 1 / 0,
                lambda: kp.ListArc.from_unique(a), la.clone,
                lambda: kp.ListArc.from_raw(kp.Arc.as_ptr(a))]
    for attempt in attempts:
        with pytest.raises((kp.KernelPtrError, ZeroDivisionError)):
            attempt()
    live = [h for h in heap.handles() if isinstance(h, kp.ListArc) and h.is_live()]
    assert live == [la]


def test_wrong_trait_registration_errors(heap):
    with pytest.raises(kp.TraitNotImplemented, match="ListArcSafe<1>"):
        kp.ListArc.new(Node(1), kp.GFP_KERNEL, id=1)
    with pytest.raises(kp.BuildError, match="E0119"):
        kp.impl_list_arc_safe(Node, id=0, untracked=True)
    with pytest.raises(kp.BuildError):
        kp.impl_list_arc_safe(Node, id=2)
    with pytest.raises(kp.TypeMismatch, match="ListLinks<1>"):
        kp.impl_list_item(Node, id=1, using="links")
    with pytest.raises(kp.BuildError):
        kp.impl_list_item(Node, id=3, using="n")
    assert kp.ListLinks[0] is kp.ListLinks[0] and kp.AtomicTracker[1] is kp.AtomicTracker[1]
    assert Node.__dict__["_kp_list_item"] == {0: "links"}


def test_fields_read_through_and_snapshot_holder_labels(heap):
    la = job(7)
    assert repr(la.links0) == "ListLinks<0>{prev: null, next: null}"
    assert repr(la.t0) == "AtomicTracker<0>(true)"
    snap = heap.snapshot()
    assert snap.object(la.address).holders == {0: "la"}
    assert snap.handle("la").type_str == "ListArc<Job, 0>"
    q = kp.List(Job)
    q.push_back(la)
    snap = heap.snapshot()
    o = snap.object(q._first.address)
    assert o.holders == {0: "list q"} and o.links[0] == (o.address, o.address)
    assert o.trackers == {0: True, 1: False}
    assert snap.list("q").items == (o.address,)
    q.drop()


def test_a_forgotten_list_arc_is_a_leak_with_its_tracker_still_set(heap):
    """A ListArc Python forgets is core::mem::forget: its count stays, the tracker still says
    "exists" (allowed: behaviour 33), nothing holds it, and heap.leaks() reports the object."""
    import gc

    la = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    address = la.address
    del la
    gc.collect()
    heap.check()
    snap = heap.snapshot()
    assert snap.object(address).holders == {} and snap.handles == ()
    assert snap.object(address).trackers[0] is True        # still says "exists"
    assert [o.address for o in heap.leaks()] == [address]
    assert heap.object_at(address).refcount.read() == 1


# -- impl_list_arc_safe! { tracked_by field: Type; } delegating to any ListArcSafe field -----
@kp.impl_list_arc_safe(id=0, tracked_by="t")
@kp.struct
class Inner:
    n: int
    t: kp.AtomicTracker[0]


@kp.impl_list_arc_safe(id=0, tracked_by="inner")
@kp.struct
class Outer:
    label: str
    inner: Inner


@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Loose:
    n: int


@kp.impl_list_arc_safe(id=0, tracked_by="loose")
@kp.struct
class HoldsLoose:
    loose: Loose


def test_impl_list_arc_safe_tracked_by_delegates_to_a_list_arc_safe_field(heap):
    """`tracked_by inner: Inner` hands both hooks to the field: Outer gets TryNewListArc
    because Inner has it (its AtomicTracker sits in Outer's allocation)."""
    a = kp.Arc.new(Outer("o", Inner(1)), kp.GFP_KERNEL)
    assert kp.list.list_arc_safe_of(Outer, 0) == ("delegated", "inner")
    assert a._obj.trackers == {0: False}
    la = kp.ListArc.try_from_arc(a.clone()).unwrap()                 # behaviour 26
    assert a._obj.trackers == {0: True}
    assert kp.ListArc.try_from_arc(a.clone()).is_err()
    with pytest.raises(kp.MutabilityError):                           # Inner is in an Arc too
        a.inner.n = 2
    la.drop()
    assert a._obj.trackers == {0: False}
    b = kp.Arc.new(HoldsLoose(Loose(1)), kp.GFP_KERNEL)               # behaviour 27
    with pytest.raises(kp.TraitNotImplemented, match="TryNewListArc<0>.*`Loose`"):
        kp.ListArc.try_from_arc(b)
    assert b.refcount == 1
    for h in (a, b):
        h.drop()


def test_impl_list_arc_safe_tracked_by_a_field_that_is_not_list_arc_safe_is_e0277():
    """The field's type must implement ListArcSafe<ID>; refused when the macro is used,
    registering nothing."""
    @kp.struct
    class NotSafe:
        n: int

    @kp.struct
    class A:
        inner: NotSafe
        n: int
        links: kp.ListLinks[0]

    with pytest.raises(kp.TraitNotImplemented, match="`NotSafe: ListArcSafe<0>`"):
        kp.impl_list_arc_safe(A, id=0, tracked_by="inner")
    with pytest.raises(kp.TraitNotImplemented, match="`i64: ListArcSafe<0>`"):
        kp.impl_list_arc_safe(A, id=0, tracked_by="n")
    with pytest.raises(kp.TraitNotImplemented, match="`ListLinks<0>: ListArcSafe<0>`"):
        kp.impl_list_arc_safe(A, id=0, tracked_by="links")
    with pytest.raises(kp.BuildError, match="E0609"):
        kp.impl_list_arc_safe(A, id=0, tracked_by="nope")
    with pytest.raises(kp.TraitNotImplemented, match="ListArcSafe<1>"):
        kp.impl_list_arc_safe(Outer, id=1, tracked_by="inner")         # Inner is only <0>
    assert kp.list.list_arc_safe_of(A, 0) is None


def test_list_arc_pair_from_pin_unique_takes_the_pinned_unique_arc(heap):
    """`pair_from_unique` takes `UniqueArc<T>`, `pair_from_pin_unique` takes
    `Pin<UniqueArc<T>>` (what `Arc::into_unique_or_drop` gives): the other one is E0308 and
    changes nothing; bad `ids=` are typed errors too."""
    pinned = kp.Arc.into_unique_or_drop(kp.Arc.new(Job(1), kp.GFP_KERNEL))
    with pytest.raises(kp.TypeMismatch, match="pair_from_pin_unique"):
        kp.ListArc.pair_from_unique(pinned)
    for bad in (5, (0,), (0, True), (0, -1), [0, 1]):
        with pytest.raises(kp.TypeMismatch, match="E0308"):
            kp.ListArc.pair_from_pin_unique(pinned, ids=bad)
    assert pinned.is_live() and pinned.refcount == 1
    a, b = kp.ListArc.pair_from_pin_unique(pinned)
    assert (a.id, b.id, a.refcount) == (0, 1, 2)
    with pytest.raises(kp.TypeMismatch, match="pair_from_unique"):
        kp.ListArc.pair_from_pin_unique(kp.UniqueArc.new(Job(2), kp.GFP_KERNEL))


def test_use_after_push_suggests_clone_arc_never_clone(heap):
    """A ListArc moved into a list: the fix names `clone_arc()` (behaviour 25: a ListArc is
    never Clone), where a plain Arc's fix says `.clone()`."""
    q = kp.List(Job, id=0)
    la = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    q.push_back(la)
    with pytest.raises(kp.UseAfterMove) as moved:
        la.n
    assert "clone_arc()" in moved.value.fix and "never Clone" in moved.value.fix
    a = kp.Arc.new(Job(2), kp.GFP_KERNEL)
    a.drop()
    with pytest.raises(kp.UseAfterMove) as dropped:
        a.n
    assert "call .clone()" in dropped.value.fix
    u = kp.UniqueArc.new(Job(3), kp.GFP_KERNEL)
    kp.Arc.from_unique(u)
    with pytest.raises(kp.UseAfterMove) as converted:
        u.n
    assert "never Clone" in converted.value.fix
