"""Shared fixtures: isolated data directories and the optional real data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dprkwatch.settings import Settings

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _shared_data() -> Path | None:
    configured = os.environ.get("DPRKWATCH_SHARED_DATA")
    path = Path(configured) if configured else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


SHARED_DATA = _shared_data()


@pytest.fixture
def shared_data() -> Path:
    """The real source data folder; tests using it skip when it is absent."""
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    return SHARED_DATA


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh, empty data directory."""
    return Settings(home=tmp_path / "home")
