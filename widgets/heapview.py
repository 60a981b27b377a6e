"""HeapView: a live picture of a heap that redraws itself after model operations."""

from __future__ import annotations

import base64
import types
from dataclasses import replace

import ipywidgets as w

import kernelptr as kp

from .arrange import choose, list_orders, width_budget
from .dot import scene_of
from .filmstrip import can_draw_png
from .focus import Focus
from .panels import legend_html
from .render import fit, render

__all__ = ["HeapView", "snapshot_in", "VIEW_PX"]

#: The width (CSS pixels) a HeapView's picture must fit with its text still 10 px tall: a
#: JupyterLab output at 1280x800 with the file browser open.
VIEW_PX = 840


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

    It draws the whole heap, or a part of it: `reach=["a", "q"]` draws what those handles,
    lists or raw pointers reach (names not bound yet are skipped); `focus=True` draws only
    what operations after the view was made touched, and what that reaches (earlier
    sections' objects stay out of the picture). Long lists are wrapped into rows so the
    picture fits a notebook output with text at least 10 px tall.

    >>> import kernelptr as kp, widgets
    >>> heap = kp.reset()
    >>> a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> view = widgets.HeapView(heap)
    >>> b = a.clone()
    >>> '<b>2</b>' in view.svg().lower() or '>2<' in view.svg()
    True
    >>> view.close()
    """

    def __init__(self, heap=None, *, legend: bool = True, focus: bool = False, reach=None,
                 width_px: float = VIEW_PX):
        self.heap = heap if heap is not None else kp.current_heap()
        self._legend = legend
        self._reach = [reach] if isinstance(reach, str) else list(reach or ())
        self._width_px = width_px
        self._graph = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self._graph.add_class("kp-graph")
        self._previous = None
        self._snapshot = None
        self._dirty = True
        self._svg = ""
        self._scene = None
        self._touched: set = set()
        self._baseline = self.heap.snapshot() if focus else None
        self.renders = 0          # how many times the picture was redrawn (for the curious)
        self._unsubscribe = self.heap.subscribe(self._on_event)
        self._shell = _shell()
        if self._shell is not None:
            self._shell.events.register("post_run_cell", self._after_cell)
        parts = [self._graph] + ([w.HTML(legend_html())] if legend else [])
        super().__init__(parts, layout=w.Layout(width="100%", margin="0"))
        self.add_class("kp-heapview")
        self.refresh()

    def _on_event(self, event) -> None:
        self._dirty = True        # cheap: the burst is drawn once, later
        if self._baseline is not None:
            self._touched.update(event.addresses)

    def _after_cell(self, result=None) -> None:
        if self._dirty:
            self.refresh(snapshot_in(self.heap, self._shell.user_ns))

    def _scoped(self, snapshot):
        """`snapshot` cut down to what this view is about (`reach`, `focus`)."""
        if self._reach:
            from .scale import reach

            known = ({h.label for h in snapshot.handles} | {x.label for x in snapshot.lists}
                     | {r.label for r in snapshot.raw_pointers})
            snapshot = reach(snapshot, [x for x in self._reach if x in known])
        if self._baseline is not None:
            touched = types.SimpleNamespace(addresses=tuple(sorted(self._touched)), op="")
            snapshot = Focus([snapshot], [touched], baseline=self._baseline).apply(snapshot)
        return snapshot

    def refresh(self, snapshot=None) -> str:
        """Redraw now (from `snapshot`, else the heap as the caller's variables see it)."""
        if snapshot is None:
            snapshot = self.heap.snapshot()
        snapshot = self._scoped(snapshot)
        if self._snapshot is not None and snapshot != self._snapshot:
            self._previous = self._snapshot
        self._snapshot = snapshot
        self._dirty = False
        scene = scene_of(snapshot, self._previous, legend=False)
        _, self._scene, _, _ = choose(scene, list_orders([scene]), width_budget(self._width_px))
        self._svg = render(self._scene.digraph().source)
        self._graph.value = fit(self._svg)
        self.renders += 1
        return self._svg

    def svg(self) -> str:
        """The current picture as SVG text (redrawn first if an operation happened since)."""
        return self.refresh() if self._dirty else self._svg

    def _static(self) -> dict:
        """The current picture with its legend drawn in, as SVG and PNG, for whatever
        cannot run the widget (JupyterLab shows only the PNG for an untrusted notebook)."""
        self.svg()
        scene = replace(self._scene, legend=self._legend, legend_columns=3)
        source = scene.digraph().source
        bundle = {"image/svg+xml": render(source)}
        if can_draw_png():
            bundle["image/png"] = base64.b64encode(render(source, "png")).decode("ascii")
        return bundle

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
        bundle.update(self._static())
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
