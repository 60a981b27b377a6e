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
