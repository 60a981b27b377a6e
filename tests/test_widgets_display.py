"""What static renderers and pages see: a Stepper's SVG fallback, stable CSS hooks, and
plots that display as PNG without pyplot."""

import xml.etree.ElementTree as ET

import kernelptr as kp
import widgets


def test_stepper_carries_an_svg_fallback_and_css_hooks(heap):
    with kp.record() as rec:
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        b = a.clone()
    s = widgets.Stepper(rec)
    bundle = s._repr_mimebundle_()
    assert bundle["text/plain"] == "Stepper(2 frames)"
    ET.fromstring(bundle["image/svg+xml"])                 # a whole, parseable picture
    assert "kp-stepper" in s._dom_classes
    assert "kp-caption" in s._title._dom_classes and "kp-graph" in s._graph._dom_classes
    assert 'class="kp-current"' in s._log.value
    s.next()
    assert "refcount 1 -&gt; 2" in s._log.value.split('class="kp-current"')[1].split("</span>")[0]
    assert b.refcount == 2


def test_plots_display_as_png_without_pyplot():
    fig = widgets.plot_layout()
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG")
