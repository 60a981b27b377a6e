# %% [md] slide
# # 01 · `Arc` and `refcount_t`
#
# **You will learn**
# - what `clone` and `drop` do to the count, watched live, with the kernel Rust beside;
# - the two reasons the kernel cannot use std's `Arc`: its counter *saturates* where std
#   *aborts*, and its atomics follow the kernel's memory model (LKMM), not C++'s;
# - what a decrement must guarantee before the last owner frees the object;
# - what "no weak references" saves, in bytes;
# - why a kernel `Arc` is implicitly pinned: no `get_mut`, no `DerefMut`, and what that means
#   for a `!Unpin` value.

# %% [md] notes
# **Speaker notes.** Say: the design document behind this course gives exactly two reasons
# for a custom `Arc` (saturation, memory model) and two further changes (pinning, no weak
# references); this notebook takes them one by one. Ask: "what should a kernel do when a
# reference count overflows?" Collect answers before showing anything. Show: the clone/drop
# quiz that follows.

# %% [md] slide
# ## Clone and drop
# `Arc::clone` adds exactly one and never fails or allocates; dropping subtracts one, and
# whoever drops the last count runs the destructor and frees the memory
# (`rust/kernel/sync/arc.rs`):
# ```rust
# struct Job {
#     name: &'static str,
#     prio: i64,
# }
#
# fn clone_and_drop() -> Result {
#     let a = Arc::new(Job { name: "build", prio: 0 }, GFP_KERNEL)?; // refcount 1
#     let b = a.clone();                                             // refcount_inc
#     let c = b.clone();
#     drop(c);                                                       // refcount_dec_and_test
#     drop(b);
#     Ok(())
# } // `a` goes out of scope here: the last count, the Job is dropped and freed
# ```
# The quiz on the next slide plays the same steps in the model and stops before two of them:
# predict the count, commit, then see the step.

# %% [md] notes
# **Speaker notes.** Say: a clone never allocates; it only bumps the count in the
# `ArcInner` that every handle points at. Ask the room to call out the count before each
# step. Show: step through with the quiz; then open the full Stepper.

# %% subslide
import kernelptr as kp
import widgets

@kp.struct
class Job:                       # struct Job { name: &'static str, prio: i64 }
    name: str
    prio: int = 0

heap = kp.reset()
with kp.record() as rec:
    a = kp.Arc.new(Job("build"), kp.GFP_KERNEL)
    b = a.clone()
    c = b.clone()
    c.drop()
    b.drop()
widgets.StepQuiz(rec, {2: widgets.ask.refcount("a"), 4: widgets.ask.refcount("a")})

# %% [md] subslide
# ## Does this compile?
# The model's `c.drop()` is Rust's `drop(c)`.
# ```rust
# let a = Arc::new(Job { name: "build", prio: 0 }, GFP_KERNEL)?;
# let c = a.clone();
# drop(c);
# let d = c.clone();
# ```

# %%
def clone_after_drop():
    a = kp.Arc.new(Job("build"), kp.GFP_KERNEL)
    c = a.clone()
    c.drop()
    d = c.clone()
    return d

widgets.DoesItCompile(clone_after_drop, [
    "compiles and runs: `d` is one more owner",
    ("compiles, then a use-after-free at run time", "UseAfterFree"),
    "error[E0382]: borrow of moved value: `c`",
], hints=["check each line against the rule your answer names.",
         "which values does the function still own after `drop(c)`?"])

# %% [md] subslide
# ## Exercise 1: predict the count, line by line
# Without running it, write down the refcount of the `Job` after each line (a list of six
# ints). Two lines use the next notebook's `ArcBorrow`: `as_arc_borrow()` lends the object
# without taking a count of its own, and `clone_arc()` turns a borrow into a new `Arc`. The
# check runs the program on the model and compares; a miss first gets the rule of the line
# you got wrong, then a picture to step through, and only after the third miss the answer.
# ```python
# a = kp.Arc.new(Job("p"), kp.GFP_KERNEL)
# b = a.clone()
# c = b.clone()
# a.drop()
# d = c.as_arc_borrow()
# e = d.clone_arc()
# ```

# %% exercise
PREDICTED = ...  # your turn: a list of six ints, one per line

# %% solution
PREDICTED = [1, 2, 3, 2, 2, 3]

# %% check
from kernelptr.course import checks
checks.ex01_predict_count(PREDICTED)

