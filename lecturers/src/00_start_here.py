# %% [md] slide
# # 00 · Start here: why the kernel has its own smart pointers
#
# **You will learn**
# - what the Linux kernel needs from a reference-counted pointer that userspace Rust does not;
# - how to drive the model (`import kernelptr as kp`) and watch the heap while you do;
# - how to use the three pictures of this course: `HeapView`, `Stepper` and `%%kptrace`;
# - how exercises and their self-checks work.

# %% [md] subslide
# ## What the kernel needs that userspace Rust does not
#
# | Userspace `std::sync::Arc` | Kernel `kernel::sync::Arc` | Why |
# |---|---|---|
# | `Arc::new(v)` aborts when memory runs out | `Arc::new(v, flags)` returns `Result<_, AllocError>` | the kernel must survive allocation failure |
# | may allocate anywhere | `GFP_KERNEL` may sleep: forbidden while a spinlock is held | a spinlock holder must never sleep |
# | overflow of the count **aborts** the process | C `refcount_t` **saturates** and leaks | the kernel cannot abort; a leak is safer than a use-after-free |
# | strong + weak counts (16-byte header) | one 32-bit count, no weak references | half the header |
# | `get_mut` can move the value | no `get_mut`: the value is always pinned | kernel objects are linked by address |
#
# Every row is a rule the model enforces. Break one and you get an error that names the
# rule, the `rustc` error you would see in Rust, and the fix.

# %% slide
import kernelptr as kp
import widgets

heap = kp.reset()        # a fresh simulated kernel: first cell of every notebook

# %% [md]
# ## A live picture of the heap
# `widgets.HeapView(heap)` redraws itself after every operation. Handles (your variables)
# are on the left; objects (`ArcInner<T>`: a refcount, then the data) on the right.

# %%
view = widgets.HeapView(heap)
view

# %%
a = kp.Arc.new("hello", kp.GFP_KERNEL)    # allocate: refcount 1
b = a.clone()                             # a second owner: refcount 2
a

# %% fragment
b.drop()                                  # give one count back
a.refcount

# %% [md] subslide
# ## Allocation can fail
# Every allocating constructor takes flags and can fail. The model lets you inject the
# failure: nothing is created, nothing changes.

# %%
heap.fail_next_allocs(1)
try:
    kp.Arc.new("never", kp.GFP_KERNEL)
except kp.AllocError as err:
    print(type(err).__name__, "-", err.what)
heap.alloc_count

# %% [md] subslide
# ## No sleeping while a spinlock is held
# Inside `with lock.lock():` the CPU is in *atomic context*. `GFP_KERNEL` may sleep, so
# the model refuses it, exactly like the kernel's "sleeping function called from invalid
# context" splat.

# %% raises-exception
lock = kp.SpinLock([], "todo_lock")
with lock.lock():
    kp.Arc.new("inside", kp.GFP_KERNEL)

# %% [md] subslide
# ## Step through a recording
# `kp.record()` keeps one frame per operation; `widgets.Stepper` plays them back like
# Python Tutor: buttons, a slider, Play, the source line and the event log. Click the
# picture, then use the arrow keys (← →, Home, End).

# %%
with kp.record() as rec:
    job = kp.Arc.new("job", kp.GFP_KERNEL)
    other = job.clone()
    borrowed = job.as_arc_borrow()
    other.drop()
    job.drop()
[str(frame.event) for frame in rec.frames]

# %%
widgets.Stepper(rec)

# %% [md] subslide
# ## `%%kptrace`: trace a cell line by line
# Load the extension once; then any cell that starts with `%%kptrace` is shown as a
# Stepper with one frame per line that changed the heap.

# %%
%load_ext widgets

# %%
%%kptrace
first = kp.Arc.new("traced", kp.GFP_KERNEL)
second = first.clone()
first.drop()

# %% [md] slide
# ## The map of the course
# 1. `01_arc_and_refcount_t`: clone and drop; `refcount_t` saturation versus std's abort; no weak references; pinning.
# 2. `02_arcborrow_and_uniquearc`: borrowing without a count; allocate outside a lock, initialise inside.
# 3. `03_intrusive_lists`: lists that never allocate, links inside the value, cursors.
# 4. `04_listarc`: why a list needs `ListArc<T, ID>`, per-ID ownership, the unsafe `remove`.
# 5. `05_dynamic_dispatch`: `Arc<dyn Trait>`, vtables, arbitrary self types, `Wrapper<dyn Trait>` lists.
# 6. `06_c_vtables`: `#[vtable]`, `HAS_*` and NULL slots in C ops tables.
# 7. `07_case_study_todo_list`: Binder's todo list and a workqueue, end to end.
#
# **Exercises** come right after the idea they practise. Write your answer in the cell marked
# *your turn*, then run the *check* cell below it: it prints ✅ or a 💡 hint.
# Lecturers find the solutions in `lecturers/solutions/`, next to this folder.

# %% [md] slide
# ## Exercise 1: two owners
# Write `make_two_owners(value)` returning `(a, b)`: two `kp.Arc` handles that own **the
# same** new object holding `value` (refcount 2). The check runs it with two different
# values and looks at what your code did, step by step; when it gives a hint with a
# picture, the picture is open at the first step that went wrong.

# %% exercise
def make_two_owners(value):
    ...  # your turn

# %% solution
def make_two_owners(value):
    a = kp.Arc.new(value, kp.GFP_KERNEL)
    b = a.clone()
    return a, b

# %% check
from kernelptr.course import checks
checks.ex00_two_owners(make_two_owners)

# %% [md] subslide
# ## Exercise 2: allocating while a spinlock is held
# Sometimes the allocation cannot move out of the lock: `remember(guard, text)` is called by
# code that already holds the spinlock `log_lock` (`guard.value` is the log, a Python list).
# Allocate a `kp.Arc` holding `text` and append it to the log, then return `True`. Pick
# flags that are allowed here (`kp.GFP_KERNEL`, `kp.GFP_ATOMIC` or `kp.GFP_NOWAIT`?), and
# remember what the allowed ones can do that `GFP_KERNEL` would have slept through: if the
# allocation fails, return `False` and leave the log as it was. Do not release the lock.

# %% exercise
def remember(guard, text):
    ...  # your turn

# %% solution
def remember(guard, text):
    try:
        entry = kp.Arc.new(text, kp.GFP_ATOMIC)
    except kp.AllocError:
        return False
    guard.value.append(entry)
    return True

# %% check
checks.ex00_alloc_in_lock(remember)

# %% [md] slide
# ## Summary
# - The kernel's `Arc` is `kernel::sync::Arc` (rust/kernel/sync/arc.rs), counted by C
#   `refcount_t` (include/linux/refcount.h, lib/refcount.c) through `kernel::sync::Refcount`.
# - Allocation takes `kernel::alloc::Flags` (`GFP_KERNEL`, `GFP_ATOMIC`, `GFP_NOWAIT`) and
#   returns `Result<_, AllocError>`.
# - `SpinLock` (rust/kernel/sync/lock/spinlock.rs) puts you in atomic context: no sleeping.
# - Next: `01_arc_and_refcount_t`.
