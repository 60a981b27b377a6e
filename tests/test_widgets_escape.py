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


# -- text that used to crash a view: control characters, NUL, lone surrogates, huge labels --
CRASHERS = {
    "nul": "a\x00b",
    "controls": "bell\x07 esc\x1b[31m del\x7f nel\x85 vt\x0b",
    "lone-high-surrogate": "x\ud800y",
    "lone-low-surrogate": "\udfffz",
    "huge": "w" * 20_000,
    "huge-words": " ".join(["word"] * 5_000),
    "bidi-override": "\u202egnp.exe",
    "non-characters": "\ufffe\uffff\U0010ffff",
    "combining": "e\u0301" * 3_000,
    "crlf-tab": "one\r\ntwo\tthree",
    "graphviz-escapes": "\\N \\G \\L \\\\ \\",
    "markup": "]]> <!-- --> &#0; &amp; &bogus; <B>",
}


def _hostile_scene(text):
    """One recording that puts `text` at every insertion point: a struct field value, a type
    name, a handle's label (`kp.name`), a list's label and a lock's name."""
    fields = {"__annotations__": {"value": str, "links": kp.ListLinks[0]}}
    Hostile = kp.struct(type("Hostile", (), fields))
    Hostile._kp_type_name = text        # the name pictures and messages use for the type
    Hostile = kp.impl_list_arc_safe(Hostile, id=0, untracked=True)
    Hostile = kp.impl_list_item(Hostile, id=0, using="links")
    with kp.record() as rec:
        q = kp.name(kp.List(Hostile, id=0), text)
        la = kp.name(kp.ListArc.new(Hostile(text), kp.GFP_KERNEL), text + "!")
        a = kp.name(la.clone_arc(), text)
        q.push_back(la)
        lock = kp.SpinLock(0, text)
        with lock.lock():
            b = kp.name(a.clone(), text + "?")
            b.drop()
    return rec, (q, a)


def _parses_without_script(svg):
    root = ET.fromstring(svg)
    assert not any(el.tag.endswith("script") for el in root.iter())
    return root


@pytest.mark.parametrize("text", list(CRASHERS.values()), ids=list(CRASHERS))
def test_hostile_text_at_every_insertion_point_never_crashes_a_view(heap, text, tmp_path):
    """Issue: hostile or huge text (NUL, control characters, lone surrogates, 20,000
    characters) in field values, type names, handle and list labels, lock names and
    captions is escaped or shortened in DOT, SVG, HTML and PNG exports: no view raises."""
    rec, (q, a) = _hostile_scene(text)
    locked = rec.frames[-2].snapshot                   # inside the lock: the banner shows
    assert locked.locks == (text,) and locked.lists[0].label == text
    assert locked.objects[0].type_name == text and text in {h.label for h in locked.handles}
    source = widgets.to_dot(locked, caption=text).source
    assert len(source) < 60_000
    source.encode("utf-8")                             # no lone surrogate reaches dot
    svg = widgets.render_svg(locked, caption=text)
    _parses_without_script(svg)
    stepper = widgets.Stepper(rec)
    for i in range(len(stepper)):
        _parses_without_script(stepper.svg(i))
    page = stepper.to_html(tmp_path / "trace.html", title=text).read_text(encoding="utf-8")
    assert page.count("<svg") == len(stepper)
    pngs = stepper.save_pngs(tmp_path / "png")
    assert len(pngs) == len(stepper) and all(p.stat().st_size > 0 for p in pngs)
    q.drop()
    a.drop()


def test_a_huge_caption_is_shortened_and_wrapped_not_one_endless_line(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    source = widgets.to_dot(heap.snapshot(), caption="word " * 4_000).source
    caption = source.split('ID="kp-problems">')[1].split("</TD>")[0]
    lines = caption.split("<BR")
    assert len(lines) > 3 and max(len(x) for x in lines) < 200
    assert len(caption) < 2_500 and "…" in caption


def test_a_caption_is_text_whether_or_not_it_was_escaped_already():
    snap = kp.Snapshot(1)
    raw = widgets.to_dot(snap, caption='a <b> & "c"').source
    escaped = widgets.to_dot(snap, caption="a &lt;b&gt; &amp; &quot;c&quot;").source
    assert raw == escaped and "a &lt;b&gt; &amp; &quot;c&quot;" in raw


def test_node_names_of_huge_labels_stay_short_and_distinct():
    from widgets.escape import node_id

    long_a, long_b = "a" * 20_000, "a" * 19_999 + "b"
    assert len(node_id("h", long_a)) < 120
    assert node_id("h", long_a) != node_id("h", long_b)
    assert node_id("h", long_a) == node_id("h", long_a)


def test_a_character_above_u_ffff_is_written_as_a_long_escape_in_captions_and_the_log(heap):
    """A character above U+FFFF a page cannot show (a language tag) is written `\\U000e0001`
    in a Stepper's caption and event log, not as a five-digit `\\u` escape (which reads as
    `\\ue000` followed by a `1`); newlines and tabs in the page's text are kept."""
    tag = chr(0xE0001)
    with kp.record() as rec:
        a = kp.name(kp.Arc.new(1, kp.GFP_KERNEL), "a" + tag)
        b = a.clone()
    s = widgets.Stepper(rec)
    for shown in (s._title.value, s._log.value):
        assert "(a\\U000e0001)" in shown and "\\ue0001" not in shown and tag not in shown
    from widgets.escape import printable
    assert printable("one\ttwo\n" + tag, keep="\n\t") == "one\ttwo\n\\U000e0001"
