# %% [md] slide
# # 07 · Case study: Binder's todo list and a workqueue
#
# **You will learn**
# - how Android's Binder driver keeps a `List<DTRWrap<dyn DeliverToRead>>` per thread under
#   a spinlock, and why `push_work` can hand the work back;
# - how a preallocated, reusable work item is protected by `ListArc::try_from_arc`;
# - how the kernel workqueue owns a reference while an item is pending.

# %% slide
import kernelptr as kp
import widgets
from kernelptr import binder

heap = kp.reset()

# %% [md]
# ## A thread and its todo list
# `binder.Thread` holds `inner: SpinLock<InnerThread>` with a `work_list` and a preallocated
# `reply_work` (a `DArc<ThreadError>` with an `AtomicTracker`). One simplification: the
# model keeps the tracker in the `DTRWrap` wrapper, where Binder delegates tracking to the
# wrapped value (`tracked_by wrapped: T`) and leaves `DeliverCode` untracked.

# %%
t = binder.Thread("t1")
noop = binder.arc_try_new(binder.DeliverCode("BR_NOOP"))      # allocated before the lock
err = binder.arc_try_new(binder.ThreadError("BR_DEAD_REPLY"))
with kp.record() as rec:
    t.push_work(noop)          # ListArc<DTRWrap<DeliverCode>> coerces to dyn DeliverToRead
    t.push_work(err)
widgets.Stepper(rec)

# %% [md] subslide
# ## Delivery dispatches on the concrete type
# `pop_work().into_arc().do_work(...)`: a by-value `Arc` receiver called through the vtable.

# %%
writer = []
t.do_work(writer), writer

# %% [md] subslide
# ## The reusable reply: `try_from_arc` says "already in use"
# The thread keeps one preallocated `ThreadError`. Queuing it twice would need two
# `ListArc`s, so the second `try_from_arc` fails and the driver logs instead.

# %%
t.push_reply_work(), t.push_reply_work(), t.log

# %%
t.do_work(writer), writer

# %% [md] slide
# ## A dead thread hands the work back
# After `release()`, `push_work` returns `FailedDead(work)`: the `ListArc` comes back to the
# caller, who drops it **after** the lock is released, so the destructor never runs in
# atomic context.

# %%
t.release()
late = binder.arc_try_new(binder.DeliverCode("BR_SPAWN_LOOPER"))
match t.push_work(late):
    case binder.FailedDead(work):
        work.drop()
heap.events[-1].summary

# %% [md] slide
# ## A workqueue owns a reference while pending
# `enqueue(arc)` gives the queue one reference; enqueueing again while pending returns
# `Err(arc)`, the same Arc, with the count unchanged. PENDING is cleared just before `run`.

# %%
from kernelptr import workqueue as wq

@wq.impl_has_work(id=0, field="work")
@kp.impl_trait(wq.WorkItem)
@kp.struct
class Flush:
    name: str
    work: kp.workqueue.Work[0]
    def run(this: "kp.Arc[Self]"):
        print("run", this.name, "refcount", this.refcount)

q = wq.Queue("events")
job = kp.Arc.new(Flush("disk"), kp.GFP_KERNEL)
first = q.enqueue(job.clone())
second = q.enqueue(job.clone())
first, job.refcount

# %%
second.value.drop()          # Err(arc): drop the Arc we got back
q.run_pending(), job.refcount

# %% [md] slide
# ## Exercise 1: the first thread that is still alive
# Write `deliver(threads, work)`: offer `work` to `threads[0]`, then to the next thread, and
# so on, with `push_work`, until one takes it; return that thread's index. A dead thread
# hands the work back (`binder.FailedDead(work)`): offer that same work to the next thread,
# no new allocation. If every thread is dead, drop the work (after the lock is released, as
# the driver does) and return `None`.

# %% exercise
def deliver(threads, work):
    ...  # your turn

# %% solution
def deliver(threads, work):
    for i, thread in enumerate(threads):
        match thread.push_work(work):
            case binder.FailedDead(back):
                work = back                 # ours again: try the next thread
            case _:
                return i
    work.drop()                             # push_work released the lock already
    return None

# %% check
from kernelptr.course import checks
checks.ex07_deliver(deliver)

# %% [md] subslide
# ## Exercise 2: kick a batch of jobs
# Write `kick_all(queue, jobs)`: `jobs` is a Python list of `kp.Arc`s of work items; the same
# job may appear twice, and a job may already be pending from somewhere else. Give the queue
# its own reference to each job that is not pending yet, and return how many you newly
# queued. Never leak a count, and leave the caller's `Arc`s with the caller.

# %% exercise
def kick_all(queue, jobs):
    ...  # your turn

# %% solution
def kick_all(queue, jobs):
    queued = 0
    for job in jobs:
        match queue.enqueue(job.clone()):
            case kp.Ok(_):
                queued += 1
            case kp.Err(back):
                back.drop()                 # already pending: the same Arc came back
    return queued

# %% check
checks.ex07_kick_all(kick_all)

# %% [md] slide
# ## Summary
# - Binder (drivers/android/binder/): `DTRWrap<T>`, `DeliverToRead` (`do_work`, `cancel`,
#   `should_sync_wakeup`), `DLArc<T> = ListArc<DTRWrap<T>>`, `InnerThread::push_work` ->
#   `PushWorkRes::{Ok, FailedDead}`, `ListArc::try_from_arc` guarding `reply_work`.
# - Workqueue (rust/kernel/workqueue.rs): `Queue::enqueue` -> `Result<(), Arc<T>>`,
#   `WorkItem::run(this)`, `Work<T, ID>`, `impl_has_work!`; C `queue_work_on` and the
#   PENDING bit.
# - You have seen every pointer of the course. Well done!
