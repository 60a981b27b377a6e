"""A spinlock and the atomic context it creates: the kernel's `SpinLock<T>` and `Guard`."""

from __future__ import annotations

from . import unwind
from .errors import Deadlock, UseAfterMove
from .heap import current_heap
from .ownership import drop_value, register_expander
from .rust import Stmt, implicit

__all__ = ["SpinLock", "Guard"]


class SpinLock:
    """A spinlock protecting a value: the kernel's `kernel::sync::SpinLock<T>`.

    While a guard is alive the CPU is in atomic context: nothing may sleep, so a `GFP_KERNEL`
    allocation raises `SleepInAtomicContext`; `GFP_ATOMIC`, list pushes and
    `UniqueArc.write` are fine.

    >>> import kernelptr as kp
    >>> heap = kp.reset()
    >>> lock = kp.SpinLock([], "todo")
    >>> with lock.lock() as guard:
    ...     heap.in_atomic(), guard.value
    (True, [])
    >>> heap.in_atomic()
    False
    """

    _kp_labelled = True

    def __init__(self, value, name: str = "lock"):
        self._value = value
        self.name = name
        self._label = None
        self._held = False      # the guard itself is not kept: a dropped guard unlocks
        self._heap = current_heap()

    @property
    def is_locked(self) -> bool:
        return self._held

    def lock(self) -> "Guard":
        """`lock()`: take the lock (enter atomic context) and return its guard. A lock made
        before `kp.reset()` is refused: its atomic context would not cover the new kernel."""
        heap = self._heap
        heap._require_current(f"SpinLock::lock(`{self.name}`)")
        if self._held:
            raise Deadlock(
                f"spinlock `{self.name}` is already held by this context: taking it again "
                "spins forever",
                rule="kernel spinlocks are not recursive",
                fix="use the guard you already have, or release it (end its `with` block) "
                    "before locking again")
        guard = Guard(self)
        self._held = True
        heap._locks_held.append(self)
        heap.emit("SpinLock::lock", f"`{self.name}` taken: atomic context, no sleeping",
                  rust=Stmt("{}.lock()", self, result=guard, mut=True, unnamed="_guard"))
        return guard

    def try_lock(self):
        """`try_lock()`: the guard, or None if the lock is already held."""
        return None if self._held else self.lock()

    def _release(self, guard=None) -> None:
        heap = self._heap
        self._held = False
        heap._locks_held.remove(self)
        heap.emit("SpinLock::unlock", f"`{self.name}` released" +
                  ("" if heap.in_atomic() else ": sleeping allowed again"),
                  rust=Stmt("drop({})", guard))

    def _kp_values(self):
        yield self._value

    def _kp_drop_in_place(self):
        drop_value([self._value])

    def __repr__(self) -> str:
        state = "locked" if self._held else "unlocked"
        return f"SpinLock({self.name!r}, {state})"


class Guard:
    """The proof that a spinlock is held: the kernel's `kernel::sync::lock::Guard`; dropping
    it unlocks.

    >>> import kernelptr as kp
    >>> heap = kp.reset(); lock = kp.SpinLock(0, "counter")
    >>> guard = lock.lock(); guard.value += 1; guard.drop()
    >>> lock.lock().value
    1
    """

    def __init__(self, lock: SpinLock):
        self._lock = lock
        self._live = True

    def _check(self):
        if not self._live:
            raise UseAfterMove(
                f"guard of `{self._lock.name}` used after it was dropped (the lock is free)",
                rule="the protected data may only be touched while the guard is alive",
                rustc="error[E0382]: borrow of moved value: `guard`",
                fix="take the lock again: with lock.lock() as guard: ...")

    @property
    def value(self):
        """The protected data (`*guard`)."""
        self._check()
        return self._lock._value

    @value.setter
    def value(self, new) -> None:
        """`*guard = new`: the old value is dropped, as in Rust."""
        self._check()
        old, self._lock._value = self._lock._value, new
        with implicit("the old value of {} is dropped", self):
            drop_value([old])
        unwind.resume()

    def __del__(self):
        # A guard Python collects is a temporary that Rust drops at the end of its statement
        # (`lock.lock().value`): the lock is released, not held for ever.
        try:
            if self._live:
                self.drop()
        except Exception:  # interpreter shutdown
            pass

    def drop(self) -> None:
        """Drop the guard: unlock."""
        self._check()
        self._live = False
        self._lock._release(self)

    unlock = drop

    def __enter__(self) -> "Guard":
        return self

    def __exit__(self, *exc) -> None:
        if self._live:
            self.drop()

    def __repr__(self) -> str:
        return f"Guard({self._lock.name!r}{'' if self._live else ', dropped'})"


def _expand_lock(name, value):
    if isinstance(value, SpinLock):
        yield f"{name}.value", value._value
    elif isinstance(value, Guard):
        yield f"{name}.value", value._lock._value


register_expander(_expand_lock)
