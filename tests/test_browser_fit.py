"""Every picture of the course, measured in a real browser as a student sees it: JupyterLab
at 1280x800 with the file browser open (a notebook output about 850 px wide), every
notebook run, every Stepper and HeapView measured:

- no sideways scrolling: the output's scrollWidth is at most its clientWidth;
- the smallest rendered text is at least 10 px (SVG font size x its scale on screen, and
  the HTML text around it);
- no control is cut (every button's and label's text fits its box);
- scrolled into view, a Stepper shows its marked source line and its picture together.

Also: a notebook opened without running it (JupyterLab does not trust it, so it runs no
widget and shows no SVG) shows every step of a Stepper as an image.

One JupyterLab for all notebooks; one screenshot per notebook in test-artifacts/ (look at
them), the measurements in test-artifacts/browser-fit.json.
"""

import base64
import json
import pathlib
import time

import nbformat
import pytest

from test_browser import ARTIFACTS, ROOT, jupyter_lab, lab_url, launch

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
VIEWPORT = {"width": 1280, "height": 800}
MIN_TEXT_PX = 10
RESULTS: dict = {}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    with jupyter_lab(tmp, NOTEBOOKS) as url:
        yield url, tmp


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        b = launch(pw)
        try:
            yield b
        finally:
            b.close()
    (ARTIFACTS / "browser-fit.json").write_text(json.dumps(RESULTS, indent=1))


def _open(page, url):
    """Open a notebook in JupyterLab, with the file browser open, and accept the kernel."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    try:
        page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=4_000)
    except Exception:
        pass                                  # no kernel dialog this time
    if not page.locator(".jp-FileBrowser").first.is_visible():
        page.keyboard.press("Control+Shift+F")  # show the file browser
    page.locator(".jp-FileBrowser").first.wait_for(state="visible", timeout=10_000)


def _run_all(page, notebook):
    """Run every cell (cells tagged raises-exception do not stop the run) and wait until
    every code cell ran; a cell whose error stopped the run fails the test at once, with
    its error."""
    page.wait_for_selector("text=| Idle", timeout=60_000)
    # The stored outputs go first: an error shown must be one this run raised.
    page.click("text=Edit", timeout=30_000)
    page.click("text=Clear Outputs of All Cells", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('.jp-Notebook .jp-OutputArea-output')",
                           timeout=30_000)
    page.click("text=Run", timeout=30_000)
    page.click("text=Run All Cells", timeout=30_000)
    deadline, stopped = time.monotonic() + 170, None
    while True:
        state = page.evaluate(_PROGRESS)
        if state["done"]:
            break
        # Stopped: nothing running or queued, cells left, an error shown, for 3 s running.
        halted = state["idle"] and not state["running"] and state["left"] and state["error"]
        if not halted:
            stopped = None
        elif stopped is None:
            stopped = (time.monotonic(), state["left"])
        elif stopped[1] == state["left"] and time.monotonic() - stopped[0] > 3:
            raise AssertionError(f"{notebook}: Run All stopped at an error:\n{state['error']}")
        assert time.monotonic() < deadline, f"{notebook}: cells still running after 170 s"
        time.sleep(0.5)
    page.wait_for_selector("text=| Idle", timeout=60_000)


_PROGRESS = """() => {
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
      .map(p => p.textContent.trim());
  const errors = document.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
  const status = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
      .map(t => t.textContent).join(' ');
  return {
    done: prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p)),
    running: prompts.includes('[*]:'),
    left: prompts.filter(p => p === '[ ]:').length,
    idle: /\\| Idle/.test(status),
    error: errors.length ? errors[errors.length - 1].innerText.slice(-600) : "",
  };
}"""

_MEASURE = """(el) => {
  const out = el.closest('.jp-OutputArea-output') || el.parentElement;
  const texts = [];
  for (const t of el.querySelectorAll('svg text')) {
    if (!t.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(t).fontSize) || parseFloat(t.getAttribute('font-size'));
    const m = t.getScreenCTM();
    const r = t.getBoundingClientRect();
    if (!m || r.width === 0) continue;
    texts.push({px: size * Math.hypot(m.a, m.b), text: t.textContent.slice(0, 40)});
  }
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!n.textContent.trim() || !parent || parent.closest('svg')) continue;
    const r = parent.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(parent).visibility === 'hidden') continue;
    texts.push({px: parseFloat(getComputedStyle(parent).fontSize), text: n.textContent.slice(0, 40)});
  }
  const smallest = texts.reduce((a, b) => (b.px < a.px ? b : a), {px: 1e9, text: ''});
  const cut = [];
  for (const c of el.querySelectorAll('button, .widget-label, label, .widget-readout')) {
    const r = c.getBoundingClientRect();
    if (r.width === 0) continue;
    if (c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 2) {
      cut.push(c.textContent.trim() || c.getAttribute('title') || c.className);
    }
  }
  const graph = el.querySelector('.kp-graph svg');
  const g = graph ? graph.getBoundingClientRect() : null;
  const box = el.getBoundingClientRect();
  const wide = [...el.querySelectorAll('*')].filter(c => c.getBoundingClientRect().right > box.right + 1)
    .slice(0, 3).map(c => c.tagName + '.' + (c.getAttribute('class') || '') + ' ' + Math.round(c.getBoundingClientRect().right));
  return {
    wide: wide,
    scrollWidth: out.scrollWidth, clientWidth: out.clientWidth,
    widgetScroll: el.scrollWidth, widgetClient: el.clientWidth,
    smallest: smallest.px, smallestText: smallest.text,
    cut: cut,
    graph: g && {left: g.left, top: g.top, width: g.width, height: g.height},
  };
}"""

_VISIBLE = """(el) => {
  const view = el.closest('.jp-WindowedPanel-outer') || el.closest('.jp-Notebook');
  const v = view.getBoundingClientRect();
  const line = el.querySelector('.kp-line');
  const graph = el.querySelector('.kp-graph svg');
  const seen = (r) => Math.max(0, Math.min(r.bottom, v.bottom) - Math.max(r.top, v.top));
  const l = line && line.getBoundingClientRect();
  const g = graph && graph.getBoundingClientRect();
  return {
    lineVisible: !!l && l.top >= v.top - 1 && l.bottom <= v.bottom + 1,
    graphSeen: g ? seen(g) / Math.min(g.height, v.height) : 0,
    view: [v.top, v.bottom], line: l && [l.top, l.bottom], graph: g && [g.top, g.bottom],
  };
}"""


def _settle(page):
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_picture_fits_a_notebook_output(lab, browser, notebook):
    url, _ = lab
    page = browser.new_page(viewport=VIEWPORT)
    problems, found = [], []
    try:
        _open(page, lab_url(url, notebook))
        _run_all(page, notebook)
        widgets = page.locator(".kp-stepper, .kp-heapview")
        # Every Stepper renders its picture (the widget's view comes after the kernel).
        for k in range(widgets.count()):
            widgets.nth(k).locator(".kp-graph svg").first.wait_for(timeout=30_000)
        shot = None
        for k in range(widgets.count()):
            el = widgets.nth(k)
            kind = "Stepper" if "kp-stepper" in (el.get_attribute("class") or "") else "HeapView"
            el.evaluate("el => el.scrollIntoView({block: 'start'})")
            _settle(page)
            m = el.evaluate(_MEASURE)
            m["kind"] = kind
            where = f"{notebook} {kind} #{k + 1}"
            if m["scrollWidth"] > m["clientWidth"] + 1 or m["widgetScroll"] > m["widgetClient"] + 1:
                problems.append(f"{where}: scrolls sideways (output {m['scrollWidth']} > "
                                f"{m['clientWidth']}, widget {m['widgetScroll']} > "
                                f"{m['widgetClient']}: {m['wide']})")
            if m["smallest"] < MIN_TEXT_PX - 0.05:
                problems.append(f"{where}: text {m['smallest']:.1f} px ({m['smallestText']!r})")
            if m["cut"]:
                problems.append(f"{where}: controls cut: {m['cut']}")
            if kind == "Stepper":
                v = el.evaluate(_VISIBLE)
                m["visible"] = v
                if not v["lineVisible"] or v["graphSeen"] < 0.5:
                    problems.append(f"{where}: marked line and picture not on one screen: {v}")
                if shot is None:
                    shot = ARTIFACTS / f"fit-{notebook[:-6]}.png"
                    page.screenshot(path=str(shot))
            el.screenshot(path=str(ARTIFACTS / f"fit-{notebook[:-6]}-{k + 1}.png"))
            found.append(m)
        if shot is None:
            page.screenshot(path=str(ARTIFACTS / f"fit-{notebook[:-6]}.png"))
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"fit-{notebook[:-6]}-failure.png"))
        raise
    finally:
        RESULTS[notebook] = {"pictures": found}
        _shutdown(page)
        page.close()
    expected = _displayed(notebook)
    assert len(found) >= expected, f"{notebook}: {len(found)} pictures drawn, {expected} expected"
    assert not problems, "\n".join(problems)


def _displayed(notebook) -> int:
    """How many Steppers and HeapViews the stored notebook shows."""
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", ())
               if str(o.get("data", {}).get("text/plain", "")).startswith(("Stepper(", "HeapView(")))


def _shutdown(page):
    """Shut the notebook's kernel down (one kernel at a time on a 2-core machine)."""
    try:
        page.evaluate("""async () => {
            const token = new URLSearchParams(location.search).get('token');
            const r = await fetch('/api/sessions?token=' + token);
            for (const s of await r.json()) {
                await fetch('/api/kernels/' + s.kernel.id + '?token=' + token, {method: 'DELETE'});
            }
        }""")
    except Exception:
        pass


