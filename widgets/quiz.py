"""Predictions the learner commits to before the model shows the answer, and the picture of
a failed self-check.

- `Predict(question, program, answer)`: a typed or chosen answer first; Commit runs
  `program` on a fresh heap and derives the right answer from what it returned.
- `DoesItCompile(program, choices)`: "compiles" / "error[E0382]" / a run-time outcome; the
  model runs the program and its error (rule, rustc, fix) or its picture is the answer.
- `StepQuiz(recording, {index: ask.refcount("a"), ...})`: a recording played step by step
  that stops before each asked step until the learner has predicted the quantity.
- `VerdictView(verdict)`: a failing check's hint beside a Stepper of the learner's run,
  opened at the first wrong step (shown automatically for a check's verdict once `widgets`
  is imported in IPython).

Wrong commitments get escalating hints (the rule, then where to look, then the answer);
nothing is computed before the first commit, so a stored notebook shows the question only.
"""

from __future__ import annotations

import html as _html
import re

import ipywidgets as w

from kernelptr.course import predict as ask
from kernelptr.course.outcome import choice_key, run_program
from kernelptr.course.tries import Tries, same_answer
from kernelptr.course.verdict import NOT_YET, PASS, Verdict

from .render import fit
from .stepper import Stepper

__all__ = ["Predict", "DoesItCompile", "StepQuiz", "VerdictView", "ask", "install"]

_BOX = ("border:1px solid #DDD;border-radius:4px;padding:6px 10px;margin:4px 0;"
        "font-size:14px;line-height:1.4")
_HINT_BOX = _BOX + ";background:#FFF8E1;border-color:#E69F00"
_PASS_BOX = _BOX + ";background:#EEF7EE;border-color:#009E73"


def _inline(text: str) -> str:
    """Escape `text` for HTML and set its `backticked` parts as code."""
    parts = re.split(r"`([^`]*)`", str(text))
    return "".join(f"<code>{_html.escape(p)}</code>" if i % 2 else _html.escape(p)
                   for i, p in enumerate(parts))


def _bundle(widget, kwargs: dict, html: str, plain: str) -> dict:
    """The widget's live view, plus `html` for static viewers (nbviewer, GitHub) and a
    `text/plain` without Python ids (nbval compares it)."""
    bundle = w.Widget._repr_mimebundle_(widget, **kwargs) or {}
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    return dict(bundle, **{"text/html": html, "text/plain": plain})


def _error_html(outcome) -> str:
    """An error as the model words it: what happened, the rule, rustc's error, the fix."""
    err = outcome.error
    rows = [f"<b>{_html.escape(type(err).__name__)}</b>: {_html.escape(getattr(err, 'what', str(err)))}"]
    for label in ("rule", "rustc", "fix"):
        value = getattr(err, label, "")
        if value:
            rows.append(f"<b>{label}</b>: {_html.escape(value)}")
    return f'<div style="{_BOX};font-family:monospace">' + "<br>".join(rows) + "</div>"


