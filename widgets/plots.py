"""Plots (matplotlib Figures): refcounts and ListArc ownership over steps, layouts, op cost."""

from __future__ import annotations

import io
import sys
import time

from matplotlib.figure import Figure as _MplFigure
from matplotlib.ticker import MaxNLocator

import kernelptr as kp
from kernelptr.layout import POINTER_SIZES

from .style import GREY, PALETTE, SATURATED, abbreviate

__all__ = ["plot_refcounts", "plot_ownership", "plot_layout", "plot_op_cost"]


class Figure(_MplFigure):
    """A Figure that shows itself in a notebook without pyplot (its PNG is its rich display)."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100)
        return buf.getvalue()

_COLOURS = [PALETTE[k] for k in ("blue", "orange", "green", "purple", "sky", "vermillion",
                                 "yellow", "black")]


def _object_name(o) -> str:
    return f"{o.kind}<{o.type_name}> @{abbreviate(o.address)}"


def plot_refcounts(recording) -> Figure:
    """The refcount of every object over the steps of `recording` (one line per object).

    Steps are numbered from 1, as in the Stepper. A saturated count is drawn as a red cross
    above the lines (its value means "leaked"). Lines are nudged apart by a few hundredths so
    that objects with equal counts do not hide each other.
    """
    fig = Figure(figsize=(8, 4))
    ax = fig.add_subplot()
    series: dict = {}
    saturated: dict = {}
    for i, frame in enumerate(recording.frames):
        for o in frame.snapshot.objects:
            if o.saturated:
                saturated.setdefault(o.address, []).append(i + 1)
            series.setdefault(o.address, (_object_name(o), {}))[1][i + 1] = (
                None if o.saturated else o.refcount)
    top = 1
    for n, (address, (name, values)) in enumerate(series.items()):
        xs = sorted(values)
        ys = [values[x] + 0.04 * n if values[x] is not None else float("nan") for x in xs]
        top = max([top] + [round(y) for y in ys if y == y])
        ax.plot(xs, ys, drawstyle="steps-post", marker="o", label=name,
                color=_COLOURS[n % len(_COLOURS)], linewidth=2)
    for address, steps in saturated.items():
        ax.scatter(steps, [top + 1] * len(steps), marker="X", s=90, color=SATURATED,
                   label=f"{series[address][0]} SATURATED", zorder=3)
    ax.set_xlabel("step")
    ax.set_ylabel("refcount")
    ax.set_title("refcount per object")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if series:
        ax.legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_ownership(recording) -> Figure:
    """Who holds each object's ListArc for each list ID, step by step (one bar per object
    and ID, a coloured segment per holder: a handle's name, `list q`, or none)."""
    fig = Figure(figsize=(8, 3))
    ax = fig.add_subplot()
    rows: dict = {}     # (address, id) -> {step: holder}
    for i, frame in enumerate(recording.frames):
        for o in frame.snapshot.objects:
            for lid in sorted(set(o.holders) | set(o.links)):
                rows.setdefault((o.address, lid, _object_name(o)), {})[i + 1] = (
                    o.holders.get(lid) or "none")
    colours: dict = {"none": "#E8E8E8"}
    for r, (key, steps) in enumerate(rows.items()):
        for start, stop, holder in _segments(steps):
            colour = colours.setdefault(holder, _COLOURS[(len(colours) - 1) % len(_COLOURS)])
            ax.broken_barh([(start - 0.5, stop - start)], (r - 0.4, 0.8), facecolors=colour,
                           edgecolor="white")
            ax.text((start + stop - 1) / 2, r, holder, ha="center", va="center", fontsize=9,
                    color=_ink(colour), clip_on=True)
    ax.set_yticks(range(len(rows)), [f"{name} ID {lid}" for (_, lid, name) in rows])
    ax.set_xlabel("step")
    ax.set_title("ListArc holder per object and ID")
    if not rows:
        ax.text(0.5, 0.5, "no ListArc in this recording", ha="center", va="center",
                transform=ax.transAxes, color=GREY)
    fig.tight_layout()
    return fig


