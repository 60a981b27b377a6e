"""The visual grammar: a `kp.Snapshot` drawn as a graphviz graph (DESIGN 3.1)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import graphviz

from .escape import caption_html, html, node_id, wrap
from .scale import ELIDE_AT, Elision, reach as reach_of
from .style import (CHANGED, FONT, FONT_SIZE, FREED_BG, GREY, HEADER, PROBLEM, PROBLEM_BG,
                    SATURATED, abbreviate, id_colour)

__all__ = ["to_dot", "Scene", "scene_of", "cluster_title", "problems_caption",
           "problem_lines"]

# Spaces after a closing tag are written &#160;: browsers drop a leading space in SVG text.
_TABLE = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="5" BGCOLOR="white">'
#: The label the model makes up for a handle or list no variable names (`listarc#12`,
#: `std::arc#3`, `list#2`).
_MADE_UP = re.compile(r"^[a-z:]+#\d+$")
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


def made_up(label: str) -> bool:
    """Whether `label` is one the model made up because no variable names the handle or list
    (`listarc#12`, `std::arc#3`, `list#2`), not a learner's name.

    >>> made_up("listarc#12"), made_up("list#2"), made_up("q")
    (True, True, False)
    """
    return _MADE_UP.match(label) is not None


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
    caption: str = ""                              # HTML above the legend (escaped text)
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

    What broke (`snapshot.problems`, the records behind `heap.problems()`) is drawn on the
    link or cell concerned in `widgets.style.PROBLEM` with "×n", the sentence as tooltip,
    and a numbered line under the caption. `caption` is text (escaped here, wrapped, cut
    at `widgets.escape.CAPTION_LIMIT` characters).

    Big heaps: a list longer than `elide` items (default 12; `None` draws everything) shows
    its first and last few items, every item a handle or pointer points at, and a
    "… N more …" node for each run of the others; beyond `widgets.scale.OBJECT_BUDGET`
    objects (or `HANDLE_BUDGET` handles) the rest are one "… N more objects" node saying
    how to see them. `reach="a"` (or a list of labels) draws only what those handles, lists
    or raw pointers reach (`widgets.scale.reach`).

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
    marks = _Marks(snapshot)
    scene = Scene(caption=_caption_html(caption, marks), legend=legend)
    elision = Elision(snapshot, elide)
    before = _Before(previous)
    if snapshot.locks or snapshot.warnings:
        scene.node("banner", _STACK, label=_banner(snapshot))
    temporaries = 0
    for h in snapshot.handles:
        if h.label in elision.hidden_handles:
            continue
        if made_up(h.label):
            # An unnamed temporary (`listarc#12`, from `q.push_back(ListArc.new(..))`) lives
            # for one step; temporaries share slots so a long trace does not grow a new row
            # for each one.
            _handle(scene, h, before, elision, f"h__tmp{temporaries}")
            temporaries += 1
        else:
            _handle(scene, h, before, elision)
    types = {o.address: o.type_name for o in snapshot.objects}
    for p in snapshot.raw_pointers:
        _raw(scene, p, before, types.get(p.target, "T"), elision)
    for lst in snapshot.lists:
        _list(scene, lst, before, elision, marks)
    for o in snapshot.objects:
        if o.address not in elision.hidden:
            _object(scene, o, before, elision, marks)
    for vt in snapshot.vtables:
        _vtable(scene, vt)
    _links(scene, snapshot, elision, marks)
    _elided(scene, snapshot, elision)
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
def _obj_in(elision, address, port="hdr", compass="w"):
    """Where an arrow to the object at `address` ends (its header, or the node standing for
    it when it is elided)."""
    return elision.endpoint(address, port, compass)


def _named(prefix, thing) -> str:
    """The node of a handle or list: by its label, and its Python frame when not global."""
    return node_id(prefix, f"{thing.frame}/{thing.label}" if thing.frame else thing.label)


def _handle(scene, h, before, elision, name=None):
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
    scene.edge(f"{name}:d:e", _obj_in(elision, h.target), **style)
    if h.vtable is not None:
        _vtable_edge(scene, f"{name}:v:e", h.vtable)


def _vtable_edge(scene, tail, vtable):
    """A fat pointer's vtable half: a thin grey dotted edge into `.rodata`."""
    scene.edge(tail, f"{node_id('vt', f'{vtable:x}')}:hdr:w", style="dotted", penwidth="1.5",
               color=GREY)


