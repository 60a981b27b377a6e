# %% [md] slide
# # 04 · `ListArc<T, ID>`: the right to touch the links
#
# **You will learn**
# - the data race that two clones of one `Arc` in two lists would cause, step by step, with
#   the broken links marked on the picture;
# - how `ListArc<T, ID>` prevents it: at most one per object and ID, and whoever owns it owns
#   the right to the links; why owning a `ListArc` matters far more than owning an `Arc`;
# - why the kernel does not use an `AtomicBool` "am I in a list?" flag instead;
# - how one object sits in two lists through two IDs (`pair_from_pin_unique`);
# - how `try_from_arc` uses an `AtomicTracker` (also through `tracked_by` a field), and why
#   `List::remove` is `unsafe`.

# %%
import kernelptr as kp
import widgets

# %% [md] notes
# *Speaker notes*
#
# - **Say:** notebook 03 ended with a refusal: a List takes a ListArc, not an Arc. This notebook is
#   the reason, and it is the part of the design that has no userspace equivalent.
# - **Ask:** "An Arc already proves the object is alive. What else does a list need to know before
#   it writes the object's next/prev?" (that nobody else writes them.)
# - **Show:** nothing yet.

# %% [md] slide
# ## The problem: one object, two lists, one pair of links
# A list must *write* an item's `next` and `prev`. With only an `Arc<Job>`, three things are
# unknown: how to get mutable access to the links through a shared pointer, whether the item
# already sits in some list, and what stops two clones of the same `Arc` going into two
# different lists. Two lists usually have two locks, so two CPUs could write the same
# `next`/`prev` at once: a data race.
#
# Safe Rust cannot write this; `unsafe` can, by pretending a plain `Arc` is a `ListArc`.
# `kp.unchecked` models that unsound `unsafe` code (the Job of notebook 03; `ListArc::from_raw`
# is in rust/kernel/list/arc.rs):
#
# ```rust
# let shared: Arc<Job> = Arc::pin_init(
#     pin_init!(Job { name: "shared", prio: 0, links <- ListLinks::new() }),
#     GFP_KERNEL,
# )?;
# left.push_back(unsafe { ListArc::from_raw(x.clone().into_raw()) });
# left.push_back(unsafe { ListArc::from_raw(shared.clone().into_raw()) });
# // SAFETY: none. A ListArc for `shared` already exists: `left` owns it.
# right.push_back(unsafe { ListArc::from_raw(shared.clone().into_raw()) });
# ```

# %% subslide
@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Job:                                         # the Job of notebook 03
    name: str
    prio: int = 0
    links: kp.ListLinks[0]


heap = kp.reset()
shared = kp.Arc.new(Job("shared"), kp.GFP_KERNEL)
x = kp.Arc.new(Job("x"), kp.GFP_KERNEL)
left, right = kp.List(Job, id=0), kp.List(Job, id=0)
with kp.record() as rec:
    kp.unchecked.push_back(left, x)         # unsafe: a plain Arc, no ListArc
    kp.unchecked.push_back(left, shared)
    kp.unchecked.push_back(right, shared)   # the same links, rewritten for a second list
race = widgets.Stepper(rec)
race.last()                                 # open at the end: the state the race leaves
race

# %% [md] notes
# *Speaker notes*
#
# - **Say:** the third push does exactly what push_back always does to an empty list: it makes
#   the item point to itself. It cannot know that `left` still relies on those two pointers.
# - **Ask:** before stepping to the end, "after the third push, what does shared.next point to?"
#   (itself), then "what happens to a loop over `left`?" (x, shared, shared, shared, ...).
# - **Show:** step 2 then step 3; point at the violet marks and the numbered list under the picture.

# %% [md] subslide
# ## Reading the marks
# Violet is reserved for broken invariants: every link `heap.check()` finds wrong is drawn in
# violet and numbered, and the list under the picture gives each number its sentence.
# - **next and prev disagree**: `x.next` still says `shared`, but `shared.prev` now says
#   `shared` (it is alone in `right`'s ring); likewise `x.prev` and `shared.next`.
# - **the ring does not close**: walking `left` from its first item by `next` goes x, shared,
#   shared, shared... and never comes back: every iterator over `left` now loops forever.
# - **one object in two lists with the same ID**: both rings use `shared`'s only
#   `ListLinks<0>`.
#
# In the kernel this is memory corruption (and, with two CPUs, a data race: undefined
# behaviour before anything is even read). `ListArc` makes it impossible to write in safe code.

