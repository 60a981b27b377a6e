"""The course as static HTML (`make site`): a notebook as one page and as a reveal.js deck,
and the index that links them. Pure functions of an executed notebook; `site/build.py`
executes the notebooks and writes the files.

A recording is shown as its frames (`widgets.filmstrip.frames_html`, carried by the output
mime type `MIME_STEPS` that the build's kernel adds to every Stepper), one at a time, with
first / previous / next / last buttons, a slider and the arrow keys (`assets/steps.js`);
without JavaScript every frame shows, one after another. Nothing on a page or in a deck
refers to another host: the decks use the reveal.js vendored in `site/vendor/`.
"""

from __future__ import annotations

import html
import re

from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from widgets.export import inline_svg
from widgets.render import fit

__all__ = ["MIME_STEPS", "slide_type", "title_of", "markdown", "cell_html", "page", "deck",
           "index", "guide", "steps_html", "highlight_css"]

#: The output the site's kernel adds to a Stepper (and to a failed check's picture):
#: {"html": the frames, "n": how many, "start": the frame shown first, "before": HTML above}.
MIME_STEPS = "application/vnd.kernelptr.steps+json"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_SVG_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE svg[^>]*>")
_FRAME_OPEN = re.compile(r'<section class="frame"')


def slide_type(cell) -> str:
    """The cell's slide type: slide, subslide, fragment, skip, notes, or "-" (continues)."""
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def title_of(nb) -> tuple:
    """(plain text, HTML) of the notebook's title: the first line of its first cell."""
    first = _text(nb.cells[0].source).splitlines()[0].lstrip("# ").strip()
    inline = markdown2html_mistune(first)
    inline = re.sub(r"^<p>|</p>\s*$", "", inline.strip())
    return first.replace("`", ""), inline


def markdown(source: str) -> str:
    """Markdown as HTML (GitHub tables, fenced Rust highlighted by pygments)."""
    return markdown2html_mistune(source)


def _code(source: str) -> str:
    return highlight(source, PythonLexer(), HtmlFormatter(cssclass="highlight"))


def highlight_css() -> str:
    """The colours of highlighted code (Python cells and Rust blocks)."""
    return HtmlFormatter(cssclass="highlight").get_style_defs(".highlight")


def _fit_svg(svg: str) -> str:
    """An SVG document as an element that shrinks to its container's width."""
    return fit(inline_svg(svg))


def steps_html(steps: dict) -> str:
    """A recording's frames with their controls: buttons, a slider, and the arrow keys once
    the recording has the focus (a click on it). `steps` is a `MIME_STEPS` value."""
    n, start = int(steps["n"]), int(steps.get("start", 0))
    frames = _FRAME_OPEN.sub('<div class="frame"', steps["html"])
    frames = frames.replace("</section>", "</div>")
    controls = (
        '<div class="kp-steps-controls">'
        '<button type="button" data-move="first" title="first step (Home)">&laquo;</button>'
        '<button type="button" data-move="prev" title="previous step (&#8592;)">&lsaquo;</button>'
        '<button type="button" data-move="next" title="next step (&#8594;)">&rsaquo;</button>'
        '<button type="button" data-move="last" title="last step (End)">&raquo;</button>'
        f'<input type="range" min="0" max="{max(n - 1, 0)}" value="{start}" '
        'aria-label="step">'
        f'<span class="kp-where">{n} steps</span>'
        '<span class="kp-keys">click the picture, then &#8592; &#8594;</span></div>')
    before = steps.get("before", "")
    return (f'{before}<div class="kp-steps" tabindex="0" data-n="{n}" data-start="{start}">'
            f'{controls}<div class="kp-frames">{frames}</div></div>')


def _output_html(out) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        cls = "stderr" if out.get("name") == "stderr" else "stdout"
        return f'<pre class="output {cls}">{html.escape(_text(out.get("text")))}</pre>'
    if kind == "error":
        trace = _ANSI.sub("", "\n".join(out.get("traceback", [])))
        return f'<pre class="output error">{html.escape(trace)}</pre>'
    data = out.get("data", {})
    if MIME_STEPS in data:
        return f'<div class="output">{steps_html(data[MIME_STEPS])}</div>'
    if "text/html" in data:
        return f'<div class="output">{_SVG_PROLOGUE.sub("", _text(data["text/html"]))}</div>'
    if "image/svg+xml" in data:
        return f'<div class="output picture">{_fit_svg(_text(data["image/svg+xml"]))}</div>'
    if "image/png" in data:
        png = _text(data["image/png"]).replace("\n", "")
        return f'<div class="output picture"><img alt="picture" src="data:image/png;base64,{png}"></div>'
    if "text/plain" in data:
        return f'<pre class="output">{html.escape(_text(data["text/plain"]))}</pre>'
    return ""


def cell_html(cell, *, fold: bool = False) -> str:
    """One cell: markdown as HTML, or code highlighted with its outputs under it. `fold`
    (slides) folds the code of a cell that shows a recording: each frame shows the code
    beside its picture, and the picture then fits the screen."""
    if cell.cell_type == "markdown":
        return f'<div class="cell md">{markdown(_text(cell.source))}</div>'
    tags = cell.get("metadata", {}).get("tags", [])
    label = ('<div class="cell-label">your turn</div>' if "exercise" in tags else
             '<div class="cell-label">self-check</div>' if "check" in tags else "")
    outputs = "".join(_output_html(o) for o in cell.get("outputs", []))
    role = " ".join(t for t in tags if t in ("exercise", "check"))
    code = f'<div class="input">{_code(_text(cell.source))}</div>'
    if fold and any(MIME_STEPS in o.get("data", {}) for o in cell.get("outputs", [])):
        code = f'<details class="fold"><summary>the code</summary>{code}</details>'
    return f'<div class="cell code {role}">{label}{code}{outputs}</div>'


