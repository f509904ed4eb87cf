"""F6: rows written straight into ``reviews`` and ``api_keys`` changed decisions (a forged
review hid a real hit; an added admin key and an un-revoked key worked) and ``audit verify``
still said ok. Now a review or a key counts only when its audit record vouches for it, and
``audit verify`` checks those tables against the log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text

from dprkwatch.service.audit import new_id, now_iso
from dprkwatch.service.keys import hash_key
from tests.security.conftest import Guarded
from tests.service.factory import LiveService


def _hits(svc: LiveService, key: str) -> tuple[list[str], dict[str, Any]]:
    r = svc.match(svc.client(key), "ofac", name="Ryang Chol Min", nationality="kp")
    assert r.status_code == 200, r.text
    response = r.json()["responses"]["q"]
    return [x["id"] for x in response["results"]], response


def test_a_review_written_into_the_table_suppresses_nothing(guarded: Guarded) -> None:
    svc = guarded.service
    key = svc.key("screen")
    ids, response = _hits(svc, key)
    assert "ofac-5001" in ids
    entity = next(x for x in response["results"] if x["id"] == "ofac-5001")
    record = svc.admin.get(f"/screenings/{response['screening']['id']}").json()["record"]
    entity_hash = next(r["entity_hash"] for r in record["results"] if r["id"] == entity["id"])
    engine = create_engine(guarded.settings.resolved_database_url)
    with engine.begin() as conn:  # the attacker: a false positive with no audit record behind it
        conn.execute(
            text(
                "INSERT INTO reviews (id, ts, actor, screening_id, subject, entity_id, "
                "entity_hash, verdict, reason, audit_seq) VALUES (:id, :ts, 'key:x', :sid, "
                ":subject, 'ofac-5001', :hash, 'false_positive', 'not him', :seq)"
            ),
            {"id": new_id(), "ts": now_iso(), "sid": response["screening"]["id"],
             "subject": response["screening"]["subject"], "hash": entity_hash,
             "seq": response["screening"]["audit_seq"]},
        )  # fmt: skip
    engine.dispose()
    ids_after, again = _hits(svc, key)
    assert "ofac-5001" in ids_after and again["screening"]["suppressed"] == []
    report = svc.admin.get("/audit/verify").json()
    assert not report["ok"]
    assert any("review" in p and "not honoured" in p for p in report["problems"]), report


def test_keys_added_or_unrevoked_in_the_table_do_not_work(guarded: Guarded) -> None:
    svc = guarded.service
    engine = create_engine(guarded.settings.resolved_database_url)
    forged = "dpk_0123456789ab_" + "F" * 43
    revoked = svc.key("screen", name="leaver")
    revoked_id = revoked.split("_")[1]
    promoted = svc.key("screen", name="teller")
    assert svc.admin.delete(f"/keys/{revoked_id}").status_code == 200
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO api_keys (id, name, roles, key_hash, created_at, created_by) "
                "VALUES ('0123456789ab', 'backdoor', 'admin', :h, :ts, 'cli')"
            ),
            {"h": hash_key(forged), "ts": now_iso()},
        )
        conn.execute(text("UPDATE api_keys SET revoked_at = NULL"))
        conn.execute(
            text("UPDATE api_keys SET roles = 'admin' WHERE name = 'teller'"),
        )
    engine.dispose()
    assert svc.client(forged).get("/keys").status_code == 401
    assert svc.client(revoked).get("/lists").status_code == 401
    # The promoted key is refused outright (its roles no longer match its record).
    assert svc.client(promoted).get("/keys").status_code == 401
    report = svc.admin.get("/audit/verify").json()
    problems = " | ".join(report["problems"])
    assert "API key 0123456789ab" in problems and "not granted" in problems
    assert f"API key {revoked_id}" in problems and "revoked in the audit log" in problems
    assert "API key " + promoted.split("_")[1] in problems
