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
