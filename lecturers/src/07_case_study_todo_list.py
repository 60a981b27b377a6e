# %% [md] slide
# # 07 · Case study: Binder's todo list and a workqueue
#
# **You will learn**
# - how Android's Binder driver (`drivers/android/binder/`) keeps a
#   `List<DTRWrap<dyn DeliverToRead>>` per thread under a spinlock, and delegates the
#   `ListArc` tracking of `DTRWrap<T>` to the wrapped `T`;
# - how a preallocated, reusable work item is guarded by `ListArc::try_from_arc`, and why a
#   failure means "already queued";
# - why `push_work` hands the work back to a caller who drops it after the lock is released;
# - how a kernel workqueue item (`Work<T>`, `impl_has_work!`, `WorkItem::run`) owns a
#   reference while it is pending.

# %% [md] notes
# **Speaker notes.** Say: everything from 01 to 06 appears in one production driver: `Arc`,
# `ListArc` with tracking, intrusive lists under a spinlock, trait objects in a list,
# arbitrary self types. Ask: "What does Binder deliver to a thread?" (return codes,
# transactions, death notifications: many event types, hence trait objects).

# %%
import kernelptr as kp
import widgets
from kernelptr import binder
from kernelptr import workqueue as wq

# %% [md] slide
# ## The work items: `DeliverToRead` and `DTRWrap<T>`
# Each Binder thread has a todo list of things to write to userspace when it next reads.
# There are many kinds, so the list holds trait objects, wrapped as in notebook 05
# (`drivers/android/binder/rust_binder_main.rs`, paraphrased):
#
# ```rust
# trait DeliverToRead: ListArcSafe + Send + Sync {
#     fn do_work(self: DArc<Self>, thread: &Thread, writer: &mut BinderReturnWriter<'_>)
#         -> Result<bool>;
#     fn cancel(self: DArc<Self>);
#     fn should_sync_wakeup(&self) -> bool;
# }
#
# #[pin_data]
# struct DTRWrap<T: ?Sized> {
#     #[pin]
#     links: ListLinksSelfPtr<DTRWrap<dyn DeliverToRead>>,
#     #[pin]
#     wrapped: T,
# }
# impl_list_arc_safe! {
#     impl{T: ListArcSafe + ?Sized} ListArcSafe<0> for DTRWrap<T> { tracked_by wrapped: T; }
# }
# impl_list_item! {
#     impl ListItem<0> for DTRWrap<dyn DeliverToRead> { using ListLinksSelfPtr { self.links }; }
# }
# type DArc<T> = Arc<DTRWrap<T>>;
# type DLArc<T> = ListArc<DTRWrap<T>>;
# ```
# The receivers are `DArc<Self>`, an `Arc` of the wrapper: arbitrary self types again.

# %%
print(kp.rust_decl(binder.DTRWrap))
binder.DeliverToRead.methods()

# %% [md] notes
# **Speaker notes.** Say: `tracked_by wrapped: T` means "ask the wrapped value whether a
# ListArc exists"; it works for `dyn DeliverToRead` only because `ListArcSafe` is a
# supertrait. Ask: "Why is the supertrait needed for `DTRWrap<dyn DeliverToRead>`?" (a `dyn`
# value must still be able to answer the tracking calls: through its vtable).

# %% [md] slide
# ## Tracking is delegated to the wrapped value
# `DTRWrap` has no tracker of its own: each payload type decides. A `ThreadError` carries an
# `AtomicTracker`, so `ListArc::try_from_arc` can ask it whether a `ListArc` already exists.
# A `DeliverCode` is `untracked`: its only `ListArc` is the one made at allocation
# (`DTRWrap::arc_try_new`), and `try_from_arc` on it does not compile.
#
# ```rust
# #[pin_data]
# struct ThreadError {
#     error_code: Atomic<u32>,
#     #[pin]
#     links_track: AtomicTracker,
# }
# impl_list_arc_safe! {
#     impl ListArcSafe<0> for ThreadError { tracked_by links_track: AtomicTracker; }
# }
#
# struct DeliverCode {
#     code: u32,
#     skip: Atomic<bool>,
# }
# impl_list_arc_safe! {
#     impl ListArcSafe<0> for DeliverCode { untracked; }
# }
#
# let code: DArc<DeliverCode> = DTRWrap::arc_try_new(DeliverCode::new(BR_NOOP))?.into_arc();
# // ListArc::try_from_arc(code)   // error[E0277]: `DTRWrap<DeliverCode>: TryNewListArc<0>`
# //                               //               is not satisfied
# ```

