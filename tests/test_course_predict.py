"""Quantities a learner predicts before a step (kernelptr/course/predict.py) and escalating
tries (kernelptr/course/tries.py)."""

import pytest

import kernelptr as kp
from kernelptr.course import Tries, predict, same_answer
from kernelptr.list.example import Job


@pytest.fixture
def pushes(heap):
    with kp.record() as rec:
        q = kp.List(Job, id=0)
        a = kp.ListArc.new(Job("a"), kp.GFP_KERNEL)
        b = kp.ListArc.new(Job("b"), kp.GFP_KERNEL)
        q.push_back(a)
        q.push_back(b)
    return [f.snapshot for f in rec.frames]


def test_refcount_holder_list_and_links_are_read_from_the_snapshot(pushes):
    before, after = pushes[3], pushes[4]
    assert predict.refcount("a").value(after) == 1
    assert predict.holder("a").value(pushes[2]) == "a"          # behaviour 36: pushing moves it
    assert predict.holder("a").value(after) == "list q"
    assert predict.list_of("b").value(before) == predict.NO_LIST
    assert predict.list_of("b").value(after) == "q"
    assert predict.next_of("a").value(before) == "a"            # behaviour 38: alone, its own next
    assert predict.next_of("b").value(after) == "a"             # behaviour 39: the ring closes
    assert predict.prev_of("a").value(after) == "b"


def test_options_always_contain_the_answer(pushes):
    before, after = pushes[3], pushes[4]
    for q in (predict.holder("b"), predict.list_of("b"), predict.next_of("b")):
        assert q.value(after) in q.options(before, after)
    assert predict.refcount("a").options(before, after) is None


def test_a_target_that_does_not_exist_says_so(pushes):
    with pytest.raises(LookupError, match="names no handle"):
        predict.refcount("zz").value(pushes[4])


def test_tries_never_give_the_answer_before_the_third_miss():
    t = Tries()
    hints = [t.miss(rule="R", pointer="P", answer="A") for _ in range(4)]
    assert hints[:2] == ["R", "P"] and all("A" in h for h in hints[2:])
    t.passed()
    assert t.miss(rule="R", answer="A") == "R"
    t.miss(rule="R", answer="A")
    assert t.miss(rule="R", answer="A") == "the answer is A: R"   # no pointer: rule again


def test_same_answer_reads_typed_numbers_and_names():
    assert same_answer("2,147,483,647", kp.REFCOUNT_MAX)
    assert same_answer(" List q ", "list q") and same_answer("[1, 2]", "[1, 2]")
    assert not same_answer("3", 4) and not same_answer(True, 1)
    assert same_answer("true", True) and same_answer("0x10", 16)


def test_link_questions_read_as_a_sentence():
    """The StepQuiz prompt ends with the quantity: "what is the item that `a`'s next
    pointer (ID 0) points to?"."""
    assert predict.next_of("a").describe() == \
        "the item that `a`'s next pointer (ID 0) points to"
    assert predict.prev_of("c", id=1).describe() == \
        "the item that `c`'s prev pointer (ID 1) points to"
