"""widgets.panels: captions, code and event log in the learner's words, never cut."""

import dataclasses

import kernelptr as kp
import widgets
from kernelptr.list.example import Job
from widgets.panels import Narrator, legend_html, log_html, source_html


def test_captions_name_the_variable_the_list_and_the_short_address(heap):
    q = kp.List(Job)
    a = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    with kp.record() as rec:
        q.push_back(a)
        b = q.pop_front()
    words = Narrator(rec)
    short = f"ffff8880…{a.address & 0xffff:04x}"
    assert words.caption(0).startswith(f"step 1/2 · List::push_back: a's Job @{short} "
                                       "linked at the back of q")
    assert f"b's Job @{short} unlinked" in words.caption(1)
    assert f"{a.address:#x}" not in words.caption(0) + words.caption(1)


def test_a_step_whose_text_names_no_object_says_which_it_concerns(heap):
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    with kp.record() as rec:
        b = a.clone()
        a.drop()
    words = Narrator(rec)
    assert "b's Job @ffff8880…1000: refcount 1 -> 2" in words.caption(0)
    assert "a's Job @ffff8880…1000: refcount 2 -> 1" in words.caption(1)


def test_captions_and_log_lines_are_never_cut(heap):
    """A long sentence keeps its end (it used to be cut at 100 characters); only a huge
    name is shortened in its middle."""
    Long = kp.struct(type("AVeryLongTypeNameThatTheLearnerChoseForTheirJobQueueEntry", (), {
        "__annotations__": {"n": int}}))
    with kp.record() as rec:
        a_rather_long_variable_name = kp.Arc.new(Long(1), kp.GFP_KERNEL)
        b = a_rather_long_variable_name.clone()
    caption = Narrator(rec).caption(0)
    assert len(caption) > 140 and caption.endswith("(a_rather_long_variable_name), refcount 1")
    s = widgets.Stepper(rec)
    assert caption in s._title.value
    assert "white-space:pre-wrap" in log_html(rec, 0)
    assert "refcount 1" in s.svg(0)


def test_the_log_marks_the_current_step_and_greys_the_later_ones(heap):
    with kp.record() as rec:
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        b = a.clone()
        c = b.clone()
    html = log_html(rec, 1)
    assert 'class="kp-current"' in html and "► [" in html
    assert html.index("►") < html.index("color:#767676")


def test_the_rust_statement_shows_under_the_code_and_in_pictures(heap):
    """`event.rust` (the kernel Rust a step models) shows under the marked line, in the
    exported pictures and in the filmstrip; absent, nothing is shown."""
    with kp.record() as rec:
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        b = a.clone()
    frame = rec.frames[1]
    event = dataclasses.replace(frame.event, rust="let b = a.clone();")
    silent = dataclasses.replace(frame.event, rust="")
    rec.frames[1] = kp.Frame(silent, frame.snapshot)
    assert 'class="kp-rust"' not in source_html(rec, 1)
    rec.frames[1] = kp.Frame(event, frame.snapshot)
    html = source_html(rec, 1)
    assert 'class="kp-rust"' in html and "let b = a.clone();" in html
    s = widgets.Stepper(rec)
    assert "let b = a.clone();" in s.svg(1)
    assert "let b = a.clone();" in widgets.filmstrip.svg(s)


def test_the_legend_is_html_that_wraps():
    html = legend_html()
    assert "flex-wrap:wrap" in html and "UniqueArc" in html and "SATURATED" in html
    assert "<FONT" not in html and "<B>" not in html


def test_a_broken_invariant_is_named_under_the_caption():
    """Behaviour 48 (unchecked code pushing one item into two lists of the same ID breaks
    both rings): the Stepper names what `heap.check()` finds under its caption, in the
    problem colour, numbered as the picture marks it (`widgets.dot.problems_caption`)."""
    import warnings

    with kp.Heap() as heap, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, x = kp.Arc.new(Job(1), kp.GFP_KERNEL), kp.Arc.new(Job(2), kp.GFP_KERNEL)
        left, right = kp.List(Job, id=0), kp.List(Job, id=0)
        with kp.record() as rec:
            kp.unchecked.push_back(left, x)
            kp.unchecked.push_back(left, a)
            kp.unchecked.push_back(right, a)
        assert heap.problems()
        s = widgets.Stepper(rec)
        s.last()
        assert 'class="kp-problems"' in s._title.value
        assert "heap.check() fails:<br>×1" in s._title.value
        s.first()
        expected = bool(rec.frames[0].snapshot.problems)
        assert ('class="kp-problems"' in s._title.value) == expected
