"""The Stepper: play a recording back frame by frame, like Python Tutor, with a stable layout."""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace

import ipywidgets as w

from . import export, filmstrip
from .arrange import PX_PER_PT, width_budget
from .dot import problem_lines, scene_of
from .focus import Focus
from .keys import StepKeys
from .escape import html, printable
from .panels import Narrator, caption_html, legend_html, log_html, rust_of, source_html
from .render import fit, render
from .stable import StableLayout
from .style import PROBLEM

__all__ = ["Stepper", "Pictures", "PICTURE_PX", "FULL_PX"]

#: The width (CSS pixels) a Stepper's picture must fit with its text still 10 px tall: the
#: picture column beside the code at 1280x800 with JupyterLab's file browser open...
PICTURE_PX = 600
#: ... or, for a picture that cannot be made that narrow, the whole output's width (the code
#: then sits above the picture, the event log below it).
FULL_PX = 840
_BARE, _STRIP, _EXPORT = "bare", "strip", "export"     # how much of a frame is drawn in
_SIZE = re.compile(r'<svg width="([\d.]+)pt"')


class Pictures:
    """One way of drawing a recording's frames (focused on what it touched, or the whole
    heap): the frames' scenes, one stable layout for all of them, each picture rendered
    once. `picture(i)` is the bare picture a widget shows beside its text; `export_svg(i)`
    carries its caption, Rust statement and legend, for files and slides; a filmstrip
    draws caption and Rust statement only (`svg(i, "strip")`)."""

    def __init__(self, recording, *, focus: bool, legend: bool = True, narrator=None,
                 width_px: float = PICTURE_PX):
        self.recording = recording
        self.narrator = narrator or Narrator(recording)
        self.focus = Focus.of_recording(recording) if focus and recording.frames else None
        self.legend = legend
        self.width_px = width_px
        n = len(recording.frames)
        self._snapshots: list = [None] * n
        self._scenes: list = [None] * n
        self._svgs: dict = {}
        self._layout = None
        self._caption_height = None

    def __len__(self) -> int:
        return len(self._scenes)

    def snapshot(self, i: int):
        """Frame `i`'s snapshot as drawn (cut down to the focus, if any)."""
        if self._snapshots[i] is None:
            snap = self.recording.frames[i].snapshot
            self._snapshots[i] = self.focus.apply(snap) if self.focus else snap
        return self._snapshots[i]

    def scene(self, i: int):
        """The scene (nodes and edges before layout) of frame `i`, changes against `i - 1`."""
        if self._scenes[i] is None:
            previous = self.snapshot(i - 1) if i > 0 else None
            self._scenes[i] = scene_of(self.snapshot(i), previous, legend=False)
        return self._scenes[i]

    @property
    def layout(self) -> StableLayout:
        if self._layout is None:
            self._layout = StableLayout([self.scene(k) for k in range(len(self))],
                                        widths=[width_budget(self.width_px),
                                                width_budget(max(FULL_PX, self.width_px))])
        return self._layout

    @property
    def beside(self) -> bool:
        """Whether the picture fits beside the code (else it takes the whole width)."""
        return self.layout.fits == 0

    def problem_lines(self, i: int) -> list:
        """["heap.check() fails:", "×1 …", …] when frame `i`'s heap breaks an invariant,
        numbered as the picture marks it (`widgets.dot.problem_lines`); else []."""
        return problem_lines(self.snapshot(i))

    @property
    def natural_px(self) -> float:
        """The pictures' width in CSS pixels, unscaled."""
        return float(_SIZE.search(self.picture(0)).group(1)) * PX_PER_PT

    def dot_source(self, i: int, kind: str = _BARE, **attrs) -> str:
        """The pinned DOT source of frame `i` (for `neato -n2`): `kind` is `"bare"` (the
        picture alone), `"strip"` (with its caption and Rust statement drawn in) or
        `"export"` (and the legend); `attrs` are extra graph attributes."""
        scene = self.scene(i)
        if kind == _BARE:
            # The page shows the caption and the broken invariants beside the picture; under
            # it they would make frames of different heights, and the canvas (the first
            # frame's) would cut them off.
            scene = replace(scene, caption="")
        else:
            width = self.layout.width
            scene = replace(scene, caption=self._caption(i, width),
                            legend=self.legend and kind == _EXPORT,
                            legend_columns=5 if width >= 1000 else 3 if width >= 700 else 2)
        if kind == _STRIP:      # a filmstrip reads each caption before its picture
            attrs = {"labelloc": "t", **attrs}
        if attrs:
            scene = replace(scene, attrs={**scene.attrs, **attrs})
        return self.layout.source(scene)

    def _caption_lines(self, i: int, chars: int) -> list:
        lines = [f"<B>{html(x, 0)}</B>" for x in textwrap.wrap(self.narrator.caption(i), chars)]
        rust = printable(rust_of(self.recording.frames[i].event), keep="\n\t")
        if rust:
            # Monospace letters are wider than the caption's: wrap them sooner, and indent
            # the continuation under the statement rather than repeating "Rust:".
            parts = textwrap.wrap(rust, max(30, int(chars * 0.8) - 6))
            lines += [("Rust: " if k == 0 else "&#160;" * 9) +
                      f'<FONT FACE="monospace">{html(x, 0)}</FONT>' for k, x in enumerate(parts)]
        for n, part in enumerate(self.problem_lines(i)):
            part = printable(part, keep="\n\t")
            lines += [f'<FONT COLOR="{PROBLEM}">{"&#160;" * 4 if n and k else ""}{html(x, 0)}</FONT>'
                      for k, x in enumerate(textwrap.wrap(part, chars - 4))]
        return lines

    def _caption(self, i: int, width: float) -> str:
        """The caption as graphviz HTML, wrapped to the picture's width (never cut), padded
        to as many lines as the longest caption so every frame has the same canvas."""
        chars = max(48, int(width / 7.6))
        if self._caption_height is None:
            self._caption_height = max(len(self._caption_lines(k, chars))
                                       for k in range(len(self)))
        lines = self._caption_lines(i, chars)
        lines += [" "] * (self._caption_height - len(lines))
        return '<BR ALIGN="LEFT"/>'.join(lines) + '<BR ALIGN="LEFT"/>'

    def picture(self, i: int) -> str:
        """Frame `i` without caption or legend (a widget shows those as text)."""
        return self.svg(i, _BARE)

    def export_svg(self, i: int) -> str:
        """Frame `i` with its caption, Rust statement and legend drawn in."""
        return self.svg(i, _EXPORT)

    def svg(self, i: int, kind: str = _BARE) -> str:
        """Frame `i` drawn as `kind` (see `dot_source`), on the same canvas as every
        other frame of that kind; rendered once."""
        key = (kind, i)
        if key not in self._svgs:
            svg = render(self.dot_source(i, kind), "svg", engine="neato", pinned=True)
            self._svgs[key] = self.layout.normalise(svg, kind)
        return self._svgs[key]

    def png(self, i: int, kind: str = _EXPORT, dpi: float | None = None) -> bytes:
        """Frame `i` drawn as `kind`, as PNG (at `dpi`, default graphviz's 96), on the
        same canvas as every other frame of that kind."""
        self.svg(0, kind)             # the reference canvas is the first frame's
        source = self.dot_source(i, kind, **({"dpi": f"{dpi:.1f}"} if dpi else {}))
        data = render(source, "png", engine="neato", pinned=True)
        raw = render(self.dot_source(i, kind), "svg", engine="neato", pinned=True)
        (dx, dy), size = self.layout.offset(raw, kind)
        ratio = (dpi or 96) / 96
        return export.align_png(data, (dx * ratio, dy * ratio),
                                size and (size[0] * ratio, size[1] * ratio))


