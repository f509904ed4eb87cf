"""Recorded publisher responses, replayed by a loopback HTTP server for offline `lists update` tests.

Each publisher URL in :mod:`dprkwatch.lists.sources` maps to a small file
under ``tests/fixtures/lists`` that stands for the publisher's response:
hand-written to the publisher's published layout (the OFAC, UN, EU and UK
samples) or a small real file. The server answers ``/<host>/<path>``, which
is what ``lists update --mirror http://127.0.0.1:<port>`` asks for. Tests can
override single paths to act out a moved file, a refused token or a redirect.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from dprkwatch.lists.sources import SOURCES
from tests.conftest import FIXTURES
from tests.lists.workbooks import csv_rows, write_xlsx

LISTS = FIXTURES / "lists"

# publisher file name (as saved by `lists update`) -> the recorded response body.
RECORDED: dict[str, Path] = {
    "sdn.csv": LISTS / "ofac_sdn_set" / "sdn.csv",
    "add.csv": LISTS / "ofac_sdn_set" / "add.csv",
    "alt.csv": LISTS / "ofac_sdn_set" / "alt.csv",
    "sdn_comments.csv": LISTS / "ofac_sdn_set" / "sdn_comments.csv",
    "cons_prim.csv": LISTS / "ofac_cons_set" / "cons_prim.csv",
    "cons_add.csv": LISTS / "ofac_cons_set" / "cons_add.csv",
    "cons_alt.csv": LISTS / "ofac_cons_set" / "cons_alt.csv",
    "cons_comments.csv": LISTS / "ofac_cons_set" / "cons_comments.csv",
    "consolidated.xml": LISTS / "un_sample.xml",
    "eu_fsf.xml": LISTS / "eu_fsf_sample.xml",
    "UK-Sanctions-List.xml": LISTS / "uk_sanctions_list_sample.xml",
    "consolidated.json": LISTS / "csl_sample.json",
    "sema-lmes.xml": LISTS / "sema_sample.xml",
    "swiss-sanctions-list.xml": LISTS / "seco_sample.xml",
    # DFAT publishes a workbook; the sample is kept as CSV and written into one.
    "regulation8_consolidated.xlsx": LISTS / "dfat_sample.csv",
}


def recorded_body(filename: str) -> bytes:
    """The recorded response for one publisher file."""
    path = RECORDED[filename]
    if filename.endswith(".xlsx") and path.suffix == ".csv":
        with tempfile.TemporaryDirectory() as tmp:
            return write_xlsx(Path(tmp) / filename, csv_rows(path)).read_bytes()
    return path.read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def recorded_replies() -> dict[str, Reply]:
    """``/<host>/<path>`` -> the recorded reply, for every download of every source in force."""
    replies: dict[str, Reply] = {}
    for source in SOURCES.values():
        for item in source.downloads:
            url = httpx.URL(item.url)
            body = recorded_body(item.filename)
            replies[f"/{url.host}{url.path}"] = Reply(body=body)
    return replies


@dataclass
class Replay:
    base: str
    replies: dict[str, Reply]
    requests: list[str] = field(default_factory=list)


@contextmanager
def replay_server(replies: dict[str, Reply] | None = None) -> Iterator[Replay]:
    """A loopback server answering the recorded replies (or the given ones); 404 otherwise."""
    table = recorded_replies() if replies is None else replies
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            reply = table.get(self.path.split("?", 1)[0], Reply(status=404, body=b"not found"))
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield Replay(f"http://{host!s}:{port}", table, seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
