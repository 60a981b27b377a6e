"""Presenting live from `make lab`: notebook 04 run in JupyterLab, then shown as slides with
JupyterLab's deck mode (jupyterlab-slideshow, a pip dependency); the slide with the race's
Stepper renders and steps with its buttons, and nothing is requested from another host
(headless Debian Chromium; JupyterLab on 127.0.0.1, stopped by its pid).

Why not RISE: jupyterlab-rise 0.43.1 presents from an app of its own built on JupyterLab
4.3's core, in which the widget manager of ipywidgets 8.1 (and so every Stepper) fails to
load; its default theme also fetches web fonts.

The slides are in the notebook's own panel, so the widgets are the notebook's: the live
model and every Stepper work as in the notebook.
"""

import pathlib
import sys
import urllib.parse

import pytest

from test_browser import ARTIFACTS, jupyter_lab, launch, open_and_run_all

pytestmark = pytest.mark.browser

LOCAL = ("127.0.0.1", "localhost", "[::1]")
ROOT = pathlib.Path(__file__).resolve().parents[1]
OVERRIDES = pathlib.Path(sys.prefix, "share", "jupyter", "lab", "settings", "overrides.d",
                         "kernelptr.json")


def non_local(urls) -> list:
    """The requests that went to another host (data:, blob: and about: stay local)."""
    out = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "file", "chrome-extension"):
            continue
        if parts.hostname not in LOCAL and f"[{parts.hostname}]" not in LOCAL:
            out.append(url)
    return sorted(set(out))


def projector_page(browser):
    """A page the size of a 1280x720 projector, and the list every request it (or a window
    it opens) makes is added to."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    requests = []
    context.on("request", lambda r: requests.append(r.url))
    return context.new_page(), requests


def test_notebook_04_presents_as_slides_with_a_live_stepper(tmp_path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    # Without these defaults (deck mode keeping the prompt column) the output's collapse
    # bar lies over a Stepper's first buttons; `make venv` installs them.
    assert OVERRIDES.exists() and OVERRIDES.read_text() == \
        (ROOT / "lecturers" / "lab-settings" / "kernelptr.json").read_text(), \
        f"{OVERRIDES} is missing or stale: run `make venv`"
    with jupyter_lab(tmp_path, notebooks=("04_listarc.ipynb",)) as url, \
            sync_playwright() as pw:
        browser = launch(pw)
        try:
            page, requests = projector_page(browser)
            open_and_run_all(page, url)
            page.locator(".kp-stepper .kp-graph svg").first.wait_for(timeout=120_000)

            # Present from the first cell: the deck button of the notebook's toolbar.
            page.locator(".jp-Notebook .jp-Cell").first.click()
            page.keyboard.press("Escape")
            page.locator('[data-command="deck:toggle"]').first.click()
            page.locator(".jp-deck-mod-onscreen").first.wait_for(timeout=30_000)

            # Space moves forward (down into subslides, then right) until the Stepper's
            # slide is on screen.
            cell = page.locator(".jp-Notebook .jp-Cell", has=page.locator(".kp-stepper")).first
            for _ in range(12):
                if "jp-deck-mod-onscreen" in (cell.get_attribute("class") or ""):
                    break
                page.keyboard.press("Space")
                page.wait_for_timeout(400)
            assert "jp-deck-mod-onscreen" in cell.get_attribute("class"), \
                "the Stepper's slide never came on screen"
            stepper = cell.locator(".kp-stepper").first
            graph = stepper.locator(".kp-graph").first
            graph.scroll_into_view_if_needed()
            box = graph.locator("svg").first.bounding_box()
            assert box and box["width"] <= 1280 and box["width"] > 300, box
            caption = stepper.locator(".kp-caption").first
            at_end = caption.inner_text()
            assert at_end.startswith("step 3/3"), at_end   # the race opens at its end

            pictures = []
            for title in ("first", "next"):
                before = graph.inner_html()
                button = stepper.locator(f'button[title^="{title}"]').first
                # Mid-screen: the deck's hidden toolbar shows over the top edge on hover.
                button.evaluate("b => b.scrollIntoView({block: 'center'})")
                button.click()
                page.wait_for_function("([el, old]) => el.innerHTML !== old",
                                       arg=[graph.element_handle(), before], timeout=30_000)
                pictures.append(caption.inner_text())
            page.screenshot(path=str(ARTIFACTS / "slides-04-stepper.png"))
            still_presenting = page.locator(".jp-deck-mod-onscreen").count()
        finally:
            browser.close()
    assert pictures[0].startswith("step 1/3"), pictures
    assert pictures[1].startswith("step 2/3"), pictures
    assert still_presenting, "stepping left the slideshow"
    assert non_local(requests) == [], f"requests left the machine: {non_local(requests)}"
