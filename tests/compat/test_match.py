"""yente's ``tests/test_match.py``, checked against dprkwatch's ``/match``."""

from __future__ import annotations

from typing import Any
from unittest import mock

from tests.compat.conftest import Compat, mirrors
from tests.compat.shapes import assert_entity


def _match(c: Compat, queries: dict[str, Any], **params: Any) -> Any:
    body = {"queries": queries}
    return c.client.post(f"/match/{c.p.dataset}", json=body, params=params)


def _results(c: Compat, query: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    r = _match(c, {"q": query}, **params)
    assert r.status_code == 200, r.text
    return list(r.json()["responses"]["q"]["results"])


@mirrors("test_match.py::test_match_zakharov")
def test_match_finds_the_person_in_every_query_of_a_batch(compat: Compat) -> None:
    q = compat.person_query()
    r = _match(compat, {"vv": q, "xx": q, "zz": q})
    assert r.status_code == 200, r.text
    assert set(r.json()["responses"]) == {"vv", "xx", "zz"}
    res = r.json()["responses"]["vv"]
    assert res["query"]["schema"] == "Person"
    assert res["query"]["properties"]["country"][0] == "ru"  # "Russia", cleaned as yente does
    assert res["total"]["value"] > 0
    assert res["results"][0]["id"] == compat.p.person
    assert_entity(res["results"][0])


@mirrors("test_match.py::test_match_zakharov_name_based_mode")
def test_algorithm_by_yente_name_and_unknown_algorithm(compat: Compat) -> None:
    q = {"vv": compat.person_query()}
    bad = _match(compat, q, algorithm="neural-net")
    assert bad.status_code == 400 and "Invalid algorithm" in bad.json()["detail"]
    r = _match(compat, q, algorithm="name-based")
    assert r.status_code == 200, r.text
    res = r.json()["responses"]["vv"]
    assert r.json()["algorithm"] == "name-based"
    assert res["query"]["properties"]["country"][0] == "ru"
    assert res["total"]["value"] > 0
    top = res["results"][0]
    assert top["id"] == compat.p.person and top["score"] > 0.70
    assert_entity(top)


@mirrors("test_match.py::test_match_no_schema")
def test_a_query_without_schema_is_422_and_an_unknown_schema_fails_the_batch(
    compat: Compat,
) -> None:
    r = _match(compat, {"fail": {"properties": {"name": "Banana"}}})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, list) and {"loc", "msg", "type"} <= detail[0].keys()
    r = _match(
        compat,
        {
            "fail": {"schema": "xxx", "properties": {"name": "Banana"}},
            "ok1": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}},
            "ok2": {"schema": "Person", "properties": {"name": ["John Doe"]}},
        },
    )
    assert r.status_code == 400 and "unknown schema 'xxx'" in r.json()["detail"]


@mirrors("test_match.py::test_match_many_names_logic_v1", "test_match.py::test_match_many_names")
def test_many_names_match_with_each_algorithm_and_fuzzy_is_accepted(compat: Compat) -> None:
    q = {"schema": "Person", "properties": {"name": list(compat.p.many_names)}}
    for algorithm in ("logic-v1", "best"):
        results = _results(compat, q, algorithm=algorithm)
        assert results, algorithm
        again = _results(compat, q, algorithm=algorithm, fuzzy="false")
        assert len(again) == len(results)


@mirrors("test_match.py::test_match_exclude_dataset")
def test_excluding_the_dataset_leaves_nothing(compat: Compat) -> None:
    q = compat.person_query()
    assert _results(compat, q, algorithm="name-based", exclude_dataset=compat.p.dataset) == []


@mirrors("test_match.py::test_match_include_dataset")
def test_include_dataset_with_unknown_names_filters_and_exclude_wins(compat: Compat) -> None:
    q = compat.person_query()
    ds = compat.p.dataset
    none = _results(
        compat, q, algorithm="name-based", include_dataset=["ae_local_terrorists", "mx_governors"]
    )
    assert none == []
    some = _results(compat, q, algorithm="name-based", include_dataset=[ds, "ae_local_terrorists"])
    assert some
    both = _results(
        compat,
        q,
        algorithm="name-based",
        include_dataset=[ds, "mx_governors", "ae_local_terrorists"],
        exclude_dataset=ds,
    )
    assert both == []


