"""Paths on the server named in API requests (imports, books registered by path).

Only admin keys may name them; they are still checked for the things that
make the operating system raise instead of answering (NUL bytes, empty
strings), so a bad path is a 400 with a reason, never a 500.
"""

from __future__ import annotations

from pathlib import Path

from dprkwatch.exceptions import InputError


def server_path(raw: str, where: str) -> Path:
    if not raw.strip():
        raise InputError("empty path", where=where)
    if "\x00" in raw:
        raise InputError("path contains a NUL byte", where=where)
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("path is not valid UTF-8 text", where=where) from None
    return Path(raw)
