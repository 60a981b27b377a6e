"""`kp.check_dispatch_from_dyn`: which pointer types may be dyn receivers (kernel-api §1.20)."""

import pytest

import kernelptr as kp


@pytest.mark.parametrize("ptr", [kp.Arc, kp.ArcBorrow])
def test_library_pointers_are_dispatchable(ptr):
    report = kp.check_dispatch_from_dyn(ptr)
    assert report and not report.failed
    assert repr(report).count("[pass]") == 6


def test_listarc_is_dispatchable_through_its_arc_field():
    report = kp.check_dispatch_from_dyn(kp.traits.dispatch_from_dyn.LIBRARY_POINTERS["ListArc"])
    assert report
    assert "Arc implements DispatchFromDyn" in repr(report)


def test_uniquearc_is_not_a_dyn_receiver():
    """Its shape passes, but the kernel writes no impl for it (no CoercePointee derive)."""
    report = kp.check_dispatch_from_dyn(kp.UniqueArc)
    assert not report
    assert [r.text for r in report.failed] == [
        "an impl exists: #[derive(CoercePointee)] or impl DispatchFromDyn"]


def _ok(**kw):
    base = dict(fields=["ptr: NonNull<T>", "_p: PhantomData<T>"])
    base.update(kw)
    return kp.pointer_type("MyPtr", **base)


@pytest.mark.parametrize("decl, failing", [
    (_ok(kind="enum"), "is a struct"),
    (_ok(pointee=None), "has a pointee type parameter that is ?Sized"),
    (_ok(sized=True), "has a pointee type parameter that is ?Sized"),
    (_ok(repr="C"), "is not #[repr(C)] or #[repr(packed)]"),
    (_ok(repr="packed"), "is not #[repr(C)] or #[repr(packed)]"),
    (_ok(fields=["ptr: NonNull<T>", "len: usize"]),
     "exactly one field besides 1-aligned zero-sized markers"),
    (_ok(fields=["addr: usize", "_p: PhantomData<T>"]),
     "that field itself implements DispatchFromDyn"),
    (_ok(fields=[("inner", kp.pointer_type("Bad", ["a: usize"]))]),
     "that field itself implements DispatchFromDyn"),
    (_ok(derive=False), "an impl exists: #[derive(CoercePointee)] or impl DispatchFromDyn"),
])
def test_user_pointer_types_fail_each_rule(decl, failing):
    report = kp.check_dispatch_from_dyn(decl)
    assert not report
    assert failing in [r.text for r in report.failed]
    assert "NOT allowed" in repr(report) and "[FAIL] " + failing in repr(report)


def test_user_newtype_over_library_pointer_passes():
    report = kp.check_dispatch_from_dyn(kp.pointer_type("DArc", ["inner: Arc<T>"]))
    assert report and "allowed" in repr(report)
    nested = kp.pointer_type("Outer", [("p", kp.pointer_type("Inner", ["p: *const T"]))])
    assert kp.check_dispatch_from_dyn(nested)


def test_misuse_raises_kernelptr_errors():
    with pytest.raises(kp.TypeMismatch):
        kp.check_dispatch_from_dyn(int)
    with pytest.raises(kp.TypeMismatch):
        kp.pointer_type("X", repr="weird")
