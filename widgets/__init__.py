"""widgets: the views of kernelptr (graphs, a live HeapView, a Stepper, plots, exports).

`import widgets`; `widgets.HeapView(heap)` in a notebook, `%load_ext widgets` for `%%kptrace`.
Views only read `kp.Snapshot`s; graphviz, ipywidgets and matplotlib live here and only here.
"""

from .dot import to_dot
from .render import DotNotFound, render_svg
from .stepper import Stepper

__all__ = ["to_dot", "render_svg", "DotNotFound", "Stepper"]
