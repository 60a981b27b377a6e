"""HeapView: a live picture of a heap that redraws itself after model operations."""

from __future__ import annotations

import ipywidgets as w

import kernelptr as kp

from .render import fit, render_svg

__all__ = ["HeapView", "snapshot_in"]


def snapshot_in(heap, namespace: dict):
    """`heap.snapshot()` with handles named after the variables of `namespace` (a notebook's
    user namespace), for code that runs outside the learner's frame (hooks, magics)."""
    code = compile("_kp_heap.snapshot()", "<widgets>", "eval")
    return eval(code, namespace, {"_kp_heap": heap})


class HeapView(w.VBox):
    """The simulated kernel heap as a graph that stays current: it redraws after the model's
    operations.

    Bursts are coalesced: each event only marks the view dirty. In IPython the view redraws
    once after the cell that ran the operations (a `post_run_cell` hook), so a cell doing a
    thousand operations costs one `dot` run; elsewhere (scripts, tests, widget callbacks) it
    redraws when asked: `.svg()`, `.refresh()` or being displayed. `.close()` unsubscribes.

    >>> import kernelptr as kp, widgets
    >>> heap = kp.reset()
    >>> a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> view = widgets.HeapView(heap)
    >>> b = a.clone()
    >>> '<b>2</b>' in view.svg().lower() or '>2<' in view.svg()
    True
    >>> view.close()
    """

    def __init__(self, heap=None, *, legend: bool = True):
        self.heap = heap if heap is not None else kp.current_heap()
        self._legend = legend
        self._graph = w.HTML(layout=w.Layout(width="100%", overflow="auto"))
        self._previous = None
        self._snapshot = None
        self._dirty = True
        self._svg = ""
        self.renders = 0          # how many times the picture was redrawn (for the curious)
        self._unsubscribe = self.heap.subscribe(self._on_event)
        self._shell = _shell()
        if self._shell is not None:
            self._shell.events.register("post_run_cell", self._after_cell)
        super().__init__([self._graph])
        self.refresh()

    def _on_event(self, event) -> None:
        self._dirty = True        # cheap: the burst is drawn once, later

    def _after_cell(self, result=None) -> None:
        if self._dirty:
            self.refresh(snapshot_in(self.heap, self._shell.user_ns))

    def refresh(self, snapshot=None) -> str:
        """Redraw now (from `snapshot`, else the heap as the caller's variables see it)."""
        if snapshot is None:
            snapshot = self.heap.snapshot()
        if self._snapshot is not None and snapshot != self._snapshot:
            self._previous = self._snapshot
        self._snapshot = snapshot
        self._dirty = False
        self._svg = render_svg(snapshot, self._previous, legend=self._legend)
        self._graph.value = fit(self._svg)
        self.renders += 1
        return self._svg

    def svg(self) -> str:
        """The current picture as SVG text (redrawn first if an operation happened since)."""
        return self.refresh() if self._dirty else self._svg

    def close(self) -> None:
        """Stop following the heap and close the widget."""
        self._unsubscribe()
        if self._shell is not None:
            try:
                self._shell.events.unregister("post_run_cell", self._after_cell)
            except ValueError:
                pass
        super().close()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        if self._dirty and self._shell is not None:
            self.refresh(snapshot_in(self.heap, self._shell.user_ns))
        bundle["image/svg+xml"] = self.svg()
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return f"HeapView({self.heap!r})"


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
