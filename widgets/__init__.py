"""widgets: the views of kernelptr (graphs, a live HeapView, a Stepper, plots, exports).

`import widgets`; `widgets.HeapView(heap)` in a notebook, `%load_ext widgets` for `%%kptrace`.
Views only read `kp.Snapshot`s; graphviz, ipywidgets and matplotlib live here and only here.
"""

from .dot import to_dot
from .heapview import HeapView
from .magic import load_ipython_extension, trace_cell
from .plots import plot_layout, plot_op_cost, plot_ownership, plot_refcounts
from .quiz import DoesItCompile, Predict, StepQuiz, VerdictView, ask
from .render import DotNotFound, render_svg
from .stepper import Stepper

__all__ = ["to_dot", "render_svg", "DotNotFound", "HeapView", "Stepper", "trace_cell",
           "load_ipython_extension", "plot_refcounts", "plot_ownership", "plot_layout",
           "plot_op_cost", "Predict", "DoesItCompile", "StepQuiz", "VerdictView", "ask"]


def _install_in_ipython() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the course's requirements
        return
    shell = get_ipython()
    if shell is not None:
        from . import quiz, tracebacks

        tracebacks.install(shell)
        quiz.install(shell)


_install_in_ipython()