class _Commit(w.VBox):
    """A question with an answer control and a Commit button; subclasses judge answers."""

    kind = "question"

    def __init__(self, prompt: str, options=None, *, placeholder: str = "your answer"):
        self.prompt = prompt
        self.options = list(options) if options is not None else None
        self.tries = Tries()
        self.done = False
        self._question = w.HTML(f"<b>{_inline(prompt)}</b>")
        if self.options is not None:
            self.answer = w.RadioButtons(options=self.options, value=None,
                                         layout=w.Layout(width="auto"))
        else:
            self.answer = w.Text(placeholder=placeholder, layout=w.Layout(width="240px"))
        self.commit = w.Button(description="Commit", button_style="primary",
                               tooltip="commit to your answer, then see what the model does")
        self.commit.on_click(lambda _b: self.submit())
        self.feedback = w.HTML()
        self.reveal = w.VBox()
        super().__init__([self._question, w.HBox([self.answer, self.commit]), self.feedback,
                          self.reveal])
        self.add_class("kp-quiz")

    # -- committing ---------------------------------------------------------------------------
    def submit(self, value=None) -> None:
        """Commit `value` (default: what the control holds), as the Commit button does."""
        if self.done:
            return
        if value is not None:
            self.answer.value = value
        given = self.answer.value
        if given is None or (isinstance(given, str) and not given.strip()):
            self.feedback.value = "Choose or type an answer first: commit, then see."
            return
        right, shown, rule, pointer, why = self._judge(given)
        if right:
            self.tries.passed()
            self.feedback.value = f'<div style="{_PASS_BOX}">{PASS} {_inline(why)}</div>'
            self._finish()
            return
        hint = self.tries.miss(rule=rule, pointer=pointer, answer=f"`{shown}`", why=why)
        self.feedback.value = f'<div style="{_HINT_BOX}">{NOT_YET} {_inline(hint)}</div>'
        if self.tries.gave_answer:
            self._finish()

    def _finish(self) -> None:
        self.done = True
        self.answer.disabled = True
        self.commit.disabled = True
        self.reveal.children = tuple(self._reveal())

    # -- subclass hooks -----------------------------------------------------------------------
    def _judge(self, given):
        """(right?, the answer as text, the rule, a pointer, why the answer is right)."""
        raise NotImplementedError

    def _reveal(self) -> list:
        return []

    # -- display ------------------------------------------------------------------------------
    def _static_html(self) -> str:
        if self.options is not None:
            control = "".join(f"<li>{_inline(o)}</li>" for o in self.options)
            control = f'<ul style="list-style:circle">{control}</ul>'
        else:
            control = "<p>(type your answer)</p>"
        return (f'<div style="{_BOX}"><b>{_inline(self.prompt)}</b>{control}'
                "<i>Run the notebook to commit to an answer; the model then shows what "
                "happens.</i></div>")

    def _repr_mimebundle_(self, **kwargs):
        """The live question, plus the question alone (never its answer) for static
        viewers."""
        return _bundle(self, kwargs, self._static_html(), repr(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.prompt!r})"


def _stepper_at_end(recording) -> list:
    if recording is None or not len(recording.frames):
        return []
    stepper = Stepper(recording)
    stepper.index = len(recording.frames) - 1
    return [stepper]


class _ProgramQuestion(_Commit):
    """A question about what a program does: the program runs once, at the first commit."""

    def __init__(self, prompt: str, options, *, program, args=(), hints=()):
        super().__init__(prompt, options)
        self.program = program
        self.args = tuple(args)
        self.hints = tuple(hints)
        self.outcome = None

    def _run(self):
        if self.outcome is None:
            self.outcome = run_program(self.program, *self.args)
        return self.outcome


class Predict(_ProgramQuestion):
    """A prediction: the learner types (or picks) a value and commits; only then does the
    model run `program()` on a fresh heap, and `answer(result)` derives the right value from
    what it returned, so the cell never shows it.

    `hints` are the rule (first miss) and where to look (second miss); the third miss gives
    the answer. `show(outcome)` returns what to reveal (a widget); by default a Stepper of
    the program, opened at its last step.

    >>> import kernelptr as kp, widgets
    >>> def program():
    ...     a = kp.Arc.new("job", kp.GFP_KERNEL)
    ...     b = a.clone()
    ...     return a
    >>> q = widgets.Predict("What is `a.refcount` at the end?", program,
    ...                     answer=lambda a: a.refcount,
    ...                     hints=["every clone adds one owner."])
    >>> q.submit("3"); "every clone adds one owner" in q.feedback.value
    True
    >>> q.submit("2"); q.done, "Correct" in q.feedback.value
    (True, True)
    """

    kind = "prediction"

    def __init__(self, question: str, program, answer, *, choices=None, hints=(), show=None,
                 args=()):
        super().__init__(question, choices, program=program, args=args, hints=hints)
        self._answer = answer
        self._show = show

    def _judge(self, given):
        out = self._run()
        if out.error is not None:
            raise RuntimeError(f"the program of {self!r} raised {out.describe()}; use "
                               "DoesItCompile for a question about an error")
        expected = self._answer(out.value)
        rule = self.hints[0] if self.hints else "re-read the program line by line and apply " \
            "each line's rule."
        pointer = self.hints[1] if len(self.hints) > 1 else ""
        return same_answer(given, expected), expected, rule, pointer, \
            f"the model says `{expected}`."

    def _reveal(self) -> list:
        out = self._run()
        if self._show is not None:
            shown = self._show(out)
            return [shown] if isinstance(shown, w.Widget) else \
                [w.HTML(f'<div style="{_BOX}">{_inline(shown)}</div>')]
        return _stepper_at_end(out.recording)


