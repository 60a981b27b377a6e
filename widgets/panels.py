"""The text beside a picture: a frame's caption, its source line and Rust statement, the
event log and the legend, in the learner's words (variable names, short addresses)."""

from __future__ import annotations

import html as _html
import linecache
import re

from .dot import made_up
from .escape import printable
from .style import CHANGED, PROBLEM, abbreviate

__all__ = ["caption_html", "describe", "rust_of", "source_html", "log_html",
           "legend_html", "source_of", "Narrator"]

_PRE = ('<pre class="kp-code" style="font-family:monospace;font-size:12px;line-height:1.35;'
        'margin:0;padding:4px 6px;background:#FAFAFA;border:1px solid #DDD;'
        'white-space:pre-wrap;overflow-wrap:anywhere">')
# A type name is tried only where a word starts, and for a bounded length: unbounded, a
# 20,000-character string value cost quadratic time in every caption and log line.
#: `Job @0xffff888000001000` (a type, then an address) or a bare `0xffff888000001000`.
_ADDRESS = re.compile(r"(?:(?<![\w:])(?P<type>[A-Za-z_][\w:]{0,95}(?:<[^@;]{0,200}?>)?) @)?"
                      r"0x(?P<hex>[0-9a-f]{9,16})\b")
#: What a page's text keeps as it is (`escape.printable` writes out every other character a
#: page cannot show): source lines keep their tabs, a sentence its line breaks.
_KEEP = "\n\t"


def _name(label: str) -> str:
    """A variable's name as a caption writes it: a huge one keeps its start and end."""
    return label if len(label) <= 40 else f"{label[:24]}…{label[-12:]}"


def _tame(sentence: str) -> str:
    """`sentence` with each huge word (a 20,000-character type name...) shortened in its
    middle: the sentence keeps its every word and its end."""
    return " ".join(w if len(w) <= 80 else f"{w[:48]}…{w[-24:]}" for w in sentence.split(" "))


def rust_of(event) -> str:
    """The kernel Rust statement an event models (`""` when the model gives none)."""
    return event.rust or ""


def _names(snapshot) -> dict:
    """address -> the first variable naming it in `snapshot`: live handles (object address),
    raw pointers (their own address)."""
    found: dict = {}
    if snapshot is None:
        return found
    for h in snapshot.handles:
        if h.state == "live" and h.target is not None and not made_up(h.label):
            found.setdefault(h.target, h.label)
    for r in snapshot.raw_pointers:
        if not made_up(r.label) and not r.label.startswith("raw@"):
            found.setdefault(r.address, r.label)
    return found


def _actors(snapshot, previous) -> dict:
    """address -> the variable an operation acted through: a handle it consumed (live
    before, moved or dropped now), else one it made (new and live now)."""
    if snapshot is None:
        return {}
    before = {h.key: h for h in previous.handles} if previous is not None else {}
    found: dict = {}
    for h in snapshot.handles:
        was = before.get(h.key)
        if h.target is None or made_up(h.label):
            continue
        if was is not None and was.state == "live" and h.state in ("moved", "dropped"):
            found.setdefault(h.target, h.label)
    for h in snapshot.handles:
        if h.key not in before and h.state == "live" and h.target is not None \
                and not made_up(h.label):
            found.setdefault(h.target, h.label)
    return found


_LINKED = re.compile(r"\b(linked at the (?:back|front)|linked in at the cursor|unlinked)\b(?! from)")


def _list_of(address, *snapshots) -> str | None:
    for snap in snapshots:
        if snap is None:
            continue
        for lst in snap.lists:
            if address in lst.items and not made_up(lst.label):
                return lst.label
    return None


def describe(event, snapshot=None, previous=None) -> str:
    """`event.summary` in the learner's words: every address is shortened
    (`ffff8880…1000`) and named after the variable the operation went through, else the one
    that holds it (`a's Job @ffff8880…1000`, `at ffff8880…1000 (a)`); a step whose text
    names no object says which it concerns; a list operation says which list.

    >>> from kernelptr import Event, HandleSnap, ListSnap, Snapshot
    >>> A = 0xffff888000001000
    >>> e = Event(3, "List::push_back", "Job @0xffff888000001000 linked at the back", (A,))
    >>> before = Snapshot(2, handles=(HandleSnap("a", "ListArc", "Job", A, id=0),))
    >>> after = Snapshot(3, handles=(HandleSnap("a", "ListArc", "Job", A, state="moved", id=0),),
    ...                  lists=(ListSnap("q", 0, "Job", (A,)),))
    >>> describe(e, after, before)
    "a's Job @ffff8880…1000 linked at the back of q"
    """
    acted = _actors(snapshot, previous)
    after, earlier = _names(snapshot), _names(previous)
    types = {o.address: o.type_name for s in (previous, snapshot) if s is not None
             for o in s.objects}

    def who(address):
        named = acted.get(address) or after.get(address) or earlier.get(address)
        return _name(named) if named else None

    def name(m):
        address = int(m.group("hex"), 16)
        short = abbreviate(address)
        if m.group("type"):
            named = who(address)
            return f"{named}'s {m.group('type')} @{short}" if named else f"{m.group('type')} @{short}"
        named = who(address) or who(address - 8)
        return f"{short} ({named})" if named else short

    text = _ADDRESS.sub(name, event.summary)
    if event.summary == text and event.addresses and event.addresses[0] in types:
        address = event.addresses[0]
        named = who(address)
        subject = f"{types[address]} @{abbreviate(address)}"
        text = f"{named + chr(39) + 's ' if named else ''}{subject}: {text}"
    if event.addresses and event.op.startswith(("List::", "Cursor", "CursorPeek")):
        unlinking = "unlinked" in text
        lst = _list_of(event.addresses[0], *((previous, snapshot) if unlinking
                                             else (snapshot, previous)))
        if lst:
            text = _LINKED.sub(lambda m: f"{m.group(1)} {'from' if unlinking else 'of'} {lst}"
                               if "cursor" not in m.group(1) else f"{m.group(1)} of {lst}",
                               text, count=1)
    return printable(text, keep=_KEEP)


