"""Common mistakes a learner makes: each raises a KernelPtrError naming the rule, and changes
nothing (heap.check() passes, handles keep their state)."""

import gc

import pytest

import kernelptr as kp
from kernelptr import binder
from kernelptr import workqueue as wq
from kernelptr.list.example import Job


@kp.struct
class Box:
    inner: object


def test_one_value_cannot_be_moved_into_two_allocations(heap):
    j = Job(1)
    a = kp.Arc.new(j, kp.GFP_KERNEL)
    with pytest.raises(kp.UseAfterMove, match="E0382"):
        kp.UniqueArc.new(j, kp.GFP_KERNEL)
    assert a.refcount == 1 and heap.alloc_count == 1


def test_items_from_before_a_reset_are_refused_by_a_new_list():
    old = kp.reset()
    la = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    new = kp.reset()
    q = kp.List(Job)
    with pytest.raises(kp.UndefinedBehavior, match="another heap"):
        q.push_back(la)
    assert la.is_live()
    old.check()
    new.check()


def test_unknown_methods_and_fields_are_rustc_errors_and_not_attributes(heap):
    u = kp.UniqueArc.new(Job(1), kp.GFP_KERNEL)
    with pytest.raises(kp.NoSuchField, match="E0599") as err:
        u.as_arc_borrow()
    assert "kp.Arc.from_unique(u)" in str(err.value)
    assert not hasattr(u, "colour")
    with pytest.raises(kp.NoSuchField, match="E0609"):
        u.colour = "red"
    with pytest.raises(kp.MutabilityError, match="managed by the kernel API"):
        u.links = 1


def test_assigning_a_field_drops_the_old_value(heap):
    """Rust drops an overwritten value: the Arc it held gives its count back."""
    a = kp.Arc.new(7, kp.GFP_KERNEL)
    u = kp.UniqueArc.new(Box(a.clone()), kp.GFP_KERNEL)
    assert a.refcount == 2
    u.inner = None
    assert a.refcount == 1 and heap.leaks() == []


def test_a_temporary_guard_unlocks_at_the_end_of_its_statement(heap):
    lock = kp.SpinLock([1], "l")
    assert lock.lock().value == [1]          # the guard is a temporary, as in Rust
    gc.collect()
    assert not heap.in_atomic() and not lock.is_locked


