"""Fingerprints: what makes two screenings "the same subject", and a listed entity "unchanged".

A reviewed false positive is suppressed for later screenings of the same
subject until the listed entity changes. Both halves need a stable
identity that does not depend on the caller's request keys or on the list
version:

* the *subject fingerprint* hashes the query's schema and its property
  values, case-folded, whitespace-collapsed and sorted - so re-sending the
  same customer record in another order or case is the same subject, while
  adding a birth date or a new alias makes it a new one that deserves a
  fresh look;
* the *entity hash* hashes the listed entity's schema and properties, so a
  new alias, address or programme on the list entry lifts the suppression.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson


def _collapse(value: str) -> str:
    return " ".join(value.split())


def clean_properties(properties: Mapping[str, str | Sequence[str]]) -> dict[str, list[str]]:
    """Property values as lists of trimmed, non-empty strings (a bare string becomes a list)."""
    out: dict[str, list[str]] = {}
    for prop, values in properties.items():
        items = [values] if isinstance(values, str) else list(values)
        cleaned = [_collapse(v) for v in items if isinstance(v, str) and _collapse(v)]
        if cleaned:
            out[prop] = cleaned
    return out


def _digest(obj: Any) -> str:
    return hashlib.sha256(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)).hexdigest()


def fingerprint(schema: str, properties: Mapping[str, str | Sequence[str]]) -> str:
    """The subject fingerprint of a query (see the module docstring)."""
    props = {
        prop: sorted({v.casefold() for v in values})
        for prop, values in clean_properties(properties).items()
    }
    return _digest({"schema": schema, "properties": props})


def entity_hash(entity: Mapping[str, Any]) -> str:
    """A hash of a listed entity's content (schema and every property value)."""
    props = entity.get("properties") or {}
    return _digest(
        {
            "schema": entity.get("schema"),
            "properties": {k: sorted(str(v) for v in vs) for k, vs in props.items() if vs},
        }
    )
