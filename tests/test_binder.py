"""Case study 2, Binder's todo list: DTRWrap, push_work/FailedDead, reusable reply work
(behaviours 77-79)."""

import pytest

import kernelptr as kp
from kernelptr import binder


def test_behaviour_77_concrete_dlarc_accepted_and_dispatched_on_concrete_type(heap):
    """behaviour 77: DLArc[ThreadError] is coerced to DLArc[dyn DeliverToRead];
    pop_work().into_arc().do_work(...) dispatches on the concrete type."""
    t = binder.Thread("t1")
    concrete = binder.arc_try_new(binder.ThreadError("BR_DEAD_REPLY"))
    assert concrete.type_str() == "ListArc<DTRWrap<ThreadError>, 0>"
    assert t.push_work(concrete) is binder.PushWorkOk
    assert t.push_work(binder.arc_try_new(binder.DeliverCode("BR_NOOP"))) is binder.PushWorkOk
    work = t.pop_work()
    assert work.type_str() == "ListArc<DTRWrap<dyn DeliverToRead>, 0>"
    arc = work.into_arc()
    assert arc.type_str() == "Arc<DTRWrap<dyn DeliverToRead>>"
    writer = []
    assert arc.do_work(t, writer) is True and writer == ["BR_DEAD_REPLY"]
    ev = [e for e in heap.events if e.op == "<dyn DeliverToRead>::do_work"][-1]
    assert "<ThreadError as DeliverToRead>::do_work" in ev.summary
    assert t.do_work(writer) == 1 and writer == ["BR_DEAD_REPLY", "BR_NOOP"]
    assert heap.free_count == 2


def test_behaviour_78_reusing_queued_reply_work_fails_at_try_from_arc(heap):
    """behaviour 78: the preallocated item cannot be queued twice; the driver logs it."""
    t = binder.Thread("t1")
    allocs = heap.alloc_count
    assert t.push_reply_work() is binder.PushWorkOk
    assert t.push_reply_work() is None
    assert t.log == ["t1: reply_work already in use"]
    assert t.reply_work.refcount == 2          # the thread's DArc + the list's ListArc
    writer = []
    assert t.do_work(writer) == 1 and writer == ["BR_FAILED_REPLY"]
    assert t.push_reply_work() is binder.PushWorkOk     # reusable once delivered
    assert heap.alloc_count == allocs                     # never allocated again
    t.do_work(writer)
    t.reply_work.drop()


def test_behaviour_79_push_to_dead_thread_returns_the_listarc(heap):
    """behaviour 79: FailedDead(work) hands ownership back; drop it after unlocking."""
    t = binder.Thread("t1")
    t.push_work(binder.arc_try_new(binder.DeliverCode("BR_NOOP")))
    assert t.release() == 1
    work = binder.arc_try_new(binder.DeliverCode("BR_SPAWN_LOOPER"))
    res = t.push_work(work)
    assert isinstance(res, binder.FailedDead) and res.work is work and work.is_live()
    assert not heap.in_atomic()
    match res:
        case binder.FailedDead(w):
            w.drop()                      # after the lock: the destructor runs outside it
    last = heap.events[-1]
    assert last.op == "ListArc::drop" and "inside spinlock" not in last.summary
    assert isinstance(t.push_reply_work(), binder.FailedDead)    # dropped after unlocking
    t.reply_work.drop()
    assert heap.alloc_count == heap.free_count


def test_todo_list_filled_under_lock_without_allocation(heap):
    t = binder.Thread("t1")
    items = [binder.arc_try_new(binder.DeliverCode(f"BR_{i}")) for i in range(3)]
    heap.fail_next_allocs(10)
    for it in items:
        assert t.push_work(it) is binder.PushWorkOk
    heap.fail_next_allocs(0)
    snap = heap.snapshot()
    lst = [ls for ls in snap.lists if ls.type_name == "DTRWrap<dyn DeliverToRead>"][0]
    vt = heap.vtables[(binder.DeliverCode, binder.DeliverToRead)].address
    assert all(snap.object(a).self_ptrs[0][1] == vt for a in lst.items)
    with t.inner.lock() as g:
        assert [w.should_sync_wakeup() for w in g.value.work_list] == [True] * 3
    writer = []
    t.do_work(writer)
    assert writer == ["BR_0", "BR_1", "BR_2"]
    t.reply_work.drop()


def test_skip_neutralises_an_item(heap):
    t = binder.Thread("t1")
    t.push_work(binder.arc_try_new(binder.DeliverCode("BR_X", skip=True)))
    writer = []
    assert t.do_work(writer) == 1 and writer == []
    t.reply_work.drop()


def test_allocation_failure_creates_nothing(heap):
    heap.fail_next_allocs()
    with pytest.raises(kp.AllocError):
        binder.arc_try_new(binder.DeliverCode("BR_NOOP"))


def test_snapshot_labels_the_threads_fields(heap):
    t = binder.Thread("t1")
    t.push_work(binder.arc_try_new(binder.DeliverCode("BR_NOOP")))
    snap = heap.snapshot()
    assert snap.handle("t.reply_work").type_str == "Arc<DTRWrap<ThreadError>>"
    assert snap.list("t.work_list").type_name == "DTRWrap<dyn DeliverToRead>"
    t.release()
    t.reply_work.drop()
