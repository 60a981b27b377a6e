"""Hostile values render literally and inject nothing into DOT or SVG."""

import xml.etree.ElementTree as ET

import pytest

import kernelptr as kp
import widgets
from widgets.escape import html
from widgets_scenes import A, SVG

HOSTILE = [
    "<script>alert(1)</script>",
    '"quoted" \'single\'',
    "a]b[c{d}e|f",
    "line one\nline two",
    "back\\slash \\N \\G",
    "&amp; <![CDATA[x]]> -->",
    "> <TABLE>",
]


def _snapshot(value):
    objects = (kp.ObjectSnap(A, "Job<'x'>", 1, False, False, (("name", value), (value, "1"))),)
    handles = (kp.HandleSnap(value, "Arc", value, A),)
    lists = (kp.ListSnap(value, 0, "Job", (A,)),)
    return kp.Snapshot(1, objects, handles, lists, locks=(value,), warnings=(value,))


def _texts(svg):
    root = ET.fromstring(svg)          # parses: nothing broke the XML
    assert root.find(f".//{SVG}script") is None
    assert not any(el.tag.endswith("script") for el in root.iter())
    return " ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_value_renders_literally(value):
    svg = widgets.render_svg(_snapshot(value))
    shown = _texts(svg)
    literal = value.replace("\n", "\\n")
    assert literal in shown
    assert shown.count(literal) >= 3      # field value, field name, handle label, ...


def test_newline_does_not_break_the_dot_source():
    source = widgets.to_dot(_snapshot("x\ny")).source
    assert "x\\\\ny" in source and "x\ny" not in source   # shown as backslash, n


def test_handle_label_cannot_inject_dot_syntax():
    svg = widgets.render_svg(_snapshot('a"]; evil [label="pwned'))
    assert "pwned" in _texts(svg)
    assert 'class="node"' in svg
    root = ET.fromstring(svg)
    titles = [el.text for el in root.iter(f"{SVG}title")]
    assert "evil" not in titles


def test_html_escape_helper():
    assert html("<b>&") == "&lt;b&gt;&amp;"
    assert html("x" * 100).endswith("…") and len(html("x" * 100)) == 60
