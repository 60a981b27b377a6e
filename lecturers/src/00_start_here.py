# %% [md] slide
# # 00 · Start here: why the kernel has its own smart pointers
#
# **You will learn**
# - what the Linux kernel needs from a reference-counted pointer that userspace Rust does not;
# - the first lines of kernel Rust (`Arc::new(v, GFP_KERNEL)?`, `a.clone()`, `drop(b)`,
#   `lock.lock()`) and the model's line for each (`import kernelptr as kp`);
# - how to read the pictures: handles, objects, the refcount row, links;
# - how predictions and exercises work: you commit to an answer first, then the model shows;
# - the live pictures of the course: `HeapView`, `Stepper` and `%%kptrace`.

# %% [md] notes
# **Speaker notes.** Say: the kernel has its own `Arc`, `ArcBorrow`, `UniqueArc` and
# `ListArc` because its rules differ from userspace: allocation fails, some code may not
# sleep, nothing may abort. This course runs a faithful Python model of those types, so every
# rule can be broken safely and watched. Ask the room: "who has used `std::sync::Arc`? What
# happens in userspace when `malloc` fails?" Show: the table on the next slide.

# %% [md] subslide
# ## What the kernel needs that userspace Rust does not
#
# | Userspace `std::sync::Arc` | Kernel `kernel::sync::Arc` | Why |
# |---|---|---|
# | `Arc::new(v)` aborts when memory runs out | `Arc::new(v, flags)` returns `Result<_, AllocError>` | the kernel must survive allocation failure |
# | may allocate anywhere | `GFP_KERNEL` may sleep: forbidden while a spinlock is held | a spinlock holder must never sleep |
# | overflow of the count **aborts** the process | C `refcount_t` **saturates** and leaks | the kernel cannot abort; a leak is safer than a use-after-free |
# | atomics of the C++ memory model (`core::sync::atomic`) | C `refcount_t` operations, ordered by the kernel's own memory model (LKMM) | Rust and C code share objects: one model for both |
# | strong + weak counts (16-byte header) | one 32-bit count, no weak references | half the header |
# | `get_mut` can move the value | no `get_mut`: the value is always pinned | kernel objects are linked by address |
#
# Every row is a rule the model enforces. Break one and you get an error that names the
# rule, the `rustc` error you would see in Rust, and the fix.

# %% [md] slide
# ## Your first kernel `Arc`: the Rust, then the model
# Kernel code (`rust/kernel/sync/arc.rs` defines `Arc`; the flags come from
# `kernel::alloc::flags`):
# ```rust
# use kernel::alloc::flags::GFP_KERNEL;
# use kernel::sync::Arc;
#
# struct Job {
#     name: &'static str,
# }
#
# fn first_steps() -> Result {
#     let a = Arc::new(Job { name: "hello" }, GFP_KERNEL)?; // may fail: AllocError
#     let b = a.clone();                                    // a second owner: refcount 2
#     drop(b);                                              // one owner gives its count back
#     Ok(())
# }
# ```
# The model speaks the same API: one Python line per Rust line (next slide).

# %% [md] notes
# **Speaker notes.** Say: read the Rust first; the `?` matters: in the kernel every
# allocation can fail and the caller decides. Ask: "what does `drop(b)` do to the object if
# `a` still exists?" Show: the next slide maps each Rust line to a model line; then run the
# code and point at the two arrows and the count 2.

# %% [md] subslide
# ## One Python line per Rust line
#
# | kernel Rust | the model (`import kernelptr as kp`) |
# |---|---|
# | `struct Job { name: &'static str }` | `@kp.struct class Job: name: str` (`kp.rust_decl(Job)` prints the Rust) |
# | `Arc::new(v, GFP_KERNEL)?` | `kp.Arc.new(v, kp.GFP_KERNEL)` (raises `kp.AllocError`: that is the `?`) |
# | `let b = a.clone();` | `b = a.clone()` |
# | `drop(b);` | `b.drop()` (or `kp.drop(b)`): `b` is moved, using it again is an error |
# | `let guard = lock.lock();` … `drop(guard);` | `with lock.lock() as guard:` |
# | `GFP_KERNEL`, `GFP_ATOMIC`, `GFP_NOWAIT` | `kp.GFP_KERNEL`, `kp.GFP_ATOMIC`, `kp.GFP_NOWAIT` |

# %% subslide
import kernelptr as kp
import widgets
%load_ext widgets

@kp.struct
class Job:                                 # struct Job { name: &'static str }
    name: str

heap = kp.reset()                          # a fresh simulated kernel
view = widgets.HeapView(heap)              # a live picture of it
a = kp.Arc.new(Job("hello"), kp.GFP_KERNEL)  # let a = Arc::new(Job { .. }, GFP_KERNEL)?;
b = a.clone()                                # let b = a.clone();
view

