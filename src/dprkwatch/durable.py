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
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from dprkwatch import forking
from dprkwatch.exceptions import LockTimeout


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


LOCK_TIMEOUT = 60.0
_POLL_FIRST, _POLL_MAX = 0.01, 0.1


def lock_holder(path: Path) -> int | None:
    """The process id the current (or last) holder of the lock ``path`` wrote into it."""
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def describe_process(pid: int) -> str:
    """``pid 1234 (dprkwatch lists import ...)`` where the command line can be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"pid {pid}"
    words = [w.decode("utf-8", "replace") for w in raw.split(b"\0") if w]
    command = " ".join(os.path.basename(w) if i == 0 else w for i, w in enumerate(words))
    return f"pid {pid} ({command[:120]})" if command else f"pid {pid}"


@contextlib.contextmanager
def locked(path: Path, *, timeout: float | None = None, what: str | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the file ``path`` (created if missing) for the block.

    How writers that share a folder take turns across processes: snapshot
    activation, the maritime and resolution stores, SQLite's writer and
    migrations. Threads of one process need their own lock as well (flock
    does not order threads sharing one open file). Three things make the
    lock safe to rely on:

    * **It is never inherited.** The descriptor is registered with
      :func:`dprkwatch.forking.parent_only`, so workers forked while it is
      held do not keep it after the holder dies (an ``flock`` lasts until
      the last process holding the file closes it; a killed process closes
      its own).
    * **Waiting can have a deadline.** With ``timeout`` (seconds; the data
      directory uses ``DPRKWATCH_LOCK_TIMEOUT``) a second writer polls until
      then and stops with :class:`~dprkwatch.exceptions.LockTimeout` rather
      than hanging with no word; without one it waits its turn.
    * **The holder is named.** The holder writes its process id into the
      file, so the message says which process (``what``: the thing locked)
      to look at.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    forking.parent_only(fd)
    try:
        if timeout is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            _acquire(fd, path, timeout, what or str(path))
        try:
            _name_holder(fd)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        forking.release(fd)
        os.close(fd)


# The holder's pid, right-aligned in a fixed width: rewritten in place at every turn.
_PID_WIDTH = 10


def _name_holder(fd: int) -> None:
    """Write this process's id into the held lock file, in place.

    Truncating first would cost an ext4 flush of the file at close (its
    rename-and-truncate safety net), milliseconds on every turn of a lock
    that the audit writer takes for each commit. A fixed-width record
    overwrites the last holder's without changing the file's size.
    """
    record = f"{os.getpid():>{_PID_WIDTH}}\n".encode("ascii")
    if os.fstat(fd).st_size != len(record):
        os.ftruncate(fd, 0)
    os.pwrite(fd, record, 0)


def _acquire(fd: int, path: Path, timeout: float, what: str) -> None:
    deadline = time.monotonic() + max(0.0, timeout)
    pause = _POLL_FIRST
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        now = time.monotonic()
        if now >= deadline:
            holder = lock_holder(path)
            who = describe_process(holder) if holder is not None else "another process"
            raise LockTimeout(
                f"{what} is busy: {who} holds {path}; gave up after {timeout:g} s "
                "(DPRKWATCH_LOCK_TIMEOUT)",
                holder=holder,
            )
        time.sleep(min(pause, deadline - now))
        pause = min(pause * 2, _POLL_MAX)


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
