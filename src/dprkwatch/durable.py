"""Durable file writes: a reader sees the old file or the new one, never half of one.

Everything dprkwatch writes for later (snapshot pointers, ledger datasets,
maritime stores and event files, exports, plots, keys) goes through here:
write to a temporary name in the same folder, flush and fsync, rename over
the target, fsync the folder. A crash or ``kill -9`` at any moment leaves
either the previous file or the complete new one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a rename or new entry in ``path`` survive a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file someone else wrote (Parquet, CSV writers) to disk."""
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def replacing(path: Path, *, mode: int | None = None) -> Iterator[Path]:
    """A temporary path beside ``path``; when the block succeeds it replaces ``path``.

    The caller writes the temporary file however it likes (any library that
    takes a path); it is then fsynced and renamed over ``path``. If the block
    raises, the temporary file is removed and ``path`` is untouched. ``mode``
    sets the permissions before anything is written (0o600 for secrets).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    if mode is not None:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    try:
        yield tmp
        fsync_file(tmp)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the file ``path`` (created if missing) for the block.

    How writers that share a folder take turns across processes: snapshot
    activation, the maritime and resolution stores, SQLite's writer and
    migrations. The lock goes with the open file, so a process that dies
    releases it; threads of one process need their own lock as well (flock
    does not order threads sharing one open file).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` in one step."""
    with replacing(path, mode=mode) as tmp, tmp.open("r+b" if mode is not None else "wb") as fh:
        fh.write(data)


def write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step."""
    write_bytes(path, text.encode("utf-8"), mode=mode)


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size
