"""Catalogue of notebook 03's exercises (behaviours 36-41, 55-58 of the reference): build an
order with pushes only; filter with a cursor (and a loop that never moves gets a hint fast)."""


import kernelptr as kp
from kernelptr.course import checks

from _course import fresh_tries, hint, passes, starter_asks_for_an_answer  # noqa: F401


def right_build(q, make, names, first):
    q.push_back(make(names[first]))
    for name in names[first + 1:]:
        q.push_back(make(name))
    for name in reversed(names[:first]):
        q.push_front(make(name))


def test_build_right_answer_passes():
    passes(checks.ex03_build, right_build)
    starter_asks_for_an_answer(checks.ex03_build)


def test_build_without_push_front_makes_first_but_pushes_in_order():
    def no_push_front(q, make, names, first):
        made = {names[first]: make(names[first])}
        for name in names:
            made.setdefault(name, make(name))
        for name in names:
            q.push_back(made[name])

    verdict = hint(checks.ex03_build, no_push_front, "before any other item")
    assert verdict.wrong_event.op == "List::push_back"


def test_build_push_front_in_the_wrong_order_comes_out_reversed():
    def far_first(q, make, names, first):
        q.push_back(make(names[first]))
        for name in names[first + 1:]:
            q.push_back(make(name))
        for name in names[:first]:
            q.push_front(make(name))

    hint(checks.ex03_build, far_first, "came out reversed", "nearest one first")


def test_build_hard_wired_example_and_cursor_and_pop_are_refused():
    def example(q, make, names, first):
        q.push_back(make("y"))
        q.push_back(make("z"))
        q.push_front(make("x"))

    def cursor(q, make, names, first):
        q.push_back(make(names[first]))
        for name in names[first + 1:]:
            q.push_back(make(name))
        c = q.cursor_front()
        for name in names[:first]:
            c.insert_prev(make(name))

    def push_pop(q, make, names, first):
        q.push_back(make(names[first]))
        for name in names:
            if name != names[first]:
                q.push_back(make(name))
        while q.first.name != names[0]:
            q.push_back(q.pop_front())

    hint(checks.ex03_build, example, "push 'd'")
    hint(checks.ex03_build, cursor, "Cursor::insert_prev")
    hint(checks.ex03_build, push_pop, "List::pop_front")


def test_build_extra_items_are_named():
    def extra(q, make, names, first):
        right_build(q, make, names, first)
        q.push_back(make("extra"))

    hint(checks.ex03_build, extra, "should hold exactly")


def right_drop_low(q, limit):
    cursor = q.cursor_front()
    while (peek := cursor.peek_next()) is not None:
        if peek.prio < limit:
            peek.remove().drop()
        else:
            cursor.move_next()


def test_drop_low_right_answer_passes():
    passes(checks.ex03_drop_low, right_drop_low)
    starter_asks_for_an_answer(checks.ex03_drop_low)


def test_drop_low_popping_everything_and_pushing_keepers_back_is_not_a_cursor_walk():
    def pop_all(q, limit):
        keep = []
        while (item := q.pop_front()) is not None:
            if item.prio < limit:
                item.drop()
            else:
                keep.append(item)
        for item in keep:
            q.push_back(item)

    verdict = hint(checks.ex03_drop_low, pop_all, "List::pop_front", "with a cursor")
    assert verdict.wrong_step == 0 and verdict.wrong_event.op == "List::pop_front"


def test_drop_low_moving_after_a_removal_skips_an_item():
    def skips(q, limit):
        cursor = q.cursor_front()
        while (peek := cursor.peek_next()) is not None:
            if peek.prio < limit:
                peek.remove().drop()
            cursor.move_next()

    verdict = hint(checks.ex03_drop_low, skips, "do not move the cursor")
    assert verdict.wrong_event.op == "Cursor::move_next"


def test_drop_low_cursor_that_never_advances_is_stopped_with_a_loop_hint():
    def stuck(q, limit):
        cursor = q.cursor_front()
        while (peek := cursor.peek_next()) is not None:
            if peek.prio < limit:
                peek.remove().drop()             # forgot cursor.move_next() in the else

    verdict = hint(checks.ex03_drop_low, stuck, "your loop called `Cursor::peek_next`",
                   "times without `Cursor::move_next`")
    assert verdict.recording is not None


def test_drop_low_hard_wired_limit_not_freed_iterating_and_allocating():
    def limit_five(q, limit):
        right_drop_low(q, 5)

    def not_freed(q, limit):
        cursor, kept = q.cursor_front(), []
        while (peek := cursor.peek_next()) is not None:
            if peek.prio < limit:
                kept.append(peek.remove())
            else:
                cursor.move_next()
        return kept

    def iterating(q, limit):
        for item in q:
            if item.prio < limit:
                q.remove(item).drop()

    def allocating(q, limit):
        right_drop_low(q, limit)
        kp.Arc.new("scratch", kp.GFP_KERNEL).drop()

    hint(checks.ex03_drop_low, limit_five, "with limit 3")
    hint(checks.ex03_drop_low, not_freed, "not freed")
    hint(checks.ex03_drop_low, iterating, "while an iterator")
    hint(checks.ex03_drop_low, allocating, "allocated")


def test_drop_low_with_unchecked_remove_is_unsafe_code():
    def unsafe(q, limit):
        for item in [i.clone_arc() for i in q]:
            if item.prio < limit:
                kp.unchecked.remove(q, item).drop()
            item.drop()

    hint(checks.ex03_drop_low, unsafe, "needs no `unsafe`", "`unchecked::remove`")