# %% [md] fragment
# The model's Rust transcript of the three steps flags each unsound line:

# %%
print(race.recording.rust())

# %% [md] slide
# ## `ListArc`: the right to touch the links
# A `ListArc<T, ID>` is a newtype around `Arc<T>` with one extra invariant: **each object has
# at most one `ListArc` per ID**. Plain `Arc`s to the same object may exist beside it (unlike a
# `UniqueArc`). Whoever owns the `ListArc` owns exclusive access to that ID's `next`/`prev`,
# and a `List` owns the `ListArc` of every item in it. From rust/kernel/list/arc.rs, in
# outline:
#
# ```rust
# #[repr(transparent)]
# pub struct ListArc<T: ListArcSafe<ID> + ?Sized, const ID: u64 = 0> {
#     arc: Arc<T>,
# }
#
# let la: ListArc<Job> = ListArc::pin_init(
#     pin_init!(Job { name: "unique", prio: 0, links <- ListLinks::new() }),
#     GFP_KERNEL,
# )?;
# let plain: Arc<Job> = la.clone_arc();   // +1, a plain Arc; `la` stays the ListArc
# ```

# %% subslide
heap = kp.reset()
la = kp.ListArc.new(Job("unique"), kp.GFP_KERNEL)
plain = la.clone_arc()
widgets.HeapView(heap)

# %% [md] notes
# *Speaker notes*
#
# - **Say:** same pointer, same count, one more rule. The row "ListArc[0] held by" names the one
#   owner of the right; when the ListArc is pushed, that row will say "list q".
# - **Ask:** "Is `plain` any less of a reference than `la`?" (no: it keeps the Job alive just the
#   same; it only lacks the right to the links.)
# - **Show:** the picture: two handles, refcount 2, one ListArc holder.

# %% [md] subslide
# ## Does this compile?
#
# ```rust
# let la: ListArc<Job> = ListArc::pin_init(
#     pin_init!(Job { name: "unique", prio: 0, links <- ListLinks::new() }),
#     GFP_KERNEL,
# )?;
# let copy = la.clone();
# ```

# %%
def clone_a_list_arc():
    la = kp.ListArc.new(Job("unique"), kp.GFP_KERNEL)
    copy = la.clone()


widgets.DoesItCompile(clone_a_list_arc, [
    "compiles and runs: refcount 2, two ListArcs",
    "error[E0599]: no method named `clone` found for struct `ListArc`",
    "error[E0382]: use of moved value: `la`",
], hints=["", "look at the `ListArc` struct above: which traits would `clone` need?"])

# %% [md] fragment
# A `ListArc` has no `clone`: a copy would be a second owner of the same links. The plain
# `Arc` from `clone_arc()` cannot be pushed either: it proves nothing about the links.

# %%
q = kp.List(Job, id=0)
with kp.expect_error(kp.TypeMismatch):
    q.push_back(plain)

# %% [md] slide
# ## Why not an `AtomicBool` "am I in a list?" flag?
# The obvious fix would be a flag in every item, set by `push` and cleared by `pop`. The
# kernel's design rejects it. In Rust it would look like this (not kernel code: no such
# file exists, which is the point):
#
# ```rust
# struct FlaggedJob {
#     in_list: AtomicBool,
#     links: ListLinks<0>,
#     name: &'static str,
# }
#
# impl FlaggedList {
#     fn push_back(&mut self, item: Arc<FlaggedJob>) -> Result<(), Arc<FlaggedJob>> {
#         // An atomic read-modify-write on every push (and an atomic store on every pop).
#         if item.in_list.compare_exchange(false, true, Acquire, Relaxed).is_err() {
#             return Err(item); // already in a list: every caller needs an error path
#         }
#         // SAFETY: the flag says no other list writes `item.links`. rustc cannot
#         // see that, so every method touching links must be `unsafe` or re-test it.
#         unsafe { self.link_last(item) };
#         Ok(())
#     }
# }
# ```

# %% [md] notes
# *Speaker notes*
#
# - **Say:** ListArc moves the check from run time to ownership. The flag's compare-exchange ran
#   on every push; rustc's move check runs once, at compile time, and costs nothing. The only
#   run-time check left is where a plain Arc is turned back into a ListArc: that is the
#   AtomicTracker later in this notebook, paid only by types that need it.
# - **Ask:** "Where does the C workqueue keep its 'already queued' bit?" (a PENDING bit in the
#   work_struct: C has no ownership types, so it must test at run time.)
# - **Show:** the next slide: the second push is E0382, the same error as any use of a moved
#   value.

