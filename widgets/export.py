"""Exports of a Stepper for slides and course sites: SVG and PNG files, a GIF, offline HTML."""

from __future__ import annotations

import html as _html
import io
import json
import re
from pathlib import Path

from .backend import IN_BROWSER, NeedsDesktop

__all__ = ["save_svgs", "save_pngs", "save_gif", "to_html", "inline_svg", "align_png"]

_PX_PER_PT = 96 / 72     # graphviz draws PNGs at 96 dpi; SVG sizes are in points


def align_png(data: bytes, shift, size) -> bytes:
    """PNG `data` moved by `shift` (points) onto a canvas of `size` (points): frames whose
    canvas graphviz grew for a bulging edge line up with the others again."""
    if size is None:
        return data
    from PIL import Image

    with Image.open(io.BytesIO(data)) as im:
        width, height = (round(v * _PX_PER_PT) for v in size)
        if (im.width, im.height) == (width, height) and shift == (0.0, 0.0):
            return data
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(im.convert("RGB"), (round(shift[0] * _PX_PER_PT), round(shift[1] * _PX_PER_PT)))
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


def _write_all(stepper, folder, suffix, data_of) -> list:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(len(stepper)):
        path = folder / f"step_{i + 1:03d}.{suffix}"
        data = data_of(i)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        paths.append(path)
    return paths


def save_svgs(stepper, folder) -> list:
    """One SVG file per frame, `step_001.svg` onwards."""
    return _write_all(stepper, folder, "svg", stepper.svg)


def save_pngs(stepper, folder) -> list:
    """One PNG file per frame (graphviz renders PNG itself: no SVG rasteriser needed)."""
    if IN_BROWSER:
        raise NeedsDesktop.make("PNG")
    return _write_all(stepper, folder, "png", stepper.png)


def save_gif(stepper, path, ms_per_step: int = 1200) -> Path:
    """An animated GIF, one frame per step, every frame padded to the largest size.

    Each frame carries its own step caption, so consecutive frames always differ and the
    GIF has exactly as many frames as the recording.
    """
    if IN_BROWSER:
        raise NeedsDesktop.make("GIF")
    from PIL import Image

    images = [Image.open(io.BytesIO(stepper.png(i))).convert("RGB") for i in range(len(stepper))]
    if not images:
        raise ValueError("the recording has no frames: nothing to animate")
    width = max(im.width for im in images)
    height = max(im.height for im in images)
    padded = []
    for im in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(im, (0, 0))
        padded.append(canvas)
    path = Path(path)
    padded[0].save(path, save_all=True, append_images=padded[1:], duration=ms_per_step,
                   loop=0, optimize=False, disposal=1)
    return path


_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(:xlink)?="[^"]*"')


def inline_svg(svg: str) -> str:
    """An SVG document as an element for an HTML page: no XML prologue, no DOCTYPE (whose
    DTD address is a URL) and no namespace attributes (HTML5 knows `<svg>` without them)."""
    return _NAMESPACES.sub("", _PROLOGUE.sub("", svg, count=1))


def to_html(stepper, path, title: str = "kernelptr trace") -> Path:
    """One self-contained HTML file: every frame (`widgets.filmstrip.frames_html`), its own
    step controls (buttons, slider, play) and keyboard arrows; no network reference of any
    kind. `page.html#step-9` opens at step 9 (for links from slides). Without its script the
    page shows every frame, one after another."""
    from .filmstrip import frames_html

    n = len(stepper)
    page = _PAGE.format(title=_html.escape(title), n=n, last=max(n - 1, 0),
                        frames=frames_html(stepper), n_json=json.dumps(n))
    path = Path(path)
    # A lone surrogate in the learner's text (nothing else) cannot be UTF-8: written as \udXXX.
    path.write_text(page, encoding="utf-8", errors="backslashreplace")
    return path


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1em; }}
.controls {{ position: sticky; top: 0; background: white; padding: .4em 0; z-index: 1; }}
.controls button {{ font-size: 16px; padding: .3em .8em; }}
.body {{ display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }}
.graph {{ flex: 3 1 480px; min-width: 0; }}
.graph svg {{ display: block; }}
.text {{ flex: 1 1 260px; min-width: 0; }}
h2 {{ font-size: 18px; }}
</style></head>
<body>
<h1>{title}</h1>
<div class="controls">
<button id="first" title="first (Home)">&laquo; first</button>
<button id="prev" title="previous (&#8592;)">&lsaquo; prev</button>
<button id="play" title="play / pause (Space)">play</button>
<button id="next" title="next (&#8594;)">next &rsaquo;</button>
<button id="last" title="last (End)">last &raquo;</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<span id="where"></span>
<label>ms/step <input id="speed" type="number" min="100" max="5000" step="100" value="900"></label>
<span> keys: &#8592; &#8594; Home End Space</span>
</div>
{frames}
<script>
(function () {{
  var n = {n_json}, i = 0, timer = null;
  var frames = document.querySelectorAll("section.frame");
  var slider = document.getElementById("slider"), where = document.getElementById("where");
  function show(k) {{
    if (n === 0) {{ where.textContent = "no frames"; return; }}
    i = Math.max(0, Math.min(n - 1, k));
    for (var j = 0; j < n; j++) {{ frames[j].hidden = (j !== i); }}
    slider.value = i; where.textContent = "step " + (i + 1) + "/" + n;
  }}
  function play() {{
    if (timer) {{ clearInterval(timer); timer = null; return; }}
    if (i >= n - 1) show(0);
    timer = setInterval(function () {{
      if (i >= n - 1) {{ clearInterval(timer); timer = null; return; }}
      show(i + 1);
    }}, Number(document.getElementById("speed").value) || 900);
  }}
  document.getElementById("first").onclick = function () {{ show(0); }};
  document.getElementById("prev").onclick = function () {{ show(i - 1); }};
  document.getElementById("next").onclick = function () {{ show(i + 1); }};
  document.getElementById("last").onclick = function () {{ show(n - 1); }};
  document.getElementById("play").onclick = play;
  slider.oninput = function () {{ show(Number(slider.value)); }};
  document.addEventListener("keydown", function (e) {{
    if (e.target.tagName === "INPUT" && e.target.type === "number") return;
    if (e.key === "ArrowRight") {{ show(i + 1); e.preventDefault(); }}
    else if (e.key === "ArrowLeft") {{ show(i - 1); e.preventDefault(); }}
    else if (e.key === "Home") {{ show(0); e.preventDefault(); }}
    else if (e.key === "End") {{ show(n - 1); e.preventDefault(); }}
    else if (e.key === " ") {{ play(); e.preventDefault(); }}
  }});
  var start = parseInt((location.hash.match(/^#step-(\\d+)$/) || [])[1] || "1", 10);
  show(start - 1);     // a link to trace.html#step-9 opens at step 9
}})();
</script>
</body></html>
"""
