# %% [md] slide
# # 03 · Intrusive lists that never allocate
#
# **You will learn**
# - why a kernel container may not allocate when you insert into it: allocation can fail,
#   a spinlock holder may not allocate at all, and some paths have no way to fail;
# - the two answers the kernel uses: links inside the value (`List`), or a tree node reserved
#   before taking the lock (`RBTree`);
# - how `#[pin_data]`, `ListLinks<0>`, `impl_list_arc_safe!`, `impl_list_item!` and
#   `List<T, 0>` declare an intrusive list, in Rust and in the model;
# - how `push`, `pop`, `remove` and cursors move the links, and what O(1) means, counted.
#
# Each Python cell drives the model; the kernel Rust it stands for is right above it.

# %%
import kernelptr as kp
import widgets

heap = kp.reset()

# %% [md] notes
# *Speaker notes*
#
# - **Say:** this notebook answers one question from the design document: how do you build a
#   container the kernel can use under a spinlock? Everything else (ListLinks, ListArc, cursors)
#   follows from that answer.
# - **Ask:** "Which containers from userspace Rust allocate when you insert?" (Vec, HashMap,
#   BTreeMap, Box-based lists: all of them.)
# - **Show:** nothing yet; run the first cell so the model is ready.

# %% [md] slide
# ## Two rules about memory in the kernel
# 1. **Every allocation can fail**, and the caller must cope: `Arc::new(v, GFP_KERNEL)?`
#    returns `Err(AllocError)`; the `?` is an error path you have to write and test.
# 2. **Holding a spinlock, you may not allocate**: the CPU is in atomic context and must not
#    sleep, and a `GFP_KERNEL` allocation may sleep. `GFP_ATOMIC` does not sleep, but it fails
#    more readily and is meant for rare emergencies.
#
# And some code has **no error path at all**: tearing something down (`Drop` returns nothing)
# must succeed. Together this shapes kernel data structures: inserting must not allocate, or
# the allocation must be a separate step you do *before* the lock.
#
# So picture a map protected by a spinlock. How can its `insert` work if it is not allowed to
# allocate memory?

# %% [md] notes
# *Speaker notes*
#
# - **Say:** userspace Rust treats allocation as infallible (it aborts on OOM); the kernel cannot.
#   Two rules plus "no failure on teardown" rule out every container that allocates on insert.
# - **Ask:** "Where in a driver would an insert happen under a spinlock?" (an interrupt handler
#   queueing work, a lookup table shared with IRQ context.)
# - **Show:** the next two cells: the model refuses the allocation exactly like the kernel's
#   might_sleep() check would.

# %% [md] subslide
# ## A map whose insert allocates, under a spinlock
# `RBTree::try_create_and_insert` (rust/kernel/rbtree.rs) allocates a node and then links it.
# Called with the lock held, that allocation may sleep inside atomic context:
#
# ```rust
# // threads: SpinLock<RBTree<u32, &'static str>>
# let mut tree = threads.lock();                          // atomic context from here
# tree.try_create_and_insert(7, "thread 7", GFP_KERNEL)?; // allocates a node: may sleep
# ```

# %%
threads = kp.SpinLock(kp.RBTree(), "threads")      # SpinLock<RBTree<u32, &str>>

with kp.expect_error(kp.SleepInAtomicContext):
    with threads.lock() as tree:
        tree.value.try_create_and_insert(7, "thread 7", kp.GFP_KERNEL)

# %% [md] fragment
# With `GFP_ATOMIC` the allocation is allowed, but it can fail, and then it fails *inside*
# the critical section: the error path runs with the lock held, and a teardown path has no
# error to return. `heap.fail_next_allocs()` makes the next allocation fail:

# %%
heap.fail_next_allocs()
with kp.expect_error(kp.AllocError):
    with threads.lock() as tree:
        tree.value.try_create_and_insert(7, "thread 7", kp.GFP_ATOMIC)

