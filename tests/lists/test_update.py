"""`lists update` offline: recorded publisher responses replayed by a loopback server."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from dprkwatch.lists.sources import SOURCES
from dprkwatch.settings import Settings
from tests.factory import CliResult, run_cli
from tests.lists.publishers import Reply, recorded_replies, replay_server

UK_PATH = "/sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"
EU_URL = httpx.URL(SOURCES["eu"].downloads[0].url)
EU_PATH = f"/{EU_URL.host}{EU_URL.path}"
EU_TOKEN = dict(EU_URL.params)["token"]


def _state(home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != ".lock" and "downloads" not in p.parts
    }


def _update(
    capsys: pytest.CaptureFixture[str], settings: Settings, base: str, *lists: str
) -> CliResult:
    args = ["--data-dir", str(settings.home), "lists", "update", "--mirror", base, "--json"]
    for name in lists:
        args += ["--list", name]
    return run_cli(capsys, *args)


def test_update_fetches_every_publisher_and_the_uk_sanctions_list(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with replay_server() as server:
        result = _update(capsys, settings, server.base)
    assert result.code == 0, result.err
    manifests = {m["list_name"]: m for m in orjson.loads(result.out)}
    assert set(manifests) == {"ofac", "ofac_cons", "un", "eu", "uk", "csl", "au", "ca", "ch"}
    # Every publisher's DPRK-relevant count (three DPRK records in each new sample).
    assert {name: manifests[name]["counts"]["dprk"] for name in ("csl", "au", "ca", "ch")} == {
        "csl": 3,
        "au": 3,
        "ca": 3,
        "ch": 3,
    }
    uk = manifests["uk"]
    assert (uk["source"], uk["format"], uk["published"]) == ("uksl", "uksl-xml", "2026-08-22")
    assert uk["counts"]["dprk"] == 3
    # OFAC's legacy files carry no date: the day of the download stands in.
    assert manifests["ofac"]["published"] is not None
    assert f"{EU_PATH}?token={EU_TOKEN}" in server.requests
    assert not any("ofsistorage" in path for path in server.requests)


def _broken(path: str, reply: Reply) -> dict[str, Reply]:
    replies = recorded_replies()
    replies[path] = reply
    return replies


def test_same_host_redirect_is_followed(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    replies = recorded_replies()
    moved = "/sanctionslist.fcdo.gov.uk/docs/2026/UK-Sanctions-List.xml"
    replies[moved] = replies[UK_PATH]
    replies[UK_PATH] = Reply(302, headers={"Location": moved})
    with replay_server(replies) as server:
        result = _update(capsys, settings, server.base, "uk")
    assert result.code == 0, result.err
    assert server.requests == [UK_PATH, moved]


@pytest.mark.parametrize(
    ("name", "path", "reply", "expected"),
    [
        (
            "renamed",
            UK_PATH,
            Reply(404, b"gone"),
            # The mirror's host comes first; the publisher's host and path follow.
            "HTTP 404 at 127.0.0.1/sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml: "
            "the file is not there; the publisher may have renamed or moved it",
        ),
        (
            "other-host-redirect",
            UK_PATH,
            Reply(301, headers={"Location": "http://mirror.example.net/UK-Sanctions-List.xml"}),
            "redirects to mirror.example.net/UK-Sanctions-List.xml, another host or an insecure "
            "scheme; not followed",
        ),
        (
            "html-page",
            UK_PATH,
            Reply(200, b"<!DOCTYPE html><html><body>Find the list on our new site</body></html>"),
            "sent an HTML page, not the list file",
        ),
        (
            "new-file-type",
            UK_PATH,
            Reply(
                200,
                b"PK\x03\x04zip",
                {"Content-Disposition": 'attachment; filename="UK-Sanctions-List.zip"'},
            ),
            "now sends 'UK-Sanctions-List.zip'; the publisher changed the file's name or format",
        ),
        (
            "token-refused",
            EU_PATH,
            Reply(403, b"forbidden"),
            "eu_fsf.xml: HTTP 403 at 127.0.0.1/webgate.ec.europa.eu/fsd/fsf/public/files/"
            "xmlFullSanctionsList_1_1/content?token=…: the access token in the URL was refused",
        ),
        (
            "retired-format-at-the-uksl-url",
            UK_PATH,
            Reply(
                200,
                b'<?xml version="1.0"?>\n<ArrayOfFinancialSanctionsTarget>'
                b"<FinancialSanctionsTarget/></ArrayOfFinancialSanctionsTarget>\n",
            ),
            "this is the retired OFSI Consolidated List XML",
        ),
    ],
)
def test_publisher_problems_are_one_line_errors_and_change_nothing(
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    name: str,
    path: str,
    reply: Reply,
    expected: str,
) -> None:
    with replay_server() as server:
        first = _update(capsys, settings, server.base, "un")
    assert first.code == 0, first.err
    before = _state(settings.home)
    with replay_server(_broken(path, reply)) as server:
        result = _update(capsys, settings, server.base, "uk", "eu")
    assert result.code != 0, name
    message = result.err.strip()
    assert len(message.splitlines()) == 1, message
    assert expected in message, message
    assert EU_TOKEN not in message
    assert _state(settings.home) == before


def test_retired_and_unknown_lists(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with replay_server() as server:
        retired = _update(capsys, settings, server.base, "ofsi")
        unknown = _update(capsys, settings, server.base, "atlantis")
        assert server.requests == []
    assert retired.code != 0
    assert "OFSI Consolidated List retired on 2026-01-28; replaced by the UK Sanctions List" in (
        retired.err
    )
    assert unknown.code != 0 and "unknown list 'atlantis'" in unknown.err
