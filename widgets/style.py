"""The look of every picture: an Okabe-Ito palette, fonts and sizes readable on a projector."""

from __future__ import annotations

__all__ = ["PALETTE", "id_colour", "FONT", "FONT_SIZE", "CHANGED", "SATURATED", "GREY",
           "HEADER", "PROBLEM", "PROBLEM_BG", "abbreviate"]

#: Okabe & Ito's eight colours, distinguishable with every common colour-vision deficiency.
PALETTE = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
_ID_COLOURS = ("#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")

FONT = "Helvetica,Arial,sans-serif"
FONT_SIZE = 14
CHANGED = "#F0E442"      # background of whatever changed since the previous frame
SATURATED = "#D55E00"    # the red badge of a saturated refcount
GREY = "#8C8C8C"         # freed objects, moved or dropped handles
HEADER = "#D9ECF7"       # object headers (a pale sky blue)
FREED_BG = "#EEEEEE"
#: Reserved for broken invariants (`heap.problems()`): a violet outside the Okabe-Ito set,
#: chosen as the colour farthest (CIELAB distance >= 34) from every ID colour, the "changed"
#: yellow, the saturated vermillion, grey, black and white under simulated protanopia,
#: deuteranopia and tritanopia (Machado et al. 2009). Marks also carry a "×n" and a thicker
#: line, so they never rely on colour alone.
PROBLEM = "#7000E0"
PROBLEM_BG = "#EEE2FD"   # the pale violet behind a cell a problem concerns


def id_colour(list_id) -> str:
    """The colour of list ID `list_id` (ListArc handles, list heads, next/prev edges).

    ID 1 is bluish green rather than orange: orange text on the yellow "changed" background
    is hard to read on a projector.

    >>> id_colour(0), id_colour(1)
    ('#0072B2', '#009E73')
    """
    return _ID_COLOURS[int(list_id or 0) % len(_ID_COLOURS)]


def abbreviate(address) -> str:
    """A kernel address short enough to read aloud: first 8 and last 4 hex digits.

    >>> abbreviate(0xffff888000001040)
    'ffff8880…1040'
    >>> abbreviate(0x1040), abbreviate(None)
    ('1040', 'null')
    """
    if address is None:
        return "null"
    text = f"{address:x}"
    return text if len(text) <= 12 else f"{text[:8]}…{text[-4:]}"
