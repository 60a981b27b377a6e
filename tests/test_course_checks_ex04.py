"""Catalogue of notebook 04's exercises (behaviours 23, 25-28, 31, 48 of the reference): a
second ListArc for an existing object; queue at most once from a borrow."""

import kernelptr as kp
from kernelptr.course import checks
from kernelptr.course.checks import Task

from _course import fresh_tries, hint, passes, starter_asks_for_an_answer  # noqa: F401


def right_share(by_time, by_owner):
    arc = by_time.pop_front().into_arc()
    unique = kp.Arc.into_unique_or_drop(arc)
    t0, t1 = kp.ListArc.pair_from_pin_unique(unique, ids=(0, 1))
    by_time.push_front(t0)
    by_owner.push_back(t1)


def test_share_front_right_answer_passes():
    passes(checks.ex04_share_front, right_share)
    starter_asks_for_an_answer(checks.ex04_share_front)


def test_share_front_with_unchecked_and_a_plain_arc_is_refused():
    def unsafe(by_time, by_owner):
        kp.unchecked.push_back(by_owner, by_time.first.clone_arc())

    verdict = hint(checks.ex04_share_front, unsafe, "kp.unchecked is raw `unsafe` code")
    assert verdict.wrong_event.op == "unchecked::push_back"


def test_share_front_pasted_example_allocates_a_copy():
    def pasted(by_time, by_owner):
        t0, t1 = kp.ListArc.pair_from_unique(kp.UniqueArc.new(Task("write"), kp.GFP_KERNEL),
                                             ids=(0, 1))
        by_time.push_back(t0)
        by_owner.push_back(t1)

    def same_name_copy(by_time, by_owner):
        copy = kp.ListArc.new(Task(by_time.first.name), kp.GFP_KERNEL, id=1)
        by_owner.push_back(copy)

    hint(checks.ex04_share_front, pasted, "a copy is another task")
    hint(checks.ex04_share_front, same_name_copy, "a copy is another task")


def test_share_front_untracked_type_has_no_try_from_arc_and_listarc_no_clone():
    def tracked(by_time, by_owner):
        by_owner.push_back(kp.ListArc.try_from_arc(by_time.first.clone_arc(), id=1).unwrap())

    def clones(by_time, by_owner):
        la = by_time.pop_front()
        by_owner.push_back(la.clone())

    hint(checks.ex04_share_front, tracked, "`untracked`", "only from a UniqueArc")
    hint(checks.ex04_share_front, clones, "never Clone")


def test_share_front_unique_while_the_list_still_holds_it():
    def not_popped(by_time, by_owner):
        unique = kp.Arc.into_unique_or_drop(by_time.first.clone_arc())
        t0, t1 = kp.ListArc.pair_from_pin_unique(unique, ids=(0, 1))

    verdict = hint(checks.ex04_share_front, not_popped, "found other owners", "take the task out")
    assert verdict.wrong_event.op == "Arc::into_unique_or_drop"


def test_share_front_order_lost():
    def pushed_back(by_time, by_owner):
        arc = by_time.pop_front().into_arc()
        t0, t1 = kp.ListArc.pair_from_pin_unique(kp.Arc.into_unique_or_drop(arc), ids=(0, 1))
        by_time.push_back(t0)
        by_owner.push_back(t1)

    hint(checks.ex04_share_front, pushed_back, "by_time should still iterate")


def right_enqueue(q, event):
    la = kp.ListArc.try_from_arc_borrow(event)
    if la is None:
        return False
    q.push_back(la)
    return True


def test_enqueue_once_right_answers_pass():
    def via_clone_arc(q, event):
        match kp.ListArc.try_from_arc(event.clone_arc()):
            case kp.Ok(la):
                q.push_back(la)
                return True
            case kp.Err(back):
                back.drop()
                return False

    passes(checks.ex04_enqueue_once, right_enqueue)
    passes(checks.ex04_enqueue_once, via_clone_arc)
    starter_asks_for_an_answer(checks.ex04_enqueue_once)


def test_enqueue_once_testing_whether_the_list_is_empty_is_not_the_tracker():
    def if_empty(q, event):
        if q.is_empty():
            q.push_back(kp.ListArc.try_from_arc(event.clone_arc()).unwrap())
            return True
        return False

    hint(checks.ex04_enqueue_once, if_empty, "`q.is_empty()` says nothing", "AtomicTracker")


def test_enqueue_once_searching_the_list_misses_other_lists():
    def search(q, event):
        if any(item.address == event.address for item in q):
            return False
        q.push_back(kp.ListArc.try_from_arc(event.clone_arc()).unwrap())
        return True

    hint(checks.ex04_enqueue_once, search, "in another list", "unwrapped an Err")


def test_enqueue_once_leaks_the_err_arc_and_pastes_the_owned_version():
    def leaks(q, event):
        match kp.ListArc.try_from_arc(event.clone_arc()):
            case kp.Ok(la):
                q.push_back(la)
                return True
            case kp.Err(_):
                return False

    def pasted(q, e):
        match kp.ListArc.try_from_arc(e.clone()):
            case kp.Ok(le):
                q.push_back(le)
                return True
            case kp.Err(back):
                back.drop()
                return False

    hint(checks.ex04_enqueue_once, leaks, "1 count(s) leaked")
    hint(checks.ex04_enqueue_once, pasted, "is an ArcBorrow")


def test_enqueue_once_unchecked_push_is_refused():
    def unsafe(q, event):
        kp.unchecked.push_back(q, event.clone_arc())
        return True

    hint(checks.ex04_enqueue_once, unsafe, "kp.unchecked")
