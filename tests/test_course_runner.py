"""The self-check runner (kernelptr/course/runner.py, attempt.py, verdict.py): a fresh heap per
check, a one-line verdict that carries the learner's run and its first wrong step."""

import re

import pytest

import kernelptr as kp
from kernelptr.course import Hint, Verdict, attempt, checks, escalate, exercise, forget_tries
from kernelptr.course.verdict import excerpt

from _course import fresh_tries  # noqa: F401


def test_checks_do_not_touch_the_learners_heap():
    heap = kp.reset()
    checks.ex01_predict_count([1, 2, 3, 2, 2, 3])
    checks.ex00_two_owners(lambda v: (kp.Arc.new(v, kp.GFP_KERNEL),) * 2)
    assert heap.alloc_count == 0 and heap.events == [] and kp.current_heap() is heap


def test_a_verdict_is_one_line_without_python_ids():
    verdict = checks.ex00_two_owners(lambda v: (kp.Arc.new(v, kp.GFP_KERNEL),) * 2)
    assert isinstance(verdict, Verdict) and not verdict
    assert repr(verdict) == str(verdict) == verdict.text
    assert "\n" not in verdict.text and not re.search(r"0x7f[0-9a-f]{6,}", verdict.text)


def test_a_failing_verdict_carries_the_run_and_the_first_wrong_step():
    def separate(value):
        return kp.Arc.new(value, kp.GFP_KERNEL), kp.Arc.new(value, kp.GFP_KERNEL)

    verdict = checks.ex00_two_owners(separate)
    assert [f.event.op for f in verdict.recording.frames] == ["Arc::new", "Arc::new"]
    assert verdict.wrong_step == 1
    assert verdict.wrong_event.addresses != verdict.recording.frames[0].event.addresses


def test_what_the_learners_code_raises_is_explained_not_a_traceback():
    def moved(value):
        a = kp.Arc.new(value, kp.GFP_KERNEL)
        a.drop()
        return a, a.clone()

    verdict = checks.ex00_two_owners(moved)
    assert verdict.message.startswith("your code raised UseAfterMove:") and "Fix:" in \
        verdict.message
    assert verdict.wrong_event.op == "Arc::drop"       # the last step before the error
    assert "ZeroDivisionError" in checks.ex00_two_owners(lambda v: 1 / 0).message


def test_a_long_run_is_shown_as_an_excerpt_around_the_wrong_step(heap):
    with kp.record() as rec:
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        for _ in range(100):
            a.clone().drop()
    short, index = excerpt(rec, 150)
    assert len(short) == 36 and short.frames[index] is rec.frames[150]
    assert short.source(index) == rec.source(150)


def test_escalate_gives_rule_then_pointer_then_answer_and_a_pass_resets():
    @exercise
    def ex99_value(answer):
        if answer == 42:
            return "42."
        raise escalate(rule="the rule.", pointer="look at cell 3.", answer="42")

    assert ex99_value(1).message == "the rule."
    assert ex99_value(1).message == "look at cell 3."
    assert ex99_value(1).message == "the answer is 42: the rule."
    assert ex99_value(42).passed
    assert ex99_value(1).message == "the rule."
    forget_tries()


def test_attempt_records_context_and_unsafe_steps(heap):
    from kernelptr.list.example import Job, queue

    lock = kp.SpinLock(None, "q_lock")
    q = queue(1)

    def answer():
        x = kp.Arc.new(Job(9), kp.GFP_KERNEL)
        with lock.lock():
            kp.unchecked.push_back(q, x)

    with pytest.raises(Hint, match="needs no `unsafe`"):
        attempt(answer)
    run = attempt(answer, unsafe=None)
    push = run.first("unchecked::push_back")
    assert run.unsafe() == [push] and run.atomic(push) and run.locks(push) == ("q_lock",)
    assert not run.atomic(run.first("Arc::new"))
    assert run.index(push) == 2 and run.called("SpinLock::lock") == 1


def test_a_hint_can_carry_another_picture_or_none():
    @exercise
    def ex99_picture(answer):
        raise Hint("no picture here.", recording=False)

    assert ex99_picture(1).recording is None
