"""Checks of notebook 02 (ArcBorrow and UniqueArc): publish under a lock; two allocations."""

from __future__ import annotations

from ... import flags as _flags
from ...arc import Arc
from ...errors import AllocError, SleepInAtomicContext
from ...lock import SpinLock
from ..attempt import Hint, attempt
from ..runner import exercise
from ._common import Job, fresh

__all__ = ["ex02_publish", "ex02_make_pair"]

_ALLOCATING = ("Arc::new", "UniqueArc::new", "UniqueArc::new_uninit", "ListArc::new")


def _field(heap, address, name):
    return getattr(heap.object_at(address).value, name, None)


@exercise
def ex02_publish(publish):
    """`publish(lock, name)`: the lock protects a registry (a list of Arcs); allocate a Job
    before the lock, then in ONE critical section write it with `prio` = its position in
    the registry and append it."""
    for name, earlier in (("alpha", ()), ("beta", ("x", "y"))):
        with fresh() as heap:
            registry = [Arc.new(Job(n), _flags.GFP_KERNEL) for n in earlier]
            lock = SpinLock(registry, "registry_lock")
            allocs = heap.alloc_count
            at_unlock = []          # the registry's length each time the lock is released

            def watch(event):
                if event.op == "SpinLock::unlock":
                    at_unlock.append(len(registry))

            unsubscribe = heap.subscribe(watch)
            try:
                run = attempt(publish, lock, name, hints={SleepInAtomicContext: (
                    "you allocated with GFP_KERNEL while holding the lock. Allocate with "
                    "kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job) BEFORE lock.lock().")})
            finally:
                unsubscribe()
            if lock.is_locked:
                raise Hint("the lock is still held when publish returns: use `with "
                           "lock.lock() as guard:`.")
            locks = run.events("SpinLock::lock")
            if not locks:
                raise Hint("take the lock: the registry may only be read and changed under it.")
            if len(locks) > 1:
                raise Hint(f"you took the lock {len(locks)} times. Between two critical "
                           "sections another CPU can publish too, so the position you read in "
                           "the first may be taken by the time you append: read the position, "
                           "write and append in one critical section.", at=locks[1])
            allocations = run.events(*_ALLOCATING)
            inside = [e for e in allocations if run.atomic(e)]
            if inside:
                raise Hint("you allocated inside the critical section (even GFP_ATOMIC can fail "
                           "there, in the middle of your update): allocate once, before the "
                           "lock, with kp.UniqueArc.new_uninit.", at=inside[0])
            if heap.alloc_count - allocs != 1:
                raise Hint(f"{heap.alloc_count - allocs} allocations: allocate exactly one Job, "
                           "before the lock.", at=allocations[-1] if allocations else None)
            if run.first("UniqueArc::new_uninit") is None:
                raise Hint("use kp.UniqueArc.new_uninit(...): its value can only be written "
                           "once the lock is held and the position is known.",
                           at=allocations[0] if allocations else None)
            writes = run.events("UniqueArc::write")
            if not writes or not run.atomic(writes[0]):
                raise Hint("write the Job (u.write(...)) inside the `with lock.lock():` block: "
                           "its prio is the registry's length, which only the lock holder "
                           "may read.", at=writes[0] if writes else None)
            address = allocations[0].addresses[0]
            if len(registry) != len(earlier) + 1 or not isinstance(registry[-1], Arc):
                raise Hint("append the shared kp.Arc (kp.Arc.from_unique(u)) to the registry "
                           "(guard.value) inside the critical section.")
            if at_unlock and at_unlock[-1] != len(registry):
                raise Hint("you appended to the registry after releasing the lock: another CPU "
                           "may be changing it at that moment. Append inside the critical "
                           "section.", at=run.events("SpinLock::unlock")[-1])
            if registry[-1].address != address:
                raise Hint("append the Job you allocated before the lock.")
            if _field(heap, address, "name") != name:
                raise Hint(f"the Job should be named {name!r} (the `name` you were given).")
            prio = _field(heap, address, "prio")
            if prio != len(earlier):
                raise Hint(f"this run's registry held {len(earlier)} Arcs, so the new Job's prio "
                           f"should be {len(earlier)}, not {prio!r}: read len(guard.value) under "
                           "the lock.", at=writes[0])
            if registry[-1].refcount != 1:
                raise Hint(f"the registry's Arc should be the only owner (refcount 1), it is "
                           f"{registry[-1].refcount}: drop what you do not keep.")
    return "allocated where sleeping is allowed, written and published in one critical section."


@exercise
def ex02_make_pair(make_pair):
    """`make_pair(first, second)` -> (a, b), two Arcs of Jobs, or None when either allocation
    fails, leaving nothing allocated."""
    for first, second in (("left", "right"), ("up", "down")):
        with fresh() as heap:
            run = attempt(make_pair, first, second)
            result = run.result
            if not (isinstance(result, tuple) and len(result) == 2 and
                    all(isinstance(h, Arc) for h in result)):
                raise Hint(f"returned {result!r}; return the pair of kp.Arc handles (a, b).")
            if [_field(heap, h.address, "name") for h in result] != [first, second]:
                raise Hint("name the Jobs after the arguments: Job(first), Job(second).")

    with fresh() as heap:
        heap.fail_next_allocs(1)
        run = attempt(make_pair, "north", "south", hints={AllocError: (
            "the AllocError escaped. Catch it (`except kp.AllocError:`) and return None: in the "
            "kernel you would return Err(ENOMEM).")})
        if run.result is not None:
            raise Hint(f"the first allocation failed, yet you returned {run.result!r}: return "
                       "None.")
        if heap.objects():
            raise Hint("the first allocation failed, but something else was allocated: stop at "
                       "the first failure.")

    with fresh() as heap:
        made = []

        def fail_the_second(event):
            if event.op in _ALLOCATING and not made:
                made.append(event)
                heap.fail_next_allocs(1)

        unsubscribe = heap.subscribe(fail_the_second)
        try:
            run = attempt(make_pair, "east", "west", hints={AllocError: (
                "the second allocation's AllocError escaped: catch it and return None.")})
        finally:
            unsubscribe()
        if run.result is not None:
            raise Hint(f"the second allocation failed, yet you returned {run.result!r}: return "
                       "None.")
        first = made[0].addresses[0] if made else None
        if first is not None and not heap.object_at(first).freed:
            raise Hint("the second allocation failed and the first Job is still allocated: "
                       "nobody will ever free it. Drop it before returning None (in Rust the "
                       "`?` of `Arc::new(..)?` drops it for you).", at=made[0])
    return "both Arcs when memory allows; None and nothing leaked when either allocation fails."
