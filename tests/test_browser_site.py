"""The static course site (`make site`) in a real browser, opened from disk (file://): a
recording on a page steps with its buttons and with the arrow keys; a deck moves from slide
to slide, its Stepper takes the arrow keys once clicked, and the speaker view (S) shows the
notes; no request goes to another host. Builds the site for notebook 04 only, into a
temporary folder (headless Debian Chromium, no server)."""

import importlib.util
import pathlib

import pytest

from test_browser import ARTIFACTS, launch
from test_browser_slides import non_local, projector_page

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.browser

spec = importlib.util.spec_from_file_location("site_build", ROOT / "site" / "build.py")
site_build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(site_build)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    site_build.build(["04"], out)
    return out


def shown(steps):
    """(the "step i/n" label, the picture of the frame on show) of a recording."""
    frame = steps.locator(".kp-frames > .frame:not([hidden])")
    assert frame.count() == 1, "exactly one frame shows at a time"
    return steps.locator(".kp-where").inner_text(), frame.locator("svg").first.inner_html()


def test_the_site_steps_recordings_and_presents_slides_offline(site):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page, requests = projector_page(browser)

            # The index links the page and the slides.
            page.goto((site / "index.html").as_uri())
            page.locator("table.index a", has_text="slides").first.click()
            page.wait_for_function("window.Reveal && Reveal.isReady()")
            assert page.url.endswith("slides/04_listarc.html")
            page.goto((site / "index.html").as_uri())
            page.locator("table.index a").first.click()
            assert page.url.endswith("/04_listarc.html")

            # A page: the race opens at its last step; buttons, then keys.
            race = page.locator(".kp-steps").first
            opened = shown(race)
            race.locator('button[data-move="first"]').click()
            first = shown(race)
            race.locator('button[data-move="next"]').click()
            second = shown(race)
            race.locator(".frame:not([hidden]) div.graph").click()     # focus: keys step it
            page.keyboard.press("ArrowRight")
            keyed = shown(race)
            page.keyboard.press("ArrowLeft")
            back = shown(race)
            race.screenshot(path=str(ARTIFACTS / "site-04-page-stepper.png"))

            # The deck: arrows move slides; a clicked Stepper takes them; S shows the notes.
            page.goto((site / "slides" / "04_listarc.html").as_uri())
            page.wait_for_function("Reveal.isReady()")
            with page.expect_popup() as popup:
                page.keyboard.press("s")
            speaker = popup.value
            notes = speaker.locator(".speaker-controls-notes")
            speaker.wait_for_function(
                "el => el.innerText.includes('Say')", arg=notes.element_handle(),
                timeout=15_000)
            speaker_notes = notes.inner_text()
            page.bring_to_front()
            page.keyboard.press("ArrowRight")
            moved = page.evaluate("Reveal.getIndices()")
            page.evaluate("Reveal.slide(1, 1)")
            deck_race = page.locator("section.present .kp-steps").first
            deck_opened = shown(deck_race)
            deck_race.locator(".frame:not([hidden]) div.graph").click()
            page.keyboard.press("ArrowLeft")
            deck_keyed = shown(deck_race)
            still = page.evaluate("Reveal.getIndices()")
            page.screenshot(path=str(ARTIFACTS / "site-04-slide-stepper.png"))
        finally:
            browser.close()

    assert opened[0] == "step 3/3", opened[0]
    assert first[0] == "step 1/3" and second[0] == "step 2/3", (first[0], second[0])
    assert keyed[0] == "step 3/3" and back[0] == "step 2/3", (keyed[0], back[0])
    assert len({opened[1], first[1], second[1]}) == 3, "the picture did not change per step"
    assert back[1] == second[1]
    assert "Speaker notes" in speaker_notes and "Ask" in speaker_notes, speaker_notes
    assert moved["h"] == 1, moved
    assert deck_opened[0] == "step 3/3" and deck_keyed[0] == "step 2/3", deck_keyed[0]
    assert (still["h"], still["v"]) == (1, 1), "the arrow key moved the slide, not the step"
    assert non_local(requests) == [], f"requests left the machine: {non_local(requests)}"
