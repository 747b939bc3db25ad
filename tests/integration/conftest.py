"""Fixtures shared by the integration tests: the wheel, built once, and a fresh venv holding it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.wheel import build_wheel, install_wheel


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built with `pip wheel --no-deps` from a fresh copy of the checkout (tests/support/wheel.py)."""
    return build_wheel(tmp_path_factory)


@pytest.fixture(scope="session")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout with the wheel installed (tests/support/wheel.py)."""
    return install_wheel(wheel, tmp_path_factory)
