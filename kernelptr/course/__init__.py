"""The course's exercises and predictions: self-checks, verdicts and committed predictions.

A check (`kernelptr.course.checks.ex03_build`) runs a learner's answer on fresh heaps,
recorded and on an operation budget, looks at what the code did, and returns a `Verdict`:
one line to read, plus the recording of the learner's run with its first wrong step (drawn
as a Stepper when `widgets` is imported). `Outcome` runs a program for a prediction
question ("does this compile?", "what is the refcount?") only after the learner has
committed to an answer; `predict` names the quantities a quiz Stepper asks about.
"""

from .attempt import Attempt, Hint, attempt
from .budget import Budget, BudgetExceeded
from .outcome import Outcome, run_program
from .runner import escalate, exercise, forget_tries
from .tries import Tries, same_answer
from .verdict import Verdict
from . import checks, predict

__all__ = ["Hint", "exercise", "escalate", "forget_tries", "Verdict", "Attempt", "attempt",
           "Budget", "BudgetExceeded", "Tries", "same_answer", "Outcome", "run_program",
           "checks", "predict"]