def test_bad_arguments_are_type_mismatches(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    for call in (lambda: kp.Arc.ptr_eq(a, 5), lambda: kp.Arc.refcount_of(5),
                 lambda: kp.drop(5), lambda: kp.name(5, "x"),
                 lambda: heap.fail_next_allocs(-1), lambda: heap.fail_next_allocs("2"),
                 lambda: kp.StdArc.new(1).set_strong_count("2")):
        with pytest.raises(kp.TypeMismatch):
            call()
    for call in (lambda: kp.Refcount("x"), lambda: kp.Arc.refcount_of(a).set(2.5)):
        with pytest.raises(kp.BuildError):
            call()
    assert a.refcount == 1


def test_rbtree_refuses_keys_it_cannot_order_before_taking_the_node(heap):
    t = kp.RBTree()
    t.try_create_and_insert(1, "a", kp.GFP_KERNEL)
    n = kp.RBTreeNode.new("x", "b", kp.GFP_KERNEL)
    with pytest.raises(kp.TypeMismatch, match="cannot be ordered"):
        t.insert(n)
    assert n.is_live()
    n.drop()


def test_workqueue_checks_closures_and_receivers_up_front(heap):
    q = wq.Queue("q")
    with pytest.raises(kp.TypeMismatch, match="closure"):
        q.try_spawn(kp.GFP_KERNEL, 5)
    q.try_spawn(kp.GFP_KERNEL, lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        q.step()                 # the learner's own bug propagates; the box is still freed
    heap.check()

    @wq.impl_has_work(id=0, field="work")
    @kp.impl_trait(wq.WorkItem)
    @kp.struct
    class W:
        work: kp.workqueue.Work[0]

        def run(this: "kp.Arc[Self]"):
            pass

    u = kp.UniqueArc.new(W(), kp.GFP_KERNEL)
    with pytest.raises(kp.TypeMismatch, match="run takes `Arc<Self>`"):
        q.enqueue(u)
    assert u.is_live() and len(q) == 0


def test_binder_push_work_refuses_a_plain_arc_without_moving_it(heap):
    t = binder.Thread("t")
    w = binder.arc_try_new(binder.DeliverCode("X")).into_arc()
    with pytest.raises(kp.TypeMismatch, match="DLArc"):
        t.push_work(w)
    assert w.is_live()
    w.drop()
    t.reply_work.drop()


def test_iterators_have_stable_reprs(heap):
    from kernelptr.list.example import queue

    q = queue(1)
    assert repr(iter(q)) == "Iter<Job, 0>" and repr(q.into_iter()) == "IntoIter<Job, 0>"


def test_event_summaries_show_no_python_ids(heap):
    u = kp.UniqueArc.new(Box(None), kp.GFP_KERNEL)
    u.inner = object()
    assert " at 0x" not in heap.events[-1].summary
    assert " at 0x" not in repr(heap.snapshot().objects)


def test_a_dyn_unique_arc_does_not_silently_become_a_concrete_list_arc(heap):
    class Speak(kp.Trait):
        def speak(self): ...

    @kp.impl_list_arc_safe(id=0, untracked=True)
    @kp.impl_trait(Speak)
    @kp.struct
    class Dog:
        def speak(self):
            return "woof"

    # No UniqueArc coerces; a dyn one comes back from an `Arc<dyn Speak>` that was unique.
    u = kp.Arc.into_unique_or_drop(kp.Arc.new(Dog(), kp.GFP_KERNEL).into_dyn(Speak))
    assert u.type_str() == "Pin<UniqueArc<dyn Speak>>"
    with pytest.raises(kp.TypeMismatch, match="concrete"):
        kp.ListArc.from_unique(u)
    assert u.is_live()


def _typed(call, cls=kp.KernelPtrError):
    """`call()` raises `cls` (a KernelPtrError) whose message has a rule and a fix."""
    with pytest.raises(cls) as err:
        call()
    assert "rule:" in str(err.value) and "fix:" in str(err.value), str(err.value)
    return str(err.value)


def test_missing_or_non_flag_allocation_flags_are_typed_errors(heap):
    for missing in (lambda: kp.Arc.new(1), lambda: kp.UniqueArc.new(1),
                    lambda: kp.UniqueArc.new_uninit(), lambda: kp.ListArc.new(Job(1)),
                    lambda: wq.Queue("q").try_spawn(), lambda: kp.RBTreeNodeReservation.new()):
        assert "E0061" in _typed(missing, kp.TypeMismatch)
    assert "E0308" in _typed(lambda: kp.Arc.new(1, 0), kp.TypeMismatch)
    for junk in (lambda: kp.GFP_KERNEL | 1, lambda: 1 | kp.GFP_ATOMIC,
                 lambda: kp.GFP_KERNEL & "x", lambda: None & kp.GFP_KERNEL):
        assert "E0277" in _typed(junk, kp.TypeMismatch)
    assert heap.alloc_count == 0


def test_bad_ids_for_pair_from_unique_are_typed_errors_and_move_nothing(heap):
    u = kp.UniqueArc.new(Job(1), kp.GFP_KERNEL)
    for ids in (5, (0,), (0, 1, 2), "01", (0, True), (0, 1.0)):
        _typed(lambda: kp.ListArc.pair_from_unique(u, ids=ids), kp.TypeMismatch)
    _typed(lambda: kp.ListArc.pair_from_unique(u, ids=(1, 1)), kp.BuildError)
    assert u.is_live()


def test_only_traits_make_vtables(heap):
    class NotATrait:
        pass

    for call in (lambda: kp.vtable(5), lambda: kp.vtable(NotATrait),
                 lambda: kp.c_vtable(5, NotATrait), lambda: kp.c_vtable(NotATrait, NotATrait),
                 lambda: kp.impl_trait("Trait")):
        assert "E0404" in _typed(call, kp.TraitNotImplemented)


def test_more_bad_arguments_are_typed_errors(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    for call in (lambda: kp.name(a, 5), lambda: kp.name(a, ""),
                 lambda: kp.StdArc.new(1).set_strong_count(2**70),
                 lambda: kp.record(heap=5).__enter__(), lambda: kp.trace(5),
                 lambda: wq.Queue("q").try_spawn(kp.GFP_KERNEL),
                 lambda: wq.WorkItem[1.0], lambda: kp.ListLinks[True],
                 lambda: kp.ListLinks[2**64], lambda: wq.WorkItem[2**64],
                 lambda: wq.Work[-1]):
        _typed(call, kp.TypeMismatch)
    assert a.refcount == 1 and kp.name(a, "job") is a


def test_a_queue_refuses_work_from_another_heap(heap):
    q = wq.Queue("q")
    with kp.Heap():
        @wq.impl_has_work(id=0, field="work")
        @kp.impl_trait(wq.WorkItem)
        @kp.struct
        class Job:
            work: wq.Work[0]

            def run(this: "kp.Arc[Self]"):
                pass

        job = kp.Arc.new(Job(), kp.GFP_KERNEL)
    second = job.clone()
    _typed(lambda: q.enqueue(second), kp.UndefinedBehavior)
    assert second.is_live() and job.refcount == 2 and len(q) == 0
