# %% [md] slide
# # 02 · `ArcBorrow` and `UniqueArc`
#
# **You will learn**
# - why `ArcBorrow<'a, T>` exists next to `&'a Arc<T>`: one level of indirection instead of
#   two, and a lifetime the model checks;
# - what a `self: ArcBorrow<'_, Self>` receiver is for (a preview of notebook 05);
# - how `UniqueArc` splits allocation (`UniqueArc::new_uninit(GFP_KERNEL)?`, before the
#   spinlock) from initialisation (`u.write(..)`, inside it), and how `?` handles `AllocError`;
# - which `UniqueArc`s are pinned (`Pin<UniqueArc<T>>`) and what you may still assign.

# %% [md] notes
# **Speaker notes.** Say: the design document introduces two helper types next to the
# kernel's `Arc`: `ArcBorrow`, a borrow that is one pointer instead of two, and `UniqueArc`,
# the mutable, not-yet-shared `Arc` that lets code allocate before taking a spinlock. Ask:
# "how do you pass an `Arc` to a function that only *might* keep it?" Show: the two layouts
# on the next slide.

# %% [md] slide
# ## `&Arc<T>` versus `ArcBorrow<'_, T>`
# A function that may need a new `Arc` could take `&Arc<Job>`: a pointer to the caller's
# `Arc`, which points at the `ArcInner`. Two hops for every field read. An `ArcBorrow` points
# straight at the `ArcInner`, like an `Arc`, but owns no count; its lifetime `'a` ties it to
# the `Arc` it came from.
# ```text
# r: &Arc<Job>           r ──► a: Arc<Job> ──► ArcInner<Job> { refcount, data }   two hops
# b: ArcBorrow<'_, Job>  b ──────────────────► ArcInner<Job> { refcount, data }   one hop
# ```
# `rust/kernel/sync/arc.rs`, paraphrased:
# ```rust
# pub struct ArcBorrow<'a, T: ?Sized + 'a> {
#     inner: NonNull<ArcInner<T>>, // the same pointer an Arc holds
#     _p: PhantomData<&'a ()>,     // borrowed for 'a: no count of its own
# }
# ```

# %% [md] notes
# **Speaker notes.** Say: both are "a borrow that can become an owner"; the `ArcBorrow`
# is simply one pointer shorter, and it is `Copy`. Ask: "what would the picture of a
# `&Arc<Job>` look like?" (an arrow to an arrow). Show: in the quiz, the dashed arrow of `b`
# goes straight to the object, like `a`'s.

# %% [md] subslide
# ## Borrowing and upgrading, step by step
# ```rust
# let a = Arc::new(Job { name: "render", prio: 0 }, GFP_KERNEL)?;
# let b: ArcBorrow<'_, Job> = a.as_arc_borrow(); // no count change
# let copy = b;                                  // ArcBorrow is Copy
# let owned: Arc<Job> = Arc::from(b);            // a real owner: refcount_inc
# pr_info!("{} {}\n", copy.name, owned.name);    // Deref: one hop to the data
# ```
# The model: `a.as_arc_borrow()`, `b.clone()` for the copy, `b.clone_arc()` for
# `Arc::from(b)`. The quiz stops before two steps: predict the count.

# %% subslide
import kernelptr as kp
import widgets

@kp.struct
class Job:                       # struct Job { name: &'static str, prio: i64 }
    name: str
    prio: int = 0

heap = kp.reset()
with kp.record() as rec:
    a = kp.Arc.new(Job("render"), kp.GFP_KERNEL)
    b = a.as_arc_borrow()            # dashed: borrows
    copy = b.clone()                 # ArcBorrow is Copy
    owned = b.clone_arc()            # Arc::from(b)
widgets.StepQuiz(rec, {1: widgets.ask.refcount("a"), 2: widgets.ask.refcount("a")})