# %% [md] slide
# ## Reason 1: `refcount_t` saturates, std aborts
# `refcount_t` (`include/linux/refcount.h`) is a signed 32-bit counter. C's `refcount_inc`
# adds one, then looks at the value it had *before*: 0 means the object was already dead
# (use-after-free); a negative value, or a sum that wrapped past `REFCOUNT_MAX` (`INT_MAX`),
# means overflow. Either way `refcount_warn_saturate` (`lib/refcount.c`) stores
# `REFCOUNT_SATURATED` (`INT_MIN / 2`) and warns once. From then on the object is leaked
# forever: a memory leak, never a use-after-free. The kernel's `Clone for Arc`, paraphrased:
# ```rust
# impl<T: ?Sized> Clone for Arc<T> {
#     fn clone(&self) -> Self {
#         // Refcount::inc calls C refcount_inc: it saturates, so it never wraps to 0.
#         self.inner().refcount.inc();
#         // SAFETY: the increment just made is owned by the new Arc.
#         unsafe { Self::from_inner(self.ptr) }
#     }
# }
# ```

# %% [md] notes
# **Speaker notes.** Say: `refcount_inc` checks the old value after an unconditional add, so
# it pays for no compare-and-swap loop. The kernel cannot abort, and freeing early would be a
# use-after-free, so it gives up on the object and leaks it. Ask: "why is a leak the safe
# choice?" Show: the constants, then the prediction.

# %%
kp.REFCOUNT_MAX, kp.REFCOUNT_SATURATED, hex(kp.REFCOUNT_SATURATED & 0xFFFF_FFFF)

# %% [md] subslide
# ## Predict: one clone past `REFCOUNT_MAX`
# `Refcount::set` (the model's `kp.Arc.refcount_of(a).set(n)`) lets us pretend that two
# billion owners already exist:
# ```rust
# let a = Arc::new(Job { name: "popular", prio: 0 }, GFP_KERNEL)?;
# /* ... 2_147_483_646 more clones later, the count is REFCOUNT_MAX ... */
# let overflow = a.clone();
# ```

# %%
def one_clone_too_many():
    a = kp.Arc.new(Job("popular"), kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)
    overflow = a.clone()
    return a

widgets.Predict("What is the count right after `a.clone()`?", one_clone_too_many,
                answer=lambda a: a.refcount,
                choices=["2147483648", "-2147483648", "-1073741824", "0"],
                hints=["a `refcount_t` is an `i32`, and `refcount_inc` never lets it wrap.",
                       "compare the choices with `kp.REFCOUNT_SATURATED` above."])

# %% [md] subslide
# The same in a picture. The orange badge is the saturated count; the warning is the kernel
# log (`dmesg`).

# %%
heap = kp.reset()
view = widgets.HeapView(heap)
a = kp.Arc.new(Job("popular"), kp.GFP_KERNEL)
kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)   # Refcount::set: pretend 2^31 - 1 owners
overflow = a.clone()                         # saturate and warn once
view

# %% fragment
overflow.drop()
a.drop()                                     # every owner is gone, and still no free
heap.free_count, [hex(o.address) for o in heap.leaks()], heap.warnings

# %% [md] subslide
# ## Five kinds of saturation, four messages, each warned once
# Dropping a saturated count printed `underflow; use-after-free`: the counter is negative,
# so `refcount_dec_and_test` treats the decrement as an underflow, saturates again and
# returns false. C's `enum refcount_saturation_type` has five kinds; the two overflows share
# one message. Each kind is its own `WARN_ONCE` in `refcount_warn_saturate`: the first
# occurrence is logged, later ones of the same kind are silent (the counter still saturates).
# Rust reaches them through `kernel::sync::Refcount` (`rust/kernel/sync/refcount.rs`):
# ```rust
# let r = Refcount::new(1);
# r.dec(); // C refcount_dec: a plain decrement must never reach 0 (REFCOUNT_DEC_LEAK)
# r.inc(); // C refcount_inc on a saturated count: stays saturated (REFCOUNT_ADD_OVF)
# ```

# %%
[(kind.value, kind.text) for kind in kp.SaturationKind]

# %% fragment
import warnings

