"""std::sync::Arc for contrast (kernelptr/std_arc.py): weak refs, get_mut, abort."""

import pytest

import kernelptr as kp


def test_std_arc_has_weak_and_get_mut(heap):
    s = kp.StdArc.new([1])
    assert s.get_mut() == [1]
    w = s.downgrade()
    assert s.weak_count == 1 and s.get_mut() is None
    t = w.upgrade()
    assert s.strong_count == 2
    t.drop()
    s.drop()
    assert w.upgrade() is None


def test_std_arc_aborts_where_the_kernel_saturates(heap):
    """The contrast of behaviour 16: std aborts past isize::MAX; the kernel saturates."""
    s = kp.StdArc.new(1)
    s.set_strong_count(kp.ISIZE_MAX)
    with pytest.raises(kp.Abort, match="refcount_t"):
        s.clone()
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)
    b = a.clone()
    assert b.refcount == kp.REFCOUNT_SATURATED


def test_std_header_is_16_bytes_kernel_is_4_padded():
    assert kp.layout(int).arc_header == 8 and kp.layout(int).std_arc_header == 16
    assert (kp.layout(int).arc_inner, kp.layout(int).std_arc_inner) == (16, 24)

    @kp.struct
    class Small:
        flag: bool

    assert kp.layout(Small).arc_inner == 8 and kp.layout(Small).std_arc_inner == 24
