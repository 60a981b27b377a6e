"""Snapshots (kernelptr/snapshot.py) and recordings (kernelptr/record.py)."""

import dataclasses

import pytest

import kernelptr as kp


@kp.struct
class Job:
    name: str


def test_snapshot_contents(heap):
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    b = a.clone()
    p = kp.Arc.new(Job("r"), kp.GFP_KERNEL).into_raw()
    snap = heap.snapshot()
    obj = snap.object(a.address)
    assert (obj.type_name, obj.refcount, obj.saturated, obj.freed) == ("Job", 2, False, False)
    assert obj.fields == (("name", "'a'"),)
    assert [(h.label, h.kind, h.target) for h in snap.handles] == [
        ("a", "Arc", a.address), ("b", "Arc", a.address)]
    assert [(r.label, r.address) for r in snap.raw_pointers] == [("p", p.address)]
    assert repr(snap) == "Snapshot(step=4, objects=2, handles=2, lists=0)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.step = 9
    assert b


def test_snapshot_is_immutable_history(heap):
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    before = heap.snapshot()
    b = a.clone()
    after = heap.snapshot()
    assert before.object(a.address).refcount == 1
    assert after.object(a.address).refcount == 2
    assert b


def test_unchanged_objects_are_shared_between_snapshots(heap):
    """Structural sharing: an object nobody touched is the same snapshot object."""
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    b = kp.Arc.new(Job("b"), kp.GFP_KERNEL)
    s1 = heap.snapshot()
    c = b.clone()
    s2 = heap.snapshot()
    assert s1.object(a.address) is s2.object(a.address)
    assert s1.object(b.address) is not s2.object(b.address)
    assert c


def test_moved_handle_still_named_is_shown_moved(heap):
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    u = kp.Arc.into_unique_or_drop(a)
    snap = heap.snapshot()
    assert [(h.label, h.kind, h.state) for h in snap.handles] == [
        ("a", "Arc", "moved"), ("u", "UniqueArc", "live")]
    assert snap.handle("a").note == "moved by Arc::into_unique_or_drop"


def test_saturated_and_freed_objects(heap):
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    kp.Arc.refcount_of(a).set(kp.REFCOUNT_MAX)
    a.clone().drop()
    b = kp.Arc.new(Job("b"), kp.GFP_KERNEL)
    b.drop()
    snap = heap.snapshot()
    assert snap.object(a.address).saturated
    assert snap.object(b.address).freed          # freed by the latest event: still drawn
    a.clone()
    assert [o.address for o in heap.snapshot().objects] == [a.address]


def test_events_carry_step_op_summary_addresses_location(heap):
    a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
    a.clone()
    e = heap.events[-1]
    assert (e.step, e.op, e.summary, e.addresses) == (2, "Arc::clone", "refcount 1 -> 2",
                                                      (a.address,))
    assert e.location.file == "test_snapshot.py"
    assert e.location.source == "a.clone()"
    assert str(e) == "[2] Arc::clone: refcount 1 -> 2"


def test_subscribe_and_unsubscribe(heap):
    seen = []
    stop = heap.subscribe(seen.append)
    a = kp.Arc.new(1, kp.GFP_KERNEL)
    stop()
    a.clone()
    assert [e.op for e in seen] == ["Arc::new"]


def test_record_frames_label_results_after_the_statement(heap):
    with kp.record() as rec:
        a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
        b = a.clone()
        b.drop()
    assert [f.event.op for f in rec.frames] == ["Arc::new", "Arc::clone", "Arc::drop"]
    assert [h.label for h in rec.frames[0].snapshot.handles] == ["a"]
    assert [(h.label, h.state) for h in rec.frames[2].snapshot.handles] == [
        ("a", "live"), ("b", "dropped")]
    lines, line = rec.source(1)
    assert lines[line - 1].strip() == "b = a.clone()"


def test_trace_labels_with_the_functions_variables(heap):
    def scenario():
        first = kp.Arc.new(Job("x"), kp.GFP_KERNEL)
        second = first.clone()
        second.drop()
        first.drop()

    rec = kp.trace(scenario)
    assert len(rec) == 4
    assert [h.label for h in rec[1].snapshot.handles] == ["first", "second"]
    assert heap.free_count == 1


def test_snapshots_are_deterministic_across_runs():
    def run():
        with kp.Heap() as heap:
            a = kp.Arc.new(Job("a"), kp.GFP_KERNEL)
            b = a.clone()
            b.drop()
            return repr(heap.snapshot().objects) + repr(heap.events)
    assert run() == run()


def test_handles_show_their_own_rust_type_live_and_recorded(heap):
    """`UniqueArc<MaybeUninit<T>>` and fat pointers keep their full type in pictures."""
    with kp.record() as rec:
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
    assert heap.snapshot().handle("u").type_str == "UniqueArc<MaybeUninit<Job>>"
    assert rec.frames[-1].snapshot.handle("u").type_str == "UniqueArc<MaybeUninit<Job>>"


