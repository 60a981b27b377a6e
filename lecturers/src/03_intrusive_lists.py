# %% [md] slide
# # 03 · Intrusive lists that never allocate
#
# **You will learn**
# - why a container behind a spinlock cannot allocate when you insert into it;
# - how `ListLinks` embedded in the value make insertion allocation-free;
# - how `push`, `pop`, `remove` and cursors move the links, step by step;
# - that every list operation is O(1) and allocates nothing (we count).

# %% slide
import kernelptr as kp
import widgets

heap = kp.reset()

# %% [md]
# ## The problem: inserting into a map allocates
# A map or vector allocates a node (or grows a buffer) when you insert. A spinlock holder
# may not sleep, so `GFP_KERNEL` is out, and `GFP_ATOMIC` can fail in the middle of your
# critical section. Here a map node is allocated inside a lock:

# %% raises-exception
lock = kp.SpinLock({}, "table_lock")
with lock.lock() as table:
    node = kp.Arc.new("map node", kp.GFP_KERNEL)   # what a map's insert would need

# %% [md] subslide
# ## The answer: the links live inside the value
# A `ListLinks<ID>` field (two pointers, 16 bytes) is allocated together with the object.
# Inserting only writes pointers that already exist: no allocation, no failure.

# %%
@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Job:
    name: str
    prio: int = 0
    links: kp.ListLinks[0]

kp.layout(Job).size, kp.layout(Job).arc_inner

# %% [md] slide
# ## Pushing, step by step
# A `List<Job, 0>` is a single pointer, `first`, into a circular ring of links: the last
# item's `next` is the first, the first's `prev` is the last. `push_back` consumes a
# `ListArc` (notebook 04 explains why a plain `Arc` is not enough).

# %%
q = kp.List(Job, id=0)
a = kp.ListArc.new(Job("a"), kp.GFP_KERNEL)   # allocate first, outside any lock
b = kp.ListArc.new(Job("b"), kp.GFP_KERNEL)
c = kp.ListArc.new(Job("c"), kp.GFP_KERNEL)

qlock = kp.SpinLock(None, "q_lock")
before = heap.alloc_count
with kp.record() as rec:
    with qlock.lock():
        q.push_back(a)
        q.push_back(b)
        q.push_front(c)
widgets.Stepper(rec)

# %%
[job.name for job in q], heap.alloc_count - before

# %% [md] subslide
# The ListArc you pushed now belongs to the list: the old name is moved.

# %% raises-exception
a.name

# %% [md] subslide
# ## The kernel's own examples
# From the documentation of `List` in rust/kernel/list.rs: `push_back` 1, 2, 3 iterates
# 1, 2, 3; `push_front` gives 3, 2, 1.

# %%
back, front = kp.List(Job, id=0), kp.List(Job, id=0)
for n in (1, 2, 3):
    back.push_back(kp.ListArc.new(Job(str(n)), kp.GFP_KERNEL))
    front.push_front(kp.ListArc.new(Job(str(n)), kp.GFP_KERNEL))
[j.name for j in back], [j.name for j in front]

# %% [md] slide
# ## Popping and removing
# `pop_front` hands the ListArc back. `remove(item)` takes any reference to the item and
# unlinks it in O(1): the item's own links say where its neighbours are. (In Rust `remove`
# is `unsafe`: notebook 04 shows why.)

# %%
with kp.record() as rec:
    first = q.pop_front()
    front = q.first.clone_arc()           # an ordinary Arc to the new front item
    taken = q.remove(front)               # O(1): no search
widgets.Stepper(rec)

# %%
first.name, taken.name, [j.name for j in q]

# %% [md] slide
# ## Cursors
# A cursor sits *between* two items. `peek_next()` / `peek_prev()` look at the neighbours,
# `move_next()` / `move_prev()` walk, `insert_next`/`insert_prev` link a ListArc, and
# `remove()` on a peek unlinks it.

# %%
for name in ("d", "e", "f"):
    q.push_back(kp.ListArc.new(Job(name, prio=len(name)), kp.GFP_KERNEL))
with kp.record() as rec:
    cursor = q.cursor_front()
    cursor.move_next()
    removed = cursor.peek_next().remove()
    cursor.insert_prev(kp.ListArc.new(Job("new"), kp.GFP_KERNEL))
widgets.Stepper(rec)

# %%
removed.name, [j.name for j in q]

# %% [md] subslide
# ## O(1) removal, measured
# Removing from a Python list searches (O(n)); removing an intrusive item is a few pointer
# writes whatever the length. The curves below are measured now (their exact times vary).

# %% nbval-ignore-output
widgets.plot_op_cost()

# %% [md] slide
# ## Exercise 1: order by pushing
# Write `build(q, make, names, first)` so that the empty list `q` iterates `names` in order,
# where `make(name)` returns a new `ListArc`. Push `names[first]` before any other item, and
# use only `push_back` and `push_front`, one push per name. The check tries several lists
# (`["x", "y", "z"]` with `first = 1`, longer ones, other `first`s).

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

# %% [md] subslide
# ## Exercise 2: a cursor that filters
# Write `drop_low(q, limit)`: walk `q` with a cursor and remove (and drop) every job whose
# `prio` is below `limit`, keeping the others in order. The jobs you keep never leave the
# list, and nothing is allocated. The check runs it on two lists with two limits; a loop
# that never moves on is stopped with a hint.

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
# - `kernel::list::List<T, ID>` (rust/kernel/list.rs): one `first` pointer, a circular ring,
#   `push_back`, `push_front`, `pop_front`, `pop_back`, `remove` (unsafe), `push_all_back`,
#   `cursor_front`, `cursor_back`; O(1), never allocates, never fails.
# - `ListLinks<ID>` is embedded in the item; `impl_list_item!` says which field.
# - `Cursor` and `CursorPeek`: `peek_next`, `move_next`, `insert_prev`, `remove`.
# - Next: `04_listarc`: why the list takes a `ListArc`.
