"""What a caller asks the screener: :class:`Query` and the :class:`Scope` to search.

A query is an FtM-shaped description of the counterparty: a schema and
property values under FtM property names (``name``, ``birthDate``,
``imoNumber``, ``publicKey``...). It is validated and cleaned once, when it
is built, so every layer above (CLI rows, HTTP bodies, maritime vessel
records) gets the same checks and the same one-line errors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dprkwatch.matching.exceptions import QueryError
from dprkwatch.matching.identifiers import (
    document_number,
    imo_number,
    mmsi_number,
    wallet_address,
)
from dprkwatch.matching.text import strip_controls

if TYPE_CHECKING:
    from followthemoney.types.registry import Registry

# Schemata a query may name; "Thing" screens against every subject type.
QUERY_SCHEMATA = (
    "Thing", "LegalEntity", "Person", "Organization", "Company", "PublicBody", "Vessel",
    "Airplane", "CryptoWallet",
)  # fmt: skip
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
ID_PROPS = (
    "imoNumber", "mmsi", "callSign", "passportNumber", "idNumber", "registrationNumber",
    "taxNumber", "swiftBic", "innCode", "ogrnCode", "leiCode", "publicKey",
)  # fmt: skip
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction", "flag")
OTHER_PROPS = ("birthDate", "gender", "address", "birthPlace", "incorporationDate", "buildDate")
QUERY_PROPS = frozenset(NAME_PROPS + ID_PROPS + COUNTRY_PROPS + OTHER_PROPS)

MAX_VALUE_CHARS = 1000
MAX_VALUES = 50
MAX_TOTAL_CHARS = 20_000
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ID_CHECKS = {"imoNumber": imo_number, "mmsi": mmsi_number, "publicKey": wallet_address}
_ID_WHAT = {
    "imoNumber": "an IMO number needs 7 digits",
    "mmsi": "an MMSI needs 9 digits",
    "publicKey": "not a crypto wallet address",
}


@dataclass(frozen=True, init=False)
class Scope:
    """Which entities to screen against: lists, DPRK programmes only, programme codes.

    ``None`` means no restriction. ``lists`` are list names as in the
    snapshot store (``ofac``, ``un``, ``eu``, ``uk``...); ``programs`` are
    publisher programme codes (``DPRK3``, ``PRK``) matched case-insensitively.
    """

    lists: frozenset[str] | None = None
    dprk_only: bool = False
    programs: frozenset[str] | None = None

    def __init__(
        self,
        lists: Iterable[str] | None = None,
        dprk_only: bool = False,
        programs: Iterable[str] | None = None,
    ) -> None:
        object.__setattr__(self, "lists", _frozen(lists, lower=True))
        object.__setattr__(self, "dprk_only", bool(dprk_only))
        object.__setattr__(self, "programs", _frozen(programs, lower=False, upper=True))

    @property
    def is_everything(self) -> bool:
        return self.lists is None and not self.dprk_only and self.programs is None


def _frozen(
    values: Iterable[str] | None, *, lower: bool, upper: bool = False
) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    out = set()
    for v in values:
        v = str(v).strip()
        if v:
            out.add(v.lower() if lower else v.upper() if upper else v)
    return frozenset(out) if out else None


@dataclass(frozen=True)
class Query:
    """One counterparty to screen, validated on construction.

    ``properties`` maps FtM property names to a value or a list of values.
    Values are cleaned: control characters stripped, whitespace collapsed,
    countries reduced to ISO codes, dates checked, identifiers normalised.
    Raises :class:`~dprkwatch.matching.exceptions.QueryError` (an
    ``InputError``) naming the field on any problem.
    """

    schema: str = "Thing"
    properties: Mapping[str, Sequence[str]] = field(default_factory=dict)
    id: str | None = None

    def __post_init__(self) -> None:
        schema = strip_controls(str(self.schema or "Thing"))
        if schema not in QUERY_SCHEMATA:
            raise QueryError(
                f"unknown schema {schema!r} (expected one of: {', '.join(QUERY_SCHEMATA)})",
                where="schema",
            )
        object.__setattr__(self, "schema", schema)
        if self.id is not None:
            qid = strip_controls(str(self.id))
            if len(qid) > 200:
                raise QueryError(f"id is too long ({len(qid)} characters; at most 200)", where="id")
            object.__setattr__(self, "id", qid)
        if not isinstance(self.properties, Mapping):
            raise QueryError("properties must be a mapping of property names to values")
        cleaned: dict[str, list[str]] = {}
        total = 0
        for prop, raw in self.properties.items():
            if prop not in QUERY_PROPS:
                raise QueryError(
                    f"unknown property {prop!r} (use FtM names: {', '.join(sorted(QUERY_PROPS))})",
                    where=str(prop)[:50],
                )
            values = _clean_values(prop, raw)
            total += sum(len(v) for v in values)
            if values:
                cleaned[prop] = values
        if total > MAX_TOTAL_CHARS:
            raise QueryError(
                f"query is too long ({total:,} characters; at most {MAX_TOTAL_CHARS:,})"
            )
        if not any(cleaned.get(p) for p in NAME_PROPS) and not any(
            cleaned.get(p) for p in ID_PROPS
        ):
            raise QueryError(
                "a query needs a name or an identifier (imoNumber, mmsi, passportNumber, "
                "registrationNumber, publicKey ...)",
                where="name",
            )
        object.__setattr__(self, "properties", cleaned)

    def get(self, prop: str) -> list[str]:
        return list(self.properties.get(prop, ()))

    @property
    def names(self) -> list[str]:
        return [v for p in NAME_PROPS for v in self.properties.get(p, ())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "schema": self.schema,
            "properties": {k: list(v) for k, v in self.properties.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Query:
        """Build from an FtM-style dict ``{"schema", "properties", "id"}``."""
        if not isinstance(data, Mapping):
            raise QueryError("a query must be an object with 'schema' and 'properties'")
        props = data.get("properties") or {}
        return cls(schema=str(data.get("schema") or "Thing"), properties=props, id=data.get("id"))


def _clean_values(prop: str, raw: Any) -> list[str]:
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str | int | float) else raw
    if not isinstance(items, list | tuple | set | frozenset):
        raise QueryError(
            f"expected a string or a list of strings, got {type(raw).__name__}", where=prop
        )
    if len(items) > MAX_VALUES:
        raise QueryError(f"too many values ({len(items)}; at most {MAX_VALUES})", where=prop)
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        if not isinstance(item, str | int | float):
            raise QueryError(f"expected a string, got {type(item).__name__}", where=prop)
        text = str(item)
        if not _is_unicode(text):
            raise QueryError(
                "value is not valid Unicode text (it holds a lone surrogate code point)",
                where=prop,
            )
        if len(text) > MAX_VALUE_CHARS * 4:
            raise QueryError(
                f"value is too long ({len(text):,} characters; at most {MAX_VALUE_CHARS:,})",
                where=prop,
            )
        text = strip_controls(text)
        if len(text) > MAX_VALUE_CHARS:
            raise QueryError(
                f"value is too long ({len(text):,} characters; at most {MAX_VALUE_CHARS:,})",
                where=prop,
            )
        if not text:
            continue
        value = _clean_one(prop, text)
        if value not in out:
            out.append(value)
    return out


def _is_unicode(text: str) -> bool:
    """False for a string holding a lone surrogate (U+D800-U+DFFF), which no
    file encoding can carry: JSON escapes and Python callers can still send one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _types() -> Registry:
    """FollowTheMoney's value types, imported on the first country or gender cleaned.

    Importing them loads FollowTheMoney's whole model (about a second), which
    a process that screens nothing (a resolution re-run with nothing new, a
    CLI command that only reads) should not pay.
    """
    from followthemoney.types import registry

    return registry


