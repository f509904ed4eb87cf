"""FollowTheMoney JSON lines: import and export, for OpenSanctions and Aleph tools.

Each line is one entity as ``{"id", "schema", "properties", ...}``. Ids are
kept as they are (they are already stable in the publishing system), and so
is every entity, of every schema: the ``Sanction``, ``Address``,
``Ownership``, ``Directorship``, ``Family`` or ``UnknownLink`` entities
around a listed person are what the service nests into it. What an
OpenSanctions export says beyond the properties (``referents``, ``target``,
``first_seen``, ``last_seen``, ``last_change``) is stored with the entity.

The list name is ``ftm_<dataset>``: the dataset every entity names in its
``datasets``; for an export that mixes datasets, the dataset's folder when
the file is called ``entities.ftm.json`` (OpenSanctions' and yente's
layout: ``<dataset>/entities.ftm.json``), else the file name.
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
_GENERIC_STEMS = frozenset({"entities", "export", "data"})
_NAME_PROPS = (
    ("name", "primary"),
    ("alias", "alias"),
    ("weakAlias", "weak"),
    ("previousName", "former"),
)


def list_name_for(dataset: str) -> str:
    return "ftm_" + (_SAFE.sub("_", dataset.lower()).strip("_") or "data")


def dataset_for(path: Path, shared: set[str] | None) -> str:
    """The dataset a file holds: the one all its entities share, else named by the file."""
    if shared and len(shared) == 1:
        return next(iter(shared))
    stem = path.name.split(".")[0]
    if stem.lower() in _GENERIC_STEMS and path.parent.name:
        return path.parent.name
    return stem


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
        shared: set[str] | None = None
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
                    shared = set(entity.datasets) if shared is None else shared & entity.datasets
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
        list_name = list_name_for(dataset_for(path, shared))
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
