"""The yente compatibility suite: yente's own test behaviours, checked against dprkwatch.

Each test here mirrors one test of yente's suite (named in its docstring and
in ``@mirrors``); ``test_coverage.py`` checks that every test of yente's
suite is either mirrored or listed as an intended difference in
``docs/service.md``. The data is yente's own fixture, the Zala cluster of
OpenSanctions entities (``ftm_samples/`` in the shared data folder, found
through ``DPRKWATCH_SHARED_DATA``); without it the same tests run on a
small hand-written fixture of invented entities shaped the same way
(``tests/fixtures/compat/sokol``). yente's second fixture, German party
donations, is not in the shared data: its tests run on a hand-written
fixture of the same shape (``tests/fixtures/compat/donations``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from dprkwatch.settings import Settings
from tests.conftest import FIXTURES, SHARED_DATA
from tests.service.factory import import_lists, live_service

ADMIN_KEY = "compat-suite-admin-key-of-32-or-more-characters"
ZALA_FILE = "ftm_samples/yente_fixture_zala_entities.ftm.json"
F = TypeVar("F", bound=Callable[..., Any])


def mirrors(*names: str) -> Callable[[F], F]:
    """Mark a test as checking the behaviour of yente's tests ``file.py::test_name``."""

    def mark(fn: F) -> F:
        fn.__yente_tests__ = names  # type: ignore[attr-defined]
        return fn

    return mark


@dataclass(frozen=True)
class Profile:
    """The fixture in use and the values yente's tests use on it."""

    dataset: str
    person: str  # the sanctioned man at the centre of the cluster
    referent: str  # one of his referent ids
    query_name: str
    many_names: tuple[str, ...]
    search: str  # a two-word search that finds him
    prefix: str  # a suggest prefix that finds him
    caption_word: str  # a word of the name the suggest answer shows
    fuzzy_name: str  # his name with typos
    no_spaces: str  # his name without spaces
    real: bool


ZALA = Profile(
    dataset="zala",
    person="NK-aU5ybkbRFJucf8YMwsJvDw",
    referent="ofac-45937",
    query_name="Alexander Vyacheslavovich ZAKHAROV",
    many_names=(
        "Alexander Vyacheslavovich ZAKHAROV",
        "Aleksandr Vyacheslavovich Zakharov",
        "Александр Вячеславович Захаров",
        "Александр ЗАХАРОВ",
        "Захаров Александр Вячеславович",
        "Zakharov Aleksandr Vyacheslavovich",
        "Aleksandr Vjačeslavovič Zacharov",
    ),
    search="alexander zakharov",
    prefix="alexander zak",
    caption_word="zakharov",
    fuzzy_name="Aiexandvr Zakharom",
    no_spaces="alexandervyacheslavovichzakharov",
    real=True,
)
SOKOL = Profile(
    dataset="sokol",
    person="NK-sokolov-igor",
    referent="ofac-99001",
    query_name="Igor Matveyevich SOKOLOV",
    many_names=(
        "Igor Matveyevich SOKOLOV",
        "Igor Matveevich Sokolov",
        "Игорь Матвеевич Соколов",
        "Соколов Игорь Матвеевич",
        "Sokolov Igor Matveyevich",
        "Igor Matvejevič Sokolov",
    ),
    search="igor sokolov",
    prefix="igor sok",
    caption_word="sokolov",
    fuzzy_name="Igpr Sokolpv",
    no_spaces="igormatveyevichsokolov",
    real=False,
)


@dataclass
class Compat:
    """A live service over one fixture, an admin client and the fixture's values."""

    client: httpx.Client
    profile: Profile
    base_url: str

    @property
    def p(self) -> Profile:
        return self.profile

    def person_query(self, **extra: Any) -> dict[str, Any]:
        props: dict[str, Any] = {
            "name": [self.p.query_name],
            "birthDate": ["1965"],
            "country": "Russia",
        }
        props.update(extra)
        return {"schema": "Person", "properties": props}


def _zala_source(tmp: Path) -> tuple[Path, Profile]:
    """The fixture file in a folder named after its dataset (linked, never copied)."""
    folder = tmp / "sources"
    if SHARED_DATA is not None and (SHARED_DATA / ZALA_FILE).is_file():
        (folder / "zala").mkdir(parents=True)
        link = folder / "zala" / "entities.ftm.json"
        link.symlink_to(SHARED_DATA / ZALA_FILE)
        return link, ZALA
    return FIXTURES / "compat" / "sokol" / "entities.ftm.json", SOKOL


def _serve(tmp: Path, *sources: Path) -> Iterator[str]:
    cfg = Settings(
        home=tmp / "home",
        database_url=f"sqlite:///{tmp / 'service.sqlite3'}",
        admin_key=ADMIN_KEY,
        key_ttl=0,
    )
    import_lists(cfg.home, *sources)
    with live_service(cfg, warm_algorithms=True) as svc:
        yield svc.base_url


@pytest.fixture(scope="package")
def compat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Compat]:
    """yente's Zala fixture (or the hand-written stand-in) behind a live service.

    Package-scoped: the servers stop when the suite ends, so later test
    packages (some count the process's threads) never see their threads.
    """
    tmp = tmp_path_factory.mktemp("compat")
    source, profile = _zala_source(tmp)
    for base_url in _serve(tmp, source):
        headers = {"Authorization": f"ApiKey {ADMIN_KEY}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=300) as client:
            yield Compat(client, profile, base_url)


@pytest.fixture(scope="package")
def donations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """The hand-written donations fixture (the shape of yente's parteispenden) served."""
    tmp = tmp_path_factory.mktemp("donations")
    for base_url in _serve(tmp, FIXTURES / "compat" / "donations" / "entities.ftm.json"):
        headers = {"Authorization": f"ApiKey {ADMIN_KEY}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=300) as client:
            yield client
