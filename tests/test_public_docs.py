"""Every public type says what it models and shows a runnable example (STYLE.md): the
docstrings are part of the course, and tests/test_doctests.py runs their examples."""

import inspect

import pytest

import kernelptr as kp
import widgets

PUBLIC = sorted({(mod.__name__, name) for mod in (kp, widgets) for name in mod.__all__
                 if inspect.isclass(getattr(mod, name))})


@pytest.mark.parametrize("module,name", PUBLIC)
def test_public_type_has_a_docstring_with_an_example(module, name):
    obj = getattr(kp if module == "kernelptr" else widgets, name)
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{module}.{name} has no docstring"
    assert ">>>" in doc, f"{module}.{name}'s docstring shows no example"
    opening = " ".join(doc.split("\n\n")[0].split())
    assert "`" in opening or "kernel" in opening, \
        f"{module}.{name}'s first sentence names no kernel/Rust identifier: {opening!r}"