class DoesItCompile(_ProgramQuestion):
    """"Does this compile?": the learner picks an outcome for the Rust shown above the cell
    (the model's `program` is the same code) and commits; the model then runs the program
    and shows the error it raised (what, rule, rustc code, fix) or its picture.

    `choices` are labels, or `(label, key)` pairs where key is `ok` (compiles and runs),
    `warns` (runs; the kernel warns), an E-code or a model error class; a label's key is
    read from it when it names one (`error[E0382]: ...` -> E0382, `compiles` -> ok). A
    wrong choice is told the rule the program breaks (or, when it breaks none, to check the
    rule the choice names), then `hints[1]` (a pointer), then the answer.

    >>> import kernelptr as kp, widgets
    >>> def program():
    ...     a = kp.Arc.new(1, kp.GFP_KERNEL)
    ...     a.drop()
    ...     return a.clone()
    >>> q = widgets.DoesItCompile(program, ["compiles and runs",
    ...                                     "error[E0382]: use of moved value"])
    >>> q.submit("compiles and runs"); "consumes the handle" in q.feedback.value
    True
    >>> q.submit("error[E0382]: use of moved value"); q.done
    True
    """

    kind = "does this compile?"

    def __init__(self, program, choices, *, question: str = "Does this compile? If not, "
                 "which error does rustc give; if it does, what happens when it runs?",
                 hints=(), args=()):
        labels = [c[0] if isinstance(c, tuple) else c for c in choices]
        self.outcome_keys = [c[1] if isinstance(c, tuple) else choice_key(c) for c in choices]
        super().__init__(question, labels, program=program, args=args, hints=hints)

    def _judge(self, given):
        out = self._run()
        best = out.best(self.outcome_keys)
        if best is None:
            raise RuntimeError(f"no choice of {self!r} describes what happened: "
                               f"{out.describe()}")
        right = self.options[best]
        if out.error is not None:
            rule = f"the rule at stake: {out.rule}" if out.rule else out.describe()
        else:
            rule = self.hints[0] if self.hints else \
                "check the rule your answer names against each line: does a line really " \
                "break it?"
        pointer = self.hints[1] if len(self.hints) > 1 else \
            "go through it line by line: after each line, which values are still yours to use?"
        if out.error is None:
            why = out.describe()
        else:
            rustc = getattr(out.error, "rustc", "") or ""
            why = f"the model raised {type(out.error).__name__}" + (f" ({rustc})" if rustc else
                                                                    "") + ": details below."
        return given == right, right, rule, pointer, why

    def _reveal(self) -> list:
        out = self._run()
        shown = [w.HTML(_error_html(out))] if out.error is not None else []
        return shown + _stepper_at_end(out.recording)


