"""F17: control and bidi characters in key names were printed raw by ``keys list``.

Such names are now refused when a key is created (over HTTP and on the
command line), and any that are already stored print as ``\\uXXXX``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.security.factory import dprkwatch
from tests.service.factory import LiveService

NASTY = {
    "escape sequence": "ops\x1b[2J\x1b[31mroot",
    "right-to-left override": "ops\u202enimda",
    "isolate": "ops\u2066admin\u2069",
    "newline": "ops\nadmin",
    "zero-width space": "ad\u200bmin",
}


def test_the_api_refuses_them(sqlite_service: LiveService) -> None:
    for label, name in NASTY.items():
        r = sqlite_service.admin.post("/keys", json={"name": name, "roles": ["screen"]})
        assert r.status_code == 400, (label, r.status_code, r.text)
        assert "control or bidirectional formatting character" in r.json()["detail"]
    names = [k["name"] for k in sqlite_service.admin.get("/keys").json()["keys"]]
    assert not set(names) & set(NASTY.values())
    ok = sqlite_service.admin.post(
        "/keys", json={"name": "리수용 desk (Seoul)", "roles": ["screen"]}
    )
    assert ok.status_code == 201, ok.text


def test_the_cli_refuses_them_and_escapes_stored_ones(tmp_path: Path) -> None:
    home = tmp_path / "home"
    refused = dprkwatch(home, "keys", "create", NASTY["right-to-left override"], "--role", "screen")
    _out, err = refused.communicate(timeout=120)
    assert refused.returncode == 2, err.decode()
    assert b"U+202E" in err and b"\xe2\x80\xae" not in err  # named, not printed
    # A name written straight into the database (or before this check) prints escaped.
    created = dprkwatch(home, "keys", "create", "plain", "--role", "screen")
    created.communicate(timeout=120)
    engine = create_engine(f"sqlite:///{home / 'dprkwatch.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE api_keys SET name = :n"), {"n": NASTY["escape sequence"]})
    engine.dispose()
    listed = dprkwatch(home, "keys", "list", env={"COLUMNS": "300"})
    out, err = listed.communicate(timeout=120)
    assert b"\x1b" not in out, out
    assert b"\\u001b" in out, out
