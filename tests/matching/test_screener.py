"""The public screening API against two small hand-written lists."""

from __future__ import annotations

import pytest

from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Match, Query, Scope, Screener, calibration
from dprkwatch.matching.exceptions import UnknownAlgorithm


def best(
    screener: Screener, schema: str, scope: Scope | None = None, **props: str | list[str]
) -> Match:
    results = screener.screen(Query(schema, dict(props)), scope=scope)
    assert results, f"no result for {props}"
    return results[0]


def test_store_versions_and_algorithm(screener: Screener, sample_store: SnapshotStore) -> None:
    assert screener.versions == sample_store.active_versions()
    assert set(screener.versions) == {"ftm_us_sample", "ftm_eu_sample"}
    assert screener.algorithm == "dprkwatch-match-v2"
    # The shipped calibration's threshold (benchmarks/calibrate.py chooses it).
    shipped = calibration.load()
    assert shipped is not None and screener.threshold == shipped.threshold
    assert 0.0 < screener.threshold < 1.0
    # 12 US subjects (the wallet has a holder, so it is not a subject) + 5 EU.
    assert len(screener) == 17


def test_unknown_algorithm_is_a_clean_error(sample_store: SnapshotStore) -> None:
    with pytest.raises(UnknownAlgorithm, match="dprkwatch-match-v0"):
        Screener.from_store(sample_store, algorithm="dprkwatch-match-v0")


@pytest.mark.parametrize(
    "name",
    [
        "Ri Su Yong",
        "Ri Su-yong",
        "Lee Soo-yong",
        "Yi Su Yong",
        "Rhee Su Yong",
        "리수용",
        "Su-yong Ri",
        "RI, Su Yong",
    ],
)
def test_korean_spellings_of_one_person_meet(screener: Screener, name: str) -> None:
    m = best(screener, "Person", scope=Scope(lists=["ftm_us_sample"]), name=name)
    assert m.entity_id == "us-1002"
    assert m.match
    assert m.features.get("name.korean", 0) >= 0.95


def test_hangul_query_explains_its_reading(screener: Screener) -> None:
    m = best(screener, "Person", scope=Scope(lists=["ftm_us_sample"]), name="리수용")
    assert any("Hangul 리수용 read as RI SU YONG" in r for r in m.explanation)


def test_hanja_name_is_read_in_korean(screener: Screener) -> None:
    m = best(screener, "Person", name="金正恩")
    assert m.entity_id == "us-1001"
    assert m.match
    assert any("hanja 金正恩 read as Korean KIM JONG UN" in r for r in m.explanation)


@pytest.mark.parametrize(
    "name", ["Kim Jong Un", "Kim Jong-un", "Kim Jongun", "Jong Un Kim", "김정은", "Kim Jeong Eun"]
)
def test_kim_jong_un_variants(screener: Screener, name: str) -> None:
    m = best(screener, "Person", name=name)
    assert (m.entity_id, m.match) == ("us-1001", True)


def test_different_given_name_is_not_a_match(screener: Screener) -> None:
    results = screener.screen(Query("Person", {"name": ["Kim Jong Sik"]}))
    assert not any(m.match for m in results)


def test_birth_year_qualifier_moves_the_score_and_says_so(screener: Screener) -> None:
    scope = Scope(lists=["ftm_us_sample"])
    plain = best(screener, "Person", scope=scope, name="Choe Ryong Hae")
    agree = best(screener, "Person", scope=scope, name="Choe Ryong Hae", birthDate="1950")
    disagree = screener.screen(
        Query("Person", {"name": ["Choe Ryong Hae"], "birthDate": ["1990"]}), scope=scope
    )
    assert agree.score >= plain.score
    assert "birth year 1950 agrees" in agree.explanation
    assert disagree and disagree[0].score < plain.score
    assert any("disagrees" in r for r in disagree[0].explanation)
    assert disagree[0].features["birth_date"] < 0


def test_company_korea_variants_and_acronym(screener: Screener) -> None:
    for name in (
        "Joseon Gwangseon Bank",
        "Chosun Kwangson Banking Corporation",
        "KKBC",
        "DPRK Kwangson Bank",
    ):
        m = best(screener, "Organization", name=name)
        assert (m.entity_id, m.match) == ("us-1005", True), name


