"""A hypothesis state machine driving lists, cursors and ListArcs against a plain model.

Also in the mix: Stop pressed in the middle of a list operation (it completes first), loops
of the learner's that raise half-way through a list, long lists, and `kp.reset()`.
"""

import os

import pytest
from _interrupts import run_interrupted
from _list_types import Job
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import kernelptr as kp

LISTS = {"a0": 0, "b0": 0, "a1": 1, "b1": 1}
has_cursor = precondition(lambda self: self.cursor is not None)


class ListMachine(RuleBasedStateMachine):
    """The reference model: each list is a Python list of object addresses; a cursor is an
    index (the position of its `next`, len = at the back)."""

    def __init__(self):
        super().__init__()
        self.heap = kp.reset()
        self.lists = {name: kp.List(Job, id=i) for name, i in LISTS.items()}
        self.model = {name: [] for name in LISTS}
        self.las = {}          # (address, id) -> ListArc the test holds
        self.arcs = []         # plain Arcs the test holds
        self.cursor = None     # (list name, Cursor, model index)
        self.n = 0

    # -- helpers ---------------------------------------------------------------------------
    def where(self, address, id):
        for name, items in self.model.items():
            if LISTS[name] == id and address in items:
                return name
        return None

    def take_la(self, data, id):
        keys = sorted(k for k in self.las if k[1] == id)
        key = data.draw(st.sampled_from(keys))
        return key, self.las.pop(key)

    def store(self, la, id):
        assert isinstance(la, kp.ListArc) and la.id == id
        self.las[(la.address, id)] = la

    def at_cursor(self):
        name, c, i = self.cursor
        return name, c, i, self.model[name]

    def touched(self, name):
        """Using list `name` by another path ends the cursor's borrow."""
        if self.cursor is not None and self.cursor[0] == name:
            self.stale = self.cursor[1]
            self.cursor = None

    # -- making and converting ListArcs ----------------------------------------------------
    @rule()
    def new_pair(self):
        self.n += 1
        u = kp.UniqueArc.new(Job(self.n), kp.GFP_KERNEL)
        a, b = kp.ListArc.pair_from_unique(u)
        self.store(a, 0)
        self.store(b, 1)

    @precondition(lambda self: self.las)
    @rule(data=st.data())
    def into_arc(self, data):
        (address, id), la = self.take_la(data, data.draw(st.sampled_from(
            sorted({k[1] for k in self.las}))))
        self.arcs.append(la.into_arc())

    @precondition(lambda self: self.arcs)
    @rule(data=st.data(), id=st.sampled_from([0, 1]))
    def try_from_arc(self, data, id):
        arc = self.arcs.pop(data.draw(st.integers(0, len(self.arcs) - 1)))
        address = arc.address
        busy = (address, id) in self.las or self.where(address, id) is not None
        r = kp.ListArc.try_from_arc(arc, id=id)
        assert r.is_err() == busy
        if busy:
            assert r.value is arc and arc.is_live()
            self.arcs.append(arc)
        else:
            self.store(r.value, id)

    @precondition(lambda self: self.arcs)
    @rule(data=st.data())
    def drop_arc(self, data):
        self.arcs.pop(data.draw(st.integers(0, len(self.arcs) - 1))).drop()

    # -- list operations -------------------------------------------------------------------
    @precondition(lambda self: self.las)
    @rule(data=st.data(), front=st.booleans())
    def push(self, data, front):
        key, la = self.take_la(data, data.draw(st.sampled_from(sorted({k[1] for k in self.las}))))
        name = data.draw(st.sampled_from([n for n, i in LISTS.items() if i == key[1]]))
        self.touched(name)
        before = self.heap.alloc_count
        (self.lists[name].push_front if front else self.lists[name].push_back)(la)
        assert self.heap.alloc_count == before
        self.model[name].insert(0, key[0]) if front else self.model[name].append(key[0])

    @rule(name=st.sampled_from(sorted(LISTS)), back=st.booleans())
    def pop(self, name, back):
        self.touched(name)
        lst = self.lists[name]
        la = lst.pop_back() if back else lst.pop_front()
        if not self.model[name]:
            assert la is None
            return
        address = self.model[name].pop(-1 if back else 0)
        assert la.address == address
        self.store(la, LISTS[name])

    @precondition(lambda self: any(self.model.values()))
    @rule(data=st.data())
    def remove(self, data):
        src = data.draw(st.sampled_from([n for n in sorted(self.model) if self.model[n]]))
        address = data.draw(st.sampled_from(self.model[src]))
        id = LISTS[src]
        name = data.draw(st.sampled_from([n for n, i in LISTS.items() if i == id]))
        item = kp.ArcBorrow(self.heap.object_at(address), source=self.lists[src],
                            generation=self.lists[src]._generation)
        if name != src:
            with pytest.raises(kp.UndefinedBehavior):
                self.lists[name].remove(item)
            return
        self.touched(name)
        la = self.lists[name].remove(item)
        self.model[name].remove(address)
        self.store(la, id)

    @rule(id=st.sampled_from([0, 1]), swap=st.booleans())
    def push_all_back(self, id, swap):
        left, right = sorted(n for n, i in LISTS.items() if i == id)
        if swap:
            left, right = right, left
        self.touched(left)
        self.touched(right)
        self.lists[left].push_all_back(self.lists[right])
        self.model[left] += self.model[right]
        self.model[right] = []

    # -- cursors ---------------------------------------------------------------------------
    @rule(name=st.sampled_from(sorted(LISTS)), back=st.booleans())
    def new_cursor(self, name, back):
        self.touched(name)
        lst = self.lists[name]
        c = lst.cursor_back() if back else lst.cursor_front()
        self.cursor = (name, c, len(self.model[name]) if back else 0)

    @has_cursor
    @rule(forward=st.booleans())
    def move(self, forward):
        name, c, i, items = self.at_cursor()
        moved = c.move_next() if forward else c.move_prev()
        assert moved == (i < len(items) if forward else i > 0)
        if moved:
            i += 1 if forward else -1
        self.cursor = (name, c, i)
        self.check_peeks()

    def check_peeks(self):
        name, c, i, items = self.at_cursor()
        nxt = c.peek_next()       # one peek at a time: a second one ends the first's borrow
        assert (nxt and nxt.arc().address) == (items[i] if i < len(items) else None)
        prev = c.peek_prev()
        assert (prev and prev.arc().address) == (items[i - 1] if i > 0 else None)

    @has_cursor
    @rule(data=st.data(), after=st.booleans())
    def cursor_insert(self, data, after):
        name, c, i = self.cursor
        id = LISTS[name]
        if not any(k[1] == id for k in self.las):
            return
        key, la = self.take_la(data, id)
        (c.insert_next if after else c.insert_prev)(la)
        self.model[name].insert(i, key[0])
        self.cursor = (name, c, i if after else i + 1)
        self.check_peeks()

    @has_cursor
    @rule(forward=st.booleans())
    def cursor_remove(self, forward):
        name, c, i, items = self.at_cursor()
        la = c.remove_next() if forward else c.remove_prev()
        if forward and i == len(items) or not forward and i == 0:
            assert la is None
            return
        address = items.pop(i if forward else i - 1)
        assert la.address == address
        self.store(la, LISTS[name])
        self.cursor = (name, c, i if forward else i - 1)

    # -- the learner's worst day ---------------------------------------------------------
    @precondition(lambda self: self.las)
    @rule(data=st.data(), front=st.booleans(), k=st.integers(1, 120))
    def interrupted_push(self, data, front, k):
        key, la = self.take_la(data, data.draw(st.sampled_from(sorted({k[1] for k in self.las}))))
        name = data.draw(st.sampled_from([n for n, i in LISTS.items() if i == key[1]]))
        self.touched(name)
        lst = self.lists[name]
        _, interrupted, seen = run_interrupted(
            lambda: (lst.push_front if front else lst.push_back)(la), k)
        assert interrupted == (seen >= k)
        self.model[name].insert(0, key[0]) if front else self.model[name].append(key[0])

    @rule(name=st.sampled_from(sorted(LISTS)), back=st.booleans(), k=st.integers(1, 120))
    def interrupted_pop(self, name, back, k):
        self.touched(name)
        lst = self.lists[name]
        la, interrupted, seen = run_interrupted(lst.pop_back if back else lst.pop_front, k)
        assert interrupted == (seen >= k)
        if self.model[name]:
            assert la.address == self.model[name].pop(-1 if back else 0)
            self.store(la, LISTS[name])
        else:
            assert la is None

    @has_cursor
    @rule(forward=st.booleans(), k=st.integers(1, 120))
    def interrupted_cursor_remove(self, forward, k):
        name, c, i, items = self.at_cursor()
        la, interrupted, seen = run_interrupted(c.remove_next if forward else c.remove_prev, k)
        assert interrupted == (seen >= k)
        if forward and i == len(items) or not forward and i == 0:
            assert la is None
            return
        assert la.address == items.pop(i if forward else i - 1)
        self.store(la, LISTS[name])
        self.cursor = (name, c, i if forward else i - 1)

    @rule(name=st.sampled_from(sorted(LISTS)), at=st.integers(0, 5))
    def learner_loop_raises(self, name, at):
        """The learner's loop over a list raises half-way: the list is only borrowed."""
        self.touched(name)
        with pytest.raises(LearnerBug):
            for n, item in enumerate(self.lists[name]):
                if n == at:
                    raise LearnerBug(item.n)
            raise LearnerBug("end")

    @rule(count=st.integers(20, 60), name=st.sampled_from(sorted(LISTS)))
    def long_list(self, count, name):
        id = LISTS[name]
        self.touched(name)
        for _ in range(count):
            self.n += 1
            la = kp.ListArc.new(Job(self.n), kp.GFP_KERNEL, id=id)
            self.model[name].append(la.address)
            self.lists[name].push_back(la)

    @rule()
    def reset(self):
        """`kp.reset()`: the old kernel's lists and ListArcs are refused from now on."""
        self.stale_lists = list(self.lists.values())
        self.stale_las = list(self.las.values())
        self.old_heap = self.heap
        self.heap = kp.reset()
        self.lists = {name: kp.List(Job, id=i) for name, i in LISTS.items()}
        self.model = {name: [] for name in LISTS}
        self.las, self.arcs, self.cursor, self.stale = {}, [], None, None

    @precondition(lambda self: getattr(self, "stale_lists", None))
    @rule(data=st.data())
    def use_stale(self, data):
        lst = data.draw(st.sampled_from(self.stale_lists))
        with pytest.raises(kp.UseAfterFree, match="kp.reset"):
            lst.pop_front()
        if self.stale_las:
            with pytest.raises(kp.UseAfterFree, match="kp.reset"):
                data.draw(st.sampled_from(self.stale_las)).clone_arc()
        self.old_heap.check()

    # -- misuse ----------------------------------------------------------------------------
    @precondition(lambda self: self.las)
    @rule(data=st.data())
    def push_wrong_id(self, data):
        key, la = self.take_la(data, data.draw(st.sampled_from(sorted({k[1] for k in self.las}))))
        name = data.draw(st.sampled_from([n for n, i in LISTS.items() if i != key[1]]))
        with pytest.raises(kp.TypeMismatch, match=f"found `ListArc<Job, {key[1]}>`"):
            self.lists[name].push_back(la)
        self.las[key] = la

    @precondition(lambda self: getattr(self, "stale", None) is not None)
    @rule()
    def use_stale_cursor(self):
        with pytest.raises(kp.BorrowError):
            self.stale.peek_next()

    @precondition(lambda self: self.las)
    @rule(data=st.data())
    def clone_list_arc(self, data):
        key = data.draw(st.sampled_from(sorted(self.las)))
        with pytest.raises(kp.NotClone):
            self.las[key].clone()

    # -- checks after every step -----------------------------------------------------------
    @invariant()
    def matches_model(self):
        for name, lst in self.lists.items():
            assert [o.address for o in lst._items()] == self.model[name], name
            assert (lst._first is None) == (not self.model[name])
        self.heap.check()

    def teardown(self):
        for lst in self.lists.values():
            lst.drop()
        for la in self.las.values():
            la.drop()
        for a in self.arcs:
            a.drop()
        assert self.heap.objects() == []
        self.heap.check()


class LearnerBug(Exception):
    """What a learner's loop raises."""


#: KP_MACHINE_EXAMPLES=2000 runs the machines longer (the default keeps the suite fast).
EXAMPLES = int(os.environ.get("KP_MACHINE_EXAMPLES", "60"))
ListMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_list_machine = ListMachine.TestCase
