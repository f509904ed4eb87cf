"""OFAC importers for the legacy CSV sets: the SDN list and the consolidated non-SDN list.

``ofac-sdn`` reads ``sdn.csv`` with its optional ``add.csv``, ``alt.csv`` and
``sdn_comments.csv``; ``ofac-cons`` reads ``cons_prim.csv`` with
``cons_add.csv``, ``cons_alt.csv`` and ``cons_comments.csv``. Both produce one
entity per ``ent_num`` with the id ``ofac-<ent_num>`` (the two lists share
OFAC's numbering). The legacy files carry no publication date, so
``published`` is left to the snapshot layer (a date in the folder or file
name, or ``--published``).

Reading, the Remarks grammar and the entity mapping live in the sibling
``ofac_*`` modules; this one wires them together and registers the formats.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path
from typing import ClassVar

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.ofac.entities import RecordMapper, program_tags
from dprkwatch.lists.importers.ofac.legacy_rows import (
    ADD_COLUMNS,
    ALT_COLUMNS,
    COMMENTS_COLUMNS,
    MAIN_COLUMNS,
    Row,
    ent_num,
    find_companions,
    read_rows,
)
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register

# Programmes found on the consolidated non-SDN list rather than the SDN list
# (sectoral sanctions, Palestinian Legislative Council, menu-based, CMIC, ...).
NON_SDN_TAGS = frozenset(
    {"NS-PLC", "NS-ISA", "NS-MBS", "NS-CMIC", "CMIC-EO13959", "UKRAINE-EO13662", "561-Related",
     "FSE-IR", "FSE-SY", "FSE-WMD", "FSE-SDGT"}
)  # fmt: skip
_SNIFF_ROWS = 40
# Text columns read untrimmed (see read_rows): Remarks, and its overflow.
REMARKS = frozenset({MAIN_COLUMNS.index("Remarks")})
OVERFLOW = frozenset({COMMENTS_COLUMNS.index("remarks")})


def sniff_main(head: bytes) -> tuple[bool, float]:
    """Whether ``head`` starts like an OFAC main file, and the share of non-SDN programme rows.

    A main file is headerless CSV whose records have 12 fields and a numeric
    first field. Companion files (6, 5 or 2 fields) and XML/YAML/JSON are not.
    """
    if b"\x00" in head:
        return False, 0.0
    text = head.decode("cp1252", errors="replace").lstrip("\ufeff \t\r\n")
    if not text or text[0] in "<{[" or text.startswith(("---", "%YAML")):
        return False, 0.0
    lines = text.splitlines()
    if len(head) >= 4096 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut head may be partial
    try:
        rows = [r for r in csv.reader(io.StringIO("\n".join(lines[:_SNIFF_ROWS]))) if r]
    except csv.Error:
        return False, 0.0
    if not rows:
        return False, 0.0
    main = [r for r in rows if len(r) == len(MAIN_COLUMNS) and r[0].strip().isdigit()]
    if len(main) < max(1, int(0.8 * len(rows))):
        return False, 0.0
    non_sdn = sum(1 for r in main if NON_SDN_TAGS.intersection(program_tags(r[3].strip())))
    return True, non_sdn / len(main)


def is_companion(head: bytes) -> bool:
    """Whether ``head`` looks like an add/alt/comments file (numeric key, 6/5/2 fields)."""
    if b"\x00" in head:
        return False
    text = head.decode("cp1252", errors="replace")
    try:
        first = next(csv.reader(io.StringIO(text.splitlines()[0] if text else "")), [])
    except csv.Error:
        return False
    widths = (len(ADD_COLUMNS), len(ALT_COLUMNS), len(COMMENTS_COLUMNS))
    return len(first) in widths and first[0].strip().isdigit()


def load_set(path: Path, *, family: str, list_name: str, fmt: str) -> ListVersion:
    """Read a main file and whichever companions sit next to it into a list version."""
    rows, notes = read_rows(path, MAIN_COLUMNS, raw=REMARKS)
    companions = find_companions(path, family)
    builder = EntityBuilder(list_name, fmt, [path, *companions.paths()])
    for note in notes:
        builder.warn(note)

    addresses = _grouped(companions.add, ADD_COLUMNS, "add_num", builder)
    aliases = _grouped(companions.alt, ALT_COLUMNS, "alt_num", builder)
    overflow: dict[str, str] = {}
    if companions.comments is not None:
        comment_rows, notes = read_rows(companions.comments, COMMENTS_COLUMNS, raw=OVERFLOW)
        for note in notes:
            builder.warn(note)
        for row in comment_rows:
            key = ent_num(companions.comments, row)
            overflow[key] = overflow.get(key, "") + (row[1] or "")

    mapper = RecordMapper(builder)
    seen: set[str] = set()
    for row in rows:
        key = ent_num(path, row)
        mapper.record(
            key,
            row,
            overflow=overflow.get(key),
            addresses=addresses.get(key, []),
            aliases=aliases.get(key, []),
        )
        seen.add(key)
    mapper.resolve_links()
    for message in mapper.tally.warnings():
        builder.warn(message)
    for label, keys in (("add", addresses), ("alt", aliases), ("comments", overflow)):
        orphans = sorted(set(keys) - seen, key=int)
        if orphans:
            builder.warn(
                f"{label} file: {len(orphans)} ent_num values have no record in {path.name} "
                f"(ignored; is it from another list version?): {', '.join(orphans[:10])}"
            )
    return builder.finish(None)


def _grouped(
    path: Path | None, columns: tuple[str, ...], key_name: str, builder: EntityBuilder
) -> dict[str, list[Row]]:
    """A companion file's rows by ent_num; a repeated add_num/alt_num is an error."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    if path is None:
        return grouped
    rows, notes = read_rows(path, columns)
    for note in notes:
        builder.warn(note)
    keys: set[str] = set()
    for row in rows:
        key = ent_num(path, row)
        number = ent_num(path, row, key_name, 1)
        if number in keys:
            raise SourceError(
                f"duplicate {key_name} {number}", source=str(path), where=f"line {row.line}"
            )
        keys.add(number)
        grouped[key].append(row)
    return grouped


@register
class OfacSdnImporter:
    """The OFAC Specially Designated Nationals list, legacy CSV set."""

    format: ClassVar[str] = "ofac-sdn"
    list_name: ClassVar[str] = "ofac"
    source: ClassVar[str | None] = "ofac-sdn"
    description: ClassVar[str] = (
        "OFAC SDN list, legacy CSV (sdn.csv + optional add/alt/sdn_comments.csv)"
    )
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        main, non_sdn = sniff_main(head)
        if main:
            return 0.9 if non_sdn < 0.5 else 0.55
        return 0.2 if is_companion(head) else 0.0

    def load(self, path: Path) -> ListVersion:
        return load_set(path, family="sdn", list_name=self.list_name, fmt=self.format)


@register
class OfacConsImporter:
    """The OFAC Consolidated Sanctions (non-SDN) list, legacy CSV set."""

    format: ClassVar[str] = "ofac-cons"
    list_name: ClassVar[str] = "ofac_cons"
    source: ClassVar[str | None] = "ofac-cons"
    description: ClassVar[str] = (
        "OFAC consolidated non-SDN list, legacy CSV (cons_prim.csv + optional cons_add/alt/comments.csv)"
    )
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        main, non_sdn = sniff_main(head)
        if main:
            return 0.9 if non_sdn >= 0.5 else 0.3
        return 0.0

    def load(self, path: Path) -> ListVersion:
        return load_set(path, family="cons", list_name=self.list_name, fmt=self.format)
