"""Measure how long each course notebook takes to run (for the lecturer's guide): every
notebook of notebooks/ executed as in class (nbclient, in notebooks/), three times; prints,
per notebook, the median of its cells' kernel time (execute_input to execute_reply, summed)
and of the whole run with the kernel's start.

    .venv/bin/python lecturers/timings.py [NN ...]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RUNS = 3


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def run_once(path: Path) -> tuple:
    """(seconds in the cells, seconds in all, kernel start included) of one run."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    total = time.perf_counter() - start
    cells = sum(_stamp(c.metadata.execution["shell.execute_reply"]) -
                _stamp(c.metadata.execution["iopub.execute_input"])
                for c in nb.cells if c.cell_type == "code" and "execution" in c.metadata)
    return cells, total


def main(argv: list) -> None:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if argv:
        paths = [p for p in paths if any(p.name.startswith(a) for a in argv)]
    print("| Notebook | cells (kernel time) | whole run, kernel start included |")
    print("|---|---|---|")
    for path in paths:
        runs = [run_once(path) for _ in range(RUNS)]
        cells = statistics.median(r[0] for r in runs)
        total = statistics.median(r[1] for r in runs)
        print(f"| `{path.stem}` | {cells:.1f} s | {total:.1f} s |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
