"""The visual grammar: a `kp.Snapshot` drawn as a graphviz graph (DESIGN 3.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import graphviz

from .escape import html, node_id
from .scale import ELIDE_AT, Elision, reach as reach_of
from .style import (CHANGED, FONT, FONT_SIZE, FREED_BG, GREY, HEADER, SATURATED, abbreviate,
                    id_colour)

__all__ = ["to_dot", "Scene", "scene_of", "cluster_title"]

# Spaces after a closing tag are written &#160;: browsers drop a leading space in SVG text.
_TABLE = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="5" BGCOLOR="white">'
_TEMPORARY = re.compile(r"^[a-z:]+#\d+$")     # the model's label for an unnamed handle
_STACK, _HEAP, _RODATA = "cluster_stack", "cluster_heap", "cluster_rodata"
_CLUSTERS = {
    _STACK: dict(label="stack frame (your variables)", style="rounded,filled",
                 fillcolor="#F4F4F4", color="#BBBBBB"),
    _HEAP: dict(label="heap (kmalloc)", style="rounded", color="#BBBBBB"),
    _RODATA: dict(label=".rodata (vtables)", style="rounded,filled", fillcolor="#FBF3DF",
                  color="#BBBBBB"),
}
_EDGE_STYLE = {    # handle kind -> edge attributes
    "Arc": dict(style="solid", penwidth="1.8"),
    "ArcBorrow": dict(style="dashed", penwidth="1.8"),
    "UniqueArc": dict(style="bold", penwidth="3.5"),
    "std::Arc": dict(style="solid", penwidth="1.8"),
    "Weak": dict(style="dashed", penwidth="1.2", color=GREY),
    "raw": dict(style="dotted", penwidth="2.2"),
}


def cluster_title(cluster: str) -> str:
    """The title text of one of the clusters (`stack frame (your variables)`, ...)."""
    return _cluster_attrs(cluster)["label"]


_FRAME = "cluster_frame_"


def frame_cluster(frame: str) -> str:
    """The cluster of the handles of Python frame `frame` (`""`: module level, the stack
    frame cluster; else one cluster per active function call, as Python Tutor draws)."""
    return _STACK if not frame else _FRAME + frame.encode("utf-8").hex()


def _cluster_attrs(cluster: str) -> dict:
    if cluster.startswith(_FRAME):
        name = bytes.fromhex(cluster[len(_FRAME):]).decode("utf-8")
        return dict(_CLUSTERS[_STACK], label=f"in {name}()")
    return _CLUSTERS[cluster]


@dataclass
class Scene:
    """A picture before layout: named nodes (each in a cluster or none), edges, graph label.

    `to_dot` is `scene_of(...).digraph()`; the Stepper merges the scenes of every frame to lay
    them out once (see `widgets.stable`).
    """

    nodes: dict = field(default_factory=dict)      # name -> (cluster or None, attrs)
    edges: list = field(default_factory=list)      # (tail, head, attrs)
    caption: str = ""                              # HTML text above the legend
    legend: bool = True
    attrs: dict = field(default_factory=dict)      # graph attributes over the defaults
    legend_columns: int = 5                        # legend entries per row
    ranks: list = field(default_factory=list)      # (cluster, [names]) drawn at one rank

    def node(self, name, cluster, **attrs):
        self.nodes[name] = (cluster, attrs)

    def edge(self, tail, head, **attrs):
        self.edges.append((tail, head, attrs))

    def digraph(self, positions=None, boxes=None) -> graphviz.Digraph:
        """The graph; with `positions` ({node: (x, y)} in points) and `boxes` ({cluster: bb})
        it is a pinned graph for `neato -n2` instead of a graph for `dot` to lay out."""
        g = graphviz.Digraph("heap")
        g.attr(**{**dict(rankdir="LR", nodesep="0.35", ranksep="0.9", fontname=FONT,
                         fontsize=str(FONT_SIZE), pad="0.3", bgcolor="white",
                         outputorder="edgesfirst"), **self.attrs})
        label = _graph_label(self.caption, self.legend, self.legend_columns)
        if label:
            g.attr(label=label, labelloc=self.attrs.get("labelloc", "b"), labeljust="l")
        if positions is not None:
            g.attr(splines="true")
        g.attr("node", shape="plaintext", fontname=FONT, fontsize=str(FONT_SIZE), margin="0")
        g.attr("edge", fontname=FONT, fontsize=str(FONT_SIZE - 2), arrowsize="0.8")
        by_cluster: dict = {}
        for name, (cluster, attrs) in self.nodes.items():
            if positions is not None:
                if name not in positions:
                    continue
                attrs = dict(attrs, pos="%.2f,%.2f!" % positions[name])
            by_cluster.setdefault(cluster, []).append((name, attrs))
        ranks: dict = {}
        for cluster, names in (self.ranks if positions is None else ()):
            ranks.setdefault(cluster, []).append(names)
        for cluster, members in by_cluster.items():
            if cluster is None:
                for name, attrs in members:
                    g.node(name, **attrs)
                continue
            with g.subgraph(name=cluster) as sub:
                sub.attr(fontname=FONT, fontsize=str(FONT_SIZE), labeljust="l",
                         **_cluster_attrs(cluster))
                if boxes and cluster in boxes:
                    # neato -n2 misplaces cluster labels: the title is a pinned node instead.
                    sub.attr(bb=boxes[cluster], label="")
                for name, attrs in members:
                    sub.node(name, **attrs)
                for names in ranks.get(cluster, ()):
                    with sub.subgraph() as same:
                        same.attr(rank="same")
                        for name in names:
                            same.node(name)
        for tail, head, attrs in self.edges:
            if positions is not None and (_base(tail) not in positions
                                          or _base(head) not in positions):
                continue
            g.edge(tail, head, **attrs)
        return g


def _base(endpoint: str) -> str:
    return endpoint.split(":", 1)[0]


def to_dot(snapshot, previous=None, *, legend: bool = True, caption: str = "", reach=None,
           elide: int | None = ELIDE_AT) -> graphviz.Digraph:
    """The heap in `snapshot` as a graphviz graph; what changed since `previous` is yellow.

    Objects are tables (`ArcInner<Job> @ffff8880…1000`, refcount, links per ID, ListArc
    holder per ID, fields); handles sit in a stack-frame cluster on the left; lists are head
    nodes with `first`, `next` and `prev` edges in their ID's colour; vtables live in `.rodata`.

    Big heaps: a list longer than `elide` items (default 12; `None` draws everything) shows
    its first and last few items, every item a handle or pointer points at, and a
    "… N more …" node for each run of the others. `reach="a"` (or a list of labels) draws
    only what those handles, lists or raw pointers reach (`widgets.scale.reach`).

    >>> import kernelptr as kp, widgets
    >>> heap = kp.reset()
    >>> a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> g = widgets.to_dot(heap.snapshot())
    >>> 'obj_ffff888000001000' in g.source and 'Arc&lt;i64&gt;' in g.source
    True
    """
    return scene_of(snapshot, previous, legend=legend, caption=caption, reach=reach,
                    elide=elide).digraph()


def scene_of(snapshot, previous=None, *, legend=True, caption="", reach=None,
             elide=ELIDE_AT) -> Scene:
    """The nodes and edges that `to_dot` draws, before layout."""
    if reach is not None:
        snapshot = reach_of(snapshot, reach)
    scene = Scene(caption=f"<B>{caption}</B>" if caption else "", legend=legend)
    elision = Elision(snapshot, elide)
    before = _Before(previous)
    if snapshot.locks or snapshot.warnings:
        scene.node("banner", _STACK, label=_banner(snapshot))
    temporaries = 0
    for h in snapshot.handles:
        if _TEMPORARY.match(h.label):
            # An unnamed temporary (`listarc#12`, from `q.push_back(ListArc.new(..))`) lives
            # for one step; temporaries share slots so a long trace does not grow a new row
            # for each one.
            _handle(scene, h, before, f"h__tmp{temporaries}")
            temporaries += 1
        else:
            _handle(scene, h, before)
    types = {o.address: o.type_name for o in snapshot.objects}
    for p in snapshot.raw_pointers:
        _raw(scene, p, before, types.get(p.target, "T"))
    for lst in snapshot.lists:
        _list(scene, lst, before)
    for o in snapshot.objects:
        if o.address not in elision.hidden:
            _object(scene, o, before)
    for vt in snapshot.vtables:
        _vtable(scene, vt)
    _links(scene, snapshot, elision)
    return scene


class _Before:
    """The previous frame, indexed, to ask "did this change?" (nothing changed without one)."""

    def __init__(self, previous):
        self.any = previous is not None
        self.objects = {o.address: o for o in previous.objects} if previous else {}
        self.handles = {h.key: h for h in previous.handles} if previous else {}
        self.lists = {x.key: x for x in previous.lists} if previous else {}
        self.raws = {r.label: r for r in previous.raw_pointers} if previous else {}

    def changed(self, table, key, value) -> bool:
        return self.any and getattr(self, table).get(key) != value


def _bg(changed: bool, default: str = "") -> str:
    colour = CHANGED if changed else default
    return f' BGCOLOR="{colour}"' if colour else ""


def _grey(text: str, grey: bool) -> str:
    return f'<FONT COLOR="{GREY}">{text}</FONT>' if grey else text


# -- handles and raw pointers ---------------------------------------------------------------
def _named(prefix, thing) -> str:
    """The node of a handle or list: by its label, and its Python frame when not global."""
    frame = getattr(thing, "frame", "")
    return node_id(prefix, f"{frame}/{thing.label}" if frame else thing.label)


def _handle(scene, h, before, name=None):
    name = name or _named("h", h)
    live = h.state == "live"
    changed = before.changed("handles", h.key, h)
    title = f"<B>{html(h.label)}</B>: {html(h.type_str)}"
    colour = id_colour(h.id) if h.kind == "ListArc" else "black"
    if not live:
        why = html(h.note or h.state)
        title = _grey(f"<S>{title}</S><BR/><I>{why}</I>", True)
    border = f' COLOR="{colour}"' if live and h.kind == "ListArc" else ""
    if h.vtable is not None and live:
        rows = (f'<TR><TD COLSPAN="2"{border}{_bg(changed)}>{title}</TD></TR>'
                f'<TR><TD PORT="d"{border}>data</TD><TD PORT="v"{border}>vtable</TD></TR>')
    else:
        rows = f'<TR><TD PORT="d"{border}{_bg(changed)}>{title}</TD></TR>'
    scene.node(name, frame_cluster(h.frame), label=f"<{_TABLE}{rows}</TABLE>>")
    if not live or h.target is None:
        return
    style = dict(_EDGE_STYLE.get(h.kind, _EDGE_STYLE["Arc"]))
    if h.kind == "ListArc":
        # The box wears the ID's colour; the arrow stays black so that it can't be mistaken
        # for a `next` link of that ID.
        style.update(penwidth="2.5")
    scene.edge(f"{name}:d:e", f"{node_id('obj', f'{h.target:x}')}:hdr:w", **style)
    if h.vtable is not None:
        _vtable_edge(scene, f"{name}:v:e", h.vtable)


def _vtable_edge(scene, tail, vtable):
    """A fat pointer's vtable half: a thin grey dotted edge into `.rodata`."""
    scene.edge(tail, f"{node_id('vt', f'{vtable:x}')}:hdr:w", style="dotted", penwidth="1.5",
               color=GREY)


