"""The plots in the browser's Python (JupyterLite / Pyodide), where matplotlib is not preloaded.

The course site ships everything the pictures need, but not matplotlib (about 20 MB, published
only on Pyodide's CDN). A plot loads it from there when the browser is online and otherwise
prints one line saying why there is no plot; it never raises.
"""

from __future__ import annotations

__all__ = ["plot_refcounts", "plot_ownership", "plot_layout", "plot_op_cost", "load_matplotlib",
           "OFFLINE", "NO_JSPI"]

OFFLINE = ("(no plot: plots need matplotlib, which the browser downloads when it is online, and "
           "this browser is offline; reconnect and run the cell again, or use the desktop install)")
NO_JSPI = ("(no plot yet: this browser cannot load matplotlib in the middle of a cell; run "
           "`await widgets.ready(plots=True)` in a cell of its own, then this cell again)")
FAILED = ("(no plot: matplotlib could not be downloaded from Pyodide's CDN; check the "
          "connection and run the cell again, or use the desktop install)")


def _importable() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


async def load_matplotlib() -> str:
    """Download matplotlib (from Pyodide's CDN, as the site's package lock says) unless it is
    there already; returns "" when it is importable, else the line saying why not."""
    if _importable():
        return ""
    import js

    if not js.navigator.onLine:
        return OFFLINE
    import pyodide_js

    try:
        await pyodide_js.loadPackage("matplotlib")
    except Exception:                               # a network or integrity failure
        return FAILED
    return "" if _importable() else FAILED


def _with_matplotlib(name: str):
    def plot(*args, **kwargs):
        if not _importable():
            from pyodide.ffi import can_run_sync, run_sync

            problem = run_sync(load_matplotlib()) if can_run_sync() else NO_JSPI
            if problem:
                print(problem)
                return None
        from . import plots

        return getattr(plots, name)(*args, **kwargs)

    plot.__name__ = plot.__qualname__ = name
    plot.__doc__ = (f"`widgets.plots.{name}`, after loading matplotlib in the browser (prints one "
                    "line and returns None when it cannot be loaded).")
    return plot


plot_refcounts = _with_matplotlib("plot_refcounts")
plot_ownership = _with_matplotlib("plot_ownership")
plot_layout = _with_matplotlib("plot_layout")
plot_op_cost = _with_matplotlib("plot_op_cost")
