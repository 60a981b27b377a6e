"""widgets.filmstrip: a notebook read without running it shows every step of a recording."""

import base64
import io
import re

import nbformat
from PIL import Image

import kernelptr as kp
import widgets
from widgets import filmstrip


def _recording():
    with kp.record() as rec:
        a = kp.Arc.new("job", kp.GFP_KERNEL)
        b = a.clone()
        c = b.clone()
        b.drop()
    return rec


def test_the_static_display_carries_every_step_as_svg_and_png(heap):
    s = widgets.Stepper(_recording())
    bundle = s._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    for i in range(len(s)):
        assert f"step {i + 1}/{len(s)}" in svg
    assert "4 steps, one after another" in svg
    with Image.open(io.BytesIO(base64.b64decode(bundle["image/png"]))) as im:
        assert im.width <= filmstrip.PNG_WIDTH_PX
        assert im.height > len(s) * 150
    assert bundle["text/plain"] == "Stepper(4 frames)"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_svg_filmstrip_is_the_same_on_every_run():
    """Notebook tests compare it as text: it must not depend on Python ids or timing."""
    texts = []
    for _ in range(2):
        with kp.Heap():
            texts.append(filmstrip.svg(widgets.Stepper(_recording())))
    assert texts[0] == texts[1]


def test_a_long_recording_says_how_many_steps_it_left_out(heap):
    with kp.record() as rec:
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        for _ in range(filmstrip.MAX_FRAMES + 5):
            kp.drop(a.clone())
    s = widgets.Stepper(rec)
    svg = filmstrip.svg(s)
    assert f"the first {filmstrip.MAX_FRAMES} drawn here" in svg
    assert svg.count("<svg x=") == filmstrip.MAX_FRAMES + 1        # + the legend


def test_frames_html_shows_every_frame_without_a_script(heap):
    s = widgets.Stepper(_recording())
    html = filmstrip.frames_html(s)
    assert html.count('<section class="frame"') == len(s)
    assert " hidden" not in html and "<script" not in html
    assert html.count("<svg") == len(s) and 'class="kp-legend"' in html


def test_a_static_viewer_shows_every_step(heap):
    """nbconvert (what nbviewer uses) turns the stored output into a page with every
    step; no widget state is needed."""
    from nbconvert import HTMLExporter

    s = widgets.Stepper(_recording())
    bundle = s._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("widgets.Stepper(rec)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1, data={
        k: v for k, v in bundle.items() if k != "application/vnd.jupyter.widget-view+json"})]
    nb.cells = [cell]
    page, _ = HTMLExporter().from_notebook_node(nb)
    shown = [base64.b64decode(data).decode("utf-8") for data in
             re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]
    assert len(shown) == 1                 # the SVG filmstrip, not the PNG, not text
    for i in range(len(s)):
        assert f"step {i + 1}/{len(s)}" in shown[0]
