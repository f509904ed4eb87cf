"""FollowTheMoney JSON lines: import and export, for OpenSanctions and Aleph tools.

Each line is one entity as ``{"id", "schema", "properties", ...}``. Ids are
kept as they are (they are already stable in the publishing system). The list
name is ``ftm_<dataset>`` taken from the first entity's ``datasets`` or, when
absent, the file stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
from followthemoney import ValueEntity
from followthemoney.exc import FollowTheMoneyException

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.model import ListVersion, entity_id
from dprkwatch.lists.names import NameDetail
from dprkwatch.lists.registry import register
from dprkwatch.sources import unreadable

_SAFE = re.compile(r"[^a-z0-9]+")
_NAME_PROPS = (
    ("name", "primary"),
    ("alias", "alias"),
    ("weakAlias", "weak"),
    ("previousName", "former"),
)


def list_name_for(dataset: str) -> str:
    return "ftm_" + (_SAFE.sub("_", dataset.lower()).strip("_") or "data")


@register
class FtMImporter:
    format: ClassVar[str] = "ftm"
    list_name: ClassVar[str] = "ftm"
    # FtM files come from anyone; no publisher or retirement date is known.
    source: ClassVar[str | None] = None
    description: ClassVar[str] = "FollowTheMoney entities, one JSON object per line"

    def sniff(self, path: Path, head: bytes) -> float:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        if not first.startswith(b"{"):
            return 0.0
        try:
            data = orjson.loads(first)
        except orjson.JSONDecodeError:
            return 0.3 if b'"schema"' in first else 0.0
        return 0.95 if isinstance(data, dict) and "schema" in data and "id" in data else 0.1

    def load(self, path: Path) -> ListVersion:
        entities: dict[str, ValueEntity] = {}
        names: list[NameDetail] = []
        dataset: str | None = None
        try:
            with path.open("rb") as fh:
                for lineno, raw in enumerate(fh, start=1):
                    line = raw.strip()
                    if not line:
                        continue
                    entity = _parse_line(path, lineno, line)
                    eid = entity_id(entity)
                    if eid in entities:
                        raise SourceError(
                            f"duplicate entity id {eid!r}", source=str(path), where=f"line {lineno}"
                        )
                    if dataset is None:
                        dataset = (
                            next(iter(sorted(entity.datasets)), None) or path.stem.split(".")[0]
                        )
                    entities[eid] = entity
                    for prop, kind in _NAME_PROPS:
                        if entity.schema.get(prop) is None:
                            continue
                        for value in entity.get(prop, quiet=True):
                            names.append(NameDetail(eid, value, kind))
        except OSError as exc:
            raise unreadable(path, exc, SourceError) from None
        if not entities:
            raise SourceError("no entities found", source=str(path))
        list_name = list_name_for(dataset or path.stem)
        for entity in entities.values():
            entity.datasets = {list_name}
        return ListVersion(
            list_name=list_name, format=self.format, sources=[path], entities=entities, names=names
        )


def _parse_line(path: Path, lineno: int, line: bytes) -> ValueEntity:
    where = f"line {lineno}"
    try:
        data: Any = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON ({exc})", source=str(path), where=where) from None
    if not isinstance(data, dict) or not data.get("id") or not data.get("schema"):
        raise SourceError(
            "expected an object with 'id' and 'schema'", source=str(path), where=where
        )
    try:
        return ValueEntity.from_dict(data, cleaned=False)
    except FollowTheMoneyException as exc:
        raise SourceError(f"invalid entity: {exc}", source=str(path), where=where) from None


def iter_dicts(entities: Iterable[ValueEntity]) -> Iterator[dict[str, Any]]:
    for entity in entities:
        yield entity.to_dict()
