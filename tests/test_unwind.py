"""Learner code that raises inside the model unwinds as Rust does: nothing leaks, nothing is
left half-done, and the learner's own exception comes back with its own traceback."""

import traceback

import pytest

import kernelptr as kp
from kernelptr import workqueue as wq


class LearnerBug(Exception):
    pass


class Shape(kp.Trait):
    def area(self: "kp.ArcBorrow[Self]"): ...

    def scale(self: "kp.Arc[Self]", by): ...


@kp.impl_trait(Shape)
@kp.struct
class Square:
    side: int

    def area(self: "kp.ArcBorrow[Self]"):
        raise LearnerBug("area")

    def scale(self: "kp.Arc[Self]", by):
        if by == 0:
            raise LearnerBug("scale by zero")
        return self.side * by


@kp.struct
class Loud:
    """A struct whose `impl Drop` raises."""

    n: int
    child: object = None

    def drop(self):
        raise LearnerBug(f"drop {self.n}")


def _raise_site(error) -> str:
    return traceback.extract_tb(error.__traceback__)[-1].line


def test_wrong_arguments_to_a_trait_method_are_e0061_before_the_receiver_moves(heap):
    a = kp.Arc.new(Square(2), kp.GFP_KERNEL)
    with pytest.raises(kp.TypeMismatch, match="E0061") as err:
        a.scale()
    assert "pass: by" in str(err.value)
    with pytest.raises(kp.TypeMismatch, match="E0061"):
        a.into_dyn(Shape).scale(1, 2)       # through the vtable too (a moved into the dyn)
    assert a.state == "moved" and heap.objects()[0].refcount.read() == 1


def test_a_panicking_method_drops_the_self_it_was_given(heap):
    """`self: Arc<Self>` moved into a call that panics is dropped while unwinding."""
    a = kp.Arc.new(Square(2), kp.GFP_KERNEL)
    b = a.clone()
    with pytest.raises(LearnerBug, match="scale by zero") as err:
        a.scale(0)
    assert _raise_site(err.value) == 'raise LearnerBug("scale by zero")'   # its own traceback
    assert a.state == "moved" and b.refcount == 1
    b.drop()
    assert heap.objects() == []


def test_a_panicking_method_through_the_vtable_frees_the_last_reference(heap):
    d = kp.Arc.new(Square(3), kp.GFP_KERNEL).into_dyn(Shape)
    with pytest.raises(LearnerBug):
        d.scale(0)
    assert heap.objects() == [] and heap.free_count == 1


def test_a_panicking_by_reference_method_moves_nothing(heap):
    a = kp.Arc.new(Square(2), kp.GFP_KERNEL)
    with pytest.raises(LearnerBug, match="area"):
        a.as_arc_borrow().area()
    assert a.is_live() and a.refcount == 1


def test_a_work_item_whose_run_panics_gives_the_queue_reference_back(heap):
    @wq.impl_has_work(id=0, field="work")
    @kp.impl_trait(wq.WorkItem)
    @kp.struct
    class Job:
        work: wq.Work[0]

        def run(this: "kp.Arc[Self]"):
            raise LearnerBug("run")

    job = kp.Arc.new(Job(), kp.GFP_KERNEL)
    q = wq.Queue("q")
    q.enqueue(job.clone())
    with pytest.raises(LearnerBug, match="run"):
        q.step()
    assert job.refcount == 1 and len(q) == 0 and not wq.is_pending(heap.objects()[0])
    assert q.enqueue(job.clone()).is_ok()       # PENDING was cleared: it can be queued again


def test_a_work_item_whose_run_takes_arguments_is_refused_and_its_reference_dropped(heap):
    @wq.impl_has_work(id=0, field="work")
    @kp.impl_trait(wq.WorkItem)
    @kp.struct
    class Job:
        work: wq.Work[0]

        def run(this: "kp.Arc[Self]", extra):
            pass

    q = wq.Queue("q")
    q.enqueue(kp.Arc.new(Job(), kp.GFP_KERNEL))
    with pytest.raises(kp.TypeMismatch, match="E0061"):
        q.step()
    assert heap.objects() == []


def test_a_refused_run_whose_drop_panics_aborts_now_and_leaves_nothing_for_later(heap):
    """The queue's reference, dropped while the refusal unwinds, panics in its `impl Drop`:
    a panic during unwinding aborts there, not in some later, unrelated operation."""
    @wq.impl_has_work(id=0, field="work")
    @kp.impl_trait(wq.WorkItem)
    @kp.struct
    class Job:
        work: wq.Work[0]

        def run(this: "kp.Arc[Self]", extra):
            pass

        def drop(self):
            raise LearnerBug("drop")

    q = wq.Queue("q")
    q.enqueue(kp.Arc.new(Job(), kp.GFP_KERNEL))
    with pytest.raises(kp.Abort) as err:
        q.step()
    assert isinstance(err.value.__cause__, kp.TypeMismatch) and heap.objects() == []
    kp.Arc.new(1, kp.GFP_KERNEL).drop()         # raises nothing left over from the step


