"""pyproject.toml (pip) and environment.yml (conda/Binder) must describe the same environment."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # the `test` extra installs tomli on Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

# conda-forge name -> PyPI name, where the two differ.
CONDA_TO_PYPI = {
    "python-graphviz": "graphviz",  # the Python bindings; PyPI calls them `graphviz`
}
# conda packages that are not Python dependencies, so pyproject.toml cannot name them.
CONDA_ONLY = {
    "python",  # checked against requires-python instead
    "pip",
    "graphviz",  # the `dot` program; with pip it comes from apt (.ci/ensure-system-deps.sh)
}

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def _normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(requirement):
    """'ipywidgets >=8 ; marker' -> ('ipywidgets', '>=8'), ignoring any marker."""
    match = _NAME.match(requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    return _normalize(match.group(1)), match.group(2).replace(" ", "")


def parse_environment_yml(text):
    """A line-based reader for the subset of YAML environment.yml uses.

    Returns (top-level conda dependencies, entries of the nested `pip:` list).
    """
    conda, pip = [], []
    in_deps, pip_indent = False, None
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        if indent == 0:
            in_deps, pip_indent = body == "dependencies:", None
            continue
        if not in_deps or not body.startswith("- "):
            continue
        item = body[2:].strip()
        if pip_indent is not None and indent > pip_indent:
            pip.append(item)
        elif item == "pip:":
            pip_indent = indent
        else:
            pip_indent = None
            conda.append(item)
    return conda, pip


def _load():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    conda, pip = parse_environment_yml((ROOT / "environment.yml").read_text())
    return pyproject["project"], conda, pip


def test_parser_reads_nested_pip_list():
    """The tiny YAML reader separates conda entries from the nested pip list."""
    text = "name: x\ndependencies:\n  - a>=1  # c\n  - pip\n  - pip:\n      - -e .\n  - b\n"
    assert parse_environment_yml(text) == (["a>=1", "pip", "b"], ["-e ."])


def test_conda_and_pip_name_the_same_dependencies():
    """Every runtime and `test` dependency in pyproject.toml appears in environment.yml with the
    same version bounds (as a conda package, or in the nested `pip:` list for packages only
    PyPI has), and vice versa, up to the conda/PyPI name mapping above; the conda-only entries
    (python, pip, the graphviz `dot` program) are present too."""
    project, conda, pip = _load()
    pypi = dict(_split(r) for r in project["dependencies"])
    for r in project["optional-dependencies"]["test"]:
        pypi.update([_split(r)])

    conda_deps = {}
    for entry in conda:
        name, spec = _split(entry)
        conda_deps[name] = spec
    missing_conda_only = CONDA_ONLY - conda_deps.keys()
    assert not missing_conda_only, f"environment.yml lacks {sorted(missing_conda_only)}"
    mapped = {
        CONDA_TO_PYPI.get(name, name): spec
        for name, spec in conda_deps.items()
        if name not in CONDA_ONLY
    }
    # Packages only PyPI has are installed by the nested `pip:` list, with the same bounds.
    for entry in pip:
        if not entry.startswith(("-e", ".")):
            name, spec = _split(entry)
            assert name not in mapped, f"{name} is listed twice in environment.yml"
            mapped[name] = spec

    assert sorted(mapped) == sorted(pypi), (
        f"only in environment.yml: {sorted(mapped.keys() - pypi.keys())}; "
        f"only in pyproject.toml: {sorted(pypi.keys() - mapped.keys())}"
    )
    assert mapped == pypi, "version bounds differ between environment.yml and pyproject.toml"


def test_python_versions_agree_and_env_installs_the_project():
    """environment.yml asks for the same Python as requires-python and pip-installs this repo."""
    project, conda, pip = _load()
    python = [e for e in conda if _split(e)[0] == "python"]
    assert len(python) == 1
    assert _split(python[0])[1] == project["requires-python"].replace(" ", "")
    assert any(e in (".", "-e .", "-e.") for e in pip), pip