heap = kp.reset()
tries = [("refcount_inc_not_zero at REFCOUNT_MAX", kp.REFCOUNT_MAX, kp.Refcount.inc_not_zero),
         ("refcount_inc at REFCOUNT_MAX", kp.REFCOUNT_MAX, kp.Refcount.inc),
         ("refcount_inc at 0", 0, kp.Refcount.inc),
         ("refcount_dec_and_test at 0", 0, kp.Refcount.dec_and_test),
         ("refcount_dec at 1", 1, kp.Refcount.dec),
         ("refcount_inc at 0, a second time", 0, kp.Refcount.inc)]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", kp.RefcountWarning)   # heap.warnings is our dmesg
    for what, start, operation in tries:
        r = kp.Refcount(start)
        logged = len(heap.warnings)
        operation(r)
        new = heap.warnings[logged:]
        print(f"{what:38} -> {r.read():>11}  {new[0] if new else '(silent: warned once)'}")

# %% [md] slide
# ## std's `Arc` aborts, at exactly which clone?
# Userspace Rust aborts when the count grows too large; read its check exactly (the model,
# `kp.StdArc`, follows it). `library/alloc/src/sync.rs`, paraphrased:
# ```rust fragment=impl-items
# fn clone(&self) -> Arc<T> {
#     let old = self.inner().strong.fetch_add(1, Ordering::Relaxed);
#     if old > MAX_REFCOUNT {   // MAX_REFCOUNT == isize::MAX
#         abort();              // the whole process dies: no unwinding, no recovery
#     }
#     unsafe { Self::from_inner(self.ptr) }
# }
# ```
# Userspace Rust:
# ```rust
# let s = Arc::new(Job { name: "userspace", prio: 0 });
# /* ... clones until the strong count is exactly isize::MAX ... */
# let t = s.clone();
# ```

# %% [md] notes
# **Speaker notes.** Say: no real program reaches this count (each clone needs memory to
# live in), which is why std can afford to abort; the kernel can never abort. Ask the room to
# commit first. After the reveal: point at the count std compares with its limit, then run the
# next cell, one clone later.

# %%
def std_clone_at_isize_max():
    s = kp.StdArc.new(Job("userspace"))
    s.set_strong_count(kp.ISIZE_MAX)
    t = s.clone()
    return t

widgets.DoesItCompile(std_clone_at_isize_max, [
    "compiles and runs: `t` is one more owner",
    ("compiles, then the process aborts", "Abort"),
    ("compiles, then the count saturates and leaks (like refcount_t)", "warns"),
], hints=["compare the count *before* this clone with the limit std checks.",
          "the limit is `isize::MAX`; is the old count greater than it?"])

# %% fragment
s = kp.StdArc.new(Job("userspace"))
s.set_strong_count(kp.ISIZE_MAX)
t = s.clone()
with kp.expect_error(kp.Abort):
    s.clone()                                # one clone more

# %% [md] subslide
# ## Exercise 2: saturate it with real owners
# `saturate(a)` receives an Arc whose count is already close to `kp.REFCOUNT_MAX` (the check
# starts it somewhere else on each run: read `a.refcount`). Using only `clone()` and
# `drop()`, clone until the count saturates, keeping every clone; then drop all the clones
# you made (not `a`: it belongs to the caller). Return how many clones it took. What should
# the count be after the drops, and is the object ever freed?

# %% exercise
def saturate(a):
    ...  # your turn

# %% solution
def saturate(a):
    clones = []
    while a.refcount != kp.REFCOUNT_SATURATED:
        clones.append(a.clone())
    for clone in clones:
        clone.drop()
    return len(clones)

# %% check
checks.ex01_saturate(saturate)

# %% [md] slide
# ## Reason 2: the kernel's memory model
# Rust's atomics (`core::sync::atomic`) follow the C++ memory model and compile to LLVM's
# atomic intrinsics. The kernel has its own model, the **LKMM** (`tools/memory-model/`),
# defined by what kernel C's primitives do on each architecture (`READ_ONCE`, `smp_mb()`,
# `atomic_*()`, mostly inline assembly). The two models do not promise the same things, and
# C and Rust code share objects and counters. So the kernel's `Arc` does not count with
# `core::sync::atomic`: it calls C's `refcount_inc` and `refcount_dec_and_test` (through
# `bindings`, wrapped by `kernel::sync::Refcount`), and kernel Rust's own atomics
# (`kernel::sync::atomic`) have the semantics of their C counterparts, implemented the way
# kernel C does them (the C functions or `asm!`), not with LLVM's atomic intrinsics.