# %% [md] subslide
# ## The flag against the `ListArc`
#
# | | `AtomicBool` in every item | `ListArc` |
# |---|---|---|
# | memory | a flag in every item | nothing for an `untracked` type |
# | push and pop | an atomic operation each, on a cache line other CPUs share | plain pointer writes |
# | failure | `push` can fail at run time: an error path under the lock | `push` cannot fail |
# | "only this list writes the links" | a run-time fact, trusted by `unsafe` code | a type-level fact: you can only push a `ListArc` you own |
# | the same item pushed twice | `Err` at run time | does not compile (E0382) |

# %%
heap = kp.reset()             # a new kernel: the picture above stays as it was
first_q, second_q = kp.List(Job, id=0), kp.List(Job, id=0)
once = kp.ListArc.new(Job("once"), kp.GFP_KERNEL)
first_q.push_back(once)
with kp.expect_error(kp.UseAfterMove):
    second_q.push_back(once)        # the ListArc now lives in first_q

# %% [md] subslide
# ## Owning a `ListArc` matters more than owning an `Arc`
# An `Arc` is interchangeable: lose one, clone another. A `ListArc` is not. It is never
# `Clone`; `clone_arc()` gives a plain `Arc`; `into_arc()` gives up the right, and so does
# dropping it. For an `untracked` type (no tracker), a lost `ListArc` cannot be rebuilt from
# the `Arc`s that remain: `try_from_arc` does not exist for it. Only a `UniqueArc`, when you
# hold every reference again, makes a new one.
#
# ```rust
# let kept: Arc<Job> = precious.clone_arc();
# drop(precious);                              // the right to insert `Job` is gone
# let again = ListArc::try_from_arc(kept);     // Job is `untracked`
# ```

# %%
precious = kp.ListArc.new(Job("precious"), kp.GFP_KERNEL)
kept = precious.clone_arc()
precious.drop()
with kp.expect_error(kp.TraitNotImplemented):
    kp.ListArc.try_from_arc(kept)

# %% [md] slide
# ## Two IDs: one object in two lists
# The second generic parameter, `ID`, picks a pair of links. With a `ListLinks<0>` and a
# `ListLinks<1>`, a `Task` can be in one `List<Task, 0>` and one `List<Task, 1>` at the same
# time, and it has one `ListArc` per ID. `pair_from_pin_unique` (rust/kernel/list/arc.rs)
# makes both from a `UniqueArc` (you own every reference, so neither can exist yet); the two
# IDs must differ (`build_assert!`).
#
# ```rust
# #[pin_data]
# struct Task {
#     name: &'static str,
#     #[pin]
#     by_time: ListLinks<0>,
#     #[pin]
#     by_owner: ListLinks<1>,
# }
#
# impl_list_arc_safe! {
#     impl ListArcSafe<0> for Task { untracked; }
#     impl ListArcSafe<1> for Task { untracked; }
# }
# impl_list_item! {
#     impl ListItem<0> for Task { using ListLinks { self.by_time }; }
#     impl ListItem<1> for Task { using ListLinks { self.by_owner }; }
# }
# ```

# %%
@kp.impl_list_item(id=0, using="by_time")
@kp.impl_list_item(id=1, using="by_owner")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.impl_list_arc_safe(id=1, untracked=True)
@kp.struct
class Task:
    name: str
    by_time: kp.ListLinks[0]
    by_owner: kp.ListLinks[1]

# %% [md] notes
# *Speaker notes*
#
# - **Say:** each ID has its own links and its own ListArc; the quiz on the next slide checks
#   that the room keeps them apart.
# - **Ask:** "Could the same Task be in two List<Task, 0>s?" (no: one ListLinks<0>, one
#   ListArc<Task, 0>.)
# - **Show:** `kp.rust_decl(Task)` prints this declaration from the model.

# %% [md] subslide
# ## Both `ListArc`s from one `UniqueArc`
#
# ```rust
# let u = UniqueArc::pin_init(
#     pin_init!(Task {
#         name: "write",
#         by_time <- ListLinks::new(),
#         by_owner <- ListLinks::new(),
#     }),
#     GFP_KERNEL,
# )?;
# let (t0, t1) = ListArc::<Task, 0>::pair_from_pin_unique::<1>(u);
# timeline.push_back(t0);
# mine.push_back(t1);
# ```
#
# **Predict** before each step (who holds which `ListArc`?):

