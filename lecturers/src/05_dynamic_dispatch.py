# %% [md] slide
# # 05 · Dynamic dispatch: `Arc<dyn Trait>`, vtables and arbitrary self types
#
# **You will learn**
# - what a fat pointer is (data + vtable, 16 bytes) and what a vtable holds;
# - why the kernel's methods take `self: ArcBorrow<'_, Self>` or `self: ListArc<Self>`
#   (arbitrary self types), and why that matters most for trait objects;
# - how the kernel keeps trait objects in an intrusive list (`Wrapper<dyn Trait>`);
# - the two unstable compiler features behind all this, `DispatchFromDyn` and
#   `Unsize`/`CoerceUnsized` (now `#[derive(CoercePointee)]`), and where they stand today.

# %% [md] notes
# **Speaker notes.** Say: 03 and 04 built lists of one concrete type. Binder's todo list
# holds many kinds of work in one list, which needs trait objects; this is the part of the
# design document that asks the Rust project for new language features. Ask: "In C, how
# would you keep different kinds of events in one list?" (a type tag, or a struct of
# function pointers: hold that thought for 06).

# %%
import kernelptr as kp
import widgets

# %% [md] slide
# ## A trait, two shapes
# A trait's methods declare their receiver in the `self` annotation, as in Rust. `area` and
# `name` only read the value (`&self`). `register` must hand out a new `Arc` to its own
# object, so it needs the pointer the object is managed by, not just a reference:
# `self: ArcBorrow<'_, Self>` (`rust/kernel/sync/arc.rs`), whose `clone_arc()` adds one count.
#
# ```rust
# trait Shape {
#     fn area(&self) -> u64;
#     fn name(&self) -> &'static str;
#     fn register(self: ArcBorrow<'_, Self>, registry: &mut KVec<Arc<dyn Shape>>) -> Result;
# }
#
# struct Circle { r: u64 }
#
# impl Shape for Circle {
#     fn area(&self) -> u64 { 3 * self.r * self.r }
#     fn name(&self) -> &'static str { "circle" }
#     fn register(self: ArcBorrow<'_, Self>, registry: &mut KVec<Arc<dyn Shape>>) -> Result {
#         let me: Arc<Circle> = self.into();      // clone_arc: one more count
#         registry.push(me, GFP_KERNEL)?;         // coerced to Arc<dyn Shape> on the way in
#         Ok(())
#     }
# }
# // `struct Rect { w: u64, h: u64 }` implements it the same way.
# ```
# In the model a Python list stands for the `KVec`.

# %%
class Shape(kp.Trait):
    def area(self): ...
    def name(self): ...
    def register(self: "kp.ArcBorrow[Self]", registry): ...

@kp.impl_trait(Shape)
@kp.struct
class Circle:
    r: int
    def area(self):
        return 3 * self.r * self.r
    def name(self):
        return "circle"
    def register(self: "kp.ArcBorrow[Self]", registry):
        registry.append(self.clone_arc().into_dyn(Shape))

@kp.impl_trait(Shape)
@kp.struct
class Rect:
    w: int
    h: int
    def area(self):
        return self.w * self.h
    def name(self):
        return "rect"
    def register(self: "kp.ArcBorrow[Self]", registry):
        registry.append(self.clone_arc().into_dyn(Shape))

# %% [md] notes
# **Speaker notes.** Say: read the Rust and the Python side by side: `self:
# "kp.ArcBorrow[Self]"` is `self: ArcBorrow<'_, Self>`, and a `self` without annotation is
# `&self`. Ask: "Which of the three methods could be called with nothing but a `&Circle`?"

# %% [md] slide
# ## One object, two pointers: `Arc<Circle>` and `Arc<dyn Shape>`
# Coercing `Arc<Circle>` to `Arc<dyn Shape>` (unsizing, `into_dyn` in the model) forgets
# the concrete type but keeps a way to reach its methods: the new pointer is a **fat
# pointer**, 16 bytes instead of 8: the address of the data, and the address of the vtable
# for the pair `(Circle, Shape)`, which rustc places in read-only memory.
#
# ```rust
# let c: Arc<Circle> = Arc::new(Circle { r: 2 }, GFP_KERNEL)?;
# let d: Arc<dyn Shape> = c.clone();   // unsizing coercion: same object, one more count
# ```