# %% [md] subslide
# ## A receiver that borrows: `self: ArcBorrow<'_, Self>`
# Methods can take `self` as an `ArcBorrow`: the caller keeps its `Arc`, and the method takes
# a count only if it needs to keep the object (say, to queue it again). Notebook 05 shows why
# the kernel needs such receivers on traits (dynamic dispatch happens only through `self`).
# ```rust
# struct Work {
#     name: &'static str,
# }
#
# trait Requeue {
#     fn requeue(self: ArcBorrow<'_, Self>) -> Arc<Self>;
# }
#
# impl Requeue for Work {
#     fn requeue(self: ArcBorrow<'_, Self>) -> Arc<Self> {
#         self.into() // only now is a count taken
#     }
# }
# ```
# In the model a trait is a class deriving `kp.Trait`; the receiver is the annotation of
# `self`.

# %%
class Requeue(kp.Trait):                     # trait Requeue
    def requeue(self: "kp.ArcBorrow[Self]"): ...

@kp.impl_trait(Requeue)                      # impl Requeue for Work
@kp.struct
class Work:
    name: str

    def requeue(self: "kp.ArcBorrow[Self]"):
        return self.clone_arc()              # self.into()

# %% [md] subslide
# ## Does this compile? Calling it on an `Arc`
# ```rust
# fn call_it(a: &Arc<Work>) -> Arc<Work> {
#     a.requeue()
# }
# ```

# %%
def call_it():
    a = kp.Arc.new(Work("flush"), kp.GFP_KERNEL)
    return a.requeue()

widgets.DoesItCompile(call_it, [
    "compiles and runs: the Arc is lent as an ArcBorrow automatically",
    "error[E0599]: no method named `requeue` found for `Arc<Work>`",
    "error[E0505]: cannot move out of `a` because it is borrowed",
], hints=["check each line against the rule your answer names.",
          "which receiver types does method lookup try for an `Arc<Work>`? Is "
          "`ArcBorrow<Work>` one of them?"])

# %% fragment
heap = kp.reset()
a = kp.Arc.new(Work("flush"), kp.GFP_KERNEL)
again = a.as_arc_borrow().requeue()          # a.as_arc_borrow().requeue()
a.refcount

# %% [md] subslide
# ## Does this compile? A borrow and its `Arc`
# ```rust
# let a = Arc::new(Job { name: "render", prio: 0 }, GFP_KERNEL)?;
# let b = a.as_arc_borrow();
# drop(a);
# let owned = Arc::from(b);
# ```

# %%
def upgrade_after_drop():
    a = kp.Arc.new(Job("render"), kp.GFP_KERNEL)
    b = a.as_arc_borrow()
    a.drop()
    owned = b.clone_arc()
    return owned

widgets.DoesItCompile(upgrade_after_drop, [
    "compiles and runs: `owned` keeps the Job alive",
    ("compiles, then a use-after-free at run time", "UseAfterFree"),
    "error[E0505]: cannot move out of `a` because it is borrowed",
], hints=["check each line against the rule your answer names.",
          "`b` borrows from `a` for a lifetime `'_`: where must that lifetime end?"])

# %% [md] slide
# ## `UniqueArc`: allocate outside the lock, initialise inside
# Inside a spinlock nothing may sleep, so nothing may allocate with `GFP_KERNEL`. The kernel
# pattern splits the two: allocate a `UniqueArc<MaybeUninit<T>>` first, then `write` the
# value under the lock (in place: no allocation, cannot fail), then share it as an `Arc`
# (the count stays 1). A `UniqueArc` is the only owner, so it derefs mutably.
# ```rust
# fn publish_urgent(slot: &SpinLock<Option<Arc<Job>>>) -> Result {
#     let u = UniqueArc::new_uninit(GFP_KERNEL)?;            // may sleep: before the lock
#     let mut guard = slot.lock();                           // atomic context from here
#     let mut u = u.write(Job { name: "urgent", prio: 9 });  // no allocation, no failure
#     u.prio = 10;                                           // UniqueArc<Job>: DerefMut
#     *guard = Some(Arc::from(u));                           // shared now; count stays 1
#     Ok(())
# }
# ```
# (`rust/kernel/sync/arc.rs`: `UniqueArc::new_uninit`, `UniqueArc<MaybeUninit<T>>::write`.)

# %% [md] notes
# **Speaker notes.** Say: this is the pattern the design document gives for "we cannot
# allocate while holding a spinlock": make the fallible, sleeping step first, and keep only
# infallible steps under the lock. Ask: "if `new_uninit` fails, what must the function undo?"
# (nothing: the lock was never taken). Show: step through; watch the lock banner appear and
# the bold `UniqueArc` become a plain `Arc` with count 1.

