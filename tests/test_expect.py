"""`kp.expect_error`: a cell that demonstrates a misuse shows the error and lets the notebook
go on, and fails loudly when the lesson does not happen."""

import pytest

import kernelptr as kp


@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Job:
    name: str
    links: kp.ListLinks[0]


def test_expected_error_is_printed_with_rule_rustc_and_fix_and_swallowed(capsys):
    kp.reset()
    la = kp.ListArc.new(Job("j"), kp.GFP_KERNEL)
    with kp.expect_error(kp.NotClone) as caught:
        la.clone()
    out = capsys.readouterr().out
    assert out.startswith("NotClone (expected): ")
    assert "rule:" in out and "fix:" in out and "rustc: error[E0599]" in out
    assert isinstance(caught.error, kp.NotClone)
    assert la.refcount == 1          # nothing changed, and the cell went on


def test_several_expected_classes_and_subclasses_are_accepted(capsys):
    kp.reset()
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    a.drop()
    with kp.expect_error(kp.BorrowError, kp.UseAfterMove):
        a.clone()
    with kp.expect_error():                 # any KernelPtrError
        a.clone()
    assert capsys.readouterr().out.count("(expected)") == 2


def test_no_error_fails_loudly():
    kp.reset()
    with pytest.raises(kp.ExpectedErrorMissing, match="meant to show NotClone"):
        with kp.expect_error(kp.NotClone):
            kp.Arc.new(1, kp.GFP_KERNEL)


def test_another_error_propagates_unchanged():
    kp.reset()
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    a.drop()
    with pytest.raises(kp.UseAfterMove):
        with kp.expect_error(kp.NotClone):
            a.clone()
    with pytest.raises(ZeroDivisionError):
        with kp.expect_error(kp.NotClone):
            1 / 0


def test_an_error_that_changed_the_heap_is_reported_as_a_model_bug(capsys):
    kp.reset()
    a = kp.Arc.new(Job("x"), kp.GFP_KERNEL)
    left, right = kp.List(Job, id=0), kp.List(Job, id=0)
    with pytest.raises(kp.InvariantViolation, match="changed the heap"):
        with kp.expect_error(kp.UndefinedBehavior):
            kp.unchecked.push_back(left, a.clone())
            kp.unchecked.push_back(right, a.clone())   # corrupts the links ...
            raise kp.UndefinedBehavior("stand-in for a refused operation")


def test_only_model_error_classes_can_be_expected():
    with pytest.raises(kp.TypeMismatch, match="expected an error class"):
        kp.expect_error(ValueError)