def _raw(scene, p, before, type_name):
    name = node_id("raw", p.label)
    changed = before.changed("raws", p.label, p)
    text = f"<B>{html(p.label)}</B>: *const {html(type_name)} = {abbreviate(p.address)}<BR/><I>{html(p.origin)}</I>"
    if p.reclaimed:
        text = _grey(f"<S>{text}</S>&#160;reclaimed", True)
    scene.node(name, _STACK, label=f'<{_TABLE}<TR><TD PORT="d"{_bg(changed)}>{text}</TD></TR></TABLE>>')
    if not p.reclaimed:
        scene.edge(f"{name}:d:e", f"{node_id('obj', f'{p.target:x}')}:hdr:w",
                   **_EDGE_STYLE["raw"])


# -- lists ------------------------------------------------------------------------------------
def _list(scene, lst, before):
    name = _named("list", lst)
    colour = id_colour(lst.id)
    changed = before.changed("lists", lst.key, lst)
    title = f"<B>{html(lst.label)}</B>: List&lt;{html(lst.type_name)}, {lst.id}&gt;"
    first = "first" if lst.items else "first: null"
    if lst.dropped:
        title, first = _grey(f"<S>{title}</S>&#160;dropped", True), "first: null"
    rows = (f'<TR><TD COLOR="{colour}"{_bg(changed)}>{title}</TD></TR>'
            f'<TR><TD PORT="f" COLOR="{colour}">{first}</TD></TR>')
    cursor = lst.cursor if not lst.dropped else ()
    if cursor:
        # A cursor sits between two items; it is drawn pointing at the item after it.
        where = "cursor: next ▸" if cursor[0] is not None else "cursor: at the back"
        rows += f'<TR><TD PORT="c" COLOR="{colour}"><I>{where}</I></TD></TR>'
    scene.node(name, frame_cluster(lst.frame), label=f"<{_TABLE}{rows}</TABLE>>")
    if lst.items and not lst.dropped:
        scene.edge(f"{name}:f:e", f"{node_id('obj', f'{lst.items[0]:x}')}:l{lst.id}:w",
                   color=colour, penwidth="2.5")   # the cell it leaves says `first`
    if cursor and cursor[0] is not None:
        scene.edge(f"{name}:c:e", f"{node_id('obj', f'{cursor[0]:x}')}:l{lst.id}:w",
                   color=colour, penwidth="1.5", style="dashed", arrowhead="onormal")


