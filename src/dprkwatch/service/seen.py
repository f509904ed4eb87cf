"""When each listed entity was first seen, last seen and last changed, from the snapshot history.

yente answers every entity with ``first_seen``, ``last_seen`` and
``last_change``; its ``changed_since`` filter and ``first_seen`` sort rely
on them. The snapshot store already keeps every imported version of every
list, so the dates follow from it:

* ``first_seen``: the earliest stored version (up to the active one) that
  holds the entity;
* ``last_seen``: the latest such version (the active one, for an entity
  that is listed now);
* ``last_change``: the first version of the run of versions, ending with the
  latest, in which the entity's stored record is byte-for-byte the same.

A version's time is its publication date when the source gives one
(``2024-05-03T00:00:00``), else the time it was imported; both are written
as yente writes them: ISO 8601 to the second, no time zone. An entity of
an FtM import that carries its own dates (OpenSanctions exports do) keeps
them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from dprkwatch.lists.snapshot import ENTITIES_FILE, Manifest, SnapshotStore


@dataclass(frozen=True, slots=True)
class Seen:
    first_seen: str
    last_seen: str
    last_change: str


def version_time(manifest: Manifest) -> str:
    """The time a list version stands for, in yente's format (``YYYY-MM-DDTHH:MM:SS``)."""
    if manifest.published:
        day = manifest.published[:10]
        return f"{day}T00:00:00" if len(day) == 10 else f"{day[:4]}-01-01T00:00:00"
    return wire_time(manifest.imported_at) or "1970-01-01T00:00:00"


def wire_time(value: object) -> str | None:
    """``value`` (an ISO date or date-time) as ``YYYY-MM-DDTHH:MM:SS``, or None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    day = value[:10]
    clock = value[11:19] if len(value) >= 19 and value[10] in "T " else "00:00:00"
    text = f"{day}T{clock}"
    ok = text[4] == "-" and text[7] == "-" and text[13] == ":" and text[16] == ":"
    return (
        text if ok and text.replace("-", "").replace(":", "").replace("T", "").isdigit() else None
    )


def _records(store: SnapshotStore, manifest: Manifest) -> Iterator[tuple[str, bytes]]:
    """(entity id, digest of its stored line) for every entity of one version."""
    path = store.root / manifest.list_name / manifest.version / ENTITIES_FILE
    with path.open("rb") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            start = line.find(b'"id":"')
            if start < 0:
                continue
            start += 6
            end = line.find(b'"', start)
            yield line[start:end].decode("utf-8"), hashlib.blake2b(line, digest_size=12).digest()


def list_history(store: SnapshotStore, list_name: str, active: str) -> dict[str, Seen]:
    """Dates for every entity of the active version ``active`` of ``list_name``."""
    versions = store.versions(list_name)
    order = [m.version for m in versions]
    if active in order:
        versions = versions[: order.index(active) + 1]
    if not versions:
        return {}
    times = [version_time(m) for m in versions]
    if len(versions) == 1:
        t = times[0]
        return {eid: Seen(t, t, t) for eid, _ in _records(store, versions[0])}
    first: dict[str, str] = {}
    change: dict[str, str] = {}
    digest: dict[str, bytes] = {}
    last: dict[str, int] = {}  # index of the latest version holding the entity
    for i, (manifest, t) in enumerate(zip(versions, times, strict=True)):
        for eid, d in _records(store, manifest):
            first.setdefault(eid, t)
            if digest.get(eid) != d or last.get(eid) != i - 1:
                change[eid] = t  # new, changed, or back after a gap
            digest[eid] = d
            last[eid] = i
    end = len(versions) - 1
    return {eid: Seen(first[eid], times[end], change[eid]) for eid, i in last.items() if i == end}


def history(store: SnapshotStore, active: Mapping[str, str]) -> dict[str, Seen]:
    """Dates of every entity of every active list version (``{list: version}``)."""
    out: dict[str, Seen] = {}
    for list_name, version in sorted(active.items()):
        out.update(list_history(store, list_name, version))
    return out
