"""Lists of trait objects: `List<Wrapper<dyn WorkItem>>` with fat self pointers (the seed's
example), `kp.List(Trait)` refused, `ListArc.into_dyn` and dispatch through the wrapper."""

import pytest

import kernelptr as kp

LOG = []


class WorkItem(kp.Trait):
    def run(self: "kp.ListArc[Wrapper[Self]]"): ...

    def describe(self): ...


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
        LOG.append(("ping", self.wrapped.n, self.type_str()))

    def describe(self):
        return f"ping {self.n}"


@kp.impl_trait(WorkItem)
@kp.struct
class Pong:
    text: str

    def run(self: "kp.ListArc[Wrapper[Pong]]"):
        LOG.append(("pong", self.wrapped.text, self.type_str()))

    def describe(self):
        return f"pong {self.text}"


@pytest.fixture(autouse=True)
def _fresh_log():
    LOG.clear()


def test_seed_example_list_of_trait_objects_filled_under_spinlock(heap):
    """The issue's example: different concrete types in one List<Wrapper<dyn WorkItem>>,
    pushed under a spinlock with no allocation, drained by calling run through the vtable."""
    items = [kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL).into_dyn(WorkItem),
             kp.ListArc.new(Wrapper(Pong("hi")), kp.GFP_KERNEL).into_dyn(WorkItem),
             kp.ListArc.new(Wrapper(Ping(2)), kp.GFP_KERNEL).into_dyn(WorkItem)]
    assert items[0].type_str() == "ListArc<Wrapper<dyn WorkItem>, 0>"
    todo = kp.SpinLock(kp.List(Wrapper[WorkItem]), "todo")
    allocs = heap.alloc_count
    heap.fail_next_allocs(10)             # proof: nothing below allocates
    with todo.lock() as guard:
        for item in items:
            guard.value.push_back(item)
        assert [w.describe() for w in guard.value] == ["ping 1", "pong hi", "ping 2"]
    heap.fail_next_allocs(0)
    assert heap.alloc_count == allocs
    snap = heap.snapshot()
    vt_ping = heap.vtables[(Ping, WorkItem)]
    vt_pong = heap.vtables[(Pong, WorkItem)]
    first = snap.object(snap.lists[0].items[0])
    assert first.self_ptrs[0] == (first.data_address, vt_ping.address)
    assert snap.object(snap.lists[0].items[1]).self_ptrs[0][1] == vt_pong.address
    while True:
        with todo.lock() as guard:
            work = guard.value.pop_front()
        if work is None:
            break
        assert work.type_str() == "ListArc<Wrapper<dyn WorkItem>, 0>"   # read back: fat
        work.run()                         # by-value receiver: consumed, dropped after run
    assert LOG == [("ping", 1, "ListArc<Wrapper<Ping>, 0>"),
                   ("pong", "hi", "ListArc<Wrapper<Pong>, 0>"),
                   ("ping", 2, "ListArc<Wrapper<Ping>, 0>")]
    assert heap.free_count == 3
    dispatch = [e for e in heap.events if e.op == "<dyn WorkItem>::run"]
    assert len(dispatch) == 3 and "slot 3" in dispatch[0].summary


def test_list_of_a_trait_is_refused_with_the_reason(heap):
    with pytest.raises(kp.TraitNotImplemented) as e:
        kp.List(WorkItem)
    assert "no ListLinks at a uniform offset" in str(e.value) and "E0277" in str(e.value)
    assert heap.lists == []


def test_concrete_listarc_is_coerced_on_push_and_wrong_trait_refused(heap):
    lst = kp.List(Wrapper[WorkItem])
    lst.push_back(kp.ListArc.new(Wrapper(Ping(5)), kp.GFP_KERNEL))   # implicit CoerceUnsized
    assert lst.first.describe() == "ping 5"
    assert any(e.op == "CoerceUnsized" for e in heap.events)

    class Other(kp.Trait):
        def x(self): ...

    @kp.impl_trait(Other)
    @kp.struct
    class O:
        def x(self):
            return 0
    la = kp.ListArc.new(Wrapper(O()), kp.GFP_KERNEL).into_dyn(Other)
    with pytest.raises(kp.TypeMismatch, match=r"into_dyn\(WorkItem\)"):
        lst.push_back(la)
    assert la.is_live()
    la.drop()
    lst.drop()


def test_wrapper_of_type_without_impl_cannot_coerce(heap):
    la = kp.ListArc.new(Wrapper(42), kp.GFP_KERNEL)
    with pytest.raises(kp.TraitNotImplemented, match="E0277"):
        la.into_dyn(WorkItem)
    lst = kp.List(Wrapper[WorkItem])
    with pytest.raises(kp.TraitNotImplemented):
        lst.push_back(la)
    assert la.is_live()
    la.drop()


def test_remove_reads_back_fat_pointer(heap):
    lst = kp.List(Wrapper[WorkItem])
    a = kp.ListArc.new(Wrapper(Pong("a")), kp.GFP_KERNEL)
    keep = a.clone_arc()
    lst.push_back(a)
    back = lst.remove(keep)
    assert back._vtable is heap.vtables[(Pong, WorkItem)] and back.describe() == "pong a"
    back.drop()
    keep.drop()


