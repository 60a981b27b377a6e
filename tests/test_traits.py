"""Traits, receivers, `impl_trait`, `into_dyn` and dispatch (kernelptr/traits/)."""

import pytest

import kernelptr as kp


class Speak(kp.Trait):
    def speak(self): ...

    def hello(self: "kp.ArcBorrow[Self]"): ...

    def consume(self: "kp.Arc[Self]"): ...

    def keep(self: "kp.Arc[Self]"):
        """A provided method (has a body): returns its self, so it is not dropped."""
        return self


@kp.impl_trait(Speak)
@kp.struct
class Dog:
    name: str

    def speak(self):
        return f"{self.name}: woof"

    def hello(self: "kp.ArcBorrow[Dog]"):
        return ("dog", self.kind, self.refcount)

    def consume(self: "kp.Arc[Self]"):
        return self.refcount


@kp.impl_trait(Speak)
@kp.struct
class Cat:
    lives: int = 9

    def speak(self):
        return "meow"

    def hello(self: "kp.ArcBorrow[Self]"):
        return ("cat", self.kind, self.refcount)

    def consume(self: "kp.Arc[Self]"):
        return self.refcount


def test_receivers_read_from_self_annotation():
    r = Speak.methods()
    assert repr(r["speak"]) == "&self"
    assert repr(r["hello"]) == "self: ArcBorrow<Self>"
    assert repr(r["consume"]) == "self: Arc<Self>"

    class Listy(kp.Trait):
        def a(self: "kp.ListArc[Self]"): ...
        def b(self: "kp.ListArc[Wrapper[Self]]"): ...
        def c(self: "Arc[Listy]"): ...     # the trait's own name stands for Self
    r = Listy.methods()
    assert repr(r["a"]) == "self: ListArc<Self>"
    assert repr(r["b"]) == "self: ListArc<Wrapper<Self>>"
    assert repr(r["c"]) == "self: Arc<Self>"


def test_traits_defined_inside_functions_work():
    class Local(kp.Trait):
        def go(self: "kp.Arc[Self]"): ...

    @kp.impl_trait(Local)
    class Impl:
        def go(self: "kp.Arc[Impl]"):
            return 1
    assert kp.implements(Impl, Local)


def test_pointers_are_subscriptable_for_annotations():
    assert repr(kp.Arc[Dog]) == "Arc<Dog>"
    assert repr(kp.ArcBorrow["Self"]) == "ArcBorrow<Self>"

    class T(kp.Trait):
        def m(self: kp.UniqueArc["Self"]): ...
    assert repr(T.methods()["m"]) == "self: UniqueArc<Self>"


def test_missing_method_is_e0046():
    with pytest.raises(kp.TraitNotImplemented) as e:
        @kp.impl_trait(Speak)
        class Mute:
            def speak(self):
                return ""
    assert "E0046" in str(e.value) and "`hello`" in str(e.value) and "`consume`" in str(e.value)
    assert "`keep`" not in str(e.value)     # provided methods need no impl


def test_mismatched_receiver_is_e0053():
    with pytest.raises(kp.ReceiverMismatch) as e:
        @kp.impl_trait(Speak)
        class Wrong:
            def speak(self):
                return ""

            def hello(self):                   # &self, but the trait says ArcBorrow<Self>
                return ""

            def consume(self: "kp.Arc[Self]"):
                return 0
    msg = str(e.value)
    assert "E0053" in msg and "expected `ArcBorrow<Wrong>`, found `&Wrong`" in msg


def test_invalid_self_type_rejected():
    with pytest.raises(kp.TypeMismatch, match="E0307"):
        class Bad(kp.Trait):
            def m(self: "int"): ...


def test_into_dyn_makes_fat_pointer_and_consumes(heap):
    a = kp.Arc.new(Dog("rex"), kp.GFP_KERNEL)
    d = a.into_dyn(Speak)
    assert not a.is_live() and d.type_str() == "Arc<dyn Speak>"
    vt = heap.vtables[(Dog, Speak)]
    assert d._vtable is vt and vt.address == 0xFFFF_FFFF_8200_0000
    snap = heap.snapshot()
    h = snap.handle("d")
    assert h.vtable == vt.address and h.dyn == "Speak" and h.type_str == "Arc<dyn Speak>"
    assert snap.vtables[0].slots[0][0] == "drop_in_place"
    assert [s for s, _ in snap.vtables[0].slots][1:] == ["speak", "hello", "consume", "keep"]
    assert d.refcount == 1
    d.drop()


def test_one_vtable_per_type_and_trait(heap):
    a = kp.Arc.new(Dog("a"), kp.GFP_KERNEL).into_dyn(Speak)
    b = kp.Arc.new(Dog("b"), kp.GFP_KERNEL).into_dyn(Speak)
    c = kp.Arc.new(Cat(), kp.GFP_KERNEL).into_dyn(Speak)
    assert a._vtable is b._vtable and c._vtable is not a._vtable
    assert c._vtable.address > a._vtable.address
    for h in (a, b, c):
        h.drop()


def test_arcborrow_into_dyn_is_copy_and_uniquearc_into_dyn_moves(heap):
    a = kp.Arc.new(Dog("rex"), kp.GFP_KERNEL)
    b = a.as_arc_borrow()
    db = b.into_dyn(Speak)
    assert b.is_live() and db.type_str() == "ArcBorrow<dyn Speak>"
    a.drop()


