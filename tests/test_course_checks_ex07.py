"""Catalogue of notebook 07's exercises (behaviours 68, 69, 79 of the reference): Binder's
FailedDead hands the work back; a workqueue's Err(arc) must be dropped."""

import kernelptr as kp
from kernelptr import binder
from kernelptr.course import checks

from _course import fresh_tries, hint, passes, starter_asks_for_an_answer  # noqa: F401


def right_deliver(threads, work):
    for i, thread in enumerate(threads):
        match thread.push_work(work):
            case binder.FailedDead(back):
                work = back
            case _:
                return i
    work.drop()
    return None


def test_deliver_right_answer_passes():
    passes(checks.ex07_deliver, right_deliver)
    starter_asks_for_an_answer(checks.ex07_deliver)


def test_deliver_dropping_work_while_holding_the_threads_spinlock():
    def reimplemented(threads, work):
        for i, thread in enumerate(threads):
            with thread.inner.lock() as guard:
                if guard.value.is_dead:
                    if i == len(threads) - 1:
                        work.drop()                  # inside `t0.inner`: atomic context
                        return None
                    continue
                guard.value.work_list.push_back(work)
                return i

    verdict = hint(checks.ex07_deliver, reimplemented, "while holding `t0.inner`",
                   "atomic context")
    assert "inside spinlock" in verdict.wrong_event.summary


def test_deliver_locking_the_thread_yourself():
    def own_lock(threads, work):
        for i, thread in enumerate(threads):
            with thread.inner.lock() as guard:
                dead = guard.value.is_dead
            if not dead:
                thread.push_work(work)
                return i
        work.drop()
        return None

    hint(checks.ex07_deliver, own_lock, "call thread.push_work(work)")


def test_deliver_leaks_stops_early_and_allocates_new_work():
    def leaks(threads, work):
        for i, thread in enumerate(threads):
            res = thread.push_work(work)
            if not isinstance(res, binder.FailedDead):
                return i
            work = res.work
        return None

    def first_only(threads, work):
        match threads[0].push_work(work):
            case binder.FailedDead(back):
                back.drop()
                return None
        return 0

    def new_work(threads, work):
        for i, thread in enumerate(threads):
            res = thread.push_work(work)
            if not isinstance(res, binder.FailedDead):
                return i
            res.work.drop()
            work = binder.arc_try_new(binder.DeliverCode("BR_NOOP"))
        work.drop()
        return None

    hint(checks.ex07_deliver, leaks, "it leaks")
    hint(checks.ex07_deliver, first_only, "thread 2 was the first alive")
    hint(checks.ex07_deliver, new_work, "you allocated new work")


def right_kick_all(queue, jobs):
    queued = 0
    for job in jobs:
        match queue.enqueue(job.clone()):
            case kp.Ok(_):
                queued += 1
            case kp.Err(back):
                back.drop()
    return queued


def test_kick_all_right_answer_passes():
    passes(checks.ex07_kick_all, right_kick_all)
    starter_asks_for_an_answer(checks.ex07_kick_all)


def test_kick_all_leaking_the_err_arc():
    def leaks(queue, jobs):
        return sum(queue.enqueue(job.clone()).is_ok() for job in jobs)

    verdict = hint(checks.ex07_kick_all, leaks, "drop the Arc that Err(arc) hands back")
    assert verdict.wrong_event.op == "Queue::enqueue"


def test_kick_all_own_bookkeeping_instead_of_asking_the_queue():
    def seen_set(queue, jobs):
        seen, queued = set(), 0
        for job in jobs:
            if job.address not in seen:
                seen.add(job.address)
                queue.enqueue(job.clone())
                queued += 1
        return queued

    hint(checks.ex07_kick_all, seen_set, "only the queue knows")


def test_kick_all_moving_the_callers_arc():
    def moves(queue, jobs):
        return sum(queue.enqueue(job).is_ok() for job in jobs)

    hint(checks.ex07_kick_all, moves, "enqueue a clone")
