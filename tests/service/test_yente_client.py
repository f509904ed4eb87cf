"""OpenSanctions' own client library, pointed at our service, works unchanged.

``yente-client`` is a development dependency, imported outright: were it
missing, this file must fail rather than skip and leave the promise untested.
"""

from __future__ import annotations

import pytest
from yente_client import Client, Company, Person, Vessel
from yente_client.exceptions import AuthenticationError, BadRequestError, NotFoundError

from tests.service.factory import LiveService


@pytest.fixture
def client(sqlite_service: LiveService) -> Client:
    key = sqlite_service.key("screen", name="yente-client")
    return Client(api_key=key, base_url=sqlite_service.base_url, app_name="dprkwatch-tests")


def test_match_person(client: Client) -> None:
    with client:
        result = client.match(
            Person(name="Ryang Chol Min", birthDate="1971-04-12", nationality="kp"),
            datasets=["dprk"],
        )
    assert result.top is not None
    assert result.top.id == "ofac-5001"
    assert result.top.match and result.top.score >= 0.9
    assert result.top.schema_ == "Person"
    assert result.top.datasets == ["us_ofac_sdn"]
    assert result.top.contributing_explanations
    assert result.query["schema"] == "Person"
    assert result.total.value == len(result.results)


def test_match_vessel_by_imo_and_company(client: Client) -> None:
    with client:
        vessel = client.match(Vessel(name="Unknown Name", imoNumber="9234567"), datasets=["ofac"])
        company = client.match(Company(name="Koryo Example Trading Corp"), datasets=["un"], limit=3)
    assert vessel.top is not None and vessel.top.id == "ofac-5003"
    assert company.top is not None and company.top.id == "un-KPe.901"
    assert company.limit == 3


def test_search_fetch_catalog_and_probes(client: Client) -> None:
    with client:
        found = client.search("Paek Song Chol", datasets=["un"])
        entity = client.fetch(found.results[0].id)
        catalog = client.datasets()
        assert client.healthz().status == "ok"
        assert client.readyz().status == "ok"
    assert found.results[0].id == "un-KPi.901"
    assert entity.caption and entity.properties["name"]
    assert {"us_ofac_sdn", "un_sc_sanctions", "ofac", "dprk", "default"} <= {
        d.name for d in catalog.datasets
    }
    assert "dprk" in catalog.current


def test_client_errors_map_to_its_exceptions(sqlite_service: LiveService, client: Client) -> None:
    with client:
        with pytest.raises(NotFoundError, match="unknown dataset"):
            client.match(Person(name="Kim"), datasets=["nowhere"])
        with pytest.raises(BadRequestError, match="Invalid algorithm"):
            client.match(Person(name="Kim"), algorithm="logic-v9")
        with pytest.raises(NotFoundError):
            client.fetch("no-such-entity")
    with (
        Client(api_key="wrong", base_url=sqlite_service.base_url) as bad,
        pytest.raises(AuthenticationError),
    ):
        bad.match(Person(name="Kim"))
