"""Every fenced Rust block of the course is real Rust: each parses with tree-sitter's Rust grammar.

The blocks checked: every ```` ```rust ```` fence in the markdown cells of the notebook sources
(`lecturers/src/*.py`, where markdown lines start with `# `), of the built notebooks
(`notebooks/*.ipynb`, `lecturers/solutions/*.ipynb`) and of README.md. A syntax error fails
with the file, the cell and the line.

The fence convention (how an author writes Rust in a notebook, also in lecturers/build.py):

- ```` ```rust ```` holds whole items (`struct`, `impl`, `fn`, `use`, macro invocations such
  as `impl_list_item! { ... }`) or statements (`let a = Arc::new(v, GFP_KERNEL)?;`); it is
  parsed as a file of items, else as statements wrapped in a function body.
- ```` ```rust fragment=KIND ```` holds a piece that is neither, wrapped before parsing; KIND
  is one of `expr` (an expression), `type` (a type), `impl-items` (methods or consts of an
  `impl`, e.g. `fn run(this: Arc<Self>) {}`), `trait-items` (a trait method signature ending
  in `;`), `fields` (struct fields), `match-arms`, or `items` / `statements` to force one.
  The marker follows `rust` after a space, so GitHub and JupyterLab still highlight the block
  as Rust.
- Elisions must be Rust too: write `/* ... */` or `todo!()`, never a bare `...`.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

import kernelptr as kp  # noqa: E402
import kernelptr.list.example  # noqa: E402,F401

from rust_scenes import SCENES  # noqa: E402
from rustparse import WRAPPERS, check  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.M | re.S)


def rust_blocks(markdown: str):
    """(line of the fence within `markdown`, fragment kind or None, code) for each ```rust
    block; raises ValueError for a malformed marker."""
    for m in FENCE.finditer(markdown):
        words = m.group("info").split()
        if not words or not words[0].startswith("rust"):
            continue
        if words[0] != "rust":
            raise ValueError(f"fence ```{m.group('info')}: write ```rust, then a space "
                             "before any marker")
        kind = None
        for word in words[1:]:
            key, _, value = word.partition("=")
            if key != "fragment" or value not in WRAPPERS:
                raise ValueError(f"fence ```{m.group('info')}: unknown marker {word!r} "
                                 f"(use fragment=one of {', '.join(WRAPPERS)})")
            kind = value
        line = markdown.count("\n", 0, m.start()) + 1
        yield line, kind, m.group("body")