_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{links}
</head>
"""


def _head(title: str, links: str) -> str:
    return _HEAD.format(title=html.escape(title), links=links)


def page(nb, *, slides_href: str, prev=None, next=None) -> str:
    """The notebook as one page: every cell but the speaker notes (they are in the deck)."""
    plain, title = title_of(nb)
    nav = ['<a href="index.html">course</a>', f'<a href="{slides_href}">slides</a>']
    if prev:
        nav.append(f'<a href="{prev[0]}">&larr; {html.escape(prev[1])}</a>')
    if next:
        nav.append(f'<a href="{next[0]}">{html.escape(next[1])} &rarr;</a>')
    cells = "\n".join(cell_html(c) for c in nb.cells if slide_type(c) != "notes")
    return (_head(plain, '<link rel="stylesheet" href="assets/site.css">') +
            f'<body class="page"><nav>{" · ".join(nav)}</nav>\n<main>{cells}</main>\n'
            '<script src="assets/steps.js"></script>\n</body></html>\n')


def _sections(nb) -> list:
    """Slides as [[vertical slide, ...], ...], each slide {"parts": [...], "notes": [...]},
    a part being ("html", text) or ("fragment", [text, ...]): reveal.js's nesting of the
    notebook's slide types (as nbconvert's slides: "-" cells join the part before them)."""
    slides: list = []
    for cell in nb.cells:
        kind = slide_type(cell)
        if kind == "skip":
            continue
        if kind == "slide" or not slides:
            slides.append([{"parts": [], "notes": []}])
        elif kind == "subslide":
            slides[-1].append({"parts": [], "notes": []})
        current = slides[-1][-1]
        if kind == "notes":
            current["notes"].append(markdown(_text(cell.source)))
        elif kind == "fragment":
            current["parts"].append(("fragment", [cell_html(cell, fold=True)]))
        elif current["parts"] and current["parts"][-1][0] == "fragment" and kind == "-":
            current["parts"][-1][1].append(cell_html(cell, fold=True))
        else:
            current["parts"].append(("html", cell_html(cell, fold=True)))
    return slides


def _section(slide) -> str:
    body = []
    for kind, content in slide["parts"]:
        body.append(f'<div class="fragment">{"".join(content)}</div>' if kind == "fragment"
                    else content)
    notes = (f'<aside class="notes">{"".join(slide["notes"])}</aside>' if slide["notes"]
             else "")
    return f'<section>{"".join(body)}{notes}</section>'


def deck(nb, *, page_href: str) -> str:
    """The notebook as a reveal.js deck at 1280x720: slides and subslides as the notebook
    marks them, fragments revealed one by one, notes cells as speaker notes (press S);
    a slide taller than the screen scrolls."""
    plain, _title = title_of(nb)
    out = []
    for stack in _sections(nb):
        if len(stack) == 1:
            out.append(_section(stack[0]))
        else:
            out.append("<section>" + "".join(_section(s) for s in stack) + "</section>")
    links = ('<link rel="stylesheet" href="../vendor/reveal.js/reveal.css">\n'
             '<link rel="stylesheet" href="../assets/site.css">')
    return (_head(plain, links) +
            f'<body class="deck"><div class="reveal"><div class="slides">\n'
            + "\n".join(out) +
            '\n</div></div>\n'
            f'<a class="deck-page" href="../{page_href}" title="the notebook as one page">page</a>\n'
            '<script src="../vendor/reveal.js/reveal.js"></script>\n'
            '<script src="../vendor/reveal.js/notes.js"></script>\n'
            '<script src="../assets/steps.js"></script>\n'
            '<script>Reveal.initialize({hash: true, width: 1280, height: 720, margin: 0.02,\n'
            '  center: false, transition: "none", slideNumber: "c/t", controlsTutorial: false,\n'
            '  plugins: [RevealNotes]});</script>\n'
            '</body></html>\n')


def index(entries: list, *, guide: bool) -> str:
    """The course's front page: each notebook's page and deck. `entries` are
    (stem, title HTML) pairs."""
    rows = "\n".join(
        f'<tr><td><a href="{stem}.html">{title}</a></td>'
        f'<td><a href="slides/{stem}.html">slides</a></td></tr>' for stem, title in entries)
    guide_link = ('<p>For lecturers: <a href="lecturers.html">the lecturer\'s guide</a> '
                  '(timings, paths through the course, misconceptions, how to present).</p>'
                  if guide else "")
    return (_head("kernelptr: the Linux kernel's Rust smart pointers",
                  '<link rel="stylesheet" href="assets/site.css">') +
            '<body class="page"><main>'
            "<h1>kernelptr: the Linux kernel's Rust smart pointers</h1>"
            "<p>Each notebook as a page and as slides. Recordings step with their buttons, "
            "or with the arrow keys once clicked. In the slides: arrow keys or space move, "
            "<kbd>S</kbd> opens the speaker notes, <kbd>F</kbd> full screen, <kbd>Esc</kbd> "
            "the overview. To run the notebooks themselves, see the course's README.</p>"
            f'<table class="index"><tr><th>Notebook</th><th></th></tr>\n{rows}</table>'
            f"{guide_link}</main></body></html>\n")


def guide(text: str) -> str:
    """The lecturer's guide (Markdown) as a page of the site."""
    return (_head("kernelptr: the lecturer's guide", '<link rel="stylesheet" href="assets/site.css">')
            + '<body class="page"><nav><a href="index.html">course</a></nav><main>'
            + markdown(text) + "</main></body></html>\n")
