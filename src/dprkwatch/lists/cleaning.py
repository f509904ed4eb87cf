"""FollowTheMoney value cleaning, done once per distinct value in a process.

Importing all eight publishers adds about a million property values, and a
third of them repeat (source URLs, listing dates, programme codes, the same
names on several publishers' lists). FtM cleans every one of them again;
here a value of a type whose cleaning depends on the value alone is cleaned
once. Kept apart from :mod:`dprkwatch.lists.model` because it needs FtM at
import time, and readers of stored snapshots never build entities.
"""

from __future__ import annotations

from functools import lru_cache

from followthemoney import ValueEntity, registry
from followthemoney.property import Property
from followthemoney.util import sanitize_text
from followthemoney.value import Values

# Property types whose cleaning depends on the value alone, never on the
# entity (FtM's entity type refuses an entity's own id; phone numbers may
# read the entity's countries). Their values repeat across a list and
# across lists (source URLs, listing dates, programme codes, the same names
# on several publishers' lists), and cleaning some of them is slow.
_PURE_TYPES = frozenset(
    {"name", "string", "text", "identifier", "date", "url", "topic", "address", "country",
     "gender", "language", "email", "number"}
)  # fmt: skip


@lru_cache(maxsize=1 << 17)
def _cleaned(type_name: str, value: str, fuzzy: bool, fmt: str | None) -> str | None:
    """What FtM's ``add`` stores for one string value of a pure type (None: dropped)."""
    text = sanitize_text(value)
    if not text:
        return None
    cleaned: str | None = registry.get(type_name).clean_text(text, fuzzy=fuzzy, format=fmt)
    return cleaned


class ListEntity(ValueEntity):
    """A ValueEntity that cleans each value of a pure type once per process.

    Importing all eight publishers adds about a million values; a third of
    them repeat. The stored values are FtM's own, as :meth:`ValueEntity.add`
    would store them.
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
        if cleaned or type(values) is not str:
            super().add(prop, values, cleaned=cleaned, quiet=quiet, fuzzy=fuzzy, format=format)
            return
        name = self._prop_name(prop, quiet=quiet)
        if name is None:
            return
        prop_obj = self.schema.properties[name]
        if prop_obj.stub or prop_obj.type.name not in _PURE_TYPES:
            super().add(prop_obj, values, quiet=quiet, fuzzy=fuzzy, format=format)
            return
        value = _cleaned(prop_obj.type.name, values, fuzzy, format or prop_obj.format)
        if value is not None:
            self.unsafe_add(prop_obj, value, cleaned=True)


def warm_country_names() -> None:
    """Build FtM's table of country names now (seconds of CPU, once per process).

    A parent about to fork parser workers calls this so that they inherit the
    table instead of each building its own.
    """
    registry.country.clean_text("North Korea")