# %% [md] slide
# ## Answer 1: the links live inside the value
# Put the `next`/`prev` pointers *in the item*. They are allocated with it, once, where
# allocating is allowed; inserting into a list later only rewrites pointers that already
# exist: no allocation, nothing that can fail. In the kernel (rust/kernel/list.rs):
#
# ```rust
# #[pin_data]
# struct Job {
#     name: &'static str,
#     prio: i64,
#     #[pin]
#     links: ListLinks<0>,   // next + prev, 16 bytes inside every Job
# }
#
# impl_list_arc_safe! {
#     impl ListArcSafe<0> for Job { untracked; }
# }
# impl_list_item! {
#     impl ListItem<0> for Job { using ListLinks { self.links }; }
# }
# ```
#
# - `#[pin]`: a list points *into* the Job, so the Job must never move (`ListLinks` is
#   `!Unpin`); it lives in a pinned `Arc`.
# - `impl_list_arc_safe!`: how the Job knows whether a `ListArc` for ID 0 exists
#   (`untracked`: it does not; notebook 04 explains).
# - `impl_list_item!`: which field a `List<Job, 0>` threads through.

# %% [md] notes
# *Speaker notes*
#
# - **Say:** the whole trick is in the struct: the list costs 16 bytes inside each item and 8 bytes
#   for the head, and nothing at insert time. The three decorators are the three Rust items.
# - **Ask:** "What is the price?" (an item can be in only one list per links field; the item must
#   not move; you need the item itself to insert, not a copy.)
# - **Show:** `kp.rust_decl(Job)` prints the declaration the model stands for, if someone asks.

# %% [md] subslide
# The same declaration in the model, line for line (each comment is the Rust it stands for),
# and a helper that makes one `ListArc<Job>` the way kernel code would:
#
# ```rust
# fn job(name: &'static str, prio: i64) -> Result<ListArc<Job>> {
#     ListArc::pin_init(
#         pin_init!(Job { name, prio, links <- ListLinks::new() }),
#         GFP_KERNEL,
#     )
# }
# ```

# %%
@kp.impl_list_item(id=0, using="links")       # impl_list_item! { .. self.links .. }
@kp.impl_list_arc_safe(id=0, untracked=True)  # impl_list_arc_safe! { .. untracked; }
@kp.struct                                    # #[pin_data] struct Job
class Job:
    name: str                                 # name: &'static str
    prio: int = 0                             # prio: i64
    links: kp.ListLinks[0]                    # #[pin] links: ListLinks<0>


def job(name, prio=0):
    """`job(name, prio)?`: a new Job in a ListArc<Job> (the model's ListArc.new)."""
    return kp.ListArc.new(Job(name, prio), kp.GFP_KERNEL)


kp.layout(kp.List).size      # bytes in a List<Job, 0>: one pointer, `first`

# %% [md] subslide
# ## Answer 2: reserve the node before the lock
# A tree can use the same idea: `RBTree` (rust/kernel/rbtree.rs) splits *allocate* from
# *insert*. The node's memory is reserved where sleeping is allowed; under the lock the entry
# API only links it:
#
# ```rust
# // May sleep, may fail: no lock is held yet.
# let reservation = RBTreeNodeReservation::new(GFP_KERNEL)?;
# let mut tree = threads.lock();
# match tree.entry(7) {
#     Entry::Vacant(entry) => {
#         entry.insert("thread 7", reservation); // no allocation, cannot fail
#     }
#     Entry::Occupied(_) => drop(reservation),  // already there: free the node
# }
# ```
#
# Binder registers a new thread in its tree this way. C does the same: a `work_struct`
# carries its own `list_head`, so `queue_work()` links it without allocating, and so do timers
# and wait queues. Rust code that uses those C APIs inherits the pattern.

# %%
reservation = kp.RBTreeNodeReservation.new(kp.GFP_KERNEL)
with threads.lock() as tree:
    before = heap.alloc_count
    match tree.value.entry(7):
        case kp.rbtree.Vacant(entry):
            entry.insert("thread 7", reservation)
        case kp.rbtree.Occupied(_):
            reservation.drop()
    print("allocations while `threads` was held:", heap.alloc_count - before)

