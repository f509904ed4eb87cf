"""yente's ``tests/test_search.py``, checked against dprkwatch's ``/search``."""

from __future__ import annotations

from typing import Any

import httpx

from tests.compat.conftest import Compat, mirrors
from tests.compat.shapes import assert_entity


def _get(c: Compat, **params: Any) -> httpx.Response:
    return c.client.get(f"/search/{c.p.dataset}", params=params)


def _ok(c: Compat, **params: Any) -> dict[str, Any]:
    r = _get(c, **params)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def _total(c: Compat, **params: Any) -> int:
    return int(_ok(c, **params)["total"]["value"])


@mirrors("test_search.py::test_search_zakharov")
def test_search_finds_the_person(compat: Compat) -> None:
    results = _ok(compat, q=compat.p.search)["results"]
    top = results[0]
    assert_entity(top)
    assert top["id"] == compat.p.person
    assert top["first_seen"] is not None and top["last_seen"] is not None
    assert "sanctions" not in top["datasets"] and "default" not in top["datasets"]


@mirrors("test_search.py::test_search_no_query")
def test_search_without_a_query_lists_entities(compat: Compat) -> None:
    assert len(_ok(compat)["results"]) > 9


@mirrors("test_search.py::test_search_invalid_query")
def test_malformed_syntax_is_400_unless_simple(compat: Compat) -> None:
    assert _get(compat, q="invalid/query").status_code == 400
    assert _get(compat, q="invalid/query", simple="true").status_code == 200


@mirrors("test_search.py::test_search_missing_dataset")
def test_unknown_dataset_is_404(compat: Compat) -> None:
    assert compat.client.get("/search/banana").status_code == 404


@mirrors("test_search.py::test_search_filter_schema_invalid")
def test_unknown_schema_is_400(compat: Compat) -> None:
    assert _get(compat, q="angela merkel", schema="Banana").status_code == 400


@mirrors(
    "test_search.py::test_search_filter_schema_remove",
    "test_search.py::test_search_filter_schema_keep",
)
def test_schema_filter(compat: Compat) -> None:
    assert _ok(compat, q="angela merkel", schema="Vessel")["results"] == []
    assert _ok(compat, q=compat.p.search, schema="Person")["results"]


@mirrors("test_search.py::test_search_filter_exclude_schema")
def test_exclude_schema(compat: Compat) -> None:
    total = _total(compat, q="moscow")
    assert total > 5
    assert _total(compat, q="moscow", exclude_schema="Address") < total


@mirrors("test_search.py::test_search_filter_exclude_dataset")
def test_exclude_dataset(compat: Compat) -> None:
    assert _total(compat, q=compat.p.search) > 0
    assert _total(compat, q=compat.p.search, exclude_dataset=compat.p.dataset) == 0


@mirrors("test_search.py::test_search_filter_include_dataset")
def test_include_dataset(compat: Compat) -> None:
    ds = compat.p.dataset
    assert _total(compat, q=compat.p.search, include_dataset="mx_senators") == 0
    assert _total(compat, q=compat.p.search, include_dataset=ds) > 0
    assert _total(compat, q=compat.p.search, include_dataset=ds, exclude_dataset=ds) == 0


@mirrors("test_search.py::test_search_filter_changed_since")
def test_changed_since(compat: Compat) -> None:
    assert _total(compat, q=compat.p.search, changed_since="2099-01-01T00:00") == 0
    assert _total(compat, q=compat.p.search, changed_since="2000-01-01") > 0


@mirrors(
    "test_search.py::test_search_filter_countries_remove",
    "test_search.py::test_search_filter_countries_operator",
)
def test_countries_filter_and_operator(compat: Compat) -> None:
    q = compat.p.search
    assert _ok(compat, q=q, countries="ru")["results"]
    assert _ok(compat, q=q, countries="ke")["results"] == []
    assert _ok(compat, q=q, countries=["ke", "ru"])["results"]
    assert _ok(compat, q=q, countries=["ke", "ru"], filter_op="AND")["results"] == []


