"""Scenes shared by the widgets tests: a synthetic snapshot with every concept, a recorded
list scenario of 15 frames, and node centres read back from an SVG."""

import re
import xml.etree.ElementTree as ET

import kernelptr as kp
from kernelptr import HandleSnap, ListSnap, ObjectSnap, PointerSnap, RawPtrSnap, Snapshot, VtableSnap

A, B, C, D = (0xffff888000001000, 0xffff888000001040, 0xffff888000001080, 0xffff8880000010c0)
VT = 0xffffffff82001000
SVG = "{http://www.w3.org/2000/svg}"


def every_concept(**changes) -> Snapshot:
    """Objects linked in two lists, holders, a tracker, a fat self pointer, a vtable, a raw
    pointer, a pointer field, every handle kind and state, a saturated and a freed object."""
    objects = (
        ObjectSnap(A, "Job", 2, False, False, (("id", "1"),),
                   links={0: (C, B), 1: (None, None)}, holders={0: "list q", 1: "la"},
                   trackers={1: True}),
        ObjectSnap(B, "Job", 1, False, False, (("id", "2"), ("next_job", "Arc<Job> -> A")),
                   links={0: (A, C)}, holders={0: "list q"},
                   pointers=(PointerSnap("next_job", "Arc", A),)),
        ObjectSnap(C, "Wrapper<dyn WorkItem>", 1, False, False, (("inner", "Ping"),),
                   links={0: (B, A)}, holders={0: "list q"}, self_ptrs={0: (C + 8, VT)}),
        ObjectSnap(D, "Job", 0xc0000000, True, False, (("id", "4"),)),
        ObjectSnap(D + 0x40, "Job", 0, False, True, (("id", "5"),)),
    )
    handles = (
        HandleSnap("la", "ListArc", "Job", A, id=1),
        HandleSnap("w", "Arc", "Wrapper", C, vtable=VT, dyn="WorkItem"),
        HandleSnap("a", "Arc", "Job", D),
        HandleSnap("r", "ArcBorrow", "Job", D),
        HandleSnap("u", "UniqueArc", "Job", B),
        HandleSnap("old", "Arc", "Job", A, state="moved", note="moved by into_arc"),
    )
    lists = (ListSnap("q", 0, "Job", (A, B, C)), ListSnap("empty", 1, "Job", ()))
    vtables = (VtableSnap(VT, "Wrapper<Ping>", "WorkItem", 32, 8,
                          (("drop_in_place", "drop_in_place::<Wrapper<Ping>>"),
                           ("run", "Ping::run"), ("cancel", None))),)
    raws = (RawPtrSnap("p", D + 8, D, "Arc::into_raw"),)
    parts = dict(step=9, objects=objects, handles=handles, lists=lists, vtables=vtables,
                 raw_pointers=raws, locks=("q_lock",), warnings=())
    parts.update(changes)
    return Snapshot(**parts)


def list_recording():
    """15 frames on the current heap: a list built, reordered and emptied (the list tests'
    `Job`: links and an AtomicTracker for IDs 0 and 1)."""
    from _list_types import Job

    with kp.record() as rec:
        q = kp.List(Job, id=0)
        a = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
        b = kp.ListArc.new(Job(2), kp.GFP_KERNEL)
        c = kp.ListArc.new(Job(3), kp.GFP_KERNEL)
        keep = a.clone_arc()
        q.push_back(a)
        q.push_back(b)
        q.push_front(c)
        borrowed = keep.clone()
        x = q.pop_front()
        y = q.remove(keep)
        q.push_back(x)
        kp.drop(borrowed)
        kp.drop(y)
        z = q.pop_back()
    q.drop()
    kp.drop(z)
    kp.drop(keep)
    return rec


def centres(svg: str) -> dict:
    """Node name -> centre (x, y) on the SVG canvas, from the polygons each node draws."""
    root = ET.fromstring(svg)
    graph = root.find(SVG + "g")
    tx, ty = map(float, re.search(r"translate\(([-\d.]+)[ ,]([-\d.]+)\)",
                                  graph.get("transform")).groups())
    out = {}
    for node in graph.iter(SVG + "g"):
        if node.get("class") != "node":
            continue
        points = [tuple(map(float, p.split(","))) for poly in node.iter(SVG + "polygon")
                  for p in poly.get("points").split()]
        if points:
            xs, ys = zip(*points)
            out[node.find(SVG + "title").text] = ((min(xs) + max(xs)) / 2 + tx,
                                                   (min(ys) + max(ys)) / 2 + ty)
    return out


def _translate(root):
    graph = root.find(SVG + "g")
    return tuple(map(float, re.search(r"translate\(([-\d.]+)[ ,]([-\d.]+)\)",
                                      graph.get("transform")).groups()))


def _points(text):
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return list(zip(nums[0::2], nums[1::2]))


def edge_shapes(svg: str) -> list:
    """Every edge drawn: its title, stroke colour, path points and arrowheads (fill, centre),
    on the SVG canvas (as `centres`)."""
    root = ET.fromstring(svg)
    tx, ty = _translate(root)
    out = []
    for g in root.iter(SVG + "g"):
        if g.get("class") != "edge":
            continue
        path = g.find(f".//{SVG}path")
        heads = []
        for poly in g.iter(SVG + "polygon"):
            pts = _points(poly.get("points"))
            xs, ys = zip(*pts)
            heads.append((poly.get("fill"), ((min(xs) + max(xs)) / 2 + tx,
                                             (min(ys) + max(ys)) / 2 + ty)))
        tips = [a.get("{http://www.w3.org/1999/xlink}title") for a in g.iter(SVG + "a")]
        out.append(dict(title=g.find(SVG + "title").text, stroke=path.get("stroke"),
                        path=[(x + tx, y + ty) for x, y in _points(path.get("d"))],
                        heads=heads, tooltip=next((t for t in tips if t), None)))
    return out


def node_boxes(svg: str) -> dict:
    """Node name -> bounding box (x0, y0, x1, y1) on the SVG canvas."""
    root = ET.fromstring(svg)
    tx, ty = _translate(root)
    out = {}
    for node in root.iter(SVG + "g"):
        if node.get("class") != "node":
            continue
        pts = [p for poly in node.iter(SVG + "polygon") for p in _points(poly.get("points"))]
        if pts:
            xs, ys = zip(*pts)
            out[node.find(SVG + "title").text] = (min(xs) + tx, min(ys) + ty,
                                                  max(xs) + tx, max(ys) + ty)
    return out


def texts(svg: str) -> list:
    """(text, x, y) of every text element on the SVG canvas."""
    root = ET.fromstring(svg)
    tx, ty = _translate(root)
    return [("".join(t.itertext()), float(t.get("x")) + tx, float(t.get("y")) + ty)
            for t in root.iter(SVG + "text")]


def race_recording():
    """Notebook 04's race on the current heap: two clones of one Arc pushed with
    `kp.unchecked.push_back` into two lists with the same links (3 frames, the last broken)."""
    from _list_types import Node

    a = kp.Arc.new(Node(1), kp.GFP_KERNEL)
    x = kp.Arc.new(Node(2), kp.GFP_KERNEL)
    left, right = kp.List(Node, id=0), kp.List(Node, id=0)
    with kp.record() as rec:
        kp.unchecked.push_back(left, x)
        kp.unchecked.push_back(left, a)
        kp.unchecked.push_back(right, a)
    return rec, (a, x, left, right)
