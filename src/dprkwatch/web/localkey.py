"""The local API key that lets ``dprkwatch run`` open the workbench with one click.

Keys are stored only as hashes, so a key cannot be shown twice. For the
local workbench the key is therefore also kept in the data directory, in
``<home>/web/workbench.key`` (mode 0600, beside the database that holds
every screening anyway). ``run`` reads it back, checks it still works, and
issues a new one only when it is missing or was revoked. The key has the
``screen`` and ``review`` roles: enough for every page, not for admin.

The link ``dprkwatch web key`` prints carries the key in the URL *fragment*
(``http://127.0.0.1:8000/#key=...``), which browsers never send to the
server; the page moves it to sessionStorage and removes it from the address.

``dprkwatch run`` prints no key: only to a terminal, a one-time sign-in link
(``#login=...``, see :mod:`dprkwatch.service.logins`) that the page spends
for a short-lived key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dprkwatch import durable
from dprkwatch.service import keys, logins
from dprkwatch.service.keys import KeyVerifier
from dprkwatch.service.storage import Database, migrate
from dprkwatch.settings import Settings

KEY_NAME = "workbench (local)"
ROLES = ("screen", "review")
ISSUER = "dprkwatch run"


def key_path(settings: Settings) -> Path:
    return settings.data.workbench_key


def _write_secret(path: Path, text: str) -> None:
    """Atomically write ``text`` readable by the owner only."""
    durable.write_text(path, text + "\n", mode=0o600)


def local_key(settings: Settings, *, renew: bool = False) -> str:
    """The workbench key of this data directory: the saved one while it works, else a new one.

    ``renew`` revokes the saved key (if any) and issues another.
    """
    path = key_path(settings)
    db = Database.for_settings(settings)
    try:
        migrate.upgrade(db)
        saved = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
        principal = KeyVerifier(db, ttl=0).verify(saved) if saved else None
        if principal is not None and not renew:
            return saved
        if principal is not None:
            keys.revoke_key(db, principal.key_id, ISSUER)
        _key, raw = keys.create_key(db, KEY_NAME, ROLES, ISSUER)
        _write_secret(path, raw)
        return raw
    finally:
        db.close()


@dataclass(frozen=True)
class SignInLink:
    """A one-time link that signs the workbench in, and when it stops working."""

    url: str
    expires_at: str


def login_link(settings: Settings, *, review: bool = False) -> SignInLink:
    """Issue a one-time sign-in token (screen only unless ``review``) and its link."""
    db = Database.for_settings(settings)
    try:
        migrate.upgrade(db)
        roles = ("screen", "review") if review else ("screen",)
        link = logins.issue(db, roles=roles, created_by=ISSUER)
    finally:
        db.close()
    return SignInLink(workbench_url(settings, login=link.token), link.expires_at)


def workbench_url(settings: Settings, key: str | None = None, *, login: str | None = None) -> str:
    """The address of the workbench; with ``key`` or a one-time ``login`` token, a link that
    signs the page in."""
    host = settings.host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    url = f"http://{host}:{settings.port}/"
    if login:
        return f"{url}#login={login}"
    return f"{url}#key={key}" if key else url
