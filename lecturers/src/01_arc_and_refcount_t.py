# %% [md] slide
# # 01 · `Arc` and `refcount_t`
#
# **You will learn**
# - what `clone` and `drop` do to the count, watched live;
# - why the kernel's counter *saturates* where userspace Rust *aborts*, and the four
#   `refcount_t` warnings;
# - what "no weak references" saves, in bytes;
# - why the contents of a kernel `Arc` are pinned: stable addresses, no `get_mut`.

# %% slide
import kernelptr as kp
import widgets

heap = kp.reset()
view = widgets.HeapView(heap)
view

# %% [md]
# ## Clone and drop
# `Arc::clone` adds exactly one and never fails or allocates; dropping subtracts one, and the
# owner of the last count runs the destructor and frees the memory.

# %%
@kp.struct
class Job:
    name: str
    prio: int = 0

a = kp.Arc.new(Job("build"), kp.GFP_KERNEL)
b = a.clone()
c = b.clone()
a.refcount, heap.alloc_count

# %% fragment
c.drop()
b.drop()
a.refcount

# %% [md] subslide
# Using a handle after it was dropped is the Rust error E0382, "use of moved value". The
# model says where the value moved and what moved it.

# %% raises-exception
c.clone()

# %% [md] slide
# ## `refcount_t` saturates
# The counter is a signed 32-bit int. If an increment would pass `REFCOUNT_MAX`, C
# `refcount_t` stores `REFCOUNT_SATURATED` (`INT_MIN / 2`) instead and warns once. From then
# on the object is leaked forever: a memory leak, never a use-after-free.

# %%
kp.REFCOUNT_MAX, kp.REFCOUNT_SATURATED, hex(kp.REFCOUNT_SATURATED & 0xFFFF_FFFF)

# %%
kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)   # pretend two billion owners exist
overflow = a.clone()                        # one more: saturate, warn once
a.refcount == kp.REFCOUNT_SATURATED

# %% fragment
overflow.drop()
a.drop()                                    # the count stays saturated: never freed
heap.free_count, [hex(o.address) for o in heap.leaks()], heap.warnings

# %% [md] subslide
# Dropping the saturated references printed `underflow; use-after-free`: the counter is
# negative, so `dec_and_test` treats the decrement as an underflow, saturates again and
# returns false. The object is still never freed. Each kind of warning is printed once per
# boot; here are the other two:

# %%
kp.Refcount(0).inc()           # addition on 0
kp.Refcount(1).dec()           # a plain dec must never reach 0
heap.warnings

# %% [md] subslide
# ## Userspace `std::sync::Arc` aborts instead
# The same overflow in userspace kills the whole process: no unwinding, no recovery. A
# kernel cannot do that, which is one reason it has its own `Arc`.

# %% raises-exception
s = kp.StdArc.new(Job("userspace"))
s.set_strong_count(kp.ISIZE_MAX)
s.clone()

# %% [md] slide
# ## No weak references: what it saves
# std's `ArcInner` has two counters (strong and weak, 8 bytes each); the kernel's has one
# 4-byte `refcount_t`, padded to the data's alignment.

# %%
kp.layout(int).arc_inner, kp.layout(int).std_arc_inner

# %%
widgets.plot_layout()

# %% [md] subslide
# ## Pinned: the object never moves
# There is no `get_mut` and no `DerefMut`, so nothing can move the value out or replace it;
# its address is stable for its whole life. Lists link objects by address, so this matters.

# %% raises-exception
d = kp.Arc.new(Job("pinned"), kp.GFP_KERNEL)
d.prio = 5

# %%
e = d.clone()
hasattr(kp.Arc, "get_mut"), hasattr(kp.StdArc, "get_mut"), e.address == d.address

# %% [md] slide
# ## Exercise 1: predict the count, line by line
# Without running it, write down the refcount of the `Job` after each line (a list of six
# ints). The check runs the program on the model and compares; a miss first gets the rule
# of the line you got wrong, then a picture to step through, and only after the third
# miss the answer.
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
# ## Summary
# - `kernel::sync::Arc` (rust/kernel/sync/arc.rs): `new(value, flags)`, `clone`, `drop`,
#   `ptr_eq`, `into_raw`/`from_raw`; no `get_mut`, no `Weak`; the data is pinned.
# - `kernel::sync::Refcount` (rust/kernel/sync/refcount.rs) over C `refcount_t`:
#   `REFCOUNT_MAX`, `REFCOUNT_SATURATED`, `refcount_warn_saturate` and its four messages.
# - `ArcInner<T>` is `#[repr(C)] { refcount, data }`: a 4-byte header padded to `T`'s alignment.
# - Next: `02_arcborrow_and_uniquearc`.
