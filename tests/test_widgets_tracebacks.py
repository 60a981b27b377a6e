"""Model errors in a notebook show the learner's lines, not the model's internals."""

import kernelptr as kp
from widgets.tracebacks import user_traceback


def test_user_traceback_keeps_only_the_learners_frames(heap):
    lock = kp.SpinLock(None, "l")
    try:
        with lock.lock():
            kp.Arc.new(1, kp.GFP_KERNEL)
    except kp.SleepInAtomicContext as err:
        tb = user_traceback(err.__traceback__)
    files = []
    while tb is not None:
        files.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    assert files and all(f.endswith("test_widgets_tracebacks.py") for f in files)
