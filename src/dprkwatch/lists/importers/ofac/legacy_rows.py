"""Reading OFAC's legacy delimited files (``sdn.csv``, ``add.csv``, ``alt.csv``, ...).

The format predates Unicode and has quirks a plain ``csv.reader`` hides:
no header row, ``-0-`` (often followed by a space) for an empty field,
Windows-1252 text, CRLF line ends and a DOS end-of-file byte (0x1A) after the
last row. This module turns one such file into validated rows, or raises a
one-line :class:`SourceError` naming the file, the place and the problem: a
screening list read half-way, in the wrong encoding, or with shifted columns
must never become a snapshot.

The companions of a main file are found by OFAC's own names in the same
folder (case-insensitive), so ``sdn.csv`` pairs with ``add.csv``, ``alt.csv``
and ``sdn_comments.csv``, and ``cons_prim.csv`` with ``cons_add.csv``,
``cons_alt.csv`` and ``cons_comments.csv``. A suffix on the main file carries
over (``sdn_2024.csv`` pairs with ``add_2024.csv``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.sources import reading

NULL = "-0-"
EOF_MARK = "\x1a"
NEWLINE = b"\n"

# Column layout of each file kind: (name, columns).
MAIN_COLUMNS = (
    "ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign",
    "Vess_type", "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks",
)  # fmt: skip
ADD_COLUMNS = ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks")
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
COMMENTS_COLUMNS = ("ent_num", "remarks")

# Control characters that never occur in OFAC text; their presence means a
# binary, UTF-16 or otherwise garbled file.
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Row:
    """One record of a legacy file: its first physical line and its fields.

    Fields are whitespace-trimmed; the null marker becomes ``None``.
    """

    line: int
    fields: tuple[str | None, ...]

    def __getitem__(self, index: int) -> str | None:
        return self.fields[index]


@dataclass(frozen=True)
class Companions:
    """The optional files that belong to one main list file."""

    add: Path | None = None
    alt: Path | None = None
    comments: Path | None = None

    def paths(self) -> list[Path]:
        return [p for p in (self.add, self.alt, self.comments) if p is not None]


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a legacy file and the encoding used (``cp1252`` or ``utf-8``).

    OFAC writes Windows-1252. A copy re-saved as UTF-8 (with a BOM, or with
    multi-byte sequences that are valid UTF-8) is read as UTF-8, because
    decoding it as CP1252 would silently turn every accented name into
    mojibake. UTF-16 and binary data are refused.
    """
    src = str(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(
            "file is UTF-16 encoded; OFAC CSV files are Windows-1252 text", source=src
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(
            f"NUL byte at offset {nul}: binary or UTF-16 data, not OFAC CSV text",
            source=src,
            where=_line_of(data, nul),
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_as(path, data[3:], "utf-8", offset=3), "utf-8"
    if not data.isascii():
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    return _decode_as(path, data, "cp1252"), "cp1252"


def _decode_as(path: Path, data: bytes, encoding: str, offset: int = 0) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        pos = exc.start + offset
        byte = data[exc.start]
        raise SourceError(
            f"byte 0x{byte:02x} at offset {pos} is not valid {encoding.upper()} text",
            source=str(path),
            where=_line_of(data, exc.start),
        ) from None


def _line_of(data: bytes, offset: int) -> str:
    return f"line {data.count(NEWLINE, 0, offset) + 1}"


def read_rows(
    path: Path, columns: tuple[str, ...], *, raw: frozenset[int] = frozenset()
) -> tuple[list[Row], list[str]]:
    """Every record of ``path`` checked against ``columns``; also notes for the builder.

    Fields are trimmed, except the column indexes in ``raw``: Remarks and their
    overflow must keep their edge spaces, because OFAC cuts Remarks at exactly
    1000 characters (a cut can end in a space) and the overflow continues the
    text character for character.

    Raises :class:`SourceError` for an unreadable, empty, garbled or truncated
    file and for a record with the wrong number of fields.
    """
    src = str(path)
    with reading(src, SourceError):
        data = path.read_bytes()
    text, encoding = decode(path, data)
    notes: list[str] = []
    if encoding != "cp1252":
        notes.append(f"{path.name}: read as UTF-8 (OFAC publishes Windows-1252)")
    body = text.rstrip(" \t\r\n")
    if body.endswith(EOF_MARK):
        body = body[:-1]
    if not body.strip():
        raise SourceError("file is empty", source=src)
    bad = _BAD_CONTROL.search(body)
    if bad is not None:
        line = body.count("\n", 0, bad.start()) + 1
        raise SourceError(
            f"control character 0x{ord(bad.group()):02x} in the text: file is binary or garbled",
            source=src,
            where=f"line {line}",
        )
    rows = list(_parse(path, body, columns, raw))
    if not rows:
        raise SourceError("file holds no records", source=src)
    last = rows[-1]
    if (
        not text.endswith(("\n", EOF_MARK))
        and last.fields[-1] is None
        and _raw_last_field(body) == "-0"
    ):
        notes.append(
            f"{path.name}: line {last.line}: file ends in '-0' without a newline "
            "(cut off); read as the null marker '-0-'"
        )
    return rows, notes


def _raw_last_field(body: str) -> str:
    return body.rsplit(",", 1)[-1].strip()


def _parse(path: Path, body: str, columns: tuple[str, ...], raw: frozenset[int]) -> Iterator[Row]:
    src = str(path)
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "end of data" in str(exc) or "EOF" in str(exc):
                raise SourceError(
                    "quoted field is never closed (file truncated?)",
                    source=src,
                    where=f"line {start}",
                ) from None
            raise SourceError(f"malformed CSV ({exc})", source=src, where=f"line {start}") from None
        line = start
        start = reader.line_num + 1
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if line == 1 and fields[0].strip().lower() == columns[0].lower():
            continue  # a header row added by some re-publishers
        if len(fields) != len(columns):
            raise SourceError(
                f"expected {len(columns)} fields ({', '.join(columns[:3])}, ...), found {len(fields)}",
                source=src,
                where=f"line {line}",
            )
        yield Row(line, tuple(_value(f, i in raw) for i, f in enumerate(fields)))


def _value(field: str, keep_edges: bool = False) -> str | None:
    value = field.strip()
    # "-0" only occurs as a cut-off null marker at the very end of a file.
    if not value or value == NULL or value == "-0":
        return None
    return field if keep_edges else value


def ent_num(path: Path, row: Row, column: str = "ent_num", index: int = 0) -> str:
    """A record's numeric key as text, or a :class:`SourceError` naming the line."""
    value = row[index]
    if value is None or not value.isdigit():
        raise SourceError(
            f"{column} {value or '(empty)'!r} is not a number",
            source=str(path),
            where=f"line {row.line}",
        )
    return str(int(value))


def find_companions(main: Path, family: str) -> Companions:
    """The companion files next to ``main`` for ``family`` ("sdn" or "cons")."""
    stem = main.stem.lower()
    prefix = "sdn" if family == "sdn" else "cons_prim"
    suffix = stem[len(prefix) :] if stem.startswith(prefix) else None
    if suffix is None:
        return Companions()
    names = (
        ("add", "alt", "sdn_comments")
        if family == "sdn"
        else ("cons_add", "cons_alt", "cons_comments")
    )
    try:
        siblings = {p.name.lower(): p for p in main.parent.iterdir() if p.is_file()}
    except OSError:
        return Companions()
    ext = main.suffix.lower()
    found = [siblings.get(f"{name}{suffix}{ext}") for name in names]
    return Companions(add=found[0], alt=found[1], comments=found[2])
