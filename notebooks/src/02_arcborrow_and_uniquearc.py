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
# ## Exercise 1: publish under a lock
# Write `publish(lock)`: allocate a `Job` with `kp.UniqueArc.new_uninit` **before** taking
# the lock, `write` it **inside** `with lock.lock():`, and return it as a shared `kp.Arc`.

# %% exercise
def publish(lock):
    ...  # your turn

# %% solution
def publish(lock):
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    with lock.lock():
        u = u.write(Job("published"))
    return kp.Arc.from_unique(u)

# %% check
from kernelptr.course import checks
checks.ex02_publish(publish)

# %% [md] subslide
# ## Exercise 2: handle the failure
# Write `try_make()` that returns a new `kp.Arc` of a `Job`, or `None` when the allocation
# fails (in the kernel: return `Err(ENOMEM)` instead of crashing).

# %% exercise
def try_make():
    ...  # your turn

# %% solution
def try_make():
    try:
        return kp.Arc.new(Job("maybe"), kp.GFP_KERNEL)
    except kp.AllocError:
        return None

# %% check
checks.ex02_fallible(try_make)

# %% [md] slide
# ## Summary
# - `kernel::sync::ArcBorrow<'a, T>`: no count, `Copy`, `Arc::from(borrow)` adds one; lists
#   and `as_arc_borrow` hand them out.
# - `kernel::sync::UniqueArc<T>`: count exactly 1, `DerefMut`; `new_uninit` + `write` split
#   allocation from initialisation; `Arc::from(UniqueArc)` is free.
# - `Arc::into_unique_or_drop` is the only way back from `Arc` to `UniqueArc`.
# - Next: `03_intrusive_lists`.
