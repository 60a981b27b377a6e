"""Outcomes of prediction programs (kernelptr/course/outcome.py): run on a fresh heap, the
error or value kept, matched to the choices a question offers."""

import pytest

import kernelptr as kp
from kernelptr.course import run_program
from kernelptr.course.outcome import choice_key


def test_an_error_outcome_keeps_its_rustc_code_and_rule(heap):
    def moved():
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        a.drop()
        a.clone()

    out = run_program(moved)
    assert out.key == "E0382" and out.matches("UseAfterMove") and not out.matches("ok")
    assert "consumes the handle" in out.rule and out.describe().startswith("UseAfterMove:")
    assert heap.alloc_count == 0            # the learner's heap is untouched


def test_runtime_bugs_without_a_rustc_code_are_matched_by_class(heap):
    def sleeps():
        lock = kp.SpinLock(None, "l")
        with lock.lock():
            kp.Arc.new(1, kp.GFP_KERNEL)

    out = run_program(sleeps)
    assert out.code is None and out.key == "SleepInAtomicContext"
    keys = ["ok", "E0382", "SleepInAtomicContext"]
    assert out.best(keys) == 2


def test_warnings_make_a_warns_outcome_and_ok_still_matches(heap):
    def saturates():
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)
        return a.clone()

    out = run_program(saturates)
    assert out.key == "warns" and out.best(["ok", "warns"]) == 1 and out.best(["ok"]) == 0
    assert "saturated" in out.describe()
    assert run_program(lambda: 1).key == "ok"


def test_choice_labels_name_their_outcome():
    assert choice_key("error[E0499]: cannot borrow `q` as mutable twice") == "E0499"
    assert choice_key("it compiles; at run time: UseAfterFree") == "UseAfterFree"
    assert choice_key("compiles, and the kernel log warns") == "warns"
    assert choice_key("compiles and runs") == "ok"
    with pytest.raises(ValueError):
        choice_key("something else")


def test_a_program_that_never_ends_is_stopped(heap):
    def forever():
        while True:
            pass

    out = run_program(forever)
    assert isinstance(out.error, RuntimeError) and "ran line" in str(out.error)
