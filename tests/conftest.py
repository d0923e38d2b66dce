"""Fixtures of every test."""

import math

import pytest

from paxcare import rowcache


@pytest.fixture(autouse=True)
def fresh_row_caches(monkeypatch):
    """Start each test without rows cached by an earlier one (rolled back since).

    One process runs the tests: the shared generation is not read again during a
    test (a test of it sets ``CHECK_SECONDS`` itself), so that it never adds a
    query to a test that counts them.
    """
    monkeypatch.setattr(rowcache, "CHECK_SECONDS", math.inf)
    rowcache.clear()
    yield
    rowcache.clear()
