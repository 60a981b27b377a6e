"""The zero-install course: `make lite`'s static JupyterLite site, built fresh, served on
127.0.0.1 and opened in headless Chromium (Debian's, driven by Playwright). Every notebook runs
cell by cell in the browser's Python with no request leaving the machine; only cells that the
notebook marks as demonstrating an error may fail; a Stepper is stepped with its button and with
the arrow keys. One screenshot per notebook goes to test-artifacts/lite/ for a human to look at.
"""

import contextlib
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "lite"
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STEPPED = "03_intrusive_lists.ipynb"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-extension", "devtools"}

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A fresh build of the site (`python lite/build.py`, cached downloads make it quick)."""
    out = tmp_path_factory.mktemp("lite") / "site"
    subprocess.run([sys.executable, str(ROOT / "lite" / "build.py"), "--out", str(out)],
                   check=True, cwd=ROOT)
    return out


@contextlib.contextmanager
def served(folder):
    """`lite/serve.py` on 127.0.0.1; stopped by its pid at the end."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "lite" / "serve.py"), "--port", str(port),
                             "--dir", str(folder)], stdout=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/jupyter-lite.json", timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield url
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def is_local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && !w.sessionContext.isRestarting; }"""
CELL_COUNT = "() => window.jupyterapp.shell.currentWidget.content.model.cells.length"
RUN_CELL = """async (i) => { const w = window.jupyterapp.shell.currentWidget;
  if (w.content.model.cells.get(i).type !== 'code') return false;
  w.content.activeCellIndex = i;
  await window.jupyterapp.commands.execute('notebook:run-cell');
  return true; }"""
CELL_ERRORS = """(i) => { const c = window.jupyterapp.shell.currentWidget.content.model.cells.get(i);
  const out = []; for (let j = 0; j < c.outputs.length; j++) { const o = c.outputs.get(j).toJSON();
    if (o.output_type === 'error') out.push(o.ename + ': ' + String(o.evalue).slice(0, 300)); }
  const tags = (c.getMetadata && c.getMetadata('tags')) || [];
  return {errors: out, expected: tags.includes('raises-exception'),
          executed: !!c.executionCount}; }"""
CELL_SOURCE = """(i) => window.jupyterapp.shell.currentWidget.content.model.cells.get(i)
  .sharedModel.getSource()"""
OPEN_ALONE = """async (name) => { const app = window.jupyterapp;
  await app.serviceManager.sessions.shutdownAll();          // one kernel at a time
  for (const w of Array.from(app.shell.widgets('main'))) w.dispose();
  await app.commands.execute('docmanager:open', {path: name, factory: 'Notebook'}); }"""
CELL_TEXT = """(i) => { const c = window.jupyterapp.shell.currentWidget.content.model.cells.get(i);
  let t = ''; for (let j = 0; j < c.outputs.length; j++) t += JSON.stringify(c.outputs.get(j).toJSON());
  return t; }"""


def run_notebook(page, base, name, ctx):
    """Open `name`, wait for its kernel, then run every code cell one by one (JupyterLite's
    Run All stops at the first error, even in cells marked as demonstrating one). While a cell
    draws a plot the browser is told it is offline, as a student's laptop may be (offline for
    every cell would also stop the page loading its own widget code from the site)."""
    if page.url.startswith(base):                  # the app is loaded: switch notebooks
        page.evaluate(OPEN_ALONE, name)
    else:
        page.goto(f"{base}/lab/index.html?path={name}")
    page.wait_for_function(KERNEL_IDLE, timeout=180_000, polling=250)
    failures, outputs = [], []
    for i in range(page.evaluate(CELL_COUNT)):
        ctx.set_offline("widgets.plot_" in page.evaluate(CELL_SOURCE, i))
        ran = page.evaluate(RUN_CELL, i)
        if not ran:
            continue
        page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=100)
        ctx.set_offline(False)
        cell = page.evaluate(CELL_ERRORS, i)
        if not cell["executed"]:
            failures.append(f"{name} cell {i}: did not run")
        elif cell["errors"] and not cell["expected"]:
            failures.append(f"{name} cell {i}: {cell['errors']}")
        elif cell["expected"] and not cell["errors"]:
            failures.append(f"{name} cell {i}: marked as raising an error, but none was raised")
        outputs.append(page.evaluate(CELL_TEXT, i))
    return failures, outputs


def step_the_stepper(page):
    """The first Stepper on the page: `next` changes caption and picture; after a click on the
    picture, → steps forward and ← back."""
    stepper = page.locator(".kp-stepper").first
    stepper.scroll_into_view_if_needed()
    caption = stepper.locator(".kp-caption").first
    graph = stepper.locator(".kp-graph svg").first
    graph.wait_for(timeout=60_000)
    before_caption, before_svg = caption.inner_text(), graph.inner_html()
    stepper.locator('button[title^="next"]').first.click()
    page.wait_for_function("([el, old]) => el.innerText !== old",
                           arg=[caption.element_handle(), before_caption], timeout=30_000)
    after_caption = caption.inner_text()
    page.wait_for_function("([el, old]) => el.innerHTML !== old",
                           arg=[stepper.locator(".kp-graph").first.element_handle(),
                                before_svg], timeout=30_000)
    stepper.locator(".kp-keys").first.wait_for(timeout=30_000)
    stepper.locator(".kp-graph").first.click()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, old]) => el.innerText !== old",
                           arg=[caption.element_handle(), after_caption], timeout=30_000)
    keyed = caption.inner_text()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("([el, old]) => el.innerText === old",
                           arg=[caption.element_handle(), after_caption], timeout=30_000)
    stepper.screenshot(path=str(ARTIFACTS / "stepper.png"))
    return before_caption, after_caption, keyed


def test_every_notebook_runs_in_the_browser_with_nothing_from_the_network(site):
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (`make test` installs chromium)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests, failures, timings, stepped = [], [], {}, None
    texts = {}
    with served(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        try:
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            ctx.on("request", lambda r: requests.append(r.url))

            def guard(route):
                if not is_local(route.request.url):
                    requests.append(route.request.url)
                    route.abort()                  # recorded above; never leaves the machine
                else:
                    route.continue_()
            ctx.route("**/*", guard)
            page = ctx.new_page()
            for name in NOTEBOOKS:
                start = time.monotonic()
                bad, outputs = run_notebook(page, base, name, ctx)
                failures += bad
                texts[name] = "\n".join(outputs)
                if name == STEPPED:
                    stepped = step_the_stepper(page)
                picture = page.locator(".kp-stepper, .jp-OutputArea-output svg").first
                if picture.count():
                    picture.scroll_into_view_if_needed()
                    page.wait_for_timeout(500)  # the notebook paints what scrolled into view
                page.screenshot(path=str(ARTIFACTS / f"{name[:-6]}.png"))
                timings[name] = round(time.monotonic() - start, 1)
            ctx.close()
        finally:
            browser.close()
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=1))
    remote = sorted({u for u in requests if not is_local(u)})
    assert not remote, f"requests left the machine: {remote}"
    assert not failures, "\n".join(failures)
    before, after, keyed = stepped
    assert after != before and keyed.startswith("step 3/"), (before, after, keyed)
    # Plots without a network print one line instead of a traceback.
    assert "(no plot: plots need matplotlib" in texts["01_arc_and_refcount_t.ipynb"]
    assert "Traceback" not in texts["01_arc_and_refcount_t.ipynb"].split("(no plot")[1][:200]
