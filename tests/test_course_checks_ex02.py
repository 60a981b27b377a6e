"""Catalogue of notebook 02's exercises (behaviours 12, 13, 75 of the reference): publish under
one critical section; two allocations that can each fail."""

import kernelptr as kp
from kernelptr.course import checks
from kernelptr.course.checks import Job

from _course import fresh_tries, hint, passes, starter_asks_for_an_answer  # noqa: F401


def right_publish(lock, name):
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    with lock.lock() as guard:
        u = u.write(Job(name, prio=len(guard.value)))
        guard.value.append(kp.Arc.from_unique(u))


def test_publish_right_answer_passes():
    passes(checks.ex02_publish, right_publish)
    starter_asks_for_an_answer(checks.ex02_publish)


def test_publish_allocating_inside_the_lock():
    def gfp_kernel_inside(lock, name):
        with lock.lock() as guard:
            guard.value.append(kp.Arc.new(Job(name, prio=len(guard.value)), kp.GFP_KERNEL))

    def gfp_atomic_inside(lock, name):
        with lock.lock() as guard:
            u = kp.UniqueArc.new_uninit(kp.GFP_ATOMIC, type=Job)
            u = u.write(Job(name, prio=len(guard.value)))
            guard.value.append(kp.Arc.from_unique(u))

    hint(checks.ex02_publish, gfp_kernel_inside, "BEFORE lock.lock()")
    verdict = hint(checks.ex02_publish, gfp_atomic_inside, "inside the critical section")
    assert verdict.wrong_event.op == "UniqueArc::new_uninit"


def test_publish_two_critical_sections_race():
    def two_sections(lock, name):
        with lock.lock() as guard:
            position = len(guard.value)
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job).write(Job(name, prio=position))
        with lock.lock() as guard:
            guard.value.append(kp.Arc.from_unique(u))

    verdict = hint(checks.ex02_publish, two_sections, "took the lock 2 times", "one critical")
    assert verdict.wrong_event.op == "SpinLock::lock"


def test_publish_pasted_example_and_hard_wired_position_fail():
    def pasted(lock, name):          # the notebook's example cell, pasted
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        with lock.lock() as guard:
            u = u.write(Job("urgent", prio=9))
            u.prio = 10
            guard.value = kp.Arc.from_unique(u)

    def hard_wired(lock, name):
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        with lock.lock() as guard:
            u = u.write(Job(name, prio=0))
            guard.value.append(kp.Arc.from_unique(u))

    hint(checks.ex02_publish, pasted, "append the shared kp.Arc")
    hint(checks.ex02_publish, hard_wired, "should be 2, not 0")


def test_publish_written_outside_the_lock_and_unique_published():
    def write_outside(lock, name):
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job).write(Job(name, prio=0))
        with lock.lock() as guard:
            u.prio = len(guard.value)
            guard.value.append(kp.Arc.from_unique(u))

    def unique_published(lock, name):
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        with lock.lock() as guard:
            guard.value.append(u.write(Job(name, prio=len(guard.value))))

    hint(checks.ex02_publish, write_outside, "write the Job (u.write(...)) inside")
    hint(checks.ex02_publish, unique_published, "append the shared kp.Arc")


def test_publish_appending_after_the_lock_is_released():
    def append_outside(lock, name):
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        with lock.lock() as guard:
            u = u.write(Job(name, prio=len(guard.value)))
            registry = guard.value
        registry.append(kp.Arc.from_unique(u))

    verdict = hint(checks.ex02_publish, append_outside, "after releasing the lock")
    assert verdict.wrong_event.op == "SpinLock::unlock"


def right_pair(first, second):
    try:
        a = kp.Arc.new(Job(first), kp.GFP_KERNEL)
    except kp.AllocError:
        return None
    try:
        b = kp.Arc.new(Job(second), kp.GFP_KERNEL)
    except kp.AllocError:
        a.drop()
        return None
    return a, b


def test_make_pair_right_answer_passes():
    passes(checks.ex02_make_pair, right_pair)
    starter_asks_for_an_answer(checks.ex02_make_pair)


def test_make_pair_leaks_the_first_when_the_second_fails():
    def leaks(first, second):
        try:
            return kp.Arc.new(Job(first), kp.GFP_KERNEL), kp.Arc.new(Job(second), kp.GFP_KERNEL)
        except kp.AllocError:
            return None

    verdict = hint(checks.ex02_make_pair, leaks, "first Job is still allocated", "`?`")
    assert verdict.wrong_event.op == "Arc::new"


def test_make_pair_failure_not_handled_and_names_hard_wired():
    def unhandled(first, second):
        return kp.Arc.new(Job(first), kp.GFP_KERNEL), kp.Arc.new(Job(second), kp.GFP_KERNEL)

    def hard_wired(first, second):
        return right_pair("left", "right")

    hint(checks.ex02_make_pair, unhandled, "AllocError escaped")
    hint(checks.ex02_make_pair, hard_wired, "after the arguments")
    hint(checks.ex02_make_pair, lambda first, second: right_pair(second, first), "after the arguments")
