"""The prebuilt country-name table gives rigour exactly the table it builds itself."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import orjson
import pytest
from followthemoney import registry

from dprkwatch.lists import cleaning, countries


def _codes(names: dict[str, object]) -> list[tuple[str, str]]:
    return [(name, territory.code) for name, territory in names.items()]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def computed() -> list[tuple[str, str]]:
    return _codes(countries.computed())  # type: ignore[arg-type]


def test_a_built_table_loads_as_rigours_own_in_its_order(
    tmp_path: Path, computed: list[tuple[str, str]]
) -> None:
    path = tmp_path / "names.json"
    assert countries.build(path) == len(computed) > 20_000
    loaded = countries.load(path)
    assert loaded is not None
    assert _codes(loaded) == computed  # type: ignore[arg-type]


def test_the_installed_table_is_rigours_own(computed: list[tuple[str, str]]) -> None:
    if not countries.TABLE.exists():
        pytest.skip("no prebuilt table: `make countries` has not run")
    built_for = orjson.loads(countries.TABLE.read_bytes()).get("rigour")
    if built_for != version("rigour"):
        # Another environment's rigour (``make test-latest`` shares the source
        # tree): the table is not used there, and rigour builds its own.
        pytest.skip(f"the prebuilt table is for rigour {built_for}, not {version('rigour')}")
    loaded = countries.load()
    assert loaded is not None
    assert _codes(loaded) == computed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"[1, 2]",
        orjson.dumps({"rigour": "0.0.1", "names": {"north korea": "kp"}}),
    ],
)
def test_a_bad_or_foreign_table_is_not_used(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "names.json"
    path.write_bytes(content)
    assert countries.load(path) is None
    assert countries.load(tmp_path / "missing.json") is None


def test_a_table_naming_an_unknown_territory_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    path.write_bytes(orjson.dumps({"rigour": version("rigour"), "names": {"atlantis": "zz-x"}}))
    assert countries.load(path) is None


def test_countries_clean_as_before_once_the_table_is_in_use() -> None:
    cleaning.warm_country_names()
    assert registry.country.clean("Korea, North") == "kp"
    assert registry.country.clean("Democratic People's Republic of Korea") == "kp"
    assert registry.country.clean("Switzerland") == "ch"
    assert registry.country.clean("Swizerland", fuzzy=True) == "ch"
    assert registry.country.clean("Narnia") is None
