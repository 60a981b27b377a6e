"""The self-check runner: a fresh heap per check, one printed verdict."""

from __future__ import annotations

import functools
import warnings

from ..errors import KernelPtrError
from ..heap import Heap
from ..refcount import RefcountWarning

__all__ = ["Hint", "exercise"]

PASS = "✅ Correct!"
NOT_YET = "💡 Not yet:"


class Hint(Exception):
    """Raised by a check when the answer is recognisably wrong; its text is the hint."""


def exercise(check):
    """Turn `check(answer) -> pass message` into a self-check that prints its verdict.

    The check runs in a fresh heap (so the learner's notebook state is untouched) and may
    raise `Hint`; anything the learner's code raises is explained rather than shown as a
    traceback. It prints its verdict and returns nothing (so a notebook shows just the line).
    """

    @functools.wraps(check)
    def run(answer=None) -> None:
        with Heap(), warnings.catch_warnings():
            warnings.simplefilter("ignore", RefcountWarning)
            try:
                message = check(answer)
            except Hint as hint:
                print(NOT_YET, hint)
                return
            except NotImplementedError:
                print(NOT_YET, "replace the `...` / NotImplementedError with your answer, "
                      "then run this check again.")
                return
            except KernelPtrError as err:
                print(NOT_YET, f"your code raised {type(err).__name__}: {err.what}")
                if err.fix:
                    print("   fix:", err.fix)
                return
            except Exception as err:  # the learner's own bug: explain, don't crash
                print(NOT_YET, f"your code raised {type(err).__name__}: {err}")
                return
        print(PASS, message)

    run._kp_check = True
    return run