def test_wrapper_declaration_errors():
    with pytest.raises(kp.BuildError, match="last field"):
        @kp.impl_dyn_list_item(WorkItem)
        @kp.impl_list_arc_safe(id=0, untracked=True)
        @kp.struct
        class Bad:
            wrapped: kp.Unsized
            links: kp.ListLinksSelfPtr[0]
    with pytest.raises(kp.BuildError, match="ListLinksSelfPtr"):
        @kp.impl_dyn_list_item(WorkItem)
        @kp.impl_list_arc_safe(id=0, untracked=True)
        @kp.struct
        class Bad2:
            links: kp.ListLinks[0]
            wrapped: kp.Unsized


def test_receiver_mismatch_through_wrong_handle(heap):
    la = kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL).into_dyn(WorkItem)
    b = la.as_arc_borrow()
    with pytest.raises(kp.ReceiverMismatch, match="ListArc<Wrapper<Self>>"):
        b.run()
    assert b.describe() == "ping 1"
    la.drop()


def test_static_call_through_concrete_wrapper_listarc(heap):
    la = kp.ListArc.new(Wrapper(Ping(9)), kp.GFP_KERNEL)
    assert la.type_str() == "ListArc<Wrapper<Ping>, 0>"
    assert la.describe() == "ping 9"
    la.run()
    assert LOG == [("ping", 9, "ListArc<Wrapper<Ping>, 0>")] and not la.is_live()
    assert heap.events[-1].op == "ListArc::drop"       # self dropped when run returned


def test_wrapper_receiver_needs_a_wrapped_value(heap):
    @kp.impl_trait(WorkItem)
    @kp.impl_list_arc_safe(id=0, untracked=True)
    @kp.struct
    class Bare:
        n: int

        def run(self: "kp.ListArc[Wrapper[Self]]"):
            pass

        def describe(self):
            return "bare"

    la = kp.ListArc.new(Bare(1), kp.GFP_KERNEL)
    with pytest.raises(kp.ReceiverMismatch, match=r"must live in a Wrapper"):
        la.run()
    assert la.is_live() and la.describe() == "bare"
    a = la.into_arc()
    with pytest.raises(kp.ReceiverMismatch, match=r"kp.ListArc.try_from_arc\(h\)"):
        a.run()
    a.drop()


def test_listarc_is_a_dispatchable_receiver():
    report = kp.check_dispatch_from_dyn(kp.ListArc)
    assert report and "Arc implements DispatchFromDyn" in repr(report)


def test_refused_push_onto_a_dropped_dyn_list_moves_nothing(heap):
    """A failed push changes nothing: the thin ListArc is not coerced (moved) first."""
    q = kp.List(Wrapper[WorkItem])
    q.drop()
    la = kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL)
    with pytest.raises(kp.KernelPtrError):
        q.push_back(la)
    assert la.is_live() and la.type_str() == "ListArc<Wrapper<Ping>, 0>"
    la.drop()


def test_impl_dyn_list_item_is_the_only_route_to_list_of_wrapper_dyn_trait(heap):
    """`impl ListItem<0> for DTWrap<dyn Foo>` (kp.impl_dyn_list_item) is the one way to a
    `List<DTWrap<dyn Foo>>`: a wrapper declared with impl_list_item is a list item only in
    its concrete form, so `Concrete[WorkItem]` is E0277 with the fix, not a bare TypeError."""
    @kp.impl_list_item(id=0, using="links")
    @kp.impl_list_arc_safe(id=0, untracked=True)
    @kp.struct
    class Concrete:
        links: kp.ListLinks[0]
        wrapped: kp.Unsized

    with pytest.raises(kp.TraitNotImplemented, match="E0277") as err:
        Concrete[WorkItem]
    assert "`Concrete<dyn WorkItem>: ListItem<0>`" in str(err.value)
    assert "kp.impl_dyn_list_item(WorkItem, id=0, using='links')" in err.value.fix
    assert kp.List(Concrete).type_str() == "List<Concrete, 0>"       # the concrete form works

    class Other(kp.Trait):
        def other(self): ...

    with pytest.raises(kp.TraitNotImplemented, match="`Wrapper<dyn Other>: ListItem<0>`"):
        Wrapper[Other]                   # declared for WorkItem only
    assert kp.List(Wrapper[WorkItem]).type_str() == "List<Wrapper<dyn WorkItem>, 0>"


def test_subscripting_a_struct_without_a_type_parameter_is_e0107():
    with pytest.raises(kp.TypeMismatch, match="E0107"):
        Ping[int]
    with pytest.raises(kp.TypeMismatch, match="E0107"):
        Ping[WorkItem]
    assert repr(Wrapper["Self"]) == "Wrapper<Self>"       # a generic wrapper in an annotation


def test_a_push_from_another_heap_is_refused_before_the_coercion_moves_it(heap):
    with kp.Heap():
        la = kp.ListArc.new(Wrapper(Ping(1)), kp.GFP_KERNEL)
    q = kp.List(Wrapper[WorkItem])
    with pytest.raises(kp.UndefinedBehavior, match="another heap"):
        q.push_back(la)
    assert la.is_live() and la.type_str() == "ListArc<Wrapper<Ping>, 0>"