# %% subslide
heap = kp.reset()
view = widgets.HeapView(heap)
c = kp.Arc.new(Circle(2), kp.GFP_KERNEL)
d = c.clone().into_dyn(Shape)
view

# %% [md] notes
# **Speaker notes.** Say: both handles own a count of the same `ArcInner`; only `d` carries
# a second word. Show: hover the dotted arrow from `d`'s vtable cell to `.rodata`. Ask:
# "Where else have you seen a pointer plus a table of function pointers?" (C ops tables, C++
# objects, which keep the table pointer inside the object instead).

# %% [md] subslide
# Both pointers reach the same object (the model's `Arc.ptr_eq` compares data addresses, as
# `core::ptr::addr_eq` does). Through `d` only the trait's methods
# exist: the type, and with it the field `r`, is erased. That is why code keeps both kinds
# of pointer to one object (the design document asks for exactly this; Binder keeps a
# concrete `Arc` to a work item it also queued as `dyn`).
#
# ```rust
# assert!(core::ptr::addr_eq(&*c, &*d));   // one object: the same data address
# let r = c.r;        // fine: `c` knows it is a Circle
# // d.r              // refused: `dyn Shape` has no field `r`
# ```

# %%
print(kp.Arc.ptr_eq(c, d), c.r, d.name(), d.area())
with kp.expect_error(kp.TypeMismatch):
    d.r

# %% [md] subslide
# ## Predict: how many vtables?
# rustc emits vtables into `.rodata` at compile time. The program below makes four trait
# objects: two circles, a rectangle, and a clone of the first circle's fat pointer.

# %%
def four_shapes():
    small = kp.Arc.new(Circle(1), kp.GFP_KERNEL).into_dyn(Shape)
    big = kp.Arc.new(Circle(5), kp.GFP_KERNEL).into_dyn(Shape)
    box = kp.Arc.new(Rect(2, 3), kp.GFP_KERNEL).into_dyn(Shape)
    again = small.clone()
    return kp.current_heap().snapshot()

widgets.Predict("How many vtables does `.rodata` hold for these four `Arc<dyn Shape>`s?",
                four_shapes, answer=lambda snap: len(snap.vtables),
                hints=["a vtable describes a type as a trait (how to drop it, its size, "
                       "where its methods are); does it depend on the value, or on the type?",
                       "look at the vtable in the picture above: which of its rows would "
                       "differ for another circle, or for a rectangle?"])

# %% [md] slide
# ## What a vtable holds
# Every vtable starts with what any trait object needs, whatever its trait: a pointer to
# `drop_in_place::<Circle>` (to run the destructor when the last `Arc` goes), the size and
# the alignment (to free the allocation), then one function pointer per method, in
# declaration order. A call `d.name()` loads one slot and calls it with the data half.

# %%
vt = kp.vtable_for(Circle, Shape).snapshot()
[(slot, name) for slot, (name, _) in enumerate(vt.layout)]

# %% [md] notes
# **Speaker notes.** Say: `drop_in_place`, `size` and `align` are why `Arc<dyn Shape>` can
# be dropped without knowing the type: the vtable knows. Show: the prediction below before
# any discussion of slot numbers. Ask, after it: "What changes in the vtable of
# `<Rect as Shape>`?" (the functions and the size, never the order).

# %% [md] subslide
# ## Predict: which slot?
# A trait `Speak` declares `hello`, then `bye`, then `mood`. Counting from 0 as above, which
# slot of `<Cat as Speak>`'s vtable does a call `cat.mood()` through an `Arc<dyn Speak>` load?

# %%
class Speak(kp.Trait):
    def hello(self): ...
    def bye(self): ...
    def mood(self): ...

@kp.impl_trait(Speak)
@kp.struct
class Cat:
    lives: int
    def hello(self):
        return "meow"
    def bye(self):
        return "..."
    def mood(self):
        return "grumpy"

def call_mood():
    cat = kp.Arc.new(Cat(9), kp.GFP_KERNEL).into_dyn(Speak)
    cat.mood()
    return kp.vtable_for(Cat, Speak).slot_of("mood")

widgets.Predict("Which slot does `cat.mood()` load?", call_mood, answer=lambda slot: slot,
                hints=["a vtable begins with the entries every trait object needs, whatever "
                       "its trait; the methods come after them, in declaration order.",
                       "count the rows of the table printed above: how many come before "
                       "the first method?"])

