"""Handles are named after the learner's variables in function frames alike on every Python
(kernelptr/ownership.py `names_in`): Python 3.13 made `frame.f_locals` of a function a live
proxy (PEP 667) and 3.12 inlined comprehensions into their function (PEP 709).
tests/test_pythons.py runs these on 3.12-3.14."""

import kernelptr as kp


@kp.struct
class Job:
    name: str


def labels(snap):
    return sorted(h.label for h in snap.handles if h.state == "live")


def test_inner_function_names_come_first(heap):
    def inner(x):
        y = x.clone()
        return heap.snapshot(), y

    def outer():
        a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
        snap, _ = inner(a)
        return snap

    assert labels(outer()) == ["x", "y"]


def test_comprehension_variable_is_named_while_it_runs(heap):
    def run():
        a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
        return [heap.snapshot() for c in [a.clone()]][0]

    assert labels(run()) == ["a", "c"]


def test_closure_and_generator_variables_are_named(heap):
    def run():
        shared = kp.Arc.new(Job("s"), kp.GFP_KERNEL)

        def uses_shared():
            return shared, heap.snapshot()

        def steps():
            mine = shared.clone()
            yield heap.snapshot()
            mine.drop()

        from_closure = uses_shared()[1]
        gen = steps()
        from_generator = next(gen)
        next(gen, None)
        return from_closure, from_generator

    from_closure, from_generator = run()
    assert labels(from_closure) == ["shared"]
    assert labels(from_generator) == ["mine", "shared"]