class Narrator:
    """The words of a recording's frames, each worked out once: `line(i)` is the event log
    line of frame `i`, `caption(i)` its caption (`step 3/12 · Arc::clone: …`)."""

    def __init__(self, recording):
        self.recording = recording
        self._lines: dict = {}

    def line(self, i: int) -> str:
        if i not in self._lines:
            frames = self.recording.frames
            event = frames[i].event
            previous = frames[i - 1].snapshot if i > 0 else self.recording.before
            self._lines[i] = printable(_tame(f"[{event.step}] {event.op}: " + describe(
                event, frames[i].snapshot, previous)), keep=_KEEP)
        return self._lines[i]

    def caption(self, i: int) -> str:
        n = len(self.recording.frames)
        return f"step {i + 1}/{n} · " + self.line(i).split("] ", 1)[1]


def caption_html(text: str, problems: list = ()) -> str:
    """A step's caption as HTML that wraps (bold), and under it, in the problem colour,
    what invariant its heap breaks, if any (`problems`: `widgets.dot.problem_lines`, one
    broken invariant a line, numbered as the picture marks it)."""
    out = ('<div style="font-weight:bold;white-space:normal;overflow-wrap:anywhere;'
           f'line-height:1.35">{_html.escape(printable(text, keep=_KEEP))}</div>')
    if problems:
        out += (f'<div class="kp-problems" style="color:{PROBLEM};white-space:normal;'
                f'overflow-wrap:anywhere;line-height:1.35">'
                + "<br>".join(_html.escape(printable(line, keep=_KEEP)) for line in problems)
                + "</div>")
    return out


def source_of(recording, i: int) -> tuple[list, int]:
    """The source lines and line number of frame `i` (from the recording, else linecache,
    which also holds IPython cells)."""
    lines, line = recording.source(i)
    if not lines:
        lines = linecache.getlines(recording.frames[i].event.location.path)
    return lines, line


def source_html(recording, i: int, context: int = 6) -> str:
    """The code around frame `i`'s line, that line marked with an arrow and a yellow band;
    under it the Rust statement the step models, when the model names one."""
    lines, current = source_of(recording, i)
    rust = rust_of(recording.frames[i].event)
    under = ('<div class="kp-rust" style="font-size:12px;line-height:1.35;margin:3px 0 0 0">'
             '<b>Rust:</b> <span style="font-family:monospace;white-space:pre-wrap">'
             f'{_html.escape(printable(rust, keep=_KEEP))}</span></div>'
             if rust else "")
    if not lines:
        loc = recording.frames[i].event.location
        return f"{_PRE}(no source for {_html.escape(printable(loc, keep=_KEEP))})</pre>{under}"
    lo = max(1, current - context)
    hi = min(len(lines), current + context)
    out = []
    for n in range(lo, hi + 1):
        text = _html.escape(printable(lines[n - 1].rstrip("\n"), keep=_KEEP))
        if n == current:
            out.append(f'<span class="kp-line" style="background:{CHANGED};font-weight:bold">'
                       f'→{n:3d} {text}</span>')
        else:
            out.append(f" {n:3d} {text}")
    return _PRE + "\n".join(out) + "</pre>" + under


def log_html(recording, i: int, context: int = 3, narrator: Narrator | None = None) -> str:
    """The event log around frame `i`, the current event highlighted, later events grey;
    long lines wrap."""
    narrator = narrator or Narrator(recording)
    frames = recording.frames
    lo, hi = max(0, i - context), min(len(frames), i + context + 1)
    out = []
    for n in range(lo, hi):
        text = _html.escape(narrator.line(n))
        if n == i:
            out.append(f'<span class="kp-current" style="background:{CHANGED};'
                       f'font-weight:bold">► {text}</span>')
        elif n > i:
            out.append(f'<span style="color:#767676">  {text}</span>')
        else:
            out.append(f"  {text}")
    return _PRE + "\n".join(out) + "</pre>"


_TAGS = (("<B>", "<b>"), ("</B>", "</b>"), ("<S>", "<s>"), ("</S>", "</s>"),
         ("<I>", "<i>"), ("</I>", "</i>"), ("</FONT>", "</span>"))
_FONT = re.compile(r'<FONT COLOR="(#[0-9A-Fa-f]{6}|white)">')
_ATTR = re.compile(r'(BGCOLOR|COLOR|BORDER)="([^"]*)"')


def legend_html() -> str:
    """The pictures' legend (`widgets.dot.LEGEND`) as HTML entries that wrap to the width
    they are given."""
    from .dot import LEGEND

    items = []
    for attrs, text in LEGEND:
        for old, new in _TAGS:
            text = text.replace(old, new)
        text = _FONT.sub(lambda m: f'<span style="color:{m.group(1)}">', text)
        cell = dict(_ATTR.findall(attrs))
        style = "".join((f"background:{cell['BGCOLOR']};" if "BGCOLOR" in cell else "",
                         f"border:{cell.get('BORDER', '1')}px solid {cell['COLOR']};"
                         if "COLOR" in cell else ""))
        items.append(f'<span style="{style}padding:1px 4px;white-space:nowrap">{text}</span>')
    return ('<div class="kp-legend" style="font-size:12px;line-height:1.6;display:flex;'
            'flex-wrap:wrap;gap:2px 10px;color:#333">' + "".join(items) + "</div>")