def _links(scene, snapshot, elision):
    """`next` and `prev` edges between linked objects, in the ID's colour (prev thinner);
    an elided run of items is one "… N more …" node on the ring."""
    firsts = {(lst.id, lst.items[0]) for lst in snapshot.lists if lst.items}
    for o in snapshot.objects:
        if o.freed or o.address in elision.hidden:
            continue
        here = node_id("obj", f"{o.address:x}")
        for i, (prev, nxt) in o.links.items():
            colour = id_colour(i)
            if nxt is not None:
                wrap = (i, nxt) in firsts or nxt == o.address
                scene.edge(f"{here}:n{i}:e", elision.endpoint(nxt, f"l{i}:w"),
                           color=colour, penwidth="2.2",
                           **({"constraint": "false"} if wrap else {}))
            if prev is not None:
                # Below the row (south ports), so it never lies on top of the `next` arrow.
                scene.edge(f"{here}:p{i}:s", elision.endpoint(prev, f"l{i}:s"),
                           color=colour, penwidth="1.2", arrowsize="0.7", constraint="false")
    for name, i, count, after in elision.runs:
        colour = id_colour(i)
        scene.node(name, _HEAP, shape="box", style="rounded,dashed", color=colour,
                   margin="0.15,0.08", label=f"… {count} more …")
        wrap = (i, after) in firsts
        scene.edge(f"{name}:e", elision.endpoint(after, f"l{i}:w"), color=colour,
                   penwidth="2.2", style="dashed", **({"constraint": "false"} if wrap else {}))


