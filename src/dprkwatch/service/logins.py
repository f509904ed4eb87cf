"""One-time links that sign the web workbench in.

``dprkwatch run`` used to print a long-lived key with the ``screen`` and
``review`` roles into the console - and so into CI logs and scrollback -
and a review key can suppress a hit for every caller. Now it prints, and
only to a terminal, a link holding a **one-time token**:

* the token is worth nothing by itself: the page exchanges it once
  (``POST /session``) for an API key, and the token is spent;
* the link expires (:data:`LINK_TTL`, 10 minutes) whether used or not;
* the key it yields has only the ``screen`` role unless the link was made
  with ``--review``, and itself expires (:data:`SESSION_TTL`, 12 hours);
* issuing the link and creating the key are both audited, and a token is
  honoured only when its ``login.token`` record vouches for its hash.

Tokens look like ``dpt_<id>_<secret>`` (256 random bits); only their
SHA-256 is stored.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from dprkwatch.service import audit, keys
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.exceptions import NotAuthenticated
from dprkwatch.service.keys import ApiKey
from dprkwatch.service.storage.database import Database
from dprkwatch.service.storage.tables import audit_log, login_tokens

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
PREFIX = "dpt_"
_TOKEN_RE = re.compile(r"^dpt_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")
_REFUSED = "this sign-in link is not valid: it expired, was used already, or was never issued"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Link:
    """A token just issued (shown once) and when it stops working."""

    token: str
    expires_at: str
    roles: frozenset[str]


def issue(
    db: Database,
    *,
    roles: Iterable[str] = ("screen",),
    created_by: str,
    ttl: timedelta = LINK_TTL,
) -> Link:
    """A new one-time token for the given roles (recorded as ``login.token``)."""
    role_set = keys.parse_roles(roles)
    token_id = secrets.token_hex(6)
    raw = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    row = {
        "id": token_id,
        "token_hash": keys.hash_key(raw),
        "roles": ",".join(sorted(role_set)),
        "created_at": _iso(now),
        "created_by": created_by,
        "expires_at": _iso(now + ttl),
    }
    with db.write() as conn:
        conn.execute(insert(login_tokens).values(**row))
        audit.append(conn, [AuditEntry("login.token", created_by, dict(row), ref=token_id)])
    return Link(raw, row["expires_at"], role_set)


def exchange(db: Database, raw: str) -> tuple[ApiKey, str]:
    """Spend a token: an expiring API key with the token's roles (:class:`NotAuthenticated` if not)."""
    match = _TOKEN_RE.match(raw.strip())
    if match is None:
        raise NotAuthenticated(_REFUSED)
    now = datetime.now(UTC)
    with db.write() as conn:
        row = conn.execute(
            select(login_tokens).where(login_tokens.c.token_hash == keys.hash_key(raw.strip()))
        ).first()
        if row is None or row.used_at is not None or row.expires_at <= _iso(now):
            raise NotAuthenticated(_REFUSED)
        record = conn.execute(
            select(audit_log).where(audit_log.c.kind == "login.token", audit_log.c.ref == row.id)
        ).first()
        stated = audit.record_of(record).data() if record is not None else {}
        if (
            record is None
            or not audit.record_of(record).authentic(db.audit_key)
            or stated.get("token_hash") != row.token_hash
            or stated.get("roles") != row.roles
            or stated.get("expires_at") != row.expires_at
        ):
            raise NotAuthenticated(_REFUSED)  # a row the log does not vouch for
        spent = conn.execute(
            update(login_tokens)
            .where(login_tokens.c.id == row.id, login_tokens.c.used_at.is_(None))
            .values(used_at=_iso(now))
        )
        if spent.rowcount != 1:
            raise NotAuthenticated(_REFUSED)
        return keys.create_key_in(
            conn,
            "workbench session",
            row.roles.split(","),
            f"login:{row.id}",
            expires_at=_iso(now + SESSION_TTL),
        )
