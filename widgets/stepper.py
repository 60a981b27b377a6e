"""The Stepper: play a recording back frame by frame, like Python Tutor, with a stable layout."""

from __future__ import annotations

import html as _html

import ipywidgets as w

from . import export
from .dot import scene_of
from .keys import StepKeys
from .panels import caption, log_html, source_html
from .render import fit, render
from .stable import StableLayout

__all__ = ["Stepper"]


class Stepper(w.VBox):
    """A recording (`kp.record()`, `kp.trace`, `%%kptrace`) played back step by step.

    Shows buttons first/prev/next/last, Play with a speed slider, a step slider, the source
    with the current line marked, the event log with the current event, and the heap graph.
    Nodes never move between frames (one layout for the union of all frames). Each frame's
    SVG is rendered once and cached. Keyboard: click the step slider's handle, then the
    arrow keys step (the browser's slider keys); the exported HTML (`to_html`) listens to
    ←/→/Home/End/Space on the whole page.

    >>> import kernelptr as kp, widgets
    >>> heap = kp.reset()
    >>> with kp.record() as rec:
    ...     a = kp.Arc.new(1, kp.GFP_KERNEL)
    ...     b = a.clone()
    >>> s = widgets.Stepper(rec)
    >>> s.index = 99; s.index
    1
    >>> 'refcount' in s.svg(0)
    True
    """

    def __init__(self, recording, *, legend: bool = True):
        self.recording = recording
        self._n = len(recording.frames)
        self._legend = legend
        self._scenes: list = [None] * self._n
        self._svgs: list = [None] * self._n
        self._layout = None
        last = max(self._n - 1, 0)
        self._slider = w.IntSlider(value=0, min=0, max=last, description="step",
                                   readout=False, continuous_update=True,
                                   disabled=self._n == 0, layout=w.Layout(width="420px"))
        self._play = w.Play(value=0, min=0, max=last, step=1, interval=900,
                            description="play", disabled=self._n == 0)
        self._speed = w.IntSlider(value=900, min=100, max=3000, step=100,
                                  description="ms/step", layout=w.Layout(width="260px"))
        w.jslink((self._play, "value"), (self._slider, "value"))
        w.jslink((self._speed, "value"), (self._play, "interval"))
        buttons = []
        for text, tip, move in (("« first", "first step", self.first),
                                ("‹ prev", "previous step", self.prev),
                                ("next ›", "next step", self.next),
                                ("last »", "last step", self.last)):
            b = w.Button(description=text, tooltip=tip, layout=w.Layout(width="90px"))
            b.on_click(lambda _b, move=move: move())
            buttons.append(b)
        self._buttons = buttons
        self._title = w.HTML()
        self._source = w.HTML(layout=w.Layout(width="50%"))
        self._log = w.HTML(layout=w.Layout(width="50%"))
        self._graph = w.HTML(layout=w.Layout(width="100%", overflow="auto"))
        self._slider.observe(self._on_index, names="value")
        self._keys = StepKeys(lambda move: getattr(self, move)())
        controls = w.HBox([*buttons, self._play, self._slider, self._speed, self._keys])
        # The graph takes the full width (it is what a projector must show); code and log below.
        super().__init__([self._title, controls, self._graph, w.HBox([self._source, self._log])])
        # Stable hooks for pages and browser tests: the widget, caption, graph and log.
        self.add_class("kp-stepper")
        self._title.add_class("kp-caption")
        self._graph.add_class("kp-graph")
        self._log.add_class("kp-log")
        self._show(0)

    # -- navigation ----------------------------------------------------------------------
    @property
    def index(self) -> int:
        """The frame shown (0-based); setting it clamps to the frames that exist."""
        return self._slider.value

    @index.setter
    def index(self, i: int) -> None:
        self._slider.value = min(max(int(i), 0), max(self._n - 1, 0))

    def first(self):
        self.index = 0

    def prev(self):
        self.index = self.index - 1

    def next(self):
        self.index = self.index + 1

    def last(self):
        self.index = self._n - 1

    def __len__(self) -> int:
        return self._n

    def _on_index(self, change) -> None:
        self._show(change["new"])

    def _show(self, i: int) -> None:
        if self._n == 0:
            self._title.value = "<b>no frames</b>: nothing in the recording changed the heap"
            return
        self._title.value = f"<b>{_html.escape(caption(self.recording, i))}</b>"
        self._source.value = source_html(self.recording, i)
        self._log.value = log_html(self.recording, i)
        self._graph.value = fit(self.svg(i))

    # -- pictures ------------------------------------------------------------------------
    def scene(self, i: int):
        """The scene (nodes and edges before layout) of frame `i`, changes against `i - 1`."""
        if self._scenes[i] is None:
            frames = self.recording.frames
            previous = frames[i - 1].snapshot if i > 0 else None
            self._scenes[i] = scene_of(frames[i].snapshot, previous, legend=self._legend,
                                       caption=_html.escape(caption(self.recording, i)))
        return self._scenes[i]

    def dot_source(self, i: int) -> str:
        """The pinned DOT source of frame `i` (for `neato -n2`)."""
        if self._layout is None:
            self._layout = StableLayout([self.scene(k) for k in range(self._n)])
        return self._layout.source(self.scene(i))

    def svg(self, i: int | None = None) -> str:
        """The SVG of frame `i` (default: the current one), rendered at most once."""
        i = self.index if i is None else min(max(i, 0), self._n - 1)
        if self._n == 0:
            return ""
        if self._svgs[i] is None:
            svg = render(self.dot_source(i), "svg", engine="neato", pinned=True)
            self._svgs[i] = self._layout.normalise(svg)
        return self._svgs[i]

    def png(self, i: int) -> bytes:
        """The PNG of frame `i` (graphviz draws it; cached like the SVG), moved onto the same
        canvas as every other frame, as `svg` is."""
        data = render(self.dot_source(i), "png", engine="neato", pinned=True)
        raw_svg = render(self.dot_source(i), "svg", engine="neato", pinned=True)
        return export.align_png(data, *self._layout.offset(raw_svg))

    # -- exports -------------------------------------------------------------------------
    def save_svgs(self, folder) -> list:
        """Write `step_001.svg`, ... into `folder`; returns the paths."""
        return export.save_svgs(self, folder)

    def save_pngs(self, folder) -> list:
        """Write `step_001.png`, ... into `folder`; returns the paths."""
        return export.save_pngs(self, folder)

    def save_gif(self, path, ms_per_step: int = 1200):
        """Write an animated GIF with one frame per step; returns the path."""
        return export.save_gif(self, path, ms_per_step)

    def to_html(self, path, title: str = "kernelptr trace"):
        """Write one self-contained offline HTML page with every frame and step controls."""
        return export.to_html(self, path, title)

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, plus the current frame as SVG for static renderers (nbviewer,
        GitHub, exported HTML), which cannot run the widget."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        if self._n:
            bundle["image/svg+xml"] = self.svg()
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return f"Stepper({self._n} frames)"
