"""widgets.backend: which Graphviz draws, and a broken one failing clearly (fake `dot` programs
on PATH that fail, crash, print garbage or hang)."""

import json
import os
import re
import shutil
import stat
import sysconfig
import time

import pytest

import kernelptr as kp
import widgets
from widgets import backend
from widgets import render as render_mod

PURE = (shutil.which("graphviz-pure", path=sysconfig.get_path("scripts"))
        or shutil.which("graphviz-pure"))


def fake_dot(tmp_path, monkeypatch, script: str):
    """A program called `dot`, first on PATH, running `script` (sh), chosen as the Graphviz."""
    path = tmp_path / "dot"
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(backend, "_PURE", "no-graphviz-pure-here")   # as if not installed
    monkeypatch.delenv(backend.ENV, raising=False)
    return path


def running(pid: int) -> bool:
    """True while `pid` runs (a killed process nobody has reaped yet is a zombie: not running)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def unique(name: str) -> str:
    """A DOT source no earlier test rendered (so the render cache cannot answer)."""
    return f"digraph {{ {name}_{time.monotonic_ns()} }}"


def test_graphviz_pure_is_preferred_one_graphviz_everywhere(monkeypatch):
    """With graphviz-pure installed (a course dependency) it draws, not a system `dot`: the same
    Graphviz 16.1 as the browser's WebAssembly build."""
    monkeypatch.delenv(backend.ENV, raising=False)
    assert "Graphviz 16.1" in backend.describe()


def test_a_dot_on_path_is_used_without_graphviz_pure(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, 'echo "dot - graphviz version 0.0 (fake)" >&2')
    assert backend.describe() == "dot - graphviz version 0.0 (fake)"


def test_failing_dot_names_the_command_and_what_it_printed(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch,
             'echo "Error: <stdin>: syntax error in line 1 near x" >&2; exit 3')
    with pytest.raises(widgets.DotFailed) as err:
        render_mod.render(unique("failing"))
    text = str(err.value)
    assert isinstance(err.value, kp.KernelPtrError)
    assert "`dot -Kdot -Tsvg` exited with status 3" in text
    assert "syntax error in line 1 near x" in text
    assert err.value.command == ("dot", "-Kdot", "-Tsvg")
    assert "fix:" in text and "rule:" in text


def test_crashing_dot_says_it_crashed(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, 'echo "half a picture"; kill -SEGV $$')
    with pytest.raises(widgets.DotFailed, match=r"crashed \(SIGSEGV\)") as err:
        render_mod.render(unique("crashing"), "svg", engine="neato", pinned=True)
    assert "`dot -Kneato -Tsvg -n2`" in str(err.value)
    assert "half a picture" in str(err.value)


@pytest.mark.parametrize("fmt, printed, why", [
    ("svg", "<svg width='1pt'><g>", "not a whole SVG picture"),
    ("svg", "Segmentation fault? no: just some text", "not a whole SVG picture"),
    ("json", "{\"objects\": [", "not a Graphviz JSON layout"),
    ("png", "\\211PNG truncated", "not a whole PNG image"),
])
def test_garbage_output_is_an_error_and_never_cached(tmp_path, monkeypatch, fmt, printed, why):
    fake_dot(tmp_path, monkeypatch, f'cat >/dev/null; printf "%s" "{printed}"')
    source = unique("garbage")
    with pytest.raises(widgets.DotFailed, match=why):
        render_mod.render(source, fmt)
    assert not any(key[3] == source for key in render_mod._CACHE), "garbage was cached"
    monkeypatch.setenv(backend.ENV, PURE)                # a working Graphviz again
    good = render_mod.render(source, fmt)
    assert (good.startswith(b"\x89PNG") if fmt == "png" else len(good) > 20)


def test_hanging_dot_is_stopped_within_the_timeout(tmp_path, monkeypatch):
    pidfile = tmp_path / "child.pid"
    fake_dot(tmp_path, monkeypatch, f'sleep 60 & echo $! > {pidfile}; wait')
    monkeypatch.setattr(backend, "TIMEOUT", 1.0)
    start = time.monotonic()
    with pytest.raises(widgets.DotFailed, match=r"did not finish within 1 s") as err:
        render_mod.render(unique("hanging"))
    assert isinstance(err.value, backend.DotTimeout)
    assert time.monotonic() - start < 10
    child = int(pidfile.read_text())
    time.sleep(0.2)
    assert not running(child), "the program's own children must be stopped too"


def test_stepper_with_a_broken_dot_raises_a_view_error(tmp_path, monkeypatch, heap):
    fake_dot(tmp_path, monkeypatch, 'cat >/dev/null; echo "not json at all"')
    with kp.record() as rec:
        a = kp.Arc.new(f"broken-{time.monotonic_ns()}", kp.GFP_KERNEL)
        a.drop()
    with pytest.raises(widgets.DotFailed, match="not a Graphviz JSON layout"):
        widgets.Stepper(rec).svg(0)


def test_missing_program_named_in_the_environment(monkeypatch):
    monkeypatch.setenv(backend.ENV, "no-such-graphviz-xyz")
    with pytest.raises(widgets.DotNotFound, match="no-such-graphviz-xyz"):
        render_mod.render(unique("missing"))


def test_labels_are_measured_with_a_known_font_and_drawn_with_the_whole_list():
    """Graphviz 16.1 without a font library treats `Helvetica,Arial,sans-serif` as Times,
    whose narrower widths clip text in the browser; the back-end lays out with Helvetica's
    widths and keeps the list for the browser."""
    label = "<ThreadError as DeliverToRead>::should_sync_wakeup"
    listed = f'digraph {{ n [shape=box fontname="Helvetica,Arial,sans-serif" label="{label}"] }}'
    single = listed.replace("Helvetica,Arial,sans-serif", "Helvetica")
    times = listed.replace("Helvetica,Arial,sans-serif", "Times")
    width = {name: json.loads(backend.run(src, "json"))["objects"][0]["width"]
             for name, src in [("listed", listed), ("single", single), ("times", times)]}
    assert width["listed"] == width["single"] != width["times"]
    assert 'font-family="Helvetica,Arial,sans-serif"' in backend.run(listed, "svg")


def test_raster_exports_in_the_browser_say_they_need_the_desktop(monkeypatch, heap, tmp_path):
    from widgets import export

    with kp.record() as rec:
        kp.Arc.new(1, kp.GFP_KERNEL).drop()
    monkeypatch.setattr(export, "IN_BROWSER", True)
    stepper = widgets.Stepper(rec)
    with pytest.raises(backend.NeedsDesktop, match="GIF export needs the desktop install"):
        stepper.save_gif(tmp_path / "t.gif")
    with pytest.raises(backend.NeedsDesktop, match="PNG export needs the desktop install"):
        stepper.save_pngs(tmp_path)
    assert not list(tmp_path.iterdir())
    assert re.search(r"save_svgs|to_html", str(backend.NeedsDesktop.make("PNG")))
