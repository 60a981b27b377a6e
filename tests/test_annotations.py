"""Annotations read alike on every Python (kernelptr/_annotations.py): Python 3.14 evaluates
them lazily (PEP 649), so a struct's fields and a method's receiver must not depend on
`cls.__dict__["__annotations__"]` or on evaluating names that do not exist.

This module deliberately has no `from __future__ import annotations`: its annotations are
evaluated as a learner's notebook cell's are. tests/test_pythons.py runs it on 3.12-3.14.
"""

import sys
import textwrap

import pytest

import kernelptr as kp
from kernelptr._annotations import annotations_of, signature_of

LAZY = sys.version_info >= (3, 14)


@kp.impl_list_item(id=0, using="links")
@kp.impl_list_arc_safe(id=0, untracked=True)
@kp.struct
class Job:
    name: str
    links: kp.ListLinks[0]
    prio: int = 0


def test_struct_fields_come_from_the_class_annotations(heap):
    """What 3.14 broke: `Job() takes 0 fields`, then `impl_list_item ... is not a ListLinks`."""
    assert Job._kp_fields == ("name", "links", "prio")
    assert repr(Job("build", prio=2)) == "Job(name='build', prio=2)"
    queue = kp.List(Job, id=0)
    queue.push_back(kp.ListArc.new(Job("build"), kp.GFP_KERNEL, id=0))
    assert [job.name for job in queue] == ["build"]


def test_struct_defined_in_a_function_sizes_its_fields_by_local_types():
    @kp.struct
    class Name:
        text: str                 # a String: 24 bytes

    @kp.struct
    class Task:
        name: Name                # a local type, seen through the function's closure
        done: bool

    assert kp.layout(Task).size == 32


def test_string_annotations_are_parsed_not_evaluated():
    class Ping(kp.Trait):
        def ping(self: "kp.ArcBorrow[Self]"): ...          # `Self` is defined nowhere
        def push(self: "kp.ListArc[Wrapper[Self]]"): ...  # nor is `Wrapper`

    assert Ping.methods() == {"ping": kp.traits.Receiver("ArcBorrow"),
                              "push": kp.traits.Receiver("ListArc", "Wrapper")}

    @kp.struct
    class Item:
        links: "kp.ListLinks[0]"
        name: "str"

    assert Item._kp_fields == ("links", "name") and Item._kp_plain == ("name",)


def _define(code: str) -> dict:
    """Run a learner's cell (no `from __future__ import annotations`) and return its names."""
    names = {"kp": kp}
    exec(textwrap.dedent(code), names)  # noqa: S102 - test source written here
    return names


def test_unquoted_receiver_naming_an_undefined_self():
    code = """
        class Worker(kp.Trait):
            def run(self: kp.Arc[Self]): ...
    """
    if not LAZY:  # Python evaluates the annotation at the definition: Self is undefined
        with pytest.raises(NameError):
            _define(code)
        return
    assert repr(_define(code)["Worker"].methods()) == "{'run': self: Arc<Self>}"


def test_struct_annotation_naming_an_undefined_type():
    code = """
        @kp.struct
        class Job:
            owner: Nobody
            links: kp.ListLinks[0]
    """
    if not LAZY:
        with pytest.raises(NameError):
            _define(code)
        return
    job_type = _define(code)["Job"]
    assert job_type._kp_fields == ("owner", "links") and job_type._kp_plain == ("owner",)
    assert repr(job_type(owner=1)) == "Job(owner=1)"


def test_a_misspelt_model_type_is_an_error_on_every_python():
    """Only undefined names are let through on 3.14; other mistakes still stop the cell."""
    with pytest.raises(AttributeError, match="ListLinkz"):
        _define("""
            @kp.struct
            class Job:
                links: kp.ListLinkz[0]
        """)


def test_annotations_of_a_class_are_its_own_not_inherited():
    class Base:
        a: int

    class Derived(Base):
        b: "str"

    assert annotations_of(Base) == {"a": int}
    assert annotations_of(Derived) == {"b": "str"}


def test_a_function_annotation_naming_nothing_defined_reads_as_its_source_text():
    # Unquoted, only Python 3.14 accepts the definition; quoted, every Python does.
    run = _define("def run(self: kp.Arc[Nowhere], n: int): ..." if LAZY else
                  "def run(self: 'kp.Arc[Nowhere]', n: int): ...")["run"]
    assert list(signature_of(run).parameters) == ["self", "n"]
    assert annotations_of(run)["self"] == "kp.Arc[Nowhere]"