@mirrors("test_search.py::test_search_filter")
def test_field_filter(compat: Compat) -> None:
    assert (
        _ok(compat, q=compat.p.search, filter="properties.birthDate:1972-01-26§")["results"] == []
    )
    assert _get(compat, filter="nocolon").status_code == 400


@mirrors(
    "test_search.py::test_search_facet_datasets_default",
    "test_search.py::test_search_facet_datasets_spenden",
)
def test_dataset_facet(compat: Compat, donations: httpx.Client) -> None:
    names = [v["name"] for v in _ok(compat)["facets"]["datasets"]["values"]]
    assert compat.p.dataset in names and "donations" not in names
    other = donations.get("/search/donations").json()["facets"]["datasets"]["values"]
    assert [v["name"] for v in other] == ["donations"]


@mirrors("test_search.py::test_search_facet_countries")
def test_countries_facet(compat: Compat) -> None:
    facet = _ok(compat, q=compat.p.search, countries="ru")["facets"]["countries"]
    names = [v["name"] for v in facet["values"]]
    assert "ru" in names and "ke" not in names and "lb" not in names
    assert {v["name"]: v["label"] for v in facet["values"]}["ru"] == "Russia"


@mirrors("test_search.py::test_search_facet_topics")
def test_topics_facet(compat: Compat) -> None:
    assert _total(compat, topics="sanction") > 0
    assert "sanction" in [v["name"] for v in _ok(compat)["facets"]["topics"]["values"]]


@mirrors("test_search.py::test_search_facet_schema")
def test_schema_facet(compat: Compat) -> None:
    assert _total(compat, schema="Address") > 0
    values = _ok(compat, facets="schema")["facets"]["schema"]["values"]
    assert "Address" in [v["name"] for v in values]


@mirrors("test_search.py::test_search_facet_parameter")
def test_facets_parameter(compat: Compat) -> None:
    assert set(_ok(compat)["facets"]) == {"countries", "topics", "datasets"}
    assert set(_ok(compat, facets=["schema", "topics"])["facets"]) == {"schema", "topics"}


@mirrors("test_search.py::test_search_no_targets")
def test_child_schemata_and_target(compat: Compat) -> None:
    assert _ok(compat, schema="LegalEntity", target="true")["results"]
    assert _ok(compat, schema="LegalEntity", target="false")["results"]


@mirrors("test_search.py::test_search_sorted")
def test_sort(compat: Compat) -> None:
    results = _ok(compat, sort="first_seen:desc", limit=50)["results"]
    seen = [r["first_seen"] for r in results]
    assert seen == sorted(seen, reverse=True)


@mirrors("test_search.py::test_search_zakharov_scope")
def test_dataset_scope(compat: Compat, donations: httpx.Client) -> None:
    assert compat.p.person in [r["id"] for r in _ok(compat, q=compat.p.search)["results"]]
    assert donations.get("/search/donations", params={"q": compat.p.search}).json()["results"] == []


@mirrors("test_search.py::test_search_limit", "test_search.py::test_search_offset")
def test_limit_and_offset(compat: Compat) -> None:
    assert _ok(compat, q=compat.p.search, limit=0)["results"] == []
    data = _ok(compat, q=compat.p.search, offset=100)
    assert data["results"] == [] and data["offset"] == 100


@mirrors("test_search.py::test_search_range_offset", "test_search.py::test_search_range_limit")
def test_limit_and_offset_ranges(compat: Compat) -> None:
    assert (
        compat.client.get("/search/default", params={"offset": 9999, "q": "putin"}).status_code
        == 422
    )
    assert _get(compat, limit=10000, q="zakharov").status_code == 422
    data = _ok(compat, limit=500, q="zakharov")
    assert data["limit"] == 500 and data["offset"] == 0


def test_ranking_is_stable_under_limit_and_totals_are_true(compat: Compat) -> None:
    full = _ok(compat, limit=500)
    ids = [r["id"] for r in full["results"]]
    assert full["total"]["value"] == len(ids)
    for limit in (1, 3, 7):
        page = _ok(compat, limit=limit)
        assert [r["id"] for r in page["results"]] == ids[:limit]
        assert page["total"]["value"] == len(ids)