# %% [md] notes
# **Speaker notes.** Say: the count protects the *memory*, so the decrement must also order
# the accesses to that memory, and C and Rust must agree on how. Ask: "what could go wrong
# if Rust and C code used two different models on one counter?" Show: the two-CPU table on
# the next slide; draw it on the board.

# %% [md] subslide
# ## What must a decrement guarantee?
# Two CPUs share one `Job`:
#
# | step | CPU 0 (owns `a`) | CPU 1 (owns `b`) | count |
# |---|---|---|---|
# | 1 | updates the job (through a lock or an atomic field) | | 2 |
# | 2 | `drop(a)`: decrement, **release** | | 1 |
# | 3 | | `drop(b)`: decrement, reaches 0, **acquire** | 0 |
# | 4 | | runs `Job`'s destructor, frees the memory | freed |
#
# - **Release** (step 2): everything CPU 0 did to the object (step 1) happens before its
#   decrement. Without it, CPU 0's write could land after step 4: into freed memory.
# - **Acquire** (step 3, only on the path that reaches zero): CPU 1 sees all of that before
#   it destroys and frees. Without it, the destructor's reads (or the free itself) could be
#   performed before the decrement and miss CPU 0's last update.
#
# Does the increment in `clone` need an ordering too? A prediction after the code asks it.

# %% [md] subslide
# ## std's `Drop for Arc`: the C++ memory model
# `library/alloc/src/sync.rs`, paraphrased:
# ```rust
# impl<T: ?Sized> Drop for Arc<T> {
#     fn drop(&mut self) {
#         // Release: this thread's accesses to the value happen before the decrement.
#         if self.inner().strong.fetch_sub(1, Ordering::Release) != 1 {
#             return;
#         }
#         // Acquire: the thread that reached zero sees every other thread's accesses.
#         atomic::fence(Ordering::Acquire);
#         unsafe { self.drop_slow() };
#     }
# }
# ```

# %% [md] subslide
# ## The kernel's `Drop for Arc`: the LKMM, through C
# `rust/kernel/sync/arc.rs` and `rust/kernel/sync/refcount.rs`, paraphrased:
# ```rust
# impl<T: ?Sized> Drop for Arc<T> {
#     fn drop(&mut self) {
#         // refcount_dec_and_test: a release decrement, plus acquire when it returns true.
#         // After `false`, another CPU may free the object at any moment: touch nothing.
#         let is_zero = unsafe { self.ptr.as_ref() }.refcount.dec_and_test();
#         if is_zero {
#             // SAFETY: this was the last reference; nobody else can reach the ArcInner.
#             unsafe { drop(KBox::from_raw(self.ptr.as_ptr())) };
#         }
#     }
# }
#
# impl Refcount {
#     #[must_use]
#     pub fn dec_and_test(&self) -> bool {
#         // SAFETY: `self.as_ptr()` points at a valid refcount_t.
#         unsafe { bindings::refcount_dec_and_test(self.as_ptr()) }
#     }
# }
# ```

# %% [md] subslide
# ## Predict: what does the increment need?
# **What the model can and cannot show.** The model is one simulated CPU running one
# operation at a time: nothing is ever reordered, so it cannot show a memory-ordering bug.
# It records what each operation guarantees in the kernel (`kp.Refcount.ORDERING`).

# %%
def kernel_orderings():
    return kp.Refcount.ORDERING

widgets.Predict("`Arc::clone` calls `refcount_inc`. Which ordering does the kernel give it?",
                kernel_orderings, answer=lambda table: table["inc"],
                choices=["relaxed", "release", "acquire", "a full barrier (smp_mb)"],
                hints=["whoever clones already owns a count: can the object be freed while "
                       "the increment runs? Then what is there to order?",
                       "an increment frees nothing; compare it with step 2 of the table."],
                show=lambda out: "the model's table of kernel orderings: " + "; ".join(
                    f"`refcount_{op}`: {order}" for op, order in out.value.items()))

