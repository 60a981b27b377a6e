"""site/pages.py: a notebook as a page and as a reveal.js deck (no browser; the browser
test of the built site is tests/test_browser_site.py)."""

import importlib.util
import pathlib
import re

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("site_pages", ROOT / "site" / "pages.py")
pages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pages)


def cell(kind, source, slide=None, outputs=(), tags=()):
    new = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
    c = new(source)
    if slide:
        c.metadata["slideshow"] = {"slide_type": slide}
    if tags:
        c.metadata["tags"] = list(tags)
    if outputs:
        c.outputs = list(outputs)
    return c


STEPS = {"html": '<section class="frame" data-step="0"><h2>one</h2></section>'
                 '<section class="frame" data-step="1"><h2>two</h2></section>',
         "n": 2, "start": 1}


def notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("md", "# 09 · A `Title`\nYou will learn", "slide"),
        cell("code", "import kernelptr as kp"),
        cell("md", "**Speaker notes.** Say: hello", "notes"),
        cell("md", "## Second slide", "slide"),
        cell("code", "race", outputs=[nbformat.v4.new_output(
            "execute_result", {pages.MIME_STEPS: STEPS, "text/plain": "Stepper(2 frames)"},
            execution_count=1)]),
        cell("md", "a fragment", "fragment"),
        cell("code", "print('joins the fragment')"),
        cell("md", "## Down", "subslide"),
        cell("code", "setup = 1", "skip"),
        cell("code", "answer = ...  # your turn", tags=["exercise"]),
    ]
    return nb


def test_deck_nests_slides_subslides_fragments_and_notes_as_reveal_reads_them():
    deck = pages.deck(notebook(), page_href="09_title.html")
    slides = deck.split('<div class="slides">', 1)[1]
    # two horizontal slides; the second holds a vertical stack of two
    assert slides.count("<section>") == 4
    assert re.search(r"<section><section>.*Second slide.*</section><section>.*Down", slides, re.S)
    assert '<aside class="notes"><p><strong>Speaker notes.</strong> Say: hello</p>' in slides
    fragment = slides.split('<div class="fragment">', 1)[1]
    assert "a fragment" in fragment and "joins the fragment" in fragment.split("</section>")[0]
    assert "setup = 1" not in slides, "skip cells stay out of the slides"


def test_a_recording_steps_and_its_code_folds_in_the_deck_only():
    deck = pages.deck(notebook(), page_href="09_title.html")
    page = pages.page(notebook(), slides_href="slides/09_title.html")
    for html in (deck, page):
        assert '<div class="kp-steps" tabindex="0" data-n="2" data-start="1">' in html
        assert '<div class="frame" data-step="1">' in html
        assert '<section class="frame"' not in html, "reveal.js would take frames for slides"
    assert '<details class="fold"><summary>the code</summary>' in deck
    assert "<details" not in page


def test_page_leaves_the_speaker_notes_to_the_deck_and_labels_exercises():
    page = pages.page(notebook(), slides_href="slides/09_title.html",
                      next=("10_more.html", "10 · More"))
    assert "Speaker notes" not in page
    text = re.sub(r"<[^>]+>", "", page)
    assert '<div class="cell-label">your turn</div>' in page and "setup = 1" in text
    assert '<a href="10_more.html">10 · More &rarr;</a>' in page
    assert pages.title_of(notebook()) == ("09 · A Title", "09 · A <code>Title</code>")


def test_pages_and_decks_load_nothing_from_another_host():
    html = pages.deck(notebook(), page_href="x.html") + pages.page(notebook(), slides_href="y")
    html += pages.guide("# The guide\n[a link](https://example.org) is text, not a load")
    html += pages.index([("09_title", "09")], guide=True)
    loads = re.findall(r'src="[^"]*"|<link[^>]*href="[^"]*"|url\([^)]*\)', html)
    assert loads and not [x for x in loads if re.search(r'"(https?:)?//|\((https?:)?//', x)]
    for name in ("reveal.js", "reveal.css", "notes.js", "LICENSE"):
        assert (ROOT / "site" / "vendor" / "reveal.js" / name).exists()
    vendored = (ROOT / "site" / "vendor" / "reveal.js" / "reveal.css").read_text()
    assert "@import" not in vendored and "url(http" not in vendored