# %% [md] subslide
# ## How to read the picture
# - **Left, the stack frame: handles.** Each of your variables, with its Rust type
#   (`a: Arc<Job>`). A solid arrow owns one count; a dashed one (`ArcBorrow`) borrows
#   without counting; a bold one is a `UniqueArc`, the only owner.
# - **Right, the heap: objects.** Each allocation is an `ArcInner<T>` at its kernel address
#   (`@ffff8880…1000`): first the **refcount row**, then the value's fields.
# - **Colours.** Yellow: changed by the last step. Orange `SATURATED`: the count gave up
#   (notebook 01). Grey and struck: freed or moved. Purple: a broken invariant.
# - **Links** (from notebook 03 on): an object in a list gets a row per list ID with `prev`
#   and `next` ports, and arrows in that ID's colour; a list head `q: List<Job, 0>` points
#   at its `first` item. The legend under each picture repeats all this.

# %% fragment
b.drop()                                   # drop(b);  (the picture above redraws itself)
a.refcount

# %% [md] subslide
# ## Your first prediction
# Each notebook asks you to **commit to an answer before you see it**. Pick or type, press
# *Commit*; only then does the model run the program and show what happened. A wrong answer
# first gets the rule to apply, then where to look, and only after the third miss the answer.
# ```rust
# let a = Arc::new(Job { name: "p" }, GFP_KERNEL)?;
# let b = a.clone();
# let c = b.clone();
# drop(a);
# ```

# %%
def three_owners_minus_one():
    a = kp.Arc.new(Job("p"), kp.GFP_KERNEL)
    b = a.clone()
    c = b.clone()
    a.drop()
    return c

widgets.Predict("After these four lines, what is the refcount of the object `c` points to?",
                three_owners_minus_one, answer=lambda c: c.refcount,
                hints=["`Arc::new` makes one owner, each `clone` adds one, each `drop` gives "
                       "one back.",
                       "count the handles that still own the object after the last line."])

# %% [md] slide
# ## Allocation can fail, and `?` hands the failure up
# ```rust
# fn make_job() -> Result<Arc<Job>, AllocError> {
#     let job = Arc::new(Job { name: "never" }, GFP_KERNEL)?; // Err(AllocError): return now
#     Ok(job)
# }
# ```
# In the model, `?` is Python's exception: `kp.AllocError` rises to whoever can handle it.
# `heap.fail_next_allocs(n)` injects the failure (the kernel has fault injection for the
# same purpose). A failed allocation creates nothing and changes nothing.

# %% [md] notes
# **Speaker notes.** Say: userspace Rust treats out-of-memory as fatal; the kernel cannot,
# so every allocating constructor takes flags and returns a `Result`. Ask: "after the failed
# `Arc::new`, how many objects exist?" Show: the printed error names the rule and the fix;
# `heap.check()` returning `None` means every invariant still holds.

# %%
heap.fail_next_allocs(1)                   # the next allocation fails
with kp.expect_error(kp.AllocError):       # show the error, then carry on
    kp.Arc.new(Job("never"), kp.GFP_KERNEL)
heap.alloc_count, heap.check()

# %% [md] slide
# ## No sleeping while a spinlock is held
# `lock: SpinLock<T>` (`rust/kernel/sync/lock/spinlock.rs`) is taken with `lock.lock()`; until
# the guard is dropped the CPU is in *atomic context* and must not sleep. `GFP_KERNEL` lets
# the allocator sleep to find memory. The flags are plain values, so rustc cannot see the
# problem:
# ```rust
# let guard = lock.lock();                                 // atomic context from here
# let job = Arc::new(Job { name: "inside" }, GFP_KERNEL)?; // may sleep
# drop(guard);                                             // atomic context ends
# ```
# What happens? Commit to an answer; the model then runs the same code (`kp.SpinLock(value,
# name)`, `with lock.lock():`).

# %% [md] notes
# **Speaker notes.** Say: a spinlock holder keeps the CPU busy-waiting others; if it
# slept, the CPU could schedule a task that spins on the same lock forever. Ask the room to
# vote before anyone commits. Show: after the reveal, read the error's rule and fix aloud and
# relate them to how the kernel itself reports the bug.

# %%
def allocate_under_spinlock():
    lock = kp.SpinLock(None, "todo_lock")
    with lock.lock():
        return kp.Arc.new(Job("inside"), kp.GFP_KERNEL)

widgets.DoesItCompile(allocate_under_spinlock, [
    "compiles and runs: the allocation just succeeds",
    ("compiles, then BUG: sleeping function called from invalid context",
     "SleepInAtomicContext"),
    "error[E0277]: rustc rejects GFP_KERNEL while a lock is held",
], hints=["rustc sees only values: a flag is a number, a guard is a variable.",
         "look at which line runs while the guard is alive, and what GFP_KERNEL allows "
         "the allocator to do."])

