"""Stop (Ctrl-C, KeyboardInterrupt) during a model operation: the operation finishes first.

`_interrupts.interrupt_points` delivers a SIGINT at the lines a representative operation
executes (150 evenly spread lines per operation by default, every line with
KP_INTERRUPT_POINTS=0); the heap must pass `heap.check()` and be untouched or completely
changed.
"""

import _thread
import signal
import sys
import threading
import time

import pytest
from _interrupts import SCENARIOS, _settle, _Stop, interrupt_points

import kernelptr as kp
from kernelptr.interrupt import _on_sigint, pending, protect
from kernelptr.list.example import Job, queue


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_stop_at_any_line_of_an_operation_leaves_the_heap_consistent(name):
    outcomes = interrupt_points(name)
    bad = [(o.k, o.problems, o.state) for o in outcomes if o.inconsistent]
    assert not bad, bad
    assert all(o.interrupted for o in outcomes)      # and the Stop was never lost


def test_the_model_handles_sigint_while_python_s_default_handler_is_in_place():
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        protect()
        assert signal.getsignal(signal.SIGINT) is _on_sigint
        signal.signal(signal.SIGINT, signal.SIG_IGN)     # someone else's choice is kept
        protect()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def _stop_now():
    """What CPython does when SIGINT arrives here: call the Python-level handler."""
    signal.getsignal(signal.SIGINT)(signal.SIGINT, sys._getframe(1))


def test_a_stop_in_learner_code_is_raised_at_once(heap):
    protect()
    with pytest.raises(KeyboardInterrupt):
        _stop_now()
    assert not pending()


def test_a_deferred_stop_is_raised_after_the_operation_and_keeps_its_result(heap):
    protect()
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    b = None
    try:
        with pytest.raises(KeyboardInterrupt):
            sys.settrace(_Stop(1))
            b = a.clone()       # the Stop arrives at Arc::clone's first line
            _settle()           # and is raised here, at the learner's next call
    finally:
        sys.settrace(None)
    assert b is not None and b.refcount == 2        # the clone finished and was kept
    heap.check()


def test_a_second_stop_while_one_waits_interrupts_at_once(heap):
    protect()
    frames = []

    @kp.struct
    class Grab:
        n: int

    def grab(frame, event, arg):
        if "kernelptr" in frame.f_code.co_filename and not frames:
            frames.append(frame)
            handler = signal.getsignal(signal.SIGINT)
            handler(signal.SIGINT, frame)          # deferred
            assert pending()
            handler(signal.SIGINT, frame)          # a second press: now
        return None

    sys.settrace(grab)
    try:
        with pytest.raises(KeyboardInterrupt):
            kp.Arc.new(Grab(1), kp.GFP_KERNEL)
    finally:
        sys.settrace(None)
        sys.setprofile(None)
    assert not pending()


@pytest.mark.host_only      # a second thread presses Stop: Pyodide has no threads
def test_a_real_sigint_during_a_long_drop_waits_for_the_drop_to_finish(heap):
    """A real signal from another thread (the Stop button) lands inside `List::drop` of a
    long list: the list is still dropped completely before KeyboardInterrupt is raised."""
    protect()
    q = queue(*range(1500))
    dropping = threading.Event()

    def started(event):
        unsubscribe()
        dropping.set()

    def press_stop():
        dropping.wait()
        time.sleep(0.005)
        _thread.interrupt_main()

    unsubscribe = heap.subscribe(started)
    stopper = threading.Thread(target=press_stop)
    stopper.start()
    with pytest.raises(KeyboardInterrupt):
        q.drop()
        stopper.join()          # the Stop is delivered by now, at the latest here
        _settle()
    stopper.join()
    assert heap.objects() == [] and heap.free_count == 1500
    heap.check()


def test_stop_is_not_deferred_for_a_list_operation_the_learner_wrote():
    """Only the model's own frames defer a Stop: the learner's loop over a list stops."""
    heap = kp.reset()
    protect()
    q = kp.List(Job)
    with pytest.raises(KeyboardInterrupt):
        for n in range(3):
            q.push_back(kp.ListArc.new(Job(n), kp.GFP_KERNEL))
            if n == 1:
                _stop_now()
    assert [j.n for j in q] == [0, 1]
    heap.check()