def _raw(scene, p, before, type_name, elision):
    name = node_id("raw", p.label)
    changed = before.changed("raws", p.label, p)
    text = f"<B>{html(p.label)}</B>: *const {html(type_name)} = {abbreviate(p.address)}<BR/><I>{html(p.origin)}</I>"
    if p.reclaimed:
        text = _grey(f"<S>{text}</S>&#160;reclaimed", True)
    scene.node(name, _STACK, label=f'<{_TABLE}<TR><TD PORT="d"{_bg(changed)}>{text}</TD></TR></TABLE>>')
    if not p.reclaimed:
        scene.edge(f"{name}:d:e", _obj_in(elision, p.target), **_EDGE_STYLE["raw"])


# -- lists ------------------------------------------------------------------------------------
def _links_in(elision, address, i, compass="w"):
    """Where a `first`, `next` or cursor arrow to the links of ID `i` at `address` ends: the
    start of its links row (the row reads `prev | links[i] | next`)."""
    return elision.endpoint(address, f"p{i}", compass)


def _list(scene, lst, before, elision, marks):
    name = _named("list", lst)
    colour = id_colour(lst.id)
    changed = before.changed("lists", lst.key, lst)
    title = f"<B>{html(lst.label)}</B>: List&lt;{html(lst.type_name)}, {lst.id}&gt;"
    first = "first" if lst.items else "first: null"
    if lst.dropped:
        title, first = _grey(f"<S>{title}</S>&#160;dropped", True), "first: null"
    broken = marks.of_list(lst.label)
    rows = (f'<TR><TD COLOR="{colour}"{_bg(changed)}>{title}</TD></TR>'
            f'<TR>{_cell(first, port="f", border=colour, mark=broken)}</TR>')
    cursor = lst.cursor if not lst.dropped else ()
    if cursor:
        # A cursor sits between two items; it is drawn pointing at the item after it.
        where = "cursor: next ►" if cursor[0] is not None else "cursor: at the back"
        rows += f'<TR><TD PORT="c" COLOR="{colour}"><I>{where}</I></TD></TR>'
    scene.node(name, frame_cluster(lst.frame), label=f"<{_TABLE}{rows}</TABLE>>")
    if lst.items and not lst.dropped:
        # the cell it leaves says `first`
        scene.edge(f"{name}:f:e", _links_in(elision, lst.items[0], lst.id),
                   **_marked(dict(color=colour, penwidth="2.5"), broken))
    if cursor and cursor[0] is not None:
        scene.edge(f"{name}:c:e", _links_in(elision, cursor[0], lst.id),
                   color=colour, penwidth="1.5", style="dashed", arrowhead="onormal")


#: A `prev` pointer drawn alone (it disagrees with its neighbour's `next`): thinner, dashed,
#: with an open head, so that it reads differently from `next` in grey print too.
_PREV = dict(penwidth="1.4", style="dashed", arrowhead="empty", arrowsize="0.9")
#: The open head that stands for a `prev` pointer on a line it shares with a `next`.
_PREV_TAIL = dict(dir="both", arrowtail="empty")


