"""Reading the files users name: the one place an OS error becomes a one-line input error.

Every importer, reader and loader opens files the user named, and each must
answer a missing file, a folder, an unreadable or over-long path with one
line naming the file - never a traceback. :func:`unreadable` is that
mapping (and :func:`reading` the block that applies it), raised as the
caller's own error class so each package keeps its exception tree;
:func:`read_head` reads the first bytes a format sniffer looks at, and
:func:`read_content` a whole file that must hold more than blanks, and
:func:`utf8_text` decodes it, naming the line and column of a bad byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dprkwatch.exceptions import InputError


def unreadable(
    path: Path | str, exc: OSError, error: type[InputError] = InputError, *, verb: str = "read"
) -> InputError:
    """The one-line error for ``exc``, raised while trying to ``verb`` the file ``path``."""
    if verb == "read" and isinstance(exc, FileNotFoundError):
        return error("file not found", source=str(path))
    if verb == "read" and isinstance(exc, IsADirectoryError):
        return error("is a directory; name a file inside it", source=str(path))
    return error(f"cannot {verb}: {exc.strerror or exc}", source=str(path))


@contextmanager
def reading(
    path: Path | str, error: type[InputError] = InputError, *, verb: str = "read"
) -> Iterator[None]:
    """Run the body; an ``OSError`` in it becomes ``error`` naming ``path`` in one line."""
    try:
        yield
    except OSError as exc:
        raise unreadable(path, exc, error, verb=verb) from None


def read_head(path: Path, size: int, error: type[InputError] = InputError) -> bytes:
    """The first ``size`` bytes of ``path`` (what format sniffers look at)."""
    with reading(path, error), path.open("rb") as fh:
        return fh.read(size)


def read_content(path: Path, error: type[InputError] = InputError) -> bytes:
    """The whole of ``path``; a file of nothing but blanks is ``error`` ("file is empty")."""
    with reading(path, error):
        data = path.read_bytes()
    if not data.strip():
        raise error("file is empty", source=str(path))
    return data


def utf8_text(path: Path, data: bytes, error: type[InputError] = InputError) -> str:
    """``data`` (read from ``path``) as UTF-8 text, a byte-order mark dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise error(
            f"wrong encoding: not valid UTF-8 ({exc.reason})",
            source=str(path),
            where=f"line {line}, column {column}",
        ) from None
