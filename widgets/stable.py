"""Stable layout: lay out every frame's nodes once, then pin them so nothing jumps between steps."""

from __future__ import annotations

import json
import re

from .dot import Scene, cluster_title
from .escape import html
from .style import FONT_SIZE
from .render import render

__all__ = ["StableLayout"]

_MARGIN = 48.0     # points of room around the union for edges that bulge outwards
_CANVAS = re.compile(r'width="[^"]*"\s+height="[^"]*"\s+viewBox="[^"]*"')
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")
_SHIFT = re.compile(r'transform="scale\([^)]*\) rotate\([^)]*\) translate\([^)]*\)"')


class StableLayout:
    """Positions for the union of the nodes of several scenes, from one `dot` run.

    Each frame is then drawn by `neato -n2` with every node pinned at its union position
    (`pos="x,y!"`), clusters at their union boxes and two invisible corner anchors (with a
    margin) keeping the canvas the same size, so a node present in two frames sits at the
    same centre in both; `normalise` pins the SVG canvas too, in case an edge still bulges.
    Nodes absent from a frame are left out of it (their place stays empty).

    >>> from widgets.dot import Scene
    >>> s = Scene(); s.node("a", None, label="a"); s.node("b", None, label="b"); s.edge("a", "b")
    >>> layout = StableLayout([s])
    >>> sorted(layout.positions)
    ['a', 'b']
    """

    def __init__(self, scenes):
        self.union = _union(scenes)
        # Lay out without the caption and legend: neato adds the graph label under the pinned
        # nodes itself, so the corner anchors must enclose the nodes and clusters only.
        bare = Scene(self.union.nodes, self.union.edges, "", False)
        data = json.loads(render(bare.digraph().source, "json"))
        self.positions = {}
        self.boxes = {}
        self.titles = {}        # cluster -> where dot put its label
        for obj in data.get("objects", []):
            if "pos" in obj:
                x, y = obj["pos"].split(",")
                self.positions[obj["name"]] = (float(x), float(y))
            elif "bb" in obj and obj["name"].startswith("cluster"):
                self.boxes[obj["name"]] = obj["bb"]
                if "lp" in obj:
                    x, y = obj["lp"].split(",")
                    self.titles[obj["name"]] = (float(x), float(y))
        x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
        m = _MARGIN
        self.corners = {"_corner_lo": (x0 - m, y0 - m), "_corner_hi": (x1 + m, y1 + m)}
        self._frame = None      # (canvas text, transform text, translate, size) of frame one

    def normalise(self, svg: str) -> str:
        """Give `svg` the canvas of the first frame normalised: an edge that bulged past the
        margin must not grow the canvas and so shift every node (it is clipped instead)."""
        if self._canvas_of(svg) is None:
            return svg
        canvas, translate = self._frame[0], self._frame[1]
        return _SHIFT.sub(translate, _CANVAS.sub(canvas, svg, count=1), count=1)

    def offset(self, svg: str) -> tuple:
        """How far (points, x and y) the raw `svg` must move to sit on the reference canvas,
        and the reference canvas size (points): used to align PNG frames the same way."""
        found = self._canvas_of(svg)
        if found is None:
            return (0.0, 0.0), None
        (tx, ty), _ = found
        (tx0, ty0), size = self._frame[2], self._frame[3]
        return (tx0 - tx, ty0 - ty), size

    def _canvas_of(self, svg: str):
        canvas, shift = _CANVAS.search(svg), _SHIFT.search(svg)
        if not canvas or not shift:
            return None
        translate = tuple(float(v) for v in _NUMBERS.findall(shift.group(0).split("translate")[1]))
        size = tuple(float(v) for v in _NUMBERS.findall(canvas.group(0))[:2])
        if self._frame is None:
            self._frame = (canvas.group(0), shift.group(0), translate, size)
        return translate, size

    def source(self, scene: Scene) -> str:
        """The pinned DOT source of one frame's `scene` (render it with `pinned=True`)."""
        pinned = Scene(dict(scene.nodes), list(scene.edges), scene.caption, scene.legend)
        for name in self.corners:
            pinned.node(name, None, shape="point", style="invis", width="0", label="")
        present = {n: p for n, p in self.positions.items() if n in scene.nodes}
        present.update(self.corners)
        for cluster, where in self.titles.items():
            name = f"_title_{cluster}"
            # A point-sized node whose text overflows it: the edge router sees no obstacle.
            pinned.node(name, None, shape="plaintext", margin="0", fontsize=str(FONT_SIZE),
                        fixedsize="true", width="0.01", height="0.01",
                        label=f"<{html(cluster_title(cluster))}>")
            present[name] = where
        return pinned.digraph(positions=present, boxes=self.boxes).source


def _union(scenes) -> Scene:
    """Every node of every scene (the version with the most rows, so pinned nodes fit), every
    distinct edge, and the longest caption (so the canvas has room for each frame's)."""
    union = Scene()
    sizes: dict = {}
    seen: set = set()
    for scene in scenes:
        union.legend = scene.legend
        if len(scene.caption) > len(union.caption):
            union.caption = scene.caption
        for name, (cluster, attrs) in scene.nodes.items():
            label = str(attrs.get("label", ""))
            size = (label.count("<TR"), len(label))
            if name not in sizes or size > sizes[name]:
                sizes[name] = size
                union.nodes[name] = (cluster, attrs)
        for tail, head, attrs in scene.edges:
            key = (tail, head, tuple(sorted(attrs.items())))
            if key not in seen:
                seen.add(key)
                union.edges.append((tail, head, attrs))
    return union
