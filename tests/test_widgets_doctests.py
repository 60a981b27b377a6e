"""Every docstring example in widgets runs as written (the model's are in test_doctests.py)."""

import doctest
import importlib
import pkgutil

import pytest

import widgets


@pytest.mark.parametrize("name", [m.name for m in pkgutil.iter_modules(widgets.__path__, "widgets.")])
def test_widgets_docstring_examples_run(name):
    failed, _ = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert not failed, name
