"""The target map in buckets, for screening one name without reading all of it.

``targets.json`` (listing -> target, list and caption; about 2 MB for the
four lists) costs some 0.15 s of CPU to read into dictionaries, which a
one-name ``dprkwatch screen`` paid on every call while the screening itself
takes about a millisecond. Screening looks up a handful of listings and
their targets, so this file keeps the same map split into small buckets by
a hash of the id: opening it reads a header and checks one checksum, and a
lookup parses only the bucket that holds the id.

Layout (little-endian)::

    b"DWTIDX1\\n"      magic
    u32 buckets, u32 crc32 of everything after the header
    u32 offsets[buckets + 2]   into the blobs; blob 0 is the meta (JSON)
    blobs                      bucket b: {"l": {listing: [target, list, caption]},
                                           "t": {target: [listing, ...]}}

A file that is short, has another magic, or whose checksum or offsets do
not agree is refused (:class:`DamagedIndex`); screening then answers one row
per listing, which is what it answered before resolution.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson

MAGIC = b"DWTIDX1\n"
_HEAD = struct.Struct("<II")
# Entries (listings and targets) per bucket: a bucket of about 2 KB parses in
# microseconds, and the offsets table stays small.
PER_BUCKET = 32


class DamagedIndex(ValueError):
    """The bucketed target map cannot be read as written."""


def bucket_of(key: str, buckets: int) -> int:
    """The bucket of a listing or target id (crc32: the same in every process)."""
    return zlib.crc32(key.encode("utf-8")) % buckets


def encode(
    created_at: str,
    rows: Mapping[str, tuple[str, str, str]],
    members: Mapping[str, Sequence[str]],
) -> bytes:
    """The file for ``rows`` (listing -> (target, list, caption)) and ``members`` (target ->
    its listings)."""
    buckets = max(1, (len(rows) + len(members)) // PER_BUCKET)
    parts: list[dict[str, dict[str, Any]]] = [{"l": {}, "t": {}} for _ in range(buckets)]
    for rid, row in rows.items():
        parts[bucket_of(rid, buckets)]["l"][rid] = row
    for tid, ids in members.items():
        parts[bucket_of(tid, buckets)]["t"][tid] = list(ids)
    blobs = [
        orjson.dumps({"created_at": created_at, "listings": len(rows), "targets": len(members)}),
        *(orjson.dumps(p) for p in parts),
    ]
    offsets = [0]
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    body = struct.pack(f"<{len(offsets)}I", *offsets) + b"".join(blobs)
    return MAGIC + _HEAD.pack(buckets, zlib.crc32(body)) + body


class TargetIndex:
    """Lookups in the bucketed target map: the target of a listing, a target's listings."""

    def __init__(self, raw: bytes) -> None:
        start = len(MAGIC) + _HEAD.size
        if len(raw) < start or raw[: len(MAGIC)] != MAGIC:
            raise DamagedIndex("not a target index (bad magic or too short)")
        buckets, crc = _HEAD.unpack_from(raw, len(MAGIC))
        if buckets < 1 or zlib.crc32(memoryview(raw)[start:]) != crc:
            raise DamagedIndex("target index checksum does not match its contents")
        count = buckets + 2
        table = start + 4 * count
        if len(raw) < table:
            raise DamagedIndex("target index offsets table is cut short")
        offsets = struct.unpack_from(f"<{count}I", raw, start)
        if offsets[0] != 0 or any(b < a for a, b in pairwise(offsets)):
            raise DamagedIndex("target index offsets are out of order")
        if table + offsets[-1] != len(raw):
            raise DamagedIndex("target index length does not match its offsets")
        self._raw = raw
        self._base = table
        self._offsets = offsets
        self._buckets = buckets
        self._parsed: dict[int, dict[str, dict[str, Any]]] = {}
        # Answers kept once looked up: a process that screens many names (the
        # in-process benchmark, a long session) asks for the same ids again.
        self._rows: dict[str, tuple[str, str, str] | None] = {}
        self._members: dict[str, list[str]] = {}
        meta = orjson.loads(self._blob(0))
        self.created_at = str(meta["created_at"])

    @classmethod
    def read(cls, path: Path) -> TargetIndex:
        return cls(path.read_bytes())

    def _blob(self, i: int) -> bytes:
        a, b = self._offsets[i], self._offsets[i + 1]
        return self._raw[self._base + a : self._base + b]

    def _bucket(self, key: str) -> dict[str, dict[str, Any]]:
        b = bucket_of(key, self._buckets)
        part = self._parsed.get(b)
        if part is None:
            part = orjson.loads(self._blob(b + 1))
            self._parsed[b] = part
        return part

    def row(self, listing: str) -> tuple[str, str, str] | None:
        """(target, list, caption) of a listing, or None when no resolution placed it."""
        try:
            return self._rows[listing]
        except KeyError:
            pass
        raw = self._bucket(listing)["l"].get(listing)
        row = (str(raw[0]), str(raw[1]), str(raw[2])) if raw is not None else None
        self._rows[listing] = row
        return row

    def listings_of(self, target: str) -> list[str]:
        """The listings of a target, in id order (empty for an unknown target)."""
        ids = self._members.get(target)
        if ids is None:
            ids = [str(r) for r in self._bucket(target)["t"].get(target, ())]
            self._members[target] = ids
        return list(ids)