@mirrors("test_match.py::test_match_logic_v2_with_algorithm_config")
def test_config_reaches_logic_v2_and_unknown_config_is_400(compat: Compat) -> None:
    from nomenklatura.matching.logic_v2.model import LogicV2
    from nomenklatura.matching.types import MatchingResult

    body = {"vv": compat.person_query()}
    seen: list[Any] = []

    def spy(query: Any, result: Any, config: Any) -> Any:
        seen.append(config)
        return MatchingResult(score=0.8, explanations={})

    # The service runs in this process: the spy sees what the algorithm is given.
    with mock.patch.object(LogicV2, "compare", side_effect=spy):
        r = compat.client.post(
            f"/match/{compat.p.dataset}",
            json={"queries": body, "config": {"nm_number_mismatch": 0.4}},
            params={"algorithm": "logic-v2"},
        )
    assert r.status_code == 200, r.text
    assert seen and all(c.config.get("nm_number_mismatch") == 0.4 for c in seen)
    assert r.json()["responses"]["vv"]["results"][0]["score"] == 0.8
    bad = compat.client.post(
        f"/match/{compat.p.dataset}",
        json={"queries": body, "config": {"invalid_option": 0.4}},
        params={"algorithm": "logic-v2"},
    )
    assert bad.status_code == 400 and "invalid_option" in bad.json()["detail"]


@mirrors("test_match.py::test_filter_topic")
def test_topics_filter_results(compat: Compat) -> None:
    q = compat.person_query()
    assert _results(compat, q, algorithm="name-based", topics="crime.cyber") == []
    assert _results(compat, q, algorithm="name-based", topics="sanction")


@mirrors("test_match.py::test_id_pass_through")
def test_the_query_id_is_echoed(compat: Compat) -> None:
    q = {"schema": "Person", "properties": {"name": list(compat.p.many_names)}, "id": "zakharov"}
    r = _match(compat, {"no1": q})
    assert r.status_code == 200, r.text
    echoed = r.json()["responses"]["no1"]["query"]
    assert echoed["schema"] == "Person" and echoed["id"] == "zakharov"


@mirrors("test_match.py::test_match_name_without_spaces")
def test_a_name_written_without_spaces_is_found(compat: Compat) -> None:
    q = {"schema": "Person", "properties": {"name": [compat.p.no_spaces, "foo bar"]}}
    results = _results(compat, q)
    assert results and results[0]["id"] == compat.p.person


@mirrors("test_match.py::test_fuzzy_names")
def test_a_name_with_typos_is_found(compat: Compat) -> None:
    q = {"schema": "Person", "properties": {"name": compat.p.fuzzy_name}}
    results = _results(compat, q, algorithm="logic-v2", threshold=0.2)
    assert results and results[0]["id"] == compat.p.person


@mirrors("test_match.py::test_match_numeric_property_value")
def test_numbers_are_values_too(compat: Compat) -> None:
    q = {"schema": "Person", "properties": {"name": [compat.p.query_name], "birthDate": [1965]}}
    r = _match(compat, {"q": q})
    assert r.status_code == 200, r.text
    assert "1965" in r.json()["responses"]["q"]["query"]["properties"]["birthDate"]


@mirrors("test_match.py::test_exclude_entity_ids")
def test_exclude_entity_ids_by_id_or_referent(compat: Compat) -> None:
    q = compat.person_query()
    assert _results(compat, q)[0]["id"] == compat.p.person
    assert compat.p.person not in {
        x["id"] for x in _results(compat, q, exclude_entity_ids=[compat.p.person])
    }
    assert compat.p.person not in {
        x["id"] for x in _results(compat, q, exclude_entity_ids=[compat.p.referent])
    }