def _links(scene, snapshot, elision, marks):
    """`next` and `prev` pointers between linked objects, in the ID's colour.

    A links row reads `prev | links[i] | next`. `next` leaves the right end of its row and
    ends, filled head, at the left end of the next item's row. When that item's `prev` points
    back (the ring is consistent) the same line carries it: its open head sits on the right
    end of the row it points at, and the line leaves the `prev` cell. So neighbours share one
    line with two different heads, also in a two-item ring, and a `prev` that disagrees with
    its neighbour's `next` stands out as a line of its own (dashed, open head, leaving the
    left side of its `prev` cell). An elided run of items is one "… N more …" node on the
    ring. A pointer a problem concerns is drawn in the problem colour with its "×n" and its
    sentence as tooltip.
    """
    firsts = {(lst.id, lst.items[0]) for lst in snapshot.lists if lst.items}
    by_address = {o.address: o for o in snapshot.objects}
    order: dict = {}          # address -> where lists first reach it (left to right)
    for lst in snapshot.lists:
        for a in lst.items:
            order.setdefault(a, len(order))

    def points(a, i, which, to):
        """Does the object at `a` have its `prev` (0) or `next` (1) of ID `i` on `to`?"""
        o = by_address.get(a)
        return o is not None and o.links.get(i, (None, None))[which] == to

    for o in snapshot.objects:
        if o.freed or o.address in elision.hidden:
            continue
        here = node_id("obj", f"{o.address:x}")
        for i, (prev, nxt) in o.links.items():
            colour = id_colour(i)
            if nxt is not None:
                attrs = dict(color=colour, penwidth="2.2")
                if (i, nxt) in firsts or nxt == o.address:
                    attrs["constraint"] = "false"      # the ring closing: no rank order
                if points(nxt, i, 0, o.address):
                    attrs.update(_PREV_TAIL)
                scene.edge(f"{here}:n{i}:e", _links_in(elision, nxt, i),
                           **_marked(attrs, marks.at(o.address, f"n{i}")))
            if prev is not None and not points(prev, i, 1, o.address):
                # It ends at the near end of the row it points at: the right end of an item
                # drawn before this one, the left end of one drawn after it.
                after = order.get(prev, -1) > order.get(o.address, -1)
                head = _links_in(elision, prev, i) if after else \
                    elision.endpoint(prev, f"n{i}", "e")
                attrs = dict(_PREV, color=colour, constraint="false")
                scene.edge(f"{here}:p{i}:w", head,
                           **_marked(attrs, marks.at(o.address, f"p{i}")))
    for name, i, count, after in elision.runs:
        colour = id_colour(i)
        scene.node(name, _HEAP, shape="box", style="rounded,dashed", color=colour,
                   margin="0.15,0.08", label=f"… {count} more …")
        attrs = dict(color=colour, penwidth="2.2", style="dashed")
        if (i, after) in firsts:
            attrs["constraint"] = "false"
        back = by_address.get(after)
        if back is not None and elision.hidden.get(back.links.get(i, (None, None))[0]) == name:
            attrs.update(_PREV_TAIL)         # `after`'s prev is the run's last item
        scene.edge(f"{name}:e", _links_in(elision, after, i), **attrs)


def _elided(scene, snapshot, elision):
    """The nodes standing for the objects and handles beyond the picture's budget, each
    saying how to see them."""
    named = [h.label for h in snapshot.handles if not made_up(h.label)]
    example = html(named[0] if named else "a", 30)
    how = (f"draw what one variable reaches: <I>reach=&quot;{example}&quot;</I><BR/>"
           "draw everything (slow): <I>elide=None</I>")
    if elision.more is not None:
        name, count = elision.more
        scene.node(name, _HEAP, shape="box", style="rounded,dashed", color=GREY,
                   margin="0.15,0.08", label=f"<<B>… {count:,} more objects</B> not drawn"
                                             f"<BR/>{how}>")
    if elision.hidden_handles:
        count = len(elision.hidden_handles)
        scene.node(Elision.MORE_HANDLES, _STACK, shape="box", style="rounded,dashed",
                   color=GREY, margin="0.15,0.08",
                   label=f"<<B>… {count:,} more handles</B> not drawn<BR/>{how}>")


