from __future__ import annotations

import os

import pytest

from mesosim.host import Registry
from mesosim.testing import builtin_registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTOCOLS = os.path.join(ROOT, "protocols")


@pytest.fixture(scope="session")
def reg() -> Registry:
    """The registry with the built-in plugins only (third-party autoload off)."""
    return builtin_registry()
