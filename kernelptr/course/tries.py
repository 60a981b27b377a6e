"""Escalating hints: the rule first, then a pointer to where to look, then the answer.

Shared by the self-checks that ask for a value and by the prediction widgets: a learner who
misses once is told the rule, never the answer; the answer comes only after the third miss.
"""

from __future__ import annotations

import re

__all__ = ["Tries", "same_answer", "MISSES_BEFORE_ANSWER"]

#: The answer is given with the hint of this miss (and every later one).
MISSES_BEFORE_ANSWER = 3


class Tries:
    """Counts a learner's wrong tries at one question and picks the hint for each (the
    course's own tool, nothing in the kernel).

    A miss is told the rule it breaks first, never the answer; the second miss gets a
    pointer to where to look (a cell, a picture) when there is one; from the third miss on
    the hint gives the answer. A pass resets the count.

    >>> t = Tries()
    >>> rule, look = "an ArcBorrow owns no count.", "step through the cell above."
    >>> t.miss(rule=rule, pointer=look, answer="3")
    'an ArcBorrow owns no count.'
    >>> t.miss(rule=rule, pointer=look, answer="3")
    'step through the cell above.'
    >>> t.miss(rule=rule, pointer=look, answer="3")
    'the answer is 3: an ArcBorrow owns no count.'
    """

    def __init__(self):
        self.misses = 0

    def miss(self, *, rule: str, answer: str, pointer: str = "", why: str = "") -> str:
        """Record one wrong try and return its hint. `why` explains the answer when it is
        given (default: the rule)."""
        self.misses += 1
        if self.misses >= MISSES_BEFORE_ANSWER:
            return f"the answer is {answer}: {why or rule}"
        if self.misses == 2 and pointer:
            return pointer
        return rule

    def passed(self) -> None:
        self.misses = 0

    @property
    def gave_answer(self) -> bool:
        """Whether the last hint gave the answer away."""
        return self.misses >= MISSES_BEFORE_ANSWER


def _norm(value):
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(_norm(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    text = re.sub(r"[`'\"]", "", str(value)).strip().lower()
    text = re.sub(r"\s+", " ", text)
    if re.fullmatch(r"[-+]?\d+", text.replace("_", "").replace(",", "")):
        return int(text.replace("_", "").replace(",", ""))
    if re.fullmatch(r"0x[0-9a-f]+", text):
        return int(text, 16)
    return text


def same_answer(given, expected) -> bool:
    """Whether a learner's answer means the expected one: numbers typed as text count
    (`"3"`, `"2,147,483,647"`, `"0x10"`, `"true"`); quotes, backticks, case and spaces do
    not.

    >>> same_answer("  3 ", 3), same_answer("`list q`", "list q"), same_answer([16, 24], (16, 24))
    (True, True, True)
    >>> same_answer("4", 3)
    False
    """
    return _norm(given) == _norm(expected)
