"""Raw AIVDM/AIVDO NMEA sentences, decoded with ``pyais``.

Bare sentences carry no date, so each position's time comes from the first
of these that is available:

1. an NMEA 4.0 tag block with a receiver time (``\\c:1700000000*hh\\!AIVDM...``);
2. a time stamp in front of the sentence on the same line (epoch seconds or
   ISO 8601, separated by a space, comma or semicolon), as many loggers write;
3. the latest base-station report (message 4) seen earlier in the file, with
   the minute rebuilt from the position report's own UTC second.

A position with none of these is skipped as ``nmea_no_timestamp``. Sentences
that fail their checksum or decoding are ``malformed_nmea``; a multi-part
message missing a fragment is ``nmea_incomplete``. For NMEA, a *row* in the
quality counts is one message (the fragments of a multi-part message count once).

Decoding is a Python loop over messages (pyais is pure Python), roughly
tens of thousands of messages a second; positions are handed on in batches.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

import polars as pl
from pyais import NMEAMessage
from pyais.exceptions import AISBaseException

from dprkwatch.maritime.exceptions import AisInputError
from dprkwatch.maritime.ingest.layouts import Source
from dprkwatch.maritime.ingest.quality import Quality
from dprkwatch.sources import unreadable

BATCH_MESSAGES = 200_000
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
STATIC_TYPES = frozenset({5, 19, 24})
_SENTENCE = re.compile(rb"[!$][A-Z]{2}VD[MO],")
_PREFIX_SEP = re.compile(rb"[\s,;]+$")
_TAG_TIME = re.compile(rb"(?:^|,)c:(\d+(?:\.\d+)?)")


@dataclass
class _Clock:
    """The latest base-station time, used to date bare sentences."""

    time: datetime | None = None

    def date(self, second: int | None) -> datetime | None:
        if self.time is None:
            return None
        if second is None or not 0 <= second <= 59:
            return self.time
        candidate = self.time.replace(second=second, microsecond=0)
        if candidate - self.time > timedelta(seconds=30):
            candidate -= timedelta(minutes=1)
        elif self.time - candidate > timedelta(seconds=30):
            candidate += timedelta(minutes=1)
        return candidate


@dataclass
class _Fragments:
    """Open multi-part messages keyed by (sequence id, channel), with the first line time seen.

    A tag block's time sits on the first fragment of a message (later ones
    carry only the group tag), so the message keeps the time of whichever
    fragment had one.
    """

    parts: dict[tuple[Any, Any], tuple[int, list[NMEAMessage]]] = field(default_factory=dict)
    times: dict[tuple[Any, Any], datetime] = field(default_factory=dict)


def _line_time(prefix: bytes) -> datetime | None:
    text = _PREFIX_SEP.sub(b"", prefix).strip().decode("ascii", "replace")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if value > 1e11:
            value /= 1000.0
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _tag_time(block: bytes) -> datetime | None:
    """The receiver time (``c:`` field, epoch seconds or milliseconds) of a tag block."""
    m = _TAG_TIME.search(block)
    if not m:
        return None
    value = float(m.group(1))
    if value > 1e11:
        value /= 1000.0
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def read_nmea(src: Source, quality: Quality) -> Iterator[pl.DataFrame]:
    """Batches of positions (and static fields) decoded from an NMEA log (or a zip member)."""
    source = src.name
    try:
        with ExitStack() as stack:
            if src.member is None:
                fh: IO[bytes] = stack.enter_context(src.path.open("rb"))
            else:
                archive = stack.enter_context(zipfile.ZipFile(src.path))
                fh = stack.enter_context(archive.open(src.member))
            yield from _decode(fh, source, quality)
    except OSError as exc:
        raise unreadable(source, exc, AisInputError) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise AisInputError(
            f"the zip archive is damaged or truncated ({exc}): download it again", source=source
        ) from None


def _decode(fh: IO[bytes], source: str, quality: Quality) -> Iterator[pl.DataFrame]:
    clock = _Clock()
    frags = _Fragments()
    rows: list[dict[str, Any]] = []
    for lineno, raw in enumerate(fh, start=1):
        line = raw.strip()
        if not line:
            continue
        match = _SENTENCE.search(line)
        start = match.start() if match else 0
        prefix, sentence = line[:start], line[start:]
        tag_time = None
        if prefix.endswith(b"\\"):
            # An NMEA 4.0 tag block sits between backslashes right before the sentence.
            tb_start = prefix.rfind(b"\\", 0, len(prefix) - 1)
            tag_time = _tag_time(prefix[tb_start + 1 : -1]) if tb_start >= 0 else None
            prefix = prefix[: max(tb_start, 0)]
        line_time = tag_time or (_line_time(prefix) if prefix else None)
        try:
            msg = NMEAMessage.from_bytes(sentence)
            valid = bool(msg.is_valid)
        except (AISBaseException, ValueError, IndexError, UnicodeDecodeError):
            valid = False
        if not valid:
            quality.rows_read += 1
            quality.skip("malformed_nmea", 1, [f"{source}:{lineno}"])
            continue
        if msg.is_multi:
            key = (msg.seq_id, msg.channel)
            if int(msg.frag_num) == 1:
                frags.times.pop(key, None)
            if line_time is not None:
                frags.times.setdefault(key, line_time)
            assembled = _add_fragment(frags, msg, quality, source, lineno)
            if assembled is None:
                continue
            msg = assembled
            line_time = frags.times.pop(key, line_time)
        quality.rows_read += 1
        try:
            decoded = msg.decode()
        except (AISBaseException, ValueError, IndexError, TypeError):
            quality.skip("malformed_nmea", 1, [f"{source}:{lineno}"])
            continue
        when = line_time
        mtype = int(decoded.msg_type)
        if mtype == 4:
            clock.time = _base_station_time(decoded.asdict()) or clock.time
        row = _row(decoded.asdict(), mtype)
        if row is None:
            quality.non_position_rows += 1
            quality.note("non_position_messages", 1)
            continue
        if when is None:
            when = clock.date(row.pop("second", None))
        else:
            row.pop("second", None)
        if when is None:
            if row.get("lat") is not None:
                quality.skip("nmea_no_timestamp", 1, [f"{source}:{lineno}"])
            else:
                quality.non_position_rows += 1
            continue
        row["ts"] = when
        row["_line"] = lineno
        if row.get("lat") is None:
            # Static-only message: it counts as a non-position row but still feeds identities.
            row["_static_only"] = True
        rows.append(row)
        if len(rows) >= BATCH_MESSAGES:
            yield from _flush(rows, quality)
            rows = []
    for _key, (_, parts) in frags.parts.items():
        quality.rows_read += 1
        quality.skip("nmea_incomplete", 1, [f"{source}:fragment {parts[0].seq_id}"])
    frags.parts.clear()
    if rows:
        yield from _flush(rows, quality)


def _add_fragment(
    frags: _Fragments, msg: NMEAMessage, quality: Quality, source: str, lineno: int
) -> NMEAMessage | None:
    key = (msg.seq_id, msg.channel)
    frag_num = int(msg.frag_num)
    count = int(msg.frag_cnt)
    open_ = frags.parts.get(key)
    if frag_num == 1:
        if open_ is not None:
            quality.rows_read += 1
            quality.skip("nmea_incomplete", 1, [f"{source}:{lineno}"])
        frags.parts[key] = (count, [msg])
    elif open_ is not None and len(open_[1]) + 1 == frag_num and open_[0] == count:
        open_[1].append(msg)
    else:
        quality.rows_read += 1
        quality.skip("nmea_incomplete", 1, [f"{source}:{lineno}"])
        if open_ is not None:
            del frags.parts[key]
        return None
    count_, parts = frags.parts[key]
    if len(parts) < count_:
        return None
    del frags.parts[key]
    try:
        return NMEAMessage.assemble_from_iterable(parts)
    except (AISBaseException, ValueError, IndexError):
        quality.rows_read += 1
        quality.skip("malformed_nmea", 1, [f"{source}:{lineno}"])
        return None


def _base_station_time(d: dict[str, Any]) -> datetime | None:
    try:
        return datetime(
            int(d["year"]),
            int(d["month"]),
            int(d["day"]),
            int(d["hour"]),
            int(d["minute"]),
            int(d["second"]),
            tzinfo=UTC,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _row(d: dict[str, Any], mtype: int) -> dict[str, Any] | None:
    row: dict[str, Any] = {"mmsi": d.get("mmsi")}
    is_position = mtype in POSITION_TYPES
    is_static = mtype in STATIC_TYPES
    if not (is_position or is_static):
        return None
    if is_position:
        row.update(
            lat=d.get("lat"),
            lon=d.get("lon"),
            sog=d.get("speed"),
            cog=d.get("course"),
            second=d.get("second"),
        )
    if is_static:
        if mtype == 5:
            row.update(
                imo=str(d["imo"]) if d.get("imo") else None,
                name=d.get("shipname"),
                callsign=d.get("callsign"),
            )
        elif mtype == 19:
            row.update(name=d.get("shipname"))
        elif mtype == 24:
            if d.get("partno") == 0:
                row.update(name=d.get("shipname"))
            else:
                row.update(callsign=d.get("callsign"))
    return row


_NMEA_SCHEMA: dict[str, pl.DataType] = {
    "mmsi": pl.Int64(),
    "ts": pl.Datetime("us", "UTC"),
    "lat": pl.Float64(),
    "lon": pl.Float64(),
    "sog": pl.Float64(),
    "cog": pl.Float64(),
    "imo": pl.String(),
    "name": pl.String(),
    "callsign": pl.String(),
    "flag": pl.String(),
    "_line": pl.Int64(),
    "_static_only": pl.Boolean(),
}


def _flush(rows: list[dict[str, Any]], quality: Quality) -> Iterator[pl.DataFrame]:
    frame = pl.DataFrame(rows, schema=_NMEA_SCHEMA).with_columns(
        pl.col("_static_only").fill_null(False)
    )
    # Every message was counted in rows_read as it was decoded; static-only ones
    # are not positions, and the normaliser (told not to count rows) skips them.
    quality.non_position_rows += int(frame["_static_only"].sum())
    yield frame
