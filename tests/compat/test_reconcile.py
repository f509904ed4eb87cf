"""yente's ``tests/test_reconcile.py``, and the flow OpenRefine drives, against dprkwatch."""

from __future__ import annotations

import json
import unicodedata
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from tests.compat.conftest import ADMIN_KEY, Compat, mirrors


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@mirrors("test_reconcile.py::test_reconcile_metadata")
def test_manifest(compat: Compat) -> None:
    r = compat.client.get(f"/reconcile/{compat.p.dataset}")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["versions"] == ["0.2"]
    assert data["identifierSpace"].endswith("/entities/")  # our ids, not OpenSanctions'
    assert len(data["defaultTypes"]) > 3
    assert "suggest" in data and "extend" in data


@mirrors("test_reconcile.py::test_reconcile_post_query")
def test_queries(compat: Compat) -> None:
    queries = {"mutti": {"query": compat.p.query_name}}
    r = compat.client.post(f"/reconcile/{compat.p.dataset}", data={"queries": json.dumps(queries)})
    assert r.status_code == 200, r.text
    assert r.json()["mutti"]["result"][0]["id"] == compat.p.person


@mirrors("test_reconcile.py::test_reconcile_post_extend")
def test_extend(compat: Compat) -> None:
    query = {"ids": [compat.p.person], "properties": [{"id": "name"}, {"id": "birthDate"}]}
    r = compat.client.post(f"/reconcile/{compat.p.dataset}", data={"extend": json.dumps(query)})
    assert r.status_code == 200, r.text
    data = r.json()
    assert len(data["meta"]) == 2 and data["meta"][0]["id"] == "name"
    names = data["rows"][compat.p.person]["name"]
    assert names and compat.p.caption_word in "".join(n["str"] for n in names).lower()


@mirrors("test_reconcile.py::test_reconcile_invalid")
def test_an_unknown_type_is_400(compat: Compat) -> None:
    r = compat.client.post(
        f"/reconcile/{compat.p.dataset}",
        data={"queries": json.dumps({"mutti": {"type": "Banana"}})},
    )
    assert r.status_code == 400, r.text


@mirrors(
    "test_reconcile.py::test_reconcile_suggest_entity_no_prefix",
    "test_reconcile.py::test_reconcile_suggest_property_no_prefix",
    "test_reconcile.py::test_reconcile_suggest_type_no_prefix",
)
def test_suggest_without_prefix_suggests_nothing(compat: Compat) -> None:
    for kind in ("entity", "property", "type"):
        r = compat.client.get(f"/reconcile/{compat.p.dataset}/suggest/{kind}")
        assert r.status_code == 200, r.text
        assert r.json()["result"] == []


@mirrors("test_reconcile.py::test_reconcile_suggest_entity_prefix")
def test_suggest_entity(compat: Compat) -> None:
    r = compat.client.get(
        f"/reconcile/{compat.p.dataset}/suggest/entity", params={"prefix": compat.p.prefix}
    )
    assert r.status_code == 200, r.text
    res = r.json()["result"]
    assert res and res[0]["id"] == compat.p.person
    assert compat.p.caption_word in _ascii(res[0]["name"])


@mirrors(
    "test_reconcile.py::test_reconcile_suggest_entity_prefix_dummy",
    "test_reconcile.py::test_reconcile_suggest_property_prefix_dummy",
    "test_reconcile.py::test_reconcile_suggest_type_prefix_dummy",
)
def test_suggest_nonsense_finds_nothing(compat: Compat) -> None:
    for kind, prefix in (("entity", "banana man"), ("property", "banana"), ("type", "banana")):
        r = compat.client.get(
            f"/reconcile/{compat.p.dataset}/suggest/{kind}", params={"prefix": prefix}
        )
        assert r.status_code == 200 and r.json()["result"] == [], (kind, r.text)


@mirrors("test_reconcile.py::test_reconcile_suggest_property_prefix")
def test_suggest_property(compat: Compat) -> None:
    r = compat.client.get(
        f"/reconcile/{compat.p.dataset}/suggest/property", params={"prefix": "country"}
    )
    assert r.status_code == 200
    ids = [x["id"] for x in r.json()["result"]]
    assert len(ids) > 1 and "LegalEntity:mainCountry" in ids and "Thing:country" in ids


@mirrors("test_reconcile.py::test_reconcile_suggest_type_prefix")
def test_suggest_type(compat: Compat) -> None:
    r = compat.client.get(f"/reconcile/{compat.p.dataset}/suggest/type", params={"prefix": "organ"})
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["result"]] == ["Organization"]


@mirrors("test_reconcile.py::test_reconcile_extend_properties")
def test_extend_properties(compat: Compat) -> None:
    r = compat.client.get(
        f"/reconcile/{compat.p.dataset}/extend/property",
        params={"limit": 5, "type": "LegalEntity"},
    )
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["type"] == "LegalEntity" and data["limit"] == 5
    ids = [p["id"] for p in data["properties"]]
    assert len(ids) == 5 and "name" in ids and "country" in ids


