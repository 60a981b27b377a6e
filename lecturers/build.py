"""Build the course notebooks from their sources in `lecturers/src/` (for authors and lecturers).

The students' folder, `notebooks/`, gets the course only; the solutions go to
`lecturers/solutions/`, out of the students' way (both are executed in `notebooks/`, so they
behave the same). Each `src/NN_name.py` is a script in "percent" format: `# %%` starts a code cell, `# %% [md]`
a markdown cell. Words after the marker set the cell's slide type (`slide`, `subslide`,
`fragment`, `skip`, `notes`) and its role: `exercise` (the learner's starter code) or
`solution` (replaces the exercise before it in `lecturers/solutions/NN_name.ipynb`). The notebooks are
executed so that nbval has outputs to compare, and cleaned: sequential execution counts, no
widget state, no timing metadata.

    .venv/bin/python lecturers/build.py            # every notebook
    .venv/bin/python lecturers/build.py 01 03      # only those
    .venv/bin/python lecturers/build.py --solutions    # only the solutions (`make solutions`)

Kernel Rust in a markdown cell is a fenced block whose info string starts with `rust`, so
GitHub and JupyterLab highlight it; `tests/test_rust_blocks.py` parses every such block (of
the sources, the built notebooks and README.md) with a real Rust parser:

    # ```rust
    # let a = Arc::new(Job { n: 1 }, GFP_KERNEL)?;   <- items or statements: as they are
    # ```
    # ```rust fragment=trait-items
    # fn run(this: Arc<Self>);                      <- anything else: say what it is
    # ```

A plain ```` ```rust ```` block holds items (`struct`, `impl`, `fn`, macro invocations such as
`impl_list_item! { ... }`) or statements. Other pieces name their kind after a space:
`fragment=expr`, `type`, `impl-items`, `trait-items`, `fields` or `match-arms`. Elide with
`/* ... */` or `todo!()`, never a bare `...`. `kp.rust_decl(T)` writes a struct's declaration
and its macros; `rec.rust()` writes a recording as one function.
"""

from __future__ import annotations

import pathlib
import re
import sys

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
NOTEBOOKS = ROOT / "notebooks"      # what students open
SOLUTIONS = HERE / "solutions"      # for lecturers, tested by nbval like the course
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes"}
MARKER = re.compile(r"^# %%(?P<md> \[md\])?(?P<words>(?: [\w-]+)*)\s*$")


def parse(text: str) -> list[dict]:
    """Split a percent-format source into cells: {kind, source, slide, role, tags}."""
    cells: list[dict] = []
    for line in text.splitlines():
        m = MARKER.match(line)
        if m:
            words = m.group("words").split()
            cells.append({
                "kind": "markdown" if m.group("md") else "code",
                "lines": [],
                "slide": next((w for w in words if w in SLIDE_TYPES), "-"),
                "role": next((w for w in words if w in ("exercise", "solution", "check")), ""),
                "tags": [w for w in words if w.startswith(("raises", "nbval"))],
            })
        elif cells:
            cells[-1]["lines"].append(line)
    for cell in cells:
        lines = cell.pop("lines")
        while lines and not lines[-1].strip():
            lines.pop()
        if cell["kind"] == "markdown":
            lines = [ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines]
        cell["source"] = "\n".join(lines)
    return cells


def to_notebook(cells: list[dict], *, solutions: bool) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    kept = []
    for cell in cells:
        if cell["role"] == "solution":
            if solutions:
                kept[-1] = dict(cell, role="exercise")   # replaces the starter code
            continue
        kept.append(cell)
    for cell in kept:
        # A cell that continues its slide carries no slideshow metadata: that is what
        # nbconvert, RISE and reveal.js read as "-", and the only form JupyterLab's deck
        # mode (jupyterlab-slideshow) shows: it hides a cell whose slide_type is "-".
        meta = {"slideshow": {"slide_type": cell["slide"]}} if cell["slide"] != "-" else {}
        tags = list(cell["tags"]) + ([cell["role"]] if cell["role"] else [])
        if tags:
            meta["tags"] = tags
        new = nbformat.v4.new_markdown_cell if cell["kind"] == "markdown" else \
            nbformat.v4.new_code_cell
        nb.cells.append(new(cell["source"], metadata=meta))
    return nb


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop what changes from run to run and is not compared: widget state, timings, ids."""
    nb.metadata.pop("widgets", None)
    count = 0
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = count
                out.get("metadata", {}).clear() if out.get("output_type") != "stream" else None


def build(src: pathlib.Path, *, solutions: bool) -> pathlib.Path:
    nb = to_notebook(parse(src.read_text()), solutions=solutions)
    target = (SOLUTIONS if solutions else NOTEBOOKS) / (src.stem + ".ipynb")
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    clean(nb)
    nbformat.write(nb, target)
    return target


def main(argv: list[str]) -> None:
    only_solutions = "--solutions" in argv
    argv = [a for a in argv if a != "--solutions"]
    sources = sorted((HERE / "src").glob("*.py"))
    if argv:
        sources = [s for s in sources if any(s.name.startswith(a) for a in argv)]
    for src in sources:
        for solutions in ((True,) if only_solutions else (False, True)):
            if solutions and "# %% solution" not in src.read_text() and \
                    not re.search(r"^# %%.* solution", src.read_text(), re.M):
                continue
            print("built", build(src, solutions=solutions).relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