# -- objects ----------------------------------------------------------------------------------
def _object(scene, o, before, elision, marks):
    old = before.objects.get(o.address)
    new = before.any and old is None

    def diff(attr, key=None):
        if old is None:
            return False
        a, b = getattr(o, attr), getattr(old, attr)
        return (a.get(key) != b.get(key)) if key is not None else a != b

    grey = o.freed
    at = marks.on(o.address)
    head = f"<B>{html(o.kind)}&lt;{html(o.type_name)}&gt;</B>&#160;@{abbreviate(o.address)}"
    if o.freed:
        head = _grey(f"{head} (freed)", True)
    rows = [f'<TR>{_cell(head, port="hdr", colspan=3, bg=_bg(new or diff("freed"), FREED_BG if grey else HEADER), mark=at("hdr"))}</TR>']
    rows.append(_refcount_row(o, diff("refcount") or diff("saturated"), at("rc")))
    ids = sorted(set(o.links) | set(o.holders) | set(o.trackers) | set(o.self_ptrs))
    for i in ids:
        rows.extend(_id_rows(o, i, diff, grey, at))
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
                       _obj_in(elision, p.target), **style)
        for i, sp in o.self_ptrs.items():     # the fat self pointer stored in the links
            if sp and sp[1] is not None:
                _vtable_edge(scene, f"{node_id('obj', f'{o.address:x}')}:sv{i}:e", sp[1])


def _refcount_row(o, changed, mark):
    if o.freed:
        value = _grey(f"<S>{o.refcount}</S>", True)
        return (f'<TR><TD ALIGN="LEFT">{_grey("<S>refcount</S>", True)}</TD>'
                f'{_cell(value, port="rc", colspan=2, bg=_bg(changed, FREED_BG), mark=mark)}</TR>')
    if o.saturated:
        return ('<TR><TD ALIGN="LEFT">refcount</TD>'
                f'<TD PORT="rc" COLSPAN="2" BGCOLOR="{SATURATED}"><FONT COLOR="white"><B>SATURATED</B>'
                '</FONT></TD></TR>')
    return (f'<TR><TD ALIGN="LEFT">refcount</TD>'
            f'{_cell(f"<B>{o.refcount}</B>", port="rc", colspan=2, bg=_bg(changed), mark=mark)}</TR>')


def _id_rows(o, i, diff, grey, at):
    colour = id_colour(i)
    rows = []
    if i in o.links:
        prev, nxt = o.links[i]
        ch = _bg(diff("links", i))
        linked = prev is not None or nxt is not None
        p_text = "◄ prev" if prev is not None else "prev: null"
        n_text = "next ►" if nxt is not None else "next: null"
        name = f'<FONT COLOR="{colour}"><B>links[{i}]</B></FONT>' if linked else f"links[{i}]"
        rows.append(f'<TR>{_cell(_grey(p_text, grey or prev is None), port=f"p{i}", bg=ch, mark=at(f"p{i}"))}'
                    f'{_cell(_grey(name, grey), port=f"l{i}", bg=ch, mark=at(f"l{i}"))}'
                    f'{_cell(_grey(n_text, grey or nxt is None), port=f"n{i}", bg=ch, mark=at(f"n{i}"))}</TR>')
    if i in o.self_ptrs:
        sp = o.self_ptrs[i]
        data, vt = sp if sp else (None, None)
        ch, dim = _bg(diff("self_ptrs", i)), grey or sp is None
        cells = (f'<TD>{_grey(f"self {abbreviate(data)}", dim)}</TD>'
                 f'<TD PORT="sv{i}">{_grey(f"vtable {abbreviate(vt)}", dim)}</TD>' if vt else
                 f'<TD COLSPAN="2">{_grey(f"self {abbreviate(data)}", dim)}</TD>')
        rows.append(f'<TR><TD ALIGN="LEFT"{ch}>self_ptr[{i}]</TD>{cells}</TR>')
    holder = o.holders.get(i)
    ch = _bg(diff("holders", i))
    rows.append(f'<TR><TD ALIGN="LEFT"{ch}>{_grey(f"ListArc[{i}] held by", grey)}</TD>'
                f'{_cell(_grey(html(holder) if holder else "none", grey or not holder), port=f"h{i}", colspan=2, bg=ch, mark=at(f"h{i}"))}</TR>')
    if i in o.trackers:
        state = "ListArc exists" if o.trackers[i] else "no ListArc"
        rows.append(f'<TR><TD ALIGN="LEFT"{_bg(diff("trackers", i))}>AtomicTracker[{i}]</TD>'
                    f'{_cell(_grey(state, grey), port=f"t{i}", colspan=2, mark=at(f"t{i}"))}</TR>')
    return rows


