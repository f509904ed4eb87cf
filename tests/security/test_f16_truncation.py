"""F16: cutting the tail and moving ``audit_head`` back, or rewriting the chain from some
point with fresh hashes, passed ``audit verify``. Now ``--expect-head SEQ:HASH`` (an anchor
written down earlier) exposes both, and with ``DPRKWATCH_AUDIT_KEY`` a rewrite fails even
without an anchor."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from dprkwatch.service import audit
from dprkwatch.service.audit import AuditEntry, record_hash
from dprkwatch.service.storage import Database, migrate
from dprkwatch.settings import Settings
from tests.security.factory import dprkwatch

AUDIT_KEY = "an-audit-key-kept-outside-the-database-0123456789"


def _fill(db: Database, n: int) -> None:
    for i in range(n):
        audit.record(db, AuditEntry("screening", f"key:k{i}", {"i": i}, ref=f"s{i}"))


def _truncate_to(db: Database, seq: int) -> None:
    """The attacker drops the triggers, cuts the tail and moves the head back."""
    with db.engine.begin() as conn:
        for trigger in ("audit_log_no_update", "audit_log_no_delete", "audit_log_append_at_end"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        conn.execute(text("DELETE FROM audit_log WHERE seq > :s"), {"s": seq})
        row = conn.execute(text("SELECT hash FROM audit_log WHERE seq = :s"), {"s": seq}).one()
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": seq, "h": row.hash})


def _rewrite_from(db: Database, seq: int) -> None:
    """The attacker changes record ``seq`` and recomputes every hash after it (and the head)."""
    with db.engine.begin() as conn:
        for trigger in ("audit_log_no_update", "audit_log_no_delete", "audit_log_append_at_end"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
    records = list(audit.iter_records(db))
    prev = records[seq - 2].hash if seq > 1 else audit.GENESIS
    with db.engine.begin() as conn:
        for rec in records[seq - 1 :]:
            actor = "key:mallory" if rec.seq == seq else rec.actor
            digest = record_hash(prev, rec.seq, rec.ts, rec.kind, actor, rec.ref, rec.payload)
            conn.execute(
                text("UPDATE audit_log SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"),
                {"a": actor, "p": prev, "h": digest, "s": rec.seq},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})


def _verify(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = dprkwatch(home, "audit", "verify", *args, env=env)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, (out + err).decode()


def test_an_anchor_exposes_a_cut_tail(settings: Settings) -> None:
    db = Database(settings.resolved_database_url)
    migrate.upgrade(db)
    _fill(db, 6)
    anchor = f"6:{db.head()[1]}"  # type: ignore[index]
    _truncate_to(db, 4)
    db.close()
    assert audit.verify_chain(Database(settings.resolved_database_url)).ok  # the chain alone holds
    code, output = _verify(settings.home, "--expect-head", anchor)
    assert code == 6, output
    assert "before the expected head seq 6 (records cut from the end)" in output


def test_an_anchor_and_the_key_expose_a_rewritten_chain(settings: Settings) -> None:
    keyed = replace(settings, audit_key=AUDIT_KEY)
    db = Database.for_settings(keyed)
    migrate.upgrade(db)
    _fill(db, 6)
    anchor = f"6:{db.head()[1]}"  # type: ignore[index]
    _rewrite_from(db, 3)
    db.close()
    assert audit.verify_chain(Database(settings.resolved_database_url)).ok  # hashes all agree
    code, output = _verify(settings.home, "--expect-head", anchor)
    assert code == 6 and "seq 6: hash differs from the expected head" in output, output
    code, output = _verify(settings.home, env={"DPRKWATCH_AUDIT_KEY": AUDIT_KEY})
    assert code == 6 and "seq 3: its MAC does not match" in output, output
    code, output = _verify(settings.home, "--expect-head", "6:nonsense")
    assert code == 2 and "SEQ:HASH" in output


def test_an_untouched_chain_holds_its_anchor_and_its_signatures(settings: Settings) -> None:
    keyed = replace(settings, audit_key=AUDIT_KEY)
    db = Database.for_settings(keyed)
    migrate.upgrade(db)
    _fill(db, 3)
    anchor = f"2:{next(r.hash for r in audit.iter_records(db) if r.seq == 2)}"
    db.close()
    code, output = _verify(
        settings.home, "--expect-head", anchor, env={"DPRKWATCH_AUDIT_KEY": AUDIT_KEY}
    )
    assert code == 0, output
    assert "3 signed, MACs checked" in output and f"holds {anchor}" in output