def test_a_panicking_impl_drop_still_drops_the_fields_and_frees_the_memory(heap):
    """Rust's drop glue goes on after a panicking `Drop::drop`; the model then re-raises."""
    child = kp.Arc.new(1, kp.GFP_KERNEL)
    parent = kp.Arc.new(Loud(1, child.clone()), kp.GFP_KERNEL)
    with kp.record() as rec:
        with pytest.raises(LearnerBug, match="drop 1") as err:
            parent.drop()
    assert _raise_site(err.value) == 'raise LearnerBug(f"drop {self.n}")'
    assert child.refcount == 1 and heap.free_count == 1
    assert [f.event.op for f in rec.frames] == ["Arc::drop", "Arc::drop"]   # nothing half-done
    assert rec.frames[-1].snapshot.object(parent.address).freed


def test_a_second_panic_while_unwinding_aborts(heap):
    inner = kp.Arc.new(Loud(2), kp.GFP_KERNEL)
    outer = kp.Arc.new(Loud(1, inner), kp.GFP_KERNEL)
    with pytest.raises(kp.Abort, match="panic") as err:
        outer.drop()
    assert isinstance(err.value.__cause__, LearnerBug)
    assert heap.objects() == [] and heap.free_count == 2


def test_a_panicking_drop_at_the_end_of_a_scope_drops_the_other_handles(heap):
    keep = kp.Arc.new(7, kp.GFP_KERNEL)
    with pytest.raises(LearnerBug):
        with kp.scope():
            b = keep.clone()
            a = kp.Arc.new(Loud(1), kp.GFP_KERNEL)     # dropped first (newest), panics
    assert keep.refcount == 1 and not a.is_live() and not b.is_live()


def test_a_panicking_drop_while_a_scope_unwinds_aborts(heap):
    with pytest.raises(kp.Abort) as err:
        with kp.scope():
            a = kp.Arc.new(Loud(1), kp.GFP_KERNEL)      # noqa: F841 - dropped by the scope
            raise LearnerBug("the block")
    assert str(err.value.__cause__) == "the block"
    assert heap.objects() == []


def test_an_overwritten_field_whose_drop_panics_is_still_replaced(heap):
    @kp.struct
    class Box:
        inner: object

    u = kp.UniqueArc.new(Box(kp.Arc.new(Loud(1), kp.GFP_KERNEL)), kp.GFP_KERNEL)
    with pytest.raises(LearnerBug):
        u.inner = None
    assert u.inner is None and len(heap.objects()) == 1
    lock = kp.SpinLock(kp.Arc.new(Loud(2), kp.GFP_KERNEL), "l")
    with pytest.raises(LearnerBug), lock.lock() as guard:
        guard.value = None
    assert len(heap.objects()) == 1 and not heap.in_atomic()


class Hostile:
    """A learner's object whose `__repr__` and `__getattr__` raise."""

    def __repr__(self):
        raise LearnerBug("repr")

    def __getattr__(self, name):
        raise LearnerBug(f"getattr {name}")


def test_a_field_whose_repr_raises_is_shown_not_raised(heap):
    @kp.struct
    class Holder:
        x: object

    h = kp.Arc.new(Holder(Hostile()), kp.GFP_KERNEL)
    assert heap.snapshot().object(h.address).fields == \
        (("x", "<Hostile: repr raised LearnerBug>"),)
    assert repr(h.deref()) == "Holder(x=<Hostile: repr raised LearnerBug>)"


def test_a_variable_whose_getattr_raises_does_not_stop_naming_handles(heap):
    hostile = Hostile()         # noqa: F841 - looked at by the model's name lookup
    with kp.record() as rec:
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        b = a.clone()           # noqa: F841
    assert [h.label for h in rec.frames[-1].snapshot.handles] == ["a", "b"]
    assert [h.label for h in heap.snapshot().handles] == ["a", "b"]


def test_dropping_a_list_drops_every_item_even_after_one_panics(heap):
    @kp.impl_list_item(id=0, using="links")
    @kp.impl_list_arc_safe(id=0, untracked=True)
    @kp.struct
    class Item:
        n: int
        links: kp.ListLinks[0]

        def drop(self):
            if self.n == 1:
                raise LearnerBug("item 1")

    q = kp.List(Item)
    for n in range(3):
        q.push_back(kp.ListArc.new(Item(n), kp.GFP_KERNEL))
    with pytest.raises(LearnerBug, match="item 1"):
        q.drop()
    assert heap.objects() == [] and heap.free_count == 3
    with pytest.raises(kp.UseAfterMove):
        q.is_empty()
