"""`@kp.vtable` traits, `HAS_<NAME>` and the C ops table with NULL slots (behaviour 76)."""

import pytest

import kernelptr as kp


@kp.vtable
class FileOps(kp.Trait):
    def open(self): ...

    def read(self, n): ...

    def ioctl(self, cmd):
        raise AssertionError("the default body of a #[vtable] method must never run")


@kp.impl_trait(FileOps)
class OnlyOpen:
    def open(self):
        return 0


@kp.impl_trait(FileOps)
class Full:
    def open(self):
        return 0

    def read(self, n):
        return n

    def ioctl(self, cmd):
        return cmd * 2


def test_behaviour_76_has_constants_on_trait_and_impl():
    """behaviour 76: trait side HAS_<NAME> = False, impl side True for what it defines."""
    assert (FileOps.HAS_OPEN, FileOps.HAS_READ, FileOps.HAS_IOCTL) == (False, False, False)
    assert (OnlyOpen.HAS_OPEN, OnlyOpen.HAS_READ, OnlyOpen.HAS_IOCTL) == (True, False, False)
    assert (Full.HAS_OPEN, Full.HAS_READ, Full.HAS_IOCTL) == (True, True, True)


def test_behaviour_76_c_table_has_null_slots_and_default_never_runs(heap):
    """behaviour 76: the C entry is None (NULL) when HAS is False; the C caller checks it."""
    table = kp.c_vtable(FileOps, OnlyOpen)
    assert table.slots == {"open": "<OnlyOpen as FileOps>::open", "read": None, "ioctl": None}
    assert table.call("open", OnlyOpen()) == 0
    assert table.call("ioctl", OnlyOpen(), 3) == -22     # NULL: -EINVAL, default not called
    assert "is NULL" in heap.events[-1].summary
    assert kp.c_vtable(FileOps, OnlyOpen, defaults={"read": 0}).call("read", OnlyOpen(), 5) == 0
    full = kp.c_vtable(FileOps, Full)
    assert full.call("ioctl", Full(), 3) == 6 and None not in full.slots.values()
    assert repr(table) == "CVtable(<OnlyOpen as FileOps>: open=fn, read=NULL, ioctl=NULL)"


def test_vtable_trait_methods_are_optional_but_user_consts_kept():
    @kp.vtable
    class Ops(kp.Trait):
        HAS_PROBE = True

        def probe(self): ...
    assert Ops.HAS_PROBE is True

    @kp.impl_trait(Ops)
    class Nothing:
        pass
    assert kp.implements(Nothing, Ops)


def test_dyn_call_of_missing_vtable_method_is_build_error(heap):
    a = kp.Arc.new(OnlyOpen(), kp.GFP_KERNEL).into_dyn(FileOps)
    with pytest.raises(kp.BuildError, match="HAS_IOCTL"):
        a.ioctl(1)
    assert a.open() == 0
    snap = heap.snapshot().vtables[0]
    assert dict(snap.slots)["ioctl"] is None
    a.drop()


def test_c_vtable_misuse(heap):
    class Plain(kp.Trait):
        def x(self): ...
    with pytest.raises(kp.TypeMismatch, match="@kp.vtable"):
        kp.c_vtable(Plain, Full)
    with pytest.raises(kp.TraitNotImplemented):
        kp.c_vtable(FileOps, int)
    with pytest.raises(kp.TypeMismatch):
        kp.c_vtable(FileOps, Full).call("nope")


def test_vtable_macro_skips_has_const_declared_in_impl(heap):
    """rust/macros/vtable.rs skips a `HAS_<NAME>` the impl declared itself: an impl that
    defines `read` but writes `HAS_READ = False` keeps False, so the C slot is NULL."""
    @kp.impl_trait(FileOps)
    class Quiet:
        HAS_READ = False

        def open(self):
            return 0

        def read(self, n):
            return n
    assert (Quiet.HAS_OPEN, Quiet.HAS_READ, Quiet.HAS_IOCTL) == (True, False, False)
    table = kp.c_vtable(FileOps, Quiet)
    assert table.slots["read"] is None and table.call("read", Quiet(), 4) == -22


def test_vtable_has_const_true_without_the_method_fails_the_build(heap):
    """HAS_<NAME> = true with no method would put the trait's default body in the table,
    whose build_error! fails the build."""
    @kp.impl_trait(FileOps)
    class Liar:
        HAS_IOCTL = True

        def open(self):
            return 0
    assert Liar.HAS_IOCTL is True
    with pytest.raises(kp.BuildError, match="VTABLE_DEFAULT_ERROR"):
        kp.c_vtable(FileOps, Liar)
