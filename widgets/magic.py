"""The `%%kptrace` cell magic: run a cell statement by statement and step through it."""

from __future__ import annotations

import ast

import kernelptr as kp

from .heapview import snapshot_in

__all__ = ["kptrace", "trace_cell", "load_ipython_extension"]


def trace_cell(source: str, namespace: dict, heap=None, filename: str = "<kptrace>"):
    """Run `source` one top-level statement at a time in `namespace`; return a `kp.Recording`
    with one frame per statement that changed the heap (its last event, the heap after it).

    Handles are labelled with the cell's variable names. If a statement raises, the frames so
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
    events: list = []
    unsubscribe = heap.subscribe(events.append)
    try:
        for stmt in ast.parse(source, filename).body:
            events.clear()
            try:
                _run(stmt, namespace, filename)
            except BaseException as error:
                _add(rec, events, heap, namespace)
                error.kp_recording = rec
                raise
            _add(rec, events, heap, namespace)
    finally:
        unsubscribe()
    return rec


def _run(stmt, namespace, filename):
    if isinstance(stmt, ast.Expr):      # show the value of an expression, as a cell would
        code = compile(ast.Interactive([stmt]), filename, "single")
    else:
        code = compile(ast.Module([stmt], type_ignores=[]), filename, "exec")
    exec(code, namespace)


def _add(rec, events, heap, namespace):
    if events:
        rec.frames.append(kp.Frame(events[-1], snapshot_in(heap, namespace)))


def kptrace(line: str, cell: str):
    """`%%kptrace`: run the cell line by line and show a Stepper over the frames."""
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
