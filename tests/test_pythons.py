"""The course on every Python it supports, 3.10 to 3.14 (README, "Pythons").

`make test` runs the whole suite on the machine's Python. This module adds:

* `test_model_suite_and_doctests_pass_on[3.12]`, `[3.13]`, `[3.14]`: the model's test suite,
  its docstring examples included (tests/test_doctests.py), run by pytest inside Pyodide
  (CPython compiled to WebAssembly) under Node.js, one npm `pyodide` release per Python
  (PYODIDE below; the Python each release carries is checked in its `pyodide-lock.json` and
  again at run time). The three runs go concurrently. The first run downloads each release
  (`npm pack`, about 6 MB) and the pure-Python wheels of pytest and hypothesis (`pip
  download`, WHEELS below) into ~/.cache/kernelptr/pyodide (under $XDG_CACHE_HOME if set);
  later runs use only that cache.
* `test_sources_parse_as_python_3_10`: Python 3.10 cannot be installed here, so every
  source file and notebook cell is parsed with the 3.10 grammar and checked for names that
  only exist from 3.11 on.

WHICH TESTS RUN UNDER PYODIDE: every `tests/test_*.py`, except
  1. the files matching HOST_ONLY below: the views (they need graphviz `dot` and Jupyter
     packages), the browser and notebook tests, the packaging check, and this module;
  2. single tests marked `@pytest.mark.host_only`.
So a new model test file runs on every Python with no change here. When a new test cannot
run inside Pyodide (it starts a process or a program, needs a view package, a browser or a
Jupyter kernel), add its file to HOST_ONLY, or mark the test `host_only`; never skip it
there: a test skipped inside Pyodide fails the run.

Node.js 18 or newer (tested with 20) is needed: `make test` installs it (`.ci/ensure-system-deps.sh node`);
without it these tests fail, saying what to install. By hand, one Python, any pytest
arguments (default: the model suite):
    .venv/bin/python tests/test_pythons.py 3.14 -x tests/test_struct.py
"""

import ast
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tests" / "pyodide_pytest.mjs"

#: Python version -> the npm `pyodide` release that carries it.
PYODIDE = {"3.12": "0.27.7", "3.13": "0.29.5", "3.14": "314.0.8"}
#: Pure-Python wheels installed into Pyodide (pytest, hypothesis and all their dependencies).
WHEELS = ("pytest==9.2.0", "pluggy==1.7.0", "iniconfig==2.3.1", "packaging==26.4",
          "pygments==2.21.0", "hypothesis==6.155.7", "sortedcontainers==2.4.0")
#: Test files that never run inside Pyodide (globs from the repository root).
HOST_ONLY = ("tests/test_widgets_*.py", "tests/test_browser*.py", "tests/test_notebooks.py",
             "tests/test_packaging.py", "tests/test_public_docs.py", "tests/test_pythons.py",
             "tests/test_lite.py", "tests/test_rust_blocks.py", "tests/test_site.py")
#: pytest arguments of the model suite: everything but HOST_ONLY and `host_only` tests.
MODEL_SUITE = ("-q", "-m", "not host_only", "tests",
               *(f"--ignore-glob={pattern}" for pattern in HOST_ONLY))
NODE_MIN = 18
TIMEOUT = 900  # seconds for one Python's run: about 30 s on 2 idle cores, 3 min on busy ones


# -- downloads, cached ------------------------------------------------------------------------
def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kernelptr" / "pyodide"


def _run(cmd: list, what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode:
        raise RuntimeError(f"{what} failed ({' '.join(map(str, cmd))}):\n"
                           f"{done.stdout[-2000:]}{done.stderr[-2000:]}")


def _cached(final: Path, fill) -> Path:
    """`final`, made once by `fill(folder)` in a temporary folder renamed into place (two
    runs at once each fill their own; the first rename wins)."""
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{final.name}.part-", dir=final.parent))
    try:
        fill(tmp)
        try:
            tmp.rename(final)
        except OSError:
            if not final.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def pyodide_dist(python: str) -> Path:
    """The unpacked npm `pyodide` release for `python` (checked to carry that Python)."""
    version = PYODIDE[python]

    def fill(folder: Path) -> None:
        _run(["npm", "pack", f"pyodide@{version}", "--pack-destination", str(folder),
              "--silent"], f"downloading pyodide {version} with npm")
        (tarball,) = folder.glob("pyodide-*.tgz")
        with tarfile.open(tarball) as tar:
            tar.extractall(folder, **({"filter": "data"} if hasattr(tarfile, "data_filter")
                                      else {}))
        tarball.unlink()

    dist = _cached(cache_dir() / f"pyodide-{version}", fill) / "package"
    carried = json.loads((dist / "pyodide-lock.json").read_text())["info"]["python"]
    assert carried.startswith(python + "."), \
        f"npm pyodide {version} carries Python {carried}, not {python}: fix PYODIDE"
    return dist


def wheels(python: str) -> Path:
    """The WHEELS for `python`, downloaded once."""
    key = hashlib.sha256(" ".join(WHEELS).encode()).hexdigest()[:10]

    def fill(folder: Path) -> None:
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
              "--only-binary=:all:", "--platform", "any", "--python-version", python,
              "--dest", str(folder), *WHEELS], f"downloading wheels for Python {python}")

    return _cached(cache_dir() / f"wheels-py{python}-{key}", fill)


