"""The service's command line: db, keys, audit, books, rescreen and serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from dprkwatch.service.storage import Database
from tests.factory import run_cli
from tests.service.factory import OFAC_V1, OFAC_V2, SERVICE_FIXTURES, import_lists

BOOK = SERVICE_FIXTURES / "book_customers.csv"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def cli(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli(capsys, "--data-dir", str(home), *args)
    return result.code, result.out, result.err


def test_db_upgrade_and_current(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, out, _ = cli(capsys, home, "db", "upgrade")
    assert code == 0 and out.strip().endswith("empty -> 0002")
    code, out, _ = cli(capsys, home, "db", "current")
    assert code == 0 and "at 0002, newest 0002" in out


def test_keys_commands(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, out, err = cli(capsys, home, "keys", "create", "payments", "--role", "screen,review")
    assert code == 0 and "store it now" in err
    raw = out.strip()
    assert raw.startswith("dpk_")
    code, out, _ = cli(capsys, home, "keys", "list", "--json")
    (listed,) = json.loads(out)
    assert (
        listed["name"] == "payments" and listed["roles"] == ["review", "screen"] and raw not in out
    )
    code, out, _ = cli(capsys, home, "keys", "revoke", listed["id"])
    assert code == 0 and f"revoked key {listed['id']}" in out
    code, _, err = cli(capsys, home, "keys", "create", "x", "--role", "root")
    assert (
        code == 2
        and err.strip() == "error: roles: unknown role 'root' (roles: screen, review, admin)"
    )
    code, _, err = cli(capsys, home, "keys", "revoke", "nope")
    assert code == 4 and "no API key with id 'nope'" in err


def test_audit_verify_detects_tampering_and_exports(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    for name in ("a", "b", "c"):
        assert cli(capsys, home, "keys", "create", name, "--role", "screen")[0] == 0
    code, out, _ = cli(capsys, home, "audit", "verify")
    assert code == 0 and out.startswith("audit chain intact: 3 records, head seq 3")
    target = tmp_path / "out" / "audit.json"
    code, _, err = cli(capsys, home, "audit", "export", "--format", "json", "--output", str(target))
    assert code == 0 and "wrote 3 records" in err
    assert [r["kind"] for r in json.loads(target.read_text())] == ["key.create"] * 3
    code, out, _ = cli(capsys, home, "audit", "export", "--kind", "key.create")
    assert (
        code == 0 and out.splitlines()[0].startswith("seq,ts,kind") and len(out.splitlines()) == 4
    )
    code, _, err = cli(capsys, home, "audit", "export", "--format", "xml")
    assert code == 2 and "unknown export format 'xml'" in err

    db = Database(f"sqlite:///{home / 'dprkwatch.sqlite3'}")
    with db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2"))
    db.close()
    code, _, err = cli(capsys, home, "audit", "verify")
    assert code == 6
    # The altered record also no longer vouches for the key it created.
    assert err.strip().splitlines()[-1] == (
        "error: audit chain broken: 2 problem(s) in 3 records; first: seq 2: "
        "content does not match its hash (record altered)"
    )
    assert "active in the table but not granted by the audit log" in err


def test_books_and_rescreen(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, out, _ = cli(capsys, home, "rescreen")
    assert code == 0 and "No books registered" in out
    import_lists(home, OFAC_V1)
    code, out, _ = cli(capsys, home, "books", "add", str(BOOK), "--name", "customers", "--json")
    assert code == 0
    first = json.loads(out)
    assert first["run"]["subjects"] == 5
    assert {(a["subject_id"], a["kind"]) for a in first["alerts"]} == {
        ("c1", "new"),
        ("c3", "new"),
        ("v1", "new"),
    }
    import_lists(home, OFAC_V2)
    code, out, _ = cli(capsys, home, "rescreen", "--json")
    second = json.loads(out)
    assert {(a["subject_id"], a["kind"]) for a in second["alerts"]} == {
        ("c1", "changed"),
        ("c2", "new"),
        ("c3", "removed"),
    }
    code, out, _ = cli(capsys, home, "books", "alerts", "--kind", "removed", "--csv")
    assert code == 0 and out.splitlines()[1].split(",")[1:4] == ["customers", "c3", "removed"]
    code, _, err = cli(capsys, home, "books", "alerts", "--kind", "gone")
    assert code == 2 and "unknown alert kind 'gone'" in err
    code, out, _ = cli(capsys, home, "books", "list", "--json")
    assert [b["name"] for b in json.loads(out)] == ["customers"]
    code, _, err = cli(
        capsys, home, "books", "add", str(SERVICE_FIXTURES / "nope.csv"), "--name", "x"
    )
    assert code == 2 and "nope.csv: file not found" in err
    code, out, _ = cli(capsys, home, "books", "remove", "customers")
    assert code == 0 and "removed book customers (5 subjects)" in out
    code, out, _ = cli(capsys, home, "audit", "verify")
    assert code == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_starts_uvicorn_with_the_cli_settings(home: Path, workers: int) -> None:
    import_lists(home, OFAC_V1)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DPRKWATCH_")}
    env["DPRKWATCH_ADMIN_KEY"] = "serve-test-admin-key-of-32-characters"
    proc = subprocess.Popen(
        [sys.executable, "-m", "dprkwatch", "--data-dir", str(home),
         "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        # Generous: start-up is about 2 s alone, but minutes on a machine shared with other
        # test runs; this test is about the settings reaching uvicorn, not start-up time.
        deadline = time.monotonic() + 300
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "serve did not become ready"
                time.sleep(0.2)
            lists = client.get(
                "/lists", headers={"Authorization": "ApiKey serve-test-admin-key-of-32-characters"}
            ).json()
            assert [x["list"] for x in lists["lists"]] == ["ofac"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
