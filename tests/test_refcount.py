"""C refcount_t semantics (kernelptr/refcount.py): behaviours 14-22 of the reference."""

import warnings

import pytest

import kernelptr as kp
from kernelptr.refcount import SaturationKind


def test_constants_are_signed_32_bit_behaviour_14(heap):
    """Behaviour 14: REFCOUNT_MAX = 2**31 - 1, REFCOUNT_SATURATED = -2**30 (0xC000_0000)."""
    assert kp.REFCOUNT_MAX == 2**31 - 1
    assert kp.REFCOUNT_SATURATED == -(2**30)
    assert kp.REFCOUNT_SATURATED & 0xFFFF_FFFF == 0xC000_0000


def test_increment_from_zero_saturates_and_warns_behaviour_15(heap):
    """Behaviour 15: inc on 0 warns 'addition on 0; use-after-free' and saturates (not 1)."""
    r = kp.Refcount(0)
    r.inc()
    assert r.read() == kp.REFCOUNT_SATURATED
    assert heap.warnings == ["refcount_t: addition on 0; use-after-free."]


def test_increment_past_int_max_saturates_never_wraps_behaviour_16(heap):
    """Behaviour 16: inc past INT_MAX warns 'saturated; leaking memory', never wraps."""
    r = kp.Refcount(kp.REFCOUNT_MAX)
    r.inc()
    assert r.read() == kp.REFCOUNT_SATURATED
    assert r.saturated
    assert heap.warnings == ["refcount_t: saturated; leaking memory."]


def test_saturated_stays_saturated_and_dec_and_test_is_false_behaviour_17(heap):
    """Behaviour 17: once saturated, inc keeps it saturated; dec_and_test returns False."""
    r = kp.Refcount(kp.REFCOUNT_MAX)
    r.inc()
    r.inc()
    assert r.read() == kp.REFCOUNT_SATURATED
    for _ in range(5):
        assert r.dec_and_test() is False
        assert r.read() == kp.REFCOUNT_SATURATED
    assert "refcount_t: underflow; use-after-free." in heap.warnings


def test_dec_and_test_on_zero_underflows_behaviour_18(heap):
    """Behaviour 18: dec_and_test at 0 returns False, warns underflow, saturates."""
    r = kp.Refcount(0)
    assert r.dec_and_test() is False
    assert r.read() == kp.REFCOUNT_SATURATED
    assert heap.warnings == ["refcount_t: underflow; use-after-free."]


def test_plain_dec_to_zero_leaks_behaviour_19(heap):
    """Behaviour 19: a plain dec() reaching 0 warns 'decrement hit 0; leaking memory'."""
    r = kp.Refcount(1)
    r.dec()
    assert r.read() == kp.REFCOUNT_SATURATED
    assert heap.warnings == ["refcount_t: decrement hit 0; leaking memory."]


def test_each_warning_is_printed_once_behaviour_20():
    """Behaviour 20: each kind warns at most once per boot (WARN_ONCE), also as a Python
    warning of class RefcountWarning."""
    with kp.Heap() as heap, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            kp.Refcount(0).inc()
            kp.Refcount(1).dec()
    assert heap.warnings == ["refcount_t: addition on 0; use-after-free.",
                             "refcount_t: decrement hit 0; leaking memory."]
    assert [str(w.message) for w in caught] == heap.warnings
    assert all(issubclass(w.category, kp.RefcountWarning) for w in caught)


def test_warnings_are_once_per_heap_not_per_process():
    """A new heap is a new boot: the warning appears again there."""
    for _ in range(2):
        with kp.Heap() as heap, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kp.Refcount(0).inc()
        assert heap.warnings == ["refcount_t: addition on 0; use-after-free."]


def test_negative_initial_value_is_a_build_error_behaviour_21(heap):
    """Behaviour 21: Refcount::new with a negative value is rejected (build_assert!)."""
    with pytest.raises(kp.BuildError, match="build_assert"):
        kp.Refcount.new(-1)


def test_memory_ordering_of_each_operation_behaviour_22():
    """Behaviour 22: increments relaxed, decrements release, dec_and_test acquire on true."""
    assert kp.Refcount.ORDERING["inc"] == "relaxed"
    assert kp.Refcount.ORDERING["dec"] == "release"
    assert kp.Refcount.ORDERING["dec_and_test"] == "release; acquire when it returns true"


def test_dec_and_test_true_exactly_at_zero(heap):
    r = kp.Refcount(2)
    assert r.dec_and_test() is False
    assert r.dec_and_test() is True
    assert r.read() == 0
    assert heap.warnings == []


def test_inc_not_zero(heap):
    r = kp.Refcount(0)
    assert r.inc_not_zero() is False and r.read() == 0
    r.set(3)
    assert r.inc_not_zero() is True and r.read() == 4
    r.set(kp.REFCOUNT_MAX)
    assert r.inc_not_zero() is True and r.read() == kp.REFCOUNT_SATURATED


def test_add_overflow_by_more_than_one(heap):
    r = kp.Refcount(kp.REFCOUNT_MAX - 1)
    r.add(5)
    assert r.read() == kp.REFCOUNT_SATURATED


