"""F5: a rescreen owed by a list activation could be lost, and an interrupted one was not resumed.

If the server died between activating new lists and starting the rescreen,
the books were never re-screened and nothing noticed on restart; a run cut
off half way was marked interrupted and left so. Now the activation records
a **pending** run in the same transaction as its audit record (also when the
command line imports with no service running), and the service takes up
pending and interrupted runs when it starts.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import orjson
import pytest
from sqlalchemy import insert

from dprkwatch.service import audit, rescreen
from dprkwatch.service.storage import Database
from dprkwatch.service.storage.tables import rescreen_runs
from dprkwatch.settings import Settings
from tests.factory import run_cli
from tests.security.conftest import ADMIN_KEY
from tests.service.factory import OFAC_V1, OFAC_V2, SERVICE_FIXTURES, UN, import_lists, live_service

BOOK = SERVICE_FIXTURES / "book_customers.csv"
SUBJECTS = len(BOOK.read_text(encoding="utf-8").splitlines()) - 1


def with_a_book(tmp_path: Path) -> Settings:
    """A data directory (its database inside, shared with the CLI) with lists and one book."""
    cfg = Settings(
        home=tmp_path / "home", admin_key=ADMIN_KEY, key_ttl=0, import_dirs=(SERVICE_FIXTURES,)
    )
    import_lists(cfg.home, OFAC_V1, UN)
    with live_service(cfg) as svc:
        r = svc.admin.post("/books/from-path", json={"name": "customers", "path": str(BOOK)})
        assert r.status_code == 201, r.text
        assert svc.wait_for_run(r.json()["rescreen_run"])["status"] == "done"
    return cfg


def runs(cfg: Settings) -> list[rescreen.Run]:
    db = Database.for_settings(cfg)
    try:
        return rescreen.list_runs(db)
    finally:
        db.close()


def test_an_activation_while_the_service_is_down_is_rescreened_at_its_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cfg = with_a_book(tmp_path)
    imported = run_cli(capsys, "--data-dir", str(cfg.home), "lists", "import", str(OFAC_V2))
    assert imported.code == 0, imported.err
    [owed] = [r for r in runs(cfg) if r.status == "pending"]
    with live_service(cfg) as svc:
        done = svc.wait_for_run(owed.id, timeout=60)
    assert done["status"] == "done", done
    assert done["subjects"] == SUBJECTS
    assert "2026-03-10" in " ".join(done["versions"].values())


def test_an_interrupted_run_is_resumed_at_start(tmp_path: Path) -> None:
    cfg = with_a_book(tmp_path)
    dead = subprocess.Popen(["true"])  # its process id no longer runs once it is reaped
    dead.wait()
    run_id = audit.new_id()
    db = Database.for_settings(cfg)
    try:
        with db.write() as conn:
            conn.execute(
                insert(rescreen_runs).values(
                    id=run_id, trigger="test", books=orjson.dumps(["customers"]).decode(),
                    versions="{}", algorithm="", status="running", started_at=audit.now_iso(),
                    finished_at=None, subjects=0, alerts=0, error=None, cursor=None,
                    owner=f"{socket.gethostname()}:{dead.pid}:1",
                )
            )  # fmt: skip
    finally:
        db.close()
    with live_service(cfg) as svc:
        done = svc.wait_for_run(run_id, timeout=60)
    assert done["status"] == "done", done
    assert done["subjects"] == SUBJECTS and done["owner"] != f"{socket.gethostname()}:{dead.pid}:1"
