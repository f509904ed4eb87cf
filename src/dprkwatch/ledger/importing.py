"""Event importers: CNS missile launches, CSIS provocations, OFAC first-seen dates.

Each importer is a class with a ``format`` name, the ``dataset`` it produces,
a ``sniff`` that scores a file by its name and first bytes, and a ``load``
that parses the whole file into a :class:`Dataset` (or raises
:class:`~dprkwatch.ledger.exceptions.EventSourceError` naming the file, the
place and the problem). Built-ins register with :func:`register` (the
registry is :class:`dprkwatch.plugins.Registry`, shared with the list
importers); adding a source is a new module in ``ledger/importers/``, not an
edit here.

Importers read every field they know, and list fields they do not handle as
warnings rather than silently dropping them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

from dprkwatch.durable import sha256_file
from dprkwatch.ledger.exceptions import EventSourceError
from dprkwatch.plugins import Registry

SNIFF_BYTES = 16 * 1024


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str
    bytes: int

    @classmethod
    def of(cls, path: Path) -> SourceFile:
        digest, size = sha256_file(path)
        return cls(name=path.name, sha256=digest, bytes=size)


@dataclass
class Dataset:
    """One imported file, normalised: events for the timeline or designations."""

    name: str
    family: str
    kind: Literal["events", "designations"]
    importer: str
    citation: str
    licence: str
    sources: list[SourceFile]
    coverage: tuple[str, str]
    records: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    imported_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )

    def manifest(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("records")
        data["records"] = len(self.records)
        return data


class EventImporter(Protocol):
    """What every event importer provides."""

    format: ClassVar[str]
    dataset: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, path: Path, head: bytes) -> float:
        """Confidence in [0, 1] that ``path`` is this importer's format."""
        ...

    def load(self, path: Path) -> Dataset:
        """Parse the file into a dataset; raise EventSourceError on bad input."""
        ...


def _builtins() -> None:
    from dprkwatch.ledger import importers  # noqa: F401  (built-ins register on import)


IMPORTERS: Registry[EventImporter] = Registry(
    builtins=_builtins, error=EventSourceError, head_bytes=SNIFF_BYTES
)
register = IMPORTERS.register
formats = IMPORTERS.formats


def detect(path: Path, fmt: str | None = None) -> EventImporter | None:
    """The importer for ``path`` (or the one named ``fmt``); ``None`` if nothing fits."""
    return IMPORTERS.named(fmt, path) if fmt is not None else IMPORTERS.sniff(path)


def expand(
    paths: Sequence[Path], fmt: str | None = None
) -> tuple[list[tuple[Path, EventImporter]], list[str]]:
    """Files to import: each file as given, each folder's recognised files; plus skip notes."""
    chosen: list[tuple[Path, EventImporter]] = []
    skipped: list[str] = []
    for path in paths:
        if not path.exists():
            raise EventSourceError("file not found", source=str(path))
        if path.is_dir():
            for child in sorted(p for p in path.iterdir() if p.is_file()):
                imp = detect(child, fmt)
                if imp is None:
                    skipped.append(child.name)
                else:
                    chosen.append((child, imp))
            continue
        imp = detect(path, fmt)
        if imp is None:
            raise EventSourceError(
                f"not a recognised event file (formats: {', '.join(formats())})", source=str(path)
            )
        chosen.append((path, imp))
    return chosen, skipped


def open_csv(
    path: Path, required: Sequence[str], handled: Collection[str]
) -> tuple[csv.DictReader[str], list[str]]:
    """A dict reader over a UTF-8 CSV event file whose header has every ``required`` column.

    Returns the reader and a warning for each column the importer does not
    handle, so a new column upstream is noticed instead of silently dropped.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise EventSourceError("not UTF-8 text", source=path.name) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise EventSourceError(
            f"missing column(s): {', '.join(missing)}", source=path.name, where="line 1"
        )
    warnings = [f"column {c!r} not handled" for c in header if c not in handled]
    return reader, warnings