def test_unique_arc_into_dyn_refused_no_coerce_unsized(heap):
    """The kernel's `UniqueArc` has no `CoerceUnsized` (no `CoercePointee` derive): there is
    no `UniqueArc<dyn Trait>` coercion. Refused as E0308, changing nothing, consistent with
    `check_dispatch_from_dyn(UniqueArc)`; the fix (convert to Arc first) works."""
    u = kp.UniqueArc.new(Cat(), kp.GFP_KERNEL)
    events = len(heap.events)
    with pytest.raises(kp.TypeMismatch, match="E0308") as err:
        u.into_dyn(Speak)
    assert "UniqueArc<dyn Speak>" in str(err.value) and "kp.Arc.from_unique(u)" in err.value.fix
    assert u.is_live() and u.refcount == 1 and len(heap.events) == events
    assert not kp.check_dispatch_from_dyn(kp.UniqueArc)
    heap.check()
    du = kp.Arc.from_unique(u).into_dyn(Speak)
    assert du.type_str() == "Arc<dyn Speak>" and du.refcount == 1
    du.drop()


def test_into_dyn_refused_without_impl(heap):
    a = kp.Arc.new(42, kp.GFP_KERNEL)
    with pytest.raises(kp.TraitNotImplemented, match="E0277"):
        a.into_dyn(Speak)
    assert a.is_live() and a.refcount == 1
    d = kp.Arc.new(Dog("x"), kp.GFP_KERNEL).into_dyn(Speak)
    with pytest.raises(kp.TypeMismatch, match="already a trait object"):
        d.into_dyn(Speak)
    a.drop()
    d.drop()


def test_dyn_dispatch_goes_through_vtable(heap):
    zoo = [kp.Arc.new(Dog("rex"), kp.GFP_KERNEL).into_dyn(Speak),
           kp.Arc.new(Cat(), kp.GFP_KERNEL).into_dyn(Speak)]
    assert [z.speak() for z in zoo] == ["rex: woof", "meow"]
    ev = heap.events[-1]
    assert ev.op == "<dyn Speak>::speak" and "slot 3" in ev.summary
    assert "<Cat as Speak>::speak" in ev.summary
    for z in zoo:
        z.drop()


def test_dyn_handle_hides_concrete_fields(heap):
    d = kp.Arc.new(Dog("rex"), kp.GFP_KERNEL).into_dyn(Speak)
    with pytest.raises(kp.TypeMismatch, match="E0599"):
        d.name
    assert not hasattr(d, "name") and hasattr(d, "speak")
    d.drop()


def test_arcborrow_receiver(heap):
    a = kp.Arc.new(Dog("rex"), kp.GFP_KERNEL)
    with pytest.raises(kp.ReceiverMismatch) as e:
        a.hello()
    assert "this method takes self: ArcBorrow<Self>; call h.as_arc_borrow() first" in str(e.value)
    assert a.is_live()
    assert a.as_arc_borrow().hello() == ("dog", "ArcBorrow", 1)
    d = a.as_arc_borrow().into_dyn(Speak)
    assert d.hello() == ("dog", "ArcBorrow", 1)
    a.drop()


def test_by_value_receiver_consumes_and_drops_self(heap):
    a = kp.Arc.new(Cat(), kp.GFP_KERNEL)
    keep = a.clone()
    d = a.into_dyn(Speak)
    assert d.consume() == 2            # self is a counted reference while the method runs
    assert not d.is_live()
    assert keep.refcount == 1          # dropped when consume returned
    with pytest.raises(kp.UseAfterMove):
        d.consume()
    keep.drop()


def test_by_value_receiver_moved_on_is_not_dropped(heap):
    d = kp.Arc.new(Cat(), kp.GFP_KERNEL).into_dyn(Speak)
    back = d.keep()                    # the provided default body returns self
    assert back.is_live() and back.refcount == 1 and back.type_str() == "Arc<Cat>"
    back.drop()
    assert heap.free_count == 1


def test_by_value_receiver_through_wrong_handle(heap):
    a = kp.Arc.new(Cat(), kp.GFP_KERNEL)
    with pytest.raises(kp.ReceiverMismatch, match=r"call h.clone_arc\(\) first"):
        a.as_arc_borrow().consume()
    u = kp.UniqueArc.new(Cat(), kp.GFP_KERNEL)
    with pytest.raises(kp.ReceiverMismatch, match=r"kp.Arc.from_unique\(h\)"):
        u.consume()
    assert u.is_live() and a.refcount == 1
    u.drop()
    a.drop()


def test_static_call_on_concrete_arc(heap):
    a = kp.Arc.new(Dog("rex"), kp.GFP_KERNEL)
    assert a.speak() == "rex: woof"
    assert heap.events[-1].op == "<Dog as Speak>::speak"
    assert a.name == "rex"             # plain fields still read through Deref
    assert a.consume() == 1 and heap.free_count == 1


def test_trait_with_uniquearc_receiver_is_not_dyn_compatible(heap):
    class Build(kp.Trait):
        def finish(self: "kp.UniqueArc[Self]"): ...

    @kp.impl_trait(Build)
    class B:
        def finish(self: "kp.UniqueArc[Self]"):
            return 0
    a = kp.Arc.new(B(), kp.GFP_KERNEL)
    with pytest.raises(kp.NotDynCompatible, match="E0038"):
        a.into_dyn(Build)
    assert a.is_live()
    a.drop()


def test_fat_pointers_stay_fat_through_clone_and_borrow(heap):
    d = kp.Arc.new(Dog("rex"), kp.GFP_KERNEL).into_dyn(Speak)
    c = d.clone()
    b = d.as_arc_borrow()
    assert c.type_str() == "Arc<dyn Speak>" and b.type_str() == "ArcBorrow<dyn Speak>"
    e = b.clone_arc()
    assert e._vtable is d._vtable and d.refcount == 3
    assert c.speak() == "rex: woof"
    for h in (c, d, e):
        h.drop()