# %% [md] slide
# ## The receiver is part of the method
# `register` takes `self: ArcBorrow<'_, Self>`. Calling it on the `Arc<dyn Shape>` itself
# names a method that `Arc<dyn Shape>` does not have: the pointer is never converted
# implicitly. Lend an `ArcBorrow` first (`as_arc_borrow()`, no count change); the call
# still goes through the vtable.
#
# ```rust
# let c: Arc<Circle> = Arc::new(Circle { r: 2 }, GFP_KERNEL)?;
# let d: Arc<dyn Shape> = c.clone();
# let mut registry = KVec::new();
# d.as_arc_borrow().register(&mut registry)?;  // self: ArcBorrow<'_, Self>
# // d.register(&mut registry)?;              // error[E0599]: no method named `register`
# //                                          // found for `Arc<dyn Shape>`
# ```

# %%
heap = kp.reset()
c = kp.Arc.new(Circle(2), kp.GFP_KERNEL)
d = c.clone().into_dyn(Shape)
registry = []
d.as_arc_borrow().register(registry)
print(registry[0].type_str(), "refcount", c.refcount)
with kp.expect_error(kp.ReceiverMismatch):
    d.register(registry)

# %% [md] notes
# **Speaker notes.** Say: the error is rustc's E0599, "no method found": with arbitrary self
# types, which pointer you hold decides which methods exist. Ask: "Why does `register` need
# an `ArcBorrow` at all, when `area` is happy with `&self`?"

# %% [md] slide
# ## Why arbitrary self types are needed at all
# `register` needs its own `Arc` (to clone it), and a method that puts its object in a list
# needs its own `ListArc` (to give it to the list). For a concrete type there is a way
# around special receivers: an associated function that takes the pointer as an ordinary
# argument, called with the type's name.
#
# ```rust
# impl Circle {
#     // no `self` at all: no language feature needed
#     fn register_circle(this: ArcBorrow<'_, Circle>, registry: &mut KVec<Arc<dyn Shape>>)
#         -> Result
#     {
#         let me: Arc<Circle> = this.into();
#         registry.push(me, GFP_KERNEL)?;
#         Ok(())
#     }
# }
# Circle::register_circle(c.as_arc_borrow(), &mut registry)?;   // we know it is a Circle
# ```
# With a trait object there is no type name to write: the only call the compiler can make is
# "load the slot from the vtable and pass the pointer as `self`". **Dynamic dispatch only
# happens through `self`**, so the kernel's pointer types must be allowed as `self`:
# `self: ArcBorrow<'_, Self>`, `self: Arc<Self>`, `self: ListArc<Self>`. That is the unstable
# `arbitrary_self_types` feature.

# %%
def register_circle(this, registry):     # Circle::register_circle(this, registry)
    registry.append(this.clone_arc().into_dyn(Shape))

register_circle(c.as_arc_borrow(), registry)     # fine: we hold a concrete Arc<Circle>
shapes = [d, kp.Arc.new(Rect(2, 5), kp.GFP_KERNEL).into_dyn(Shape)]
for s in shapes:                                  # which type is each? only the vtable knows
    s.as_arc_borrow().register(registry)
[s.name() for s in registry], c.refcount

# %% [md] notes
# **Speaker notes.** Say: this is the design document's central argument for arbitrary self
# types; the kernel could live without them for inherent methods, not for trait objects.
# Ask: "Could `register` take `&self` and still get an `Arc`?" (no: `&Circle` does not know
# the object is inside an `ArcInner`; the pointer type carries that knowledge).

# %% [md] slide
# ## Lists of trait objects: `Wrapper<dyn Trait>`
# A `List` finds each item's links at a fixed offset from the start of the item. Every type
# implementing a trait lays out its fields differently, so `dyn Trait` has no such offset:
# `List<dyn Trait>` is refused.

# %%
class Runnable(kp.Trait):
    def run(self: "kp.ListArc[Wrapper[Self]]", later): ...

with kp.expect_error(kp.TraitNotImplemented):
    kp.List(Runnable)

# %% [md] notes
# **Speaker notes.** Say: this is the design document's point about a uniform offset for
# `next`/`prev`. Ask: "If a list could hold `dyn Runnable` values directly, where would
# their links be?"

