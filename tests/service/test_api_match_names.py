"""Hostile names over HTTP ``/match``: listed as unused with a one-line reason, or a clean answer.

The library's own checks are tested in ``tests/matching/test_bad_input.py``;
here the same names travel as a client sends them (JSON over real HTTP), so
a name that slips past validation into the screener would show up as a 500.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.service.factory import LiveService


def _query(name: str, schema: str = "Thing") -> dict[str, Any]:
    return {"queries": {"q1": {"schema": schema, "properties": {"name": [name]}}}}


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "needs a name or an identifier"),
        ("   ", "needs a name or an identifier"),
        ("\x00\x01\x1b", "needs a name or an identifier"),
        ("x" * 10_000, "value is too long"),
    ],
)
def test_unusable_names_are_listed_as_unused(
    sqlite_service: LiveService, name: str, fragment: str
) -> None:
    # yente's contract: a query that cannot be used does not fail the batch; it
    # answers with no results and says, per value, why the value was not used.
    r = sqlite_service.admin.post("/match/default", json=_query(name, "Person"))
    assert r.status_code == 200, r.text
    answer = r.json()["responses"]["q1"]
    assert answer["results"] == []
    reasons = [u["reason"] for u in answer["unused"] if u["property"] == "name"]
    assert reasons and any(fragment in reason for reason in reasons), answer["unused"]
    assert all("\n" not in reason for reason in reasons)


@pytest.mark.parametrize(
    "name",
    [
        "!!!...---",  # only punctuation
        "Kim 정은 Иван محمد 金 Ψ",  # mixed scripts
        "Ri\x00 Su\x07 Yong\x1b[31m",  # control characters inside
        "\u202eKIM\u202c",  # direction overrides
        "金" * 300,
        "a " * 400,
    ],
)
def test_odd_names_get_a_clean_answer(sqlite_service: LiveService, name: str) -> None:
    r = sqlite_service.admin.post("/match/default", json=_query(name))
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["responses"]["q1"]["results"], list)


def test_lone_surrogate_escape_is_a_400_not_a_500(sqlite_service: LiveService) -> None:
    body = b'{"queries": {"q1": {"schema": "Person", "properties": {"name": ["Kim\\udcffJong"]}}}}'
    r = sqlite_service.admin.post(
        "/match/default", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 400, r.text
    assert "\n" not in r.json()["detail"]


def test_control_characters_do_not_hide_a_listed_name(sqlite_service: LiveService) -> None:
    r = sqlite_service.admin.post("/match/default", json=_query("Ryang\x00 Chol\x07 Min", "Person"))
    results = r.json()["responses"]["q1"]["results"]
    assert results and results[0]["match"] is True, results
