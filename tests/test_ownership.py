"""Ownership in Python (kernelptr/ownership.py): moves, drops, scopes, forgotten handles."""

import gc

import pytest

import kernelptr as kp


def test_use_after_move_says_where_and_what_moved_it(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    p = a.into_raw()
    with pytest.raises(kp.UseAfterMove) as err:
        a.clone()
    text = str(err.value)
    assert "`a`" in text and "test_ownership.py line" in text and "Arc::into_raw" in text
    assert "E0382" in text and "fix:" in text
    kp.Arc.from_raw(p).drop()


def test_drop_function_and_method(heap):
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    b = a.clone()
    kp.drop(a)
    b.drop()
    assert heap.free_count == 1
    with pytest.raises(kp.UseAfterMove, match="dropped"):
        kp.drop(a)


def test_scope_drops_in_reverse_order(heap):
    order = []

    @kp.struct
    class Tag:
        n: int

        def drop(self):
            order.append(self.n)

    with kp.scope():
        kp.Arc.new(Tag(1), kp.GFP_KERNEL)  # forgotten immediately: Python dropped the temp
        a = kp.Arc.new(Tag(2), kp.GFP_KERNEL)
        b = kp.Arc.new(Tag(3), kp.GFP_KERNEL)
    assert order == [3, 2]
    assert not a.is_live() and not b.is_live()
    assert len(heap.leaks()) == 1      # Tag(1) was forgotten, never dropped


def test_scope_keep_lets_a_handle_out(heap):
    with kp.scope() as s:
        a = s.keep(kp.Arc.new(1, kp.GFP_KERNEL))
        b = a.clone()
    assert a.refcount == 1 and not b.is_live()


def test_scope_drops_even_when_the_block_raises(heap):
    with pytest.raises(ValueError):
        with kp.scope():
            a = kp.Arc.new(1, kp.GFP_KERNEL)
            raise ValueError
    assert heap.free_count == 1 and not a.is_live()


def test_forgotten_handle_keeps_its_count_and_shows_as_leak(heap):
    """A handle Python collects while it owns a count is core::mem::forget: the count stays."""
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    b = a.clone()
    del b
    gc.collect()
    assert a.refcount == 2
    heap.check()
    a.drop()
    assert heap.free_count == 0
    leaks = heap.leaks()
    assert len(leaks) == 1 and leaks[0].refcount == 1


def test_handles_moved_into_a_struct_are_owned_by_it(heap):
    @kp.struct
    class Node:
        child: object

    leaf = kp.Arc.new(1, kp.GFP_KERNEL)
    parent = kp.Arc.new(Node(leaf), kp.GFP_KERNEL)
    with pytest.raises(kp.UseAfterMove, match="moved into Node.child"):
        leaf.clone()
    assert parent.child.refcount == 1
    snap = heap.snapshot()
    assert snap.object(parent.address).pointers[0].target == 0xFFFF_8880_0000_1000
    assert heap.leaks() == []
    parent.drop()                 # dropping the parent drops its field
    assert heap.free_count == 2


def test_name_overrides_the_label(heap):
    a = kp.name(kp.Arc.new(1, kp.GFP_KERNEL), "job_ref")
    assert [h.label for h in heap.snapshot().handles] == ["job_ref"]
    assert a.refcount == 1


def test_labels_from_containers(heap):
    items = [kp.Arc.new(i, kp.GFP_KERNEL) for i in range(2)]
    table = {"x": kp.Arc.new(9, kp.GFP_KERNEL)}
    labels = [h.label for h in heap.snapshot().handles]
    assert labels == ["items[0]", "items[1]", "table['x']"]
    assert items and table


class _Unhashable(type):
    """A metaclass that defines equality and so (in Python) no hash: its classes cannot be
    dict keys."""

    def __eq__(cls, other):
        return cls is other

    __hash__ = None


class _Odd(metaclass=_Unhashable):
    pass


def test_labels_survive_values_of_every_kind(heap):
    """Names are looked up at every event over all the learner's variables, skipping by type
    what cannot hold a handle; an object whose type cannot even be hashed is skipped too."""
    odd = _Odd()
    numbers, words = list(range(100)), {"k": "v"}
    pair = (kp.Arc.new(1, kp.GFP_KERNEL), "x")
    a = kp.Arc.new(2, kp.GFP_KERNEL)
    assert [h.label for h in heap.snapshot().handles] == ["pair[0]", "a"]
    assert odd and numbers and words
