"""Build the course as a static site (`make site`): build/site/, plain files that open from
disk (file://) or from any static web host, with nothing fetched from anywhere else.

    build/site/index.html               every notebook: its page and its slides
    build/site/NN_name.html             a notebook as one page
    build/site/slides/NN_name.html      the same notebook as reveal.js slides (S: speaker notes)
    build/site/lecturers.html           the lecturer's guide (lecturers/README.md)
    build/site/assets/, vendor/         the pages' script and style, reveal.js

The notebooks of notebooks/ are executed again (nbclient, in notebooks/ as in class), with
one addition in the kernel: every Stepper, and the picture of a failed self-check, also
carries its frames as HTML (`widgets.filmstrip.frames_html`), so that each recording on the
site steps with its buttons and arrow keys (the stored notebooks keep no widget state to
replay). Needs no network: reveal.js is vendored in site/vendor/.

    .venv/bin/python site/build.py             # every notebook
    .venv/bin/python site/build.py 00 04       # only those (the index lists only them)
    .venv/bin/python site/build.py --out DIR
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOTEBOOKS = ROOT / "notebooks"
GUIDE = ROOT / "lecturers" / "README.md"
OUT = ROOT / "build" / "site"

sys.path.insert(0, str(HERE))
import pages  # noqa: E402  (site/pages.py, beside this script)

# Run first in the site's kernel (then removed from the notebook): Steppers, step quizzes
# (their questions listed above the frames: predict, then step) and failed checks' pictures
# also display their frames as HTML, under `pages.MIME_STEPS`.
KERNEL_HOOK = f'''
def _kernelptr_site():
    from IPython import get_ipython
    from kernelptr.course.verdict import Verdict
    from widgets import filmstrip, quiz
    from widgets.stepper import Stepper

    def steps(stepper, start, before=""):
        return {{"html": filmstrip.frames_html(stepper), "n": len(stepper), "start": start,
                 "before": before}}

    def stepper_bundle(stepper):
        bundle = dict(stepper._repr_mimebundle_())
        bundle[{pages.MIME_STEPS!r}] = steps(stepper, stepper.index)
        return bundle, {{}}

    def verdict_bundle(verdict):
        bundle, meta = quiz._verdict_bundle(verdict)
        if not verdict.passed and verdict.recording is not None:
            view = quiz._views[-1]
            bundle = dict(bundle)
            bundle[{pages.MIME_STEPS!r}] = steps(view.stepper, verdict.wrong_step,
                                                view._hint_html())
        return bundle, meta

    def quiz_bundle(step_quiz):
        bundle = dict(step_quiz._repr_mimebundle_())
        asked = "".join(
            f"<li>before step {{g + 1}}, {{quiz._inline(step_quiz._next_line(g))}}: what is "
            f"{{quiz._inline(q.describe())}}?</li>" for g, q in step_quiz.questions.items())
        before = ("<p><b>Predict, then step:</b> answer each question before you step "
                  f"past it.</p><ol>{{asked}}</ol>")
        bundle[{pages.MIME_STEPS!r}] = steps(step_quiz.stepper, 0, before)
        return bundle, {{}}

    formatter = get_ipython().display_formatter.mimebundle_formatter
    formatter.for_type(Stepper, stepper_bundle)
    formatter.for_type(quiz.StepQuiz, quiz_bundle)
    formatter.for_type(Verdict, verdict_bundle)


_kernelptr_site()
del _kernelptr_site
'''


def say(*args) -> None:
    print("site:", *args, flush=True)


def execute(path: Path) -> tuple:
    """The notebook at `path`, executed in notebooks/ with the site's kernel hook; and the
    seconds it took (kernel start included)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(KERNEL_HOOK))
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    seconds = time.perf_counter() - start
    del nb.cells[0]
    return nb, seconds


def copy_static(out: Path) -> None:
    (out / "assets").mkdir(parents=True, exist_ok=True)
    for name in ("steps.js", "site.css"):
        shutil.copy(HERE / "assets" / name, out / "assets" / name)
    with open(out / "assets" / "site.css", "a", encoding="utf-8") as css:
        css.write("\n/* Highlighted code (pygments) */\n" + pages.highlight_css() + "\n")
    shutil.copytree(HERE / "vendor", out / "vendor", dirs_exist_ok=True)


def build(names: list, out: Path = OUT) -> None:
    """Write the site for the notebooks whose names start with one of `names` (all when
    empty) into `out`."""
    sources = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if names:
        sources = [s for s in sources if any(s.name.startswith(n) for n in names)]
    if not sources:
        raise SystemExit(f"no notebook in notebooks/ starts with {' or '.join(names)}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "slides").mkdir(exist_ok=True)
    copy_static(out)
    executed = []
    for path in sources:
        nb, seconds = execute(path)
        executed.append((path.stem, nb))
        say(f"executed {path.name} in {seconds:.1f} s")
    titles = [(stem, pages.title_of(nb)) for stem, nb in executed]
    for k, (stem, nb) in enumerate(executed):
        prev = (f"{titles[k - 1][0]}.html", titles[k - 1][1][0]) if k else None
        nxt = (f"{titles[k + 1][0]}.html", titles[k + 1][1][0]) if k + 1 < len(titles) else None
        (out / f"{stem}.html").write_text(
            pages.page(nb, slides_href=f"slides/{stem}.html", prev=prev, next=nxt),
            encoding="utf-8")
        (out / "slides" / f"{stem}.html").write_text(
            pages.deck(nb, page_href=f"{stem}.html"), encoding="utf-8")
    guide = GUIDE.exists()
    if guide:
        (out / "lecturers.html").write_text(pages.guide(GUIDE.read_text(encoding="utf-8")),
                                            encoding="utf-8")
    (out / "index.html").write_text(
        pages.index([(stem, title[1]) for stem, title in titles], guide=guide),
        encoding="utf-8")


def main(argv: list) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook numbers or names (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help="the site's folder")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    build(args.names, args.out)
    say(f"wrote {args.out} in {time.perf_counter() - start:.0f} s; open "
        f"{(args.out / 'index.html').as_uri()}")


if __name__ == "__main__":
    main(sys.argv[1:])
