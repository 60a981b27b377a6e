# %% [md] slide
# # 02 · `ArcBorrow` and `UniqueArc`
#
# **You will learn**
# - why `ArcBorrow<'_, T>` exists next to `&Arc<T>` (one level of indirection less);
# - how the model checks a borrow's lifetime;
# - how `UniqueArc::new_uninit` splits allocation (outside a spinlock) from initialisation
#   (inside it);
# - how to handle an allocation failure.

# %% slide
import kernelptr as kp
import widgets

heap = kp.reset()

@kp.struct
class Job:
    name: str
    prio: int = 0

# %% [md]
# ## `&Arc<T>` versus `ArcBorrow<'_, T>`
# A `&Arc<T>` points at the `Arc`, which points at the `ArcInner`: two hops. An `ArcBorrow`
# points straight at the `ArcInner`, like the `Arc` itself, but owns no count. It can still
# make a new `Arc` with `clone_arc()` (+1).

# %%
with kp.record() as rec:
    a = kp.Arc.new(Job("render"), kp.GFP_KERNEL)
    b = a.as_arc_borrow()            # no count change
    copy = b.clone()                 # ArcBorrow is Copy: still no count change
    owned = b.clone_arc()            # a real owner: +1
widgets.Stepper(rec)

# %%
a.refcount, b.name, kp.Arc.ptr_eq(a, owned)

# %% [md] subslide
# ## A borrow cannot outlive what it borrows
# Drop the `Arc` a borrow came from, and the borrow's lifetime is over: rustc would reject
# the program (E0505); the model raises `BorrowError`.

# %% raises-exception
a.drop()
b.clone_arc()

# %% [md] slide
# ## `UniqueArc`: allocate outside the lock, initialise inside
# Inside a spinlock nothing may sleep, so nothing may allocate with `GFP_KERNEL`. The kernel
# pattern: allocate `UniqueArc<MaybeUninit<T>>` first, then `write` the value under the lock
# (no allocation, cannot fail), then share it as an `Arc` (count stays 1).

# %%
lock = kp.SpinLock(None, "queue_lock")
with kp.record() as rec:
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)   # may sleep: before the lock
    with lock.lock() as guard:
        u = u.write(Job("urgent", prio=9))                  # in atomic context: fine
        u.prio = 10                                         # UniqueArc is mutable
        guard.value = kp.Arc.from_unique(u)                 # shared now; count 1
widgets.Stepper(rec)

# %% [md] subslide
# Allocating inside the lock is the bug the pattern avoids:

# %% raises-exception
with lock.lock():
    kp.UniqueArc.new(Job("too late"), kp.GFP_KERNEL)

# %% [md] subslide
# `GFP_ATOMIC` is allowed in atomic context, but it can fail. The model can make it fail:

# %%
with lock.lock():
    heap.fail_next_allocs(1)
    try:
        kp.Arc.new(Job("atomic"), kp.GFP_ATOMIC)
    except kp.AllocError as err:
        print("AllocError:", err.what)
heap.check()

# %% [md] slide
# ## Exercise 1: publish into a registry
# `lock` protects a registry: a Python list of published `kp.Arc`s (`guard.value`). Write
# `publish(lock, name)`: add a new `Job(name, prio=...)` whose `prio` is its position in the
# registry (the registry's length when it is added). The position is only known while the
# lock is held, and nothing may sleep then. Allocate before the lock; inside **one** critical
# section read the position, write the value and append the shared `kp.Arc`. The check runs
# it on two registries and watches which steps run under the lock.

# %% exercise
def publish(lock, name):
    ...  # your turn

# %% solution
def publish(lock, name):
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    with lock.lock() as guard:
        u = u.write(Job(name, prio=len(guard.value)))
        guard.value.append(kp.Arc.from_unique(u))

# %% check
from kernelptr.course import checks
checks.ex02_publish(publish)

# %% [md] subslide
# ## Exercise 2: two allocations, either can fail
# Write `make_pair(first, second)` returning `(a, b)`: two new `kp.Arc`s of `Job(first)` and
# `Job(second)`. If either allocation fails, return `None` and leave nothing allocated. In
# Rust `let a = Arc::new(..)?; let b = Arc::new(..)?;` gets this right by itself: when the
# second `?` returns early, `a` goes out of scope and is dropped. Here you say it yourself.
# The check makes the first allocation fail on one run and the second on another.

# %% exercise
def make_pair(first, second):
    ...  # your turn

# %% solution
def make_pair(first, second):
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

# %% check
checks.ex02_make_pair(make_pair)

# %% [md] slide
# ## Summary
# - `kernel::sync::ArcBorrow<'a, T>`: no count, `Copy`, `Arc::from(borrow)` adds one; lists
#   and `as_arc_borrow` hand them out.
# - `kernel::sync::UniqueArc<T>`: count exactly 1, `DerefMut`; `new_uninit` + `write` split
#   allocation from initialisation; `Arc::from(UniqueArc)` is free.
# - `Arc::into_unique_or_drop` is the only way back from `Arc` to `UniqueArc`.
# - Next: `03_intrusive_lists`.
