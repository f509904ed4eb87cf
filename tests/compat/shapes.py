"""yente's entity wire shape, as its own tests pin it, written as checks of ours."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from followthemoney import model

SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
DATASET_NAME = re.compile(r"^[a-z0-9_]+$")
ENTITY_KEYS = {
    "id", "caption", "schema", "properties", "datasets", "referents", "target",
    "first_seen", "last_seen", "last_change",
}  # fmt: skip


def assert_time(value: Any) -> None:
    """ISO 8601 to the second, no zone, no fraction: what yente's clients parse."""
    assert isinstance(value, str) and SECONDS.match(value), value
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is None and parsed.microsecond == 0 and parsed.isoformat() == value


def assert_entity(data: dict[str, Any]) -> None:
    """Every key yente guarantees, with its type; nested entities checked the same way."""
    assert not ENTITY_KEYS - data.keys(), sorted(ENTITY_KEYS - data.keys())
    assert isinstance(data["id"], str) and data["id"]
    assert isinstance(data["caption"], str) and data["caption"]
    assert data["schema"] in model.schemata
    assert isinstance(data["properties"], dict)
    for prop, values in data["properties"].items():
        assert isinstance(prop, str) and isinstance(values, list), (prop, values)
        for value in values:
            if isinstance(value, dict):
                assert_entity(value)
            else:
                assert isinstance(value, str), (prop, value)
    assert isinstance(data["datasets"], list)
    assert all(isinstance(d, str) and DATASET_NAME.match(d) for d in data["datasets"])
    assert isinstance(data["referents"], list) and all(
        isinstance(r, str) for r in data["referents"]
    )
    assert isinstance(data["target"], bool)
    for key in ("first_seen", "last_seen", "last_change"):
        if data[key] is not None:
            assert_time(data[key])
