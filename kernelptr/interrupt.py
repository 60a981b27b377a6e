"""Pressing Stop (Ctrl-C, `KeyboardInterrupt`) during a model operation: it finishes first.

A model operation changes several pieces of bookkeeping together (a count and the handle
that owns it, an item's links and its list's `first`). Python raises `KeyboardInterrupt`
between any two bytecodes, so a Stop landing in the middle would leave the simulated heap
half-changed, which no kernel state corresponds to. The model therefore defers a Stop that
arrives while its own code runs, like a kernel that disables preemption around an update:
the operation completes, and the `KeyboardInterrupt` is raised as soon as the learner's code
runs again (at its next call or return, or inside a method of theirs the model calls). A
second Stop while one is waiting interrupts at once, so a hung operation can still be
stopped.

This works through Python's SIGINT handler, which is how CPython, IPython and Pyodide
deliver a Stop: `protect()` installs the model's handler in place of Python's default one
(it does nothing in other threads, under a profiler, or where another handler was set). The
kernel has nothing like it; it is the course's promise that the pictures never show a state
half-way through one operation.
"""

from __future__ import annotations

import os
import signal
import sys
import sysconfig

from .events import _MODEL_DIRS

__all__ = ["protect", "pending"]

def _folder(path: str) -> str:
    """`path` as a folder prefix (POSIX keeps a leading `//`, as Pyodide's sysconfig has)."""
    path = os.path.normpath(path)
    return os.path.join("/" + path.lstrip("/") if path.startswith("//") else path, "")


#: The standard library (zipped in Pyodide) and installed packages.
_LIBRARY_DIRS = tuple(sorted({_folder(p) for p in (
    *(sysconfig.get_paths().get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")),
    sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.__file__),
    *(p for p in sys.path if p.endswith((".zip", "site-packages", "lib-dynload"))))
    if p and _folder(p) != os.sep}))
_MODEL_MODULES = ("kernelptr", "widgets")
_GENERATED = ("<string>", "<frozen", "<widgets>")    # dataclass methods, import machinery
_state = {"pending": False, "previous": None}


def _kind(frame) -> str:
    """`model`, `library` (stdlib, site-packages, generated code) or `learner`."""
    path = frame.f_code.co_filename
    if path.startswith(_MODEL_DIRS) or path == "<widgets>":
        return "model"
    module = frame.f_globals.get("__name__") or ""
    if module.split(".", 1)[0] in _MODEL_MODULES:
        return "model"
    if path.startswith(_LIBRARY_DIRS) or path.startswith(_GENERATED):
        return "library"
    return "learner"


def _inside_model(frame) -> bool:
    """Whether `frame` runs on behalf of the model: the first frame outwards that is not
    library code belongs to the model (not to the learner)."""
    while frame is not None:
        kind = _kind(frame)
        if kind != "library":
            return kind == "model"
        frame = frame.f_back
    return False


def pending() -> bool:
    """True while a Stop waits for the current model operation to finish."""
    return _state["pending"]


def _on_sigint(signum, frame):
    waiting = _state["pending"] and sys.getprofile() is _deliver
    if waiting or frame is None or sys.getprofile() is not None or not _inside_model(frame):
        if waiting:         # a second Stop: interrupt now
            sys.setprofile(None)
        _state["pending"] = False
        previous = _state["previous"]
        if callable(previous) and previous is not _on_sigint:
            return previous(signum, frame)
        raise KeyboardInterrupt
    # INVARIANT: a deferred Stop is always delivered: `_deliver` watches calls and returns
    # until the learner's own code runs again.
    _state["pending"] = True
    sys.setprofile(_deliver)


def _deliver(frame, event, arg):
    """The profile function while a Stop waits: raise it as soon as the learner's own code
    runs (never in library code, which may be a garbage-collector callback), and never where
    it would lose a result being returned: that waits for the next call."""
    kind = _kind(frame)
    if kind == "learner":
        if event == "return" and arg is not None:
            return
    elif kind == "library" or frame.f_code.co_name == "__del__" or frame.f_back is None \
            or _kind(frame.f_back) != "learner":
        return      # library code, a finalizer, or the model called by the model
    elif event == "return":
        # The model returning straight to the learner: only if nothing is lost.
        if arg is not None or frame.f_code.co_name == "__init__":
            return
    elif event != "call":
        return          # a C call made by the model's own outermost frame
    sys.setprofile(None)
    _state["pending"] = False
    raise KeyboardInterrupt("stopped after the model operation finished (the simulated "
                            "heap is never left half-changed)")


def protect() -> None:
    """Install the model's SIGINT handler if Python's default one is in place (IPython puts
    the default back before every cell); cheap enough to call at every operation."""
    try:
        if _getsignal(_SIGINT) is not signal.default_int_handler:
            return
        _state["previous"] = signal.signal(signal.SIGINT, _on_sigint)
    except (ValueError, OSError, AttributeError, RuntimeError):
        pass    # not the main thread, or a platform without signals: Python's own behaviour


try:        # the C function: `signal.getsignal` converts ints to enums, slowly
    from _signal import getsignal as _getsignal
except ImportError:  # pragma: no cover - another Python implementation
    _getsignal = signal.getsignal
_SIGINT = int(signal.SIGINT)
