"""The exercises' self-checks (kernelptr/course): each accepts a right answer and gives a
specific hint for the common wrong ones, never a traceback."""

import pytest

import kernelptr as kp
from kernelptr.course import checks

PASS, HINT = "✅ Correct!", "💡 Not yet:"


def verdict(capsys, check, answer):
    check(answer)
    out = capsys.readouterr().out
    assert out.startswith((PASS, HINT)), out
    return out


def test_unanswered_exercise_asks_for_an_answer(capsys):
    for check in (checks.ex00_two_owners, checks.ex00_flags_in_lock, checks.ex01_predict_count,
                  checks.ex01_header_bytes):
        assert "replace the `...`" in verdict(capsys, check, ...)


def test_ex00_two_owners(capsys):
    def right():
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        return a, a.clone()

    def separate():
        return kp.Arc.new(1, kp.GFP_KERNEL), kp.Arc.new(1, kp.GFP_KERNEL)

    def same_handle():
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        return a, a

    assert verdict(capsys, checks.ex00_two_owners, right).startswith(PASS)
    assert "two separate objects" in verdict(capsys, checks.ex00_two_owners, separate)
    assert "same handle twice" in verdict(capsys, checks.ex00_two_owners, same_handle)
    assert "return a pair" in verdict(capsys, checks.ex00_two_owners,
                                      lambda: kp.Arc.new(1, kp.GFP_KERNEL))


def test_ex00_flags(capsys):
    assert verdict(capsys, checks.ex00_flags_in_lock, kp.GFP_ATOMIC).startswith(PASS)
    assert verdict(capsys, checks.ex00_flags_in_lock, kp.GFP_NOWAIT).startswith(PASS)
    assert "may sleep" in verdict(capsys, checks.ex00_flags_in_lock, kp.GFP_KERNEL)


@pytest.mark.parametrize("answer,hint", [(3, None), (4, "one too many"), (2, "one too few"),
                                         (7, "count the live owners")])
def test_ex01_predict_count(capsys, answer, hint):
    out = verdict(capsys, checks.ex01_predict_count, answer)
    assert out.startswith(PASS) if hint is None else hint in out


def test_ex01_saturate(capsys):
    def right(a):
        kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)
        a.clone()

    def no_overflow(a):
        kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)

    def cheat(a):
        kp.Arc.refcount_of(a).set(kp.REFCOUNT_SATURATED)

    assert verdict(capsys, checks.ex01_saturate, right).startswith(PASS)
    assert "one more" in verdict(capsys, checks.ex01_saturate, no_overflow)
    assert "directly" in verdict(capsys, checks.ex01_saturate, cheat)
    assert "not saturated" in verdict(capsys, checks.ex01_saturate, lambda a: a.clone())


def test_ex01_header_bytes(capsys):
    assert verdict(capsys, checks.ex01_header_bytes, (16, 24)).startswith(PASS)
    assert "padded" in verdict(capsys, checks.ex01_header_bytes, (12, 24))
    assert "other way round" in verdict(capsys, checks.ex01_header_bytes, (24, 16))


def test_ex02_publish(capsys):
    def right(lock):
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL)
        with lock.lock():
            u = u.write("x")
        return kp.Arc.from_unique(u)

    def alloc_inside(lock):
        with lock.lock():
            return kp.Arc.new("x", kp.GFP_KERNEL)

    def write_outside(lock):
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL)
        u = u.write("x")
        with lock.lock():
            pass
        return kp.Arc.from_unique(u)

    def returns_unique(lock):
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL)
        with lock.lock():
            return u.write("x")

    assert verdict(capsys, checks.ex02_publish, right).startswith(PASS)
    assert "BEFORE lock.lock()" in verdict(capsys, checks.ex02_publish, alloc_inside)
    assert "inside the `with" in verdict(capsys, checks.ex02_publish, write_outside)
    assert "return the shared Arc" in verdict(capsys, checks.ex02_publish, returns_unique)


def test_ex02_fallible(capsys):
    def right():
        try:
            return kp.Arc.new(1, kp.GFP_KERNEL)
        except kp.AllocError:
            return None

    assert verdict(capsys, checks.ex02_fallible, right).startswith(PASS)
    assert "escaped" in verdict(capsys, checks.ex02_fallible,
                                lambda: kp.Arc.new(1, kp.GFP_KERNEL))
    assert "raised ZeroDivisionError" in verdict(capsys, checks.ex02_fallible, lambda: 1 / 0)


def test_checks_do_not_touch_the_learners_heap(capsys):
    heap = kp.reset()
    checks.ex01_predict_count(3)
    capsys.readouterr()
    assert heap.alloc_count == 0 and kp.current_heap() is heap


def test_ex03_build(capsys):
    def right(q, make):
        q.push_back(make("y"))
        q.push_back(make("z"))
        q.push_front(make("x"))

    def reversed_(q, make):
        for n in "xyz":
            q.push_front(make(n))

    def x_first(q, make):
        for n in "xyz":
            q.push_back(make(n))

    assert verdict(capsys, checks.ex03_build, right).startswith(PASS)
    assert "reversed" in verdict(capsys, checks.ex03_build, reversed_)
    assert "push \"y\" first" in verdict(capsys, checks.ex03_build, x_first)


def test_ex03_drop_low(capsys):
    def right(q):
        cursor = q.cursor_front()
        while (peek := cursor.peek_next()) is not None:
            if peek.prio < 5:
                peek.remove().drop()
            else:
                cursor.move_next()

    def skips(q):
        cursor = q.cursor_front()
        while (peek := cursor.peek_next()) is not None:
            if peek.prio < 5:
                peek.remove().drop()
            cursor.move_next()

    def no_drop(q):
        cursor = q.cursor_front()
        kept = []
        while (peek := cursor.peek_next()) is not None:
            if peek.prio < 5:
                kept.append(peek.remove())
            else:
                cursor.move_next()
        return kept

    assert verdict(capsys, checks.ex03_drop_low, right).startswith(PASS)
    assert "do not move the cursor" in verdict(capsys, checks.ex03_drop_low, skips)
    assert "not freed" in verdict(capsys, checks.ex03_drop_low, no_drop)


