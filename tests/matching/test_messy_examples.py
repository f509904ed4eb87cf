"""The messy queries that once found nothing, screened as a user would.

Each name below was tried with ``dprkwatch screen`` against OFAC, UN, EU and
UK and came back with no candidates or the wrong entity: keying errors in a
rare word, a word split or joined, an OCR-like slip, and South Korean
spellings of DPRK surnames. Every one must now put the right listed entity
first, as a match, through the command line with all four real lists
loaded (skipped without the shared data folder).
"""

from __future__ import annotations

import json
import re

import pytest

from dprkwatch.lists import SnapshotStore, import_paths
from tests.conftest import SHARED_DATA
from tests.factory import run_cli

pytestmark = pytest.mark.shared_data

LIST_FILES = (
    "ofac/sdn_2024-05-03/sdn.csv",
    "un/un_consolidated_2026-02-27.xml",
    "eu/eu_fsf_ammitto_2026-05-01.yaml",
    "uk/uk_ofsi_conlist_ammitto_2026-08-22.yaml",
)

# query -> the words of the listed name it must find (in any order; the
# lists write some names surname-first with a comma, some given names first)
EXAMPLES = {
    # typos, splits and joins
    "KORYOO BANK": "koryo bank",
    "KO RYO BANK": "koryo bank",
    "KOREA NAMGZANG TRADING CORPORATION": "korea namgang trading",
    "MYOYHANG SHIPPING CO": "myohyang shipping",
    "RI Thaecol": "ri thae chol",
    "KIM Munchlo": "kim mun chol",
    "SIN Yongiil": "sin yong il",
    "CHILDSONG TRADING CORPORATION": "chilsong trading",
    # South Korean spellings of DPRK surnames
    "Choy Eun Jung": "choe un jong",
    "Rhie Yeong Moo": "ri yong mu",
    "Yee Man Gun": "ri man gon",
    "Whang Gil Soo": "hwang kil su",
    "Joe Yon Chon": "cho yon chun",
    # the web form's example, with any type
    "Koryo Bank": "koryo bank",
}


def words(name: str) -> set[str]:
    return set(re.findall(r"[a-z]+", name.casefold()))


@pytest.fixture(scope="module")
def four_lists(tmp_path_factory: pytest.TempPathFactory) -> str:
    if SHARED_DATA is None:
        pytest.skip("real data folder not present")
    store = SnapshotStore(tmp_path_factory.mktemp("four-lists"))
    for name in LIST_FILES:
        import_paths(store, [SHARED_DATA / name])
    assert len(store.active_versions()) == 4
    return str(store.home)


@pytest.mark.parametrize("query", sorted(EXAMPLES))
def test_example_finds_the_listed_entity_first(
    capsys: pytest.CaptureFixture[str], four_lists: str, query: str
) -> None:
    res = run_cli(capsys, "--data-dir", four_lists, "screen", query, "--json", "--top", "3")
    assert res.code == 0, res.err
    results = json.loads(res.out)
    assert results, f"{query!r}: no candidates"
    top = results[0]
    expected = words(EXAMPLES[query])
    assert expected <= words(top["caption"]), f"{query!r} found {top['caption']!r}"
    assert top["match"] is True, f"{query!r}: {top['caption']!r} scored {top['score']}"
