# %% [md] slide
# # 05 · Dynamic dispatch: `Arc<dyn Trait>`, vtables and arbitrary self types
#
# **You will learn**
# - what a fat pointer is (data + vtable) and what a vtable holds;
# - how methods can take `self: ArcBorrow<Self>` or `self: ListArc<Self>` (arbitrary self types);
# - how the kernel keeps trait objects in an intrusive list (`Wrapper<dyn Trait>`);
# - the `DispatchFromDyn` rules a pointer type must pass to be a `dyn` receiver.

# %% slide
import kernelptr as kp
import widgets

heap = kp.reset()

# %% [md]
# ## A trait with two implementations
# A trait's methods declare their receiver in the `self` annotation, as in Rust.

# %%
class Shape(kp.Trait):
    def area(self: "kp.ArcBorrow[Self]"): ...
    def name(self): ...

@kp.impl_trait(Shape)
@kp.struct
class Circle:
    r: int
    def area(self: "kp.ArcBorrow[Self]"):
        return 3 * self.r * self.r
    def name(self):
        return "circle"

@kp.impl_trait(Shape)
@kp.struct
class Rect:
    w: int
    h: int
    def area(self: "kp.ArcBorrow[Self]"):
        return self.w * self.h
    def name(self):
        return "rect"

# %% [md] subslide
# ## Unsizing: `Arc<Circle>` becomes `Arc<dyn Shape>`
# `into_dyn` performs the coercion. The handle becomes a *fat pointer*: the data address
# plus the address of the vtable for `(Circle, Shape)`, one per pair, in read-only memory.

# %%
view = widgets.HeapView(heap)
c = kp.Arc.new(Circle(2), kp.GFP_KERNEL).into_dyn(Shape)
r = kp.Arc.new(Rect(2, 5), kp.GFP_KERNEL).into_dyn(Shape)
view

# %%
c.type_str(), [(slot, name) for slot, (name, _) in
               enumerate(kp.vtable_for(Circle, Shape).snapshot().layout)]

# %% [md] subslide
# ## Calling through the vtable
# `area` wants `self: ArcBorrow<Self>`; an `Arc` must lend one first. Calling it on the
# `Arc` itself is the wrong receiver, and the model says what to do.

# %%
[s.as_arc_borrow().area() for s in (c, r)], heap.events[-1].summary

# %% raises-exception
c.area()

# %% [md] slide
# ## Lists of trait objects: `Wrapper<dyn Trait>`
# `kp.List(Shape)` is impossible: different shapes have different sizes, so there is no
# fixed offset at which the links could be. The kernel wraps each value in a struct whose
# links come first and whose last field is the unsized value; a `ListLinksSelfPtr` stores
# the fat pointer when the item is inserted.

# %% raises-exception
kp.List(Shape)

# %%
class WorkItem(kp.Trait):
    def run(self: "kp.ListArc[Wrapper[Self]]"): ...

@kp.impl_dyn_list_item(WorkItem, id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Wrapper:
    links: kp.ListLinksSelfPtr[0]
    wrapped: kp.Unsized

@kp.impl_trait(WorkItem)
@kp.struct
class Ping:
    n: int
    def run(self: "kp.ListArc[Wrapper[Self]]"):
        print("ping", self.wrapped.n)

@kp.impl_trait(WorkItem)
@kp.struct
class Pong:
    text: str
    def run(self: "kp.ListArc[Wrapper[Self]]"):
        print("pong", self.wrapped.text)

# %% [md] subslide
# Allocate the items first, then fill the list under a spinlock: no allocation inside.

# %%
items = [kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL).into_dyn(WorkItem),
         kp.ListArc.new(Wrapper(Pong("hi")), kp.GFP_KERNEL).into_dyn(WorkItem)]
todo = kp.SpinLock(kp.List(Wrapper[WorkItem]), "todo")
before = heap.alloc_count
with kp.record() as rec:
    with todo.lock() as guard:
        guard.value.push_back(items[0])
        guard.value.push_back(items[1])
widgets.Stepper(rec)

# %%
stored = [(hex(data), hex(vtable)) for o in heap.snapshot().objects if o.self_ptrs
          for data, vtable in o.self_ptrs.values()]
heap.alloc_count - before, stored          # (data, vtable): a fat pointer in each item

# %% [md] subslide
# Drain it, calling `run` through each item's vtable; the by-value `ListArc` receiver is
# consumed, and dropped when `run` returns.

# %%
with todo.lock() as guard:
    while (item := guard.value.pop_front()) is not None:
        item.run()
heap.free_count

# %% [md] slide
# ## `DispatchFromDyn`: which pointers can be `dyn` receivers?
# The compiler accepts `self: P<Self>` in a trait object only if `P` is a struct with one
# pointer field plus zero-sized markers, not `repr(C)`, and implements `DispatchFromDyn`
# (today: `#[derive(CoercePointee)]`).

# %%
print(kp.check_dispatch_from_dyn(kp.Arc))

# %%
print(kp.check_dispatch_from_dyn(kp.UniqueArc))

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
# - `Arc<dyn Trait>` is 16 bytes: data pointer + vtable pointer (`drop_in_place`, `size`,
#   `align`, then the methods).
# - Arbitrary self types (`self: ArcBorrow<'_, Self>`, `self: Arc<Self>`,
#   `self: ListArc<Self>`, Binder's `self: DArc<Self>`) need `#![feature(arbitrary_self_types)]`.
# - `ListLinksSelfPtr<T, ID>` + `impl_list_item! { using ListLinksSelfPtr }` make
#   `List<Wrapper<dyn Trait>>` work (rust/kernel/list.rs, Binder's `DTRWrap`).
# - `DispatchFromDyn`/`CoerceUnsized` come from `#[derive(CoercePointee)]` (RFC 3621).
# - Next: `06_c_vtables`.
