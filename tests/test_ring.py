"""kernelptr.list.ring: pointer surgery on the ring, counted in `heap.pointer_writes`."""

import pytest
from _list_types import Job, filled, job

import kernelptr as kp


def _writes(heap, fn):
    before = heap.pointer_writes
    fn()
    return heap.pointer_writes - before


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_remove_and_push_back_write_the_same_number_of_pointers_at_every_length(heap, n):
    """O(1) counted (behaviour 34: no walk, no allocation): unlinking writes the two
    neighbours and nulls the item's links; linking at the back writes four pointers."""
    q = filled(range(n))
    items = list(q)
    middle = items[n // 2].clone_arc()
    del items
    allocs = heap.alloc_count
    removed = []
    first_of = q._first
    expected_remove = (2 if n > 1 else 0) + 2 + (1 if first_of is middle._obj else 0)
    assert _writes(heap, lambda: removed.append(q.remove(middle))) == expected_remove
    assert _writes(heap, lambda: q.push_back(removed.pop())) == (4 if n > 1 else 3)
    assert heap.alloc_count == allocs
    middle.drop()
    q.drop()


def test_push_into_an_empty_list_writes_both_links_and_first(heap):
    q = kp.List(Job)
    assert _writes(heap, lambda: q.push_back(job(1))) == 3
    assert _writes(heap, lambda: q.push_front(job(2))) == 5      # 4 links + the new first
    q.drop()


def test_splicing_writes_four_links_and_two_heads_whatever_the_lengths(heap):
    a, b = filled(range(50)), filled(range(70))
    assert _writes(heap, lambda: a.push_all_back(b)) == 5        # 4 links, b.first = null
    a.drop()
    b.drop()
