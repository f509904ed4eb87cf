"""API keys: issued once, stored only as a hash, carrying roles.

A key looks like ``dpk_<id>_<secret>``: the id names the key in listings
and in the audit log, the secret is 256 random bits. Only the SHA-256 of the
whole key is stored; a fast hash is the right tool for random secrets of
this length (a slow password hash would cost more per request than the
screening itself and adds nothing when there is nothing to guess).

Roles: ``screen`` (match, search, entities, catalog, lists), ``review``
(reviews and reading screening records) and ``admin`` (everything, including
keys, imports, books and the audit log). ``DPRKWATCH_ADMIN_KEY`` is an extra
admin key that lives only in the environment, to bootstrap the first keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field, field_serializer
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from dprkwatch import printable
from dprkwatch.exceptions import ConfigError, InputError
from dprkwatch.service import audit, integrity
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.exceptions import RecordNotFound
from dprkwatch.service.storage.database import Database
from dprkwatch.service.storage.tables import api_keys

ROLES = ("screen", "review", "admin")
PREFIX = "dpk_"
_KEY_RE = re.compile(r"^dpk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")
BOOTSTRAP_ID = "env-admin"
# The caller in single-user mode (``DPRKWATCH_AUTH=none``).
LOCAL_ID = "local"
# A bootstrap key is chosen by a person, not generated: insist on a length
# that rules out guessing (32 URL-safe characters carry about 190 bits).
MIN_BOOTSTRAP_CHARS = 32


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def parse_roles(roles: Iterable[str]) -> frozenset[str]:
    """Validated roles; names the bad one when there is one."""
    out: set[str] = set()
    for role in roles:
        for part in role.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part not in ROLES:
                raise InputError(
                    f"unknown role {part!r} (roles: {', '.join(ROLES)})", where="roles"
                )
            out.add(part)
    if not out:
        raise InputError(f"a key needs at least one role ({', '.join(ROLES)})", where="roles")
    return frozenset(out)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and roles."""

    key_id: str
    name: str
    roles: frozenset[str]

    @classmethod
    def local(cls) -> Principal:
        """The one user of a keyless service on loopback: every role, audited as ``local``."""
        return cls(LOCAL_ID, LOCAL_ID, frozenset({"admin"}))

    @property
    def actor(self) -> str:
        """How the audit log names the caller."""
        return LOCAL_ID if self.key_id == LOCAL_ID else f"key:{self.key_id}"

    def has(self, role: str) -> bool:
        return "admin" in self.roles or role in self.roles


class ApiKey(BaseModel):
    """A stored API key (never the key itself: only its hash is kept)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    roles: frozenset[str]
    created_at: str
    created_by: str
    revoked_at: str | None
    expires_at: str | None = None

    @field_serializer("roles")
    def _sorted_roles(self, roles: frozenset[str]) -> list[str]:
        return sorted(roles)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.revoked_at is None and not expired(self.expires_at)


def _from_row(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        roles=frozenset(r for r in row.roles.split(",") if r),
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
    )


def expired(expires_at: str | None, now: str | None = None) -> bool:
    """Whether a key with this expiry (ISO UTC, as stored) no longer works."""
    return expires_at is not None and expires_at <= (now or audit.now_iso())


def create_key(
    db: Database,
    name: str,
    roles: Iterable[str],
    created_by: str,
    *,
    expires_at: str | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key. Returns the stored record and the key itself (shown only this once).

    Its ``key.create`` record carries the key's hash, roles and expiry: the
    service honours a key only while that record vouches for it.
    """
    with db.write() as conn:
        return create_key_in(conn, name, roles, created_by, expires_at=expires_at)