# %% subslide
heap = kp.reset()
timeline, mine = kp.List(Task, id=0), kp.List(Task, id=1)
with kp.record() as rec:
    u = kp.UniqueArc.pin_init(Task("write"), kp.GFP_KERNEL)
    t0, t1 = kp.ListArc.pair_from_pin_unique(u, ids=(0, 1))
    timeline.push_back(t0)
    mine.push_back(t1)

ask = widgets.ask
widgets.StepQuiz(rec, {1: ask.refcount("t0"), 2: ask.holder("write", id=1),
                       3: ask.holder("write", id=1)})

# %% [md] notes
# *Speaker notes*
#
# - **Say:** the refcount counts every owner, whatever its kind; let the room commit before
#   anyone steps.
# - **Show:** answer the quiz live, then open the Stepper and compare the two "held by" rows.

# %% [md] fragment
# The ID is part of the type: a `ListArc<Task, 1>` does not fit a `List<Task, 0>`.
#
# ```rust
# // read_task: Pin<UniqueArc<Task>>, made like `u` above
# let (r0, r1) = ListArc::<Task, 0>::pair_from_pin_unique::<1>(read_task);
# timeline.push_back(r1);
# ```

# %%
read_task = kp.UniqueArc.pin_init(Task("read"), kp.GFP_KERNEL)
r0, r1 = kp.ListArc.pair_from_pin_unique(read_task)
with kp.expect_error(kp.TypeMismatch):
    timeline.push_back(r1)

# %% [md] slide
# ## Exercise 1: the first task joins a second list
# `by_time` (ID 0) holds tasks; `by_owner` (ID 1) is another list. Write
# `share_front(by_time, by_owner)`: the first task of `by_time` must also go to the back of
# `by_owner`, and stay first in `by_time`. Nothing but `by_time` holds a reference to it,
# and `Task` is `untracked` for both IDs. Which handle lets you make a `ListArc<Task, 1>`
# for an object that already exists? (A new `ListArc` of an untracked type comes only from
# a `UniqueArc`; `kp.Arc.into_unique_or_drop(arc)` gives one back when `arc` is the last
# reference, as in notebook 02.) No `kp.unchecked`, no new allocation.

# %% [md] notes
# *Speaker notes*
#
# - **Say:** this is "owning a ListArc matters" in practice: the right for ID 1 has to be minted,
#   and an untracked type mints only from a UniqueArc.
# - **Ask:** "Who holds references to the first task right now?" (only by_time.)
# - **Show:** a wrong try with kp.unchecked: the check refuses it and shows the step.

# %% exercise
def share_front(by_time, by_owner):
    ...  # your turn

# %% solution
def share_front(by_time, by_owner):
    arc = by_time.pop_front().into_arc()          # the list's reference, now ours alone
    unique = kp.Arc.into_unique_or_drop(arc)      # count 1: unique again
    t0, t1 = kp.ListArc.pair_from_pin_unique(unique, ids=(0, 1))
    by_time.push_front(t0)
    by_owner.push_back(t1)

# %% check
from kernelptr.course import checks
checks.ex04_share_front(share_front)

# %% [md] slide
# ## `try_from_arc` and the `AtomicTracker`
# A type that must turn plain `Arc`s back into `ListArc`s keeps an `AtomicTracker` (one
# atomic flag, per ID, rust/kernel/list/arc.rs) that says whether a `ListArc` exists:
#
# ```rust
# #[pin_data]
# struct Event {
#     what: &'static str,
#     #[pin]
#     links: ListLinks<0>,
#     #[pin]
#     tracker: AtomicTracker<0>,
# }
#
# impl_list_arc_safe! {
#     impl ListArcSafe<0> for Event { tracked_by tracker: AtomicTracker<0>; }
# }
# impl_list_item! {
#     impl ListItem<0> for Event { using ListLinks { self.links }; }
# }
# ```

# %%
@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, tracked_by="tracker")
@kp.struct
class Event:
    what: str
    links: kp.ListLinks[0]
    tracker: kp.AtomicTracker[0]

