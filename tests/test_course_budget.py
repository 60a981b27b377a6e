"""The operation budget (kernelptr/course/budget.py): a learner's loop that never ends is
stopped quickly, with a hint naming the step that repeats."""

import re

import pytest

import kernelptr as kp
from kernelptr.course import Budget, BudgetExceeded
from kernelptr.list.example import queue


def stopped(fn, *args, **limits) -> str:
    with pytest.raises(BudgetExceeded) as stop:
        with Budget(**limits):
            fn(*args)
    return stop.value.hint


def test_a_cursor_that_never_moves_is_named(heap):
    q = queue(3)

    def stuck(q):
        cursor = q.cursor_front()
        while cursor.peek_next() is not None:
            pass

    text = stopped(stuck, q)
    assert re.match(r"your loop called `Cursor::peek_next` [\d,]+ times without "
                    r"`Cursor::move_next`", text), text


def test_reading_fields_is_not_a_step_but_a_pure_python_loop_is_still_stopped(heap):
    a = kp.Arc.new(kp.list.example.Job(1), kp.GFP_KERNEL)

    def reads(a):
        while a.n < 2:
            pass

    text = stopped(reads, a, max_lines=2_000)
    assert "ran line" in text and "`while a.n < 2:`" in text


def test_a_loop_of_model_operations_is_stopped_after_max_events(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)

    def churn(a):
        while True:
            a.clone().drop()

    text = stopped(churn, a, max_events=100)
    assert "`Arc::clone`" in text and "`Arc::drop`" in text and "steps in all" in text
    heap.check()                    # stopped between two operations: no half-done one
    a.drop()


def test_except_exception_cannot_swallow_the_stop(heap):
    def stubborn():
        while True:
            try:
                pass
            except Exception:
                pass

    assert "ran line" in stopped(stubborn, max_lines=500)


def test_the_budget_restores_a_previous_tracer_and_counts_only_the_learners_calls(heap):
    import sys

    def tracer(frame, event, arg):
        return None

    sys.settrace(tracer)
    try:
        with Budget() as budget:
            a = kp.Arc.new(1, kp.GFP_KERNEL)
            a.clone().drop()
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)
    assert budget.calls["Arc::clone"] == 1 and budget.n_events == 3
