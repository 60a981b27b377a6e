"""Arranging a picture to fit its place: long lists wrapped into rows and spacing tightened,
so that the picture fits the width it is shown in with text still readable."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from .dot import Scene
from .render import render
from .style import FONT_SIZE

__all__ = ["MIN_TEXT_PX", "PX_PER_PT", "Arrangement", "width_budget", "list_orders", "choose",
           "measure", "in_reading_order"]

#: The smallest text a picture may show, in CSS pixels, once shrunk to fit its place.
MIN_TEXT_PX = 10
#: CSS pixels per point (graphviz sizes SVGs in points).
PX_PER_PT = 96 / 72
#: Spacing for pictures that must fit a notebook column (graphviz defaults are roomier).
COMPACT = {"ranksep": "0.5", "nodesep": "0.3", "pad": "0.15"}

_FIRST = re.compile(r"^(?P<node>\w+):f:e$")
_LINK = re.compile(r"^(?P<node>\w+):[lp](?P<id>\d+):w$")    # the start of a links row


def width_budget(width_px: float, font_pt: float = FONT_SIZE) -> float:
    """How wide (in points) a picture may be drawn so that, shrunk into `width_px` CSS
    pixels, its text is still `MIN_TEXT_PX` pixels tall.

    >>> round(width_budget(600))     # a Stepper's picture column (`stepper.PICTURE_PX`)
    840
    """
    scale = MIN_TEXT_PX / (font_pt * PX_PER_PT)
    return width_px / scale / PX_PER_PT


@dataclass(frozen=True)
class Arrangement:
    """How a picture is laid out: list items per row (`None`: one row per list) and graph
    attributes over `Scene`'s defaults. `apply` turns a scene into the arranged scene."""

    per_row: int | None = None
    fold: bool = False          # vtables drawn under the stack frame, not in a column of their own
    attrs: tuple = tuple(sorted(COMPACT.items()))
    orders: dict = field(default_factory=dict, compare=False, hash=False)

    def apply(self, scene: Scene) -> Scene:
        """A copy of `scene` arranged: spacing attributes set and, when `per_row` is set,
        each list's items placed in rows of `per_row` (a rank per column, rows stacked;
        the `next` edge from one row to the next does not stretch the layout)."""
        out = replace(scene, nodes=dict(scene.nodes), edges=list(scene.edges),
                      attrs={**scene.attrs, **dict(self.attrs)}, ranks=list(scene.ranks))
        if self.fold:
            out.edges = [(t, h, dict(a, constraint="false") if h.startswith("vt_") else a)
                         for t, h, a in out.edges]
        if not self.per_row:
            return out
        k = self.per_row
        wrapped = {}
        for head, order in self.orders.items():
            order = [n for n in order if n in out.nodes]
            if len(order) <= k:
                continue
            cluster = out.nodes[order[0]][0]
            for j in range(k):
                column = order[j::k]
                if len(column) > 1:
                    out.ranks.append((cluster, column))
            for a, b in zip(order[:k - 1], order[1:k]):
                out.edges.append((a, b, {"style": "invis"}))
            wrapped.update({n: head for n in order})
        edges = []
        for tail, head, attrs in out.edges:
            t, h = tail.split(":", 1)[0], head.split(":", 1)[0]
            if t in wrapped and h in wrapped and attrs.get("style") != "invis":
                attrs = dict(attrs, constraint="false")
            edges.append((tail, head, attrs))
        out.edges = edges
        return out


def in_reading_order(arrangement: Arrangement, positions: dict, sizes: dict) -> dict:
    """`positions` ({node: (x, y)} in points, y growing upwards) with each wrapped list as
    a grid read like text: graphviz keeps a wrapped list's columns but may stack a column's
    items in any order and at any height. Items go to their row's height (the rows of the
    first column, first row on top), unless a column's items would then overlap something
    (that column is left as graphviz drew it). `sizes` maps a node
    to its (width, height) in points."""
    k = arrangement.per_row
    if not k:
        return positions
    out = dict(positions)
    for order in arrangement.orders.values():
        order = [n for n in order if n in positions]
        if len(order) <= k:
            continue
        rows = sorted((positions[n][1] for n in order[0::k]), reverse=True)
        grid = set(order)
        for j in range(k):
            column = order[j::k]
            moved = {n: (positions[n][0], y) for n, y in zip(column, rows)}
            others = [(positions[m], sizes.get(m, (0, 0))) for m in positions if m not in grid]
            others += [(moved[m], sizes[m]) for m in column]
            if not any(_overlap(moved[n], sizes[n], *other) for n in column for other in others
                       if other[0] is not moved[n]):
                out.update(moved)
    return out


def _overlap(a, size_a, b, size_b) -> bool:
    return (abs(a[0] - b[0]) * 2 < size_a[0] + size_b[0]
            and abs(a[1] - b[1]) * 2 < size_a[1] + size_b[1])