# %% [md] slide
# ## No weak references: half the header
# std's `ArcInner` has two counters, `strong` and `weak` (8 bytes each on 64-bit); the
# kernel needs no `Weak`, so it keeps one 4-byte `refcount_t`, padded only up to the data's
# alignment (`rust/kernel/sync/arc.rs`):
# ```rust
# #[repr(C)]
# struct ArcInner<T: ?Sized> {
#     refcount: Refcount, // one refcount_t: 4 bytes
#     data: T,
# }
# ```
# std's, for comparison (`library/alloc/src/sync.rs`):
# ```rust
# #[repr(C)]
# struct ArcInner<T: ?Sized> {
#     strong: AtomicUsize,
#     weak: AtomicUsize,
#     data: T,
# }
# ```

# %% [md] notes
# **Speaker notes.** Say: kernel objects are numerous and small, and nobody in the kernel
# needed `Weak`; dropping it halves the header. Ask: "for a `u64` payload, how many bytes does
# each header cost after padding?" Show: the numbers, then the chart.

# %%
kp.layout(int).arc_inner, kp.layout(int).std_arc_inner    # bytes for T = u64

# %% subslide
widgets.plot_layout()

# %% [md] subslide
# ## Exercise 3: bytes, for any `T`
# The cell above printed the sizes for `T = u64`. Write `arc_inner_sizes(size, align)`
# returning `(kernel, std)`: `size_of::<ArcInner<T>>()` in the kernel and in userspace Rust
# for a `T` of that size and alignment. Both are `#[repr(C)]` structs: the kernel's is
# `{ refcount: refcount_t /* 4 bytes, align 4 */, data: T }`, std's is
# `{ strong: AtomicUsize, weak: AtomicUsize, data: T }`. Each field starts at the next
# multiple of its alignment, and a struct's size is a multiple of its largest alignment.
# The check tries types of other sizes (a `u8`, a `u32`, a `[u32; 3]`, a `u128`...).

# %% exercise
def arc_inner_sizes(size, align):
    ...  # your turn: return (kernel, std)