class StepQuiz(w.VBox):
    """A recording played step by step that stops before each asked step: the learner
    predicts a named quantity (`ask.refcount("a")`, `ask.holder("a", id=0)`,
    `ask.list_of("c")`, `ask.next_of("c")`) and commits; the step is shown only then.

    `questions` maps a frame index (0-based, as `Stepper.index`) to the quantity to predict
    for the heap right after that frame's step. The picture is the Stepper's (`stepper`),
    which the learner can open whole once every question is answered.

    >>> import kernelptr as kp, widgets
    >>> from kernelptr.list.example import Job
    >>> heap = kp.reset()
    >>> with kp.record() as rec:
    ...     a = kp.Arc.new("x", kp.GFP_KERNEL)
    ...     b = a.clone()
    ...     b.drop()
    >>> quiz = widgets.StepQuiz(rec, {1: widgets.ask.refcount("a")})
    >>> quiz.index, quiz.next_button.disabled
    (0, True)
    >>> quiz.question.submit("2"); quiz.index, quiz.next_button.disabled
    (1, False)
    """

    def __init__(self, recording, questions: dict):
        self.recording = recording
        self.stepper = Stepper(recording)
        self._n = len(recording.frames)
        self.questions = dict(sorted(questions.items()))
        for i in self.questions:
            if not 1 <= i < self._n:
                raise IndexError(f"StepQuiz: step {i} has no step before it to show first "
                                 f"(valid: 1..{self._n - 1})")
        self.answered: set = set()
        self._index = 0
        self.prev_button = w.Button(description="‹ prev", layout=w.Layout(width="90px"))
        self.next_button = w.Button(description="next ›", layout=w.Layout(width="90px"))
        self.prev_button.on_click(lambda _b: self._go(self._index - 1))
        self.next_button.on_click(lambda _b: self._go(self._index + 1))
        self.open_button = w.Button(description="open the Stepper", disabled=True,
                                    tooltip="every question answered: step freely")
        self.open_button.on_click(lambda _b: self._open_stepper())
        self._caption = w.HTML()
        self._graph = w.HTML(layout=w.Layout(width="100%", overflow="auto"))
        self._ask = w.VBox()
        self.question = None
        super().__init__([self._caption, w.HBox([self.prev_button, self.next_button,
                                                 self.open_button]),
                          self._ask, self._graph])
        self.add_class("kp-stepquiz")
        self._go(0)

    @property
    def index(self) -> int:
        """The frame shown (0-based); it never passes an unanswered question."""
        return self._index

    def _blocked(self, i: int) -> bool:
        return i in self.questions and i not in self.answered

    def _go(self, i: int) -> None:
        i = min(max(i, 0), max(self._n - 1, 0))
        gate = next((g for g in self.questions if self._index < g <= i and self._blocked(g)),
                    None)
        if gate is not None:
            i = gate - 1
        self._index = i
        self._show()

    def _show(self) -> None:
        i = self._index
        event = self.recording.frames[i].event
        self._caption.value = (f"<b>step {i + 1}/{self._n} · {_html.escape(event.op)}: "
                               f"{_html.escape(event.summary)}</b>")
        self._graph.value = fit(self.stepper.svg(i))
        self.prev_button.disabled = i == 0
        self.next_button.disabled = i >= self._n - 1 or self._blocked(i + 1)
        self.open_button.disabled = len(self.answered) < len(self.questions)
        if i + 1 < self._n and self._blocked(i + 1):
            self.question = self._make_question(i + 1)
            self._ask.children = (self.question,)
        else:
            self.question = None
            self._ask.children = ()

    def _next_line(self, g: int) -> str:
        event = self.recording.frames[g].event
        rust = getattr(event, "rust", "")
        source = event.location.source
        if source and rust:
            return f"`{source}` (Rust: `{rust}`)"
        return f"`{source or rust or event.op}`"

    def _make_question(self, g: int):
        quantity = self.questions[g]
        before = self.recording.frames[g - 1].snapshot
        after = self.recording.frames[g].snapshot
        options = quantity.options(before, after)
        prompt = (f"Next step: {self._next_line(g)}. Right after it, what is "
                  f"{quantity.describe()}?")
        return _StepQuestion(self, g, prompt, quantity, quantity.value(after), options)

    def _answered(self, g: int) -> None:
        self.answered.add(g)
        self._go(g)

    def _open_stepper(self) -> None:
        self.stepper.index = self._index
        self.children = (self.stepper,)

    def _repr_mimebundle_(self, **kwargs):
        """The live quiz, plus its first picture and question for static viewers."""
        parts = [self._caption.value]
        if self.question is not None:
            parts.append(self.question._static_html())
        parts.append(self._graph.value)
        return _bundle(self, kwargs, "<div>" + "".join(parts) + "</div>", repr(self))

    def __repr__(self) -> str:
        n = len(self.questions)
        return f"StepQuiz({self._n} frames, {n} question{'s' if n != 1 else ''})"


