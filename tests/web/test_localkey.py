"""The local workbench key: saved privately, reused while it works, replaced when revoked."""

from __future__ import annotations

import stat
from dataclasses import replace

from dprkwatch.service import keys
from dprkwatch.service.keys import KeyVerifier
from dprkwatch.service.storage import Database
from dprkwatch.settings import Settings
from dprkwatch.web.localkey import key_path, local_key, workbench_url


def principal(settings: Settings, raw: str) -> keys.Principal | None:
    db = Database(settings.resolved_database_url)
    try:
        return KeyVerifier(db, ttl=0).verify(raw)
    finally:
        db.close()


def test_issued_once_saved_privately_and_reused(settings: Settings) -> None:
    first = local_key(settings)
    who = principal(settings, first)
    assert who is not None and who.roles == {"screen", "review"}
    path = key_path(settings)
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_key(settings) == first
    assert list(path.parent.iterdir()) == [path], "no temporary files left behind"


def test_a_revoked_key_is_replaced(settings: Settings) -> None:
    first = local_key(settings)
    who = principal(settings, first)
    assert who is not None
    db = Database(settings.resolved_database_url)
    try:
        keys.revoke_key(db, who.key_id, "test")
    finally:
        db.close()
    second = local_key(settings)
    assert second != first and principal(settings, second) is not None
    assert key_path(settings).read_text().strip() == second


def test_renew_revokes_the_old_key(settings: Settings) -> None:
    first = local_key(settings)
    second = local_key(settings, renew=True)
    assert second != first
    assert principal(settings, first) is None
    assert principal(settings, second) is not None


def test_a_garbled_key_file_is_replaced(settings: Settings) -> None:
    key_path(settings).parent.mkdir(parents=True)
    key_path(settings).write_text("not a key\n")
    raw = local_key(settings)
    assert raw.startswith("dpk_") and principal(settings, raw) is not None


def test_workbench_url() -> None:
    base = Settings(host="127.0.0.1", port=8123)
    assert workbench_url(base) == "http://127.0.0.1:8123/"
    assert workbench_url(base, "dpk_x") == "http://127.0.0.1:8123/#key=dpk_x"
    assert workbench_url(replace(base, host="0.0.0.0")) == "http://127.0.0.1:8123/"
    assert workbench_url(replace(base, host="::1")) == "http://[::1]:8123/"
