"""A yente query example, read the way yente reads it, and what dprkwatch can screen of it.

A ``/match`` query is an FtM entity *example*: a schema and property values.
yente builds an FtM entity from it leniently - values of any property of
the schema, numbers as text, invalid values and unknown properties
dropped, a name combined from its parts when none is given, countries
inferred from values such as IBANs - and matches that. A client moving from
yente sends such examples, so this module reads them the same way:

* :attr:`Prepared.entity` is that FtM entity; nomenklatura's algorithms
  score it, and it is what the response echoes as ``query``;
* :attr:`Prepared.query` is the part dprkwatch's own matcher uses: the
  properties it knows (names, identifiers, countries, dates...), each
  value validated by :class:`~dprkwatch.matching.query.Query`. A value
  that fails (an IMO number with a bad check digit) is left out, not
  fatal: one odd value never fails the batch;
* :attr:`Prepared.unused` says, per property and value, what was not used
  and why, so the caller can see it in the answer.

Only two things refuse a query, as in yente: a schema FtM does not know,
and a schema nothing can be matched against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from followthemoney import Schema, ValueEntity, model
from followthemoney.helpers import combine_names
from followthemoney.types import registry

from dprkwatch.exceptions import InputError
from dprkwatch.matching.exceptions import QueryError
from dprkwatch.matching.query import ID_PROPS, NAME_PROPS, QUERY_PROPS, QUERY_SCHEMATA, Query
from dprkwatch.matching.text import strip_controls

BASE_SCHEMA = "Thing"
MAX_VALUE_CHARS = 4000


@dataclass(frozen=True)
class Unused:
    """A property value the screening could not use, and why."""

    property: str
    reason: str
    value: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"property": self.property, "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class Prepared:
    """One example, read: the FtM entity, dprkwatch's query of it, and what went unused."""

    key: str
    example_id: str | None
    schema: Schema
    entity: ValueEntity
    query: Query | None
    unused: list[Unused] = field(default_factory=list)

    def echo(self) -> dict[str, Any]:
        """The query as yente echoes it: the example's id, schema and cleaned properties."""
        return {
            "id": self.example_id,
            "schema": self.schema.name,
            "properties": {p: list(v) for p, v in self.entity.properties.items()},
        }

    def result_schemata(self) -> frozenset[str] | None:
        """The schemata a result may have (None: any), as yente filters them."""
        if self.schema.name == BASE_SCHEMA:
            return None
        allowed = set(self.schema.matchable_schemata)
        if not self.schema.matchable:
            allowed.update(self.schema.descendants)
        return frozenset(s.name for s in allowed)


def _values(raw: Any) -> list[str]:
    """Text values of a property as sent: a string, a number, or a list of them."""
    items = raw if isinstance(raw, list | tuple) else [raw]
    out: list[str] = []
    for item in items:
        if item is None or isinstance(item, dict | list | bool):
            continue
        text = strip_controls(str(item))
        if text:
            out.append(text[:MAX_VALUE_CHARS])
    return out


def name_values(properties: Mapping[str, Any]) -> int:
    """How many name values (name, alias, weakAlias, previousName) an example sends, counted
    before it is read, so that the work a request may ask for is capped cheaply."""
    total = 0
    for prop in NAME_PROPS:
        raw = properties.get(prop)
        total += len(raw) if isinstance(raw, list | tuple) else int(raw is not None)
    return total


def resolve_schema(name: str, where: str) -> Schema:
    """The FtM schema called ``name``, if it can be matched (400 otherwise)."""
    schema = model.get(strip_controls(str(name)))
    if schema is None:
        raise InputError(f"unknown schema {name!r}", where=where)
    if schema.name != BASE_SCHEMA and not schema.matchable:
        raise InputError(f"no entity can be matched against a {schema.name}", where=where)
    return schema


def _dprkwatch_schema(schema: Schema) -> str:
    """The schema dprkwatch's matcher screens for ``schema`` (results are filtered after)."""
    return schema.name if schema.name in QUERY_SCHEMATA else BASE_SCHEMA


def prepare(
    key: str, schema_name: str, properties: Mapping[str, Any], example_id: str | None
) -> Prepared:
    """Read one example as yente does (see the module docstring)."""
    where = f"queries.{key}"
    schema = resolve_schema(schema_name, f"{where}.schema")
    entity = ValueEntity(schema, {"id": example_id or f"query-{key}"}, cleaned=True)
    unused: list[Unused] = []
    # An untyped query (Thing) may still carry what dprkwatch's matcher reads for any
    # type (a birth date, a nationality): kept for it, though FtM's Thing has no such property.
    untyped: dict[str, list[str]] = {}
    for name, raw in properties.items():
        prop = schema.get(name)
        if prop is None and schema.name == BASE_SCHEMA and name in QUERY_PROPS:
            untyped.setdefault(name, []).extend(_values(raw))
            continue
        if prop is None:
            unused.append(Unused(name, f"{schema.name} has no property {name!r}"))
            continue
        for value in _values(raw):
            before = len(entity.get(prop))
            entity.unsafe_add(prop, value, cleaned=False, fuzzy=True)
            if len(entity.get(prop)) == before and value not in entity.get(prop):
                unused.append(Unused(name, f"not a valid {prop.type.name}", value))
    if not entity.get_type_values(registry.name, matchable=True):
        combine_names(entity)
    countries = set(entity.get_type_values(registry.country))
    for prop, value in list(entity.itervalues()):
        hint = prop.type.country_hint(value)
        if hint is not None and hint not in countries:
            entity.add("country", hint, cleaned=True, quiet=True)
            countries.add(hint)
    query = _query(schema, entity, example_id, unused, untyped)
    return Prepared(key, example_id, schema, entity, query, unused)


def _query(
    schema: Schema,
    entity: ValueEntity,
    example_id: str | None,
    unused: list[Unused],
    untyped: Mapping[str, list[str]],
) -> Query | None:
    """dprkwatch's query over the values it can use; each value checked on its own."""
    kept: dict[str, list[str]] = {}
    for name, values in [*entity.properties.items(), *untyped.items()]:
        if name not in QUERY_PROPS:
            if name not in ("firstName", "lastName", "middleName", "fatherName", "secondName"):
                unused.append(Unused(name, "not used by dprkwatch's matcher"))
            continue
        for value in values:
            probe = {name: [value]}
            if name not in NAME_PROPS and name not in ID_PROPS:
                probe["name"] = ["x"]  # a query needs a name; this one only carries the value
            try:
                Query(BASE_SCHEMA, probe)
            except QueryError as exc:
                unused.append(Unused(name, exc.problem, value))
                continue
            kept.setdefault(name, []).append(value)
    try:
        return Query(_dprkwatch_schema(schema), kept, id=example_id)
    except QueryError as exc:
        unused.append(Unused(exc.where or "name", exc.problem))
        return None