# %% [md] notes
# *Speaker notes*
#
# - **Say:** the tracker is the one atomic flag that survives from the AtomicBool idea, but it is
#   touched only when converting, never by push or pop, and only types that need it pay for it.
# - **Ask:** "Why is 'wrongly says exists' harmless?" (the worst outcome is an Err you did not
#   need; no second ListArc can appear.)
# - **Show:** the next slide's two tries, then the prediction before running anything else.

# %% [md] subslide
# ## Trying to make a `ListArc` from an `Arc`
#
# ```rust
# match ListArc::try_from_arc(e.clone()) {
#     Ok(le) => events.push_back(le),   // the tracker went from false to true
#     Err(back) => drop(back),          // a ListArc exists: the same Arc comes back
# }
# ```
#
# - made from a `UniqueArc`: the tracker is set to true (nobody else can look);
# - `try_from_arc`: compare-exchange false → true; `Ok` only if it was false;
# - dropping the `ListArc`, or `into_arc()`: set back to false, *before* the count drops;
# - `into_raw()` (what `push` does inside): stays true, the raw pointer owns the right.
#
# The rule is lopsided on purpose: the tracker may wrongly say "a ListArc exists" (you merely
# fail to make one; `untracked` is this taken to the limit), but it must never wrongly say
# "none exists", which would allow two `ListArc`s and the race above.

# %%
heap = kp.reset()
events = kp.List(Event, id=0)
e = kp.Arc.new(Event("irq"), kp.GFP_KERNEL)
for attempt in (1, 2):
    match kp.ListArc.try_from_arc(e.clone()):
        case kp.Ok(le):
            events.push_back(le)
            print(f"try {attempt}: Ok, queued (refcount {e.refcount})")
        case kp.Err(back):
            print(f"try {attempt}: Err, a ListArc exists; the same Arc came back")
            back.drop()

# %% [md] subslide
# **Predict:** the event is queued with `try_from_arc`, then popped, and the popped `ListArc`
# is dropped. What does `try_from_arc(e.clone())` return now?

# %%
def queue_pop_retry():
    events = kp.List(Event, id=0)
    e = kp.Arc.new(Event("irq"), kp.GFP_KERNEL)
    events.push_back(kp.ListArc.try_from_arc(e.clone()).unwrap())
    events.pop_front().drop()
    return kp.ListArc.try_from_arc(e.clone())


widgets.Predict("Queued, popped, its ListArc dropped: what does `try_from_arc` return?",
                queue_pop_retry, answer=lambda r: "Ok(ListArc)" if r.is_ok() else "Err(arc)",
                choices=["Ok(ListArc)", "Err(arc)"],
                hints=["the tracker says whether a ListArc exists right now: follow it "
                       "through each line.",
                       "pop_front hands the ListArc back to you; then read the bullet about "
                       "dropping a ListArc above."])

# %% [md] subslide
# ## `tracked_by` may name any field that tracks
# `tracked_by` delegates both tracking hooks to a field, and that field may be any type that
# is itself `ListArcSafe`, not only an `AtomicTracker`. A wrapper that carries the links can
# then leave the tracking to what it wraps (the field must be structurally pinned, `#[pin]`).
# Binder's `DTRWrap<T>` (drivers/android/binder/) wraps each kind of work this way
# (notebook 07):
#
# ```rust
# #[pin_data]
# struct Death {
#     cookie: u64,
#     #[pin]
#     tracker: AtomicTracker<0>,
# }
# impl_list_arc_safe! {
#     impl ListArcSafe<0> for Death { tracked_by tracker: AtomicTracker<0>; }
# }
#
# #[pin_data]
# struct Wrap {
#     #[pin]
#     links: ListLinks<0>,
#     #[pin]
#     wrapped: Death,
# }
# impl_list_arc_safe! {
#     impl ListArcSafe<0> for Wrap { tracked_by wrapped: Death; }
# }
# ```

# %%
@kp.impl_list_arc_safe(id=0, tracked_by="tracker")
@kp.struct
class Death:
    cookie: int
    tracker: kp.AtomicTracker[0]


@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, tracked_by="wrapped")
@kp.struct
class Wrap:
    links: kp.ListLinks[0]
    wrapped: Death


w = kp.Arc.new(Wrap(Death(7)), kp.GFP_KERNEL)
first_try = kp.ListArc.try_from_arc(w.clone())     # Death's tracker: false -> true
second_try = kp.ListArc.try_from_arc(w.clone())    # it now says "exists"
first_try.is_ok(), second_try.is_err()

