"""Recording: collect one (event, snapshot) frame per model operation, for stepping."""

from __future__ import annotations

import contextlib
import dataclasses
import linecache
import sys
from .events import Event, user_frame
from .errors import TypeMismatch
from .heap import Heap, current_heap
from .journal import Journal
from .ownership import names_in
from .rust import Transcript, function
from .snapshot import Snapshot
from .types_ import safe_repr

__all__ = ["record", "trace", "Recording", "Frame"]


class Frame:
    """One step of a recording (the course's own record, nothing in the kernel): the
    operation and the heap right after it.

    A recording's frames build their `snapshot` when it is first asked for (from the
    recording's journal of changes, see `kernelptr.journal`); `Frame(event, snapshot)` makes
    one with the snapshot given.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> with kp.record() as rec:
    ...     a = kp.Arc.new(1, kp.GFP_KERNEL)
    >>> rec.frames[0], rec.frames[0].snapshot.objects[0].refcount
    (Frame([1] Arc::new: i64 allocated at 0xffff888000001000, refcount 1), 1)
    """

    __slots__ = ("event", "_snapshot", "_journal", "_index")

    def __init__(self, event: Event, snapshot: Snapshot | None = None, *, _journal=None,
                 _index: int = 0):
        self.event = event
        self._snapshot = snapshot
        self._journal = _journal
        self._index = _index

    @property
    def snapshot(self) -> Snapshot:
        """The heap right after the event."""
        if self._snapshot is not None:
            return self._snapshot
        return self._journal.snapshot(self._index)

    def __eq__(self, other):
        if not isinstance(other, Frame):
            return NotImplemented
        return self.event == other.event and self.snapshot == other.snapshot

    def __hash__(self):
        return hash(self.event)

    def __repr__(self) -> str:
        return f"Frame({self.event})"


class Recording:
    """The frames collected by `kp.record()`: the model of nothing in the kernel, the course's
    trace, which `widgets.Stepper` plays back.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> with kp.record() as rec:
    ...     a = kp.Arc.new(1, kp.GFP_KERNEL)
    ...     b = a.clone()
    >>> [f.event.op for f in rec.frames]
    ['Arc::new', 'Arc::clone']
    >>> [h.label for h in rec.frames[-1].snapshot.handles]
    ['a', 'b']
    """

    def __init__(self, heap):
        self.heap = heap
        self.frames: list[Frame] = []
        self.before: Snapshot | None = None  # the heap when recording began (if known)
        self._pending: list = []        # (event, journal capture) waiting for labels
        self._journal = None            # watches the heap from the first event on
        self._sources: dict[str, list[str]] = {}
        self._transcript = Transcript()  # the Rust of each step (see kernelptr/rust.py)
        self._finished = False
        self.name = "example"           # the function `rust()` wraps the transcript in

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, i) -> Frame:
        return self.frames[i]

    def __iter__(self):
        return iter(self.frames)

    def _on_event(self, event: Event) -> None:
        # Labels of the previous frames can be resolved now: the statement that made them has
        # finished, so its result is bound to a name. The same names are the operands' now.
        frame = user_frame(3)
        names = names_in(frame)
        self._resolve(frame, names, event.location)
        self._transcript.add(event, self.heap._rust_step, names, frame)
        if self._journal is None:
            self._journal = Journal(self.heap)
        self._pending.append((event, self._journal.capture()))
        path = event.location.path
        if path and path not in self._sources:
            self._sources[path] = linecache.getlines(path)

    def _resolve(self, frame, names=None, location=None) -> None:
        if not self._pending:
            return
        names = names_in(frame) if names is None else names
        self._transcript.settle(names, frame, location)
        indices = self._journal.resolve([capture for _, capture in self._pending], names)
        for (event, _), i in zip(self._pending, indices):
            self.frames.append(Frame(event, _journal=self._journal, _index=i))
        self._pending.clear()

    def _finish(self) -> None:
        """The recording ended: give every frame's event its final Rust."""
        if self._finished:
            return
        self._finished = True
        texts = self._transcript.texts()
        if len(texts) != len(self.frames):
            return
        for frame, text in zip(self.frames, texts):
            if frame.event.rust != text:
                frame.event = dataclasses.replace(frame.event, rust=text)

    def rust(self, name: str | None = None, *, wrap: bool = True) -> str:
        """The whole recording as one kernel Rust transcript: one statement per line, `let`
        bindings typed, the temporaries of one Python statement folded into it, wrapped in
        `fn example() -> Result { ... Ok(()) }` so that it parses (`wrap=False`: the
        statements alone, for a slide).

        >>> import kernelptr as kp
        >>> heap = kp.reset()
        >>> with kp.record() as rec:
        ...     a = kp.Arc.new(1, kp.GFP_KERNEL)
        ...     b = a.clone()
        >>> print(rec.rust())
        fn example() -> Result {
            let a: Arc<i64> = Arc::new(1, GFP_KERNEL)?;
            let b: Arc<i64> = a.clone();
            Ok(())
        }
        <BLANKLINE>
        """
        if self._transcript.entries and len(self._transcript.entries) == len(self.frames):
            lines = self._transcript.lines()
        else:   # frames made by hand (e.g. one per statement): their events' own Rust
            lines = [f.event.rust for f in self.frames if f.event.rust]
        if not wrap:
            return "\n".join(lines)
        return function(lines, name or self.name)

    def source(self, i: int) -> tuple[list[str], int]:
        """The source lines of frame `i`'s cell or file, and its (1-based) line number."""
        loc = self.frames[i].event.location
        return self._sources.get(loc.path, []), loc.line

    def __repr__(self) -> str:
        return f"Recording({len(self.frames)} frames)"


@contextlib.contextmanager
def record(heap=None):
    """Collect a frame per model operation inside the block (`with kp.record() as rec:`);
    `rec.before` is the heap as the block found it."""
    heap = _heap_or_current(heap, "kp.record")
    rec = Recording(heap)
    rec.before = heap.snapshot()        # what was there already (views draw what changed)
    unsubscribe = heap.subscribe(rec._on_event)
    try:
        yield rec
    finally:
        unsubscribe()
        rec._resolve(user_frame(3))
        rec._finish()
        if rec._journal is not None:
            rec._journal.close()


def trace(fn, *args, heap=None, **kwargs) -> Recording:
    """Run `fn(*args, **kwargs)` while recording, and return the recording (handles are
    labelled with `fn`'s own variable names)."""
    if not callable(fn):
        raise TypeMismatch(f"kp.trace({safe_repr(fn)}): expected a function to run",
                           rule="trace runs a function and records what it does",
                           rustc="error[E0618]: expected function",
                           fix="kp.trace(my_function, its, arguments)")
    _heap_or_current(heap, "kp.trace")
    code = getattr(fn, "__code__", None)

    def on_return(frame, event, arg):
        if event == "return" and frame.f_code is code:
            rec._resolve(frame)

    with record(heap) as rec:
        rec.name = getattr(fn, "__name__", "example")
        previous = sys.getprofile()
        sys.setprofile(on_return)
        try:
            fn(*args, **kwargs)
        finally:
            sys.setprofile(previous)
    return rec


def _heap_or_current(heap, what: str):
    if heap is None:
        return current_heap()
    if not isinstance(heap, Heap):
        raise TypeMismatch(f"{what}(heap={safe_repr(heap)}): expected a kp.Heap",
                           rule="a recording watches one simulated kernel",
                           rustc="error[E0308]: mismatched types (expected `&Heap`)",
                           fix=f"{what}() records the current heap; or pass heap=kp.current_heap()")
    return heap