def _build_module():
    spec = importlib.util.spec_from_file_location("_kp_build", ROOT / "lecturers" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documents():
    """(label, markdown) for every markdown text that may hold Rust blocks."""
    parse = _build_module().parse
    for src in sorted((ROOT / "lecturers" / "src").glob("*.py")):
        cells = parse(src.read_text())
        for i, cell in enumerate(cells):
            if cell["kind"] == "markdown":
                yield f"{src.relative_to(ROOT)} cell {i}", cell["source"]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")) + \
            sorted((ROOT / "lecturers" / "solutions").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            if cell["cell_type"] == "markdown":
                yield f"{nb.relative_to(ROOT)} cell {i}", "".join(cell["source"])
    yield "README.md", (ROOT / "README.md").read_text()


def _all_blocks():
    out = []
    for label, text in _documents():
        try:
            for line, kind, code in rust_blocks(text):
                out.append(pytest.param(label, line, kind, code, id=f"{label} line {line}"))
        except ValueError as error:
            out.append(pytest.param(label, 0, "bad-marker", str(error), id=f"{label} marker"))
    return out


BLOCKS = _all_blocks()


def test_the_course_has_rust_blocks_to_check():
    """The README carries the Rust of its five-line example, so the check checks something."""
    assert any(p.values[0] == "README.md" for p in BLOCKS)


@pytest.mark.parametrize("label, line, kind, code", BLOCKS)
def test_rust_block_parses(label, line, kind, code):
    assert kind != "bad-marker", f"{label}: {code}"
    errors = check(code, kind)
    assert not errors, f"{label}, Rust block at line {line}:\n  " + "\n  ".join(errors)


# -- the checker itself ----------------------------------------------------------------------
def test_checker_rejects_a_real_syntax_error():
    assert check("let a = Arc::new(job, GFP_KERNEL)?;") == []
    errors = check("let a = Arc::new(job, GFP_KERNEL)?\nlet b = a.clone();")
    assert errors and ("line 1" in errors[0] or "line 2" in errors[0])
    assert check("fn f() { let x = ; }")
    assert check("struct Job { n: i64, ")         # MISSING `}` counts


def test_checker_tries_items_then_statements():
    assert check("#[pin_data]\nstruct Job {\n    #[pin]\n    links: ListLinks<0>,\n}") == []
    assert check("q.push_back(la);\ndrop(b);") == []
    assert check("fn run(this: Arc<Self>) {}") == []


def test_fragments_parse_only_as_declared():
    signature = "fn do_work(self: DArc<Self>, thread: &Thread) -> Result<bool>;"
    assert check(signature, "trait-items") == []
    arm = "Some(la) => q.push_back(la),"
    assert check(arm)                              # not an item, not a statement
    assert check(arm, "match-arms") == []
    assert check("ListArc<DTRWrap<dyn DeliverToRead>, 0>", "type") == []
    assert check("a.clone()", "expr") == []
    assert check("fn f(", "impl-items")


def test_fence_markers_are_read_and_bad_ones_refused():
    text = "x\n```rust\nlet a = 1;\n```\n```rust fragment=expr\na + 1\n```\n```python\n1\n```\n"
    assert [(k, c) for _, k, c in rust_blocks(text)] == [(None, "let a = 1;\n"),
                                                         ("expr", "a + 1\n")]
    with pytest.raises(ValueError):
        list(rust_blocks("```rust fragment=nonsense\n1\n```\n"))
    with pytest.raises(ValueError):
        list(rust_blocks("```rust,ignore\n1\n```\n"))


def test_a_broken_block_in_a_notebook_source_is_found_with_its_cell_and_line(tmp_path):
    parse = _build_module().parse
    source = "# %% [md]\n# Intro\n# %%\nx = 1\n# %% [md]\n# ```rust\n# let a = ;\n# ```\n"
    cells = parse(source)
    found = [(i, line, check(code, kind)) for i, cell in enumerate(cells)
             if cell["kind"] == "markdown" for line, kind, code in rust_blocks(cell["source"])]
    assert len(found) == 1
    cell, line, errors = found[0]
    assert (cell, line) == (2, 1) and errors and "line 1" in errors[0]


# -- transcripts and per-step Rust of representative recordings ------------------------------
@pytest.fixture(params=sorted(SCENES))
def scene(request):
    return request.param, SCENES[request.param]()


def test_transcript_of_each_scene_parses(scene):
    name, rec = scene
    text = rec.rust()
    assert not check(text, "items"), f"{name}:\n{text}\n{check(text, 'items')}"
    assert len(text.splitlines()) > 3


def test_every_step_of_each_scene_is_rust(scene):
    """Each event's Rust parses as statements (or, for a temporary folded into the next step,
    as an expression); comment-only steps parse too."""
    name, rec = scene
    for frame in rec.frames:
        text = frame.event.rust
        assert text, f"{name}: {frame.event.op} has no Rust"
        assert not check(text) or not check(text, "expr"), \
            f"{name}: {frame.event.op}: {text!r}: {check(text)}"


def test_readme_rust_block_is_the_transcript_of_its_python_example():
    readme = (ROOT / "README.md").read_text()
    python = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    rust = next(code for _, _, code in rust_blocks(readme))
    code = python.replace("import kernelptr as kp, widgets", "import kernelptr as kp")
    namespace: dict = {}
    exec("\n".join(line for line in code.splitlines() if not line.startswith("widgets.")),
         namespace)
    rec = namespace["rec"]
    assert isinstance(rec, kp.Recording)
    assert rec.rust() == rust
    assert rec.frames[1].event.rust == "let b = a.clone();"


def test_rust_declarations_of_the_model_types_parse():
    from kernelptr import binder
    from rust_scenes import Flush, Job, Task, Wrapper

    for cls in (Job, Task, Wrapper, Flush, binder.DTRWrap, binder.DeliverCode,
                kp.list.example.Job):
        decl = kp.rust_decl(cls)
        assert not check(decl, "items"), f"{cls.__name__}:\n{decl}\n{check(decl, 'items')}"


def test_the_transcript_of_every_notebook_recording_parses(monkeypatch, capsys):
    """Run each notebook source's code cells in-process (pictures switched off), keep every
    `kp.record()` recording, and parse its `rec.rust()`."""
    import warnings

    import widgets

    recordings = []
    original = kp.Recording.__init__

    def keep(self, *args, **kwargs):
        original(self, *args, **kwargs)
        recordings.append(self)

    monkeypatch.setattr(kp.Recording, "__init__", keep)
    monkeypatch.setattr(widgets, "Stepper", lambda *a, **k: None)
    monkeypatch.setattr(widgets, "HeapView", lambda *a, **k: None)
    monkeypatch.chdir(ROOT / "notebooks")
    parse = _build_module().parse
    found = []
    for src in sorted((ROOT / "lecturers" / "src").glob("*.py")):
        namespace = {"__name__": "__main__"}
        for i, cell in enumerate(parse(src.read_text())):
            if cell["kind"] != "code" or cell["source"].lstrip().startswith("%"):
                continue
            code = "\n".join(line for line in cell["source"].splitlines()
                             if not line.lstrip().startswith(("%", "!")))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(code, f"{src.name} cell {i}", "exec"), namespace)
            except Exception:       # cells that demonstrate an error raise on purpose
                pass
        found += [(src.name, rec) for rec in recordings]
        recordings.clear()
    capsys.readouterr()
    assert len(found) >= 10
    for name, rec in found:
        text = rec.rust()
        assert not check(text, "items"), f"{name}:\n{text}\n{check(text, 'items')}"