# %% [md] subslide
# The kernel wraps each value in a struct whose links come **first** (the same offset for
# every wrapped type) and whose **last** field is the value, `T: ?Sized`, so that
# `Wrapper<Ping>` unsizes to `Wrapper<dyn Runnable>`. The links are a `ListLinksSelfPtr`
# (`rust/kernel/list.rs`): when an item is pushed, they also store the fat self pointer, so
# that the list can hand back a `ListArc<Wrapper<dyn Runnable>>`, vtable included.
# `kp.impl_dyn_list_item` is the model's only route to `List(Wrapper[Runnable])`, as the
# kernel's `impl ListItem` is written for the `dyn` form only (Binder's `DTRWrap` is this).
#
# ```rust
# #[pin_data]
# struct Wrapper<T: ?Sized> {
#     #[pin]
#     links: ListLinksSelfPtr<Wrapper<dyn Runnable>>,
#     #[pin]
#     wrapped: T,
# }
# impl_list_arc_safe! {
#     impl{T: ?Sized} ListArcSafe<0> for Wrapper<T> { untracked; }
# }
# impl_list_item! {
#     impl ListItem<0> for Wrapper<dyn Runnable> { using ListLinksSelfPtr { self.links }; }
# }
# trait Runnable {
#     fn run(self: ListArc<Wrapper<Self>>, later: &mut List<Wrapper<dyn Runnable>>);
# }
# ```

# %%
@kp.impl_dyn_list_item(Runnable, id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Wrapper:
    links: kp.ListLinksSelfPtr[0]
    wrapped: kp.Unsized

@kp.impl_trait(Runnable)
@kp.struct
class Ping:
    n: int
    def run(self: "kp.ListArc[Wrapper[Self]]", later):
        print("ping", self.wrapped.n)           # `self` is dropped when run returns

@kp.impl_trait(Runnable)
@kp.struct
class Retry:
    what: str
    def run(self: "kp.ListArc[Wrapper[Self]]", later):
        print("not yet:", self.wrapped.what)
        later.push_back(self)                   # owning the ListArc is the right to push

# %% [md] slide
# ## Filling the list under a spinlock
# Allocate first (`ListArc::pin_init` may sleep), then take the lock and push: `push_back`
# never allocates. Each push coerces `ListArc<Wrapper<Ping>>` to
# `ListArc<Wrapper<dyn Runnable>>` at the call site and stores the fat pointer in the
# links.
#
# ```rust
# let ping = ListArc::pin_init(pin_init!(Wrapper {
#     links <- ListLinksSelfPtr::new(), wrapped: Ping { n: 1 } }), GFP_KERNEL)?;
# let retry = ListArc::pin_init(pin_init!(Wrapper {
#     links <- ListLinksSelfPtr::new(), wrapped: Retry { what: "disk" } }), GFP_KERNEL)?;
# let mut guard = todo.lock();
# guard.push_back(ping);      // coerced to ListArc<Wrapper<dyn Runnable>>
# guard.push_back(retry);
# ```

# %% subslide
heap = kp.reset()
ping = kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL)
retry = kp.ListArc.new(Wrapper(Retry("disk")), kp.GFP_KERNEL)
todo = kp.SpinLock(kp.List(Wrapper[Runnable]), "todo")
with kp.record() as rec:
    with todo.lock() as guard:
        guard.value.push_back(ping)
        guard.value.push_back(retry)
widgets.Stepper(rec)

# %% [md] notes
# **Speaker notes.** Show: step to the end; each item's `self_ptr[0]` row holds (data,
# vtable), and the dotted arrows go to two different vtables. Ask: "The list's `first`
# points at the links, not at the value: why is the self pointer needed to get back a
# `ListArc<Wrapper<dyn Runnable>>`?" (the vtable is not in the links' position; only the
# stored fat pointer has it).

# %% [md] subslide
# The same steps in kernel Rust, as the model recorded them:

# %%
print(rec.rust())

# %% [md] slide
# ## Draining it: `run` through the vtable
# Pop one item while holding the lock, release the lock, then call `run`: it takes the
# `ListArc` by value. `Ping::run` lets it go (dropped when `run` returns, outside the lock);
# `Retry::run` pushes itself onto the list for the next round, which it can do only because
# it owns the `ListArc`.
#
# ```rust
# let mut later = List::new();
# loop {
#     let item = todo.lock().pop_front();   // the guard is dropped at the end of the line
#     let Some(item) = item else { break };
#     item.run(&mut later);                 // dynamic dispatch, self: ListArc<Wrapper<Self>>
# }
# ```