# -- what broke: heap.problems() drawn where it happened ---------------------------------------
#: The cell of an object a problem's `field` names (`{i}`: its list ID).
_PORT_OF_FIELD = {"prev": "p{i}", "next": "n{i}", "holder": "h{i}", "tracker": "t{i}",
                  None: "l{i}", "refcount": "rc"}
_ADDRESS = re.compile(r"0x([0-9a-f]{9,16})\b")


class _Marks:
    """The snapshot's problems, numbered, indexed by the cell or list head they concern."""

    def __init__(self, snapshot):
        self.numbered = list(enumerate(getattr(snapshot, "problems", ()), 1))
        self._cells: dict = {}
        for n, p in self.numbered:
            self._cells.setdefault(_place(p), []).append((n, p.text))

    def at(self, address, port):
        """[(number, text)] of the problems marked on the cell `port` of object `address`."""
        return self._cells.get((address, port), [])

    def on(self, address):
        return lambda port: self.at(address, port)

    def of_list(self, label):
        return self._cells.get(("list", label), [])


def _place(p):
    """Where a problem is marked: (address, port) of a cell, or ("list", label) of a head."""
    if p.field == "first" and p.list_label is not None:
        return ("list", p.list_label)
    if p.address is None:
        return (None, None)
    if p.link_id is None and p.field != "refcount":
        return (p.address, "hdr")
    return (p.address, _PORT_OF_FIELD.get(p.field, "l{i}").format(i=p.link_id))


def _cell(content, *, port=None, colspan=None, bg="", border="", mark=()):
    """One table cell; a cell a problem concerns gets the problem colour (a thick border,
    a pale violet fill unless it is highlighted as changed, "×n" before its text, and the
    problem's sentence as its tooltip)."""
    attrs = f' PORT="{port}"' if port else ""
    attrs += f' COLSPAN="{colspan}"' if colspan else ""
    if mark:
        numbers = ",".join(str(n) for n, _ in mark)
        tip = "&#10;".join(html(text, 300) for _, text in mark)
        content = f'<FONT COLOR="{PROBLEM}"><B>×{numbers}</B></FONT>&#160;{content}'
        attrs += (bg or f' BGCOLOR="{PROBLEM_BG}"') + f' COLOR="{PROBLEM}" BORDER="3"'
        attrs += f' HREF="#kp-problems" TOOLTIP="{tip}"'
    else:
        attrs += bg + (f' COLOR="{border}"' if border else "")
    return f"<TD{attrs}>{content}</TD>"


def _marked(attrs: dict, mark) -> dict:
    """Edge `attrs` drawn in the problem colour, thicker, with "×n" at its tail and the
    problem's sentence as its tooltip, when `mark` lists problems about it."""
    if not mark:
        return attrs
    numbers = ",".join(str(n) for n, _ in mark)
    return dict(attrs, color=PROBLEM, penwidth="3.2", fontcolor=PROBLEM,
                taillabel=f"<<B>×{numbers}</B>>",
                tooltip=_tooltip("\n".join(text for _, text in mark)))


def _tooltip(text: str) -> str:
    """`text` as a DOT attribute value for a tooltip (the graphviz package quotes it): no
    control characters, no backslash escapes for graphviz to expand, not too long."""
    text = "".join(c if c.isprintable() or c == "\n" else " " for c in str(text))
    text = text.replace("\\", "/")
    return text if len(text) <= 600 else text[:599] + "…"


def _short(text: str) -> str:
    """A model sentence with its kernel addresses as the picture writes them."""
    return _ADDRESS.sub(lambda m: abbreviate(int(m.group(1), 16)), text)