def test_vessel_respacing_and_imo(screener: Screener) -> None:
    for name in ("Chonmasan", "Cheonmasan", "chon ma san", "M/V CHON MA SAN"):
        m = best(screener, "Vessel", name=name)
        assert (m.entity_id, m.match) == ("us-1007", True), name
    m = best(screener, "Vessel", imoNumber="IMO 8660313")
    assert m.entity_id == "us-1007" and m.match
    assert "IMO 8660313 identical" in m.explanation
    assert m.features["id.imo"] == 1.0


def test_vessel_number_must_agree(screener: Screener) -> None:
    ok = best(screener, "Vessel", name="KUM UN SAN 3")
    assert ok.match
    wrong = screener.screen(Query("Vessel", {"name": ["KUM UN SAN 2"]}))
    assert not wrong or wrong[0].score < ok.score


def test_conflicting_imo_lowers_a_name_match(screener: Screener) -> None:
    plain = best(screener, "Vessel", name="CHON MA SAN")
    other = best(screener, "Vessel", name="CHON MA SAN", imoNumber="9000000")
    assert other.score < plain.score
    assert other.features["id.imo_conflict"] < 0


def test_wallet_lookup_normalises_evm_case(screener: Screener) -> None:
    m = best(screener, "CryptoWallet", publicKey="0x098b716b8aaf21512996dc57eb0615e2383e2f96")
    assert m.entity_id == "us-1009"
    assert m.match
    assert m.features["id.wallet"] == 1.0


def test_passport_number_is_strong_evidence(screener: Screener) -> None:
    m = best(screener, "Person", name="Park Bong-ju", passportNumber="PS472330208")
    assert m.entity_id == "us-1004"
    assert m.score >= 0.95


def test_non_korean_scripts(screener: Screener) -> None:
    m = best(screener, "Person", name="Владимир Путин")
    assert (m.entity_id, m.match) == ("us-1010", True)
    m = best(screener, "Person", name="Ayman al Zawahiri")
    assert (m.entity_id, m.match) == ("us-1011", True)


def test_scope_filters(screener: Screener) -> None:
    q = Query("Person", {"name": ["Ri Su Yong"]})
    everywhere = {m.entity_id for m in screener.screen(q) if m.match}
    assert everywhere == {"us-1002", "eu-13"}
    assert {m.entity_id for m in screener.screen(q, scope=Scope(lists=["ftm_eu_sample"]))} == {
        "eu-13"
    }
    assert {m.entity_id for m in screener.screen(q, scope=Scope(programs=["dprk2"]))} == {"us-1002"}
    q2 = Query("Person", {"name": ["Vladimir Putin"]})
    assert screener.screen(q2, scope=Scope(dprk_only=True)) == []
    assert screener.screen(q2)[0].dprk is False


def test_threshold_override_and_top(screener: Screener) -> None:
    q = Query("Person", {"name": ["Ri Su Yong"]}, id="row-7")
    strict = screener.screen(q, top=1, threshold=1.0)
    assert len(strict) == 1 and strict[0].query_id == "row-7"
    assert strict[0].match == (strict[0].score >= 1.0)


def test_get_and_search(screener: Screener) -> None:
    entity = screener.get("us-1007")
    assert entity is not None and entity["properties"]["name"] == ["CHON MA SAN"]
    assert screener.get("nope") is None
    hits = screener.search("kwangson", limit=3)
    assert hits and hits[0].entity_id == "us-1005"


def test_compare_one_entity(screener: Screener) -> None:
    entity = screener.get("eu-13")
    assert entity is not None
    m = screener.compare(Query("Person", {"name": ["Lee Soo-yong"]}), entity)
    assert m.match and m.entity_id == "eu-13"


def test_spacing_inside_hangul_company_names_is_ignored() -> None:
    """An EU alias breaks 무역 (trading) with a space: 조선남강무 역회사. The
    words are found again in the unspaced name, so it meets the romanized
    OFAC entry; a person's name is not joined."""
    from dprkwatch.matching.analysis import analyze_name

    listed = {
        "id": "ofac-27383",
        "schema": "Organization",
        "properties": {"name": ["KOREA NAMGANG TRADING CORPORATION"], "country": ["kp"]},
    }
    screener = Screener.from_entities([listed], "ofac")
    for name in ("조선남강무 역회사", "조선 남강 무역 회사", "조선남강무역회사"):
        m = best(screener, "Organization", name=name)
        assert (m.entity_id, m.match) == ("ofac-27383", True), name
    spaced = {form.tokens for form in analyze_name("조선남강무 역회사", "org")}
    assert analyze_name("조선남강무역회사", "org")[0].tokens in spaced
    assert len(analyze_name("정숙 박", "person")) == 1, "person names keep their spacing"
