"""Stable layout: lay out every frame's nodes once, then pin them so nothing jumps between steps."""

from __future__ import annotations

import re
from dataclasses import replace

from .arrange import Arrangement, choose, in_reading_order, list_orders, measure
from .dot import Scene, cluster_title
from .escape import html
from .style import FONT_SIZE

__all__ = ["StableLayout"]

_MARGIN = 18.0     # points of room around the union for edges that bulge outwards
_SAMPLE = 24       # frames an arrangement is chosen on (a longer recording is sampled)
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

    def __init__(self, scenes, widths=None):
        scenes = list(scenes)
        self.union = _union(scenes)
        # Lay out without the caption and legend: neato adds the graph label under the pinned
        # nodes itself, so the corner anchors must enclose the nodes and clusters only.
        # Long lists are wrapped into rows, vtables folded, when the picture must fit
        # `widths` (points, the most wanted first; `fits` says which one it does).
        room = 2 * (_MARGIN + 72 * float(dict(Arrangement().attrs).get("pad", 0)))
        widths = [w - room for w in widths] if isinstance(widths, (list, tuple)) else \
            None if widths is None else [widths - room]
        orders = list_orders(scenes)
        if len(scenes) <= _SAMPLE:
            self.arrangement, _, data, self.fits = choose(self.union, orders, widths)
        else:
            # A long recording: the arrangement is chosen on a sample of its frames (each
            # try is a `dot` run), then the union of all of them is laid out once.
            sample = _union(scenes[::-(-len(scenes) // _SAMPLE)])
            self.arrangement = choose(sample, orders, widths)[0]
            width, _, data = measure(self.arrangement.apply(self.union))
            self.fits = next((n for n, w in enumerate(widths or ()) if width <= w),
                             len(widths or ()))
        self.positions = {}
        self.boxes = {}
        self.titles = {}        # cluster -> where dot put its label
        sizes = {}
        for obj in data.get("objects", []):
            if "pos" in obj:
                x, y = obj["pos"].split(",")
                self.positions[obj["name"]] = (float(x), float(y))
                sizes[obj["name"]] = (72 * float(obj.get("width", 0)),
                                      72 * float(obj.get("height", 0)))
            elif "bb" in obj and obj["name"].startswith("cluster"):
                self.boxes[obj["name"]] = obj["bb"]
                if "lp" in obj:
                    x, y = obj["lp"].split(",")
                    self.titles[obj["name"]] = (float(x), float(y))
        moved = in_reading_order(self.arrangement, self.positions, sizes)
        x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
        if moved != self.positions:
            self.positions = moved
            y0 = self._shrink(sizes, y0)
        m = _MARGIN
        self.corners = {"_corner_lo": (x0 - m, y0 - m), "_corner_hi": (x1 + m, y1 + m)}
        self._frames = {}       # variant -> (canvas, transform, translate, size) of its first frame

    def _shrink(self, sizes: dict, y0: float) -> float:
        """After moving nodes up into a grid: raise the bottom of each cluster to just
        under its lowest node, and return the new bottom of the whole picture."""
        lowest = {}
        for name, (x, y) in self.positions.items():
            cluster = self.union.nodes.get(name, (None,))[0]
            lowest[cluster] = min(lowest.get(cluster, y), y - sizes[name][1] / 2)
        bottom = lowest.get(None, float("inf"))
        for cluster, bb in self.boxes.items():
            bx0, by0, bx1, by1 = (float(v) for v in bb.split(","))
            if cluster in lowest:
                by0 = max(by0, lowest[cluster] - 8.0)
                self.boxes[cluster] = f"{bx0:.2f},{by0:.2f},{bx1:.2f},{by1:.2f}"
            bottom = min(bottom, by0)
        return max(y0, bottom) if bottom != float("inf") else y0

    def normalise(self, svg: str, variant: str = "") -> str:
        """Give `svg` the canvas of the first frame of its `variant` (a picture drawn with
        a caption and one without have different canvases): an edge that bulged past the
        margin must not grow the canvas and so shift every node (it is clipped instead)."""
        if self._canvas_of(svg, variant) is None:
            return svg
        canvas, translate = self._frames[variant][0], self._frames[variant][1]
        return _SHIFT.sub(translate, _CANVAS.sub(canvas, svg, count=1), count=1)

    def offset(self, svg: str, variant: str = "") -> tuple:
        """How far (points, x and y) the raw `svg` must move to sit on the reference canvas,
        and the reference canvas size (points): used to align PNG frames the same way."""
        found = self._canvas_of(svg, variant)
        if found is None:
            return (0.0, 0.0), None
        (tx, ty), _ = found
        (tx0, ty0), size = self._frames[variant][2], self._frames[variant][3]
        return (tx0 - tx, ty0 - ty), size

    def _canvas_of(self, svg: str, variant: str):
        canvas, shift = _CANVAS.search(svg), _SHIFT.search(svg)
        if not canvas or not shift:
            return None
        translate = tuple(float(v) for v in _NUMBERS.findall(shift.group(0).split("translate")[1]))
        size = tuple(float(v) for v in _NUMBERS.findall(canvas.group(0))[:2])
        if variant not in self._frames:
            self._frames[variant] = (canvas.group(0), shift.group(0), translate, size)
        return translate, size

    @property
    def width(self) -> float:
        """The width of the nodes and clusters of the layout, in points (no margins)."""
        lo, hi = self.corners["_corner_lo"], self.corners["_corner_hi"]
        return hi[0] - lo[0] - 2 * _MARGIN

    def source(self, scene: Scene) -> str:
        """The pinned DOT source of one frame's `scene` (render it with `pinned=True`)."""
        pinned = replace(scene, nodes=dict(scene.nodes), edges=list(scene.edges), ranks=[],
                         attrs={**scene.attrs, **dict(self.arrangement.attrs)})
        for name in self.corners:
            pinned.node(name, None, shape="point", style="invis", width="0", label="")
        present = {n: p for n, p in self.positions.items() if n in scene.nodes}
        present.update(self.corners)
        drawn = {cluster for cluster, _ in scene.nodes.values()}
        for cluster, where in self.titles.items():
            if cluster not in drawn:        # no frame box without anything in it
                continue
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
    union.attrs = dict(scenes[0].attrs) if scenes else {}
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