# %%
def pop(todo):
    with todo.lock() as guard:
        return guard.value.pop_front()

later = kp.List(Wrapper[Runnable])
while (item := pop(todo)) is not None:
    item.run(later)
heap.free_count, [o.type_name for o in heap.snapshot().objects if not o.freed]

# %% [md] notes
# **Speaker notes.** Say: pop under the lock, call outside it: notebook 07 shows Binder
# doing exactly this. Ask: "Which object is still alive after the loop, and who owns it
# now?"

# %% [md] subslide
# ## Does this compile?
# A `Ping` is made into a `ListArc`, coerced, and then the caller gives up its `ListArc` for
# a plain `Arc` before calling `run`:
#
# ```rust
# let item: ListArc<Wrapper<dyn Runnable>> = ListArc::pin_init(pin_init!(Wrapper {
#     links <- ListLinksSelfPtr::new(), wrapped: Ping { n: 2 } }), GFP_KERNEL)?;
# let shared: Arc<Wrapper<dyn Runnable>> = item.into_arc();
# let mut later = List::new();
# shared.run(&mut later);
# ```

# %%
def run_through_arc():
    item = kp.ListArc.new(Wrapper(Ping(2)), kp.GFP_KERNEL).into_dyn(Runnable)
    shared = item.into_arc()
    later = kp.List(Wrapper[Runnable])
    shared.run(later)

widgets.DoesItCompile(run_through_arc, [
    "compiles and runs: prints ping 2",
    "error[E0382]: use of moved value: item",
    "error[E0599]: no method named run found for Arc<Wrapper<dyn Runnable>>",
    "error[E0277]: the trait bound dyn Runnable: ListItem<0> is not satisfied",
], hints=["read the trait's signature of `run` again: what is `self`?",
          "after `into_arc()`, which pointer does the caller hold, and which one does `run` "
          "declare as `self`?"])

# %% [md] slide
# ## What the compiler must allow: `Unsize`/`CoerceUnsized` and `DispatchFromDyn`
# Everything above needs two things from rustc for the kernel's own pointer types:
#
# | Feature | What it adds | Without it |
# |---|---|---|
# | `Unsize` + `CoerceUnsized` | `Arc<Circle>` coerces to `Arc<dyn Shape>` (`Circle: Unsize<dyn Shape>` holds because `Circle: Shape`) | no `Arc<dyn Shape>` at all |
# | `DispatchFromDyn` | `self: Arc<Self>` / `ArcBorrow` / `ListArc` may be the receiver of a call through a trait object | a trait with such a method cannot be made into an object (E0038) |
#
# Both are unstable traits of `core`. The kernel now gets both impls from one derive
# (`rust/kernel/sync/arc.rs`; `ArcBorrow` and `ListArc` likewise):
#
# ```rust
# #[repr(transparent)]
# #[derive(CoercePointee)]
# pub struct Arc<T: ?Sized> {
#     ptr: NonNull<ArcInner<T>>,
#     _p: PhantomData<ArcInner<T>>,
# }
# // what the derive stands for (written by hand before rustc 1.84):
# impl<T: ?Sized + Unsize<U>, U: ?Sized> CoerceUnsized<Arc<U>> for Arc<T> {}
# impl<T: ?Sized + Unsize<U>, U: ?Sized> DispatchFromDyn<Arc<U>> for Arc<T> {}
# ```

# %% [md] notes
# **Speaker notes.** Say: the design document expects `DispatchFromDyn` to need `Unsize`
# anyway; the derive settles it by emitting both impls. Ask: "Why must the pointer be a
# plain newtype over one pointer for `DispatchFromDyn`?" (the compiler passes the data half
# of the fat pointer as `self`: it must know where that one pointer lives).

# %% [md] subslide
# ## The newtype rule
# rustc accepts `DispatchFromDyn` only for a struct wrapping exactly **one** pointer to a
# `?Sized` pointee (plus zero-sized markers such as `PhantomData`), not `#[repr(C)]` or
# packed: the compiler must know where the single pointer lives to pass the data half of the
# fat pointer as `self`. `ListArc` (a newtype around `Arc`) passes:

# %%
print(kp.check_dispatch_from_dyn(kp.ListArc))