def node() -> str:
    """The `node` program (18 or newer), or a failure saying how to install it."""
    found = shutil.which("node")
    npm = shutil.which("npm")
    version = ""
    if found:
        version = subprocess.run([found, "--version"], capture_output=True,
                                 text=True).stdout.strip()
    major = int(re.match(r"v(\d+)", version).group(1)) if version.startswith("v") else 0
    if not found or not npm or major < NODE_MIN:
        pytest.fail(f"Node.js {NODE_MIN} or newer, with npm, is needed to run the model on "
                    f"Python {', '.join(PYODIDE)} (found: node {version or 'none'}, npm "
                    f"{'yes' if npm else 'none'}). Run `make test`, which installs it, or "
                    "install it yourself: sudo apt-get install nodejs npm", pytrace=False)
    return found


def start(python: str, args, out: Path, node_exe: str, nice: int = 0) -> subprocess.Popen:
    """Start pytest with `args` inside Pyodide's `python`; its output goes to `out`. With
    `nice`, at that lower CPU priority (it then runs on what the rest leaves idle)."""
    dist, wheel_dir = pyodide_dist(python), wheels(python)
    lower = ["nice", "-n", str(nice)] if nice and shutil.which("nice") else []
    with out.open("wb") as sink:
        return subprocess.Popen([*lower, node_exe, str(RUNNER), str(dist), str(ROOT),
                                 str(wheel_dir), *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=sink, stderr=subprocess.STDOUT)


# -- the model suite on 3.12, 3.13 and 3.14 ----------------------------------------------------
#: The Pyodide runs of this session: Python -> (process, output file, start time). pytest runs
#: in one process, so on 2 cores one core idles through most of the suite: `start_early`
#: (called by conftest.py once the tests are collected) starts the runs then, at a low CPU
#: priority, and the tests below only wait for them.
_RUNS: dict = {}
_FOLDERS: list = []


def _selected(items) -> list:
    """The Pythons whose test below is among `items`."""
    return sorted({item.callspec.params["python"] for item in items
                   if getattr(item, "module", None) is sys.modules[__name__]
                   and "python" in getattr(getattr(item, "callspec", None), "params", {})})


def _start_runs(pythons, nice: int = 0) -> dict:
    node_exe = node()
    if not _FOLDERS:
        _FOLDERS.append(Path(tempfile.mkdtemp(prefix="kernelptr-pyodide-")))
    for python in pythons:
        if python not in _RUNS:
            out = _FOLDERS[0] / f"python{python}.log"
            _RUNS[python] = (start(python, MODEL_SUITE, out, node_exe, nice), out,
                             time.monotonic())
    return _RUNS


def start_early(items) -> None:
    """Start the selected Pythons' runs now, niced; a failure (no node, no network) is left
    for the test itself to report."""
    try:
        _start_runs(_selected(items), nice=10)
    except (Exception, pytest.fail.Exception):   # not KeyboardInterrupt: Ctrl-C still stops
        pass


def stop_runs() -> None:
    """Stop what still runs (a session stopped early) and remove the output files."""
    for proc, _, _ in _RUNS.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _RUNS.clear()
    for folder in _FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)
    _FOLDERS.clear()


@pytest.fixture(scope="module")
def pyodide_runs(request):
    """One Pyodide pytest run per selected Python: those started early, or all at once now."""
    try:
        yield _start_runs(_selected(request.session.items))
    finally:
        stop_runs()


def _counts(output: str) -> dict:
    """pytest's closing counts, e.g. {'passed': 311, 'deselected': 2}."""
    lines = [ln for ln in output.splitlines() if re.search(r"\d+ \w+.* in [\d.]+s", ln)]
    if not lines:
        return {}
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", lines[-1])}


