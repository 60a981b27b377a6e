"""List cursors: the current between-items design and the v6.11 one (behaviours 54-61)."""

import pytest
from _list_types import Job, filled, job, ns

import kernelptr as kp


def test_behaviour_54_cursors_on_empty_list(heap):
    q = kp.List(Job)
    for c in (q.cursor_front(), q.cursor_back()):
        q._cursor = c
        assert c.peek_next() is None and c.peek_prev() is None
        assert c.move_next() is False and c.move_prev() is False


@pytest.mark.parametrize("back", [False, True])
def test_behaviours_55_56_at_the_ends_peeks_are_none_and_moves_stop(heap, back):
    """behaviour 55 (peeks at the ends) and behaviour 56 (moves stop at the ends)."""
    q = filled([1, 2, 3])
    c = q.cursor_back() if back else q.cursor_front()
    outward, inward = (c.peek_next, c.peek_prev) if back else (c.peek_prev, c.peek_next)
    assert outward() is None and inward().n == (3 if back else 1)
    assert (c.move_next() if back else c.move_prev()) is False
    assert inward().n == (3 if back else 1)


def test_behaviour_57_move_next_past_last_reaches_back(heap):
    q = filled([1, 2])
    c = q.cursor_front()
    assert c.move_next() and c.peek_next().n == 2
    assert c.move_next() and c._next is None and c.peek_next() is None


def test_cursor_walk_like_kernel_docs(heap):
    q = filled([1, 2, 3])
    c = q.cursor_front()
    seen = []
    while (p := c.peek_next()) is not None:
        seen.append(p.n)
        c.move_next()
    back = []
    while (p := c.peek_prev()) is not None:
        back.append(p.n)
        c.move_prev()
    assert seen == [1, 2, 3] and back == [3, 2, 1]


def test_behaviour_58_remove_through_peek_keeps_position(heap):
    q = filled([1, 2, 3, 4])
    c = q.cursor_front()
    c.move_next()                     # between 1 and 2
    la = c.peek_next().remove()
    assert la.n == 2 and c.peek_prev().n == 1 and c.peek_next().n == 3
    lb = c.peek_prev().remove()
    assert lb.n == 1 and c.peek_next().n == 3 and c.peek_prev() is None
    assert ns(q) == [3, 4] and q.first.n == 3


def test_remove_next_of_only_element_and_last(heap):
    q = filled([1])
    c = q.cursor_front()
    assert c.remove_next().n == 1 and q._first is None
    q = filled([1, 2])
    c = q.cursor_front()
    c.move_next()
    assert c.remove_next().n == 2 and c._next is None and ns(q) == [1]


def test_behaviour_59_remove_at_ends_returns_none(heap):
    q = filled([1, 2])
    assert q.cursor_front().remove_prev() is None
    assert q.cursor_back().remove_next() is None
    assert ns(q) == [1, 2]


def test_behaviour_60_inserts(heap):
    q = filled([2, 4])
    c = q.cursor_front()
    c.insert_prev(job(1))             # before the front: new head
    assert q._first.value.n == 1 and c.peek_next().n == 2
    c.move_next()
    c.insert_next(job(3))
    assert c.peek_next().n == 3 and c.peek_prev().n == 2
    c = q.cursor_back()
    c.insert_next(job(6))             # the cursor now sits before 6
    c.insert(job(5))                  # = insert_prev: 5 goes before 6
    assert ns(q) == [1, 2, 3, 4, 5, 6]
    with pytest.raises(kp.UseAfterMove, match="insert"):
        c.peek_next()
    e = kp.List(Job)
    e.cursor_back().insert_prev(job(9))
    assert ns(e) == [9]


def test_behaviour_61_old_cursor_api(heap):
    assert kp.list.cursor_front_v6_11(kp.List(Job)) is None
    q = filled([1, 2, 3])
    c = kp.list.cursor_front_v6_11(q)
    assert c.current().n == 1 and c.prev() is None
    with pytest.raises(kp.UseAfterMove):
        c.current()
    c = kp.list.cursor_front_v6_11(q).next()
    assert c.current().n == 2
    la = c.remove()
    assert la.n == 2 and ns(q) == [1, 3]
    c = kp.list.cursor_front_v6_11(q).next()
    assert c.next() is None


def test_cursor_borrow_ends_when_list_used_elsewhere(heap):
    q = filled([1, 2])
    c = q.cursor_front()
    p = c.peek_next()
    assert p.arc().n == 1
    c.move_next()
    with pytest.raises(kp.BorrowError, match="E0499"):
        p.remove()                    # the peek borrowed the cursor, which moved since
    q.is_empty()                      # the list used directly: the cursor's borrow ends
    with pytest.raises(kp.BorrowError, match="E0499"):
        c.peek_next()
    c2 = q.cursor_back()
    q.cursor_front()
    with pytest.raises(kp.BorrowError):
        c2.move_prev()
    with pytest.raises(kp.TypeMismatch, match="ListArc<Job, 0>"):
        q.cursor_front().insert_next(job(3, id=1))
    p = q.cursor_front().peek_next()
    p.remove()
    with pytest.raises(kp.UseAfterMove):
        p.remove()


def test_cursor_moves_are_events_saying_where_the_cursor_is(heap):
    """A Stepper can follow a cursor: creating and moving it are events naming its place."""
    from kernelptr.list.example import queue

    q = queue(1, 2)
    c = q.cursor_front()
    assert heap.events[-1].op == "List::cursor_front"
    assert heap.events[-1].summary.startswith("cursor now at the front, before Job @")
    c.move_next()
    assert heap.events[-1].summary.startswith("cursor now between Job @")
    c.move_next()
    assert heap.events[-1].summary.startswith("cursor now at the back, after Job @")
    assert c.position().startswith("at the back")


def test_a_read_of_the_list_that_ends_a_cursors_borrow_is_an_event(heap):
    """`q.is_empty()` (like `q.first` or iterating) ends the cursor's `&mut` borrow: the
    pictures must stop showing the cursor at that step, not at some later one."""
    q = filled([1, 2])
    c = q.cursor_front()
    with kp.record() as rec:
        q.is_empty()
        q.is_empty()            # nothing left to end: no event
    assert [f.event.op for f in rec.frames] == ["List::is_empty"]
    assert rec.frames[0].snapshot.lists[0].cursor == ()
    with pytest.raises(kp.BorrowError):
        c.peek_next()


def test_insert_consumes_the_cursor_in_the_same_event(heap):
    q = filled([1])
    c = q.cursor_front()
    with kp.record() as rec:
        c.insert(job(2))
    assert rec.frames[-1].snapshot.lists[0].cursor == ()
