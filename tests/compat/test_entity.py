"""yente's ``tests/test_entity.py``, checked against dprkwatch's ``/entities``.

The nesting and adjacency tests run on the hand-written donations fixture
(a donor, her two addresses, two payments to parties), shaped like yente's
party-donations fixture, which the shared data does not hold.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.compat.conftest import Compat, mirrors
from tests.compat.shapes import assert_entity

ROOT = "donor-erika-beispiel"
FIRST_ADDRESS, SECOND_ADDRESS = "addr-donor-2", "addr-donor-1"
FIRST_PAYMENT, SECOND_PAYMENT = "pay-1", "pay-2"


def by_id(items: list[Any], entity_id: str) -> dict[str, Any]:
    found = [x for x in items if isinstance(x, dict) and x["id"] == entity_id]
    assert len(found) == 1, (entity_id, items)
    return found[0]


@mirrors("test_entity.py::test_entity_404")
def test_unknown_entity_is_404(compat: Compat) -> None:
    assert compat.client.get("/entities/banana").status_code == 404


@mirrors("test_entity.py::test_entity_fetch")
def test_entity_with_its_sanctions_nested(compat: Compat) -> None:
    r = compat.client.get(f"/entities/{compat.p.person}")
    assert r.status_code == 200, r.text
    data = r.json()
    assert_entity(data)
    assert data["id"] == compat.p.person and data["schema"] == "Person"
    assert compat.p.dataset in data["datasets"]
    assert len(data["referents"]) > 5
    assert isinstance(data["properties"]["birthDate"][0], str)
    sanction = data["properties"]["sanctions"][0]
    assert isinstance(sanction, dict) and sanction["schema"] == "Sanction"
    assert_entity(sanction)


def test_a_referent_id_redirects_to_its_entity(compat: Compat) -> None:
    r = compat.client.get(f"/entities/{compat.p.referent}", follow_redirects=False)
    assert r.status_code == 308
    assert r.headers["location"] == f"/entities/{compat.p.person}"
    adjacent = compat.client.get(f"/entities/{compat.p.referent}/adjacent", follow_redirects=False)
    assert adjacent.headers["location"] == f"/entities/{compat.p.person}/adjacent"


@mirrors("test_entity.py::test_entity_not_nested")
def test_not_nested(donations: httpx.Client) -> None:
    props = donations.get(f"/entities/{ROOT}", params={"nested": "false"}).json()["properties"]
    assert FIRST_ADDRESS in props["addressEntity"] and len(props["addressEntity"]) == 2
    assert "paymentPayer" not in props


@mirrors("test_entity.py::test_entity_nested")
def test_nested(donations: httpx.Client) -> None:
    props = donations.get(f"/entities/{ROOT}").json()["properties"]
    address = by_id(props["addressEntity"], FIRST_ADDRESS)
    assert address["schema"] == "Address" and "Musterweg" in address["properties"]["full"][0]
    assert len(props["addressEntity"]) == 2
    assert len(props["paymentPayer"]) == 2
    payment = by_id(props["paymentPayer"], FIRST_PAYMENT)
    assert payment["schema"] == "Payment"
    assert payment["properties"]["payer"] == [ROOT]  # points back, not nested again
    beneficiaries = payment["properties"]["beneficiary"]
    assert len(beneficiaries) == 2
    party = by_id(beneficiaries, "party-a")
    assert party["schema"] == "Organization" and party["properties"]["name"] == ["Partei A"]
    # Nested around an edge entity.
    data = donations.get(f"/entities/{FIRST_PAYMENT}").json()
    assert data["schema"] == "Payment"
    assert [p["id"] for p in data["properties"]["payer"]] == [ROOT]
    assert "party-a" in [b["id"] for b in data["properties"]["beneficiary"]]


@mirrors("test_entity.py::test_adjacent")
def test_adjacent(donations: httpx.Client) -> None:
    data = donations.get(f"/entities/{ROOT}/adjacent").json()
    assert data["entity"]["caption"] == "Frau Erika Beispiel"
    adjacent = data["adjacent"]
    addresses = adjacent["addressEntity"]
    assert by_id(addresses["results"], FIRST_ADDRESS)["schema"] == "Address"
    assert len(addresses["results"]) == 2 and addresses["total"]["value"] == 2
    assert addresses["limit"] == 10 and addresses["offset"] == 0
    payments = adjacent["paymentPayer"]
    assert len(payments["results"]) == 2 and payments["total"]["value"] == 2
    payment = by_id(payments["results"], FIRST_PAYMENT)
    assert payment["properties"]["payer"] == [ROOT]
    assert by_id(payment["properties"]["beneficiary"], "party-a")["properties"]["name"] == [
        "Partei A"
    ]
    # Around an edge entity: both ends are entities, and nothing beyond the first Thing.
    data = donations.get(f"/entities/{FIRST_PAYMENT}/adjacent").json()
    assert data["entity"]["schema"] == "Payment"
    payer = data["adjacent"]["payer"]["results"]
    assert [p["id"] for p in payer] == [ROOT]
    assert len(data["adjacent"]["beneficiary"]["results"]) == 2
    assert payer[0]["properties"].keys() == {"addressEntity", "country", "name"}
    assert all(isinstance(a, str) for a in payer[0]["properties"]["addressEntity"])


@mirrors("test_entity.py::test_adjacent_limit", "test_entity.py::test_adjacent_offset")
def test_adjacent_pages(donations: httpx.Client) -> None:
    first = donations.get(f"/entities/{ROOT}/adjacent", params={"limit": 1}).json()["adjacent"]
    assert [a["id"] for a in first["addressEntity"]["results"]] == [FIRST_ADDRESS]
    assert first["addressEntity"]["total"]["value"] == 2 and first["addressEntity"]["limit"] == 1
    payment = first["paymentPayer"]["results"][0]
    assert payment["id"] == FIRST_PAYMENT and first["paymentPayer"]["total"]["value"] == 2
    beneficiaries = payment["properties"]["beneficiary"]  # the far side is not paged
    assert len(beneficiaries) == 2 and all(b["schema"] == "Organization" for b in beneficiaries)
    assert by_id(beneficiaries, "fake-org")["properties"]["name"] == ["Fake"]
    edge = donations.get(f"/entities/{FIRST_PAYMENT}/adjacent", params={"limit": 1}).json()
    assert len(edge["adjacent"]["payer"]["results"]) == 1
    assert len(edge["adjacent"]["beneficiary"]["results"]) == 1
    second = donations.get(f"/entities/{ROOT}/adjacent", params={"limit": 1, "offset": 1}).json()[
        "adjacent"
    ]
    assert [a["id"] for a in second["addressEntity"]["results"]] == [SECOND_ADDRESS]
    assert second["addressEntity"]["offset"] == 1
    payment = second["paymentPayer"]["results"][0]
    assert payment["id"] == SECOND_PAYMENT
    assert [b["id"] for b in payment["properties"]["beneficiary"]] == ["party-a"]


@mirrors(
    "test_entity.py::test_adjacent_prop",
    "test_entity.py::test_adjacent_prop_limit",
    "test_entity.py::test_adjacent_prop_offset",
)
def test_adjacent_by_property(donations: httpx.Client) -> None:
    assert donations.get(f"/entities/{ROOT}/adjacent/address").status_code == 404
    data = donations.get(f"/entities/{ROOT}/adjacent/addressEntity").json()
    assert data["limit"] == 10 and data["offset"] == 0 and data["total"]["value"] == 2
    assert "Musterweg" in by_id(data["results"], FIRST_ADDRESS)["properties"]["full"][0]
    payments = donations.get(f"/entities/{ROOT}/adjacent/paymentPayer").json()
    assert payments["total"]["value"] == 2
    assert by_id(payments["results"], FIRST_PAYMENT)["properties"]["payer"] == [ROOT]
    one = donations.get(f"/entities/{ROOT}/adjacent/addressEntity", params={"limit": 1}).json()
    assert [a["id"] for a in one["results"]] == [FIRST_ADDRESS] and one["total"]["value"] == 2
    pay = donations.get(f"/entities/{ROOT}/adjacent/paymentPayer", params={"limit": 1}).json()
    assert len(pay["results"][0]["properties"]["beneficiary"]) == 2
    two = donations.get(
        f"/entities/{ROOT}/adjacent/addressEntity", params={"limit": 1, "offset": 1}
    ).json()
    assert [a["id"] for a in two["results"]] == [SECOND_ADDRESS] and two["offset"] == 1
    pay2 = donations.get(
        f"/entities/{ROOT}/adjacent/paymentPayer", params={"limit": 1, "offset": 1}
    ).json()
    assert pay2["results"][0]["id"] == SECOND_PAYMENT
    assert [b["id"] for b in pay2["results"][0]["properties"]["beneficiary"]] == ["party-a"]
