"""@kp.struct (kernelptr/struct.py): fields from annotations, like a Rust struct."""

import pytest

import kernelptr as kp


@kp.struct
class Job:
    name: str
    prio: int = 0
    done: bool = False


def test_fields_defaults_and_repr():
    assert repr(Job("a")) == "Job(name='a', prio=0, done=False)"
    assert Job("a", 3).prio == 3


def test_missing_and_unknown_fields_are_rustc_errors():
    with pytest.raises(kp.TypeMismatch, match="E0063"):
        Job()
    with pytest.raises(kp.TypeMismatch, match="E0560"):
        Job("a", colour="red")
    with pytest.raises(kp.TypeMismatch):
        Job("a", 1, True, 4)


def test_struct_outside_any_arc_is_mutable():
    j = Job("a")
    j.prio = 4
    assert j.prio == 4


def test_layout_follows_repr_rust_sizes():
    assert kp.layout(Job).size == 24 + 8 + 1 + 7   # String, i64, bool, padding
    assert kp.layout(Job).align == 8


def test_string_annotations_are_resolved():
    @kp.struct
    class Later:
        n: "int"

    assert Later(1).n == 1
    assert kp.layout(Later).size == 8


# -- Unpin / !Unpin, derived from the fields (as the auto trait and #[pin_data] do) ---------
def test_unpin_is_derived_from_the_fields():
    """A struct is `Unpin` unless one of its fields is `!Unpin`: the kernel's pin-initialised
    types (`ListLinks`, `ListLinksSelfPtr`, `AtomicTracker`, `Work`, locks) and
    `PhantomPinned` are; a struct holding an `!Unpin` struct is too."""
    from kernelptr import workqueue

    @kp.struct
    class Plain:
        n: int
        name: str

    @kp.struct
    class Linked:
        n: int
        links: kp.ListLinks[0]

    @kp.struct
    class SelfPtr:
        links: kp.ListLinksSelfPtr[1]

    @kp.struct
    class Tracked:
        t: kp.AtomicTracker[0]

    @kp.struct
    class Worker:
        work: workqueue.Work[0]

    @kp.struct
    class Locked:
        lock: kp.SpinLock

    @kp.struct
    class Marked:
        n: int
        _pin: kp.PhantomPinned

    @kp.struct
    class Outer:
        inner: Linked

    @kp.struct
    class HoldsPlain:
        inner: Plain

    assert kp.is_unpin(Plain) and kp.is_unpin(HoldsPlain) and kp.is_unpin(Plain(1, "x"))
    reasons = {T.__name__: kp.not_unpin_because(T)
               for T in (Linked, SelfPtr, Tracked, Worker, Locked, Marked, Outer)}
    assert reasons == {"Linked": "links: ListLinks<0>", "SelfPtr": "links: ListLinksSelfPtr<1>",
                       "Tracked": "t: AtomicTracker<0>", "Worker": "work: Work<0>",
                       "Locked": "lock: SpinLock<T>", "Marked": "_pin: PhantomPinned",
                       "Outer": "inner: Linked"}
    assert repr(Marked(3)) == "Marked(n=3)"           # the marker is not an argument
    assert kp.layout(Marked).size == 8                                      # zero-sized


def test_unpin_of_a_generic_wrapper_depends_on_what_it_wraps():
    """`Wrapper<T>` with a `kp.Unsized` last field is `Unpin` iff `T` is (pin_data's
    `Unpin` impl names the `#[pin] wrapped: T` field)."""
    @kp.struct
    class Wrapper:
        tag: int
        wrapped: kp.Unsized

    @kp.struct
    class Marked:
        _pin: kp.PhantomPinned

    assert kp.is_unpin(Wrapper) and kp.is_unpin(Wrapper(1, 5))
    assert kp.not_unpin_because(Wrapper(1, Marked())) == "wrapped: Marked"
    assert kp.not_unpin_because(Wrapper(1, kp.SpinLock(0, "l"))) == "wrapped: SpinLock<T>"
