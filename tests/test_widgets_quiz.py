"""Prediction widgets (widgets/quiz.py), driven by simulated clicks: the learner commits
first, the model runs only then, hints escalate, and static output never holds the answer."""

import pytest

import kernelptr as kp
import widgets
from kernelptr.course import checks, forget_tries
from kernelptr.list.example import Job
from widgets.render import fit


def count_program():
    a = kp.Arc.new(Job("p"), kp.GFP_KERNEL)
    b = a.clone()
    c = b.as_arc_borrow().clone_arc()
    return c


def moved_program():
    a = kp.Arc.new(Job("p"), kp.GFP_KERNEL)
    a.drop()
    a.clone()


def test_predict_runs_nothing_until_the_learner_commits(heap):
    q = widgets.Predict("What is `c.refcount`?", count_program, answer=lambda c: c.refcount,
                        hints=["each owner holds one count.", "step through the cell above."])
    assert q.outcome is None and q.reveal.children == ()
    bundle = q._repr_mimebundle_()
    assert bundle["text/plain"] == "Predict('What is `c.refcount`?')"
    assert "<code>c.refcount</code>" in bundle["text/html"] and "3" not in bundle["text/html"]
    q.commit.click()                                   # nothing chosen yet
    assert "answer first" in q.feedback.value and q.outcome is None
    assert heap.alloc_count == 0


def test_predict_wrong_tries_escalate_then_reveal_the_answer_and_the_picture(heap):
    q = widgets.Predict("What is `c.refcount`?", count_program, answer=lambda c: c.refcount,
                        hints=["each owner holds one count.", "step through the cell above."])
    q.answer.value = "2"
    q.commit.click()
    assert "each owner holds one count" in q.feedback.value and "3" not in q.feedback.value
    assert q.reveal.children == () and not q.done
    q.commit.click()
    assert "step through the cell above" in q.feedback.value and not q.done
    q.commit.click()
    assert "the answer is <code>3</code>" in q.feedback.value and q.done
    stepper = q.reveal.children[0]
    assert isinstance(stepper, widgets.Stepper) and stepper.index == len(stepper) - 1
    assert q.answer.disabled and q.commit.disabled
    assert heap.alloc_count == 0                       # the program ran on its own heap


def test_predict_right_answer_with_choices_reveals_at_once(heap):
    q = widgets.Predict("Who owns the most counts?", count_program,
                        answer=lambda c: c.refcount, choices=["1", "2", "3"])
    q.answer.value = "3"
    q.commit.click()
    assert "Correct" in q.feedback.value and q.done and q.reveal.children


def test_does_it_compile_names_the_rule_then_shows_the_error_and_rustc_code(heap):
    q = widgets.DoesItCompile(moved_program, ["compiles and runs",
                                              "error[E0382]: use of moved value",
                                              ("error[E0599]: no method named `clone`", "E0599")])
    assert q.outcome_keys == ["ok", "E0382", "E0599"]
    q.answer.value = "compiles and runs"
    q.commit.click()
    assert "consumes the handle" in q.feedback.value and "E0382" not in q.feedback.value
    q.answer.value = "error[E0382]: use of moved value"
    q.commit.click()
    assert "Correct" in q.feedback.value and q.done
    error_box = q.reveal.children[0].value
    assert "UseAfterMove" in error_box and "E0382" in error_box and "fix" in error_box


def test_does_it_compile_a_program_that_runs_shows_its_picture(heap):
    q = widgets.DoesItCompile(count_program, ["compiles and runs", "error[E0382]: moved"])
    q.submit("error[E0382]: moved")
    assert "does a line really break it" in q.feedback.value
    q.submit("compiles and runs")
    assert q.done and isinstance(q.reveal.children[0], widgets.Stepper)


def push_recording():
    with kp.record() as rec:
        q = kp.List(Job, id=0)
        a = kp.ListArc.new(Job("a"), kp.GFP_KERNEL)
        b = kp.ListArc.new(Job("b"), kp.GFP_KERNEL)
        q.push_back(a)
        q.push_back(b)
    return rec


def test_step_quiz_hides_the_next_step_until_predicted(heap):
    rec = push_recording()
    quiz = widgets.StepQuiz(rec, {3: widgets.ask.holder("a"), 4: widgets.ask.next_of("b")})
    quiz.next_button.click()
    quiz.next_button.click()
    assert quiz.index == 2 and quiz.next_button.disabled
    assert "Right after it, what is the holder of `a`'s ListArc" in quiz.question.prompt
    assert "q.push_back(a)" in quiz.question.prompt
    assert quiz._graph.value == fit(quiz.stepper.svg(2))       # the Stepper's own picture
    assert "list q" in quiz.question.options
    quiz.question.answer.value = "a"
    quiz.question.commit.click()
    assert quiz.index == 2 and "at most one ListArc" in quiz.question.feedback.value
    quiz.question.submit("list q")
    assert quiz.index == 3 and quiz.next_button.disabled and quiz.question is not None
    for _ in range(3):                                # three misses give the answer
        quiz.question.submit("null")
    assert quiz.index == 4 and quiz.question is None and not quiz.open_button.disabled


def test_step_quiz_cannot_be_skipped_and_opens_the_stepper_when_done(heap):
    rec = push_recording()
    quiz = widgets.StepQuiz(rec, {3: widgets.ask.refcount("a")})
    quiz._go(4)
    assert quiz.index == 2
    assert rec.frames[3].event.summary not in quiz._repr_mimebundle_()["text/html"]
    assert quiz._repr_mimebundle_()["text/plain"] == "StepQuiz(5 frames, 1 question)"
    quiz.question.submit("1")
    quiz.open_button.click()
    assert quiz.children == (quiz.stepper,) and quiz.stepper.index == 3
    with pytest.raises(IndexError):
        widgets.StepQuiz(rec, {0: widgets.ask.refcount("a")})


def test_a_failed_check_shows_its_stepper_at_the_first_wrong_step():
    forget_tries()

    def pop_all(q, limit):
        keep = []
        while (item := q.pop_front()) is not None:
            (item.drop() if item.prio < limit else keep.append(item))
        for item in keep:
            q.push_back(item)

    verdict = checks.ex03_drop_low(pop_all)
    view = widgets.VerdictView(verdict)
    assert view.stepper.index == verdict.wrong_step == 0
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"] == verdict.text
    assert "List::pop_front" in bundle["text/html"] and "<svg" in bundle["text/html"]
    view.stepper.index = 3
    view.children[1].children[0].click()              # "back to the wrong step"
    assert view.stepper.index == 0


def test_ipython_shows_a_verdict_with_its_picture_once_widgets_is_imported():
    from types import SimpleNamespace

    from IPython.core.formatters import DisplayFormatter

    from widgets import quiz

    shell = SimpleNamespace(display_formatter=DisplayFormatter())     # what install touches
    quiz.install(shell)
    failing = checks.ex00_two_owners(lambda v: (kp.Arc.new(v, kp.GFP_KERNEL),
                                                kp.Arc.new(v, kp.GFP_KERNEL)))
    data, _ = shell.display_formatter.format(failing)
    assert data["text/plain"] == failing.text
    assert "application/vnd.jupyter.widget-view+json" in data and "<svg" in data["text/html"]
    passing = checks.ex01_predict_count([1, 2, 3, 2, 2, 3])
    data, _ = shell.display_formatter.format(passing)
    assert set(data) == {"text/plain", "text/html"} and data["text/plain"] == passing.text