def test_ex04_in_two_lists(capsys):
    def right(task, by_time, by_owner):
        l0, l1 = kp.ListArc.pair_from_unique(kp.UniqueArc.new(task, kp.GFP_KERNEL), ids=(0, 1))
        by_time.push_back(l0)
        by_owner.push_back(l1)

    def two_objects(task, by_time, by_owner):
        by_time.push_back(kp.ListArc.new(task, kp.GFP_KERNEL, id=0))
        by_owner.push_back(kp.ListArc.new(checks.Task("copy"), kp.GFP_KERNEL, id=1))

    assert verdict(capsys, checks.ex04_in_two_lists, right).startswith(PASS)
    assert "pair_from_unique" in verdict(capsys, checks.ex04_in_two_lists, two_objects)


def test_ex04_enqueue_once(capsys):
    def right(q, arc):
        match kp.ListArc.try_from_arc(arc):
            case kp.Ok(la):
                q.push_back(la)
                return True
            case kp.Err(back):
                back.drop()
                return False

    def leaks(q, arc):
        match kp.ListArc.try_from_arc(arc):
            case kp.Ok(la):
                q.push_back(la)
                return True
            case kp.Err(_):
                return False

    assert verdict(capsys, checks.ex04_enqueue_once, right).startswith(PASS)
    assert "leaked" in verdict(capsys, checks.ex04_enqueue_once, leaks)


def test_ex05_square(capsys):
    @kp.struct
    class Square:
        side: int

        def area(self: "kp.ArcBorrow[Self]"):
            return self.side * self.side

    @kp.struct
    class PlainSelf:
        side: int

        def area(self):
            return self.side * self.side

    @kp.struct
    class Wrong:
        side: int

        def area(self: "kp.ArcBorrow[Self]"):
            return 4 * self.side

    assert verdict(capsys, checks.ex05_square, Square).startswith(PASS)
    assert "incompatible receiver" in verdict(capsys, checks.ex05_square, PlainSelf)
    assert "area 12" in verdict(capsys, checks.ex05_square, Wrong)


def test_ex05_dispatchable(capsys):
    assert verdict(capsys, checks.ex05_dispatchable, "A").startswith(PASS)
    assert "len: usize" in verdict(capsys, checks.ex05_dispatchable, {"A", "B"})
    assert "repr(C)" in verdict(capsys, checks.ex05_dispatchable, "C")


def test_ex06(capsys):
    class Right:
        def open(self):
            return 0

        def read(self, n):
            return b""

    class TooMuch(Right):
        def write(self, data):
            return 0

    class TooLittle:
        def open(self):
            return 0

    assert verdict(capsys, checks.ex06_only_open_and_read, Right).startswith(PASS)
    assert "defines write" in verdict(capsys, checks.ex06_only_open_and_read, TooMuch)
    assert "must define read" in verdict(capsys, checks.ex06_only_open_and_read, TooLittle)
    assert verdict(capsys, checks.ex06_null_slot, -22).startswith(PASS)   # vfs_write
    assert "no None" in verdict(capsys, checks.ex06_null_slot, None)
    assert "negative" in verdict(capsys, checks.ex06_null_slot, 22)


def test_ex07_deliver_or_drop(capsys):
    from kernelptr import binder

    def right(thread, work):
        match thread.push_work(work):
            case binder.FailedDead(back):
                back.drop()
                return False
        return True

    def leaks(thread, work):
        return thread.push_work(work) is binder.PushWorkOk

    assert verdict(capsys, checks.ex07_deliver_or_drop, right).startswith(PASS)
    assert "leaks" in verdict(capsys, checks.ex07_deliver_or_drop, leaks)


def test_ex07_kick(capsys):
    def right(q, job):
        match q.enqueue(job.clone()):
            case kp.Ok(_):
                return True
            case kp.Err(back):
                back.drop()
                return False

    def leaks(q, job):
        return q.enqueue(job.clone()).is_ok()

    def moves(q, job):
        return q.enqueue(job).is_ok()

    assert verdict(capsys, checks.ex07_kick, right).startswith(PASS)
    assert "drop the Arc that Err(arc) hands back" in verdict(capsys, checks.ex07_kick, leaks)
    assert "UseAfterMove" in verdict(capsys, checks.ex07_kick, moves)


def test_checks_reject_the_loopholes_a_review_found(capsys):
    def three_owners():
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        b = a.clone()
        a.clone()                      # a third count, leaked
        return a, b

    assert "not 2" in verdict(capsys, checks.ex00_two_owners, three_owners)

    def unrelated_overflow(a):
        kp.Arc.refcount_of(a).set(kp.REFCOUNT_SATURATED)
        kp.Refcount(kp.REFCOUNT_MAX).inc()

    assert "THIS object" in verdict(capsys, checks.ex01_saturate, unrelated_overflow)
    assert verdict(capsys, checks.ex01_header_bytes, [16, 24]).startswith(PASS)

    def atomic_inside(lock):
        kp.UniqueArc.new_uninit(kp.GFP_KERNEL)            # allocated, then ignored
        with lock.lock():
            u = kp.UniqueArc.new_uninit(kp.GFP_ATOMIC).write("x")
        return kp.Arc.from_unique(u)

    assert "allocate exactly once" in verdict(capsys, checks.ex02_publish, atomic_inside)