# %% [md] slide
# ## Pushing, step by step
# A `List<Job, 0>` is one pointer, `first`, into a circular ring: the last item's `next` is the
# first item, and the first's `prev` is the last. `push_back` and `push_front` take a
# `ListArc<Job, 0>` by value (rust/kernel/list.rs; notebook 04: why a plain `Arc` is not
# enough). The items are allocated first, outside the lock; the pushes happen inside it:
#
# ```rust
# let a = job("a", 0)?;        // ListArc::pin_init(..): the allocation, before the lock
# let b = job("b", 0)?;
# let c = job("c", 0)?;
# let mut q = jobs.lock();      // jobs: SpinLock<List<Job>>
# q.push_back(a);
# q.push_back(b);
# q.push_front(c);
# ```
#
# **Predict before each push** (the next step stays hidden until you commit):

# %% subslide
heap = kp.reset()                               # a fresh kernel: only this section's objects
jobs = kp.SpinLock(kp.List(Job, id=0), "jobs")   # SpinLock<List<Job, 0>>
with kp.record() as rec:
    a = job("a")                                # allocate first, outside any lock
    b = job("b")
    c = job("c")
    with jobs.lock() as q:
        q.value.push_back(a)
        q.value.push_back(b)
        q.value.push_front(c)

# questions before the 5th step (index 4: push_back(a)) and the 7th (index 6: push_front(c))
widgets.StepQuiz(rec, {4: widgets.ask.next_of("a"), 6: widgets.ask.prev_of("c")})

# %% [md] notes
# *Speaker notes*
#
# - **Say:** the list is only `first`: everything else is the items' own links. Let the room
#   answer each quiz question before anyone commits; the answers follow from the ring rule.
# - **Ask:** after step 6, "which pointers did push_back(b) write?" (b.next, b.prev, a.next,
#   a.prev: four, and none of them needed memory.)
# - **Show:** answer the quiz live, then "open the Stepper" and step back and forth.

# %% [md] subslide
# The same steps in kernel Rust, written by the model from the recording:

# %%
print(rec.rust())

# %% [md] fragment
# The `ListArc` you pushed now belongs to the list: `a` was moved, as in Rust.

# %%
with kp.expect_error(kp.UseAfterMove):
    a.name

# %% [md] subslide
# ## Does this compile?
# A `Job` in a plain `Arc` (refcount 1, nothing else refers to it), pushed into a list:
#
# ```rust
# let d: Arc<Job> = Arc::pin_init(
#     pin_init!(Job { name: "d", prio: 0, links <- ListLinks::new() }),
#     GFP_KERNEL,
# )?;
# let mut q = List::<Job>::new();
# q.push_back(d);
# ```

# %%
def push_plain_arc():
    d = kp.Arc.new(Job("d"), kp.GFP_KERNEL)
    q = kp.List(Job, id=0)
    q.push_back(d)


widgets.DoesItCompile(push_plain_arc, [
    "compiles and runs: the list takes over the Arc's count",
    "error[E0308]: mismatched types",
    "error[E0382]: use of moved value: `d`",
    "error[E0599]: no method named `push_back` found for `List<Job>`",
], hints=["", "read the signature of `push_back` in rust/kernel/list.rs: what type is `item`?"])

# %% [md] slide
# ## Exercise 1: order by pushing
# Write `build(q, make, names, first)` so that the empty list `q` iterates `names` in order,
# where `make(name)` returns a new `ListArc`. Push `names[first]` before any other item, and
# use only `push_back` and `push_front`, one push per name. The check tries several lists
# (`["x", "y", "z"]` with `first = 1`, longer ones, other `first`s).

# %% [md] notes
# *Speaker notes*
#
# - **Say:** this is the quiz above turned around: you know the order you want, choose the pushes.
# - **Ask:** "Where does an item go when you push_front twice in a row?" (let them reason from
#   the quiz; do not solve the exercise for them.)
# - **Show:** a wrong attempt; the check draws what your code did and marks the first wrong push.

# %% exercise
def build(q, make, names, first):
    ...  # your turn

# %% solution
def build(q, make, names, first):
    q.push_back(make(names[first]))
    for name in names[first + 1:]:
        q.push_back(make(name))
    for name in reversed(names[:first]):       # nearest to names[first] first
        q.push_front(make(name))

# %% check
from kernelptr.course import checks
checks.ex03_build(build)

