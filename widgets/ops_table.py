"""The C operations table of a `#[vtable]` trait, drawn beside the Rust impl that fills it."""

from __future__ import annotations

import inspect

import graphviz

from .escape import html, node_id
from .picture import Picture
from .style import FONT, FONT_SIZE, FREED_BG, GREY, HEADER

__all__ = ["draw_c_vtable"]

_TABLE = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="6" BGCOLOR="white">'
#: Error numbers a C caller may return for a NULL slot, by name (include/uapi/.../errno*.h).
_ERRNO = {-1: "EPERM", -19: "ENODEV", -22: "EINVAL", -25: "ENOTTY", -38: "ENOSYS",
          -95: "EOPNOTSUPP"}
_RUST_HEAD = "#F7E3B5"       # as vtables in .rodata
_C_HEAD = HEADER
_NULL_BG = FREED_BG


def draw_c_vtable(table) -> Picture:
    """`kp.c_vtable(Trait, Impl)` drawn: the Rust `#[vtable] impl` on the left (each method
    the impl defines, and every `HAS_<NAME>` constant the macro generated), the C struct of
    function pointers on the right (slot by slot: the Rust function it points to, with an
    arrow to it, or NULL and what the C caller then returns).

    >>> import kernelptr as kp, widgets
    >>> @kp.vtable
    ... class FileOps(kp.Trait):
    ...     def open(self): ...
    ...     def write(self, data): ...
    >>> @kp.impl_trait(FileOps)
    ... class MyFile:
    ...     def open(self):
    ...         return 0
    >>> picture = widgets.draw_c_vtable(kp.c_vtable(FileOps, MyFile))
    >>> picture
    Picture(C ops table of <MyFile as FileOps>)
    >>> "HAS_WRITE" in picture.source and ".write" in picture.source and "NULL" in picture.source
    True
    """
    trait, typ = table.trait, table.type
    tname = html(trait.__name__)
    impl_name = html(getattr(typ, "_kp_type_name", typ.__name__))
    rust = [f'<TR><TD COLSPAN="2" BGCOLOR="{_RUST_HEAD}"><B>#[vtable] impl {tname} for '
            f'{impl_name}</B><BR/><FONT POINT-SIZE="{FONT_SIZE - 2}">Rust: the macro adds '
            "one HAS_&lt;NAME&gt; const per method</FONT></TD></TR>"]
    c = [f'<TR><TD COLSPAN="2" BGCOLOR="{_C_HEAD}"><B>C ops table for {tname}</B><BR/>'
         f'<FONT POINT-SIZE="{FONT_SIZE - 2}">a struct of function pointers, filled from '
         "HAS_&lt;NAME&gt;</FONT></TD></TR>"]
    edges = []
    for name, target in table.slots.items():
        port = node_id("m", name)
        const = f"HAS_{name.upper()}"
        if target is None:
            if name in vars(typ):
                # `HAS_<NAME> = false` written in the impl itself: #[vtable] keeps it, so
                # the function exists but the table never points at it.
                said = (f"const {html(const)}: bool = <B>false</B> "
                        f'<FONT COLOR="{GREY}"><I>(written by the impl)</I></FONT>')
                fn = (f'<FONT COLOR="{GREY}">fn {html(name)}({html(_params(trait, name))})'
                      "<I>, not in the table</I></FONT>")
            else:
                said = f"const {html(const)}: bool = <B>false</B>"
                fn = f'<FONT COLOR="{GREY}"><I>no fn {html(name)}</I></FONT>'
            rust.append(f'<TR><TD ALIGN="LEFT">{said}</TD><TD ALIGN="LEFT">{fn}</TD></TR>')
            result = table.defaults.get(name, table.EINVAL)
            errno = _ERRNO.get(result)
            said = f"-{errno} ({result})" if errno else str(result)
            c.append(f'<TR><TD ALIGN="LEFT" PORT="{port}">.{html(name)}</TD>'
                     f'<TD ALIGN="LEFT" BGCOLOR="{_NULL_BG}"><B>NULL</B>'
                     f'<FONT COLOR="{GREY}">&#160;&#160;the C caller returns '
                     f"{html(said)}</FONT></TD></TR>")
            continue
        rust.append(f'<TR><TD ALIGN="LEFT">const {html(const)}: bool = <B>true</B></TD>'
                    f'<TD ALIGN="LEFT" PORT="{port}"><B>fn {html(name)}</B>'
                    f"({html(_params(trait, name))})</TD></TR>")
        c.append(f'<TR><TD ALIGN="LEFT" PORT="{port}">.{html(name)}</TD>'
                 f'<TD ALIGN="LEFT">{html(target, 80)}</TD></TR>')
        edges.append(port)
    g = graphviz.Digraph("ops")
    g.attr(rankdir="LR", nodesep="0.3", ranksep="1.1", fontname=FONT, fontsize=str(FONT_SIZE),
           pad="0.3", bgcolor="white", labelloc="b", labeljust="l",
           label=f"<<FONT POINT-SIZE=\"{FONT_SIZE - 1}\">An arrow is a function pointer. "
                 "Where HAS_&lt;NAME&gt; is false the slot is NULL: the C side checks "
                 "before calling,<BR ALIGN=\"LEFT\"/>and the trait's default body "
                 "(build_error!) is never called.<BR ALIGN=\"LEFT\"/></FONT>>")
    g.attr("node", shape="plaintext", fontname=FONT, fontsize=str(FONT_SIZE), margin="0")
    g.attr("edge", penwidth="1.8", arrowsize="0.8")
    g.node("rust", label=f"<{_TABLE}{''.join(rust)}</TABLE>>")
    g.node("c", label=f"<{_TABLE}{''.join(c)}</TABLE>>")
    for port in edges:
        # Drawn Rust -> C for the left-to-right layout, with the head at the Rust end: the
        # pointer is stored in the C slot and points at the Rust function.
        g.edge(f"rust:{port}:e", f"c:{port}:w", dir="back")
    return Picture(g.source, f"C ops table of <{getattr(typ, '_kp_type_name', typ.__name__)} "
                             f"as {trait.__name__}>")


def _params(trait, name: str) -> str:
    """`&self, n` for a trait method `def read(self, n)` (the receiver as declared)."""
    fn = getattr(trait, name, None)
    receiver = repr(trait._kp_methods[name].receiver)
    try:
        params = list(inspect.signature(fn).parameters)[1:]
    except (TypeError, ValueError):
        params = []
    return ", ".join([receiver] + params)
