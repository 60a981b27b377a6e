"""Checks of notebook 01 (Arc and refcount_t): counts line by line, saturation, layout."""

from __future__ import annotations

import linecache

from ... import flags as _flags
from ...arc import Arc
from ...heap import current_heap
from ...layout import Layout
from ...record import record
from ...refcount import REFCOUNT_MAX, REFCOUNT_SATURATED
from ..attempt import Hint, attempt
from ..runner import escalate, exercise
from ..verdict import clip
from ._common import Job, fresh

__all__ = ["ex01_predict_count", "ex01_saturate", "ex01_header_bytes", "PREDICT_PROGRAM"]

#: The program of exercise 01.1, as the notebook shows it (one operation per line).
PREDICT_PROGRAM = """\
a = kp.Arc.new(Job("p"), kp.GFP_KERNEL)
b = a.clone()
c = b.clone()
a.drop()
d = c.as_arc_borrow()
e = d.clone_arc()
"""

_RULES = {
    "Arc::new": "a new Arc is the one owner of a new object.",
    "Arc::clone": "`clone()` makes exactly one more owner.",
    "Arc::drop": "`drop()` gives its owner's count back.",
    "Arc::as_arc_borrow": "an ArcBorrow is not an owner: what does lending add to the count?",
    "ArcBorrow::clone_arc": "`clone_arc()` turns a borrow into a new owner.",
}
_FILE = "<exercise 01.1>"


def run_predict_program():
    """Run `PREDICT_PROGRAM` on the current heap: its recording, and the count after each
    line (the model derives the answer; nothing is written down)."""
    import kernelptr as kp
    lines = PREDICT_PROGRAM.splitlines(True)
    linecache.cache[_FILE] = (len(PREDICT_PROGRAM), None, lines, _FILE)
    with record() as rec:
        exec(compile(PREDICT_PROGRAM, _FILE, "exec"), {"kp": kp, "Job": Job})
    address = rec.frames[0].event.addresses[0]
    counts, last = [], {}
    for i, frame in enumerate(rec.frames):
        last[frame.event.location.line] = i
    for line in range(1, len(lines) + 1):
        counts.append(rec.frames[last[line]].snapshot.object(address).refcount)
    return rec, counts, last


@exercise
def ex01_predict_count(predicted):
    """The count after each line of `PREDICT_PROGRAM`, as a list."""
    if predicted is None or predicted is Ellipsis:
        raise NotImplementedError
    rec, counts, last = run_predict_program()
    n = len(counts)
    if not isinstance(predicted, (list, tuple)) or len(predicted) != n or \
            not all(isinstance(x, int) for x in predicted):
        raise Hint(f"give one count per line: a list of {n} ints, one for each line of the "
                   "program.", recording=False)
    if list(predicted) == counts:
        return f"{counts}: every clone and clone_arc adds one, drop gives one back, a borrow " \
               "adds nothing."
    wrong = next(i for i in range(n) if predicted[i] != counts[i])
    line = PREDICT_PROGRAM.splitlines()[wrong]
    op = rec.frames[last[wrong + 1]].event.op
    hint = escalate(
        rule=f"line {wrong + 1} (`{line}`): {_RULES.get(op, 'count the owners.')}",
        pointer=f"step through the program below, up to line {wrong}: count the owners "
                "(handles drawn solid) after each line, then apply the next line to them.",
        answer=str(counts), why="every clone and clone_arc adds one, drop gives one back, "
                                "a borrow adds nothing.")
    if hint.level == 1:
        hint.recording = False
    elif hint.level == 2:
        upto = last.get(wrong, -1) + 1
        hint.recording = clip(rec, 0, upto) if upto else False
    else:
        hint.recording, hint.index = rec, last[wrong + 1]
    raise hint


def _overflowed(event) -> bool:
    return event.summary.endswith("-> SATURATED") and str(REFCOUNT_MAX) in event.summary


