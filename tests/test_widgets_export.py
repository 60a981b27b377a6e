"""Stepper exports: SVG and PNG files, an animated GIF, one offline HTML page."""

import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

import widgets
from widgets_scenes import list_recording


@pytest.fixture
def stepper(heap):
    return widgets.Stepper(list_recording())


def test_save_svgs_writes_one_parseable_file_per_frame(stepper, tmp_path):
    paths = stepper.save_svgs(tmp_path / "svg")
    assert len(paths) == len(stepper)
    assert paths[0].name == "step_001.svg"
    for path in paths:
        ET.parse(path)


def test_save_pngs_writes_one_png_per_frame(stepper, tmp_path):
    paths = stepper.save_pngs(tmp_path / "png")
    assert len(paths) == len(stepper)
    with Image.open(paths[0]) as im:
        assert im.format == "PNG" and im.width > 400


def test_gif_has_one_frame_per_step(stepper, tmp_path):
    path = stepper.save_gif(tmp_path / "trace.gif")
    with Image.open(path) as im:
        assert im.format == "GIF"
        assert im.n_frames == len(stepper)


def test_html_is_self_contained_with_every_frame(stepper, tmp_path):
    path = stepper.to_html(tmp_path / "trace.html")
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://", page)
    assert not re.search(r"<(script|link|img)[^>]*\bsrc=", page)
    assert page.count('<section class="frame"') == len(stepper)
    assert page.count("<svg") == len(stepper)
    for i in range(len(stepper)):
        assert f'data-step="{i}"' in page
    assert "ArrowRight" in page and "ArrowLeft" in page
    for control in ('id="first"', 'id="prev"', 'id="next"', 'id="last"', 'id="play"',
                    'id="slider"'):
        assert control in page


def test_inline_svg_drops_prologue_and_namespaces(stepper):
    svg = widgets.export.inline_svg(stepper.svg(0))
    assert svg.startswith("<svg") and "http" not in svg and "DOCTYPE" not in svg


def test_png_frames_share_one_canvas(stepper, tmp_path):
    sizes = set()
    for path in stepper.save_pngs(tmp_path / "png"):
        with Image.open(path) as im:
            sizes.add(im.size)
    assert len(sizes) == 1