# %% [md] subslide
# ## `UniqueArc` has neither
# The kernel derives nothing for `UniqueArc`: it has no unsizing coercion, and a trait whose
# method takes `self: UniqueArc<Self>` cannot be made into an object. Convert to an `Arc`
# first (free: the count stays 1).
#
# ```rust
# let u = UniqueArc::new(Circle { r: 1 }, GFP_KERNEL)?;
# // let bad: UniqueArc<dyn Shape> = u;   // error[E0308]: mismatched types
# let a: Arc<Circle> = u.into();
# let good: Arc<dyn Shape> = a;
# ```

# %%
heap = kp.reset()
u = kp.UniqueArc.new(Circle(1), kp.GFP_KERNEL)
with kp.expect_error(kp.TypeMismatch):
    u.into_dyn(Shape)
good = kp.Arc.from_unique(u).into_dyn(Shape)
print(good.type_str(), "refcount", good.refcount)

# %% [md] subslide
# Nor can a `UniqueArc` be the receiver of a `dyn` call: `check_dispatch_from_dyn` finds its
# shape acceptable (a newtype over an `Arc`) but no impl, so a trait with a method taking
# `self: UniqueArc<Self>` is not dyn compatible.
#
# ```rust
# trait Consume {
#     fn consume(self: UniqueArc<Self>);
# }
# // let t: Arc<dyn Consume> = Arc::new(Token { n: 1 }, GFP_KERNEL)?;
# //     error[E0038]: the trait `Consume` is not dyn compatible
# ```

# %%
print(kp.check_dispatch_from_dyn(kp.UniqueArc))

class Consume(kp.Trait):
    def consume(self: "kp.UniqueArc[Self]"): ...

@kp.impl_trait(Consume)
@kp.struct
class Token:
    n: int
    def consume(self: "kp.UniqueArc[Self]"):
        return self.n

token = kp.Arc.new(Token(1), kp.GFP_KERNEL)
with kp.expect_error(kp.NotDynCompatible):
    token.into_dyn(Consume)

# %% [md] slide
# ## Where the features stand
# As far as the Rust project's trackers show (autumn 2026):
# - **`arbitrary_self_types`** (rust-lang/rust#44874): `self: Rc<Self>`, `Arc<Self>` and
#   `Pin<P>` receivers of *std's* pointers have been stable since Rust 1.33 (2019). Your own
#   pointer types as receivers, which the kernel needs, are still unstable: "arbitrary self
#   types v2" (RFC 3519) was accepted and a stabilization pull request opened in January
#   2025, but it had not landed in the latest discussion we read. `rust/kernel/lib.rs`
#   enables `#![feature(arbitrary_self_types)]`.
# - **`unsize`** (rust-lang/rust#18598), **`coerce_unsized`**, **`dispatch_from_dyn`**:
#   unstable, with no stabilization in sight; the derive below is the route being
#   stabilized instead.
# - **`#[derive(CoercePointee)]`** (RFC 3621, `derive_coerce_pointee`,
#   rust-lang/rust#123430): derives both impls for a `#[repr(transparent)]` pointer struct.
#   It exists, as an unstable feature, from Rust 1.84: the kernel derived it when
#   `CONFIG_RUSTC_HAS_COERCE_POINTEE` was set and kept the hand-written impls for older
#   compilers, until the series raising its minimum to Rust 1.85 made the derive
#   unconditional. The stabilization pull request is open, waiting for arbitrary self types.

# %% [md] notes
# **Speaker notes.** Say: these are the last unstable language features the kernel's core
# pointer types use; the status changes, so check the tracking issues before quoting release
# numbers. Ask: "Which of our pointers could a userspace crate write on stable Rust today?"
# (none of them could be a `dyn` receiver; `Arc<dyn T>` coercion needs the derive).

# %% [md] slide
# ## Exercise 1: a square, through a by-value receiver
# The check declares this trait (in Rust; its `area` takes the `Arc` itself, by value):
# ```rust
# trait Area {
#     fn area(self: Arc<Self>) -> u64;
# }
# ```
# Declare a `@kp.struct` class `Square` with a `side: int` field and the `area` method this
# trait needs, with its receiver written the model's way. Do **not** decorate it with
# `kp.impl_trait`: the check implements `Area` for it and calls `area` through an
# `Arc<dyn Area>`, for squares of several sizes.

