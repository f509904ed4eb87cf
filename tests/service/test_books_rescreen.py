"""Delta screening: books are re-screened after imports and only new, changed and removed hits alert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dprkwatch.exceptions import InputError
from dprkwatch.service import books
from tests.service.factory import OFAC_V2, SERVICE_FIXTURES, LiveService

BOOK = SERVICE_FIXTURES / "book_customers.csv"


def _upload(
    svc: LiveService, name: str, data: bytes, filename: str = "book.csv", **form: str
) -> dict[str, Any]:
    r = svc.admin.post("/books", files={"file": (filename, data)}, data={"name": name, **form})
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def _alerts(svc: LiveService, run_id: str) -> set[tuple[str, str, str]]:
    data = svc.admin.get("/alerts", params={"run": run_id}).json()
    assert data["total"] == len(data["alerts"])
    return {(a["subject_id"], a["kind"], a["entity_id"]) for a in data["alerts"]}


def test_import_reports_new_changed_and_removed_hits(service: LiveService) -> None:
    book = _upload(service, "customers", BOOK.read_bytes())
    assert book["subjects"] == 5 and book["source"] == "upload:book.csv"
    baseline = service.wait_for_run(book["rescreen_run"])
    assert baseline["status"] == "done" and baseline["subjects"] == 5
    assert _alerts(service, baseline["id"]) == {
        ("c1", "new", "ofac-5001"),
        ("c3", "new", "ofac-5002"),
        ("v1", "new", "ofac-5003"),  # matched on the IMO number alone
    }

    imported = service.admin.post("/lists/import", json={"paths": [str(OFAC_V2)]}).json()
    run = service.wait_for_run(imported["rescreen_run"])
    assert run["versions"]["ofac"] == imported["active"]["ofac"]
    assert _alerts(service, run["id"]) == {
        ("c1", "changed", "ofac-5001"),
        ("c2", "new", "ofac-5005"),
        ("c3", "removed", "ofac-5002"),
    }
    changed = service.admin.get("/alerts", params={"run": run["id"], "kind": "changed"}).json()[
        "alerts"
    ][0]
    assert changed["detail"]["changes"]["weakAlias"] == {"added": ["RYANG CHOL-MIN"], "removed": []}
    removed = service.admin.get("/alerts", params={"kind": "removed"}).json()["alerts"][0]
    assert removed["detail"]["reason"] == "no longer on the lists screened"

    # Nothing changed since: a rescreen raises nothing.
    again = service.admin.post("/rescreens").json()
    assert service.wait_for_run(again["id"])["alerts"] == 0
    # Every subject screened was audited as a screening by the run.
    record = service.admin.get(f"/screenings/{changed['detail']['screening_id']}").json()
    assert (
        record["actor"] == f"rescreen:{run['id']}"
        and record["record"]["caller"]["subject_id"] == "c1"
    )
    assert service.admin.get("/audit/verify").json()["ok"] is True


def test_replacing_a_book_rescreens_only_changed_subjects(service: LiveService) -> None:
    first = _upload(service, "customers", BOOK.read_bytes())
    service.wait_for_run(first["rescreen_run"])
    edited = BOOK.read_text().replace(
        "c1,Person,Ryang Chol Min,1971", "c1,Person,Ryang Chol Min,1971-04-12"
    )
    second = _upload(service, "customers", edited.encode())
    assert _alerts(service, service.wait_for_run(second["rescreen_run"])["id"]) == {
        ("c1", "new", "ofac-5001")
    }


def test_a_reviewed_false_positive_leaves_the_book_quietly(service: LiveService) -> None:
    book = _upload(service, "customers", BOOK.read_bytes())
    run = service.wait_for_run(book["rescreen_run"])
    alert = next(
        a
        for a in service.admin.get("/alerts", params={"run": run["id"]}).json()["alerts"]
        if a["subject_id"] == "c3"
    )
    body = {"screening_id": alert["detail"]["screening_id"], "entity_id": alert["entity_id"],
            "verdict": "false_positive", "reason": "our customer is a Busan company"}  # fmt: skip
    assert service.admin.post("/reviews", json=body).status_code == 201
    again = service.admin.post("/rescreens", params={"book": "customers"}).json()
    assert service.wait_for_run(again["id"])["alerts"] == 0


def test_parquet_book_by_path(service: LiveService, tmp_path: Path) -> None:
    path = tmp_path / "vessels.parquet"
    pl.DataFrame(
        {"id": ["s1", "s2"], "name": ["Sea Example", "Calm Water"], "imoNumber": [["9234567"], []]}
    ).write_parquet(path)
    r = service.admin.post(
        "/books/from-path", json={"name": "fleet", "path": str(path), "dataset": "dprk"}
    )
    assert r.status_code == 201, r.text
    run = service.wait_for_run(r.json()["rescreen_run"])
    assert _alerts(service, run["id"]) == {("s1", "new", "ofac-5003")}
    listed = service.admin.get("/books").json()["books"]
    assert [(b["name"], b["dataset"], b["subjects"]) for b in listed] == [("fleet", "dprk", 2)]
    assert service.admin.delete("/books/fleet").status_code == 200
    assert service.admin.get("/books").json()["books"] == []
    assert service.admin.delete("/books/fleet").status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name\nKim\n", "book.csv: no 'id' column (columns: 'name')"),
        (b"id,name\na,Kim\na,Lee\n", "book.csv:row 3: duplicate id 'a'"),
        (b"id,name,shoeSize\na,Kim,44\n", "book.csv:row 2, shoeSize: unknown property 'shoeSize'"),
        (b"id,name,birthDate\na,Kim,yesterday\n", "book.csv:row 2, birthDate: expected a date"),
        (
            b"id,schema,name\na,Spaceship,Kim\n",
            "book.csv:row 2, schema: unknown schema 'Spaceship'",
        ),
        (b"id,name\n,Kim\n", "book.csv:row 2: empty id"),
        (b"id,name\n", "book.csv: no subjects"),
        (b"\xff\xfeid,name\n", "book.csv: not UTF-8 text"),
        (b"PAR1 not really parquet", "book.csv: not a readable Parquet file"),
    ],
)
def test_bad_books_are_refused_whole(content: bytes, message: str) -> None:
    with pytest.raises(InputError) as err:
        books.parse(content, "book.csv")
    assert str(err.value).startswith(message)


def test_bad_uploads_store_nothing(sqlite_service: LiveService) -> None:
    c = sqlite_service.admin
    r = c.post(
        "/books", files={"file": ("bad.csv", b"id,name\na,Kim\na,Lee\n")}, data={"name": "bad"}
    )
    assert r.status_code == 400 and r.json()["detail"] == "bad.csv:row 3: duplicate id 'a'"
    r = c.post(
        "/books",
        files={"file": ("ok.csv", b"id,name\na,Kim\n")},
        data={"name": "no spaces allowed"},
    )
    assert r.status_code == 422
    r = c.post("/books/from-path", json={"name": "x", "path": "/nonexistent/book.csv"})
    assert r.status_code == 400 and "not a readable file" in r.json()["detail"]
    r = c.post(
        "/books",
        files={"file": ("ok.csv", b"id,name\na,Kim\n")},
        data={"name": "ok", "dataset": "mars"},
    )
    assert r.status_code == 404
    assert all(b["name"] not in {"bad", "x", "ok"} for b in c.get("/books").json()["books"])
    reviewer = sqlite_service.client(sqlite_service.key("review"))
    assert (
        reviewer.post(
            "/books", files={"file": ("ok.csv", b"id,name\na,Kim\n")}, data={"name": "ok"}
        ).status_code
        == 403
    )
