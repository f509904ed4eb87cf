"""Paths on the server named in API requests (list imports, books registered by path).

Only admin keys may name them, and even so a request must not become a way
to read the host: ``{"path": "/dev/zero"}`` once exhausted the memory, a FIFO
hung the request, and a refused ``/etc/shadow`` came back quoted in the
error. So a server path is honoured only when it

* lies, after every symbolic link is resolved, inside one of the folders
  named by ``DPRKWATCH_IMPORT_DIRS`` (none by default: no path is readable);
* is a regular file (or, for list imports, a folder of regular files) - no
  device, FIFO or socket is ever opened;
* is no larger than ``DPRKWATCH_MAX_FILE_BYTES``, checked before reading.

Missing, outside the folders, or not a regular file all get the same
message, so a caller cannot probe what exists where. Errors met while
reading such a file name the file, the row or line and the problem, but
never quote its content (:func:`withheld`).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from dprkwatch.exceptions import InputError

# Quoted values in messages ('...' or "...", as repr writes them).
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_MAX_MESSAGE = 200
_PLACE = re.compile(r"\b(?:row|line|record) \d+")


class ServerPaths:
    """The folders the service may read from, and the size limit of one file."""

    def __init__(self, roots: Sequence[Path], max_bytes: int) -> None:
        self.roots = tuple(Path(os.path.realpath(r)) for r in roots)
        self.max_bytes = max_bytes

    def file(self, raw: str, where: str) -> Path:
        """A regular file inside the import folders, within the size limit."""
        path = self._resolve(raw, where)
        self._check_file(path, raw, where)
        return path

    def source(self, raw: str, where: str) -> Path:
        """A file, or a folder whose entries are all regular files or folders, inside the import folders."""
        path = self._resolve(raw, where)
        info = _stat(path)
        if info is not None and stat.S_ISDIR(info.st_mode):
            try:
                entries = list(path.iterdir())
            except OSError:
                raise self._refused(raw, where) from None
            for entry in entries:
                real = Path(os.path.realpath(entry))
                sub = _stat(real)
                if sub is not None and stat.S_ISDIR(sub.st_mode) and self._inside(real):
                    continue
                self._check_file(real, raw, where)
            return path
        self._check_file(path, raw, where)
        return path

    def read(self, raw: str, where: str) -> tuple[Path, bytes]:
        """The bytes of a regular file inside the import folders (never more than the limit)."""
        path = self.file(raw, where)
        try:
            # O_NONBLOCK: should the file have been swapped for a FIFO since
            # the check, opening it does not wait for a writer.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            raise self._refused(raw, where) from None
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise self._refused(raw, where)
            self._check_size(info.st_size, raw, where)
            data = fh.read(self.max_bytes + 1)
        self._check_size(len(data), raw, where)
        return path, data

    # -- checks ------------------------------------------------------------

    def _resolve(self, raw: str, where: str) -> Path:
        if not raw.strip():
            raise InputError("empty path", where=where)
        if "\x00" in raw:
            raise InputError("path contains a NUL byte", where=where)
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError("path is not valid UTF-8 text", where=where) from None
        if not self.roots:
            raise InputError(
                "reading files on the server is not enabled: set DPRKWATCH_IMPORT_DIRS to the "
                "folders the service may import from",
                where=where,
            )
        candidates = [Path(raw)] if os.path.isabs(raw) else [root / raw for root in self.roots]
        for candidate in candidates:
            try:
                real = Path(os.path.realpath(candidate))
            except (OSError, ValueError):
                continue
            if self._inside(real) and _stat(real) is not None:
                return real
        raise self._refused(raw, where)

    def _inside(self, path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in self.roots)

    def _check_file(self, path: Path, raw: str, where: str) -> None:
        info = _stat(path)
        if info is None or not stat.S_ISREG(info.st_mode) or not self._inside(path):
            raise self._refused(raw, where)
        self._check_size(info.st_size, raw, where)

    def _check_size(self, size: int, raw: str, where: str) -> None:
        if size > self.max_bytes:
            raise InputError(
                f"{raw!r} is larger than {self.max_bytes:,} bytes (DPRKWATCH_MAX_FILE_BYTES)",
                where=where,
            )

    def _refused(self, raw: str, where: str) -> InputError:
        return InputError(
            f"{raw!r} is not a readable file in the import folders (DPRKWATCH_IMPORT_DIRS)",
            where=where,
        )


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except (OSError, ValueError):
        return None


def scrub(message: str) -> str:
    """``message`` without quoted values, on one line, at most 200 characters."""
    line = _QUOTED.sub("'…'", message.splitlines()[0] if message else "")
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…"


@contextlib.contextmanager
def withheld(display: str) -> Iterator[None]:
    """Input errors raised inside the block name the file and the row or line, quoting nothing.

    The file is named by its base name (``display`` when the error names
    none); the problem keeps its words but loses every quoted value, and the
    place keeps only its row or line number (a column name is the file's
    content too).
    """
    try:
        yield
    except InputError as exc:
        name = Path(exc.source).name if exc.source else display
        place = ", ".join(_PLACE.findall(exc.where or "")) or None
        raise InputError(scrub(exc.problem), source=name, where=place) from None
