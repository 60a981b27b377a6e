"""widgets: the views of kernelptr (graphs, a live HeapView, a Stepper, plots, exports).

`import widgets`; `widgets.HeapView(heap)` in a notebook, `%load_ext widgets` for `%%kptrace`.
Views only read `kp.Snapshot`s; graphviz, ipywidgets and matplotlib live here and only here.
"""

from .dot import to_dot
from .heapview import HeapView
from .magic import load_ipython_extension, trace_cell
from .backend import IN_BROWSER as _IN_BROWSER, DotFailed, ready
from .ops_table import draw_c_vtable
from .picture import Picture
from .quiz import DoesItCompile, Predict, StepQuiz, VerdictView, ask
from .render import DotNotFound, render_svg
from .stepper import Stepper

if _IN_BROWSER:   # JupyterLite: matplotlib is downloaded on the first plot, when online
    from .lite import plot_layout, plot_op_cost, plot_ownership, plot_refcounts
else:
    from .plots import plot_layout, plot_op_cost, plot_ownership, plot_refcounts

__all__ = ["to_dot", "render_svg", "DotNotFound", "DotFailed", "ready", "HeapView", "Stepper",
           "trace_cell", "load_ipython_extension", "plot_refcounts", "plot_ownership",
           "plot_layout", "plot_op_cost", "draw_c_vtable", "Picture", "Predict",
           "DoesItCompile", "StepQuiz", "VerdictView", "ask"]


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
