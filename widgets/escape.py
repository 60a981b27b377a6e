"""Escaping: any text a learner's value may contain, shown literally in DOT and SVG."""

from __future__ import annotations

import string

__all__ = ["html", "node_id"]

_SAFE = frozenset(string.ascii_letters + string.digits + "_")
_MAX = 60


def html(text, limit: int = _MAX) -> str:
    """`text` ready for a graphviz HTML-like label: markup characters become entities,
    newlines and tabs show as the two characters `\\n` / `\\t`, backslashes are doubled (graphviz
    turns `\\\\` back into one), long text is cut with `…`.

    >>> html('<b>"x"</b> {]')
    '&lt;b&gt;&quot;x&quot;&lt;/b&gt; {]'
    """
    text = str(text).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    if limit and len(text) > limit:
        text = text[:limit - 1] + "…"
    # graphviz expands `\N`, `\G`, `\\` even inside HTML labels; a doubled backslash is literal.
    text = text.replace("\\", "\\\\")
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def node_id(prefix: str, name) -> str:
    """A DOT node name made only of letters, digits and `_`, the same for the same `name`.

    >>> node_id("h", "items[0]")
    'h_items_5b_0_5d_'
    """
    return prefix + "_" + "".join(c if c in _SAFE else f"_{ord(c):x}_" for c in str(name))
