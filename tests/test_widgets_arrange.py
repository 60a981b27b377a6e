"""widgets.arrange: pictures fit the width they are shown in, text still readable: long
lists wrapped into rows read like text, vtables folded under the stack."""

import re

import kernelptr as kp
import widgets
from kernelptr.list.example import Job
from widgets.arrange import MIN_TEXT_PX, PX_PER_PT, _merge, width_budget
from widgets.stepper import FULL_PX, PICTURE_PX
from widgets_scenes import centres

_WIDTH = re.compile(r'<svg width="([\d.]+)pt"')


def _natural_pt(svg):
    return float(_WIDTH.search(svg).group(1))


def test_the_width_budget_keeps_14pt_text_at_least_10px():
    budget = width_budget(600)
    shrink = 600 / (budget * PX_PER_PT)
    assert abs(14 * PX_PER_PT * shrink - MIN_TEXT_PX) < 1e-9


def _long_list(n):
    q = kp.List(Job)
    with kp.record() as rec:
        for i in range(n):
            q.push_back(kp.ListArc.new(Job(i), kp.GFP_KERNEL))
    return q, rec


def test_a_long_list_is_wrapped_into_rows_that_fit_beside_the_code(heap):
    q, rec = _long_list(8)
    s = widgets.Stepper(rec)
    layout = s.drawing.layout
    assert layout.arrangement.per_row and layout.arrangement.per_row < 8
    picture = s.drawing.picture(len(s) - 1)
    assert _natural_pt(picture) <= width_budget(PICTURE_PX if s.drawing.beside else FULL_PX)


def test_wrapped_rows_read_like_text(heap):
    """First row on top, each row left to right, rows aligned."""
    q, rec = _long_list(8)
    s = widgets.Stepper(rec)
    k = s.drawing.layout.arrangement.per_row
    where = centres(s.drawing.picture(len(s) - 1))
    items = [f"obj_{a:x}" for a in rec.frames[-1].snapshot.list("q").items]
    rows = [items[r:r + k] for r in range(0, len(items), k)]
    for row in rows:
        ys = {round(where[n][1]) for n in row}
        assert len(ys) == 1, row                          # one height per row
        xs = [where[n][0] for n in row]
        assert xs == sorted(xs)                           # left to right
    tops = [where[row[0]][1] for row in rows]
    assert tops == sorted(tops)                           # SVG y grows downwards


def test_every_picture_of_a_stepper_has_one_canvas(heap):
    q, rec = _long_list(8)
    s = widgets.Stepper(rec)
    sizes = {re.search(r'viewBox="([^"]*)"', s.drawing.picture(i)).group(1) for i in range(len(s))}
    assert len(sizes) == 1


def test_a_short_list_is_not_wrapped(heap):
    q, rec = _long_list(2)
    assert widgets.Stepper(rec).drawing.layout.arrangement.per_row is None


def test_merged_order_keeps_each_frames_order():
    """An item inserted in a later frame sits between its neighbours there; an item
    removed keeps its place."""
    assert _merge([["b", "d", "e", "f"], ["b", "e", "f"], ["b", "new", "e", "f"]]) == [
        "b", "d", "new", "e", "f"]
    assert _merge([["a", "b"], ["b", "a"]]) == ["a", "b"]     # a contradiction: first seen


def test_a_heapview_wraps_a_long_list_to_fit_an_output(heap):
    q = kp.List(Job)
    for i in range(10):
        q.push_back(kp.ListArc.new(Job(i), kp.GFP_KERNEL))
    view = widgets.HeapView(heap)
    try:
        assert _natural_pt(view.svg()) <= width_budget(widgets.heapview.VIEW_PX)
    finally:
        view.close()