# %%
heap = kp.reset()
code = binder.arc_try_new(binder.DeliverCode("BR_NOOP")).into_arc()
with kp.expect_error(kp.TraitNotImplemented):
    kp.ListArc.try_from_arc(code)
error = binder.ThreadError.try_new("BR_DEAD_REPLY", kp.GFP_KERNEL)
kp.ListArc.try_from_arc(error.clone())

# %% [md] notes
# **Speaker notes.** Say: the error names `DTRWrap<DeliverCode>` and then the real culprit,
# the wrapped type; `ThreadError`'s tracker answered yes, so we got `Ok(ListArc)`. Ask: "Why
# would a driver choose `untracked`?" (no tracker field to pay for, when nothing ever needs
# a second `ListArc` later).

# %% [md] slide
# ## A thread and its todo list
# The thread's state sits behind a spinlock (`drivers/android/binder/thread.rs`). Two
# `ThreadError` items are allocated when the thread is created and kept for reuse:
# `reply_work` (errors for the thread that started a transaction) and `return_work` (errors
# for this thread itself). `push_work` never allocates: the work was allocated before the
# lock, and the push only writes links.
#
# ```rust
# struct InnerThread {
#     is_dead: bool,
#     reply_work: DArc<ThreadError>,
#     return_work: DArc<ThreadError>,
#     work_list: List<DTRWrap<dyn DeliverToRead>>,
#     /* looper state, the current transaction, ... */
# }
#
# #[pin_data]
# struct Thread {
#     #[pin]
#     inner: SpinLock<InnerThread>,
#     /* id, process, a condvar, links for the process' list of ready threads, ... */
# }
#
# let noop = DTRWrap::arc_try_new(DeliverCode::new(BR_NOOP))?;   // may sleep
# let _ = thread.push_work(noop);      // takes the lock; coerces to DLArc<dyn DeliverToRead>
# ```

# %% subslide
heap = kp.reset()
t = binder.Thread("t")
noop = binder.arc_try_new(binder.DeliverCode("BR_NOOP"))
with kp.record() as rec:
    t.push_work(noop)
widgets.Stepper(rec)

# %% [md] notes
# **Speaker notes.** Show: step through lock, coercion, push, unlock; the two `ThreadError`s
# sit beside the list, unlinked, with one owner each (`t.reply_work`, `t.return_work`). Ask:
# "What does the `self_ptr[0]` row of the pushed item hold, and why?" (the fat pointer: data
# and `<DeliverCode as DeliverToRead>`'s vtable).

# %% [md] slide
# ## Delivery: `pop_work().into_arc().do_work(...)`
# When the thread reads, each item is popped under the lock and delivered: the `ListArc` is
# turned into a plain `Arc` (the list's right is no longer needed) and `do_work` is called
# through the vtable, with the `Arc` as `self`, after the lock is released (simplified from
# `Thread::read`):
#
# ```rust
# loop {
#     let work = self.inner.lock().pop_work();   // the guard is dropped at the `;`
#     let Some(work) = work else { break };
#     work.into_arc().do_work(self, &mut writer)?;   // self: DArc<Self>, by value
# }
# ```

# %%
writer = []
t.do_work(writer), writer, heap.free_count

# %% [md] notes
# **Speaker notes.** Say: `into_arc()` gives up the right to be in a list; the item is off
# the list and nothing needs that right any more. Ask: "Who frees the `DeliverCode` here,
# and is any lock held at that moment?"

# %% [md] subslide
# ## Does this compile?
# A shortcut that skips `into_arc()`:
#
# ```rust
# let work = self.inner.lock().pop_work();
# if let Some(work) = work {
#     work.do_work(self, &mut writer)?;
# }
# ```

# %%
def skip_into_arc():
    thread = binder.Thread("t")
    thread.push_work(binder.arc_try_new(binder.DeliverCode("BR_NOOP")))
    work = thread.pop_work()
    work.do_work(thread, [])