# -- objects ----------------------------------------------------------------------------------
def _object(scene, o, before):
    old = before.objects.get(o.address)
    new = before.any and old is None

    def diff(attr, key=None):
        if old is None:
            return False
        a, b = getattr(o, attr), getattr(old, attr)
        return (a.get(key) != b.get(key)) if key is not None else a != b

    grey = o.freed
    head = f"<B>{html(o.kind)}&lt;{html(o.type_name)}&gt;</B>&#160;@{abbreviate(o.address)}"
    if o.freed:
        head = _grey(f"{head} (freed)", True)
    rows = [f'<TR><TD PORT="hdr" COLSPAN="3"{_bg(new or diff("freed"), FREED_BG if grey else HEADER)}>'
            f"{head}</TD></TR>"]
    rows.append(_refcount_row(o, diff("refcount") or diff("saturated")))
    ids = sorted(set(o.links) | set(o.holders) | set(o.trackers) | set(o.self_ptrs))
    for i in ids:
        rows.extend(_id_rows(o, i, diff, grey))
    pointer_fields = {p.field for p in o.pointers}
    old_fields = dict(old.fields) if old is not None else {}
    for fname, value in o.fields:
        port = f' PORT="f_{node_id("", fname)[1:]}"' if fname in pointer_fields else ""
        ch = old is not None and old_fields.get(fname) != value
        rows.append(f'<TR><TD ALIGN="LEFT"{_bg(ch)}>{_grey(html(fname), grey)}</TD>'
                    f'<TD COLSPAN="2" ALIGN="LEFT"{port}{_bg(ch)}>{_grey(html(value), grey)}</TD></TR>')
    scene.node(node_id("obj", f"{o.address:x}"), _HEAP,
               label=f"<{_TABLE}{''.join(rows)}</TABLE>>")
    if not o.freed:
        for p in o.pointers:
            if p.target is None:
                continue
            style = dict(_EDGE_STYLE.get(p.kind, _EDGE_STYLE["Arc"]))
            if p.kind == "ListArc":
                style.update(color=id_colour(p.id))
            scene.edge(f"{node_id('obj', f'{o.address:x}')}:f_{node_id('', p.field)[1:]}:e",
                       f"{node_id('obj', f'{p.target:x}')}:hdr:w", **style)
        for i, sp in o.self_ptrs.items():     # the fat self pointer stored in the links
            if sp and sp[1] is not None:
                _vtable_edge(scene, f"{node_id('obj', f'{o.address:x}')}:sv{i}:e", sp[1])