# %% solution
def arc_inner_sizes(size, align):
    def round_up(n, a):
        return -(-n // a) * a
    kernel = round_up(round_up(4, align) + size, max(4, align))
    std = round_up(round_up(16, align) + size, max(8, align))
    return kernel, std

# %% check
checks.ex01_header_bytes(arc_inner_sizes)

# %% [md] slide
# ## An `Arc` is implicitly pinned
# The kernel works with many C objects that must not move: a list's links point at them, a
# lock's waiters and a queued work item are known by address. So the kernel's `Arc` is
# *implicitly pinned*: it has no `get_mut` and no `DerefMut`, and nothing can move the value
# out or replace it while it is shared. A type that must never move says so: `#[pin_data]`
# with a `#[pin]` field that is `!Unpin` (links, a lock, a work item, or the marker
# `PhantomPinned`); one such field makes the whole struct `!Unpin`.
# ```rust
# #[pin_data]
# struct Request {
#     name: &'static str,
#     prio: i64,
#     #[pin]
#     _pin: PhantomPinned,
# }
#
# fn pinned() -> Result {
#     let d = Arc::new(Request { name: "io", prio: 0, _pin: PhantomPinned }, GFP_KERNEL)?;
#     d.prio = 5; // error[E0594]: cannot assign to data in dereference of `Arc<Request>`
#     Ok(())
# }
# ```
# The model: `kp.PhantomPinned` is the marker; `kp.is_unpin(T)` and `kp.not_unpin_because(T)`
# say what Rust derives; assigning through an `Arc` raises `kp.MutabilityError`.

# %% [md] notes
# **Speaker notes.** Say: "pinned" is a promise that the value stays at its address until
# it is dropped; an `Arc` keeps it simply by never handing out `&mut T`. Ask: "which fields of
# a kernel struct would make it `!Unpin`?" Show: `not_unpin_because` naming the field, then
# the refused assignment.

# %%
heap = kp.reset()

@kp.struct
class Request:                # #[pin_data] struct Request { .., #[pin] _pin: PhantomPinned }
    name: str
    prio: int = 0
    _pin: kp.PhantomPinned

print(kp.rust_decl(Request))
kp.is_unpin(Job), kp.is_unpin(Request), kp.not_unpin_because(Request)

# %% fragment
d = kp.Arc.new(Request("io"), kp.GFP_KERNEL)
with kp.expect_error(kp.MutabilityError):
    d.prio = 5                # no DerefMut for Arc<T>

# %% [md] subslide
# ## Back to one owner: `into_unique_or_drop` gives `Pin<UniqueArc<T>>`
# `Arc::into_unique_or_drop(a)` returns the object as a `UniqueArc` if `a` was the last
# owner, else drops `a` and returns `None`. The value was pinned while it was shared, and
# pinning is forever, so the result is `Pin<UniqueArc<T>>`. May the only owner assign?
# ```rust
# let d = Arc::new(Request { name: "io", prio: 0, _pin: PhantomPinned }, GFP_KERNEL)?;
# if let Some(mut u) = Arc::into_unique_or_drop(d) {
#     u.prio = 5;
# }
# ```

# %% [md] notes
# **Speaker notes.** Say: `into_unique_or_drop` is how code gets the only owner back, for
# example to reuse an object. Ask the room to commit before revealing. Show: after the reveal,
# the way through, a pin projection, in the Stepper.

# %%
def assign_through_pinned_unique():
    d = kp.Arc.new(Request("io"), kp.GFP_KERNEL)
    u = kp.Arc.into_unique_or_drop(d)
    u.prio = 5
    return u

widgets.DoesItCompile(assign_through_pinned_unique, [
    "compiles and runs: `u` is the only owner, so it may assign",
    "error[E0594]: cannot assign to data in dereference of `Pin<UniqueArc<Request>>`",
    "error[E0382]: use of moved value: `d`",
], hints=["check each line against the rule your answer names.",
         "what type does `into_unique_or_drop` return, and is `Request` `Unpin`?"])

# %% [md] subslide
# `Pin` hands out `&mut T` only for `Unpin` types: a plain `Job` can be assigned through a
# `Pin<UniqueArc<Job>>`, a `Request` cannot. The way through is a **pin projection**:
# `#[pin_data]` generates `project()`, which gives `&mut` to each plain field and keeps the
# `#[pin]` fields pinned (`u.project().prio = 5` in the model).
# ```rust
# if let Some(mut u) = Arc::into_unique_or_drop(d) {
#     *u.as_mut().project().prio = 5;   // a plain field: fine
# }
# if let Some(mut j) = Arc::into_unique_or_drop(job) {
#     j.prio = 5;                       // Job is Unpin: Pin<UniqueArc<Job>> derefs mutably
# }
# ```

# %% subslide
heap = kp.reset()
with kp.record() as rec:
    d = kp.Arc.new(Request("io"), kp.GFP_KERNEL)
    u = kp.Arc.into_unique_or_drop(d)
    u.project().prio = 5
    job = kp.Arc.new(Job("build"), kp.GFP_KERNEL)
    j = kp.Arc.into_unique_or_drop(job)
    j.prio = 5
widgets.Stepper(rec)

# %% fragment
print(rec.rust())

# %% [md] slide
# ## Summary
# - `kernel::sync::Arc` (`rust/kernel/sync/arc.rs`): `Arc::new(value, flags)?`, `clone`
#   (`Refcount::inc`), `drop` (`Refcount::dec_and_test`), `ptr_eq`; no `Weak`, no `get_mut`.
# - Reason 1, saturation: `kernel::sync::Refcount` (`rust/kernel/sync/refcount.rs`) over C
#   `refcount_t`: past `REFCOUNT_MAX` it stores `REFCOUNT_SATURATED` and leaks;
#   `refcount_warn_saturate` has five kinds and four messages, each warned once. std's
#   `Arc::clone` aborts when the old count exceeds `isize::MAX`.
# - Reason 2, the memory model: kernel code follows the LKMM, so `Arc` counts with C's
#   `refcount_inc` / `refcount_dec_and_test` (release on every decrement, acquire on the one
#   that reaches zero), not with `core::sync::atomic`. The model does not simulate ordering.
# - `ArcInner<T>` is `#[repr(C)] { refcount, data }`: a 4-byte header padded to `T`'s
#   alignment, half of std's.
# - An `Arc` is implicitly pinned: no `DerefMut`; `Arc::into_unique_or_drop` returns
#   `Pin<UniqueArc<T>>`; a `!Unpin` value (`#[pin_data]`, `PhantomPinned`, links, locks) is
#   changed only through `project()`.
# - Next: `02_arcborrow_and_uniquearc`.

# %% [md] notes
# **Speaker notes.** Say: the two reasons (saturation, LKMM) are why the kernel could not
# reuse std's `Arc`; the two other changes (no weak, pinned) make it smaller and fit C
# objects. Ask: "which of the four would you miss first in a driver?" Show: back to the
# two-CPU table if questions remain about ordering.
