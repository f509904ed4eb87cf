"""The data directory and the database are the owner's alone.

The database holds every screened customer name and every review, so under
the usual ``umask 022`` its default modes (folder 0755, files 0644) let any
local user read them. :func:`private_dir` gives the data directory 0700 -
which closes everything below it - and :func:`private_file` gives the
database files 0600, creating them that way before SQLite opens them (SQLite
creates its ``-wal`` and ``-shm`` files with the mode of the database file).
Only what the current user owns is changed.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) with mode 0700, or take group and other access away."""
    if not path.exists():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # mkdir's mode is filtered through the umask
            os.chmod(path, DIR_MODE)
        return path
    _tighten(path)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if missing, or take group and other access away."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    except FileExistsError:
        _tighten(path)
    else:
        os.close(fd)
    return path


def _tighten(path: Path) -> None:
    try:
        info = path.stat()
    except OSError:
        return
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
        with contextlib.suppress(OSError):
            os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o077)
