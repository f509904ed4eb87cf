"""FollowTheMoney value cleaning, done once per distinct value in a process.

Importing all eight publishers adds about a million property values, and a
third of them repeat (source URLs, listing dates, programme codes, the same
names on several publishers' lists). FtM cleans every one of them again;
here a value of a type whose cleaning depends on the value alone is cleaned
once. Kept apart from :mod:`dprkwatch.lists.model` because it needs FtM at
import time, and readers of stored snapshots never build entities.
"""

from __future__ import annotations

from typing import NamedTuple

from followthemoney import ValueEntity, registry
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.util import sanitize_text
from followthemoney.value import Values

from dprkwatch.lists import countries

countries.use_prebuilt()

# Property types whose cleaning depends on the value alone, never on the
# entity (FtM's entity type refuses an entity's own id; phone numbers may
# read the entity's countries). Their values repeat across a list and
# across lists (source URLs, listing dates, programme codes, the same names
# on several publishers' lists), and cleaning some of them is slow.
PURE_TYPES = frozenset(
    {"name", "string", "text", "identifier", "date", "url", "topic", "address", "country",
     "gender", "language", "email", "number"}
)  # fmt: skip

# Distinct values kept per (type, format, fuzzy) before that table starts
# afresh: a bound of a few megabytes per type on what a long-running process
# (the service imports in its own process) keeps. The values that repeat
# (dates, countries, programme codes, source URLs) are far fewer; names,
# mostly distinct, just pass through.
_MAX_CACHED = 1 << 15
_MISSING = object()
_tables: dict[tuple[str, str | None, bool], dict[str, str | None]] = {}


def clean_value(
    type_name: str, value: str, fmt: str | None = None, fuzzy: bool = False
) -> str | None:
    """What FtM stores for one string value of a pure type (None: dropped).

    The same as ``registry.get(type_name).clean(value, fuzzy=fuzzy, format=fmt)``,
    looked up in a plain dict per type: the call is made for every value an
    importer adds, so it avoids building a cache key per call.
    """
    table = _tables.get((type_name, fmt, fuzzy))
    if table is None:
        table = _tables[(type_name, fmt, fuzzy)] = {}
    cleaned = table.get(value, _MISSING)
    if cleaned is _MISSING:
        text = sanitize_text(value)
        cleaned = (
            None if not text else registry.get(type_name).clean_text(text, fuzzy=fuzzy, format=fmt)
        )
        if len(table) >= _MAX_CACHED:
            table.clear()
        table[value] = cleaned
    return cleaned  # type: ignore[return-value]


class _Plan(NamedTuple):
    """How values of one property of one schema are added (see :meth:`ListEntity.add`)."""

    prop: Property
    name: str
    # The type's name when its cleaning is pure (see PURE_TYPES), else None.
    pure: str | None
    total_size: int | None


# (schema name, property name) -> plan; None where FtM's own ``add`` must
# decide (an unknown or stub property: it raises or ignores, as asked).
_plans: dict[tuple[str, str], _Plan | None] = {}


def _plan(schema: Schema, name: str) -> _Plan | None:
    key = (schema.name, name)
    try:
        return _plans[key]
    except KeyError:
        pass
    prop = schema.properties.get(name)
    plan = None
    if prop is not None and not prop.stub:
        pure = prop.type.name if prop.type.name in PURE_TYPES else None
        plan = _Plan(prop, prop.name, pure, prop.type.total_size)
    _plans[key] = plan
    return plan


class ListEntity(ValueEntity):
    """A ValueEntity that adds string values without FtM's per-call overhead.

    Importing all eight publishers adds about a million values, one call
    each. For a property named by string and a single string value, the
    property is looked up once per schema, a value of a pure type is cleaned
    once per process, and the value is stored as FtM's ``unsafe_add`` stores
    it (the same size limit, no duplicates, insertion order). Everything
    else goes through :meth:`ValueEntity.add` unchanged, so stored values are
    FtM's own.
    """

    __slots__ = ()

    def add(
        self,
        prop: Property | str,
        values: Values,
        cleaned: bool = False,
        quiet: bool = False,
        fuzzy: bool = False,
        format: str | None = None,
    ) -> None:
        plan = _plan(self.schema, prop) if type(prop) is str and type(values) is str else None
        if plan is None:
            super().add(prop, values, cleaned=cleaned, quiet=quiet, fuzzy=fuzzy, format=format)
            return
        value: str | None
        if cleaned:
            # FtM skips an empty string given as already clean ...
            value = values or None  # type: ignore[assignment]
        elif plan.pure is not None:
            # ... but keeps one that cleaning returned.
            value = clean_value(plan.pure, values, format or plan.prop.format, fuzzy)  # type: ignore[arg-type]
        else:
            super().add(plan.prop, values, quiet=quiet, fuzzy=fuzzy, format=format)
            return
        if value is None:
            return
        size = self._size + len(value)
        if plan.total_size is not None and size > plan.total_size:
            return
        self._size = size
        stored = self._properties.get(plan.name)
        if stored is None:
            self._properties[plan.name] = [value]
        elif value not in stored:
            stored.append(value)


def warm_country_names() -> None:
    """Load FtM's table of country names now (see :mod:`dprkwatch.lists.countries`).

    A parent about to fork parser workers calls this so that they inherit the
    table instead of each loading (or, without the prebuilt table, building:
    seconds of CPU) its own.
    """
    registry.country.clean_text("North Korea")
