"""Graphviz compiled to WebAssembly, for the browser's Python (JupyterLite / Pyodide).

The kernel runs in a Web Worker with no programs to start: the vendored ES module
`vendor/hpcc-wasm-graphviz.js` (npm `@hpcc-js/wasm-graphviz`, Graphviz 16.1.0 inside, its
licence beside it) is imported from a Blob URL and instantiated once. Layout is then synchronous.
Loading is asynchronous: Chromium-based browsers (JSPI) block on it the first time a picture is
drawn; elsewhere `await widgets.ready()` must run first (the error says so).
"""

from __future__ import annotations

from importlib import resources

import kernelptr as kp

__all__ = ["load", "layout", "version", "NotReady"]

_MODULE = "vendor/hpcc-wasm-graphviz.js"
_GV = None


class NotReady(kp.KernelPtrError):
    """This browser cannot wait for the WebAssembly Graphviz in the middle of a cell (no JSPI
    for `pyodide.ffi.run_sync`): `await widgets.ready()` first.

    >>> print(NotReady.make().fix)
    run `await widgets.ready()` once in a cell of its own, then run this cell again
    """

    @classmethod
    def make(cls) -> "NotReady":
        return cls("cannot draw the heap yet: the browser's Graphviz is still loading",
                   rule="this browser cannot pause Python while JavaScript loads (no JSPI; "
                        "Chromium-based browsers can)",
                   fix="run `await widgets.ready()` once in a cell of its own, then run this "
                       "cell again")


async def load():
    """Instantiate the WebAssembly Graphviz once (about 0.2 s); later calls return at once."""
    global _GV
    if _GV is None:
        import js
        from pyodide.code import run_js
        from pyodide.ffi import to_js

        text = resources.files(__package__).joinpath(_MODULE).read_text(encoding="utf-8")
        blob = js.Blob.new(to_js([text]), to_js({"type": "text/javascript"},
                                                dict_converter=js.Object.fromEntries))
        url = js.URL.createObjectURL(blob)
        try:
            module = await run_js(f"import({url!r})")
        finally:
            js.URL.revokeObjectURL(url)
        _GV = await module.Graphviz.load()
    return _GV


def _graphviz():
    if _GV is None:
        from pyodide.ffi import can_run_sync, run_sync

        if not can_run_sync():
            raise NotReady.make()
        run_sync(load())
    return _GV


def version() -> str:
    """The Graphviz version inside the WebAssembly module (16.1.0)."""
    return _graphviz().version()


def layout(source: str, fmt: str, engine: str, pinned: bool) -> str:
    """`dot -K{engine} -T{fmt}` (plus `-n2` when `pinned`) on `source`, as text."""
    gv = _graphviz()
    if not pinned:
        return gv.layout(source, fmt, engine)
    import js
    from pyodide.ffi import to_js

    options = to_js({"nop": 2}, dict_converter=js.Object.fromEntries)
    return gv.layout(source, fmt, engine, options)