@kp.struct
class Tagged:
    name: str
    tags: list


def test_mutating_a_container_through_an_arc_shows_in_the_next_snapshot(heap):
    a = kp.Arc.new(Tagged("job", []), kp.GFP_KERNEL)
    assert heap.snapshot().object(a.address).fields[1] == ("tags", "[]")
    a.tags.append("urgent")
    assert heap.snapshot().object(a.address).fields[1] == ("tags", "['urgent']")


def test_mutating_a_container_through_an_arc_shows_in_the_next_recorded_frame(heap):
    a = kp.Arc.new(Tagged("job", []), kp.GFP_KERNEL)
    other = kp.Arc.new(1, kp.GFP_KERNEL)
    with kp.record() as rec:
        b = other.clone()
        a.tags.append("urgent")         # no model operation on `a`'s object
        b.drop()
    assert [f.snapshot.object(a.address).fields[1][1] for f in rec.frames] == [
        "[]", "['urgent']"]


def test_a_field_holding_a_huge_container_is_shown_shortened_and_cheaply(heap):
    a = kp.Arc.new(Tagged("big", list(range(10**6))), kp.GFP_KERNEL)
    tags = heap.snapshot().object(a.address).fields[1][1]
    assert tags.startswith("[0, 1, 2, ") and tags.endswith("...") and len(tags) == 60
    assert len(repr(a.deref())) < 300


def test_a_big_container_is_not_reprd_in_full_at_every_event(heap):
    seen = []

    class Item:
        def __repr__(self):
            seen.append(1)
            return "item"

    a = kp.Arc.new(Tagged("many", [Item() for _ in range(1000)]), kp.GFP_KERNEL)
    with kp.record() as rec:
        for _ in range(5):
            a.clone().drop()
    [f.snapshot for f in rec.frames]
    assert 0 < len(seen) < 1000         # in all, fewer items than one full repr would show


# -- handles named by Python frame ------------------------------------------------------------
_SCRIPT = """
a = kp.Arc.new("global", kp.GFP_KERNEL)

def helper():
    a = kp.Arc.new("local", kp.GFP_KERNEL)
    return heap.snapshot()

inside = helper()
outside = heap.snapshot()
"""


def test_a_local_and_a_global_of_one_name_are_two_handles_named_by_frame(heap):
    """Behaviour of pictures (no kernel rule): a function's local `a` and the notebook's
    global `a` are two handles, each with the Python frame that names it."""
    ns = {"kp": kp, "heap": heap}
    exec(compile(_SCRIPT, "<cell>", "exec"), ns)
    inside = ns["inside"]
    named = sorted((h.frame, h.label) for h in inside.handles)
    assert named == [("", "a"), ("helper", "a")]
    assert len({h.target for h in inside.handles}) == 2
    assert {h.key for h in inside.handles} == {("", "a"), ("helper", "a")}
    assert [h.frame for h in ns["outside"].handles] == [""]
    assert "helper.a: Arc<String>" in repr(inside.handles)


def test_recursive_calls_are_numbered_from_the_outermost(heap):
    ns = {"kp": kp, "heap": heap}
    exec(compile("def walk(n):\n    h = kp.Arc.new(n, kp.GFP_KERNEL)\n"
                 "    return heap.snapshot() if n == 0 else walk(n - 1)\n"
                 "snap = walk(2)\n", "<cell>", "exec"), ns)
    frames = sorted(h.frame for h in ns["snap"].handles)
    assert frames == ["walk", "walk#2", "walk#3"]
    by_frame = {h.frame: h.target for h in ns["snap"].handles}
    assert by_frame["walk"] < by_frame["walk#3"]       # the outermost call allocated first


def test_a_generator_expression_names_in_its_function_frame(heap):
    """Python 3.10/3.11 run a comprehension in a frame of its own, 3.12+ inline it: either
    way its variables belong to the function around it."""
    ns = {"kp": kp, "heap": heap}
    exec(compile("def f():\n    a = kp.Arc.new(1, kp.GFP_KERNEL)\n"
                 "    return list(heap.snapshot() for x in [a])[0]\n"
                 "snap = f()\n", "<cell>", "exec"), ns)
    assert [(h.frame, h.label) for h in ns["snap"].handles] == [("f", "x")]


def test_a_list_is_named_by_frame_too(heap):
    from kernelptr.list.example import Job

    ns = {"kp": kp, "heap": heap, "Job": Job}
    exec(compile("q = kp.List(Job)\ndef f():\n    q = kp.List(Job)\n    return heap.snapshot()\n"
                 "snap = f()\n", "<cell>", "exec"), ns)
    assert sorted(x.key for x in ns["snap"].lists) == [("", "q"), ("f", "q")]