def _clean_one(prop: str, text: str) -> str:
    if prop in _ID_CHECKS:
        norm = _ID_CHECKS[prop](text)
        if norm is None:
            raise QueryError(f"{_ID_WHAT[prop]}: {text[:60]!r}", where=prop)
        return norm
    if prop in ID_PROPS:
        norm = document_number(text)
        if norm is None:
            raise QueryError(
                f"not an identifier (needs 4+ letters/digits incl. a digit): {text[:60]!r}",
                where=prop,
            )
        return norm
    if prop in COUNTRY_PROPS:
        code = _types().country.clean(text)
        if code is None:
            raise QueryError(
                f"unknown country {text[:60]!r} (use an ISO code like 'kp')", where=prop
            )
        return str(code)
    if prop in ("birthDate", "incorporationDate", "buildDate"):
        m = _DATE.match(text)
        if m is None:
            raise QueryError(
                f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {text[:40]!r}", where=prop
            )
        year = int(m.group(1))
        month = int(m.group(2) or 1)
        day = int(m.group(3) or 1)
        if not (1800 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
            raise QueryError(f"date out of range: {text!r}", where=prop)
        return text
    if prop == "gender":
        gender = _types().gender.clean(text)
        if gender is None:
            raise QueryError(f"unknown gender {text[:40]!r} (male, female or other)", where=prop)
        return str(gender)
    return text
