"""Self-checks for the course's exercises: run a learner's answer against the model.

Each check prints one line a learner reads: a pass, or a specific hint for the mistake it
recognises. It never shows a bare assertion traceback.
"""

from .runner import Hint, exercise
from . import checks

__all__ = ["Hint", "exercise", "checks"]