def test_an_unrun_notebook_shows_every_step(lab, browser, heap):
    """JupyterLab shows a notebook it does not trust (one not run here yet) without its
    widgets and without SVG: the Stepper's filmstrip image carries every step."""
    import kernelptr as kp
    import widgets

    with kp.record() as rec:
        a = kp.Arc.new("job", kp.GFP_KERNEL)
        b = a.clone()
        b.drop()
    stepper = widgets.Stepper(rec)
    bundle = stepper._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("widgets.Stepper(rec)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output(
        "execute_result", execution_count=1,
        data={k: v for k, v in bundle.items()
              if k in ("text/plain", "image/png", "image/svg+xml",
                       "application/vnd.jupyter.widget-view+json")})]
    nb.cells = [cell]
    url, tmp = lab
    nbformat.write(nb, tmp / "unrun.ipynb")
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(lab_url(url, "unrun.ipynb"))
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        try:
            page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=4_000)
        except Exception:
            pass
        image = page.locator(".jp-OutputArea-output img").first
        image.wait_for(timeout=30_000)
        box = image.evaluate("img => [img.naturalWidth, img.naturalHeight, img.clientWidth]")
        image.screenshot(path=str(ARTIFACTS / "fit-unrun-filmstrip.png"))
        shown = page.locator(".jp-OutputArea-output").first.inner_text()
        _shutdown(page)
    finally:
        page.close()
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG")
    assert box[1] > len(stepper) * 150, f"the image is too short for {len(stepper)} frames: {box}"
    assert box[2] <= 850 and box[2] == min(box[0], box[2]), box
    assert "Stepper(3 frames)" not in shown
