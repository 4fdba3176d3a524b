"""Fixtures for the built-in plugins' tests (the same ``reg`` as ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from mesosim.host import Registry
from mesosim.testing import builtin_registry


@pytest.fixture(scope="session")
def reg() -> Registry:
    """The registry with the built-in plugins only (third-party autoload off)."""
    return builtin_registry()
