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
    s.set_strong_count(kp.ISIZE_MAX + 1)
    with pytest.raises(kp.Abort, match="refcount_t"):
        s.clone()
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)
    b = a.clone()
    assert b.refcount == kp.REFCOUNT_SATURATED


def test_std_arc_clone_aborts_only_when_the_old_count_exceeds_max_refcount(heap):
    """std's `Arc::clone` does `fetch_add`, then aborts iff the OLD strong count is greater
    than `MAX_REFCOUNT` (= isize::MAX): a clone at exactly isize::MAX still succeeds."""
    s = kp.StdArc.new(1)
    s.set_strong_count(kp.ISIZE_MAX - 1)
    t = s.clone()
    u = s.clone()                                  # old count == isize::MAX: allowed
    assert s.strong_count == kp.ISIZE_MAX + 1 and t.is_live() and u.is_live()
    with pytest.raises(kp.Abort, match="MAX_REFCOUNT"):
        s.clone()                                  # old count isize::MAX + 1: abort
    assert s.strong_count == kp.ISIZE_MAX + 1


def test_std_arc_strong_count_is_a_usize(heap):
    s = kp.StdArc.new(1)
    for bad in (0, 2**64, True, 1.0):
        with pytest.raises(kp.TypeMismatch, match="usize"):
            s.set_strong_count(bad)
    s.set_strong_count(2**64 - 1)
    assert s.strong_count == 2**64 - 1


def test_std_header_is_16_bytes_kernel_is_4_padded():
    assert kp.layout(int).arc_header == 8 and kp.layout(int).std_arc_header == 16
    assert (kp.layout(int).arc_inner, kp.layout(int).std_arc_inner) == (16, 24)

    @kp.struct
    class Small:
        flag: bool

    assert kp.layout(Small).arc_inner == 8 and kp.layout(Small).std_arc_inner == 24
