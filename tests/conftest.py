"""Shared fixtures: every test gets a fresh simulated kernel as the current heap."""

import warnings

import pytest

import kernelptr as kp


@pytest.fixture
def heap():
    """A fresh `kp.Heap()`, current for the test; checked for consistency at the end."""
    with kp.Heap() as h, warnings.catch_warnings():
        warnings.simplefilter("ignore", kp.RefcountWarning)
        yield h
        h.check()


def _pythons_module(session):
    for item in session.items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__.rsplit(".", 1)[-1] == "test_pythons":
            return module
    return None


def pytest_collection_finish(session):
    """The model suite on Pythons 3.12-3.14 (Pyodide, tests/test_pythons.py) starts now, at
    a low CPU priority, so that it uses the core the rest of the session leaves idle."""
    module = _pythons_module(session)
    if module is not None and not session.config.option.collectonly:
        module.start_early(session.items)


def pytest_sessionfinish(session):
    module = _pythons_module(session)
    if module is not None:
        module.stop_runs()
