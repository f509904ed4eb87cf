"""The audit chain: hashes link, tampering is found, exports carry versions and hashes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from dprkwatch.exceptions import InputError
from dprkwatch.service import audit
from dprkwatch.service.audit import GENESIS, AuditEntry, record_hash
from dprkwatch.service.storage import Database

SCREENING = {
    "dataset": "dprk",
    "algorithm": "dprk-logic-v1",
    "versions": {"un": "2026-02-27-abc", "ofac": "2024-05-03-def"},
    "query": {"schema": "Person", "properties": {"name": ["KIM Jong Un"]}},
}


def _fill(db: Database, n: int = 5) -> None:
    for i in range(n):
        audit.record(
            db,
            AuditEntry(
                "screening" if i % 2 == 0 else "review",
                f"key:k{i}",
                {**SCREENING, "i": i},
                ref=f"r{i}",
            ),
        )


def _tamper(db: Database, statement: str) -> None:
    """Run ``statement`` with the append-only triggers out of the way, as an attacker with DDL rights would."""
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        conn.execute(text(statement))


def test_each_hash_covers_the_previous_hash_and_the_record(db: Database) -> None:
    _fill(db, 3)
    records = list(audit.iter_records(db))
    assert [r.prev_hash for r in records] == [GENESIS, records[0].hash, records[1].hash]
    for r in records:
        assert r.hash == record_hash(r.prev_hash, r.seq, r.ts, r.kind, r.actor, r.ref, r.payload)
        # The payload is stored in canonical form, so re-serialising it changes nothing.
        assert audit.canonical(r.data()).decode() == r.payload
    assert db.head() == (3, records[-1].hash)
    assert audit.verify_chain(db).ok


def test_verify_finds_an_altered_record(db: Database) -> None:
    _fill(db)
    _tamper(
        db,
        "UPDATE audit_log SET payload = replace(payload, 'KIM Jong Un', 'Somebody Else') WHERE seq = 3",
    )
    report = audit.verify_chain(db)
    assert not report.ok
    assert report.problems[0] == "seq 3: content does not match its hash (record altered)"


def test_verify_finds_a_removed_record(db: Database) -> None:
    _fill(db)
    _tamper(db, "DELETE FROM audit_log WHERE seq = 2")
    report = audit.verify_chain(db)
    assert any("seq 3: expected seq 2" in p for p in report.problems)
    assert any("seq 3: does not link" in p for p in report.problems)


def test_verify_finds_a_truncated_tail(db: Database) -> None:
    _fill(db)
    _tamper(db, "DELETE FROM audit_log WHERE seq = 5")
    report = audit.verify_chain(db)
    assert report.problems == [
        "head says seq 5 but the chain ends at seq 4 (records removed from the end, or the head altered)"
    ]


def test_verify_finds_a_forged_actor_even_with_a_fresh_hash_on_that_record(db: Database) -> None:
    _fill(db)
    rec = next(r for r in audit.iter_records(db) if r.seq == 2)
    forged = record_hash(
        rec.prev_hash, rec.seq, rec.ts, rec.kind, "key:mallory", rec.ref, rec.payload
    )
    _tamper(db, f"UPDATE audit_log SET actor = 'key:mallory', hash = '{forged}' WHERE seq = 2")
    report = audit.verify_chain(db)
    # The forged record verifies on its own, but the next one no longer links to it.
    assert report.problems == ["seq 3: does not link to the record before it"]


def test_csv_export_has_versions_algorithm_and_hashes(db: Database) -> None:
    _fill(db, 4)
    out = io.StringIO()
    assert audit.export(db, out, "csv", kinds=["screening"]) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["seq"] for r in rows] == ["1", "3"]
    assert rows[0]["versions"] == "ofac@2024-05-03-def un@2026-02-27-abc"
    assert rows[0]["algorithm"] == "dprk-logic-v1" and rows[0]["dataset"] == "dprk"
    assert json.loads(rows[0]["payload"])["query"]["properties"]["name"] == ["KIM Jong Un"]
    originals = {r.seq: r for r in audit.iter_records(db)}
    assert rows[1]["hash"] == originals[3].hash and rows[1]["prev_hash"] == originals[3].prev_hash


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_exports_round_trip_and_re_verify(db: Database, fmt: str) -> None:
    _fill(db, 4)
    out = io.StringIO()
    audit.export(db, out, fmt)
    text_ = out.getvalue()
    records = (
        json.loads(text_) if fmt == "json" else [json.loads(line) for line in text_.splitlines()]
    )
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    prev = GENESIS
    for r in records:
        payload = audit.canonical(r["payload"]).decode()
        assert r["prev_hash"] == prev
        assert (
            record_hash(prev, r["seq"], r["ts"], r["kind"], r["actor"], r["ref"], payload)
            == r["hash"]
        )
        prev = r["hash"]


def test_export_of_an_empty_log_is_valid(db: Database) -> None:
    out = io.StringIO()
    assert audit.export(db, out, "json") == 0
    assert json.loads(out.getvalue()) == []


def test_export_file_is_atomic_and_rejects_unknown_formats(db: Database, tmp_path: Path) -> None:
    _fill(db, 2)
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    target = out_dir / "audit.csv"
    target.write_text("previous export\n")
    with pytest.raises(InputError, match="unknown export format 'xml'"):
        audit.export_file(db, target, "xml")
    assert target.read_text() == "previous export\n"
    assert audit.export_file(db, target, "csv") == 2
    assert target.read_text().startswith("seq,ts,kind")
    assert [p.name for p in out_dir.iterdir()] == ["audit.csv"]