widgets.DoesItCompile(skip_into_arc, [
    "compiles and runs: BR_NOOP is written",
    "error[E0599]: no method named do_work found for ListArc<DTRWrap<dyn DeliverToRead>>",
    "error[E0277]: DTRWrap<DeliverCode>: TryNewListArc<0> is not satisfied",
    "error[E0382]: use of moved value: work",
], hints=["check each choice against the rule it names.",
          "what is `self` in the trait's `do_work`, and what does `pop_work` return?"])

# %% [md] slide
# ## The reusable reply: `try_from_arc` means "not queued yet"
# To queue `reply_work`, the driver needs a `ListArc` for it, but the thread keeps only an
# `Arc`. `ListArc::try_from_arc` asks the `ThreadError`'s tracker: if a `ListArc` exists
# already, the item is still on a todo list, and it gets the `Arc` back as `Err`. Then the
# driver logs a warning instead of queuing the same links twice. No allocation on this path:
# errors are often reported where allocating is not allowed or might fail.
#
# ```rust
# fn push_reply_work(&mut self, code: u32) -> PushWorkRes {
#     match ListArc::try_from_arc(self.reply_work.clone()) {
#         Ok(work) => {
#             work.set_error_code(code);
#             self.push_work(work)
#         }
#         Err(_in_use) => {
#             pr_warn!("reply work is already queued\n");
#             PushWorkRes::Ok
#         }
#     }
# }
# ```
# `push_return_work` does the same with `return_work`.

# %%
def reply_twice():
    thread = binder.Thread("t")
    thread.push_reply_work()
    thread.push_reply_work()
    writer = []
    thread.do_work(writer)
    return writer

widgets.Predict("`push_reply_work()` is called twice before the thread reads. How many "
                "codes does the read write to userspace?", reply_twice,
                answer=lambda writer: len(writer),
                hints=["a ListArc is the right to be in a list; how many can exist for one "
                       "object and one ID?",
                       "what does the ThreadError's tracker answer to the second "
                       "try_from_arc, while the first push is still queued?"])

# %% [md] notes
# **Speaker notes.** Say: commit, then run the cell below to see the warning in the thread's
# log. Ask: "Why not allocate a fresh `ThreadError` each time?" (allocation can fail or be
# forbidden exactly when an error must be reported).

# %%
heap = kp.reset()
t = binder.Thread("t")
t.push_reply_work(), t.push_reply_work(), t.push_return_work(), t.log

# %% [md] slide
# ## A dead thread hands the work back
# Once a thread has exited (`release`), `push_work` answers `PushWorkRes::FailedDead(work)`:
# the `ListArc` comes back to the caller. The lock guard is a temporary, dropped at the end
# of the statement, so by the time the caller holds the work again the lock is released;
# dropping it there runs any destructor **outside** the spinlock (a destructor may free
# memory, take other locks or call back into the thread).
#
# ```rust
# match thread.push_work(work) {
#     PushWorkRes::FailedDead(work) => drop(work),   // lock already released
#     _ => {}
# }
# ```

# %%
t.release()
late = binder.arc_try_new(binder.DeliverCode("BR_SPAWN_LOOPER"))
with kp.record() as rec:
    match t.push_work(late):
        case binder.FailedDead(work):
            work.drop()
widgets.Stepper(rec)

# %% [md] notes
# **Speaker notes.** Show: the last two steps: `SpinLock::unlock`, then the drop that frees
# the item. Ask: "What if `InnerThread::push_work` had dropped the work itself, under the
# lock?" (its destructor would run in atomic context; the caller could not try another
# thread).

# %% [md] slide
# ## Exercise 1: the first thread that is still alive
# Write `deliver(threads, work)`: offer `work` to `threads[0]`, then to the next thread, and
# so on, with `push_work`, until one takes it; return that thread's index. A dead thread
# hands the work back (`binder.FailedDead(work)`): offer that same work to the next thread,
# no new allocation. If every thread is dead, drop the work (after the lock is released, as
# the driver does) and return `None`.

# %% [md] notes
# **Speaker notes.** Say: about ten minutes. The check runs your function on several sets of
# live and dead threads and watches which steps happen under which lock. Ask those who
# finish: "At which line of your function is no lock held?"

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

