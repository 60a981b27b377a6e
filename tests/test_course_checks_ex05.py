"""Catalogue of notebook 05's exercises (behaviour 77 and the DispatchFromDyn rules of the
reference §1.20): a by-value Arc receiver; the rules written as a function."""

import kernelptr as kp
from kernelptr.course import checks
from kernelptr.course.checks.ex05 import DECLARATIONS

from _course import fresh_tries, hint, passes, starter_asks_for_an_answer  # noqa: F401


def square(body: str, receiver: str = '"kp.Arc[Self]"'):
    """A Square class whose area has the given receiver annotation and body."""
    ns = {"kp": kp}
    exec(f"@kp.struct\nclass Square:\n    side: int\n"
         f"    def area(self{': ' + receiver if receiver else ''}):\n        return {body}\n", ns)
    return ns["Square"]


def test_square_right_answer_passes():
    passes(checks.ex05_square, square("self.side * self.side"))
    starter_asks_for_an_answer(checks.ex05_square, value=True)


def test_square_copied_borrow_receiver_from_the_shapes_above_is_refused():
    hint(checks.ex05_square, square("self.side * self.side", '"kp.ArcBorrow[Self]"'),
         "incompatible receiver", "self: Arc<Self>")
    hint(checks.ex05_square, square("self.side * self.side", ""), "incompatible receiver")


def test_square_hard_wired_area_and_wrong_formula():
    hint(checks.ex05_square, square("9"), "7x7 square reported area 9")
    hint(checks.ex05_square, square("4 * self.side"), "3x3 square reported area 12")


def test_square_not_a_struct():
    class Plain:
        side = 3

        def area(self):
            return 9

    hint(checks.ex05_square, Plain, "@kp.struct")


def right_dispatchable(p):
    if p.kind != "struct" or p.pointee is None or p.pointee_sized:
        return False
    if p.repr not in ("transparent", "Rust") or not p.derives:
        return False
    real = [t for _, t in p.fields if not t.startswith(("PhantomData", "PhantomPinned", "()"))]
    if len(real) != 1:
        return False
    field = real[0].replace(" ", "")
    return field.startswith(("NonNull<", "*const", "*mut", "&", "Box<")) and p.pointee in field


def test_dispatchable_right_answer_passes_on_every_declaration():
    assert len(DECLARATIONS) >= 10
    passes(checks.ex05_dispatchable, right_dispatchable)
    starter_asks_for_an_answer(checks.ex05_dispatchable)


def test_dispatchable_the_answer_set_of_the_notebook_is_not_a_function():
    hint(checks.ex05_dispatchable, {"A"}, "not a set of names")
    hint(checks.ex05_dispatchable, lambda p: p.name == "A", "struct D", "passes every rule")


def test_dispatchable_calling_the_answer_key_is_refused():
    hint(checks.ex05_dispatchable, lambda p: bool(kp.check_dispatch_from_dyn(p)),
         "answer key")


def test_dispatchable_forgetting_a_rule_names_it():
    def no_sized_rule(p):
        q = kp.pointer_type(p.name, fields=list(p.fields), repr=p.repr, kind=p.kind,
                            derive=p.derives)
        return right_dispatchable(q)

    def counts_markers(p):
        return right_dispatchable(p) and len(p.fields) == 1

    hint(checks.ex05_dispatchable, no_sized_rule, "struct E<T>", "?Sized")
    hint(checks.ex05_dispatchable, counts_markers, "struct A", "passes every rule")
    hint(checks.ex05_dispatchable, lambda p: "yes", "return True or False")
