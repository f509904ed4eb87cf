"""Builders shared by the arsenal tests: fixture paths and edited parameter files."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from dprkwatch.arsenal.parameters import DEFAULT_FILE
from tests.conftest import FIXTURES

ARSENAL = FIXTURES / "arsenal"
SIMPLE = ARSENAL / "simple.yaml"
DEFAULT_PARAMS = (
    Path(__file__).resolve().parents[2] / "src" / "dprkwatch" / "arsenal" / "data" / DEFAULT_FILE
)


def raw(path: Path = SIMPLE) -> dict[str, Any]:
    """A parameter file as a plain mapping, ready to be edited."""
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def write_edited(tmp: Path, edit: Callable[[dict[str, Any]], None], base: Path = SIMPLE) -> Path:
    """Write a copy of ``base`` changed by ``edit`` and return its path."""
    data = raw(base)
    edit(data)
    out = tmp / "params.yaml"
    out.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return out
