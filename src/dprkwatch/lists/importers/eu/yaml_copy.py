"""EU Financial Sanctions Files re-serialised as multi-document YAML (Ammitto project).

Each document is one FSF ``sanctionEntity`` with snake_case fields
(``eu_reference_number``, ``logical_id``, ``regulations``, ``subject_type``,
``name_aliases``, ``citizenships``, ``birthdates``, ``addresses``,
``identifications``, ``remark``). The content is the official one, so the
entities are built by the same code as for the FSF XML
(:mod:`~dprkwatch.lists.importers.eu.record`). The publication date is the
newest regulation publication date in the file: the copy carries no
generation date of its own.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from dprkwatch.lists.importers.eu.record import EuRecordBuilder
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.registry import register
from dprkwatch.lists.yamlsafe import first_document_keys, iter_documents

_MARKERS = frozenset(
    {"eu_reference_number", "logical_id", "regulations", "subject_type", "name_aliases"}
)


@register
class EuYamlImporter:
    format: ClassVar[str] = "eu-yaml"
    list_name: ClassVar[str] = "eu"
    source: ClassVar[str | None] = "eu"
    description: ClassVar[str] = (
        "EU Financial Sanctions Files, one YAML document per entity (Ammitto copy)"
    )
    version: ClassVar[str] = "1"

    def sniff(self, path: Path, head: bytes) -> float:
        found = len(first_document_keys(head) & _MARKERS)
        return 0.95 if found >= 3 else 0.2 * found

    def load(self, path: Path) -> ListVersion:
        b = EntityBuilder(self.list_name, self.format, [path])
        records = EuRecordBuilder(b, str(path))
        for n, (line, doc) in enumerate(iter_documents(path), start=1):
            if doc is None or doc == "":
                continue
            records.add(doc, f"line {line} (document {n})")
        records.finish_warnings()
        newest = records.newest_publication
        return b.finish(date.fromisoformat(newest) if newest else None)
