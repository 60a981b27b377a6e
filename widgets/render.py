"""DOT source to SVG or PNG, cached by source text (Graphviz itself runs in `backend.run`)."""

from __future__ import annotations

import re

from .backend import DotFailed, DotNotFound, run
from .dot import to_dot

__all__ = ["render_svg", "render", "DotNotFound", "DotFailed", "cache_info", "fit"]

_CACHE: dict = {}   # (engine, format, DOT source) -> SVG text or PNG bytes


def render(source: str, fmt: str = "svg", engine: str = "dot", pinned: bool = False):
    """Run graphviz on DOT `source` once; the same source again costs a dict lookup.

    `pinned=True` runs `neato -n2`, which keeps the `pos` of every node (stable layouts).
    SVG and JSON come back as text, PNG as bytes. A failing Graphviz raises `DotNotFound` or
    `DotFailed` and leaves nothing in the cache.
    """
    key = (engine, fmt, pinned, source)
    out = _CACHE.get(key)
    if out is None:
        out = run(source, fmt, engine, pinned)     # raises on failure: nothing is cached
        _CACHE[key] = out
    return out


def render_svg(snapshot, previous=None, **options) -> str:
    """The SVG text of `to_dot(snapshot, previous)` (cached by DOT source).

    >>> import kernelptr as kp, widgets
    >>> heap = kp.reset()
    >>> a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> widgets.render_svg(heap.snapshot()).lstrip().startswith("<?xml")
    True
    """
    return render(to_dot(snapshot, previous, **options).source)


def cache_info() -> dict:
    """How many pictures the render cache holds (a revisited frame runs no `dot`)."""
    return {"entries": len(_CACHE)}


_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def fit(svg: str) -> str:
    """`svg` made to shrink to the width of its container (never wider than its natural
    size, never scrolling sideways), as a block with no gap above or below, for notebook
    outputs and web pages; the aspect ratio comes from its viewBox. Pictures are arranged
    beforehand (`widgets.arrange`) so that the shrunk text stays readable.

    >>> fit('<svg width="300pt" height="100pt" viewBox="0 0 300 100"></svg>')
    '<svg width="100%" style="max-width:300pt;height:auto;display:block" viewBox="0 0 300 100"></svg>'
    """
    def sized(m):
        return f'<svg width="100%" style="max-width:{m.group(1)}pt;height:auto;display:block"'

    return _SIZE.sub(sized, svg, count=1)
