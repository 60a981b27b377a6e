"""widgets.Stepper: navigation, panels, frame cache, stable layout; the %%kptrace magic."""

import pytest

import kernelptr as kp
import widgets
from widgets import render as render_mod
from widgets_scenes import centres, list_recording


@pytest.fixture
def rec(heap):
    return list_recording()


def test_recording_has_more_than_ten_frames(rec):
    assert len(rec.frames) >= 10


def test_buttons_move_and_index_clamps(rec):
    s = widgets.Stepper(rec)
    n = len(rec.frames)
    assert s.index == 0
    s.next(); s.next()
    assert s.index == 2
    s.prev()
    assert s.index == 1
    s.last()
    assert s.index == n - 1
    s.next()
    assert s.index == n - 1
    s.first()
    assert s.index == 0
    s.prev()
    assert s.index == 0
    s.index = 999
    assert s.index == n - 1
    s.index = -5
    assert s.index == 0


def test_buttons_are_clickable_widgets(rec):
    s = widgets.Stepper(rec)
    first, prev, nxt, last = s._buttons
    nxt.click(); nxt.click()
    assert s.index == 2
    last.click()
    assert s.index == len(rec.frames) - 1
    prev.click()
    assert s.index == len(rec.frames) - 2
    first.click()
    assert s.index == 0


def test_panels_show_source_line_and_current_event(rec):
    s = widgets.Stepper(rec)
    s.index = 5
    event = rec.frames[5].event
    assert event.op in s._title.value
    assert "q.push_back(a)" in s._source.value and "→" in s._source.value
    assert "▶" in s._log.value and event.op in s._log.value.split("▶")[1]
    assert s._graph.value == widgets.render.fit(s.drawing.picture(5))


def test_play_and_speed_controls_exist(rec):
    s = widgets.Stepper(rec)
    assert s._play.max == len(rec.frames) - 1
    assert s._speed.value == s._play.interval


def test_frames_are_rendered_once(rec, monkeypatch):
    """The Stepper's own frame cache: revisiting renders nothing, even with the global
    SVG cache emptied."""
    s = widgets.Stepper(rec)
    svgs = [s.svg(i) for i in range(len(s))]
    pictures = [s.drawing.picture(i) for i in range(len(s))]
    render_mod._CACHE.clear()
    monkeypatch.setattr(render_mod.graphviz, "pipe", lambda *a, **k: pytest.fail("dot ran"))
    for i in reversed(range(len(s))):
        s.index = i
        assert s.svg() == svgs[i]
        assert s._graph.value == widgets.render.fit(pictures[i])


def test_layout_is_stable_between_consecutive_frames(rec):
    s = widgets.Stepper(rec)
    frames = [centres(s.svg(i)) for i in range(len(s))]
    shared = 0
    for before, after in zip(frames, frames[1:]):
        for name in before.keys() & after.keys():
            (x0, y0), (x1, y1) = before[name], after[name]
            assert ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 < 5, name
            shared += 1
    assert shared > 50


def test_empty_recording_shows_a_message(heap):
    with kp.record() as rec:
        pass
    s = widgets.Stepper(rec)
    assert s.svg() == "" and "no frames" in s._title.value


def test_trace_cell_records_one_frame_per_changing_statement(heap):
    ns = {"kp": kp}
    rec = widgets.trace_cell("a = kp.Arc.new(1, kp.GFP_KERNEL)\nn = 3\nb = a.clone()\n"
                             "for i in range(n):\n    kp.drop(a.clone())\n", ns)
    assert [f.event.op for f in rec.frames] == ["Arc::new", "Arc::clone", "Arc::drop"]
    assert [h.label for h in rec.frames[1].snapshot.handles] == ["a", "b"]


def test_trace_cell_keeps_frames_before_an_error(heap):
    ns = {"kp": kp}
    with pytest.raises(kp.UseAfterMove) as err:
        widgets.trace_cell("a = kp.Arc.new(1, kp.GFP_KERNEL)\nb = a.into_raw()\na.clone()\n", ns)
    assert len(err.value.kp_recording.frames) == 2


def test_kptrace_magic_in_ipython(heap):
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.run_line_magic("load_ext", "widgets")
    shown = []
    ip.user_ns["kp"] = kp
    from IPython.core import display_functions
    original = display_functions.display
    try:
        display_functions.display = lambda *objs, **kw: shown.extend(objs)
        import IPython.display
        IPython.display.display = display_functions.display
        result = ip.run_cell("%%kptrace\nx = kp.Arc.new(1, kp.GFP_KERNEL)\ny = x.clone()\n")
    finally:
        display_functions.display = original
        IPython.display.display = original
    assert result.success
    (stepper,) = shown
    assert isinstance(stepper, widgets.Stepper) and len(stepper) == 2
    stepper.last()
    assert "y = x.clone()" in stepper._source.value
    assert [h.label for h in stepper.recording.frames[1].snapshot.handles] == ["x", "y"]
