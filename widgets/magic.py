"""The `%%kptrace` cell magic: run a cell line by line, into the learner's own functions,
and step through it like Python Tutor."""

from __future__ import annotations

import ast
import re
import sys

import kernelptr as kp
from kernelptr.snapshot import take

from .heapview import snapshot_in

__all__ = ["kptrace", "trace_cell", "load_ipython_extension"]

#: Files that hold the learner's code: notebook cells (IPython names them after its kernel).
_CELL_FILE = re.compile(r"(ipykernel_\d+|<ipython-input-)")
#: How many of the learner's frames name handles in a picture (a recursion deeper than this
#: shows its innermost calls).
_DEPTH = 12


class _LineTracer:
    """A `sys.settrace` hook that stops at every line of the cell and of the functions the
    notebook defined (code whose file is a notebook cell, or the traced cell itself), and
    adds a frame after each line that changed the heap: its last event, and the heap with
    every active call's variables, each named in its own Python frame."""

    def __init__(self, heap, rec, filename: str):
        self.heap, self.rec, self.filename = heap, rec, filename
        self.events: list = []
        self.done = 0           # events already in a frame

    def wanted(self, code) -> bool:
        path = code.co_filename
        return path == self.filename or bool(_CELL_FILE.search(path))

    def __call__(self, frame, event, arg):        # the global hook: a call starts
        if event == "call" and self.wanted(frame.f_code):
            return self.local
        return None

    def local(self, frame, event, arg):           # a line of learner code
        if event in ("line", "return"):
            # The previous line of this frame (or of the function it called) has finished.
            self.flush(lambda: take(self.heap, frame, _DEPTH))
        return self.local

    def flush(self, snapshot) -> None:
        if len(self.events) > self.done:
            self.rec.frames.append(kp.Frame(self.events[-1], snapshot()))
            self.done = len(self.events)


def trace_cell(source: str, namespace: dict, heap=None, filename: str = "<kptrace>"):
    """Run `source` in `namespace` line by line, like Python Tutor; return a `kp.Recording`
    with one frame per executed line that changed the heap (its last event, the heap after
    it). Calls to functions the notebook defined are traced line by line too, and each
    active call's handles are drawn in a frame of their own (`HandleSnap.frame`).

    Handles are labelled with their variables' names. If a statement raises, the frames so
    far are kept and the error is re-raised with the recording on it (`error.kp_recording`).

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> ns = {"kp": kp}
    >>> rec = trace_cell("a = kp.Arc.new(1, kp.GFP_KERNEL)\\nx = 1\\nb = a.clone()", ns)
    >>> [(f.event.op, [h.label for h in f.snapshot.handles]) for f in rec.frames]
    [('Arc::new', ['a']), ('Arc::clone', ['a', 'b'])]
    """
    heap = heap if heap is not None else kp.current_heap()
    rec = kp.Recording(heap)
    rec.before = snapshot_in(heap, namespace)
    tracer = _LineTracer(heap, rec, filename)
    unsubscribe = heap.subscribe(tracer.events.append)
    previous = sys.gettrace()
    try:
        for stmt in ast.parse(source, filename).body:
            try:
                sys.settrace(tracer)
                _run(stmt, namespace, filename)
            except BaseException as error:
                error.kp_recording = rec        # with the frames so far (flushed below)
                raise
            finally:
                sys.settrace(previous)
                tracer.flush(lambda: snapshot_in(heap, namespace))
    finally:
        unsubscribe()
    return rec


def _run(stmt, namespace, filename):
    if isinstance(stmt, ast.Expr):      # show the value of an expression, as a cell would
        code = compile(ast.Interactive([stmt]), filename, "single")
    else:
        code = compile(ast.Module([stmt], type_ignores=[]), filename, "exec")
    exec(code, namespace)


def kptrace(line: str, cell: str):
    """`%%kptrace`: run the cell line by line (into the functions the notebook defined) and
    show a Stepper over the frames."""
    from IPython import get_ipython
    from IPython.display import display

    from .stepper import Stepper

    shell = get_ipython()
    filename = shell.compile.cache(cell) if hasattr(shell.compile, "cache") else "<kptrace>"
    try:
        rec = trace_cell(cell, shell.user_ns, filename=filename)
    except Exception as error:
        rec = getattr(error, "kp_recording", None)
        if rec is not None and rec.frames:
            display(Stepper(rec))
        raise
    display(Stepper(rec))


def load_ipython_extension(ip) -> None:
    """`%load_ext widgets` registers `%%kptrace`."""
    ip.register_magic_function(kptrace, magic_kind="cell", magic_name="kptrace")
