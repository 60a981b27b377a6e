"""Catalogue of notebook 00's exercises: the right answer passes; each wrong or lazy answer a
learner is likely to try gets its own hint."""

import kernelptr as kp
from kernelptr.course import checks

from _course import fresh_tries, hint, passes, starter_asks_for_an_answer  # noqa: F401


def right_two_owners(value):
    a = kp.Arc.new(value, kp.GFP_KERNEL)
    b = a.clone()
    return a, b


def test_two_owners_right_answer_passes():
    passes(checks.ex00_two_owners, right_two_owners)
    starter_asks_for_an_answer(checks.ex00_two_owners)


def test_two_owners_via_a_borrow_also_passes():
    def borrowed(value):
        a = kp.Arc.new(value, kp.GFP_KERNEL)
        return a, a.as_arc_borrow().clone_arc()

    passes(checks.ex00_two_owners, borrowed)


def test_two_owners_two_allocations_get_the_clone_hint_at_the_second_new():
    def separate(value):
        return kp.Arc.new(value, kp.GFP_KERNEL), kp.Arc.new(value, kp.GFP_KERNEL)

    verdict = hint(checks.ex00_two_owners, separate, "two separate objects", "Clone")
    assert verdict.wrong_event.op == "Arc::new" and verdict.wrong_step == 1


def test_two_owners_same_handle_twice():
    def same(value):
        a = kp.Arc.new(value, kp.GFP_KERNEL)
        return a, a

    hint(checks.ex00_two_owners, same, "same handle twice")


def test_two_owners_hard_wired_value_fails_on_the_second_instance():
    def hard_wired(value):
        a = kp.Arc.new("shared", kp.GFP_KERNEL)
        return a, a.clone()

    hint(checks.ex00_two_owners, hard_wired, "not the value you were given")


def test_two_owners_leftover_clone_and_count_set_by_hand():
    def three(value):
        a = kp.Arc.new(value, kp.GFP_KERNEL)
        b = a.clone()
        a.clone()
        return a, b

    def by_hand(value):
        a = kp.Arc.new(value, kp.GFP_KERNEL)
        b = a.clone()
        kp.Arc.refcount_of(a).set(2)
        return a, b

    hint(checks.ex00_two_owners, three, "not 2")
    hint(checks.ex00_two_owners, by_hand, "by hand")
    hint(checks.ex00_two_owners, lambda value: kp.Arc.new(value, kp.GFP_KERNEL), "return a pair")


def right_remember(guard, text):
    try:
        entry = kp.Arc.new(text, kp.GFP_ATOMIC)
    except kp.AllocError:
        return False
    guard.value.append(entry)
    return True


def test_alloc_in_lock_right_answers_pass_with_either_non_sleeping_flag():
    def nowait(guard, text):
        try:
            guard.value.append(kp.Arc.new(text, kp.GFP_NOWAIT))
        except kp.AllocError:
            return False
        return True

    passes(checks.ex00_alloc_in_lock, right_remember)
    passes(checks.ex00_alloc_in_lock, nowait)
    starter_asks_for_an_answer(checks.ex00_alloc_in_lock)


def test_alloc_in_lock_gfp_kernel_is_sleeping_in_atomic_context():
    def sleeps(guard, text):
        guard.value.append(kp.Arc.new(text, kp.GFP_KERNEL))
        return True

    hint(checks.ex00_alloc_in_lock, sleeps, "must never sleep")


def test_alloc_in_lock_releasing_the_callers_lock_to_sleep():
    def releases(guard, text):
        log = guard.value
        guard.drop()
        log.append(kp.Arc.new(text, kp.GFP_KERNEL))
        return True

    verdict = hint(checks.ex00_alloc_in_lock, releases, "released the lock")
    assert verdict.wrong_event.op == "SpinLock::unlock"


def test_alloc_in_lock_ignoring_failure_and_hiding_the_bug():
    def no_failure_path(guard, text):
        guard.value.append(kp.Arc.new(text, kp.GFP_ATOMIC))
        return True

    def hides_everything(guard, text):
        try:
            guard.value.append(kp.Arc.new(text, kp.GFP_KERNEL))
        except Exception:
            return False
        return True

    hint(checks.ex00_alloc_in_lock, no_failure_path, "can fail", "return False")
    hint(checks.ex00_alloc_in_lock, hides_everything, "catch only kp.AllocError")


def test_two_owners_through_a_raw_pointer_is_unsafe_code():
    def raw(value):
        a = kp.Arc.new(value, kp.GFP_KERNEL)
        return a, kp.Arc.from_raw(a.clone().into_raw())

    verdict = hint(checks.ex00_two_owners, raw, "needs no `unsafe`", "`Arc::from_raw`")
    assert verdict.wrong_event.op == "Arc::from_raw"