# %% [md] slide
# ## Step through a recording
# `kp.record()` keeps one frame per operation; `widgets.Stepper` plays them back like
# Python Tutor: buttons, a slider, Play, the source line and the event log. Click the
# slider, then use the arrow keys. This records:
# ```rust
# let job = Arc::new(Job { name: "job" }, GFP_KERNEL)?;
# let other = job.clone();
# drop(other);
# drop(job); // the last owner: the Job is dropped and its memory freed
# ```

# %% [md] notes
# **Speaker notes.** Say: a Stepper is the whole story of a cell; the yellow marks what
# each step changed. Ask: "at which step is the memory freed, and who frees it?" (whoever
# drops the last count). Show live: step with the arrow keys; then print the transcript, the
# same steps written as kernel Rust.

# %%
heap = kp.reset()
with kp.record() as rec:
    job = kp.Arc.new(Job("job"), kp.GFP_KERNEL)
    other = job.clone()
    other.drop()
    job.drop()
widgets.Stepper(rec)

# %% fragment
print(rec.rust())                          # the same steps in kernel Rust

# %% [md] subslide
# ## `%%kptrace`: trace a cell line by line
# Start a cell with `%%kptrace` (the extension was loaded in the first code cell with
# `%load_ext widgets`) and it is shown as a Stepper with one frame per line that changed
# the heap. (A fresh heap first, so that the picture shows this cell only.)

# %%
heap = kp.reset()

# %%
%%kptrace
first = kp.Arc.new(Job("traced"), kp.GFP_KERNEL)
second = first.clone()
first.drop()

# %% [md] slide
# ## The map of the course
# 1. `01_arc_and_refcount_t`: clone and drop; `refcount_t` saturation versus std's abort; the
#    kernel's memory model; no weak references; pinning.
# 2. `02_arcborrow_and_uniquearc`: borrowing without a count; allocate outside a lock,
#    initialise inside.
# 3. `03_intrusive_lists`: lists that never allocate, links inside the value, cursors.
# 4. `04_listarc`: why a list needs `ListArc<T, ID>`, per-ID ownership, the unsafe `remove`.
# 5. `05_dynamic_dispatch`: `Arc<dyn Trait>`, vtables, arbitrary self types, `Wrapper<dyn Trait>` lists.
# 6. `06_c_vtables`: `#[vtable]`, `HAS_*` and NULL slots in C ops tables.
# 7. `07_case_study_todo_list`: Binder's todo list and a workqueue, end to end.
#
# **Predictions** (`widgets.Predict`, "does this compile?" questions, Steppers in quiz mode
# that wait for your guess before each step) come before the answer. **Exercises** come
# right after the idea they practise: write your answer in the cell marked *your turn*, then
# run the *check* cell below it. It runs your code on fresh simulated kernels and prints ✅, or
# a 💡 hint with a Stepper of what your code did, open at the first step that went wrong.

# %% [md] notes
# **Speaker notes.** Say: the course climbs from one `Arc` to Binder's todo list; every
# notebook shows the kernel Rust beside the model. Ask: "which of the table's rules do you
# expect to matter most for a linked list?" Show: the first exercise; give the room three
# minutes, then run the check together.

# %% [md] slide
# ## Exercise 1: two owners
# Write `make_two_owners(value)` returning `(a, b)`: two `kp.Arc` handles that own **the
# same** new object holding `value` (refcount 2). The check runs it with two different
# values and looks at what your code did, step by step; when it gives a hint with a
# picture, the picture is open at the first step that went wrong.

# %% [md] notes
# **Speaker notes.** Say: the check looks at the steps, not only the result. Ask: "what is
# the difference between two owners of one object and two objects with the same value?"
# Show: a wrong try and its picture, if someone volunteers one.

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
# - The kernel's `Arc` is `kernel::sync::Arc` (`rust/kernel/sync/arc.rs`), counted by C
#   `refcount_t` (`include/linux/refcount.h`, `lib/refcount.c`) through `kernel::sync::Refcount`.
# - Allocation takes `kernel::alloc::Flags` (`GFP_KERNEL`, `GFP_ATOMIC`, `GFP_NOWAIT` from
#   `kernel::alloc::flags`) and returns `Result<_, AllocError>`; `?` hands the error up.
# - `SpinLock` (`rust/kernel/sync/lock/spinlock.rs`): `lock.lock()` returns a guard; while it
#   lives the CPU is in atomic context: no sleeping, so no `GFP_KERNEL`.
# - Pictures: handles left, `ArcInner<T>` objects right, the refcount row first. Predictions:
#   commit, then see. Tools: `widgets.HeapView`, `kp.record()` + `widgets.Stepper`, `%%kptrace`.
# - Next: `01_arc_and_refcount_t`.

# %% [md] notes
# **Speaker notes.** Say: every later notebook uses these pictures and this API. Ask:
# "which flag would you pass inside a spinlock, and what must your code do that it did not
# have to do with `GFP_KERNEL`?" (leave the answer to exercise 2). Show: the map again if
# there is time.