def problems_caption(snapshot) -> str:
    """Plain text naming every broken invariant of `snapshot` with the number of its mark on
    the picture ("" when the heap is consistent), for captions beside the picture.

    >>> import kernelptr as kp
    >>> snap = kp.Snapshot(1, problems=(kp.Problem("x @0xffff888000001040: next -> null",
    ...                                             "link"),))
    >>> problems_caption(snap)
    'heap.check() fails: ×1 x @ffff8880…1040: next -> null'
    """
    return " ".join(problem_lines(snapshot))


def problem_lines(snapshot) -> list[str]:
    """`problems_caption` a line each: `heap.check() fails:`, then one line per broken
    invariant, numbered as its mark on the picture (`[]` when the heap is consistent).

    >>> import kernelptr as kp
    >>> snap = kp.Snapshot(1, problems=(kp.Problem("x @0xffff888000001040: next -> null",
    ...                                             "link"),))
    >>> problem_lines(snap)
    ['heap.check() fails:', '×1 x @ffff8880…1040: next -> null']
    """
    numbered = _Marks(snapshot).numbered
    if not numbered:
        return []
    return ["heap.check() fails:"] + [f"×{n} {_short(p.text)}" for n, p in numbered]


def _caption_html(caption: str, marks) -> str:
    """The graph label's text: the caption (bold, escaped, wrapped, at most
    `escape.CAPTION_LIMIT` characters), then one line per problem in the problem colour,
    numbered like its marks, wrapped (never cut)."""
    parts = [f"<B>{caption_html(caption)}</B>"] if caption else []
    if marks.numbered:
        lines = [f'<FONT COLOR="{PROBLEM}"><B>heap.check() fails</B>: an invariant is broken '
                 "(each × on the picture; hover it for the sentence)</FONT>"]
        for n, p in marks.numbered:
            wrapped = wrap(_short(p.text), 96)
            text = '<BR ALIGN="LEFT"/>&#160;&#160;&#160;&#160;'.join(html(w, 0) for w in wrapped)
            lines.append(f'<FONT COLOR="{PROBLEM}"><B>×{n}</B></FONT>&#160;{text}')
        parts.append('<BR ALIGN="LEFT"/>'.join(lines) + '<BR ALIGN="LEFT"/>')
    return "<BR/>".join(parts)


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
        rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="{columns}" BALIGN="LEFT" '
                    f'ID="kp-problems">{caption}</TD></TR>')
    if legend:
        rows.extend(_legend_rows(columns))
    if not rows:
        return ""
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3">{"".join(rows)}</TABLE>>'


#: The legend's entries in reading order: (the cell's graphviz attributes, its HTML-like
#: text). Pictures lay them out in rows (`Scene.legend_columns`); widgets show them as HTML.
LEGEND = (
    ("", "── Arc (owns a count)"),
    ("", "– – ArcBorrow (borrows)"),
    ("", "<B>▬▬ UniqueArc</B>&#160;(only owner)"),
    ("", "· · · raw pointer (*const T)"),
    ("", f'<FONT COLOR="{id_colour(0)}">── ID 0</FONT>&#160;'
         f'<FONT COLOR="{id_colour(1)}">── ID 1</FONT>: ListArc, first, next ► (filled head), prev (open head)'),
    (f'BGCOLOR="{CHANGED}"', "changed since last step"),
    (f'BGCOLOR="{SATURATED}"', '<FONT COLOR="white">SATURATED refcount</FONT>'),
    ("", f'<FONT COLOR="{GREY}"><S>freed / moved</S></FONT>'),
    (f'BGCOLOR="{PROBLEM_BG}" COLOR="{PROBLEM}" BORDER="2"',
     f'<FONT COLOR="{PROBLEM}"><B>×</B> broken invariant</FONT>'),
    ("", "fat pointer: data | vtable"),
    ("", "ffff8880…1040 = 0xffff888000001040"),
)


def _legend_rows(columns: int) -> list:
    cells = [f'<TD ALIGN="LEFT"{" " + attrs if attrs else ""}>{text}</TD>'
             for attrs, text in LEGEND]
    return ["<TR>" + "".join(cells[i:i + columns]) + "</TR>"
            for i in range(0, len(cells), columns)]
