"""Events: one record per public model operation, with the learner's source location."""

from __future__ import annotations

import linecache
import os
import re
import sys
from dataclasses import dataclass, field

__all__ = ["Event", "Location", "user_frame", "is_user_frame"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Source folders of the model and the views: their frames are never the learner's.
_MODEL_DIRS = tuple(os.path.join(_ROOT, p) + os.sep for p in ("kernelptr", "widgets"))
_SKIP_FILES = ("contextlib.py", "functools.py", "runpy.py")
_CELL_FILE = re.compile(r"(ipykernel_\d+|<ipython-input-)")


_USER_FILES: dict = {}      # code file -> whether it is the learner's (asked at every event)


def is_user_frame(frame) -> bool:
    """Whether a frame runs the learner's code (a cell, a test, a doctest), not the model's."""
    path = frame.f_code.co_filename
    mine = _USER_FILES.get(path)
    if mine is None:
        if len(_USER_FILES) > 4096:
            _USER_FILES.clear()
        mine = _USER_FILES[path] = (not path.startswith(_MODEL_DIRS)
                                    and not path.endswith(_SKIP_FILES))
    return mine


def user_frame(depth: int = 1):
    """The innermost frame that belongs to the learner's code, not to the model or views."""
    frame = sys._getframe(depth)
    while frame is not None and not is_user_frame(frame):
        frame = frame.f_back
    return frame


_KNOWN: dict = {}           # (code file, line) -> its Location (they are immutable)


@dataclass(frozen=True)
class Location:
    """Where in the learner's code something happened: a cell or file, and a line (the
    course's own record; the kernel has nothing like it).

    `display` is stable from run to run (a notebook cell's temporary file name is not shown).

    >>> Location("<cell>", 3)
    Location('<cell>', 3)
    >>> str(Location("<cell>", 3))
    '<cell> line 3'
    """

    file: str
    line: int
    path: str = field(default="", repr=False, compare=False)

    @classmethod
    def of(cls, frame) -> "Location":
        if frame is None:
            return cls("<unknown>", 0)
        path, line = frame.f_code.co_filename, frame.f_lineno
        known = _KNOWN.get((path, line))    # a loop's events share their lines' Locations
        if known is None:
            file = "<cell>" if _CELL_FILE.search(path) else os.path.basename(path)
            if len(_KNOWN) > 4096:
                _KNOWN.clear()
            known = _KNOWN[(path, line)] = cls(file, line, path)
        return known

    @property
    def source(self) -> str:
        """The text of that line, stripped (empty when the source is not available)."""
        return linecache.getline(self.path, self.line).strip() if self.path else ""

    def __repr__(self) -> str:
        return f"Location({self.file!r}, {self.line})"

    def __str__(self) -> str:
        return f"{self.file} line {self.line}"


class _Rust:
    """`Event.rust`: the text, or an object whose `text()` writes it, called on the first
    read (the heap defers the Rust of events nobody listens to: see `kernelptr.rust`).
    Kept in the instance attribute `_rust`, set through `object.__setattr__` because the
    dataclass is frozen."""

    def __get__(self, event, owner=None) -> str:
        if event is None:
            return ""                   # the field's default
        text = event._rust
        write = getattr(text, "text", None)
        if write is not None and not isinstance(text, str):
            text = write()
            object.__setattr__(event, "_rust", text)
        return text

    def __set__(self, event, text) -> None:
        object.__setattr__(event, "_rust", text)


@dataclass(frozen=True)
class Event:
    """One model operation: models nothing in the kernel, it is the course's trace record.

    `rust` is the kernel Rust statement the operation stands for (see `kernelptr.rust`),
    with the learner's variable names; the repr shows it when there is one.

    >>> Event(1, "Arc::clone", "refcount 1 -> 2", (0xffff888000001000,), Location("<cell>", 2))
    Event(step=1, op='Arc::clone', summary='refcount 1 -> 2', addresses=('0xffff888000001000',), location=<cell> line 2)
    >>> Event(1, "Arc::clone", "refcount 1 -> 2", rust="let b = a.clone();").rust
    'let b = a.clone();'
    """

    step: int
    op: str
    summary: str
    addresses: tuple = ()
    location: Location = Location("<unknown>", 0)
    rust: str = _Rust()     # type: ignore[assignment]  (a str when read)

    def __repr__(self) -> str:
        addrs = tuple(hex(a) for a in self.addresses)
        rust = f", rust={self.rust!r}" if self.rust else ""
        return (f"Event(step={self.step}, op={self.op!r}, summary={self.summary!r}, "
                f"addresses={addrs!r}, location={self.location}{rust})")

    def __str__(self) -> str:
        return f"[{self.step}] {self.op}: {self.summary}"