def _refcount_row(o, changed):
    if o.freed:
        value = _grey(f"<S>{o.refcount}</S>", True)
        return (f'<TR><TD ALIGN="LEFT">{_grey("<S>refcount</S>", True)}</TD>'
                f'<TD COLSPAN="2"{_bg(changed, FREED_BG)}>{value}</TD></TR>')
    if o.saturated:
        return ('<TR><TD ALIGN="LEFT">refcount</TD>'
                f'<TD COLSPAN="2" BGCOLOR="{SATURATED}"><FONT COLOR="white"><B>SATURATED</B>'
                '</FONT></TD></TR>')
    return (f'<TR><TD ALIGN="LEFT">refcount</TD>'
            f'<TD COLSPAN="2"{_bg(changed)}><B>{o.refcount}</B></TD></TR>')


def _id_rows(o, i, diff, grey):
    colour = id_colour(i)
    rows = []
    if i in o.links:
        prev, nxt = o.links[i]
        ch = _bg(diff("links", i))
        linked = prev is not None or nxt is not None
        p_text = "prev" if prev is not None else "prev: null"
        n_text = "next" if nxt is not None else "next: null"
        name = f'<FONT COLOR="{colour}"><B>links[{i}]</B></FONT>' if linked else f"links[{i}]"
        rows.append(f'<TR><TD PORT="l{i}" ALIGN="LEFT"{ch}>{_grey(name, grey)}</TD>'
                    f'<TD PORT="p{i}"{ch}>{_grey(p_text, grey or prev is None)}</TD>'
                    f'<TD PORT="n{i}"{ch}>{_grey(n_text, grey or nxt is None)}</TD></TR>')
    if i in o.self_ptrs:
        sp = o.self_ptrs[i]
        data, vt = sp if sp else (None, None)
        ch, dim = _bg(diff("self_ptrs", i)), grey or sp is None
        cells = (f'<TD>{_grey(f"self {abbreviate(data)}", dim)}</TD>'
                 f'<TD PORT="sv{i}">{_grey(f"vtable {abbreviate(vt)}", dim)}</TD>' if vt else
                 f'<TD COLSPAN="2">{_grey(f"self {abbreviate(data)}", dim)}</TD>')
        rows.append(f'<TR><TD ALIGN="LEFT"{ch}>self_ptr[{i}]</TD>{cells}</TR>')
    holder = o.holders.get(i)
    rows.append(f'<TR><TD ALIGN="LEFT"{_bg(diff("holders", i))}>{_grey(f"ListArc[{i}] held by", grey)}</TD>'
                f'<TD COLSPAN="2"{_bg(diff("holders", i))}>'
                f'{_grey(html(holder) if holder else "none", grey or not holder)}</TD></TR>')
    if i in o.trackers:
        state = "ListArc exists" if o.trackers[i] else "no ListArc"
        rows.append(f'<TR><TD ALIGN="LEFT"{_bg(diff("trackers", i))}>AtomicTracker[{i}]</TD>'
                    f'<TD COLSPAN="2">{_grey(state, grey)}</TD></TR>')
    return rows


