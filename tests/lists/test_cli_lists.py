"""The ``dprkwatch lists`` commands, end to end in-process."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from dprkwatch.lists import SnapshotStore, download
from tests.conftest import FIXTURES
from tests.factory import run_cli

V1 = FIXTURES / "lists" / "watch_v1.ftm.json"
V2 = FIXTURES / "lists" / "watch_v2.ftm.json"


def test_import_status_diff_history_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "home")
    r = run_cli(capsys, "--data-dir", home, "lists", "import", "--no-activate", str(V1), "--json")
    assert r.code == 0, r.err
    old = orjson.loads(r.out)[0]["version"]
    r = run_cli(capsys, "--data-dir", home, "lists", "import", str(V2), "--json")
    assert r.code == 0
    new = orjson.loads(r.out)[0]["version"]

    r = run_cli(capsys, "--data-dir", home, "lists", "status", "--json")
    status = orjson.loads(r.out)
    assert status["ftm_testwatch"]["version"] == new
    assert status["ftm_testwatch"]["counts"]["dprk"] == 3

    r = run_cli(
        capsys,
        "--data-dir",
        home,
        "lists",
        "diff",
        f"ftm_testwatch@{old}",
        "ftm_testwatch",
        "--json",
    )
    diff = orjson.loads(r.out)
    assert diff["summary"] == {"added": 1, "removed": 1, "changed": 2}
    r = run_cli(
        capsys, "--data-dir", home, "lists", "diff", f"ftm_testwatch@{old}", "ftm_testwatch"
    )
    assert "1 added, 1 removed, 2 changed" in r.out

    r = run_cli(capsys, "--data-dir", home, "lists", "history", "--dprk", "--csv")
    assert r.out.splitlines()[0] == "period,list,basis,count"
    assert "2018,ftm_testwatch,listed,1" in r.out

    out = tmp_path / "export.ftm.json"
    r = run_cli(capsys, "--data-dir", home, "lists", "export", "ftm_testwatch", "-o", str(out))
    assert r.code == 0
    assert {orjson.loads(line)["id"] for line in out.read_text().splitlines()} >= {"tw-1", "tw-4"}


def test_errors_are_one_line_with_nonzero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "home")
    r = run_cli(
        capsys, "--data-dir", home, "lists", "import", str(FIXTURES / "lists" / "dup_ids.ftm.json")
    )
    assert r.code != 0
    assert r.err.strip().startswith("error: ") and len(r.err.strip().splitlines()) == 1
    assert "dup_ids.ftm.json" in r.err
    r = run_cli(capsys, "--data-dir", home, "lists", "import", "--format", "nope", str(V1))
    assert r.code != 0 and "unknown format 'nope'" in r.err
    r = run_cli(capsys, "--data-dir", home, "lists", "diff", "a@1", "b@2")
    assert r.code != 0 and "no snapshot" in r.err
    assert not (tmp_path / "home" / "active.json").exists()


def test_update_offline_gives_clear_message(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("network unreachable", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(download.DownloadError) as err:
        download.fetch(tmp_path, ["un"], client=client)
    assert "offline" in str(err.value) and "scsanctions.un.org" in str(err.value)
    assert not list((tmp_path / "downloads").rglob("consolidated.xml"))


def test_update_saves_files_atomically(tmp_path: Path) -> None:
    body = (FIXTURES / "lists" / "watch_v1.ftm.json").read_bytes()

    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("SDN_COMMENTS.CSV"):
            return httpx.Response(404)
        return httpx.Response(200, content=body)

    client = httpx.Client(transport=httpx.MockTransport(serve))
    (fetched,) = download.fetch(tmp_path, ["ofac"], client=client)
    main = fetched.main
    assert main.name == "sdn.csv" and main.read_bytes() == body
    assert not (main.parent / "sdn_comments.csv").exists()
    assert not list(main.parent.glob(".*part"))


def test_an_import_whose_database_cannot_be_opened_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database is opened while the parser workers parse (two files: two
    # workers); failing to open it fails the import in one line, and neither
    # the snapshots parsed meanwhile nor an activation remain.
    home = tmp_path / "home"
    r = run_cli(capsys, "--data-dir", str(home), "lists", "import", str(V1))
    assert r.code == 0, r.err
    active = (home / "active.json").read_bytes()
    monkeypatch.setenv("DPRKWATCH_DATABASE_URL", f"sqlite:///{tmp_path}")  # a folder
    r = run_cli(
        capsys,
        "--data-dir",
        str(home),
        "lists",
        "import",
        str(V2),
        str(FIXTURES / "lists" / "un_sample.xml"),
    )
    assert r.code != 0
    assert "database" in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert (home / "active.json").read_bytes() == active
    store = SnapshotStore(home)
    assert store.versions("un") == []
    assert len(store.versions("ftm_testwatch")) == 1
