"""Every step of a recording at once, for readers who cannot run it: a filmstrip of frames,
each with its caption and Rust statement (notebook outputs, static viewers, course pages)."""

from __future__ import annotations

import base64
import html as _html
import importlib.util
import io
import re

from .export import inline_svg
from .panels import legend_html, log_html, source_html
from .render import fit, render

__all__ = ["MAX_FRAMES", "svg", "png", "mimebundle", "frames_html", "PNG_WIDTH_PX",
           "can_draw_png"]

#: At most this many frames are drawn (a longer recording says how many it left out).
MAX_FRAMES = 50
#: The width a PNG filmstrip is drawn at: a JupyterLab output beside an open file browser.
PNG_WIDTH_PX = 840
_GAP = 14.0                 # points between two frames
_HEAD = 26.0                # points for the title line
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_SIZE = re.compile(r'width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([^"]*)"')


def _title(stepper, shown: int) -> str:
    n = len(stepper)
    more = f" (the first {shown} drawn here)" if shown < n else ""
    return (f"{n} step{'s' if n != 1 else ''}{more}, one after another: "
            "run the notebook to step through them")


def svg(stepper) -> str:
    """One SVG document with every frame of `stepper` (picture, caption, Rust statement)
    stacked top to bottom under a title line, and the legend once at the end.
    Deterministic: the same recording gives the same text (notebook tests compare it)."""
    n = min(len(stepper), MAX_FRAMES)
    parts, width, y = [], 0.0, _HEAD
    frames = [stepper.drawing.svg(i, "strip") for i in range(n)]
    if stepper.drawing.legend:
        frames.append(_legend_svg(_columns(stepper)))
    for i, frame in enumerate(frames):
        frame = inline_svg(frame)
        m = _SIZE.search(frame)
        w, h, box = float(m.group(1)), float(m.group(2)), m.group(3)
        inner = _SVG_OPEN.sub("", frame, count=1).rsplit("</svg>", 1)[0]
        if i:
            parts.append(f'<line x1="0" y1="{y - _GAP / 2:.1f}" x2="{w:.1f}" '
                         f'y2="{y - _GAP / 2:.1f}" stroke="#BBBBBB" stroke-width="1"/>')
        parts.append(f'<svg x="0" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                     f'viewBox="{box}">{inner}</svg>')
        width, y = max(width, w), y + h + _GAP
    height = y - _GAP
    title = (f'<text x="6" y="18" font-family="Helvetica,Arial,sans-serif" font-size="14" '
             f'font-style="italic" fill="#444444">{_html.escape(_title(stepper, n))}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.1f}pt" '
            f'height="{height:.1f}pt" viewBox="0 0 {width:.1f} {height:.1f}">'
            f'<rect width="100%" height="100%" fill="white"/>{title}{"".join(parts)}</svg>')


def png(stepper, width_px: int = PNG_WIDTH_PX) -> bytes:
    """Every frame (picture, caption, Rust statement) stacked in one PNG at most
    `width_px` wide, drawn at that size (not shrunk afterwards, so its text stays sharp),
    and the legend once at the end."""
    from PIL import Image, ImageDraw

    n = min(len(stepper), MAX_FRAMES)
    drawing = stepper.drawing
    natural = float(_SIZE.search(drawing.svg(0, "strip")).group(1))
    columns = _columns(stepper)
    if drawing.legend:
        natural = max(natural, float(_SIZE.search(_legend_svg(columns)).group(1)))
    dpi = min(96.0, width_px / natural * 72)
    frames = [Image.open(io.BytesIO(drawing.png(i, "strip", dpi))).convert("RGB")
              for i in range(n)]
    if drawing.legend:
        frames.append(Image.open(io.BytesIO(_legend_png(columns, dpi))).convert("RGB"))
    gap = 16
    width = max(f.width for f in frames)
    height = sum(f.height for f in frames) + gap * (n - 1)
    strip = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(strip)
    y = 0
    for k, frame in enumerate(frames):
        if k:
            pen.line([(0, y - gap // 2), (width, y - gap // 2)], fill="#BBBBBB", width=1)
        strip.paste(frame, (0, y))
        y += frame.height + gap
    out = io.BytesIO()
    strip.quantize(colors=64, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def _columns(stepper) -> int:
    """Legend entries per row: as many as the frames' width takes."""
    width = float(_SIZE.search(stepper.drawing.svg(0, "strip")).group(1))
    return 3 if width >= 700 else 2


def _legend_scene(columns: int, **attrs):
    from .dot import Scene

    return Scene(legend=True, legend_columns=columns, attrs={"pad": "0.15", **attrs})


def _legend_svg(columns: int) -> str:
    return render(_legend_scene(columns).digraph().source)


def _legend_png(columns: int, dpi: float) -> bytes:
    return render(_legend_scene(columns, dpi=f"{dpi:.1f}").digraph().source, "png")


def can_draw_png() -> bool:
    """Whether PNGs can be drawn here: not in the browser's Python (JupyterLite has no
    Pillow and no PNG-drawing Graphviz), where the SVG alone serves."""
    try:
        from .backend import IN_BROWSER      # the Graphviz back-end, where there is one
    except ImportError:
        IN_BROWSER = False
    return not IN_BROWSER and importlib.util.find_spec("PIL") is not None


def mimebundle(stepper) -> dict:
    """The static part of a Stepper's rich display: the filmstrip as SVG and, where PNGs
    can be drawn, as PNG."""
    bundle = {"image/svg+xml": svg(stepper)}
    if can_draw_png():
        bundle["image/png"] = base64.b64encode(png(stepper)).decode("ascii")
    return bundle


def frames_html(stepper) -> str:
    """Every frame as an HTML `<section class="frame" data-step="i">`: its caption, the
    picture, and beside it the code with the line marked, the Rust statement and the event
    log; then the legend once. No script: a page may show them all (a filmstrip) or step
    through them (`widgets.export.to_html` adds buttons and arrow keys)."""
    rec, drawing = stepper.recording, stepper.drawing
    narrator = drawing.narrator
    out = []
    for i in range(len(stepper)):
        out.append(
            f'<section class="frame" data-step="{i}">'
            f'<h2 class="kp-caption">{_html.escape(narrator.caption(i))}</h2>'
            f'<div class="body"><div class="graph">{fit(inline_svg(drawing.picture(i)))}</div>'
            f'<div class="text">{source_html(rec, i)}{log_html(rec, i, narrator=narrator)}'
            f"</div></div></section>")
    return "\n".join(out) + legend_html()
