"""widgets.focus: a picture draws what its recording touched and what that reaches, not
what earlier sections left on the heap."""

import kernelptr as kp
import widgets
from widgets.focus import UNNAMED, Focus
from kernelptr.list.example import Job


def _labels(snap):
    return sorted(h.label for h in snap.handles), sorted(x.label for x in snap.lists)


def test_objects_handles_and_lists_of_earlier_cells_are_left_out(heap):
    old = kp.Arc.new(Job(0), kp.GFP_KERNEL)            # another section's work
    other = kp.List(Job)
    other.push_back(kp.ListArc.new(Job(9), kp.GFP_KERNEL))
    q = kp.List(Job)
    a = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    with kp.record() as rec:
        q.push_back(a)
    snap = Focus.of_recording(rec).apply(rec.frames[-1].snapshot)
    assert _labels(snap) == (["a"], ["q"])              # `a` moved by this very step
    assert [o.address for o in snap.objects] == [a.address]
    whole = rec.frames[-1].snapshot
    assert len(whole.objects) == 3 and len(whole.lists) == 2


def test_what_the_touched_objects_reach_is_drawn(heap):
    """Touching one item of a list draws the whole ring (its neighbours' links point at
    it) and the list head; an object a field points at is drawn too."""
    @kp.struct
    class Node:
        child: object

    q = kp.List(Job)
    for n in range(3):
        q.push_back(kp.ListArc.new(Job(n), kp.GFP_KERNEL))
    leaf = kp.Arc.new(7, kp.GFP_KERNEL)
    parent = kp.Arc.new(Node(leaf.clone()), kp.GFP_KERNEL)
    with kp.record() as rec:
        last = q.pop_back()
        p2 = parent.clone()
    focus = Focus.of_recording(rec)
    snap = focus.apply(rec.frames[-1].snapshot)
    assert {o.address for o in snap.objects} == (
        {o.address for o in rec.frames[-1].snapshot.objects})
    assert _labels(snap) == (["last", "leaf", "p2", "parent"], ["q"])


def test_moved_names_from_earlier_cells_stay_out_but_live_owners_are_drawn(heap):
    q = kp.List(Job)
    a = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    keep = a.clone_arc()
    q.push_back(a)                                      # `a` moved, earlier
    with kp.record() as rec:
        again = keep.clone()
    snap = Focus.of_recording(rec).apply(rec.frames[-1].snapshot)
    assert _labels(snap) == (["again", "keep"], ["q"])


def test_a_list_whose_name_was_reused_is_called_no_name(heap):
    """Rebinding the list's variable leaves the list unnamed: it is `(no name)`, not the
    model's `list#2`, in the list head and in its items' "held by"."""
    spare = kp.List(Job)
    front = kp.List(Job)
    front.push_back(kp.ListArc.new(Job(1), kp.GFP_KERNEL))
    with kp.record() as rec:
        front_item = front.pop_front()
        front.push_back(front_item)
        front = kp.Arc.new(Job(2), kp.GFP_KERNEL)       # the name now means an Arc
        front.clone().drop()
    focus = Focus.of_recording(rec)
    snaps = [focus.apply(f.snapshot) for f in rec.frames]
    labels = {x.label for s in snaps for x in s.lists}
    assert labels <= {"front", UNNAMED} and UNNAMED in labels
    last = snaps[-1]
    item = next(o for o in last.objects if o.holders)
    assert item.holders[0] == f"list {UNNAMED}"
    source = widgets.Stepper(rec).svg(len(rec.frames) - 1)
    assert "list#" not in source and "(no name)" in source


def test_the_first_frame_shows_the_handle_its_step_moved(heap):
    q = kp.List(Job)
    a = kp.ListArc.new(Job(1), kp.GFP_KERNEL)
    with kp.record() as rec:
        q.push_back(a)
        b = kp.ListArc.new(Job(2), kp.GFP_KERNEL)
    first = Focus.of_recording(rec).apply(rec.frames[0].snapshot)
    assert [(h.label, h.state) for h in first.handles] == [("a", "moved")]


def test_vtables_of_drawn_fat_pointers_are_drawn_others_are_not(heap):
    class Speak(kp.Trait):
        def speak(self): ...

    @kp.impl_trait(Speak)
    @kp.struct
    class Cat:
        def speak(self):
            return "meow"

    @kp.impl_trait(Speak)
    @kp.struct
    class Dog:
        def speak(self):
            return "woof"

    dog = kp.Arc.new(Dog(), kp.GFP_KERNEL).into_dyn(Speak)
    with kp.record() as rec:
        cat = kp.Arc.new(Cat(), kp.GFP_KERNEL).into_dyn(Speak)
    snap = Focus.of_recording(rec).apply(rec.frames[-1].snapshot)
    assert [v.type_name for v in snap.vtables] == ["Cat"]
    assert len(rec.frames[-1].snapshot.vtables) == 2


def test_heapview_focus_draws_what_changed_since_it_was_made(heap):
    old = kp.Arc.new(Job(0), kp.GFP_KERNEL)
    view = widgets.HeapView(heap, focus=True)
    try:
        assert f"{old.address:x}" not in view.svg()
        a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
        svg = view.svg()
        assert f"{a.address:x}" in svg and f"{old.address:x}" not in svg
        b = old.clone()                                   # touching it brings it in
        assert f"{old.address:x}" in view.svg()
    finally:
        view.close()


def test_heapview_reach_draws_what_some_names_reach(heap):
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    view = widgets.HeapView(heap, reach=["a", "later"])  # `later` is not bound yet
    try:
        other = kp.Arc.new(Job(2), kp.GFP_KERNEL)
        svg = view.svg()
        assert f"{a.address:x}" in svg and f"{other.address:x}" not in svg
    finally:
        view.close()