# %% [md] slide
# ## Popping and removing
# `pop_front` and `pop_back` (rust/kernel/list.rs) hand the `ListArc` back (`None` when the
# list is empty).
# `remove` takes *any* reference to an item and unlinks it in O(1), with no search: the item's
# own `prev` and `next` say who its neighbours are.
#
# ```rust
# // SAFETY: `b_arc` is in `q` (or in no list), never in another List<Job, 0>.
# let taken: Option<ListArc<Job>> = unsafe { q.remove(&b_arc) };
# let first: Option<ListArc<Job>> = q.pop_front();
# let last: Option<ListArc<Job>> = q.pop_back();
# ```
#
# `remove` is `unsafe`: the links cannot say *which* list they belong to (notebook 04 shows
# what goes wrong).

# %% subslide
heap = kp.reset()
q = kp.List(Job, id=0)
b = job("b")
b_arc = b.clone_arc()                 # a plain Arc to b, kept to find b later
q.push_back(job("a"))
q.push_back(b)
q.push_back(job("c"))

with kp.record() as rec:
    taken = q.remove(b_arc)
    first = q.pop_front()
    last = q.pop_back()
widgets.Stepper(rec)

# %% [md] notes
# *Speaker notes*
#
# - **Say:** remove finds b's neighbours through b's own links: nothing walks the list. The
#   ListArc comes back: the list gave up its right to b's links.
# - **Ask:** "what would a Vec or a Python list do to remove b?" (search for it, then shift the tail.)
# - **Show:** step 1; the yellow cells are every pointer that changed. Then pop_back: first.prev.

# %% [md] subslide
# **Predict:** a list holds 100 jobs and you keep an `Arc` to the 50th. How many pointers does
# `unsafe { q.remove(&job50) }` write?

# %%
def remove_the_50th():
    q = kp.List(Job, id=0)
    kept = None
    for i in range(100):
        la = job(f"job{i}")
        if i == 50:
            kept = la.clone_arc()
        q.push_back(la)
    heap = kp.current_heap()
    before = heap.pointer_writes
    q.remove(kept)
    return heap.pointer_writes - before


widgets.Predict("How many pointers (`next`, `prev`, `first`) does removing the 50th of 100 "
                "jobs write?", remove_the_50th, answer=lambda writes: writes,
                choices=["2", "4", "about 50", "about 100"],
                hints=["remove searches nothing: the item's own links name its neighbours.",
                       "look at step 1 of the Stepper above: count the cells that changed."],
                show=lambda out: f"The model counted {out.value} pointer writes: the two "
                                 "neighbours' links, and the item's own two set back to null. "
                                 "The same at any length.")

# %% [md] subslide
# ## What O(1) means, counted
# Left: pointers written (and allocations) to remove the middle item and push it back, for
# lists of 10 to 10,000 items. The model counts every `next`/`prev`/`first` it writes: 8 at
# every length, and 0 allocations. A Python `list` (an array) must shift every item after the
# middle, twice. Right: the time, measured now on this machine. The model is Python pretending
# to be pointers, so its time says nothing about the kernel; only the *shape* (flat or growing)
# carries over. A `dict` is O(1) too, but its insert may allocate, which is what a spinlock
# holder may not do.

# %% subslide
# NBVAL_IGNORE_OUTPUT
widgets.plot_op_cost()

# %% [md] slide
# ## Cursors
# A cursor (`Cursor` in rust/kernel/list.rs) sits *between* two items (or before the first,
# or after the last); it has a previous and a next item, never a current one. It holds the
# list borrowed mutably (`&mut List`) for as long as it is used.
#
# ```rust
# let mut cursor = pending.cursor_front();          // before a
# cursor.move_next();                               // between a and b
# if let Some(next) = cursor.peek_next() {
#     let taken: ListArc<Job> = next.remove();      // unlink b
#     drop(taken);
# }
# let fresh = job("new", 0)?;
# cursor.insert_prev(fresh);                        // link it in just before the cursor
# ```
#
# `peek_next()` / `peek_prev()` look at a neighbour (a `CursorPeek`, which derefs to the
# `Job`); `move_next()` / `move_prev()` walk and return `false` at an end.

