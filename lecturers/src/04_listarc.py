# %% [md] slide
# # 04 · `ListArc<T, ID>`: the right to touch the links
#
# **You will learn**
# - the data race that two clones of one `Arc` in two lists would cause (step by step);
# - how `ListArc` prevents it: at most one per object and ID;
# - how one object can be in two lists at once through two IDs;
# - how `try_from_arc` uses an `AtomicTracker`, and why `List::remove` is `unsafe`.

# %% slide
import kernelptr as kp
import widgets

heap = kp.reset()

@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Job:
    name: str
    links: kp.ListLinks[0]

# %% [md]
# ## What goes wrong with plain `Arc`s
# `kp.unchecked` models raw `unsafe` code that skips the rule. Push two clones of the same
# `Arc` into two lists with the same links, and the second push overwrites the links the
# first list relies on.

# %%
a = kp.Arc.new(Job("shared"), kp.GFP_KERNEL)
x = kp.Arc.new(Job("x"), kp.GFP_KERNEL)
left, right = kp.List(Job, id=0), kp.List(Job, id=0)
with kp.record() as rec:
    kp.unchecked.push_back(left, x)       # unsafe: the list takes a count, no ListArc
    kp.unchecked.push_back(left, a)
    kp.unchecked.push_back(right, a)      # the same links, rewritten by a second list
widgets.Stepper(rec)

# %%
print("\n".join(heap.problems()))

# %% [md] subslide
# The list `left` now walks into `right`'s ring: its items' pointers disagree. In the
# kernel this is memory corruption; `ListArc` makes it impossible to write in safe code.

# %% slide
heap = kp.reset()        # a fresh kernel: the corrupted lists above are gone (Job stays)

# %% [md]
# ## `ListArc`: unique per object and ID
# A `ListArc<T, ID>` is an `Arc` that is the only one of its kind for that object and ID. It
# cannot be cloned; `clone_arc()` gives a plain `Arc`, which cannot be pushed.

# %%
la = kp.ListArc.new(Job("unique"), kp.GFP_KERNEL)
plain = la.clone_arc()
la.refcount

# %% raises-exception
la.clone()

# %% raises-exception
q = kp.List(Job, id=0)
q.push_back(plain)

# %% [md] slide
# ## Two IDs, two lists at once
# With two links fields, `ListLinks[0]` and `ListLinks[1]`, an object can be in one list of
# each ID. `pair_from_unique` makes both ListArcs from a `UniqueArc` (count 2).

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

timeline, mine = kp.List(Task, id=0), kp.List(Task, id=1)
with kp.record() as rec:
    t0, t1 = kp.ListArc.pair_from_unique(kp.UniqueArc.new(Task("write"), kp.GFP_KERNEL), ids=(0, 1))
    timeline.push_back(t0)
    mine.push_back(t1)
widgets.Stepper(rec)

# %% [md] subslide
# A `ListArc<Task, 1>` is a different type from `ListArc<Task, 0>`: the wrong list says so.

# %% raises-exception
u0, u1 = kp.ListArc.pair_from_unique(kp.UniqueArc.new(Task("read"), kp.GFP_KERNEL), ids=(0, 1))
timeline.push_back(u1)

# %% [md] slide
# ## `try_from_arc` and the `AtomicTracker`
# An `AtomicTracker` field remembers whether a ListArc exists. `try_from_arc` returns
# `Ok(list_arc)` if none did, or `Err(arc)`: the same Arc back, count unchanged.

# %%
@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, tracked_by="tracker")
@kp.struct
class Event:
    what: str
    links: kp.ListLinks[0]
    tracker: kp.AtomicTracker[0]

events = kp.List(Event, id=0)
e = kp.Arc.new(Event("irq"), kp.GFP_KERNEL)
match kp.ListArc.try_from_arc(e.clone()):
    case kp.Ok(le):
        events.push_back(le)
        print("queued; refcount", e.refcount)
    case kp.Err(back):
        print("already queued; got the Arc back")

# %%
match kp.ListArc.try_from_arc(e.clone()):
    case kp.Ok(le):
        events.push_back(le)
    case kp.Err(back):
        print("already queued; refcount with the returned Arc:", e.refcount)
        back.drop()

# %% [md] slide
# ## Why `List::remove` is `unsafe`
# `remove(item)` looks only at the item's own links. If the item is in a *different* list
# with the same ID, unlinking it would corrupt that list, and `remove` cannot tell. The
# model refuses and explains; the kernel trusts your `// SAFETY:` comment.

# %% raises-exception
other = kp.List(Event, id=0)
other.remove(e)

# %% [md] slide
# ## Exercise 1: the first task joins a second list
# `by_time` (ID 0) holds tasks; `by_owner` (ID 1) is another list. Write
# `share_front(by_time, by_owner)`: the first task of `by_time` must also go to the back of
# `by_owner`, and stay first in `by_time`. Nothing but `by_time` holds a reference to it,
# and `Task` is `untracked` for both IDs. Which handle lets you make a `ListArc<Task, 1>`
# for an object that already exists? (A new `ListArc` of an untracked type comes only from
# a `UniqueArc`; `kp.Arc.into_unique_or_drop(arc)` gives one back when `arc` is the last
# reference, as in notebook 02.) No `kp.unchecked`, no new allocation.

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

# %% [md] subslide
# ## Exercise 2: queue at most once, from a borrow
# Write `enqueue_once(q, event)`, where `event` is an `ArcBorrow` of an `Event`: the caller
# keeps its own `Arc`. If no `ListArc` for the event exists anywhere (in `q` or in any other
# list), push the event into `q` and return `True`; otherwise return `False`. The list's
# reference must be a count of its own; leave every other count as you found it. The check
# also tries an event already sitting in another list, and a `q` that is not empty.

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
# - `kernel::list::ListArc<T, ID>` (rust/kernel/list/arc.rs): `new`, `from`(UniqueArc),
#   `pair_from_unique`, `try_from_arc`, `try_from_arc_or_drop`, `into_arc`, `clone_arc`;
#   never `Clone`; at most one per object and ID.
# - `ListArcSafe`, `TryNewListArc`, `AtomicTracker`, `impl_list_arc_safe!` (`untracked;`,
#   `tracked_by`): tracking may wrongly say "exists", never the reverse.
# - `List::remove` is `unsafe` because an item's links cannot say which list they are in.
# - Next: `05_dynamic_dispatch`.