def test_dec_if_one_and_dec_not_one(heap):
    r = kp.Refcount(1)
    assert r.dec_not_one() is False and r.read() == 1
    assert r.dec_if_one() is True and r.read() == 0
    r.set(3)
    assert r.dec_if_one() is False
    assert r.dec_not_one() is True and r.read() == 2


def test_saturation_kinds_have_kernel_text():
    assert SaturationKind.ADD_OVF.text == SaturationKind.ADD_NOT_ZERO_OVF.text
    assert {k.text for k in SaturationKind} == {
        "refcount_t: saturated; leaking memory.", "refcount_t: addition on 0; use-after-free.",
        "refcount_t: underflow; use-after-free.", "refcount_t: decrement hit 0; leaking memory."}


def test_repr_is_deterministic(heap):
    r = kp.Refcount(3)
    assert repr(r) == "Refcount(3)"
    r.set(kp.REFCOUNT_SATURATED)
    assert repr(r) == "Refcount(SATURATED)"


# -- edge cases, exactly as lib/refcount.c and rust/kernel/sync/refcount.rs -----------------
@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 2**32 + 1])
def test_refcount_new_outside_i32_is_a_build_error(heap, value):
    """`Refcount::new(value: i32)`: a value outside i32 does not compile; nothing wraps."""
    with pytest.raises(kp.BuildError, match="i32"):
        kp.Refcount(value)


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 2**32 + 1, True, 2.0, "1"])
def test_refcount_set_outside_i32_or_not_an_int_is_a_build_error_changing_nothing(heap, value):
    """`Refcount::set(value: i32)`: out-of-range values, bools, floats and strings are
    refused (rustc would not compile them) and the counter keeps its value."""
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    r = kp.Arc.refcount_of(a)
    with pytest.raises(kp.BuildError, match="i32"):
        r.set(value)
    assert r.read() == 1 and heap.warnings == []
    r.set(-(2**31))                      # the edges of i32 are fine (and saturated)
    assert r.saturated
    r.set(1)
    heap.check()
    a.drop()


@pytest.mark.parametrize("value", [True, 1.0])
def test_refcount_new_refuses_bool_and_float(heap, value):
    with pytest.raises(kp.BuildError, match="expected `i32`"):
        kp.Refcount(value)


def test_refcount_dec_not_one_on_zero_warns_and_stores_nothing(heap):
    """`refcount_dec_not_one` at 0: its own WARN_ONCE ("underflow; use-after-free"),
    returns true, and stores nothing: unlike dec_and_test it does not saturate."""
    r = kp.Refcount(0)
    assert r.dec_not_one() is True
    assert r.read() == 0 and not r.saturated
    assert heap.warnings == ["refcount_t: underflow; use-after-free."]
    assert r.dec_not_one() is True and heap.warnings == [   # WARN_ONCE: not again
        "refcount_t: underflow; use-after-free."]


def test_refcount_dec_not_one_site_is_separate_from_sub_uaf(heap):
    """The WARN_ONCE in refcount_dec_not_one and refcount_warn_saturate's SUB_UAF case are
    two call sites: each prints its (same) text once."""
    kp.Refcount(0).dec_not_one()
    kp.Refcount(0).dec_and_test()                        # REFCOUNT_SUB_UAF
    assert heap.warnings == ["refcount_t: underflow; use-after-free."] * 2


def test_refcount_dec_not_one_leaves_a_saturated_counter_alone(heap):
    r = kp.Refcount(0)
    r.set(kp.REFCOUNT_SATURATED)
    assert r.dec_not_one() is True and r.read() == kp.REFCOUNT_SATURATED
    r.set(-5)                            # another bad value is decremented, as in C
    assert r.dec_not_one() is True and r.read() == -6
    assert heap.warnings == []


def test_refcount_warn_saturate_warns_once_for_each_kind_behaviour_20(heap):
    """Behaviour 20, per `refcount_warn_saturate`: every `case` of its switch is its own
    WARN_ONCE, so each saturation kind prints once, even the two overflow kinds that share
    the text "saturated; leaking memory"."""
    def overflow_inc_not_zero():
        r = kp.Refcount(kp.REFCOUNT_MAX)
        assert r.inc_not_zero() is True
        return r

    def overflow_add():
        r = kp.Refcount(kp.REFCOUNT_MAX)
        r.inc()
        return r

    def add_on_zero():
        r = kp.Refcount(0)
        r.inc()
        return r

    def underflow():
        r = kp.Refcount(0)
        assert r.dec_and_test() is False
        return r

    def dec_hits_zero():
        r = kp.Refcount(1)
        r.dec()
        return r

    kinds = [overflow_inc_not_zero, overflow_add, add_on_zero, underflow, dec_hits_zero]
    for _ in range(3):
        for make in kinds:
            assert make().read() == kp.REFCOUNT_SATURATED
    assert heap.warnings == [SaturationKind.ADD_NOT_ZERO_OVF.text, SaturationKind.ADD_OVF.text,
                             SaturationKind.ADD_UAF.text, SaturationKind.SUB_UAF.text,
                             SaturationKind.DEC_LEAK.text]
    assert heap.warnings[0] == heap.warnings[1] == "refcount_t: saturated; leaking memory."
