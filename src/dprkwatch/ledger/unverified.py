"""Rows flagged ``unverified``, each with the reason it could not be verified.

``dprkwatch ledger validate`` lists them; the loader refuses an unverified
row without a reason (its ``note``), so the list always says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from dprkwatch.ledger.model import Confidence


@dataclass(frozen=True)
class Unverified:
    """One unverified row: file, which row (id and path inside it), and why."""

    file: str
    where: str
    reason: str
    record: Any
    path: tuple[str | int, ...]


def _walk(obj: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(obj, BaseModel):
        yield path, obj
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), (*path, name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _walk(item, (*path, i))


def _label(rec: Any, path: tuple[str | int, ...]) -> str:
    head = getattr(rec, "id", None) or getattr(rec, "key", None) or "row"
    inner = ".".join(str(p) for p in path)
    return f"{head}{' ' + inner if inner else ''}"


def unverified_rows(ledger: Any) -> list[Unverified]:
    """Every row or nested item whose ``confidence`` is ``unverified``, in file order."""
    from dprkwatch.ledger.loader import FILES

    out: list[Unverified] = []
    for name in FILES:
        for rec in getattr(ledger, name.removesuffix(".yaml")):
            for path, item in _walk(rec, ()):
                if getattr(item, "confidence", None) is Confidence.UNVERIFIED:
                    reason = getattr(item, "note", None) or ""
                    out.append(Unverified(name, _label(rec, path), reason.strip(), rec, path))
    return out
