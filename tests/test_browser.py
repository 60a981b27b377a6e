"""The course in a real browser: JupyterLab in headless Chromium runs 03_intrusive_lists and
steps its first Stepper with its button and with the arrow keys (Debian's chromium driven by
Playwright; never a downloaded browser).

The screenshot is kept in test-artifacts/ for a human to look at.
"""

import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = "03_intrusive_lists.ipynb"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "kernelptr-browser-test"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(tmp_path, notebooks=(NOTEBOOK,)):
    """JupyterLab on loopback serving copies of `notebooks` (of notebooks/); stopped by its
    pid after. Yields the URL of the first notebook; `lab_url(url, name)` opens another."""
    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
        "`make test` does this itself")
    for name in notebooks:
        shutil.copy(ROOT / "notebooks" / name, tmp_path / name)
    port = _free_port()
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    log = open(tmp_path / "lab.log", "wb")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("JupyterLab did not start:\n" +
                                         (tmp_path / "lab.log").read_text()[-3000:])
                time.sleep(0.3)
        yield f"{url}/lab/tree/{notebooks[0]}?token={TOKEN}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def lab_url(url: str, name: str) -> str:
    """The address that opens notebook `name` on the server of `url`."""
    return url.split("/lab/tree/", 1)[0] + f"/lab/tree/{name}?reset&token={TOKEN}"


def launch(pw):
    """Debian's headless Chromium (never a downloaded browser)."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])


@pytest.fixture
def lab(tmp_path):
    with jupyter_lab(tmp_path) as url:
        yield url


def open_and_run_all(page, url):
    """Open the notebook, accept the kernel, and run every cell (errors in cells tagged
    raises-exception do not stop the run, as in nbval)."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(timeout=5_000)
        dialog.locator("button.jp-mod-accept").click()
    except Exception:
        pass                                  # no kernel dialog this time
    page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=60_000)
    page.click("text=Run", timeout=30_000)
    page.click("text=Run All Cells", timeout=30_000)


def test_stepper_steps_in_a_real_browser(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            open_and_run_all(page, lab)

            stepper = page.locator(".kp-stepper").first
            next_button = stepper.locator('button[title^="next"]').first
            try:
                next_button.wait_for(state="visible", timeout=90_000)
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "browser-03-failure.png"))
                raise
            stepper.scroll_into_view_if_needed()
            caption = stepper.locator(".kp-caption").first
            graph = stepper.locator(".kp-graph svg").first
            graph.wait_for(timeout=60_000)
            before_caption, before_svg = caption.inner_text(), graph.inner_html()
            current_before = stepper.locator(".kp-current").first.inner_text()

            # The caption, graph and log are separate widget updates: wait for each.
            watched = [(caption, "innerText"), (stepper.locator(".kp-graph").first, "innerHTML"),
                       (stepper.locator(".kp-log").first, "innerText")]
            olds = [loc.evaluate(f"el => el.{prop}") for loc, prop in watched]
            next_button.click()
            for (locator, prop), old in zip(watched, olds):
                page.wait_for_function(f"([el, old]) => el.{prop} !== old",
                                       arg=[locator.element_handle(), old], timeout=30_000)
            after_caption = caption.inner_text()
            after_svg = stepper.locator(".kp-graph svg").first.inner_html()
            current_after = stepper.locator(".kp-current").first.inner_text()

            # Keyboard: click the picture, then → steps forward and ← back.
            stepper.locator(".kp-keys").first.wait_for(timeout=30_000)
            stepper.locator(".kp-graph").first.click()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("([el, old]) => el.innerText !== old",
                                   arg=[caption.element_handle(), after_caption],
                                   timeout=30_000)
            keyed_caption = caption.inner_text()
            page.keyboard.press("ArrowLeft")
            page.wait_for_function("([el, old]) => el.innerText === old",
                                   arg=[caption.element_handle(), after_caption],
                                   timeout=30_000)
            stepper.screenshot(path=str(ARTIFACTS / "browser-03-stepper.png"))
            page.screenshot(path=str(ARTIFACTS / "browser-03-page.png"), full_page=False)
        finally:
            browser.close()
    assert after_caption != before_caption
    assert keyed_caption.startswith("step 3/"), keyed_caption
    assert after_svg != before_svg, "the picture did not change after `next`"
    assert current_after != current_before, "the current event did not change after `next`"