# %% subslide
heap = kp.reset()
pending = kp.List(Job, id=0)
for name in ("a", "b", "c"):
    pending.push_back(job(name))

with kp.record() as rec:
    cursor = pending.cursor_front()
    cursor.move_next()
    taken = cursor.peek_next().remove()
    fresh = job("new")
    cursor.insert_prev(fresh)
widgets.Stepper(rec)

# %% [md] notes
# *Speaker notes*
#
# - **Say:** a cursor is a position between two items, not an item; it borrows the whole list
#   mutably while it is used.
# - **Ask:** "After the removal, what does peek_next() return?" (c.)
# - **Show:** the caption of each step says where the cursor sits.

# %% [md] subslide
# ## Does this compile?
# A cursor is made, the list is then used directly, and the cursor is used again:
#
# ```rust
# let extra = job("x", 0)?;
# let mut cursor = pending.cursor_front();
# pending.push_back(extra);
# cursor.move_next();
# ```

# %%
def stale_cursor():
    pending = kp.List(Job, id=0)
    pending.push_back(job("a"))
    extra = job("x")
    cursor = pending.cursor_front()
    pending.push_back(extra)
    cursor.move_next()


widgets.DoesItCompile(stale_cursor, [
    "compiles and runs: the cursor moves on to `x`",
    "error[E0499]: cannot borrow `pending` as mutable more than once at a time",
    "error[E0382]: use of moved value: `cursor`",
], hints=["", "what does `cursor_front` borrow, and for how long?"])

# %% [md] slide
# ## Exercise 2: a cursor that filters
# Write `drop_low(q, limit)`: walk `q` with a cursor and remove (and drop) every job whose
# `prio` is below `limit`, keeping the others in order. The jobs you keep never leave the
# list, and nothing is allocated. The check runs it on two lists with two limits; a loop
# that never moves on is stopped with a hint.

# %% [md] notes
# *Speaker notes*
#
# - **Say:** this is the cursor loop every kernel list user writes once.
# - **Ask:** "After `remove()` on a peek, should the loop call move_next()?" (let them find out.)
# - **Show:** a loop that forgets move_next: the check stops it within a second and says which
#   call repeats.

# %% exercise
def drop_low(q, limit):
    ...  # your turn

# %% solution
def drop_low(q, limit):
    cursor = q.cursor_front()
    while (peek := cursor.peek_next()) is not None:
        if peek.prio < limit:
            peek.remove().drop()
        else:
            cursor.move_next()

# %% check
checks.ex03_drop_low(drop_low)

# %% [md] slide
# ## Summary
# - Kernel allocation is fallible, forbidden in atomic context (a spinlock held), and some
#   paths may not fail at all; so containers must not allocate on insert, or must split
#   *allocate* from *insert*.
# - Answer 1, the intrusive list (rust/kernel/list.rs): `#[pin] links: ListLinks<0>` inside
#   the item, `impl_list_arc_safe!`, `impl_list_item!`, and `List<T, 0>`: one `first` pointer
#   into a circular ring. `push_back`, `push_front`, `pop_front`, `pop_back`, `unsafe remove`,
#   `push_all_back`: O(1), never allocate, never fail, allowed under a spinlock.
# - Answer 2, the reserved node (rust/kernel/rbtree.rs): `RBTreeNodeReservation::new(flags)?`
#   before the lock, `tree.entry(k)` and `VacantEntry::insert(value, reservation)` inside it.
#   The C workqueue and other C APIs embed their links the same way.
# - Cursors (`cursor_front`, `peek_next`, `move_next`, `insert_prev`, `remove()` on a peek)
#   sit between items and borrow the list mutably: using the list another way ends the cursor
#   (rustc E0499).
# - Next: `04_listarc`: why a list takes a `ListArc` and not an `Arc`.

# %% [md] notes
# *Speaker notes*
#
# - **Summary.** Ask: "Name one thing an intrusive list cannot do that a Vec can." (be in two
#   lists through the same links; know its length in O(1); hold a value that may move.)
#   Then open notebook 04 with the question the DoesItCompile above left open: why not an Arc?