def _ink(colour: str) -> str:
    """Black text on light colours, white on dark ones."""
    r, g, b = (int(colour[k:k + 2], 16) for k in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white"


def _segments(steps: dict):
    """Runs of equal holders: (first step, step after the last, holder)."""
    run = None
    for i in sorted(steps):
        if run and run[2] == steps[i] and run[1] == i:
            run[1] = i + 1
            continue
        if run:
            yield tuple(run)
        run = [i, i + 1, steps[i]]
    if run:
        yield tuple(run)


def plot_layout(types=(bool, int, str)) -> Figure:
    """Bytes: the kernel's `ArcInner<T>` (4-byte refcount_t) against std's (two usize
    counters) for a few `T`, and the sizes of the pointer types themselves."""
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    layouts = [kp.layout(t) for t in types]
    ys = range(len(layouts))
    left.barh([y + 0.2 for y in ys], [x.arc_inner for x in layouts], height=0.4,
              color=PALETTE["blue"], label="kernel ArcInner<T>")
    left.barh([y - 0.2 for y in ys], [x.std_arc_inner for x in layouts], height=0.4,
              color=PALETTE["orange"], label="std ArcInner<T>")
    left.set_yticks(list(ys), [x.type_name for x in layouts])
    left.set_xlabel("bytes")
    left.set_title("ArcInner<T>: kernel vs std")
    left.set_xlim(0, 1.7 * max(x.std_arc_inner for x in layouts))   # room for the legend
    left.legend(fontsize=9, loc="center right")
    names = list(POINTER_SIZES)
    right.barh(range(len(names)), [POINTER_SIZES[n] for n in names],
               color=[PALETTE["green"] if "dyn" in n or "Links" in n else PALETTE["sky"]
                      for n in names])
    right.set_yticks(range(len(names)), names, fontsize=9)
    right.set_xlabel("bytes")
    right.set_title("pointers, links and fat pointers")
    fig.tight_layout()
    return fig


def plot_op_cost(lengths=(10, 100, 1000, 10000), repeats: int = 20) -> Figure:
    """What "O(1) removal" means, counted, and then timed: removing the middle item of a list
    of n items and putting it back, for `kp.List` (intrusive), a Python `list` and (timed
    only) a `dict`.

    Left, counted: the pointers written per operation. For `kp.List` the model counts every
    `prev`/`next`/`first` it writes (`heap.pointer_writes`) and every allocation
    (`heap.alloc_count`): the same few writes and no allocation at every length. For a
    Python list the writes are the element moves CPython's `list.remove` and `list.insert`
    make (a memmove of the tail each, counted from the length, not observed) and the
    reallocations are observed (`sys.getsizeof` changing): none here.

    Right, timed (`time.perf_counter`, the fastest of `repeats` runs): `kp.List` is Python
    simulating pointers, so its absolute time says nothing about the kernel; the shape of
    each curve (flat or growing) is what carries over. Every run uses a private heap: the
    learner's heap is untouched.
    """
    counted = [_count_list_remove(n) for n in lengths]
    python_moves = [_python_list_moves(n) for n in lengths]
    python_reallocs = [_python_list_reallocs(n) for n in lengths]
    times = {"kp.List": [_time_list_remove(n, repeats) for n in lengths],
             "list": [_time_python_list(n, repeats) for n in lengths],
             "dict": [_time_python_dict(n, repeats) for n in lengths]}
    fig = Figure(figsize=(9, 5.6))
    left, right = fig.subplots(1, 2)
    writes = [w for w, _ in counted]
    allocs = sum(a for _, a in counted)
    left.plot(lengths, writes, marker="o", color=PALETTE["blue"], linewidth=2,
              label=f"kp.List remove + push_back\n{writes[-1]} pointer writes, "
                    f"{allocs} allocations (counted)")
    left.plot(lengths, python_moves, marker="s", color=PALETTE["orange"], linewidth=2,
              label=f"Python list remove + insert\nelement moves, "
                    f"{sum(python_reallocs)} reallocations")
    left.set_ylabel("pointers written per operation")
    left.set_title("counted: O(1) is a fixed\nnumber of pointer writes", fontsize=11)
    for name, marker, colour in (("kp.List", "o", "blue"), ("list", "s", "orange"),
                                 ("dict", "^", "green")):
        label = {"kp.List": "kp.List (Python simulating\npointers)",
                 "list": "Python list remove + insert",
                 "dict": "Python dict del + set"}[name]
        right.plot(lengths, [t * 1e6 for t in times[name]], marker=marker,
                   color=PALETTE[colour], linewidth=2, label=label)
    right.set_ylabel("µs per operation (this machine, now)")
    right.set_title("timed: only the shape\n(flat or growing) carries over", fontsize=11)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("list length n")
        ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    fig.text(0.01, 0.01, "The model is Python simulating pointers (each write updates dicts "
             "and records events): its time says nothing\nabout the kernel, where an unlink "
             "is a few stores. Python's list moves are counted from CPython's memmove.",
             fontsize=9, color=GREY)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def _count_list_remove(n: int) -> tuple:
    """(pointer writes, allocations) of one `q.push_back(q.remove(middle))` on a `kp.List`
    of `n` items, counted by the model in a private heap."""
    with kp.Heap(record_events=False) as heap:
        q, middle = _filled_list(n)
        writes, allocs = heap.pointer_writes, heap.alloc_count
        q.push_back(q.remove(middle))
        counted = (heap.pointer_writes - writes, heap.alloc_count - allocs)
        q.drop()
        kp.drop(middle)
    return counted


def _python_list_moves(n: int) -> int:
    """Pointers a CPython list writes to remove the middle item and insert it back: `remove`
    shifts the n - i - 1 items after index i left by one, `insert` shifts them back and
    writes the new slot (listobject.c: list_ass_slice / ins1, both a memmove)."""
    i = n // 2
    return (n - i - 1) + (n - i - 1) + 1


def _python_list_reallocs(n: int) -> int:
    """How often the list's storage changed size during the operation (observed)."""
    items = list(range(n))
    size = sys.getsizeof(items)
    items.remove(n // 2)
    changes = int(sys.getsizeof(items) != size)
    items.insert(n // 2, n // 2)
    return changes + int(sys.getsizeof(items) != size)


def _time(fn, repeats: int) -> float:
    """The fastest of `repeats` runs of `fn`, in seconds (the minimum is the least noisy)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class _Item:
    """The item type `plot_op_cost` measures (declared once, like a kernel struct)."""

    n: int
    links: kp.ListLinks[0]


def _filled_list(n: int):
    """A `kp.List` of `n` `_Item`s on the current heap, and an Arc to its middle item."""
    q = kp.List(_Item, id=0)
    middle = None
    for k in range(n):
        la = kp.ListArc.new(_Item(k), kp.GFP_KERNEL)
        if k == n // 2:
            middle = la.clone_arc()
        q.push_back(la)
    return q, middle


def _time_list_remove(n: int, repeats: int) -> float:
    with kp.Heap(record_events=False):
        q, middle = _filled_list(n)
        best = _time(lambda: q.push_back(q.remove(middle)), repeats)
        q.drop()
        kp.drop(middle)
    return best


def _time_python_list(n: int, repeats: int) -> float:
    items = list(range(n))
    return _time(lambda: (items.remove(n // 2), items.insert(n // 2, n // 2)), repeats)


def _time_python_dict(n: int, repeats: int) -> float:
    table = dict.fromkeys(range(n))

    def delete_and_set():
        del table[n // 2]
        table[n // 2] = None

    return _time(delete_and_set, repeats)
