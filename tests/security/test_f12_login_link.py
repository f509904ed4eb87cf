"""F12: ``dprkwatch run`` printed a long-lived screen+review key into console and CI logs.

Now a credential is printed only to a terminal, and then as a one-time link:
the page spends its token once (``POST /session``) for a key that has only
the ``screen`` role unless ``--review`` was given, and that itself expires.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from dprkwatch.cli import run as run_mod
from dprkwatch.service import keys, logins
from dprkwatch.service.exceptions import NotAuthenticated
from dprkwatch.service.storage import Database
from dprkwatch.service.storage.tables import login_tokens
from dprkwatch.settings import Settings
from tests.factory import run_cli
from tests.service.factory import UN, LiveService, import_lists

LINK = "#login="


def _run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, home: Path, *args: str
) -> str:
    from dprkwatch.service.api import server

    monkeypatch.setattr(server, "serve", lambda settings: None)
    import_lists(home, UN)  # lists present: run starts without downloading
    result = run_cli(capsys, "--data-dir", str(home), "run", *args)
    assert result.code == 0, result.err
    return result.out + result.err


def _token(printed: str) -> str:
    line = next(x for x in printed.splitlines() if LINK in x)
    return line.split(LINK, 1)[1].split()[0]


def _exchange(home: Path, token: str) -> keys.ApiKey:
    db = Database.for_settings(Settings(home=home))
    try:
        key, raw = logins.exchange(db, token)
        assert keys.KeyVerifier(db, ttl=0).verify(raw) is not None
        return key
    finally:
        db.close()


def test_run_prints_no_credential_into_a_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    printed = _run(capsys, monkeypatch, tmp_path / "home")
    assert "dpk_" not in printed and "dpt_" not in printed, printed
    assert "not a terminal" in printed


def test_a_terminal_gets_a_one_time_screen_only_link(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(run_mod, "to_terminal", lambda: True)
    home = tmp_path / "home"
    printed = _run(capsys, monkeypatch, home)
    assert "dpk_" not in printed
    token = _token(printed)
    key = _exchange(home, token)
    assert key.roles == {"screen"} and key.expires_at is not None
    with pytest.raises(NotAuthenticated):
        _exchange(home, token)  # spent
    review = _token(_run(capsys, monkeypatch, home, "--review"))
    assert _exchange(home, review).roles == {"screen", "review"}


def test_session_spends_a_token_once(sqlite_service: LiveService) -> None:
    link = logins.issue(sqlite_service.state.db, created_by="test")
    first = sqlite_service.anon.post("/session", json={"token": link.token})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["roles"] == ["screen"] and body["expires_at"] > link.expires_at
    session = sqlite_service.client(body["key"])
    assert session.get("/lists").status_code == 200
    assert session.get("/keys").status_code == 403  # screen only
    again = sqlite_service.anon.post("/session", json={"token": link.token})
    assert again.status_code == 401, again.text
    assert "not valid" in again.json()["detail"]


def test_an_expired_or_unaudited_token_is_refused(sqlite_service: LiveService) -> None:
    db = sqlite_service.state.db
    expired = logins.issue(db, created_by="test", ttl=timedelta(0))
    r = sqlite_service.anon.post("/session", json={"token": expired.token})
    assert r.status_code == 401, r.text
    # A row written straight into the table (no login.token record) is worth nothing.
    forged = "dpt_0123456789ab_" + "A" * 43
    with db.write() as conn:
        conn.execute(
            insert(login_tokens).values(
                id="0123456789ab",
                token_hash=keys.hash_key(forged),
                roles="admin,review,screen",
                created_at="2026-01-01T00:00:00.000000Z",
                created_by="intruder",
                expires_at="2999-01-01T00:00:00.000000Z",
            )
        )
    r = sqlite_service.anon.post("/session", json={"token": forged})
    assert r.status_code == 401, r.text
    assert sqlite_service.anon.post("/session", json={"token": "dpk_x"}).status_code == 401