def list_orders(scenes) -> dict:
    """For each list head drawn in `scenes`: the nodes of its ring in order (following its
    `first` edge, then the `next` edges of its ID), merged over every scene so that each
    frame's order is kept where the frames agree (an item inserted in frame 3 sits between
    its neighbours there; one removed keeps its place)."""
    rings: dict = {}
    for scene in scenes:
        for head, ring in _rings(scene).items():
            rings.setdefault(head, []).append(ring)
    merged = {head: _merge(found) for head, found in rings.items()}
    taken: set = set()
    for head in list(merged):           # an object in two lists is placed by the first
        merged[head] = [n for n in merged[head] if n not in taken]
        taken.update(merged[head])
    return merged


def _merge(rings) -> list:
    """One order of every node of `rings` that keeps each ring's order where they agree
    (a topological sort of "comes before" from every ring; ties and contradictions go by
    first appearance)."""
    first: dict = {}
    after: dict = {}
    for ring in rings:
        for n in ring:
            first.setdefault(n, len(first))
        for a, b in zip(ring, ring[1:]):
            after.setdefault(a, set()).add(b)
    waiting = {n: 0 for n in first}
    for a, bs in after.items():
        for b in bs:
            waiting[b] += 1
    order, done = [], set()
    while len(order) < len(first):
        ready = [n for n in first if n not in done and waiting[n] == 0]
        n = min(ready or (m for m in first if m not in done), key=first.get)
        order.append(n)
        done.add(n)
        for b in after.get(n, ()):
            waiting[b] -= 1
    return order


def _rings(scene) -> dict:
    nxt: dict = {}
    firsts: dict = {}
    for tail, head, attrs in scene.edges:
        if attrs.get("style") == "invis":
            continue
        m, link = _FIRST.match(tail), _LINK.match(head)
        if m and link:
            firsts[m.group("node")] = (link.group("node"), link.group("id"))
            continue
        t = tail.split(":")
        h = head.split(":")[0]
        if len(t) == 3 and t[1].startswith("n") and t[1][1:].isdigit():
            nxt[(t[0], t[1][1:])] = h
        elif len(t) == 2 and t[1] == "e" and t[0].startswith("elide_"):
            nxt[(t[0], None)] = h
    rings = {}
    for head, (node, lid) in firsts.items():
        ring, cur = [], node
        while cur is not None and cur not in ring:
            ring.append(cur)
            cur = nxt.get((cur, lid), nxt.get((cur, None)))
        rings[head] = ring
    return rings


def measure(scene: Scene) -> tuple:
    """(width, height, graphviz JSON) of `scene` laid out by `dot`, without its caption
    and legend (points)."""
    data = json.loads(render(replace(scene, caption="", legend=False).digraph().source, "json"))
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    return x1 - x0, y1 - y0, data


def choose(union: Scene, orders: dict, widths=None):
    """The arrangement for `union` (every frame's nodes) and which of `widths` (points,
    the most wanted first) it fits. Most natural first: as laid out; then vtables folded
    under the stack; then lists wrapped into rows, as few rows as fit the first width
    (found by halving: each try is a `dot` run). If nothing but one item per row (a tall
    column of items) fits the first width, a wider arrangement that fits the next width is
    preferred (a wide picture reads better than a column); else the narrowest.
    Returns (arrangement, arranged union, graphviz JSON of its layout, index of the width
    it fits or `len(widths)`)."""
    widths = [w for w in (widths if isinstance(widths, (list, tuple)) else [widths])
              if w is not None]
    tried = []

    def attempt(option) -> float:
        arranged = option.apply(union)
        width, _, data = measure(arranged)
        tried.append((width, option, arranged, data))
        return width

    def level(width) -> int:
        return next((n for n, limit in enumerate(widths) if width <= limit), len(widths))

    folds = (False, True) if any(n.startswith("vt_") for n in union.nodes) else (False,)
    for fold in folds:
        if level(attempt(Arrangement(fold=fold, orders=orders))) == 0:
            return (*tried[-1][1:], 0)
    longest = max((len(o) for o in orders.values()), default=0)
    fitting = None
    lo, hi = 1, longest - 1
    while lo <= hi:                     # the most items per row that fit the first width
        k = (lo + hi) // 2
        if level(attempt(Arrangement(per_row=k, fold=folds[-1], orders=orders))) == 0:
            fitting, lo = k, k + 1
        else:
            hi = k - 1
    ranked = sorted(tried, key=lambda t: (t[1].per_row is not None, -(t[1].per_row or 0)))
    if fitting and fitting > 1:
        return (*next(t for t in ranked if t[1].per_row == fitting)[1:], 0)
    for limit in range(1, len(widths)):
        for width, option, arranged, data in ranked:
            if option.per_row != 1 and level(width) == limit:
                return option, arranged, data, limit
    if fitting == 1:
        return (*next(t for t in ranked if t[1].per_row == 1)[1:], 0)
    width, option, arranged, data = min(tried, key=lambda t: t[0])
    return option, arranged, data, level(width)
