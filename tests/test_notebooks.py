"""The course notebooks as documents: built from their sources, clean, structured for
learners (objectives, exercises each followed by a self-check, a summary) and for lecturers
(slide metadata, solutions). nbval runs them; this checks what nbval cannot."""

import importlib.util
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NB = ROOT / "notebooks"
LECTURERS = ROOT / "lecturers"
SOLUTIONS = LECTURERS / "solutions"
SOURCES = sorted((LECTURERS / "src").glob("*.py"))
EXPECTED = ["00_start_here", "01_arc_and_refcount_t", "02_arcborrow_and_uniquearc",
            "03_intrusive_lists", "04_listarc", "05_dynamic_dispatch", "06_c_vtables",
            "07_case_study_todo_list"]

spec = importlib.util.spec_from_file_location("nb_build", LECTURERS / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def load(path):
    """A notebook as JSON, each cell's source and outputs' text joined into one string."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        cell["source"] = "".join(cell["source"])
        for out in cell.get("outputs", []):
            if isinstance(out.get("text"), list):
                out["text"] = "".join(out["text"])
    return nb


def slide_type(cell) -> str:
    """The cell's slide type; "-" (continues the slide) when it has none."""
    return cell["metadata"].get("slideshow", {}).get("slide_type", "-")


def shown(cell) -> str:
    """What a code cell shows as text: its printed output and its result's text/plain."""
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", ""))
        plain = out.get("data", {}).get("text/plain", "")
        parts.append("".join(plain) if isinstance(plain, list) else plain)
    return "".join(parts)


def test_the_course_has_its_eight_notebooks_and_their_solutions():
    assert [s.stem for s in SOURCES] == EXPECTED
    for name in EXPECTED:
        assert (NB / f"{name}.ipynb").exists() and (SOLUTIONS / f"{name}.ipynb").exists()


@pytest.mark.parametrize("name", EXPECTED)
@pytest.mark.parametrize("solutions", [False, True])
def test_notebook_matches_its_source(name, solutions):
    """A notebook is exactly what lecturers/build.py makes of its source (no drift)."""
    cells = build.to_notebook(build.parse((LECTURERS / "src" / f"{name}.py").read_text()),
                              solutions=solutions).cells
    path = (SOLUTIONS if solutions else NB) / f"{name}.ipynb"
    assert [c["source"] for c in load(path)["cells"]] == [c.source for c in cells], \
        f"{path} is stale: run .venv/bin/python lecturers/build.py {name[:2]}"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_clean_and_executed(name):
    for path in (NB / f"{name}.ipynb", SOLUTIONS / f"{name}.ipynb"):
        nb = load(path)
        assert "widgets" not in nb["metadata"], "widget state saved in the notebook"
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
        for c in nb["cells"]:
            assert "execution" not in c["metadata"]
            assert slide_type(c) in build.SLIDE_TYPES | {"-"}
            # JupyterLab's deck mode hides a cell marked "-": such cells carry no metadata.
            assert c["metadata"].get("slideshow", {}).get("slide_type") != "-"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_structured_for_learners(name):
    cells = load(NB / f"{name}.ipynb")["cells"]
    first = cells[0]["source"]
    assert first.startswith("# ") and "You will learn" in first
    assert slide_type(cells[0]) == "slide"
    content = [c for c in cells if slide_type(c) != "notes"]
    assert "Summary" in content[-1]["source"], "the last slide is the summary (its speaker " \
        "notes may follow it)"
    tags = [c["metadata"].get("tags", []) for c in cells]
    exercises = [i for i, t in enumerate(tags) if "exercise" in t]
    assert len(exercises) >= 2, "at least two exercises"
    for i in exercises:
        assert "check" in tags[i + 1], f"exercise cell {i} is not followed by a self-check"
        out = shown(cells[i + 1])
        assert out.startswith("💡 Not yet"), "an unsolved exercise must show a hint"
    solved = load(SOLUTIONS / f"{name}.ipynb")["cells"]
    for c in solved:
        if "check" in c["metadata"].get("tags", []):
            out = shown(c)
            assert out.startswith("✅ Correct!"), f"a solution fails its check: {out}"


@pytest.mark.parametrize("name", EXPECTED)
def test_every_slide_has_speaker_notes_before_the_next_slide(name):
    """Each `slide` cell is followed, before the next `slide`, by a notes cell in the
    course's form (what to say, ask and show), which the decks show in the speaker view."""
    cells = load(NB / f"{name}.ipynb")["cells"]
    starts = [i for i, c in enumerate(cells) if slide_type(c) == "slide"]
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(cells)
        notes = [c["source"] for c in cells[i + 1:end] if slide_type(c) == "notes"]
        heading = cells[i]["source"].splitlines()[0]
        assert notes, f"{name}: the slide {heading!r} has no speaker notes"
        assert any(re.search(r"\b(Say|Ask|Show)\b", n) for n in notes), \
            f"{name}: {heading!r}: its notes neither say, ask nor show anything"
