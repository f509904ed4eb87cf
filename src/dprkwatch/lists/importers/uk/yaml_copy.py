"""UK consolidated list re-serialised as multi-document YAML (Ammitto project).

One document per designation: ``unique_id`` (the id: ``uk-DPR0226``),
``ofsi_group_id``, ``un_reference_number``, ``names`` (parts name1..name6
with ``name_type`` and ``alias_strength``), ``non_latin_names``,
``regime_name``, ``individual_entity_ship``, ``designation_source``,
``sanctions_imposed``, ``addresses``, ``other_information``,
``uk_statement_of_reasons``, ``date_designated``, ``last_updated``.

**This copy is lossy**: its converter dropped dates of birth, nationality,
passport and ID numbers, IMO numbers and all ship details. What can be
recovered from ``other_information`` is (see
:mod:`~dprkwatch.lists.importers.uk.record`); the rest is simply absent, and
each import records that in a warning. The publication date is the newest
``last_updated`` in the file.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.importers.uk.record import UkRecord, build
from dprkwatch.lists.importers.values import iso_date
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.lists.yamlsafe import first_document_keys, iter_documents

_MARKERS = frozenset(
    {"unique_id", "ofsi_group_id", "regime_name", "individual_entity_ship", "names"}
)
# YAML key -> UkRecord field, for the plain text fields.
_FIELDS = {
    "ofsi_group_id": "group_id",
    "un_reference_number": "un_reference_number",
    "regime_name": "regime",
    "individual_entity_ship": "entity_type",
    "designation_source": "designation_source",
    "sanctions_imposed": "sanctions_imposed",
    "other_information": "other_information",
    "uk_statement_of_reasons": "statement_of_reasons",
    "date_designated": "date_designated",
    "last_updated": "last_updated",
}
# Read elsewhere, or redundant with a field that is read.
_CONSUMED = frozenset(
    {"unique_id", "names", "non_latin_names", "addresses", "sanctions_imposed_indicators"}
)
MISSING_NOTE = (
    "the UK YAML copy has no dates of birth, nationalities, passport/ID numbers, "
    "IMO numbers or ship details (dropped by its converter); only what is written "
    "in other_information was recovered"
)


class _Shape(ValueError):
    pass


def _text(value: Any, key: str) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        if value in (None, [], {}):
            return None
        raise _Shape(f"field {key!r} should be text")
    return str(value)


def _items(value: Any, key: str) -> list[dict[str, Any]]:
    """The ``{names: [...]}`` / ``{addresses: [...]}`` wrapper lists of the copy."""
    if value in (None, ""):
        return []
    if isinstance(value, dict):
        value = next(iter(value.values()), [])
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    raise _Shape(f"field {key!r} should be a list of mappings")


def to_record(doc: dict[str, Any], where: str, unhandled: Counter[str]) -> UkRecord:
    unique_id = _text(doc.get("unique_id"), "unique_id")
    if not unique_id:
        raise _Shape("record without unique_id")
    rec = UkRecord(record_id=unique_id.strip(), where=where)
    rec.add("unique_id", unique_id)
    for key, value in doc.items():
        if key in _FIELDS:
            rec.add(_FIELDS[key], _text(value, key))
        elif key not in _CONSUMED:
            unhandled[key] += 1
    for item in _items(doc.get("names"), "names"):
        parts = [_text(item.get(f"name{i}"), f"name{i}") for i in (1, 2, 3, 4, 5, 6)]
        rec.add_name(
            parts,
            _text(item.get("name_type"), "name_type"),
            _text(item.get("alias_strength"), "alias_strength"),
        )
    for item in _items(doc.get("non_latin_names"), "non_latin_names"):
        rec.add_non_latin(
            _text(item.get("name_non_latin_script"), "name_non_latin_script"),
            _text(item.get("non_latin_script_language"), "non_latin_script_language"),
        )
    for item in _items(doc.get("addresses"), "addresses"):
        lines = [_text(item.get(f"address_line{i}"), f"address_line{i}") for i in range(1, 7)]
        lines.append(_text(item.get("address_postal_code"), "address_postal_code"))
        rec.add_address(lines, _text(item.get("address_country"), "address_country"))
    return rec


@register
class UkYamlImporter:
    format: ClassVar[str] = "uk-yaml"
    list_name: ClassVar[str] = "uk"
    source: ClassVar[str | None] = "uksl"
    description: ClassVar[str] = (
        "UK consolidated list, one YAML document per designation (Ammitto copy, lossy)"
    )
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        found = len(first_document_keys(head) & _MARKERS)
        return 0.95 if found >= 3 else 0.2 * found

    def load(self, path: Path) -> ListVersion:
        b = EntityBuilder(self.list_name, self.format, [path])
        unhandled: Counter[str] = Counter()
        newest: str | None = None
        for n, (line, doc) in enumerate(iter_documents(path), start=1):
            if doc is None or doc == "":
                continue
            where = f"line {line} (document {n})"
            if not isinstance(doc, dict):
                raise SourceError("record is not a mapping", source=str(path), where=where)
            try:
                rec = to_record(doc, where, unhandled)
            except _Shape as exc:
                raise SourceError(str(exc), source=str(path), where=where) from None
            build(b, rec)
            for value in rec.get("last_updated"):
                updated = iso_date(value)
                if updated and len(updated) == 10 and (newest is None or updated > newest):
                    newest = updated
        for key, count in sorted(unhandled.items()):
            b.warn(f"field {key} not handled ({count} times)")
        b.warn(MISSING_NOTE)
        return b.finish(date.fromisoformat(newest) if newest else None)