def create_key_in(
    conn: Connection,
    name: str,
    roles: Iterable[str],
    created_by: str,
    *,
    expires_at: str | None = None,
) -> tuple[ApiKey, str]:
    """:func:`create_key` inside an open write transaction."""
    name = " ".join(printable.check_name(name).split())
    if not name or len(name) > 200:
        raise InputError("a key needs a name of 1 to 200 characters", where="name")
    role_set = parse_roles(roles)
    key_id = secrets.token_hex(6)
    raw = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        id=key_id, name=name, roles=role_set, created_at=audit.now_iso(), created_by=created_by,
        revoked_at=None, expires_at=expires_at,
    )  # fmt: skip
    digest = hash_key(raw)
    conn.execute(
        insert(api_keys).values(
            id=key.id,
            name=key.name,
            roles=",".join(sorted(role_set)),
            key_hash=digest,
            created_at=key.created_at,
            created_by=created_by,
            expires_at=expires_at,
        )
    )
    stated = {**key.model_dump(mode="json"), "key_hash": digest}
    audit.append(conn, [AuditEntry("key.create", created_by, {"key": stated}, ref=key.id)])
    return key, raw


def list_keys(db: Database) -> list[ApiKey]:
    with db.read() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)).all()
    return [_from_row(r) for r in rows]


def revoke_key(db: Database, key_id: str, revoked_by: str) -> ApiKey:
    """Revoke a key for good; revoking twice is harmless and keeps the first time."""
    with db.write() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None:
            raise RecordNotFound(f"no API key with id {key_id!r}")
        key = _from_row(row)
        if key.revoked_at is None:
            ts = audit.now_iso()
            conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=ts))
            key = key.model_copy(update={"revoked_at": ts})
            audit.append(
                conn,
                [
                    AuditEntry(
                        "key.revoke", revoked_by, {"key": key.model_dump(mode="json")}, ref=key.id
                    )
                ],
            )
    return key


def check_bootstrap(raw: str) -> str:
    """The bootstrap admin key, if it is long enough to be a secret (32+ characters, no spaces)."""
    if len(raw) < MIN_BOOTSTRAP_CHARS or raw != raw.strip() or not raw.isprintable():
        raise ConfigError(
            f"DPRKWATCH_ADMIN_KEY: use at least {MIN_BOOTSTRAP_CHARS} printable characters without "
            f"surrounding spaces (got {len(raw)}); e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return raw


class KeyVerifier:
    """Checks presented keys, remembering good ones for ``ttl`` seconds.

    The cache keeps the database out of the request path; ``ttl`` bounds
    how long a key revoked by another process keeps working (revocations
    made through this process take effect at once).
    """

    def __init__(self, db: Database, *, ttl: float = 5.0, bootstrap_key: str | None = None) -> None:
        self.db = db
        self.ttl = ttl
        self._bootstrap = hash_key(check_bootstrap(bootstrap_key)) if bootstrap_key else None
        self._cache: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def verify(self, raw: str) -> Principal | None:
        """The principal for key ``raw``, or ``None`` if it is unknown or revoked."""
        digest = hash_key(raw)
        if self._bootstrap is not None and hmac.compare_digest(digest, self._bootstrap):
            return Principal(BOOTSTRAP_ID, "DPRKWATCH_ADMIN_KEY", frozenset({"admin"}))
        if not _KEY_RE.match(raw):
            return None
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        with self.db.read() as conn:
            row = conn.execute(
                select(api_keys).where(
                    api_keys.c.key_hash == digest, api_keys.c.revoked_at.is_(None)
                )
            ).first()
            # Honoured only if the audit log granted exactly this key and never revoked it.
            history = integrity.key_records(conn, [row.id]).get(row.id, []) if row else []
        if (
            row is None
            or expired(row.expires_at)
            or not integrity.key_vouched(row._mapping, history, self.db.audit_key)
        ):
            with self._lock:
                self._cache.pop(digest, None)
            return None
        key = _from_row(row)
        principal = Principal(key.id, key.name, key.roles)
        with self._lock:
            self._cache[digest] = (principal, now + self.ttl)
        return principal
