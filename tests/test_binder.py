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
    t.drop()
    assert heap.alloc_count == heap.free_count


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
    t.drop()
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
    t.drop()


def test_skip_neutralises_an_item(heap):
    t = binder.Thread("t1")
    t.push_work(binder.arc_try_new(binder.DeliverCode("BR_X", skip=True)))
    writer = []
    assert t.do_work(writer) == 1 and writer == []
    t.drop()


def test_allocation_failure_creates_nothing(heap):
    heap.fail_next_allocs()
    with pytest.raises(kp.AllocError):
        binder.arc_try_new(binder.DeliverCode("BR_NOOP"))


def test_snapshot_labels_the_threads_fields(heap):
    t = binder.Thread("t1")
    t.push_work(binder.arc_try_new(binder.DeliverCode("BR_NOOP")))
    snap = heap.snapshot()
    assert snap.handle("t.reply_work").type_str == "Arc<DTRWrap<ThreadError>>"
    assert snap.handle("t.return_work").type_str == "Arc<DTRWrap<ThreadError>>"
    assert snap.list("t.work_list").type_name == "DTRWrap<dyn DeliverToRead>"
    t.release()
    t.drop()


# -- tracking delegated to the wrapped value, as Binder's `tracked_by wrapped: T` -------------
def test_list_arc_try_from_arc_on_deliver_code_is_e0277_behaviour_27(heap):
    """behaviour 27: `DeliverCode` is `untracked`, and `DTRWrap<T>` delegates its tracking
    to `T`, so `DTRWrap<DeliverCode>` has no `TryNewListArc`: `ListArc::try_from_arc` does
    not compile (E0277), and nothing changes."""
    a = binder.arc_try_new(binder.DeliverCode("BR_NOOP")).into_arc()
    b = a.as_arc_borrow()
    events = len(heap.events)
    with pytest.raises(kp.TraitNotImplemented, match="E0277") as err:
        kp.ListArc.try_from_arc(a)
    assert "`DTRWrap<DeliverCode>: TryNewListArc<0>`" in str(err.value)
    assert "delegates its tracking (tracked_by) to `DeliverCode`" in str(err.value)
    with pytest.raises(kp.TraitNotImplemented, match="E0277"):
        kp.ListArc.try_from_arc_borrow(b)
    assert a.is_live() and a.refcount == 1 and len(heap.events) == events
    heap.check()
    assert heap.snapshot().object(a.address).trackers == {}    # no tracker anywhere
    a.drop()


def test_list_arc_try_from_arc_on_thread_error_uses_its_tracker_behaviour_26(heap):
    """behaviour 26 through delegation: `DTRWrap<ThreadError>`'s tracking is the
    ThreadError's `links_track: AtomicTracker`, embedded in the same allocation."""
    e = binder.ThreadError.try_new("BR_DEAD_REPLY", kp.GFP_KERNEL)
    assert kp.list.tracking_of(binder.DTRWrap, 0, e.deref()) == "tracked"
    assert heap.snapshot().object(e.address).trackers == {0: False}
    la = kp.ListArc.try_from_arc(e.clone()).unwrap()
    assert heap.snapshot().object(e.address).trackers == {0: True}
    again = kp.ListArc.try_from_arc(e.clone())
    assert again.is_err() and e.refcount == 3
    again.value.drop()
    la.drop()
    assert heap.snapshot().object(e.address).trackers == {0: False}
    e.drop()


def test_dtrwrap_of_a_value_without_list_arc_safe_is_e0277(heap):
    """`impl{T: ListArcSafe} ListArcSafe<0> for DTRWrap<T>`: wrapping a type that is not
    `ListArcSafe` gives no `ListArc<DTRWrap<T>>` (E0277 names the wrapped type); nothing is
    allocated."""
    @kp.impl_trait(binder.DeliverToRead)
    @kp.struct
    class Stray:
        def do_work(self: "kp.Arc[DTRWrap[Self]]", thread, writer): ...

        def cancel(self: "kp.Arc[DTRWrap[Self]]"): ...

        def should_sync_wakeup(self): ...

    with pytest.raises(kp.TraitNotImplemented, match="`Stray: ListArcSafe<0>`"):
        binder.arc_try_new(Stray())
    assert heap.alloc_count == 0


def test_thread_new_second_allocation_failure_changes_nothing(heap):
    """`InnerThread::new` allocates `reply_work` then `return_work`; when the second
    `ThreadError::try_new()?` fails, the first is dropped: nothing leaks."""
    heap.fail_next_allocs(0)
    allocs = heap.alloc_count
    original = binder.ThreadError.try_new

    calls = []

    def second_fails(code, flags=kp.GFP_KERNEL):
        calls.append(code)
        if len(calls) == 2:
            heap.fail_next_allocs(1)
        return original(code, flags)

    binder.ThreadError.try_new = staticmethod(second_fails)
    try:
        with pytest.raises(kp.AllocError):
            binder.Thread("t1")
    finally:
        binder.ThreadError.try_new = staticmethod(original)
    assert calls == ["BR_FAILED_REPLY", "BR_ERROR"]
    assert heap.objects() == [] and heap.leaks() == []
    assert heap.alloc_count == allocs + 1 == heap.free_count
    assert not heap.in_atomic() and all(lst._dropped or not lst._items() for lst in heap.lists)
    heap.check()


def test_thread_new_first_allocation_failure_creates_nothing(heap):
    heap.fail_next_allocs(1)
    with pytest.raises(kp.AllocError):
        binder.Thread("t1")
    assert heap.alloc_count == 0 and heap.objects() == []


def test_push_return_work_is_reusable_like_reply_work(heap):
    t = binder.Thread("t1")
    assert t.push_return_work() is binder.PushWorkOk
    assert t.push_return_work() is None and t.log == ["t1: return_work already in use"]
    writer = []
    assert t.do_work(writer) == 1 and writer == ["BR_ERROR"]
    t.drop()
    assert heap.alloc_count == heap.free_count == 2


def test_list_arc_try_from_arc_through_a_trait_object_is_e0277(heap):
    """`TryNewListArc` is not a supertrait of `DeliverToRead`, so `ListArc::try_from_arc` on
    an `Arc<DTRWrap<dyn DeliverToRead>>` does not compile even when the value inside is
    tracked; Binder keeps `reply_work` concrete (`DArc<ThreadError>`) for that reason."""
    e = binder.ThreadError.try_new("BR_DEAD_REPLY", kp.GFP_KERNEL)
    d = e.clone().into_dyn(binder.DeliverToRead)
    with pytest.raises(kp.TraitNotImplemented, match="DTRWrap<dyn DeliverToRead>: TryNewListArc"):
        kp.ListArc.try_from_arc(d)
    assert d.is_live() and e.refcount == 2 and heap.snapshot().object(e.address).trackers[0] \
        is False
    la = kp.ListArc.try_from_arc(e.clone()).unwrap().into_dyn(binder.DeliverToRead)
    assert la.type_str() == "ListArc<DTRWrap<dyn DeliverToRead>, 0>"
    for h in (la, d, e):
        h.drop()