class _StepQuestion(_Commit):
    """One question of a StepQuiz (its answer read from the recording)."""

    kind = "step prediction"

    def __init__(self, quiz: StepQuiz, step: int, prompt: str, quantity, expected, options):
        super().__init__(prompt, options)
        self._quiz = quiz
        self._step = step
        self._quantity = quantity
        self._expected = expected

    def _judge(self, given):
        q = self._quantity
        pointer = (f"look at the picture: find `{q.target}` and what this step changes "
                   "around it (handles on the left, links in colour).")
        rule = q.rule() or "apply this step's rule to the picture."
        return same_answer(given, self._expected), self._expected, rule, pointer, \
            f"{q.describe()} is `{self._expected}`."

    def _finish(self) -> None:
        super()._finish()
        self._quiz._answered(self._step)


class VerdictView(w.VBox):
    """A failing self-check's `Verdict`: its hint beside a `Stepper` of what the learner's
    code did, opened at the first wrong step.

    >>> import kernelptr as kp, widgets
    >>> from kernelptr.course import checks
    >>> def no_clone(value):
    ...     return kp.Arc.new(value, kp.GFP_KERNEL), kp.Arc.new(value, kp.GFP_KERNEL)
    >>> view = widgets.VerdictView(checks.ex00_two_owners(no_clone))
    >>> view.stepper.index
    1
    """

    def __init__(self, verdict: Verdict):
        self.verdict = verdict
        self.stepper = Stepper(verdict.recording)
        self.stepper.index = verdict.wrong_step
        back = w.Button(description="back to the wrong step", layout=w.Layout(width="auto"),
                        tooltip="open the picture at the first step that went wrong")
        back.on_click(lambda _b: setattr(self.stepper, "index", verdict.wrong_step))
        self._hint = w.HTML(self._hint_html())
        super().__init__([self._hint, w.HBox([back]), self.stepper])
        self.add_class("kp-verdict")

    def _hint_html(self) -> str:
        v = self.verdict
        event = v.wrong_event
        where = (f"<br>The picture below opens at step {v.wrong_step + 1} of "
                 f"{len(v.recording.frames)}: <code>{_html.escape(str(event))}</code>")
        source = event.location.source
        if source:
            where += f"<br>your line: <code>{_html.escape(source)}</code>"
        return f'<div style="{_HINT_BOX}">{_inline(v.text)}{where}</div>'

    def _repr_mimebundle_(self, **kwargs):
        """The live view, plus the hint and the wrong step's picture for static viewers."""
        html = self._hint_html() + fit(self.stepper.svg(self.verdict.wrong_step))
        return _bundle(self, kwargs, html, self.verdict.text)

    def __repr__(self) -> str:
        return self.verdict.text


def _verdict_bundle(verdict: Verdict):
    """The rich display of a check's verdict: the picture when it failed with one."""
    if verdict.passed or verdict.recording is None:
        box = _PASS_BOX if verdict.passed else _HINT_BOX
        return {"text/plain": verdict.text,
                "text/html": f'<div style="{box}">{_inline(verdict.text)}</div>'}, {}
    view = VerdictView(verdict)
    _views.append(view)             # keep the widget alive while the notebook shows it
    return view._repr_mimebundle_(), {}


_views: list = []


def install(shell) -> None:
    """Show the course's verdicts in `shell` with their picture (called on import)."""
    shell.display_formatter.mimebundle_formatter.for_type(Verdict, _verdict_bundle)