# %% [md] slide
# ## Why `List::remove` is `unsafe`
# `List::remove(&item)` (rust/kernel/list.rs) reads only the item's own links. Non-null links say "in *some* list of this
# ID", never *which* one: checking would mean walking a list, O(n). Called on the wrong list,
# it would unlink the item from a list whose lock it does not hold and corrupt both. So the
# kernel makes the caller promise it in a `SAFETY:` comment; the model keeps a debug record
# of each item's list and refuses instead.
#
# ```rust
# // SAFETY: wrong! `e` is in `events`, not in `other`.
# let le = unsafe { other.remove(&e) };
# ```

# %%
other = kp.List(Event, id=0)
with kp.expect_error(kp.UndefinedBehavior):
    other.remove(e)

# %% [md] notes
# *Speaker notes*
#
# - **Say:** ListArc makes push and pop safe; remove takes `&T`, not the ListArc (the list owns
#   that), so no type can prove which list the item is in. That one promise stays with you.
# - **Ask:** "How do kernel users make the promise easy to keep?" (one list per ID per object
#   in practice, e.g. Binder's todo list is the only List<_, 0> its items ever join.)
# - **Show:** the error text: the rule and the SAFETY contract it asks for.

# %% [md] slide
# ## Exercise 2: queue at most once, from a borrow
# Write `enqueue_once(q, event)`, where `event` is an `ArcBorrow` of an `Event`: the caller
# keeps its own `Arc`. If no `ListArc` for the event exists anywhere (in `q` or in any other
# list), push the event into `q` and return `True`; otherwise return `False`. The list's
# reference must be a count of its own; leave every other count as you found it. The check
# also tries an event already sitting in another list, and a `q` that is not empty.

# %% [md] notes
# *Speaker notes*
#
# - **Say:** only the tracker knows about *other* lists; searching q is not enough.
# - **Ask:** "try_from_arc takes an Arc by value: what do you pass when you only have a borrow?"
# - **Show:** a wrong answer that searches q: the check tries an event queued elsewhere.

# %% exercise
def enqueue_once(q, event):
    ...  # your turn

# %% solution
def enqueue_once(q, event):
    la = kp.ListArc.try_from_arc_borrow(event)    # +1 when no ListArc exists, else None
    if la is None:
        return False
    q.push_back(la)
    return True

# %% check
checks.ex04_enqueue_once(enqueue_once)

# %% [md] slide
# ## Summary
# - Two clones of one `Arc` in two lists would share one pair of links: the lists corrupt
#   each other (and, on two CPUs, race). The picture marks every broken link in violet.
# - `ListArc<T, ID>` (rust/kernel/list/arc.rs): a newtype around `Arc` with at most one per
#   object and ID; owning it is owning the right to that ID's `next`/`prev`. Never `Clone`
#   (`clone_arc()` gives a plain `Arc`; E0599 for `clone`); losing it loses the right to
#   insert. `ListArc::pin_init`, `From<UniqueArc>`, `pair_from_pin_unique` /
#   `pair_from_unique` (two IDs), `try_from_arc`, `try_from_arc_borrow`,
#   `try_from_arc_or_drop`, `into_arc`, `into_raw`.
# - Rejected alternative: an `AtomicBool` "in a list" flag per item: an atomic operation and
#   a failure path on every push and pop, and only a run-time promise; `ListArc` makes it a
#   type-level fact rustc checks (a second push of the same `ListArc` is E0382).
# - `ListArcSafe` (how a type tracks its `ListArc`s), `TryNewListArc` (it can try at run
#   time), `AtomicTracker`, `impl_list_arc_safe!` with `untracked;` or
#   `tracked_by field: Type;` (an `AtomicTracker`, or any `ListArcSafe` field such as
#   Binder's wrapped `T`). Tracking may wrongly say "exists", never the reverse.
# - `List::remove` is `unsafe`: an item's links cannot say which list they are in.
# - Next: `05_dynamic_dispatch`: lists of trait objects and `self: ListArc<Self>`.

# %% [md] notes
# *Speaker notes*
#
# - **Summary.** Ask: "Which check moved from run time to compile time, and which one stayed
#   at run time?" (pushing twice / the tracker's compare-exchange in try_from_arc.)
# - **Then:** notebook 05 puts ListArcs of different types into one list through `dyn Trait`.
