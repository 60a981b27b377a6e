"""UniqueArc (kernelptr/unique.py): behaviours 12, 13 and 75 (write in atomic context)."""

import pytest

import kernelptr as kp


@kp.struct
class Job:
    name: str
    prio: int = 0


def test_unique_is_mutable_and_converts_for_free_behaviour_12(heap):
    """Behaviour 12: UniqueArc -> Arc keeps count 1; UniqueArc allows mutation, Arc not."""
    u = kp.UniqueArc.new(Job("a"), kp.GFP_KERNEL)
    u.prio = 5
    assert u.prio == 5 and u.refcount == 1
    a = kp.Arc.from_unique(u)
    assert a.refcount == 1 and a.prio == 5 and heap.alloc_count == 1
    with pytest.raises(kp.MutabilityError):
        a.prio = 6
    with pytest.raises(kp.UseAfterMove):
        u.prio = 7


def test_new_uninit_may_fail_write_cannot_behaviour_13(heap):
    """Behaviour 13: new_uninit may fail; write never fails and never allocates."""
    heap.fail_next_allocs()
    with pytest.raises(kp.AllocError):
        kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    assert heap.alloc_count == 1
    heap.fail_next_allocs(3)
    u = u.write(Job("a"))
    heap.fail_next_allocs(0)
    assert heap.alloc_count == 1 and u.name == "a"


def test_allocate_outside_lock_write_inside_behaviour_75(heap):
    """Behaviour 75: UniqueArc.write is allowed in atomic context; GFP_KERNEL is not."""
    lock = kp.SpinLock(None, "list_lock")
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    with lock.lock() as guard:
        with pytest.raises(kp.SleepInAtomicContext, match="list_lock"):
            kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        u = u.write(Job("inside"))
        guard.value = kp.Arc.from_unique(u)
    assert heap.alloc_count == 1
    assert lock._value.name == "inside"


def test_reading_uninit_memory_is_undefined_behaviour(heap):
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    with pytest.raises(kp.UndefinedBehavior, match="write"):
        u.name
    with pytest.raises(kp.UndefinedBehavior):
        u.assume_init()
    with pytest.raises(kp.UndefinedBehavior):
        kp.Arc.from_unique(u)
    assert u.type_str() == "UniqueArc<MaybeUninit<Job>>"
    u.drop()
    assert heap.free_count == 1


def test_write_twice_is_refused(heap):
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL).write(1)
    with pytest.raises(kp.UndefinedBehavior, match="E0599"):
        u.write(2)
    assert u.deref() == 1


def test_unknown_field_assignment(heap):
    u = kp.UniqueArc.new(Job("a"), kp.GFP_KERNEL)
    with pytest.raises(AttributeError):
        u.colour = "red"


def test_drop_frees(heap):
    u = kp.UniqueArc.new(Job("a"), kp.GFP_KERNEL)
    u.drop()
    assert heap.free_count == 1 and heap.objects() == []


# -- Pin: which UniqueArcs are pinned, and what that forbids ---------------------------------
@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Linked:
    name: str
    links: kp.ListLinks[0]


def test_arc_into_unique_or_drop_returns_pinned_behaviour_9(heap):
    """Behaviour 9: `Arc::into_unique_or_drop` returns `Option<Pin<UniqueArc<T>>>`: the value
    was in an Arc, which pins it implicitly."""
    u = kp.Arc.into_unique_or_drop(kp.Arc.new(Job("unpin"), kp.GFP_KERNEL))
    assert u.pinned and u.type_str() == "Pin<UniqueArc<Job>>"
    u.prio = 3                          # Job is Unpin: Pin<P> derefs mutably
    assert u.prio == 3
    snap = heap.snapshot()
    assert snap.handle("u").rust_type == "Pin<UniqueArc<Job>>"
    u.drop()


def test_arc_into_unique_or_drop_pinned_not_unpin_refuses_assignment_e0594(heap):
    """Through `Pin<UniqueArc<T>>` with `T: !Unpin` there is no `DerefMut`: assigning a field
    is rustc E0594 and changes nothing; a pin projection assigns the plain fields."""
    u = kp.Arc.into_unique_or_drop(kp.Arc.new(Linked("a"), kp.GFP_KERNEL))
    events = len(heap.events)
    with pytest.raises(kp.MutabilityError, match="E0594") as err:
        u.name = "b"
    assert "Pin<UniqueArc<Linked>>" in str(err.value) and "links: ListLinks<0>" in str(err.value)
    assert "project()" in err.value.fix
    with pytest.raises(kp.MutabilityError, match="E0596"):
        u.deref_mut()
    with pytest.raises(kp.MutabilityError, match="E0594"):
        u.deref().name = "c"            # `&T` from Deref is not `&mut T` either
    assert u.name == "a" and len(heap.events) == events and u.is_live()
    heap.check()
    u.project().name = "b"              # #[pin_data]'s project(): &mut to plain fields
    assert u.name == "b" and heap.events[-1].op == "Pin::project"
    with pytest.raises(kp.MutabilityError, match="E0616"):
        u.project().links = None        # #[pin] fields stay pinned
    la = kp.ListArc.from_unique(u)      # From<Pin<UniqueArc<T>>> for ListArc
    assert la.refcount == 1
    la.drop()


def test_unique_arc_new_is_not_pinned_but_pin_init_is(heap):
    """`UniqueArc::new` gives a plain `UniqueArc<T>` (DerefMut); `UniqueArc::pin_init`,
    `pin_init_with` and `Pin::from(u)` give `Pin<UniqueArc<T>>`."""
    u = kp.UniqueArc.new(Linked("a"), kp.GFP_KERNEL)
    assert not u.pinned and u.type_str() == "UniqueArc<Linked>"
    u.name = "b"                        # nothing is pinned yet: allowed
    p = u.into_pin()
    assert not u.is_live() and p.pinned and p.type_str() == "Pin<UniqueArc<Linked>>"
    with pytest.raises(kp.MutabilityError, match="E0594"):
        p.name = "c"
    q = kp.UniqueArc.pin_init(Linked("q"), kp.GFP_KERNEL)
    assert q.pinned
    w = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Linked)
    with pytest.raises(kp.TypeMismatch, match="pin_init_with"):
        w.into_pin()
    w = w.pin_init_with(Linked("w"))
    assert w.type_str() == "Pin<UniqueArc<Linked>>"
    with pytest.raises(kp.NoSuchField, match="E0599"):
        kp.UniqueArc.new(Job("x"), kp.GFP_KERNEL).project()
    for h in (p, q, w):
        h.drop()


def test_unique_arc_write_of_another_type_is_type_mismatch_changing_nothing(heap):
    """`UniqueArc::<MaybeUninit<Job>>::write` takes a `Job`: another type is rustc E0308; the
    UniqueArc stays usable and uninitialised."""
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    events = len(heap.events)
    with pytest.raises(kp.TypeMismatch, match="E0308"):
        u.write(Linked("other"))
    with pytest.raises(kp.TypeMismatch, match="expected `Job`, found `i64`"):
        u.write(5)
    assert u.is_live() and u.type_str() == "UniqueArc<MaybeUninit<Job>>"
    assert len(heap.events) == events
    heap.check()
    u = u.write(Job("right"))
    assert u.name == "right"
    untyped = kp.UniqueArc.new_uninit(kp.GFP_KERNEL).write(Linked("any"))
    assert kp.ListArc.from_unique(untyped).type_str() == "ListArc<Linked, 0>"