@exercise
def ex01_saturate(saturate):
    """`saturate(a)`: clone until the count saturates (it starts near REFCOUNT_MAX, somewhere
    else on each run), drop every clone, return how many clones it took."""
    for below in (3, 6):
        with fresh() as heap:
            a = Arc.new(Job("s"), _flags.GFP_KERNEL)
            Arc.refcount_of(a).set(REFCOUNT_MAX - below)
            needed = below + 1
            run = attempt(saturate, a)
            by_hand = [n for n in ("Refcount::set", "Refcount::add", "Refcount::inc")
                       if run.called(n)]
            if by_hand:
                raise Hint(f"you called `{by_hand[0]}`: only clone() and drop() here, so that "
                           "every count belongs to a real owner.")
            obj = heap.object_at(a.address)
            clones = run.touching(a.address, "Arc::clone")
            overflow = next((i for i, e in enumerate(clones) if _overflowed(e)), None)
            if overflow is None:
                raise Hint(f"your clones never pushed the count past REFCOUNT_MAX (this run "
                           f"started it at REFCOUNT_MAX - {below}): read `a.refcount` and keep "
                           "cloning until it is kp.REFCOUNT_SATURATED.",
                           at=clones[-1] if clones else None)
            if len(clones) > needed:
                raise Hint(f"you cloned {len(clones)} times; the count saturated at clone "
                           f"{overflow + 1} and further clones change nothing: stop there.",
                           at=clones[needed])
            if a._state != "live":
                raise Hint("you dropped `a` itself: it belongs to the caller. Drop only the "
                           "clones you made.", at=run.touching(a.address, "Arc::drop")[-1])
            drops = run.touching(a.address, "Arc::drop")
            if len(drops) != len(clones):
                raise Hint(f"you made {len(clones)} clones and dropped {len(drops)}: drop every "
                           "clone (a saturated count can never free the object, whatever you "
                           "drop).", at=clones[-1])
            if obj.freed or not obj.refcount.saturated:
                raise Hint("the count should stay saturated after the drops.")
            if run.result != needed:
                raise Hint(f"you made {needed} clones but returned {run.result!r}: return how "
                           "many clones it took.")
    return "clones until REFCOUNT_MAX, then one more: SATURATED; the drops leave it saturated " \
           "and the object is never freed, whatever the starting count."


#: (size, align) of the types asked about in exercise 01.3: none is printed in the notebook.
_TYPES = ((1, 1), (4, 4), (12, 4), (2, 2), (16, 8), (16, 16))


def _formula_hint(size, align, got, kernel, std) -> str:
    k, s = got
    t = f"a T of size {size} and alignment {align}"
    if (k, s) == (std, kernel):
        return f"for {t} you have them the other way round: the kernel's header is the small one."
    if k != kernel:
        if k == 4 + size:
            return (f"for {t} you said {k} for the kernel: the data starts at an offset "
                    "aligned for T, and the whole struct's size is a multiple of its "
                    "alignment (at least 4, the refcount_t's).")
        if k == 8 + size:
            return (f"for {t} you said {k} for the kernel: the 4-byte refcount_t is padded only "
                    "up to T's alignment, not always to 8.")
        return (f"for {t} your kernel size is {k}: lay out `#[repr(C)] struct ArcInner<T> "
                "{ refcount: refcount_t /* 4 bytes, align 4 */, data: T }` by hand.")
    if s == 16 + size:
        return (f"for {t} you said {s} for std: a struct's size is rounded up to a multiple of "
                "its alignment (8 here, for the two AtomicUsize counts).")
    return (f"for {t} your std size is {s}: std's ArcInner<T> is `#[repr(C)] {{ strong: "
            "AtomicUsize, weak: AtomicUsize, data: T }`.")


@exercise
def ex01_header_bytes(arc_inner_sizes):
    """`arc_inner_sizes(size, align)` -> (kernel, std): size_of ArcInner<T> in the kernel and
    in userspace Rust for a T of that size and alignment."""
    if isinstance(arc_inner_sizes, (tuple, list)):
        raise Hint("write a function `arc_inner_sizes(size, align)` that works for any T, not "
                   "one pair of numbers.", recording=False)
    for size, align in _TYPES:
        run = attempt(arc_inner_sizes, size, align)
        got = run.result
        if isinstance(got, list):
            got = tuple(got)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise Hint(f"return a pair (kernel, std); for ({size}, {align}) you returned "
                       f"{got!r}.", recording=False)
        if run.events():
            raise Hint("compute the sizes from size and align: no need to allocate anything.")
        t = Layout("T", size, align)
        kernel, std = t.arc_inner, t.std_arc_inner
        if got != (kernel, std):
            raise Hint(_formula_hint(size, align, got, kernel, std), recording=False)
    return "header and padding right for every T: one 4-byte count padded to T's alignment, " \
           "versus two 8-byte counts."
