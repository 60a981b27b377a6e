"""Short tracebacks for the model's errors in a notebook: the learner's lines, then the rule.

A `kp.KernelPtrError` is a lesson, not a crash: its message already says what happened, the
rule, the rustc error and the fix. The frames inside `kernelptr/` and `widgets/` teach
nothing, so in IPython they are left out of the traceback (set `HIDE_MODEL_FRAMES = False`
to see them). Installed when `widgets` is imported inside IPython.
"""

from __future__ import annotations

import kernelptr as kp
from kernelptr.events import is_user_frame

__all__ = ["install", "HIDE_MODEL_FRAMES"]

HIDE_MODEL_FRAMES = True


def user_traceback(tb):
    """The same traceback with the model's and the views' frames unlinked."""
    kept = []
    while tb is not None:
        if is_user_frame(tb.tb_frame):
            kept.append(tb)
        tb = tb.tb_next
    for a, b in zip(kept, kept[1:] + [None]):
        a.tb_next = b
    return kept[0] if kept else None


def _show(shell, etype, value, tb, tb_offset=None):
    if HIDE_MODEL_FRAMES:
        tb = user_traceback(tb) or tb
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def install(shell) -> None:
    """Show `kp.KernelPtrError`s in `shell` with the learner's frames only."""
    shell.set_custom_exc((kp.KernelPtrError,), _show)