# %% [md] slide
# ## A workqueue item owns a reference while pending
# The kernel's workqueue (`rust/kernel/workqueue.rs`) also keeps work in an intrusive list,
# the C `work_struct` embedded in the item. `Queue::enqueue(arc)` hands one reference to the
# queue (`Arc::into_raw`) and sets the PENDING bit; if the item is already pending, C's
# `queue_work_on` refuses and the same `Arc` comes back as `Err(arc)`, count unchanged.
# A worker clears PENDING just before calling `run`, which receives the queue's reference.
#
# ```rust
# #[pin_data]
# struct Flush {
#     name: &'static str,
#     #[pin]
#     work: Work<Flush>,
# }
# impl_has_work! {
#     impl HasWork<Self> for Flush { self.work }
# }
# impl WorkItem for Flush {
#     type Pointer = Arc<Flush>;
#     fn run(this: Arc<Flush>) {
#         pr_info!("flushing {}\n", this.name);
#     }   // `this` is dropped here: the queue's reference is gone
# }
#
# let job = Arc::pin_init(pin_init!(Flush { name: "disk", work <- new_work!("Flush::work") }),
#                         GFP_KERNEL)?;
# let first = workqueue::system().enqueue(job.clone());    // Ok(())
# let second = workqueue::system().enqueue(job.clone());   // Err(arc): already pending
# ```

# %% subslide
@wq.impl_has_work(id=0, field="work")
@kp.impl_trait(wq.WorkItem)
@kp.struct
class Flush:
    name: str
    work: wq.Work[0]
    def run(this: "kp.Arc[Self]"):
        print("flushing", this.name, "refcount", this.refcount)

heap = kp.reset()
q = wq.Queue("events")
with kp.record() as rec:
    job = kp.Arc.new(Flush("disk"), kp.GFP_KERNEL)
    first = q.enqueue(job.clone())
    second = q.enqueue(job.clone())
widgets.StepQuiz(rec, {2: widgets.ask.refcount("job"), 4: widgets.ask.refcount("job")})

# %% [md] notes
# **Speaker notes.** Say: predict each count before the step is shown; the quiz waits for
# you. Ask, once the quiz is done: "Who owns each count now?" (let the room list the owners
# from the picture).

# %% [md] subslide
# Drop the `Arc` that came back, then let a worker run the item: `run` gets the queue's
# reference and drops it on return.
#
# ```rust
# if let Err(again) = second { drop(again); }
# ```

# %%
match second:
    case kp.Err(again):
        again.drop()
q.run_pending(), job.refcount

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
# - Binder (`drivers/android/binder/`): `DTRWrap<T: ?Sized>` holds `ListLinksSelfPtr` and
#   the wrapped value; `DLArc<dyn DeliverToRead>` = `ListArc<DTRWrap<dyn DeliverToRead>>`;
#   `InnerThread::work_list` is a `List<DTRWrap<dyn DeliverToRead>>` under the thread's
#   `SpinLock`; delivery is `pop_work().into_arc().do_work(..)`, a `DArc<Self>` receiver
#   called through the vtable.
# - `impl_list_arc_safe! { .. tracked_by wrapped: T; }` delegates tracking to the payload:
#   `ThreadError` has an `AtomicTracker`; `DeliverCode` is `untracked`, so
#   `ListArc::try_from_arc` on it does not compile (E0277).
# - `reply_work` / `return_work` are allocated once and reused: a failing `try_from_arc`
#   means "still queued", and the driver warns instead of allocating.
# - `push_work` returns `PushWorkRes::FailedDead(work)` on a dead thread; the caller drops it
#   after the lock is released, so destructors never run inside the spinlock.
# - Workqueue (`rust/kernel/workqueue.rs`): `Work<T, ID>` + `impl_has_work!`,
#   `WorkItem::run(this: Arc<Self>)`; `Queue::enqueue` gives the queue one reference, or
#   returns `Err(arc)` (the same `Arc`, count unchanged) when the item is already pending.
# - You have seen every pointer of the course. Well done!

# %% [md] notes
# **Speaker notes.** Say: Binder uses every pointer of the course, each for its reason. Ask:
# "For each notebook, 01 to 06, name the line of Binder we saw that depends on it." Let the
# room build the list.
