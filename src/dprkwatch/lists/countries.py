"""FtM's table of country names, built once at install instead of in every import.

FtM cleans a country value through rigour, which builds, on first use, a
table of about 26,000 territory names, each transliterated and normalised:
about 2 s of CPU in every process that cleans a country. ``lists import``
paid it before its parser workers started, on one core, on the wall-clock
path of every import. The table depends only on the installed rigour, so
``make install`` writes it beside this module (:data:`TABLE`, keyed by
rigour's version, git-ignored) and :func:`use_prebuilt` makes rigour read it
from there (a few hundredths of a second) the first time a country is
cleaned. Without the file, or when it was written for another rigour
version, rigour builds the table itself as before: the same answers, slower.

    python -m dprkwatch.lists.countries [PATH]    # what ``make install`` runs
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import orjson
from rigour.territories import lookup
from rigour.territories.territory import Territory, get_index

from dprkwatch import durable

TABLE = Path(__file__).with_name("country_names.json")

# rigour's own builder, kept before use_prebuilt() replaces it.
_build_names: Callable[[], dict[str, Territory]] = lookup._get_territory_names


def computed() -> dict[str, Territory]:
    """The table as rigour builds it (seconds of CPU), whatever is installed in its place."""
    return dict(_build_names.__wrapped__())  # type: ignore[attr-defined]


def build(path: Path = TABLE) -> int:
    """Write rigour's table to ``path`` (normalised name -> territory code, in rigour's order)."""
    names = computed()
    document = {
        "rigour": version("rigour"),
        "names": {name: territory.code for name, territory in names.items()},
    }
    durable.write_bytes(path, orjson.dumps(document))
    return len(names)


def load(path: Path = TABLE) -> dict[str, Territory] | None:
    """The table stored at ``path``; None when it is missing, unreadable or for another rigour.

    The order of the names is rigour's own: its fuzzy search takes the first
    of equally close names.
    """
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(document, dict) or document.get("rigour") != version("rigour"):
        return None
    index = get_index()
    names: dict[str, Territory] = {}
    for name, code in document.get("names", {}).items():
        territory = index.get(code)
        if territory is None:
            return None
        names[name] = territory
    return names


@functools.cache
def _names() -> dict[str, Territory]:
    names = load()
    return names if names is not None else _build_names()


def use_prebuilt() -> None:
    """Have rigour read its name table from :data:`TABLE` when it first needs it."""
    lookup._get_territory_names = _names  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else TABLE
    count = build(path)
    print(f"country names: {count:,} names written to {path.name} (rigour {version('rigour')})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
