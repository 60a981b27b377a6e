"""Random sequences of core operations keep the heap consistent (hypothesis state machine).

After every step `heap.check()` must pass and every object's refcount must equal what a
plain Python reference model predicts; misuse must raise a KernelPtrError and change nothing.
"""

import warnings

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import kernelptr as kp


class CoreMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.heap = kp.Heap()
        self.heap.__enter__()
        self.lock = kp.SpinLock(None, "lock")
        self.guard = None
        self.arcs: list = []        # live owning Arc/UniqueArc handles
        self.dead: list = []        # consumed handles (for misuse)
        self.borrows: list = []     # (borrow, source handle)
        self.raws: list = []        # (RawPtr, reclaimed?)
        self.expected: dict = {}    # address -> expected count (None once freed)

    def teardown(self):
        if self.guard is not None:
            self.guard.drop()
        self.heap.__exit__(None, None, None)

    # -- helpers ---------------------------------------------------------------------------
    def _misuse(self, fn):
        snap = repr(self.heap.snapshot().objects)
        try:
            fn()
        except kp.KernelPtrError:
            pass
        else:
            raise AssertionError("misuse was not refused")
        assert repr(self.heap.snapshot().objects) == snap, "a failed operation changed state"

    def _retire(self, h):
        self.arcs.remove(h)
        self.dead.append(h)

    # -- rules -----------------------------------------------------------------------------
    @rule(unique=st.booleans(), fail=st.booleans(), atomic_flags=st.booleans())
    def new(self, unique, fail, atomic_flags):
        flags = kp.GFP_ATOMIC if atomic_flags else kp.GFP_KERNEL
        if fail:
            self.heap.fail_next_allocs()
        if fail or (self.guard is not None and flags is kp.GFP_KERNEL):
            self._misuse(lambda: (kp.UniqueArc if unique else kp.Arc).new(0, flags))
            self.heap.fail_next_allocs(0)
            return
        h = (kp.UniqueArc if unique else kp.Arc).new(len(self.expected), flags)
        self.arcs.append(h)
        self.expected[h.address] = 1

    @precondition(lambda self: self.arcs)
    @rule(i=st.integers(0, 50))
    def clone(self, i):
        h = self.arcs[i % len(self.arcs)]
        if isinstance(h, kp.UniqueArc):
            self._misuse(lambda: h.clone())          # UniqueArc is not Clone: no method
            return
        self.arcs.append(h.clone())
        self.expected[h.address] += 1

    @precondition(lambda self: self.arcs)
    @rule(i=st.integers(0, 50))
    def drop(self, i):
        h = self.arcs[i % len(self.arcs)]
        address = h.address
        h.drop()
        self._retire(h)
        self.expected[address] -= 1
        if self.expected[address] == 0:
            self.expected[address] = None

    @precondition(lambda self: self.arcs)
    @rule(i=st.integers(0, 50))
    def borrow(self, i):
        h = self.arcs[i % len(self.arcs)]
        if isinstance(h, kp.Arc):
            self.borrows.append((h.as_arc_borrow(), h))

    @precondition(lambda self: self.borrows)
    @rule(i=st.integers(0, 50))
    def borrow_to_arc(self, i):
        b, source = self.borrows[i % len(self.borrows)]
        if source.is_live():
            self.arcs.append(b.clone_arc())
            self.expected[b.address] += 1
        else:
            self._misuse(b.clone_arc)

    @precondition(lambda self: any(isinstance(h, kp.Arc) for h in self.arcs))
    @rule(i=st.integers(0, 50))
    def into_raw(self, i):
        arcs = [h for h in self.arcs if isinstance(h, kp.Arc)]
        h = arcs[i % len(arcs)]
        self.raws.append([h.into_raw(), False])
        self._retire(h)

    @precondition(lambda self: self.raws)
    @rule(i=st.integers(0, 50))
    def from_raw(self, i):
        entry = self.raws[i % len(self.raws)]
        p, reclaimed = entry
        if reclaimed:
            self._misuse(lambda: kp.Arc.from_raw(p))     # double free
            return
        self.arcs.append(kp.Arc.from_raw(p))
        entry[1] = True

    @precondition(lambda self: any(isinstance(h, kp.Arc) for h in self.arcs))
    @rule(i=st.integers(0, 50))
    def into_unique_or_drop(self, i):
        arcs = [h for h in self.arcs if isinstance(h, kp.Arc)]
        h = arcs[i % len(arcs)]
        address = h.address
        u = kp.Arc.into_unique_or_drop(h)
        self._retire(h)
        if self.expected[address] == 1:
            assert isinstance(u, kp.UniqueArc)
            self.arcs.append(u)
        else:
            assert u is None
            self.expected[address] -= 1

    @precondition(lambda self: any(isinstance(h, kp.UniqueArc) for h in self.arcs))
    @rule(i=st.integers(0, 50))
    def from_unique(self, i):
        us = [h for h in self.arcs if isinstance(h, kp.UniqueArc)]
        u = us[i % len(us)]
        self.arcs.append(kp.Arc.from_unique(u))
        self._retire(u)

    @rule()
    def toggle_lock(self):
        if self.guard is None:
            self.guard = self.lock.lock()
        else:
            self.guard.drop()
            self.guard = None

    @precondition(lambda self: self.dead)
    @rule(i=st.integers(0, 50))
    def use_after_move(self, i):
        h = self.dead[i % len(self.dead)]
        self._misuse(h.drop)

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def consistent(self):
        self.heap.check()
        for address, count in self.expected.items():
            obj = self.heap.object_at(address)
            if count is None:
                assert obj.freed
            else:
                assert obj.refcount.read() == count and not obj.freed


CoreMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40,
                                         deadline=None)


def test_core_state_machine():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kp.RefcountWarning)
        CoreMachine.TestCase("runTest").runTest()
