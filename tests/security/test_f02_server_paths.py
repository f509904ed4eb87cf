"""F2: ``POST /books/from-path`` read any path whole: ``/dev/zero`` exhausted memory, a FIFO hung.

Server paths are now regular files inside ``DPRKWATCH_IMPORT_DIRS`` whose
size is checked before a byte is read.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import httpx

from tests.security.conftest import Guarded


def _from_path(guarded: Guarded, path: str, timeout: float = 10) -> httpx.Response:
    return guarded.service.admin.post(
        "/books/from-path", json={"name": "probe", "path": path}, timeout=timeout
    )


def test_a_fifo_is_refused_without_opening_it(guarded: Guarded) -> None:
    fifo = guarded.imports / "book.csv"
    os.mkfifo(fifo)
    try:
        started = time.monotonic()
        r = _from_path(guarded, str(fifo))
        assert r.status_code == 400, r.text
        assert time.monotonic() - started < 5
        assert "not a readable file in the import folders" in r.json()["detail"]
    finally:
        # Should the server be stuck opening the FIFO (it was), let it go.
        threading.Thread(target=lambda: fifo.open("wb").close(), daemon=True).start()


def test_an_oversized_file_is_refused_before_it_is_read(guarded: Guarded) -> None:
    big = guarded.imports / "huge.csv"
    with big.open("wb") as fh:  # sparse: 150 MB that take no disk
        fh.write(b"id,name\n")
        fh.truncate(150_000_000)
    started = time.monotonic()
    r = _from_path(guarded, str(big))
    assert r.status_code == 400, r.text
    assert "larger than 100,000,000 bytes (DPRKWATCH_MAX_FILE_BYTES)" in r.json()["detail"]
    assert time.monotonic() - started < 5


def test_devices_outside_and_missing_paths_get_one_message(
    guarded: Guarded, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("id,name\na,Kim\n")
    (guarded.imports / "link.csv").symlink_to(outside)
    details = {}
    for label, path in {
        "device": "/dev/zero",
        "outside": str(outside),
        "symlink out": str(guarded.imports / "link.csv"),
        "missing": str(guarded.imports / "missing.csv"),
        "relative escape": "../outside.csv",
    }.items():
        r = _from_path(guarded, path)
        assert r.status_code == 400, (label, r.text)
        details[label] = r.json()["detail"].replace(repr(path), "PATH")
    assert set(details.values()) == {
        "path: PATH is not a readable file in the import folders (DPRKWATCH_IMPORT_DIRS)"
    }, details
    assert guarded.service.admin.get("/books").json()["books"] == []
