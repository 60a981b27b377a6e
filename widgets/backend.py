"""Which Graphviz lays the pictures out, and running it: `run` is the only way widgets call it.

One Graphviz everywhere: Graphviz 16.1, as `graphviz-pure` (a pip dependency: a self-contained
program with no system libraries) on a desktop, and the same Graphviz compiled to WebAssembly
(`widgets/vendor/`, the npm package `@hpcc-js/wasm-graphviz`) in the browser's Python
(JupyterLite / Pyodide). Both give the same node positions, so the pictures stored in the
notebooks are the ones a student sees in the browser. A system `dot` is used when graphviz-pure
is missing, and `KERNELPTR_GRAPHVIZ=program` picks a program (a name on PATH, or a path).

A program that fails, crashes, hangs or prints something that is not a picture raises a
`DotFailed` naming the command and what it printed; nothing of it is kept.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig

import kernelptr as kp

__all__ = ["run", "describe", "ready", "DotNotFound", "DotFailed", "DotTimeout", "NeedsDesktop",
           "TIMEOUT", "IN_BROWSER"]

#: Seconds a Graphviz program may take for one picture before it is stopped (the largest course
#: picture takes well under a second; a 1,000-node list about one second).
TIMEOUT = 60.0

IN_BROWSER = sys.platform == "emscripten"
ENV = "KERNELPTR_GRAPHVIZ"
_PURE = "graphviz-pure"
_SHOWN = 600                # characters of a program's output quoted in an error


class DotNotFound(kp.KernelPtrError):
    """No Graphviz program (`graphviz-pure` or `dot`) is installed, so no picture can be drawn.

    >>> print(DotNotFound.make("dot"))  # doctest: +NORMALIZE_WHITESPACE
    cannot draw the heap: the graphviz program `dot` was not found on PATH
      rule: widgets turn snapshots into pictures by running Graphviz (a separate program,
            not a Python module)
      fix:  pip install graphviz-pure   (or: sudo apt-get install graphviz; conda install -c
            conda-forge graphviz; brew install graphviz)
    """

    @classmethod
    def make(cls, program: str) -> "DotNotFound":
        return cls(f"cannot draw the heap: the graphviz program `{program}` was not found on PATH",
                   rule="widgets turn snapshots into pictures by running Graphviz "
                        "(a separate program, not a Python module)",
                   fix="pip install graphviz-pure   (or: sudo apt-get install graphviz; conda "
                       "install -c conda-forge graphviz; brew install graphviz)")


class DotFailed(kp.KernelPtrError):
    """The Graphviz program (`dot`) failed, crashed or printed something that is not a picture.

    `command` is what was run and `output` what it printed (shortened).

    >>> print(DotFailed.make(["dot", "-Tsvg"], "exited with status 1", "syntax error in line 1"))
    cannot draw the heap: `dot -Tsvg` exited with status 1; it printed:
        syntax error in line 1
      rule: a picture is drawn only from a complete, well-formed Graphviz output
      fix:  check the Graphviz installation (`dot -V`), or pip install graphviz-pure and unset KERNELPTR_GRAPHVIZ
    """

    command: tuple = ()
    output: str = ""

    @classmethod
    def make(cls, command, what: str, output) -> "DotFailed":
        shown = _shorten(output)
        err = cls(f"cannot draw the heap: `{' '.join(command)}` {what}; "
                  + (f"it printed:\n    {shown}" if shown.strip() else "it printed nothing"),
                  rule="a picture is drawn only from a complete, well-formed Graphviz output",
                  fix="check the Graphviz installation (`dot -V`), or pip install graphviz-pure "
                      f"and unset {ENV}")
        err.command, err.output = tuple(command), shown
        return err


class DotTimeout(DotFailed):
    """The Graphviz program ran longer than `TIMEOUT` seconds and was stopped (a `DotFailed`).

    >>> issubclass(DotTimeout, DotFailed)
    True
    """


class NeedsDesktop(kp.KernelPtrError):
    """An export that the browser's Python cannot make (PNG and GIF need the desktop install,
    with Graphviz's `-Tpng` and Pillow).

    >>> print(NeedsDesktop.make("PNG"))  # doctest: +NORMALIZE_WHITESPACE
    PNG export needs the desktop install: the browser's Graphviz draws SVG only
      rule: in the browser (JupyterLite) pictures are SVG; raster images need Graphviz's
            PNG renderer and Pillow
      fix:  use stepper.save_svgs(folder) or stepper.to_html(path) here, or run the course
            on a desktop (make lab)
    """

    @classmethod
    def make(cls, what: str) -> "NeedsDesktop":
        return cls(f"{what} export needs the desktop install: "
                   "the browser's Graphviz draws SVG only",
                   rule="in the browser (JupyterLite) pictures are SVG; raster images need "
                        "Graphviz's PNG renderer and Pillow",
                   fix="use stepper.save_svgs(folder) or stepper.to_html(path) here, or run the "
                       "course on a desktop (make lab)")


def _shorten(output) -> str:
    if isinstance(output, bytes):
        output = output.decode("utf-8", "replace")
    text = "".join(c if c.isprintable() or c == "\n" else "\ufffd" for c in output).strip()
    if len(text) > _SHOWN:
        text = text[:_SHOWN] + f"... ({len(text) - _SHOWN} more characters)"
    return text.replace("\n", "\n    ")


# -- which program --------------------------------------------------------------------------

def _program() -> tuple:
    """(path, estimates_text) of the Graphviz program to run, or raise DotNotFound."""
    wanted = os.environ.get(ENV, "").strip()
    if wanted:
        found = shutil.which(wanted)
        if found is None:
            raise DotNotFound.make(wanted)
        return found, os.path.basename(found).startswith(_PURE)
    scripts = sysconfig.get_path("scripts")
    for name in (_PURE, "dot"):
        found = (name == _PURE and shutil.which(name, path=scripts)) or shutil.which(name)
        if found:
            return found, name == _PURE
    raise DotNotFound.make("dot")


def describe() -> str:
    """Which Graphviz draws the pictures here, e.g. `graphviz-pure ... (Graphviz 16.1.0)`."""
    if IN_BROWSER:
        from . import wasm

        return f"Graphviz {wasm.version()} (WebAssembly, in the browser)"
    program, _ = _program()
    out = subprocess.run([program, "-V"], capture_output=True, timeout=TIMEOUT)
    return (out.stdout + out.stderr).decode("utf-8", "replace").strip()


async def ready(plots: bool = False) -> None:
    """Make the pictures drawable: in the browser, load the WebAssembly Graphviz, and with
    `plots=True` matplotlib too (needed once per kernel in browsers without JSPI, such as
    Firefox and Safari: `await widgets.ready()`); on a desktop there is nothing to wait for."""
    if IN_BROWSER:
        from . import lite, wasm

        await wasm.load()
        if plots:
            problem = await lite.load_matplotlib()
            if problem:
                print(problem)


# -- running it -----------------------------------------------------------------------------

_FONT_LIST = re.compile(r'fontname="([^",]+),([^"]*)"')


def _single_fonts(source: str) -> tuple:
    """Graphviz 16.1 without a font library measures text with built-in metrics of a few named
    fonts and treats a CSS-like list (`Helvetica,Arial,sans-serif`) as Times, which is narrower,
    so labels overflow their boxes in the browser. Lay out with the first font of each list;
    `_restore_fonts` puts the whole list back into the SVG for the browser to choose from."""
    lists = {m.group(1): f"{m.group(1)},{m.group(2)}" for m in _FONT_LIST.finditer(source)}
    return _FONT_LIST.sub(r'fontname="\1"', source), lists


def _restore_fonts(svg: str, lists: dict) -> str:
    for first, full in lists.items():     # Graphviz writes e.g. "Helvetica,sans-Serif"
        svg = re.sub(f'font-family="{re.escape(first)}(?:,[^"]*)?"', f'font-family="{full}"', svg)
    return svg


def _check(command, fmt: str, out: bytes):
    """`out` decoded if it is a whole picture of format `fmt`, else DotFailed (never cached)."""
    if fmt == "png":
        if out.startswith(b"\x89PNG\r\n\x1a\n") and out.rstrip().endswith(b"IEND\xaeB`\x82"):
            return out
        raise DotFailed.make(command, "printed something that is not a whole PNG image", out)
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        raise DotFailed.make(command, "printed something that is not UTF-8 text", out) from None
    if fmt == "svg":
        body = text.rstrip()
        if "<svg" in body and body.endswith("</svg>"):
            return text
        raise DotFailed.make(command, "printed something that is not a whole SVG picture", out)
    if fmt.startswith("json"):
        try:
            if isinstance(json.loads(text), dict):
                return text
        except ValueError:
            pass
        raise DotFailed.make(command, "printed something that is not a Graphviz JSON layout", out)
    if text.strip():
        return text
    raise DotFailed.make(command, "printed nothing", out)


def _kill(proc) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)     # a wrapper script's children too
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _run_program(source: str, fmt: str, engine: str, pinned: bool):
    program, estimates = _program()
    lists = {}
    if estimates:
        source, lists = _single_fonts(source)
    command = [program, f"-K{engine}", f"-T{fmt}"] + (["-n2"] if pinned else [])
    shown = [os.path.basename(program)] + command[1:]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=os.name == "posix")
    try:
        out, err = proc.communicate(source.encode("utf-8"), timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, err = proc.communicate()
        raise DotTimeout.make(shown, f"did not finish within {TIMEOUT:g} s and was stopped",
                              err + out) from None
    except BaseException:                           # e.g. the learner pressed stop
        _kill(proc)
        proc.wait()
        raise
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        raise DotFailed.make(shown, f"crashed ({name})", err + out)
    if proc.returncode != 0:
        raise DotFailed.make(shown, f"exited with status {proc.returncode}", err + out)
    picture = _check(shown, fmt, out)
    return _restore_fonts(picture, lists) if fmt == "svg" and lists else picture


def run(source: str, fmt: str = "svg", engine: str = "dot", pinned: bool = False):
    """Lay out DOT `source` with `engine` and draw it as `fmt` (SVG and JSON as text, PNG as
    bytes); `pinned=True` keeps every node's `pos` (`neato -n2`). Every picture widgets draw
    comes through here (`render.render` caches the results)."""
    if not IN_BROWSER:
        return _run_program(source, fmt, engine, pinned)
    from . import wasm

    if fmt not in ("svg", "json", "json0", "dot", "xdot", "plain"):
        raise NeedsDesktop.make(fmt.upper())
    source, lists = _single_fonts(source)
    command = ["graphviz-wasm", f"-K{engine}", f"-T{fmt}"] + (["-n2"] if pinned else [])
    try:
        text = wasm.layout(source, fmt, engine, pinned)
    except Exception as exc:                        # a JsException from Graphviz
        raise DotFailed.make(command, "failed", str(exc)) from None
    picture = _check(command, fmt, text.encode("utf-8"))
    return _restore_fonts(picture, lists) if fmt == "svg" else picture