# %% subslide
def publish_urgent(lock):
    u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)   # before the lock: may sleep
    with lock.lock() as guard:
        u = u.write(Job("urgent", prio=9))                  # atomic context: fine
        u.prio = 10                                         # UniqueArc is mutable
        guard.value = kp.Arc.from_unique(u)                 # *guard = Some(Arc::from(u))

heap = kp.reset()
slot = kp.SpinLock(None, "slot")
with kp.record() as rec:
    publish_urgent(slot)
widgets.Stepper(rec)

# %% [md] subslide
# ## When the allocation fails, `?` has nothing to undo
# `UniqueArc::new_uninit(GFP_KERNEL)?` returns the `AllocError` to the caller before the
# lock is taken and before anything else happened. In the model the error rises out of
# `publish_urgent`; afterwards no lock is held and nothing was allocated.

# %%
heap = kp.reset()
slot = kp.SpinLock(None, "slot")
heap.fail_next_allocs(1)
with kp.expect_error(kp.AllocError):
    publish_urgent(slot)
heap.in_atomic(), slot, heap.alloc_count

# %% [md] subslide
# ## Does this compile? A `UniqueArc` made after the lock is taken
# ```rust
# let mut guard = slot.lock();
# let u = UniqueArc::new(Job { name: "too late", prio: 0 }, GFP_KERNEL)?;
# *guard = Some(Arc::from(u));
# ```

# %%
def allocate_after_lock():
    slot = kp.SpinLock(None, "slot")
    with slot.lock() as guard:
        u = kp.UniqueArc.new(Job("too late"), kp.GFP_KERNEL)
        guard.value = kp.Arc.from_unique(u)

widgets.DoesItCompile(allocate_after_lock, [
    "compiles and runs: a UniqueArc is allowed under a lock",
    ("compiles, then BUG: sleeping function called from invalid context",
     "SleepInAtomicContext"),
    "error[E0382]: use of moved value: `u`",
], hints=["check each line against the rule your answer names.",
          "which line allocates, and is the guard alive then?"])

# %% [md] subslide
# `GFP_ATOMIC` is allowed in atomic context, but it dips into reserves and can fail; the
# caller must handle that. The model can make it fail:
# ```rust
# let guard = slot.lock();
# let job = Arc::new(Job { name: "atomic", prio: 0 }, GFP_ATOMIC)?; // Err(AllocError)
# ```

# %%
heap = kp.reset()
slot = kp.SpinLock(None, "slot")
with slot.lock():
    heap.fail_next_allocs(1)
    with kp.expect_error(kp.AllocError):
        kp.Arc.new(Job("atomic"), kp.GFP_ATOMIC)
heap.alloc_count, heap.check()

# %% [md] slide
# ## Exercise 1: publish into a registry
# `lock` protects a registry: a Python list of published `kp.Arc`s (`guard.value`). Write
# `publish(lock, name)`: add a new `Job(name, prio=...)` whose `prio` is its position in the
# registry (the registry's length when it is added). The position is only known while the
# lock is held, and nothing may sleep then. Allocate before the lock; inside **one** critical
# section read the position, write the value and append the shared `kp.Arc`. The check runs
# it on two registries and watches which steps run under the lock.

# %% [md] notes
# **Speaker notes.** Say: the value depends on the state protected by the lock, so it can
# only be written under the lock; the allocation does not depend on it. Ask: "which step may
# fail, and where must it be?" Show: a wrong try (allocating inside the lock) and the check's
# picture open at that step.

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
# ## Pinned or not: what may you assign through a `UniqueArc`?
# A `UniqueArc<T>` is mutable. A `Pin<UniqueArc<T>>` promises the value never moves again, so
# it hands out `&mut T` only when `T: Unpin`; a `!Unpin` value (`#[pin_data]` with links, a
# lock, a work item or `PhantomPinned`) is changed through its pin projection instead.
#
# | made by | you get | `u.prio = ..` on a `!Unpin` `Request` |
# |---|---|---|
# | `UniqueArc::new(v, flags)?` | `UniqueArc<T>` | yes: not pinned yet |
# | `UniqueArc::new_uninit(flags)?`, then `u.write(v)` | `UniqueArc<T>` | yes: not pinned yet |
# | `UniqueArc::pin_init(init, flags)?` | `Pin<UniqueArc<T>>` | only `u.as_mut().project()` |
# | `UniqueArc::new_uninit(flags)?`, then `u.pin_init_with(init)?` | `Pin<UniqueArc<T>>` | only `project()` |
# | `Pin::from(u)` | `Pin<UniqueArc<T>>` | only `project()` |
# | `Arc::into_unique_or_drop(a)` | `Option<Pin<UniqueArc<T>>>` | only `project()` |

