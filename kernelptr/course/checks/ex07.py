"""Checks of notebook 07 (case study): deliver to the first live thread; kick many jobs."""

from __future__ import annotations

from ... import flags as _flags
from ...arc import Arc
from ...struct import struct
from ...traits import impl_trait
from ..attempt import Hint, attempt
from ..runner import exercise
from ._common import fresh

__all__ = ["ex07_deliver", "ex07_kick_all"]


def _work_list(thread) -> list:
    with thread.inner.lock() as guard:
        return [w.address for w in guard.value.work_list]


@exercise
def ex07_deliver(deliver):
    """`deliver(threads, work)`: push `work` to the first thread that takes it (a dead one
    hands it back with FailedDead: offer that same work to the next); return that thread's
    index, or None, dropping the work after the lock, when every thread is dead."""
    from ... import binder

    direct = None           # a run that locked a thread itself: said after the worse mistakes
    for alive in ([True], [False, False, True], [False]):
        with fresh() as heap:
            threads = []
            for i, live in enumerate(alive):
                t = binder.Thread(f"t{i}")
                if not live:
                    t.release()
                threads.append(t)
            work = binder.arc_try_new(binder.DeliverCode("BR_SPAWN_LOOPER"))
            address = work.address
            allocs = heap.alloc_count
            expected = alive.index(True) if True in alive else None
            run = attempt(deliver, threads, work)
            inside = [e for e in run.touching(address, "ListArc::drop", "Arc::drop")
                      if run.atomic(e)]
            if inside:
                raise Hint(f"you dropped the work while holding `{run.locks(inside[0])[-1]}`: "
                           "its destructor would run in atomic context. Let push_work release "
                           "the lock, then drop what it handed back.", at=inside[0])
            if run.called("SpinLock::lock") and direct is None:
                direct = run
            if heap.alloc_count != allocs:
                raise Hint("you allocated new work: FailedDead hands back the very ListArc you "
                           "pushed; offer that to the next thread.",
                           at=run.first("ListArc::new"))
            if run.result != expected:
                what = "every thread was dead" if expected is None else \
                    f"thread {expected} was the first alive"
                raise Hint(f"{what} (alive: {alive}), and you returned {run.result!r}.")
            if run.called("Thread::push_work") > len(alive[:(expected or 0) + 1]) and \
                    expected is not None:
                raise Hint("stop at the first thread that takes the work.")
            if expected is not None and _work_list(threads[expected]) != [address]:
                raise Hint(f"the work should be on thread {expected}'s todo list.")
            if expected is None and not heap.object_at(address).freed:
                raise Hint("every thread was dead and the work came back, but it was not "
                           "dropped: it leaks. Drop what FailedDead hands back.")
    if direct is not None:
        raise Hint("call thread.push_work(work): it takes the thread's lock itself (locking "
                   "thread.inner yourself rewrites the driver).", run=direct,
                   at=direct.first("SpinLock::lock"))
    return "the same work went from dead thread to dead thread until one took it; when none " \
           "did, you dropped it outside the lock."


def _flush_type():
    from ... import workqueue as wq

    @wq.impl_has_work(id=0, field="work")
    @impl_trait(wq.WorkItem)
    @struct
    class Flush:
        name: str
        work: kp.workqueue.Work[0]

        def run(this: "kp.Arc[Self]"):
            pass

    return Flush


@exercise
def ex07_kick_all(kick_all):
    """`kick_all(queue, jobs)`: enqueue a clone of each job (the same job may appear twice,
    and one may be pending already); return how many were newly queued; never leak."""
    from ... import workqueue as wq

    Flush = _flush_type()
    for names, pending, expected in ((["a", "b"], (), 2), (["c", "d", "c"], ("c",), 1)):
        with fresh():
            q = wq.Queue("events")
            made = {n: Arc.new(Flush(n), _flags.GFP_KERNEL) for n in dict.fromkeys(names)}
            for n in pending:
                q.enqueue(made[n].clone())
            jobs = [made[n] for n in names]
            run = attempt(kick_all, q, jobs)
            moved = [n for n, job in made.items() if job._state != "live"]
            if moved:
                raise Hint(f"the caller's own Arc for {moved[0]!r} was moved into the queue: "
                           "enqueue a clone (job.clone()), the queue's own reference.",
                           at=run.first("Queue::enqueue"))
            if run.result != expected:
                already = " (one was pending before you started: only the queue knows)" \
                    if pending else ""
                raise Hint(f"the jobs were {names}{already}; {expected} got newly queued, you "
                           f"returned {run.result!r}.")
            for n, job in made.items():
                if job.refcount != 2:
                    raise Hint(f"{n!r} has refcount {job.refcount}, expected 2 (yours + the "
                               "queue's): drop the Arc that Err(arc) hands back."
                               if job.refcount > 2 else f"{n!r} lost a count.",
                               at=run.touching(job.address, "Queue::enqueue")[-1]
                               if run.touching(job.address, "Queue::enqueue") else None)
            q.run_pending()
            if any(job.refcount != 1 for job in made.values()):
                raise Hint("after the queue ran, only your own references should remain.")
    return "each job queued at most once; every Err(arc) from an already pending job was " \
           "dropped, so the counts balance."
