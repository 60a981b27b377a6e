"""The text panels beside the graph: a frame's caption, its source line and the event log."""

from __future__ import annotations

import html as _html
import linecache

from .style import CHANGED

__all__ = ["caption", "source_html", "log_html", "source_of"]

_PRE = ('<pre style="font-family:monospace;font-size:14px;line-height:1.35;margin:0;'
        'padding:6px;background:#FAFAFA;border:1px solid #DDD;overflow:auto">')


def caption(recording, i: int) -> str:
    """`step 3/12 · Arc::clone: refcount 1 -> 2` for frame `i` (plain text)."""
    event = recording.frames[i].event
    text = f"step {i + 1}/{len(recording.frames)} · {event.op}: {event.summary}"
    return text if len(text) <= 100 else text[:99] + "…"


def source_of(recording, i: int) -> tuple[list, int]:
    """The source lines and line number of frame `i` (from the recording, else linecache,
    which also holds IPython cells)."""
    lines, line = recording.source(i)
    if not lines:
        lines = linecache.getlines(recording.frames[i].event.location.path)
    return lines, line


def source_html(recording, i: int, context: int = 12) -> str:
    """The code around frame `i`'s line, that line marked with an arrow and a yellow band."""
    lines, current = source_of(recording, i)
    if not lines:
        loc = recording.frames[i].event.location
        return f"{_PRE}(no source for {_html.escape(str(loc))})</pre>"
    lo = max(1, current - context)
    hi = min(len(lines), current + context)
    out = []
    for n in range(lo, hi + 1):
        text = _html.escape(lines[n - 1].rstrip("\n"))
        if n == current:
            out.append(f'<span style="background:{CHANGED};font-weight:bold">→{n:4d}  {text}</span>')
        else:
            out.append(f" {n:4d}  {text}")
    return _PRE + "\n".join(out) + "</pre>"


def log_html(recording, i: int, context: int = 8) -> str:
    """The event log around frame `i`, the current event highlighted, later events grey."""
    frames = recording.frames
    lo, hi = max(0, i - context), min(len(frames), i + context + 1)
    out = []
    for n in range(lo, hi):
        text = _html.escape(str(frames[n].event))
        if n == i:
            out.append(f'<span class="kp-current" style="background:{CHANGED};'
                       f'font-weight:bold">▶ {text}</span>')
        elif n > i:
            out.append(f'<span style="color:#8C8C8C">  {text}</span>')
        else:
            out.append(f"  {text}")
    return _PRE + "\n".join(out) + "</pre>"