@pytest.mark.parametrize("python", sorted(PYODIDE))
def test_model_suite_and_doctests_pass_on(python, pyodide_runs):
    proc, out, started = pyodide_runs[python]
    try:
        # Started early, a run may have had little CPU until now: give it 5 minutes more.
        proc.wait(timeout=max(300, TIMEOUT - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"the model suite on Python {python} took over {TIMEOUT} s:\n"
                    + out.read_text(errors="replace")[-4000:])
    output = out.read_text(errors="replace")
    tail = "\n".join(output.splitlines()[-60:])
    assert re.search(rf"^python {re.escape(python)}\.\d+$", output, re.M), \
        f"Pyodide {PYODIDE[python]} did not start Python {python}:\n{tail}"
    assert proc.returncode == 0, \
        f"the model suite fails on Python {python} (Pyodide {PYODIDE[python]}, exit " \
        f"{proc.returncode}); rerun: .venv/bin/python tests/test_pythons.py {python}\n{tail}"
    counts = _counts(output)
    assert counts.get("passed", 0) > 0 and not counts.get("skipped"), \
        f"on Python {python} a test was skipped, or none ran ({counts}): run it, or make " \
        f"it host_only (see tests/test_pythons.py)\n{tail}"


# -- Python 3.10: the grammar and the standard library ----------------------------------------
#: Standard-library modules and names that appeared after 3.10 (the ones a course is likely
#: to reach for); importing one is allowed only under a version or TYPE_CHECKING guard.
NEW_MODULES = {"tomllib", "annotationlib", "compression", "wsgiref.types",
               "string.templatelib"}
NEW_NAMES = {
    "typing": {"Self", "LiteralString", "Never", "assert_never", "assert_type", "reveal_type",
               "TypeVarTuple", "Unpack", "Required", "NotRequired", "dataclass_transform",
               "override", "TypeAliasType", "ReadOnly", "TypeIs", "NoDefault"},
    "enum": {"StrEnum", "ReprEnum", "EnumCheck", "FlagBoundary", "verify", "member",
             "nonmember", "global_enum", "EnumDict"},
    "datetime": {"UTC"},
    "itertools": {"batched"},
    "contextlib": {"chdir"},
    "warnings": {"deprecated"},
    "copy": {"replace"},
    "asyncio": {"TaskGroup", "timeout", "Runner", "Barrier"},
}
NEW_BUILTINS = {"ExceptionGroup", "BaseExceptionGroup"}


def _guarded(chain: list) -> bool:
    """Inside `if sys.version_info ...:`, `if TYPE_CHECKING:` or `try: ... except ImportError`."""
    for node in chain:
        if isinstance(node, ast.If) and re.search(r"version_info|TYPE_CHECKING",
                                                   ast.unparse(node.test)):
            return True
        if isinstance(node, ast.Try) and any(
                h.type is not None and re.search(r"ImportError|ModuleNotFoundError",
                                                 ast.unparse(h.type)) for h in node.handlers):
            return True
    return False


def newer_than_3_10(tree: ast.AST) -> list:
    """(line, what) for each construct or standard-library name of Python 3.11+ in `tree`."""
    found = []

    def visit(node, chain):
        line = getattr(node, "lineno", 0)
        if type(node).__name__ in ("TryStar", "TypeAlias") or getattr(node, "type_params", None):
            found.append((line, f"Python 3.11+ syntax ({type(node).__name__})"))
        if not _guarded(chain):
            if isinstance(node, ast.Import):
                found.extend((line, f"import {a.name}") for a in node.names
                             if a.name in NEW_MODULES)
            elif isinstance(node, ast.ImportFrom):
                if node.module in NEW_MODULES:
                    found.append((line, f"from {node.module} import ..."))
                found.extend((line, f"from {node.module} import {a.name}") for a in node.names
                             if a.name in NEW_NAMES.get(node.module, ()))
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.attr in NEW_NAMES.get(node.value.id, ()):
                found.append((line, f"{node.value.id}.{node.attr}"))
            elif isinstance(node, ast.Name) and node.id in NEW_BUILTINS:
                found.append((line, node.id))
        for child in ast.iter_child_nodes(node):
            visit(child, chain + [node])

    visit(tree, [])
    return found


def _notebook_cells():
    """(name, code) of every code cell of the course sources, magics made plain Python."""
    spec = importlib.util.spec_from_file_location("nb_build", ROOT / "lecturers" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for src in sorted((ROOT / "lecturers" / "src").glob("*.py")):
        for i, cell in enumerate(build.parse(src.read_text())):
            if cell["kind"] != "code":
                continue
            lines = cell["source"].splitlines()
            if lines and lines[0].startswith("%%"):   # a cell magic runs the cell's body
                lines = [""] + lines[1:]
            code = "\n".join(re.sub(r"^(\s*)[%!].*", r"\1pass", ln) for ln in lines)
            yield f"{src.relative_to(ROOT)} cell {i}", code


def _sources():
    for folder in ("kernelptr", "widgets", "tests", "lecturers", "lite", "site", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if ".ipynb_checkpoints" in path.parts or path.parent.name == "src":
                continue
            yield str(path.relative_to(ROOT)), path.read_text()
    yield from _notebook_cells()


def test_sources_parse_as_python_3_10():
    sources = list(_sources())
    assert len(sources) > 100
    problems = []
    for name, code in sources:
        try:
            tree = ast.parse(code, filename=name, feature_version=(3, 10))
        except SyntaxError as e:
            problems.append(f"{name} line {e.lineno}: {e.msg}")
            continue
        problems += [f"{name} line {line}: {what}" for line, what in newer_than_3_10(tree)]
    assert not problems, "not Python 3.10 (requires-python = >=3.10):\n" + "\n".join(problems)


@pytest.mark.parametrize("code,what", [
    ("try:\n    pass\nexcept* ValueError:\n    pass\n", "Exception groups"),
    ("from typing import Self\n", "from typing import Self"),
    ("import tomllib\n", "import tomllib"),
    ("raise ExceptionGroup('x', [])\n", "ExceptionGroup"),
    ("import enum\nclass C(enum.StrEnum):\n    pass\n", "enum.StrEnum"),
])
def test_python_3_10_check_rejects_newer_code(code, what):
    try:
        found = [w for _, w in newer_than_3_10(ast.parse(code, feature_version=(3, 10)))]
    except SyntaxError as e:
        found = [e.msg]
    assert any(what in w for w in found), found


def test_python_3_10_check_allows_guarded_imports():
    code = ("import sys\nif sys.version_info >= (3, 11):\n    import tomllib\n"
            "else:\n    import tomli as tomllib\n"
            "try:\n    from typing import Self\nexcept ImportError:\n    Self = None\n")
    assert newer_than_3_10(ast.parse(code, feature_version=(3, 10))) == []


def test_readme_names_the_pyodide_releases_tested():
    readme = (ROOT / "README.md").read_text()
    for python, release in PYODIDE.items():
        named = rf"{re.escape(release)}\s+\((Python )?{re.escape(python)}\.\d+\)"
        assert re.search(named, readme), \
            f"README's Pythons section does not name pyodide {release} for Python {python}"


# -- make: which Python ------------------------------------------------------------------------
def test_make_names_the_python_it_uses():
    done = subprocess.run(["make", "-s", "python-info"], cwd=ROOT, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"Python 3\.\d+\.\d+\S*: \S+/bin/python \(made from \S+\)\n",
                        done.stdout), done.stdout


def test_make_refuses_a_python_older_than_3_10_before_making_a_venv(tmp_path):
    """A Python 3.9 (this Python told to report 3.9.18) gets told what to install."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(
        "import sys\nsys.version_info = (3, 9, 18, 'final', 0)\n"
        "sys.version = '3.9.18 (main, Jan  1 2024, 00:00:00) [GCC 12.2.0]'\n")
    old = tmp_path / "python3.9"
    old.write_text(f"#!/bin/sh\nPYTHONPATH={tmp_path / 'site'} exec {sys.executable} \"$@\"\n")
    old.chmod(0o755)
    done = subprocess.run(["make", "venv", f"PYTHON={old}", f"VENV={tmp_path / 'venv'}"],
                          cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    assert "is Python 3.9.18; kernelptr needs Python 3.10 or newer" in done.stderr
    assert "make PYTHON=python3.11 lab" in done.stderr
    assert not (tmp_path / "venv").exists()


if __name__ == "__main__":
    # .venv/bin/python tests/test_pythons.py 3.14 [pytest args]: one Python, output shown.
    python, args = sys.argv[1], sys.argv[2:] or list(MODEL_SUITE)
    if python not in PYODIDE:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(PYODIDE)}}} [pytest args]")
    runner = [shutil.which("node") or "node", str(RUNNER), str(pyodide_dist(python)), str(ROOT),
              str(wheels(python)), *args]
    sys.exit(subprocess.call(runner, cwd=ROOT))
