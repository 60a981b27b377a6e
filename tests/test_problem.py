"""kp.Problem: what heap.check() finds, as records that say where (for the pictures)."""

import pytest
from _list_types import Job, filled
from widgets_scenes import race_recording

import kernelptr as kp


@pytest.fixture
def heap():  # noqa: F811  (these tests break the heap on purpose: no check at the end)
    return kp.reset()


def _race(heap):
    """Notebook 04's race (behaviour 48: what ListArc exists to prevent)."""
    rec, handles = race_recording()
    return handles


def test_problems_are_the_sentences_of_the_records(heap):
    a, x, left, right = _race(heap)
    records = heap.problem_records()
    assert records and all(isinstance(p, kp.Problem) for p in records)
    assert heap.problems() == [p.text for p in records] == [str(p) for p in records]


def test_behaviour_48_race_records_name_the_broken_next_and_prev_links(heap):
    a, x, left, right = _race(heap)
    places = {(p.kind, p.address, p.link_id, p.field) for p in heap.problem_records()}
    assert ("link", x.address, 0, "next") in places      # x.next -> a, but a.prev -> a
    assert ("link", x.address, 0, "prev") in places      # x.prev -> a, but a.next -> a
    assert ("ring", a.address, 0, "next") in places      # a.next loops back to a
    assert ("ring", a.address, 0, None) in places        # a's links in two rings


def test_a_consistent_heap_has_no_problems_and_its_snapshot_none(heap):
    q = filled([1, 2, 3])
    assert heap.problem_records() == [] and heap.snapshot().problems == ()


def test_snapshot_problems_name_lists_after_the_learners_variables(heap):
    a, x, left, right = _race(heap)
    snap = heap.snapshot()
    texts = [p.text for p in snap.problems]
    assert any("List<Node, 0> left and List<Node, 0> right" in t for t in texts)
    assert {p.list_label for p in snap.problems} >= {"left"}
    assert len(snap.problems) == len(heap.problems())
    assert not any("list#" in t for t in texts)


def test_relabelling_renames_whole_labels_only():
    p = kp.Problem("List<Job, 0> list#1: x; List<Job, 0> list#10: y", "ring",
                   list_label="list#1", lists=((1, "list#1"), (10, "list#10")))
    q = p.relabelled({1: "a", 10: "b"})
    assert q.text == "List<Job, 0> a: x; List<Job, 0> b: y" and q.list_label == "a"
    assert p.relabelled({}) is p


def test_recorded_frames_carry_the_problems_of_their_moment(heap):
    rec, _ = race_recording()
    assert [len(f.snapshot.problems) for f in rec.frames] == [0, 0, 4]

    def places(problems):
        return [(p.kind, p.address, p.link_id, p.field) for p in problems]

    assert places(rec.frames[-1].snapshot.problems) == places(heap.problem_records())
    assert {p.list_label for p in rec.frames[-1].snapshot.problems} == {"left", None}


def test_a_tampered_refcount_is_a_refcount_problem_in_the_recorded_frame(heap):
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    with kp.record() as rec:
        b = a.clone()
        kp.Arc.refcount_of(a).inc()          # a count nobody owns
        b.drop()
    kinds = [[(p.kind, p.field, p.address) for p in f.snapshot.problems] for f in rec.frames]
    assert kinds[0] == []
    assert kinds[-1] == [("refcount", "refcount", a.address)]


def test_recording_a_safe_program_never_runs_the_full_check(heap, monkeypatch):
    """The model keeps its invariants outside unchecked code, so frames cost only what
    changed: the full check is skipped."""
    q = filled([1, 2, 3])
    monkeypatch.setattr(kp.Heap, "problem_records",
                        lambda self: pytest.fail("full invariant check ran"))
    with kp.record() as rec:
        q.push_back(q.pop_front())
        extra = kp.Arc.new(Job(9), kp.GFP_KERNEL)
        extra.drop()
    assert all(f.snapshot.problems == () for f in rec.frames)
    heap.snapshot()


def test_a_queue_problem_names_its_object(heap):
    from kernelptr.workqueue import _check_queues

    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    a._obj.hold("queue")                      # a count the queues do not hold
    a._obj.refcount.inc()
    found = _check_queues(heap)
    assert [(p.kind, p.address) for p in found] == [("queue", a.address)]


def test_plain_snapshots_see_a_count_tampered_with_since_the_last_one(heap):
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    assert heap.snapshot().problems == ()
    kp.Arc.refcount_of(a).inc()
    assert [p.field for p in heap.snapshot().problems] == ["refcount"]
    assert [p.field for p in heap.snapshot().problems] == ["refcount"]   # still broken
    kp.Arc.refcount_of(a).dec()
    assert heap.snapshot().problems == ()
