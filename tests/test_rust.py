"""The kernel Rust of every step (`Event.rust`), recording transcripts and `rust_decl`.

Parsing the Rust with a real parser is tests/test_rust_blocks.py's job; these tests read the
text a learner sees.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from pathlib import Path

import pytest

import kernelptr as kp
from kernelptr import rust
from kernelptr.heap import Heap
from kernelptr.list.example import Job

from rust_scenes import SCENES, Task

ROOT = Path(__file__).resolve().parent.parent


def _emit_sites() -> dict:
    """(file, first line) -> last line of every `emit(...)`/`_emit(...)` call in the model
    (the `_emit` helper's own call to `heap.emit` excluded: its callers are the sites)."""
    sites = {}
    for path in sorted((ROOT / "kernelptr").rglob("*.py")):
        tree = ast.parse(path.read_text())
        helpers = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and
                   f.name == "_emit"]
        inside = {id(n) for f in helpers for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("emit", "_emit") and id(node) not in inside:
                sites[(str(path.relative_to(ROOT)), node.lineno)] = node
    return sites


def test_every_emit_call_site_passes_the_rust_of_its_operation():
    missing = [f"{f} line {line}" for (f, line), node in _emit_sites().items()
               if not (len(node.args) >= 4 or any(k.arg == "rust" for k in node.keywords))]
    assert not missing, "emit without rust=: " + ", ".join(missing)


@pytest.fixture(scope="module")
def scenes():
    """Every scene recorded once, with the emit call site of each event."""
    sites = _emit_sites()
    hit: dict = {}
    original = Heap.emit

    def emit(self, *args, **kwargs):
        frame = sys._getframe(1)
        if frame.f_code.co_name == "_emit":
            frame = frame.f_back
        path = str(Path(frame.f_code.co_filename).resolve().relative_to(ROOT))
        for (file, line), node in sites.items():
            if file == path and line <= frame.f_lineno <= node.end_lineno:
                hit[(file, line)] = True
        return original(self, *args, **kwargs)

    Heap.emit = emit
    try:
        recorded = {name: make() for name, make in SCENES.items()}
    finally:
        Heap.emit = original
    return recorded, set(hit), set(sites)


def test_the_scenes_reach_every_emit_call_site(scenes):
    """So that the next test sees the Rust of every operation of the model."""
    _, hit, sites = scenes
    assert not sites - hit, f"no scene reaches {sorted(sites - hit)}"


def test_every_event_has_rust_and_only_no_statement_ops_are_bare_comments(scenes):
    recorded, _, _ = scenes
    for name, rec in recorded.items():
        for frame in rec.frames:
            event = frame.event
            assert event.rust, f"{name}: {event.op} has no Rust"
            if rust.has_statement(event.op) and event.rust.startswith("//"):
                # only an implicit drop or a step inside a worker is a comment
                assert ": " in event.rust, f"{name}: {event.op}: {event.rust!r}"
            if not rust.has_statement(event.op):
                assert event.rust.startswith("//"), f"{name}: {event.op}: {event.rust!r}"


def _rust_of(rec):
    return [f.event.rust for f in rec.frames]


def test_results_are_named_after_the_statement_and_operands_when_emitted(heap):
    with kp.record() as rec:
        u = kp.UniqueArc.new_uninit(kp.GFP_KERNEL, type=Job)
        u = u.write(Job(1))                # `u` names the old handle, then the new one
        a = kp.Arc.from_unique(u)
        b = a.clone()
        b.drop()
    assert _rust_of(rec) == [
        "let u = UniqueArc::new_uninit(GFP_KERNEL)?;",
        "let mut u = u.pin_init_with(pin_init!(Job { n: 1, links <- ListLinks::new() }))?;",
        "let a = Arc::from(u);",
        "let b = a.clone();",
        "drop(b);",
    ]


def test_temporaries_of_one_statement_are_folded_into_it(heap):
    q = kp.List(Job)
    with kp.record() as rec:
        q.push_back(kp.ListArc.new(Job(1), kp.GFP_KERNEL))
        first = q.pop_front()
    new = "ListArc::pin_init(pin_init!(Job { n: 1, links <- ListLinks::new() }), GFP_KERNEL)?"
    assert _rust_of(rec) == [new, f"q.push_back({new});",
                             "let first = q.pop_front().ok_or(ENOENT)?;"]
    assert rec.rust(wrap=False).splitlines() == [
        f"q.push_back({new});", "let first: ListArc<Job, 0> = q.pop_front().ok_or(ENOENT)?;"]
    del first


def test_a_tuple_assignment_names_every_result(heap):
    with kp.record() as rec:
        left, right = kp.List(Job), kp.List(Job)
    assert _rust_of(rec) == ["let mut left = List::new();", "let mut right = List::new();"]


def test_empty_options_and_refused_conversions_say_so(heap):
    q = kp.List(Task)
    with kp.record() as rec:
        nothing = q.pop_front()
        a = kp.Arc.new(Task("t"), kp.GFP_KERNEL)
        la = kp.ListArc.try_from_arc(a.clone()).unwrap()
        refused = kp.ListArc.try_from_arc(a)
    texts = _rust_of(rec)
    assert texts[0] == "q.pop_front();  // None: the list is empty"
    assert "let Ok(la) = ListArc::try_from_arc(a.clone()) else { return Err(EBUSY); };" in texts
    assert texts[-1] == "let refused = ListArc::try_from_arc(a);"
    assert "let refused: Result<ListArc<Task, 0>, Arc<Task>> = ListArc::try_from_arc(a);" in \
        rec.rust()
    del nothing, la, refused


def test_implicit_drops_are_comments_naming_the_drop(heap):
    @kp.struct
    class Pair:
        left: "kp.Arc[Job]"
        n: int

    with kp.record() as rec:
        with kp.scope():
            a = kp.Arc.new(7, kp.GFP_KERNEL)
            b = a.clone()
        inner = kp.Arc.new(8, kp.GFP_KERNEL)
        p = kp.Arc.new(Pair(inner, 1), kp.GFP_KERNEL)
        p.drop()
    texts = _rust_of(rec)
    assert texts[2:4] == ["// end of scope: drop(b)", "// end of scope: drop(a)"]
    assert texts[-2:] == ["// Pair's destructor: drop(left)", "drop(p);"]


def test_a_compound_call_is_one_statement_with_its_steps_inside(heap):
    from kernelptr import binder

    t = binder.Thread("t1")
    with kp.record() as rec:
        noop = binder.arc_try_new(binder.DeliverCode("BR_NOOP"))
        t.push_work(noop)
    texts = _rust_of(rec)
    assert all(s.startswith("t.push_work(noop);  // in Thread::push_work: ") for s in texts[1:])
    assert texts[1].endswith("let mut _guard = t.inner.lock()")
    assert "noop as ListArc<DTRWrap<dyn DeliverToRead>, 0>" in texts[2]
    assert rec.rust(wrap=False).splitlines() == [
        'let noop: ListArc<DTRWrap<DeliverCode>, 0> = '
        'DTRWrap::arc_try_new(DeliverCode { code: "BR_NOOP", skip: false })?;',
        "t.push_work(noop);"]


def test_a_coercion_is_a_typed_let(heap):
    rec = SCENES["dyn_lists"]()
    assert rec.frames[0].event.rust == "let d: ListArc<Wrapper<dyn WorkItem>, 0> = w;"
    assert "guard.push_back(d);" in _rust_of(rec)     # the list reached through the guard


def test_heap_events_outside_a_recording_name_the_operands(heap):
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    b = a.clone()
    b.drop()
    assert [e.rust for e in heap.events][1:] == ["a.clone();", "drop(b);"]


def test_events_outside_a_recording_fold_temporaries_and_name_what_is_gone(heap):
    """Written when first read: a temporary of the same statement is written in place; a
    handle that is gone by then is called after its type."""
    q = kp.List(Job)
    q.push_back(kp.ListArc.new(Job(1), kp.GFP_KERNEL))
    q.push_back(q.pop_front())
    a = kp.Arc.new(Job(2), kp.GFP_KERNEL)
    a.clone().drop()
    b = a.clone()
    b = None            # noqa: F841  (forgotten: the clone's count leaks)
    new = "ListArc::pin_init(pin_init!(Job { n: 1, links <- ListLinks::new() }), GFP_KERNEL)?"
    assert [e.rust for e in heap.events][1:] == [
        new + ";", f"q.push_back({new});", "q.pop_front().ok_or(ENOENT)?;",
        "q.push_back(q.pop_front().ok_or(ENOENT)?);",
        "Arc::pin_init(pin_init!(Job { n: 2, links <- ListLinks::new() }), GFP_KERNEL)?;",
        "a.clone();", "drop(a.clone());", "a.clone();"]
    a.drop()
    q.drop()


def test_an_event_nobody_listened_to_keeps_no_handle_alive(heap):
    """Its Rust is written when first read, but it holds the handles it names weakly: a
    handle Python collects is forgotten (`core::mem::forget`) as before, and leaks. A
    function's variable is named as the function called it, even after it returned."""
    import gc
    import weakref

    def make():
        a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
        b = a.clone()
        b.clone()
        return a, weakref.ref(b)

    a, watched = make()
    gc.collect()
    assert watched() is None
    a.drop()
    assert len(heap.leaks()) == 1
    assert [e.rust for e in heap.events][1:] == ["a.clone();", "b.clone();", "drop(a);"]


def test_naming_events_keeps_no_frame_alive(heap):
    """A function's handles die when it returns, without waiting for the cycle collector,
    whether its events were named at once (a subscriber) or are named later."""
    import gc
    import weakref

    def run():
        seen = []
        stop = heap.subscribe(seen.append)
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        b = a.clone()
        stop()
        c = a.clone()
        c.clone()
        return [weakref.ref(h) for h in (a, b, c)]

    gc.disable()
    try:
        watched = run()
        assert [w() for w in watched] == [None, None, None]
    finally:
        gc.enable()
    assert [e.rust for e in heap.events][-2:] == ["a.clone();", "c.clone();"]


def test_events_shown_after_their_cell_ran_are_named_from_its_namespace(heap):
    """IPython shows a cell's value after the cell ran, from its own frames: a module-level
    name is looked up in the module the operations ran in (the notebook's namespace)."""
    import sys
    import types

    cell = types.ModuleType("notebook_cell")
    cell.kp, cell.Job = kp, Job
    sys.modules[cell.__name__] = cell
    try:
        exec(compile("c = kp.Arc.new(Job(2), kp.GFP_KERNEL)\nd = c.clone()\n", "<cell>",
                     "exec"), vars(cell))
        shown = {}
        exec("def show(events):\n    return [e.rust for e in events]\n",
             {"__name__": "IPython.core.displayhook_stand_in"}, shown)
        assert shown["show"](heap.events)[-1] == "c.clone();"
    finally:
        del sys.modules[cell.__name__]
    for h in (cell.c, cell.d):
        h.drop()


def test_a_recording_visits_each_step_a_bounded_number_of_times(heap, monkeypatch):
    """Naming results after each statement looks only at the steps still waiting for a
    name, so an event costs the same at step 10 as at step 10,000 (counted, not timed:
    comparisons of event locations grow with the length, not its square)."""
    from kernelptr.events import Location

    compared = []
    original = Location.__eq__
    monkeypatch.setattr(Location, "__eq__",
                        lambda self, other: compared.append(1) or original(self, other))
    a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
    with kp.record() as rec:
        for _ in range(200):
            b = a.clone()
            b.drop()
        for _ in range(200): c = a.clone(); c.drop()  # noqa: E702  (a loop on one line)
    monkeypatch.setattr(Location, "__eq__", original)
    assert len(rec) == 800
    assert len(compared) < 4 * len(rec), len(compared)
    assert rec.frames[398].event.rust == "let b = a.clone();"
    assert [f.event.rust for f in rec.frames[-2:]] == ["let c = a.clone();", "drop(c);"]


def test_event_repr_shows_its_rust_and_events_stay_frozen():
    e = kp.Event(1, "Arc::clone", "refcount 1 -> 2", rust="let b = a.clone();")
    assert repr(e).endswith("rust='let b = a.clone();')")
    assert "rust" not in repr(kp.Event(1, "x", "y"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.rust = "x"


def test_trace_names_the_function(heap):
    def make_two():
        a = kp.Arc.new(1, kp.GFP_KERNEL)
        b = a.clone()
        return a, b

    rec = kp.trace(make_two)
    assert rec.rust().splitlines()[:3] == [
        "fn make_two() -> Result {", "    let a: Arc<i64> = Arc::new(1, GFP_KERNEL)?;",
        "    let b: Arc<i64> = a.clone();"]


def test_rust_keywords_become_raw_identifiers(heap):
    with kp.record() as rec:
        move = kp.Arc.new(1, kp.GFP_KERNEL)
        ref = move.clone()
    assert _rust_of(rec) == ["let r#move = Arc::new(1, GFP_KERNEL)?;", "let r#ref = r#move.clone();"]


def test_literals_are_rust():
    assert rust.literal('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert rust.literal(-3) == "-3" and rust.literal(1.0) == "1.0"
    assert rust.literal((1, "a")) == '(1, "a")'


# -- rust_decl ---------------------------------------------------------------------------
def test_rust_decl_of_a_tracked_item_in_two_lists():
    assert kp.rust_decl(Task) == """\
#[pin_data]
struct Task {
    title: &'static str,
    #[pin]
    links: ListLinks<0>,
    #[pin]
    mine: ListLinks<1>,
    #[pin]
    tracker: AtomicTracker<0>,
}

impl_list_arc_safe! {
    impl ListArcSafe<0> for Task { tracked_by tracker: AtomicTracker<0>; }
}
impl_list_arc_safe! {
    impl ListArcSafe<1> for Task { untracked; }
}
impl_list_item! {
    impl ListItem<0> for Task { using ListLinks { self.links }; }
}
impl_list_item! {
    impl ListItem<1> for Task { using ListLinks { self.mine }; }
}"""


def test_rust_decl_of_a_wrapper_of_trait_objects_and_a_work_item():
    from kernelptr import binder

    decl = kp.rust_decl(binder.DTRWrap)
    assert decl.startswith("#[pin_data]\nstruct DTRWrap<T: ?Sized> {\n    #[pin]\n"
                           "    links: ListLinksSelfPtr<DTRWrap<dyn DeliverToRead>, 0>,")
    assert "    #[pin]\n    wrapped: T,\n}" in decl
    assert "impl{T: ?Sized} ListArcSafe<0> for DTRWrap<T>" in decl
    assert "impl ListItem<0> for DTRWrap<dyn DeliverToRead> { using ListLinksSelfPtr { " \
           "self.links }; }" in decl
    from rust_scenes import Flush

    assert kp.rust_decl(Flush).splitlines()[-2] == \
        "    impl HasWork<Flush, 0> for Flush { self.work }"


def test_rust_decl_of_a_plain_struct_and_of_a_non_struct():
    from rust_scenes import Job as Plain

    assert kp.rust_decl(Plain) == "struct Job {\n    name: &'static str,\n    prio: i64,\n}"
    with pytest.raises(kp.TypeMismatch):
        kp.rust_decl(int)


def test_rust_decl_of_a_struct_pinned_by_phantom_pinned():
    """`#[pin] _pin: PhantomPinned` makes a struct !Unpin; its declaration says so."""
    @kp.struct
    class Pinned:
        name: str
        _pin: kp.PhantomPinned

    assert kp.rust_decl(Pinned) == ("#[pin_data]\nstruct Pinned {\n    name: &'static str,\n"
                                    "    #[pin]\n    _pin: PhantomPinned,\n}")


def test_a_phantom_pinned_field_is_initialised_by_value(heap):
    """`PhantomPinned` is a zero-sized value: `_pin: PhantomPinned` in the struct literal,
    so `Arc::new` (not `pin_init!`) makes the value, as the model's `kp.Arc.new` does."""
    @kp.struct
    class Pinned:
        name: str
        _pin: kp.PhantomPinned

    with kp.record() as rec:
        a = kp.Arc.new(Pinned("x"), kp.GFP_KERNEL)
    assert rec.frames[0].event.rust == \
        'let a = Arc::new(Pinned { name: "x", _pin: PhantomPinned }, GFP_KERNEL)?;'


def test_a_finished_recording_keeps_no_handle_alive(heap):
    """Its Rust holds names, not the handles: Python forgets a handle as it did before."""
    import gc
    import weakref

    def make():
        with kp.record() as rec:
            a = kp.Arc.new(Job(1), kp.GFP_KERNEL)
            b = a.clone()
            q = kp.List(Job)
            q.push_back(kp.ListArc.new(Job(2), kp.GFP_KERNEL))
        a.drop()
        q.drop()
        return rec, weakref.ref(b)

    rec, watched = make()
    gc.collect()
    assert watched() is None        # forgotten (`core::mem::forget`): nothing holds it
    assert rec.rust(wrap=False).splitlines()[1] == "let b: Arc<Job> = a.clone();"
    assert heap.leaks()


@kp.impl_list_arc_safe(id=0, tracked_by="tracker")
@kp.struct
class Payload:
    what: str
    tracker: kp.AtomicTracker[0]


@kp.struct
class Plain:
    n: int


@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, tracked_by="wrapped")
@kp.struct
class Wrap:
    links: kp.ListLinks[0]
    wrapped: Payload
    extra: Plain


def test_rust_decl_pins_a_field_whose_struct_is_not_unpin():
    """`tracked_by` delegates to a structurally pinned field (list/arc.rs checks it with
    `assert_pinned!`): a field of a `!Unpin` struct type is `#[pin]`, one of an `Unpin`
    struct type is not (the classes are module-level so that their string annotations
    resolve)."""
    decl = kp.rust_decl(Wrap)
    assert "    #[pin]\n    wrapped: Payload,\n    extra: Plain,\n}" in decl
    assert "impl ListArcSafe<0> for Wrap { tracked_by wrapped: Payload; }" in decl