@mirrors("test_reconcile.py::test_reconcile_extend_properties_invalid_type")
def test_extend_properties_of_an_unknown_type_is_400(compat: Compat) -> None:
    r = compat.client.get(
        f"/reconcile/{compat.p.dataset}/extend/property", params={"limit": 5, "type": "Banana"}
    )
    assert r.status_code == 400


def test_openrefine_flow_with_the_key_in_the_url(compat: Compat) -> None:
    """What OpenRefine does with a service URL that carries the key (it cannot set headers):
    read the manifest, follow its suggest and extend services, send form-encoded batches of
    three, then extend the reconciled rows."""
    endpoint = f"{compat.base_url}/reconcile/{compat.p.dataset}?api_key={ADMIN_KEY}"
    with httpx.Client(timeout=300) as browser:  # no Authorization header, ever
        manifest = browser.get(endpoint).json()
        suggest = manifest["suggest"]["type"]
        types = browser.get(
            suggest["service_url"] + suggest["service_path"] + "&prefix=pers"
        ).json()["result"]
        assert "Person" in [t["id"] for t in types]
        prop_service = manifest["suggest"]["property"]
        props = browser.get(
            prop_service["service_url"] + prop_service["service_path"] + "&prefix=birth"
        ).json()["result"]
        assert "Person:birthDate" in [p["id"] for p in props]
        rows = [
            {"query": compat.p.query_name, "type": "Person",
             "properties": [{"pid": "Person:birthDate", "v": "1965"}]},
            {"query": "Nobody Atall Fictional", "type": "Person"},
            {"query": compat.p.many_names[1], "type": "Person"},
        ]  # fmt: skip
        batch = {f"q{i}": row for i, row in enumerate(rows)}
        answer = browser.post(endpoint, data={"queries": json.dumps(batch)})
        assert answer.status_code == 200, answer.text
        results = answer.json()
        assert results["q0"]["result"][0]["id"] == compat.p.person
        assert results["q0"]["result"][0]["match"] is True
        assert all(r["id"] != compat.p.person for r in results["q1"]["result"])
        assert results["q2"]["result"][0]["id"] == compat.p.person
        propose = manifest["extend"]["propose_properties"]
        offered = browser.get(
            propose["service_url"] + propose["service_path"] + "&type=Person"
        ).json()
        assert {"name", "birthDate"} <= {p["id"] for p in offered["properties"]}
        extend = {
            "ids": [compat.p.person],
            "properties": [{"id": "birthDate"}, {"id": "nationality"}],
        }
        extended = browser.post(endpoint, data={"extend": json.dumps(extend)}).json()
        assert extended["rows"][compat.p.person]["birthDate"]
        for path in (suggest["service_path"], propose["service_path"]):
            assert urlsplit(path).query == f"api_key={ADMIN_KEY}"
        # Hovering over the reconciled cell: the preview frame, then the view link.
        preview = manifest["preview"]
        assert preview["width"] > 0 and preview["height"] > 0
        for template in (preview["url"], manifest["view"]["url"]):
            page = browser.get(template.replace("{{id}}", compat.p.person))
            assert page.status_code == 200, page.text
            assert page.headers["content-type"].startswith("text/html")
            assert compat.p.caption_word in _ascii(page.text)
            assert "<script" not in page.text and "http" not in page.text  # offline, no links out
        missing = browser.get(preview["url"].replace("{{id}}", "no-such-entity"))
        assert missing.status_code == 404
        # The suggest box as the user types a name, a page at a time, of one type.
        entities = manifest["suggest"]["entity"]
        url = entities["service_url"] + entities["service_path"]  # carries the key already

        def suggested(**params: str | int) -> list[dict[str, Any]]:
            r = browser.get(url + "&" + urlencode(params))
            assert r.status_code == 200, r.text
            result: list[dict[str, Any]] = r.json()["result"]
            return result

        people = suggested(prefix=compat.p.query_name.split()[0][:3], type="Person")
        assert people and all(t["id"] == "Person" for r in people for t in r["type"])
        two = suggested(prefix="a", limit=2)
        assert len(two) == 2
        assert [r["id"] for r in suggested(prefix="a", limit=1, cursor=1)] == [two[1]["id"]]
        # Without CORS a browser falls back to JSONP.
        jsonp = browser.get(endpoint + "&callback=refine.cb_1")
        assert jsonp.headers["content-type"].startswith("application/javascript")
        assert jsonp.text.startswith("refine.cb_1(") and jsonp.text.endswith(");")
        assert json.loads(jsonp.text[len("refine.cb_1(") : -2])["versions"] == ["0.2"]
        bad = browser.get(endpoint + "&callback=alert(1)")
        assert bad.status_code == 400