# %% [md] notes
# **Speaker notes.** Say: about five minutes. The check implements `Area` for your class
# itself and calls `area` through an `Arc<dyn Area>` for squares of several sizes. Ask those
# who finish: "What happens to the `Arc` that `area` received when it returns?"

# %% exercise
Square = ...  # your turn: replace with a class definition

# %% solution
@kp.struct
class Square:
    side: int
    def area(self: "kp.Arc[Self]"):
        return self.side * self.side

# %% check
from kernelptr.course import checks
checks.ex05_square(Square)

# %% [md] subslide
# ## Exercise 2: the `DispatchFromDyn` rules, as a function
# Write `dispatchable(p)` returning whether the declared pointer type `p` may be a `dyn`
# receiver, decided from its declaration alone (do not call `kp.check_dispatch_from_dyn`:
# the check compares your function with it on declarations you have not seen). `p` has
# `p.kind` (`"struct"` or `"enum"`), `p.repr` (`"transparent"`, `"Rust"`, `"C"` or
# `"packed"`), `p.pointee` (`"T"`), `p.pointee_sized` (True for `T: Sized`), `p.derives`
# (whether `#[derive(CoercePointee)]` is there) and `p.fields`, pairs such as
# `("ptr", "NonNull<T>")`. Zero-sized markers are `PhantomData<...>`, `PhantomPinned` and
# `()`; the pointers that can carry a vtable are `NonNull<T>`, `*const T`, `*mut T`, `&T`
# and `Box<T>`. Try it on these three first:

# %%
A = kp.pointer_type("A", fields=["ptr: NonNull<T>", "_p: PhantomData<T>"])
B = kp.pointer_type("B", fields=["ptr: NonNull<T>", "len: usize"])
C = kp.pointer_type("C", fields=["ptr: NonNull<T>"], repr="C")

# %% exercise
def dispatchable(p):
    ...  # your turn: True or False

# %% solution
def dispatchable(p):
    if p.kind != "struct" or p.pointee is None or p.pointee_sized:
        return False
    if p.repr not in ("transparent", "Rust") or not p.derives:
        return False
    markers = ("PhantomData", "PhantomPinned", "()")
    real = [t for _, t in p.fields if not t.startswith(markers)]
    if len(real) != 1:
        return False
    field = real[0].replace(" ", "")
    pointers = ("NonNull<", "*const", "*mut", "&", "Box<")
    return field.startswith(pointers) and p.pointee in field

# %% check
checks.ex05_dispatchable(dispatchable)

# %% [md] slide
# ## Summary
# - `Arc<dyn Trait>` is a fat pointer, 16 bytes: data + vtable. One vtable per (type, trait)
#   in `.rodata`: `drop_in_place`, `size`, `align`, then the methods in declaration order.
#   The same object can be held as `Arc<Circle>` and `Arc<dyn Shape>` at once.
# - **Dynamic dispatch happens only through `self`**: an associated function
#   `Circle::register_circle(arc, ..)` works when you know the type, never through a trait
#   object. So `self: ArcBorrow<'_, Self>`, `self: Arc<Self>`, `self: ListArc<Self>` must be
#   receivers: `arbitrary_self_types` (unstable for your own pointer types).
# - `Unsize`/`CoerceUnsized` make `Arc<T>` coerce to `Arc<dyn Trait>`; `DispatchFromDyn`
#   lets such a pointer be a `dyn` receiver, only for a newtype over one pointer. The kernel
#   gets both from `#[derive(CoercePointee)]` (RFC 3621, unstable) on `Arc`, `ArcBorrow` and
#   `ListArc`; `UniqueArc` has neither (convert it to an `Arc` first).
# - `List<dyn Trait>` cannot exist (no uniform offset for the links): wrap the value,
#   `Wrapper<T: ?Sized>` with `ListLinksSelfPtr` first and the value last,
#   `impl ListItem for Wrapper<dyn Trait>` (Binder's `DTRWrap`, notebook 07).
# - Next: `06_c_vtables`, where C, not rustc, decides what the vtable looks like.

# %% [md] notes
# **Speaker notes.** Say: the chain of the argument: a fat pointer calls through `self`, so
# `self` must be allowed to be the kernel's pointers, and the compiler must know how to pass
# and coerce them (`DispatchFromDyn`, `CoerceUnsized`). Ask: "Which of today's slides would
# change once arbitrary self types and `CoercePointee` are stable?" (the status slide; the
# code would stay as it is).
