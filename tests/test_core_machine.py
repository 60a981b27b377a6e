"""Random sequences of core operations keep the heap consistent (hypothesis state machine).

After every step `heap.check()` must pass and every object's refcount must equal what a
plain Python reference model predicts; misuse must raise a KernelPtrError and change nothing.
The learner's worst day is part of the mix: methods and destructors that raise, deep chains
of Arcs, `kp.reset()` with old handles still around, and Stop pressed in the middle of an
operation.
"""

import os
import warnings

import hypothesis.strategies as st
import pytest
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import kernelptr as kp
from _interrupts import chain, run_interrupted


class LearnerBug(Exception):
    """What a learner's method or destructor raises."""


class Speak(kp.Trait):
    def shout(self: "kp.Arc[Self]", loud): ...


@kp.impl_trait(Speak)
@kp.struct
class Bomb:
    """A value whose method raises when asked and whose `impl Drop` raises when `n` is odd."""

    n: int

    def shout(self: "kp.Arc[Self]", loud):
        if loud:
            raise LearnerBug("shout")
        return self.n

    def drop(self):
        if self.n % 2:
            raise LearnerBug(f"drop {self.n}")


class CoreMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.heap = kp.reset()
        self.old_heaps: list = []   # heaps kp.reset() replaced (their objects are refused)
        self.stale: list = []       # handles of those heaps
        self.bombs: dict = {}       # address -> n of each Bomb
        self.chains: dict = {}      # head address -> addresses of the nodes its chain owns
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

    def _released(self, address):
        """One count of `address` was given up; at zero it and what it owns are freed."""
        self.expected[address] -= 1
        if self.expected[address] == 0:
            self.expected[address] = None
            for owned in self.chains.pop(address, ()):
                self.expected[owned] = None

    def _panics_at_zero(self, address) -> bool:
        """Dropping the last reference runs a destructor that raises."""
        return self.expected[address] == 1 and self.bombs.get(address, 0) % 2 == 1

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
        if self._panics_at_zero(address):
            with pytest.raises(LearnerBug):     # the destructor raised; the drop completed
                h.drop()
        else:
            h.drop()
        self._retire(h)
        self._released(address)

    # -- the learner's worst day -------------------------------------------------------------
    @rule(n=st.integers(0, 9))
    def new_bomb(self, n):
        if self.guard is not None:
            return
        h = kp.Arc.new(Bomb(n), kp.GFP_KERNEL)
        self.arcs.append(h)
        self.expected[h.address] = 1
        self.bombs[h.address] = n

    @precondition(lambda self: any(isinstance(h, kp.Arc) and h.address in self.bombs
                                   for h in self.arcs))
    @rule(i=st.integers(0, 50), loud=st.booleans(), wrong_arguments=st.booleans())
    def call_method(self, i, loud, wrong_arguments):
        """`self: Arc<Self>` moves into the call; it is dropped when the method returns or
        panics (a panicking destructor during that unwinding aborts)."""
        arcs = [h for h in self.arcs if isinstance(h, kp.Arc) and h.address in self.bombs]
        h = arcs[i % len(arcs)]
        address = h.address
        if wrong_arguments:
            self._misuse(lambda: h.shout(loud, "extra"))    # E0061: nothing moves
            return
        drop_panics = self._panics_at_zero(address)
        if loud:
            with pytest.raises(kp.Abort if drop_panics else LearnerBug):
                h.shout(True)
        elif drop_panics:
            with pytest.raises(LearnerBug):
                h.shout(False)
        else:
            assert h.shout(False) == self.bombs[address]
        self._retire(h)
        self._released(address)

    @rule(depth=st.integers(1, 40))
    def deep_chain(self, depth):
        """`head = Arc::new(Node { n, next: head })`: dropping the head frees the chain."""
        if self.guard is not None:
            return
        head = chain(depth)
        first = head.address - 0x40 * (depth - 1)
        owned = [first + 0x40 * k for k in range(depth - 1)]
        for address in owned:
            self.expected[address] = 1
        self.chains[head.address] = owned
        self.arcs.append(head)
        self.expected[head.address] = 1

    @rule()
    def reset(self):
        """`kp.reset()`: a new kernel; the old one's handles are refused from now on."""
        if self.guard is not None:
            self.guard.drop()
            self.guard = None
        self.old_heaps.append(self.heap)
        self.heap = kp.reset()
        self.stale.extend(self.arcs)
        self.arcs, self.dead, self.borrows, self.raws = [], [], [], []
        self.expected, self.bombs, self.chains = {}, {}, {}
        self.lock = kp.SpinLock(None, "lock")

    @precondition(lambda self: self.stale)
    @rule(i=st.integers(0, 50))
    def use_stale(self, i):
        h = self.stale[i % len(self.stale)]
        old = h._heap
        before = repr(old.snapshot().objects)
        with pytest.raises(kp.UseAfterFree, match="kp.reset"):
            h.clone() if isinstance(h, kp.Arc) else h.drop()
        assert repr(old.snapshot().objects) == before
        old.check()

    @precondition(lambda self: any(a not in self.bombs for a in self._live_arcs()))
    @rule(i=st.integers(0, 50), op=st.sampled_from(["clone", "drop", "new"]),
          k=st.integers(1, 120))
    def interrupted(self, i, op, k):
        """Stop pressed at the k-th line the model runs for an operation: the operation
        completes, then KeyboardInterrupt is raised in the learner's code."""
        arcs = [h for h in self.arcs if h.address not in self.bombs and
                (op != "clone" or isinstance(h, kp.Arc))]
        if not arcs or (op == "new" and self.guard is not None):
            return
        h = arcs[i % len(arcs)]
        result, interrupted, seen = run_interrupted(
            lambda: h.clone() if op == "clone" else h.drop() if op == "drop" else
            kp.Arc.new(len(self.expected), kp.GFP_KERNEL), k)
        assert interrupted == (seen >= k)
        if op == "clone":
            self.arcs.append(result)
            self.expected[h.address] += 1
        elif op == "drop":
            self._retire(h)
            self._released(h.address)
        else:
            self.arcs.append(result)
            self.expected[result.address] = 1

    def _live_arcs(self):
        return [h.address for h in self.arcs]

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
        for old in self.old_heaps[-1:]:
            old.check()
        for address, count in self.expected.items():
            obj = self.heap.object_at(address)
            if count is None:
                assert obj.freed
            else:
                assert obj.refcount.read() == count and not obj.freed


#: KP_MACHINE_EXAMPLES=2000 runs the machines longer (the default keeps the suite fast).
EXAMPLES = int(os.environ.get("KP_MACHINE_EXAMPLES", "150"))
CoreMachine.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=40,
                                         deadline=None)


def test_core_state_machine():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kp.RefcountWarning)
        CoreMachine.TestCase("runTest").runTest()
