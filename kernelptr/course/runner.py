"""The self-check runner: a fresh heap per check, a `Verdict` the notebook shows."""

from __future__ import annotations

import functools
import warnings

from ..errors import KernelPtrError
from ..heap import Heap
from ..refcount import RefcountWarning
from .attempt import Hint, forget_runs, latest_run
from .tries import Tries
from .verdict import Verdict, excerpt

__all__ = ["Hint", "exercise", "escalate", "forget_tries"]

STARTER = "replace the `...` with your answer, then run this check again."

_tries: dict = {}          # exercise name -> Tries (wrong tries in this kernel session)
_current: list = []        # the name of the exercise whose check is running


def forget_tries() -> None:
    """Forget every learner's wrong tries (a fresh session: hints start at the rule)."""
    _tries.clear()


def escalate(*, rule: str, answer: str, pointer: str = "", why: str = "") -> Hint:
    """The hint for a wrong value answer of the running check: the rule on the first miss,
    then the pointer, then the answer (see `Tries`). Raise what it returns; its `level` is
    1, 2 or 3 (3: the answer was given), for checks that show more with each level."""
    name = _current[-1] if _current else ""
    tries = _tries.setdefault(name, Tries())
    hint = Hint(tries.miss(rule=rule, answer=answer, pointer=pointer, why=why))
    hint.level = min(tries.misses, 3)
    return hint


def _failed(name: str, text: str, hint: Hint | None) -> Verdict:
    """A failing verdict with the picture of the run it concerns, first wrong step marked."""
    if hint is not None and hint.recording is not None:
        if hint.recording is False:
            return Verdict(False, text, exercise=name)
        index = hint.index if hint.index is not None else len(hint.recording) - 1
        return Verdict(False, text, exercise=name, recording=hint.recording, wrong_step=index)
    run = (hint.run if hint is not None else None) or latest_run()
    if run is None or not len(run.recording):
        return Verdict(False, text, exercise=name)
    at = hint.at if hint is not None else None
    index = run.index(at) if at is not None else None
    if index is None:
        index = len(run.recording) - 1
    recording, index = excerpt(run.recording, index)
    return Verdict(False, text, exercise=name, recording=recording, wrong_step=index)


def exercise(check):
    """Turn `check(answer) -> pass message` into a self-check that returns a `Verdict`.

    The check runs in a fresh heap (the learner's notebook state is untouched); it runs the
    learner's code with `attempt` (recorded, on an operation budget) and raises `Hint` for a
    mistake it recognises. Whatever the learner's code raises is explained in the verdict,
    never shown as a traceback. The notebook shows the verdict's one line; with `widgets`
    imported, a failing verdict also shows a Stepper of the learner's run.
    """
    name = check.__name__

    @functools.wraps(check)
    def run(answer=None) -> Verdict:
        forget_runs()
        _current.append(name)
        try:
            with Heap(), warnings.catch_warnings():
                warnings.simplefilter("ignore", RefcountWarning)
                try:
                    message = check(answer)
                except Hint as hint:
                    return _failed(name, hint.text, hint)
                except NotImplementedError:
                    return Verdict(False, STARTER, exercise=name)
                except KernelPtrError as err:
                    fix = f" Fix: {err.fix}" if err.fix else ""
                    return _failed(name, f"{type(err).__name__}: {err.what}.{fix}"
                                   .replace("..", "."), None)
                except Exception as err:  # the learner's own bug: explain, don't crash
                    return _failed(name, f"your code raised {type(err).__name__}: {err}", None)
            _tries.pop(name, None)
            return Verdict(True, message, exercise=name)
        finally:
            _current.pop()
            forget_runs()

    run._kp_check = True
    return run
