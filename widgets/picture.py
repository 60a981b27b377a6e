"""A drawn graph that shows itself in a notebook: DOT source in, SVG (or PNG) out."""

from __future__ import annotations

from .render import fit, render

__all__ = ["Picture"]


class Picture:
    """A graphviz picture of something the model built (the C ops table of a `#[vtable]`
    trait, ...): its DOT `source`, rendered through `widgets.render` (cached), shown as SVG
    in notebooks and static viewers.

    >>> import widgets
    >>> p = Picture('digraph { a -> b }', "a tiny graph")
    >>> p, p.svg().lstrip().startswith("<?xml")
    (Picture(a tiny graph), True)
    """

    def __init__(self, source: str, title: str = "picture"):
        self.source = source
        self.title = title

    def svg(self) -> str:
        """The picture as SVG text."""
        return render(self.source, "svg")

    def png(self) -> bytes:
        """The picture as PNG bytes (for slides)."""
        return render(self.source, "png")

    def _repr_mimebundle_(self, **kwargs):
        """The SVG, plus the same SVG made to shrink to the output's width (`fit`) as HTML,
        which notebooks prefer: a wide table fits beside the code instead of scrolling."""
        svg = self.svg()
        return {"text/html": fit(svg), "image/svg+xml": svg, "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"Picture({self.title})"
