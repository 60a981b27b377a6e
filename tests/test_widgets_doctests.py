"""Every docstring example in widgets runs as written."""

import doctest
import importlib
import pkgutil
import warnings

import pytest

import widgets

MODULES = sorted(m.name for m in pkgutil.walk_packages(widgets.__path__, "widgets."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