class Stepper(w.VBox):
    """A recording (`kp.record()`, `kp.trace`, `%%kptrace`) played back step by step.

    Shows the step's caption (in the learner's words: `a's Job @ffff8880…1040 linked at the
    back`), compact controls (first ‹ prev › next » last, Play with a speed slider, a step
    slider, "whole heap"), the picture, and beside it the source with the current line
    marked, the Rust statement the step models and the event log (below the picture when
    the page is narrow). By default the picture draws what the recording touched and what
    that reaches (`focus=False`, or ticking "whole heap", draws everything). Long lists are
    wrapped into rows so the picture fits beside the code with text at least 10 px tall.
    Nodes never move between frames (one layout for the union of all frames). Each frame's
    picture is rendered once and cached. Keyboard: click the Stepper, then ← → Home End.

    Before the notebook runs (a static viewer, or an untrusted notebook in JupyterLab) the
    Stepper shows a filmstrip of every step (`widgets.filmstrip`); `to_html` writes one
    offline page with buttons and arrow keys.

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

    def __init__(self, recording, *, legend: bool = True, focus: bool = True,
                 width_px: float = PICTURE_PX):
        self.recording = recording
        self._n = len(recording.frames)
        self._legend = legend
        self._width_px = width_px
        self._narrator = Narrator(recording)
        self._drawings: dict = {}
        last = max(self._n - 1, 0)
        none = self._n == 0
        self._slider = w.IntSlider(value=0, min=0, max=last, readout=False, disabled=none,
                                   continuous_update=True, tooltip="step",
                                   layout=w.Layout(width="170px"))
        self._play = w.Play(value=0, min=0, max=last, step=1, interval=900, show_repeat=False,
                            description="play", disabled=none, layout=w.Layout(width="auto"))
        self._speed = w.IntSlider(value=900, min=100, max=3000, step=100, readout=False,
                                  description="ms/step", tooltip="milliseconds "
                                  "per step when playing", style={"description_width": "initial"},
                                  layout=w.Layout(width="150px"))
        w.jslink((self._play, "value"), (self._slider, "value"))
        w.jslink((self._speed, "value"), (self._play, "interval"))
        buttons = []
        for text, tip, move in (("«", "first step (Home)", self.first),
                                ("‹", "previous step (←)", self.prev),
                                ("›", "next step (→)", self.next),
                                ("»", "last step (End)", self.last)):
            b = w.Button(description=text, tooltip=tip, disabled=none,
                         layout=w.Layout(width="34px", padding="0"))
            b.on_click(lambda _b, move=move: move())
            buttons.append(b)
        self._buttons = buttons
        self._whole = w.Checkbox(value=not focus, description="whole heap", indent=False,
                                 tooltip="draw the whole heap, not only what this "
                                 "recording touched", layout=w.Layout(width="auto"))
        self._whole.observe(lambda _change: self._show(self.index), names="value")
        self._title = w.HTML()
        self._source = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self._log = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self._graph = w.HTML(layout=w.Layout(width="100%", margin="0"))
        self._legend_box = w.HTML(legend_html() if legend else "")
        self._slider.observe(self._on_index, names="value")
        self._keys = StepKeys(lambda move: getattr(self, move)())
        controls = w.Box([*buttons, self._play, self._slider, self._speed, self._whole,
                          self._keys],
                         layout=w.Layout(display="flex", flex_flow="row wrap",
                                         align_items="center"))
        self._picture = w.VBox([self._graph, self._legend_box], layout=w.Layout(min_width="0"))
        self._side = w.VBox(layout=w.Layout(min_width="0"))
        self._body = w.Box(layout=w.Layout(display="flex", align_items="flex-start",
                                           width="100%"))
        self._beside = None
        super().__init__([controls, self._title, self._body],
                         layout=w.Layout(width="100%", margin="0"))
        # Stable hooks for pages and browser tests.
        self.add_class("kp-stepper")
        controls.add_class("kp-controls")
        self._title.add_class("kp-caption")
        self._graph.add_class("kp-graph")
        self._source.add_class("kp-source")
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

    @property
    def focus(self) -> bool:
        """Whether the picture draws only what the recording touched (and what that
        reaches); `False` draws the whole heap. Settable (the "whole heap" tick box)."""
        return not self._whole.value

    @focus.setter
    def focus(self, value: bool) -> None:
        self._whole.value = not value

    def _on_index(self, change) -> None:
        self._show(change["new"])

    def _show(self, i: int) -> None:
        if self._n == 0:
            self._title.value = "<b>no frames</b>: nothing in the recording changed the heap"
            return
        drawing = self.drawing
        self._arrange(drawing.beside, drawing.natural_px)
        self._title.value = caption_html(self._narrator.caption(i), drawing.problem_lines(i))
        self._source.value = source_html(self.recording, i, 6 if self._beside[0] else 2)
        self._log.value = log_html(self.recording, i, narrator=self._narrator)
        self._graph.value = fit(drawing.picture(i))

    def _arrange(self, beside: bool, natural: float) -> None:
        """Code and log beside the picture (they wrap below it on a narrow page), or, for a
        picture that needs the whole width, the code above it and the log below: either
        way the marked line and the picture are on one screen."""
        if (beside, natural) == self._beside:
            return
        self._beside = (beside, natural)
        if beside:
            # The picture takes what it needs (up to its own size), the code the rest.
            basis = min(natural, self._width_px)
            self._picture.layout.flex = f"2 1 {basis:.0f}px"
            self._picture.layout.max_width = f"{natural:.0f}px"
            self._picture.layout.margin = "0 8px 0 0"
            self._side.layout.flex = "1 1 240px"
            self._side.children = (self._source, self._log)
            self._body.layout.flex_flow = "row wrap"
            self._body.children = (self._picture, self._side)
        else:
            self._picture.layout.flex, self._picture.layout.margin = "0 0 auto", "4px 0"
            self._picture.layout.max_width = None
            self._side.children = ()
            self._body.layout.flex_flow = "column"
            self._body.children = (self._source, self._picture, self._log)

    # -- pictures ------------------------------------------------------------------------
    @property
    def drawing(self) -> Pictures:
        """The frames as drawn now (focused or the whole heap), with their caches."""
        key = self.focus
        if key not in self._drawings:
            self._drawings[key] = Pictures(self.recording, focus=key, legend=self._legend,
                                           narrator=self._narrator, width_px=self._width_px)
        return self._drawings[key]

    def _frame(self, i) -> int:
        return self.index if i is None else min(max(i, 0), self._n - 1)

    def scene(self, i: int):
        """The scene (nodes and edges before layout) of frame `i`, changes against `i - 1`."""
        return self.drawing.scene(i)

    def dot_source(self, i: int) -> str:
        """The pinned DOT source of frame `i` (for `neato -n2`), caption and legend drawn in."""
        return self.drawing.dot_source(i, _EXPORT)

    def svg(self, i: int | None = None) -> str:
        """The SVG of frame `i` (default: the current one) with its caption, Rust statement
        and legend, rendered at most once (files and slides; the widget shows the caption
        as text beside a bare picture)."""
        if self._n == 0:
            return ""
        return self.drawing.export_svg(self._frame(i))

    def png(self, i: int) -> bytes:
        """The PNG of frame `i`, as `svg(i)` draws it, on the same canvas as every other
        frame."""
        return self.drawing.png(self._frame(i))

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
        """The live widget, plus every step as a static filmstrip for whatever cannot run
        it: an SVG (nbviewer, GitHub, exported HTML) and a PNG (JupyterLab shows only
        images, never SVG, for a notebook it does not trust, e.g. one not yet run)."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        if self._n:
            bundle.update(filmstrip.mimebundle(self))
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return f"Stepper({self._n} frames)"
