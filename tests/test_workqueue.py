"""`kp.workqueue`: Queue, WorkItem, Work[ID], enqueue/Err(arc), the worker (behaviours 68-74)."""

import pytest

import kernelptr as kp
from kernelptr import workqueue as wq

LOG = []


@pytest.fixture(autouse=True)
def _fresh_log():
    LOG.clear()


@wq.impl_has_work(id=0, field="work")
@kp.impl_trait(wq.WorkItem)
@kp.struct
class Job:
    name: str
    work: wq.Work[0]

    def run(this: "kp.Arc[Self]"):
        LOG.append((this.name, this.refcount))


@wq.impl_has_work(id=1, field="w1")
@wq.impl_has_work(id=2, field="w2")
@kp.impl_trait(wq.WorkItem[1])
@kp.impl_trait(wq.WorkItem[2])
@kp.struct
class Two:
    w1: wq.Work[1]
    w2: wq.Work[2]

    def run(this: "kp.Arc[Self]"):
        LOG.append(("run", this.refcount))


def test_behaviour_68_enqueue_idle_item_queue_owns_a_reference(heap):
    """behaviour 68: Ok; the queue holds one reference until run."""
    job = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    q = wq.Queue("events")
    assert q.enqueue(job.clone()) == kp.Ok(None)
    assert job.refcount == 2 and heap.object_at(job.address).held == {"queue": 1}
    assert repr(job.work) == "Work<0>(PENDING)"
    heap.check()
    assert q.run_pending() == 1 and LOG == [("a", 2)]
    assert job.refcount == 1 and repr(job.work) == "Work<0>(idle)"
    job.drop()


def test_behaviour_69_enqueue_pending_item_returns_same_arc(heap):
    """behaviour 69: Err(arc) with the very same Arc; count unchanged; runs once."""
    job = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    q = wq.system()
    assert q.enqueue(job.clone()).is_ok()
    second = job.clone()
    r = q.enqueue(second)
    assert r.is_err() and r.value is second and second.is_live()
    assert job.refcount == 3
    match r:
        case kp.Err(back):
            back.drop()
    assert q.run_pending() == 1 and len(LOG) == 1
    job.drop()
    assert heap.free_count == 1


def test_behaviour_70_run_receives_the_queued_reference(heap):
    """behaviour 70: run owns the queue's reference; it is dropped when run returns."""
    q = wq.Queue("q")
    q.enqueue(kp.Arc.new(Job("only"), kp.GFP_KERNEL))     # the queue holds the only count
    assert heap.alloc_count == 1 and heap.free_count == 0
    q.step()
    assert LOG == [("only", 1)] and heap.free_count == 1


def test_behaviour_71_pending_cleared_before_run_so_requeue_succeeds(heap):
    """behaviour 71: enqueueing from inside run succeeds (PENDING already clear)."""
    results = []

    @wq.impl_has_work(id=0, field="work")
    @kp.impl_trait(wq.WorkItem)
    @kp.struct
    class Again:
        n: int
        work: wq.Work[0]

        def run(this: "kp.Arc[Self]"):
            results.append(q.enqueue(this.clone()) if len(results) < 2 else "stop")

    q = wq.Queue("q")
    a = kp.Arc.new(Again(0), kp.GFP_KERNEL)
    q.enqueue(a.clone())
    assert q.run_pending() == 3
    assert results == [kp.Ok(None), kp.Ok(None), "stop"] and a.refcount == 1
    a.drop()


def test_behaviour_72_boxed_work_returns_none(heap):
    """behaviour 72: a uniquely owned box cannot already be queued; enqueue returns None."""
    seen = []

    @wq.impl_has_work(id=0, field="work")
    @kp.impl_trait(wq.WorkItem)
    @kp.struct
    class Boxed:
        work: wq.Work[0]

        def run(this: "kp.UniqueArc[Self]"):
            seen.append(this.kind)

    q = wq.Queue("q")
    assert q.enqueue(kp.UniqueArc.new(Boxed(), kp.GFP_KERNEL)) is None
    q.run_pending()
    assert seen == ["UniqueArc"] and heap.free_count == 1


def test_behaviour_73_distinct_work_fields_by_id(heap):
    """behaviour 73: the same object can be pending on two IDs at once."""
    t = kp.Arc.new(Two(), kp.GFP_KERNEL)
    q = wq.Queue("q")
    assert q.enqueue(t.clone(), id=1).is_ok()
    assert q.enqueue(t.clone(), id=2).is_ok()
    r = q.enqueue(t.clone(), id=1)
    assert r.is_err()
    r.value.drop()
    assert t.refcount == 3 and wq.work_items(q) == [t.address, t.address]
    assert q.run_pending() == 2 and t.refcount == 1
    with pytest.raises(kp.TraitNotImplemented, match="WorkItem<0>"):
        q.enqueue(t.clone())          # Two has no WorkItem<0>
    t.drop()


def test_behaviour_74_try_spawn_can_fail_with_allocerror(heap):
    """behaviour 74: try_spawn boxes the closure; allocation can fail."""
    q = wq.Queue("q")
    ran = []
    heap.fail_next_allocs()
    with pytest.raises(kp.AllocError):
        q.try_spawn(kp.GFP_KERNEL, lambda: ran.append(1))
    assert len(q) == 0
    heap.check()
    q.try_spawn(kp.GFP_KERNEL, lambda: ran.append(2))
    lock = kp.SpinLock(None, "l")
    with lock.lock():
        with pytest.raises(kp.SleepInAtomicContext):
            q.try_spawn(kp.GFP_KERNEL, lambda: None)
        q.try_spawn(kp.GFP_ATOMIC, lambda: ran.append(3))
    q.run_pending()
    assert ran == [2, 3] and heap.alloc_count == heap.free_count == 2


def test_enqueue_misuse_changes_nothing(heap):
    q = wq.Queue("q")
    a = kp.Arc.new(42, kp.GFP_KERNEL)
    with pytest.raises(kp.TraitNotImplemented, match="E0277"):
        q.enqueue(a)
    assert a.is_live()
    with pytest.raises(kp.TypeMismatch):
        q.enqueue("not a pointer")

    @kp.impl_trait(wq.WorkItem)
    @kp.struct
    class NoWork:
        x: int = 0

        def run(this: "kp.Arc[Self]"):
            pass
    b = kp.Arc.new(NoWork(), kp.GFP_KERNEL)
    with pytest.raises(kp.TraitNotImplemented, match="HasWork"):
        q.enqueue(b)
    with pytest.raises(kp.BuildError):
        wq.impl_has_work(NoWork, field="x")
    with pytest.raises(kp.TypeMismatch):
        wq.WorkItem[-1]
    a.drop()
    b.drop()


def test_run_receiver_must_be_a_pointer(heap):
    with pytest.raises(kp.ReceiverMismatch, match="E0053"):
        @kp.impl_trait(wq.WorkItem)
        class Bad:
            def run(this):
                pass
