"""Catalogue of notebook 01's exercises (behaviours 2, 3, 11, 16, 17 of the reference): the
right answer passes; wrong, copied and lazy answers get their hint; value hints escalate."""

import pathlib
import re

import kernelptr as kp
from kernelptr.course import checks
from kernelptr.course.checks.ex01 import PREDICT_PROGRAM

from _course import fresh_tries, hint, passes, starter_asks_for_an_answer  # noqa: F401

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "lecturers/src/01_arc_and_refcount_t.py"


def test_predict_count_program_is_the_one_the_notebook_shows():
    shown = re.search(r"# ```python\n(.*?)# ```", NOTEBOOK.read_text(), re.S).group(1)
    assert [line[2:] for line in shown.splitlines()] == PREDICT_PROGRAM.splitlines()


def test_predict_count_right_answer_passes():
    passes(checks.ex01_predict_count, [1, 2, 3, 2, 2, 3])
    starter_asks_for_an_answer(checks.ex01_predict_count, value=True)


def test_predict_count_hints_escalate_and_never_give_the_answer_on_the_first_miss():
    borrow_counted = [1, 2, 3, 2, 3, 4]
    first = hint(checks.ex01_predict_count, borrow_counted, "line 5", "not an owner")
    assert "3" not in first.message.split(":", 1)[1] and first.recording is None
    second = hint(checks.ex01_predict_count, borrow_counted, "step through")
    assert len(second.recording) == 4           # the picture stops before the wrong line
    third = hint(checks.ex01_predict_count, borrow_counted, "the answer is [1, 2, 3, 2, 2, 3]")
    assert third.wrong_event.op == "Arc::as_arc_borrow"


def test_predict_count_a_single_int_asks_for_a_list():
    hint(checks.ex01_predict_count, 3, "a list of 6 ints")


def test_predict_count_forgotten_drop_is_named_at_its_line():
    hint(checks.ex01_predict_count, [1, 2, 3, 3, 3, 4], "line 4", "gives its owner's count back")


def right_saturate(a):
    clones = []
    while a.refcount != kp.REFCOUNT_SATURATED:
        clones.append(a.clone())
    for clone in clones:
        clone.drop()
    return len(clones)


def test_saturate_right_answer_passes():
    passes(checks.ex01_saturate, right_saturate)
    starter_asks_for_an_answer(checks.ex01_saturate)


def test_saturate_copied_from_the_cell_above_is_refused():
    def copied(a):
        kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)
        overflow = a.clone()
        overflow.drop()
        return 1

    hint(checks.ex01_saturate, copied, "Refcount::set", "only clone() and drop()")


def test_saturate_hard_wired_number_of_clones_fails_on_the_second_start():
    def four(a):
        clones = [a.clone() for _ in range(4)]
        for c in clones:
            c.drop()
        return 4

    verdict = hint(checks.ex01_saturate, four, "never pushed the count past REFCOUNT_MAX",
                   "REFCOUNT_MAX - 6")
    assert verdict.wrong_event.op == "Arc::clone"


def test_saturate_clones_kept_dropped_a_and_wrong_count_returned():
    def keeps(a):
        clones = []
        while a.refcount != kp.REFCOUNT_SATURATED:
            clones.append(a.clone())
        return len(clones)

    def drops_a(a):
        n = right_saturate(a)
        a.drop()
        return n

    def off_by_one(a):
        return right_saturate(a) - 1

    def too_many(a):
        clones = []
        while a.refcount != kp.REFCOUNT_SATURATED:
            clones.append(a.clone())
        clones.append(a.clone())
        for c in clones:
            c.drop()
        return len(clones)

    hint(checks.ex01_saturate, keeps, "drop every clone")
    hint(checks.ex01_saturate, drops_a, "dropped `a` itself")
    hint(checks.ex01_saturate, off_by_one, "but returned")
    hint(checks.ex01_saturate, too_many, "stop there")


def test_saturate_loop_that_never_saturates_gets_a_loop_hint_not_a_hang():
    def forever(a):
        while a.refcount != kp.REFCOUNT_SATURATED + 1:
            a.clone().drop()

    hint(checks.ex01_saturate, forever, "`Arc::clone`", "was stopped")


def right_sizes(size, align):
    def round_up(n, a):
        return -(-n // a) * a
    return round_up(round_up(4, align) + size, max(4, align)), \
        round_up(round_up(16, align) + size, max(8, align))


def test_header_bytes_right_answer_passes():
    passes(checks.ex01_header_bytes, right_sizes)
    starter_asks_for_an_answer(checks.ex01_header_bytes)


def test_header_bytes_the_printed_value_is_not_an_answer():
    hint(checks.ex01_header_bytes, (16, 24), "works for any T")
    hint(checks.ex01_header_bytes, lambda size, align: (16, 24), "size 1 and alignment 1")


def test_header_bytes_common_layout_mistakes():
    hint(checks.ex01_header_bytes, lambda s, a: (4 + s, 16 + s), "multiple of its alignment")
    hint(checks.ex01_header_bytes, lambda s, a: (8 + s, right_sizes(s, a)[1]),
         "padded only up to T's alignment")
    hint(checks.ex01_header_bytes, lambda s, a: right_sizes(s, a)[::-1], "other way round")
    hint(checks.ex01_header_bytes, lambda s, a: (right_sizes(s, a)[0], 16 + s),
         "rounded up to a multiple")
