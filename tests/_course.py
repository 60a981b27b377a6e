"""Helpers of the exercise catalogue tests (tests/test_course_checks_exNN.py): run a check on
an answer and assert the verdict a learner would see."""

import pytest

from kernelptr.course import forget_tries


@pytest.fixture(autouse=True)
def fresh_tries():
    """Every test starts a fresh session: value hints begin at the rule again."""
    forget_tries()
    yield
    forget_tries()


def passes(check, answer):
    """The check accepts `answer` (the verdict, for more asserts)."""
    verdict = check(answer)
    assert verdict.passed, verdict.text
    assert verdict.text.startswith("✅ Correct!")
    return verdict


def hint(check, answer, *expected):
    """The check refuses `answer` with a hint containing every text in `expected`."""
    verdict = check(answer)
    assert not verdict.passed, f"a wrong answer passed: {verdict.text}"
    assert verdict.text.startswith("💡 Not yet:")
    for text in expected:
        assert text in verdict.message, verdict.message
    return verdict


def starter_asks_for_an_answer(check, *, value: bool = False):
    """The unanswered starter (`...`, or a function whose body is `...`) is not a miss."""
    def body_only(*args):
        ...

    for answer in (...,) if value else (..., body_only):
        verdict = check(answer)
        assert "replace the `...`" in verdict.message and verdict.recording is None
