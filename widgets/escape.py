"""Escaping: any text a learner's value may contain, shown literally in DOT and SVG."""

from __future__ import annotations

import hashlib
import html as _html
import string

__all__ = ["html", "node_id", "printable", "caption_html"]

_SAFE = frozenset(string.ascii_letters + string.digits + "_")
_MAX = 60
#: Node names longer than this end in a digest of the whole name instead.
_MAX_ID = 80
#: Captions longer than this many characters are cut (with `…`), then wrapped.
CAPTION_LIMIT = 1200
CAPTION_WIDTH = 100


def printable(text, keep: str = "") -> str:
    """`text` with every character a picture cannot show as itself written out: newlines,
    tabs and carriage returns as `\\n` / `\\t` / `\\r`, NUL, other control characters,
    lone surrogates and unassigned code points as `\\xNN` / `\\uNNNN` / `\\UNNNNNNNN`, so
    that any string encodes as UTF-8 and parses as XML. Characters in `keep` are left as they
    are (a page's text keeps its newlines and tabs: `keep="\\n\\t"`).

    >>> printable("a\\x00b\\ud800\\n")
    'a\\\\x00b\\\\ud800\\\\n'
    >>> printable("a\\tb\\n" + chr(0xE0001), keep="\\n\\t")
    'a\\tb\\n\\\\U000e0001'
    """
    return "".join(c if c.isprintable() or c in keep else _escaped(c) for c in str(text))


_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def _escaped(c: str) -> str:
    named = _NAMED.get(c)
    if named is not None:
        return named
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def html(text, limit: int = _MAX) -> str:
    """`text` ready for a graphviz HTML-like label: markup characters become entities,
    newlines and tabs show as the two characters `\\n` / `\\t`, control characters and lone
    surrogates as escapes, backslashes are doubled (graphviz turns `\\\\` back into one), long
    text is cut with `…`.

    >>> html('<b>"x"</b> {]')
    '&lt;b&gt;&quot;x&quot;&lt;/b&gt; {]'
    """
    text = printable(text)
    if limit and len(text) > limit:
        text = text[:limit - 1] + "…"
    # graphviz expands `\N`, `\G`, `\\` even inside HTML labels; a doubled backslash is literal.
    text = text.replace("\\", "\\\\")
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def caption_html(text, width: int = CAPTION_WIDTH, limit: int = CAPTION_LIMIT) -> str:
    """A caption as graphviz HTML: plain text (or text already HTML-escaped, which is read
    back first, so escaping twice changes nothing), shortened to `limit` characters and
    wrapped at spaces into lines of about `width` (a word longer than a line is split).

    >>> caption_html("a &lt;b&gt; & c " * 2, width=12)
    'a &lt;b&gt; &amp; c a<BR ALIGN="LEFT"/>&lt;b&gt; &amp; c'
    """
    text = printable(_html.unescape(str(text))).strip()
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return '<BR ALIGN="LEFT"/>'.join(html(line, 0) for line in wrap(text, width))


def wrap(text: str, width: int) -> list:
    """`text` in lines of at most `width` characters, broken at spaces where it can be.

    >>> wrap("one two three", 8)
    ['one two', 'three']
    """
    lines, line = [], ""
    for word in text.split(" "):
        while len(word) > width:            # a word longer than a line: split it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line or not lines else lines


def node_id(prefix: str, name) -> str:
    """A DOT node name made only of letters, digits and `_`, the same for the same `name`
    (a very long name keeps its start and ends in a digest of the whole).

    >>> node_id("h", "items[0]")
    'h_items_5b_0_5d_'
    """
    text = str(name)
    ident = prefix + "_" + "".join(c if c in _SAFE else f"_{ord(c):x}_" for c in text[:_MAX_ID])
    if len(ident) > _MAX_ID or len(text) > _MAX_ID:
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        ident = f"{ident[:_MAX_ID]}_{digest}"
    return ident
