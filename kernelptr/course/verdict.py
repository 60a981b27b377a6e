"""A check's verdict: one line for the learner, and the recording of what their code did."""

from __future__ import annotations

from ..record import Recording

__all__ = ["Verdict", "PASS", "NOT_YET", "excerpt", "clip"]

PASS = "✅ Correct!"
NOT_YET = "💡 Not yet:"


class Verdict:
    """What a self-check concluded (the course's own record, nothing in the kernel).

    Its text is the one line a learner reads (`✅ Correct! ...` or `💡 Not yet: ...`); a
    failing verdict also carries the recording of what the learner's code did and the index
    of the first wrong frame in it, which `widgets` draws as a Stepper opened at that step
    with the hint beside it (when `widgets` has been imported in the notebook).

    >>> Verdict(False, "push `y` first.", exercise="ex03_build")
    💡 Not yet: push `y` first.
    >>> bool(Verdict(True, "x, y, z.", exercise="ex03_build"))
    True
    """

    def __init__(self, passed: bool, message: str, *, exercise: str = "",
                 recording: Recording | None = None, wrong_step: int | None = None):
        self.passed = passed
        self.message = message
        self.exercise = exercise
        self.recording = recording if recording is not None and len(recording) else None
        if self.recording is None:
            wrong_step = None
        elif wrong_step is not None:
            wrong_step = min(max(wrong_step, 0), len(self.recording) - 1)
        self.wrong_step = wrong_step

    @property
    def text(self) -> str:
        """The one-line verdict."""
        return f"{PASS if self.passed else NOT_YET} {self.message}"

    @property
    def wrong_event(self):
        """The event of the first wrong step (None when there is no picture)."""
        if self.wrong_step is None:
            return None
        return self.recording.frames[self.wrong_step].event

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


class _Excerpt(Recording):
    """Frames `lo..hi` of a longer recording, for a picture of the end of a long run."""

    def __init__(self, recording: Recording, lo: int, hi: int):
        super().__init__(recording.heap)
        self.frames = list(recording.frames[lo:hi])
        self._whole = recording
        self._offset = lo

    def source(self, i: int):
        return self._whole.source(i + self._offset)


def clip(recording: Recording, lo: int, hi: int) -> Recording:
    """Frames `lo..hi` of a recording, as a recording (a picture that stops before a step
    the learner must still predict)."""
    return _Excerpt(recording, lo, hi)


def excerpt(recording: Recording, around: int, before: int = 30, after: int = 5):
    """The frames around frame `around` (at most `before + after + 1` of them) and the index
    of `around` in the excerpt: a Stepper of 10,000 frames would take seconds to open."""
    n = len(recording.frames)
    if n <= before + after + 1:
        return recording, around
    lo = max(0, around - before)
    hi = min(n, around + after + 1)
    return _Excerpt(recording, lo, hi), around - lo