# %% [md] notes
# **Speaker notes.** Say: pinning starts at a chosen moment and lasts for the rest of the
# value's life; before it, a `!Unpin` value may still move, so plain assignment is fine.
# Ask: "why may a `UniqueArc<Request>` assign, but a `Pin<UniqueArc<Request>>` not?" Show:
# the types on the handles in the Stepper (bold: the only owner), then the refused assignment.

# %% [md] subslide
# ## Pinning a `UniqueArc`, in Rust and in the model
# ```rust
# let mut u = UniqueArc::new(Request { name: "a", prio: 0, _pin: PhantomPinned }, GFP_KERNEL)?;
# u.prio = 1;                        // UniqueArc<Request>: DerefMut
# let mut p = Pin::from(u);          // pinned from now on
# *p.as_mut().project().prio = 2;    // a plain field, through the projection
# let q = UniqueArc::pin_init(Request { name: "b", prio: 0, _pin: PhantomPinned }, GFP_KERNEL)?;
# ```
# The model: `kp.UniqueArc.new` (mutable, unpinned), `kp.UniqueArc.pin_init`,
# `u.pin_init_with(v)`, `u.into_pin()` (pinned), `u.project()`.

# %% subslide
@kp.struct
class Request:                   # #[pin_data] struct Request { .., #[pin] _pin: PhantomPinned }
    name: str
    prio: int = 0
    _pin: kp.PhantomPinned

heap = kp.reset()
with kp.record() as rec:
    u = kp.UniqueArc.new(Request("a"), kp.GFP_KERNEL)
    u.prio = 1                                   # not pinned yet
    p = u.into_pin()                             # Pin::from(u)
    p.project().prio = 2                         # *p.as_mut().project().prio = 2
    q = kp.UniqueArc.pin_init(Request("b"), kp.GFP_KERNEL)
    r = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Request).pin_init_with(Request("c"))
widgets.Stepper(rec)

# %% fragment
print(rec.rust())

# %% fragment
with kp.expect_error(kp.MutabilityError):
    q.prio = 3                                   # Pin<UniqueArc<Request>>: no DerefMut

# %% [md] slide
# ## Summary
# - `kernel::sync::ArcBorrow<'a, T>` (`rust/kernel/sync/arc.rs`): one pointer straight to the
#   `ArcInner` (where `&'a Arc<T>` needs two hops), no count, `Copy`; `Arc::from(borrow)`
#   adds one; it must not outlive its `Arc` (E0505; `kp.BorrowError` in the model).
#   `self: ArcBorrow<'_, Self>` is a receiver: call it as `a.as_arc_borrow().method()`.
# - `kernel::sync::UniqueArc<T>`: count exactly 1, mutable. `UniqueArc::new_uninit(flags)?`
#   allocates before the spinlock; `u.write(value)` initialises inside it, never allocating;
#   `Arc::from(u)` shares it for free. `?` returns `AllocError` before anything needs undoing.
# - Pinned or not: `UniqueArc::new` and `write` give a mutable, unpinned `UniqueArc<T>`;
#   `UniqueArc::pin_init`, `pin_init_with` and `Pin::from` give `Pin<UniqueArc<T>>`, and so
#   does `Arc::into_unique_or_drop`: a `!Unpin` value is then changed only via `project()`.
# - Next: `03_intrusive_lists`.

# %% [md] notes
# **Speaker notes.** Say: these two types are what make the next notebooks possible: lists
# hand out `ArcBorrow`s while iterating, and items are allocated as `UniqueArc`s before being
# pushed under a lock. Ask: "where in a driver would you allocate before a lock?" Show: the
# allocate-then-lock Stepper again if time allows.