# -- vtables, banner, legend ----------------------------------------------------------------
def _vtable(scene, vt):
    head = (f"<B>&lt;{html(vt.type_name)} as {html(vt.trait_name)}&gt;</B>&#160;vtable"
            f" @{abbreviate(vt.address)}")
    rows = [f'<TR><TD PORT="hdr" COLSPAN="2" BGCOLOR="#F7E3B5">{head}</TD></TR>']
    for slot, desc in vt.layout:          # memory order: drop_in_place, size, align, methods
        value = html(desc) if desc is not None else _grey("NULL", True)
        rows.append(f'<TR><TD ALIGN="LEFT">{html(slot)}</TD><TD ALIGN="LEFT">{value}</TD></TR>')
    scene.node(node_id("vt", f"{vt.address:x}"), _RODATA, label=f"<{_TABLE}{''.join(rows)}</TABLE>>")


def _banner(snapshot):
    rows = []
    if snapshot.locks:
        held = ", ".join(html(x) for x in snapshot.locks)
        rows.append(f'<TR><TD BGCOLOR="{SATURATED}"><FONT COLOR="white"><B>locks held: {held}'
                    "</B><BR/>atomic context: no sleeping, GFP_ATOMIC only</FONT></TD></TR>")
    for w in snapshot.warnings[-3:]:
        rows.append(f'<TR><TD COLOR="{SATURATED}" ALIGN="LEFT"><FONT COLOR="{SATURATED}"><B>WARNING'
                    f'</B></FONT>&#160;{html(w, 70)}</TD></TR>')
    return f"<{_TABLE}{''.join(rows)}</TABLE>>"


def _graph_label(caption, legend, columns=5):
    rows = []
    if caption:
        rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{columns}" BALIGN="LEFT">{caption}</TD></TR>')
    if legend:
        rows.extend(_legend_rows(columns))
    if not rows:
        return ""
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3">{"".join(rows)}</TABLE>>'


#: The legend's entries in reading order: (the cell's graphviz attributes, its HTML-like
#: text). Pictures lay them out in rows (`Scene.legend_columns`); widgets show them as HTML.
LEGEND = (
    ("", "━━ Arc (owns a count)"),
    ("", "╍╍ ArcBorrow (borrows)"),
    ("", "<B>▬▬ UniqueArc</B>&#160;(only owner)"),
    ("", "┈┈ raw pointer (*const T)"),
    ("", f'<FONT COLOR="{id_colour(0)}">━━ ID 0</FONT>&#160;'
         f'<FONT COLOR="{id_colour(1)}">━━ ID 1</FONT>: ListArc, first/next (prev thinner)'),
    (f'BGCOLOR="{CHANGED}"', "changed since last step"),
    (f'BGCOLOR="{SATURATED}"', '<FONT COLOR="white">SATURATED refcount</FONT>'),
    ("", f'<FONT COLOR="{GREY}"><S>freed / moved</S></FONT>'),
    ("", "fat pointer: data | vtable"),
    ("", "ffff8880…1040 = 0xffff888000001040"),
)


def _legend_rows(columns: int) -> list:
    cells = [f'<TD ALIGN="LEFT"{" " + attrs if attrs else ""}>{text}</TD>'
             for attrs, text in LEGEND]
    return ["<TR>" + "".join(cells[i:i + columns]) + "</TR>"
            for i in range(0, len(cells), columns)]
