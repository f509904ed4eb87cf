"""API keys: shown once, stored as a hash, roles validated, revocation honoured."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from dprkwatch.exceptions import InputError
from dprkwatch.service import audit, keys
from dprkwatch.service.exceptions import RecordNotFound
from dprkwatch.service.keys import KeyVerifier, hash_key
from dprkwatch.service.storage import Database
from dprkwatch.service.storage.tables import api_keys


def test_keys_are_stored_only_as_hashes(db: Database) -> None:
    key, raw = keys.create_key(db, "payments", ["screen", "review"], "tester")
    assert raw.startswith(f"dpk_{key.id}_") and len(raw) == 4 + 12 + 1 + 43
    with db.read() as conn:
        row = conn.execute(select(api_keys)).one()
        dump = " ".join(str(v) for v in row)
        log = conn.execute(text("SELECT payload FROM audit_log")).scalars().all()
    # The secret is base64url and may itself hold "_" (even start with one).
    secret = raw.split("_", 2)[2]
    assert raw not in dump and secret not in dump
    assert row.key_hash == hash_key(raw)
    assert all(secret not in p for p in log)
    assert [r.kind for r in audit.iter_records(db)] == ["key.create"]


def test_verifier_accepts_good_keys_and_honours_revocation(db: Database) -> None:
    key, raw = keys.create_key(db, "bot", ["screen"], "tester")
    verifier = KeyVerifier(db, ttl=0)
    principal = verifier.verify(raw)
    assert (
        principal is not None
        and principal.roles == frozenset({"screen"})
        and principal.actor == f"key:{key.id}"
    )
    assert principal.has("screen") and not principal.has("review")
    assert verifier.verify(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert verifier.verify("not-a-key") is None
    keys.revoke_key(db, key.id, "tester")
    assert verifier.verify(raw) is None
    # Revoking again keeps the first revocation time.
    first = keys.list_keys(db)[0].revoked_at
    assert keys.revoke_key(db, key.id, "tester").revoked_at == first
    assert [r.kind for r in audit.iter_records(db)] == ["key.create", "key.revoke"]


def test_cached_keys_expire_after_the_ttl(db: Database) -> None:
    _key, raw = keys.create_key(db, "bot", ["screen"], "tester")
    cached = KeyVerifier(db, ttl=3600)
    assert cached.verify(raw) is not None
    keys.revoke_key(db, _key.id, "tester")
    assert (
        cached.verify(raw) is not None
    )  # another process revoked it; this one trusts its cache...
    cached.forget()
    assert cached.verify(raw) is None  # ...until the entry is dropped (at most ttl seconds)


def test_bootstrap_admin_key(db: Database) -> None:
    secret = "let-me-in-" + "x" * 30
    verifier = KeyVerifier(db, bootstrap_key=secret)
    admin = verifier.verify(secret)
    assert admin is not None and admin.has("admin") and admin.has("review")
    assert KeyVerifier(db).verify(secret) is None


def test_bad_key_requests(db: Database) -> None:
    with pytest.raises(InputError, match="unknown role 'root'"):
        keys.create_key(db, "x", ["root"], "tester")
    with pytest.raises(InputError, match="at least one role"):
        keys.create_key(db, "x", [], "tester")
    with pytest.raises(InputError, match="name"):
        keys.create_key(db, "   ", ["screen"], "tester")
    with pytest.raises(RecordNotFound, match="no API key with id 'nope'"):
        keys.revoke_key(db, "nope", "tester")
    assert keys.list_keys(db) == []
