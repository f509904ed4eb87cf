"""Importer plugins: built-ins and third-party lists register the same way.

An importer is a class with a ``format`` name, the ``list_name`` it produces,
a ``sniff`` that scores a file's first bytes, and a ``load`` that returns a
:class:`~dprkwatch.lists.model.ListVersion`. Built-ins register with
:func:`register`; other packages can add importers through the
``dprkwatch.importers`` entry-point group, so adding a list (Japan, ROK,
Switzerland) is a new module, not an edit to a switch. The machine is
:class:`dprkwatch.plugins.Registry`, shared with the ledger's event importers.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Protocol

from dprkwatch.lists.exceptions import FormatError, SourceError
from dprkwatch.lists.model import ListVersion
from dprkwatch.plugins import Registry

SNIFF_BYTES = 64 * 1024


class Importer(Protocol):
    """What every importer provides."""

    format: ClassVar[str]
    list_name: ClassVar[str]
    # Key into dprkwatch.lists.sources.SOURCES (publisher, retirement); None when unknown.
    source: ClassVar[str | None]
    description: ClassVar[str]

    def sniff(self, path: Path, head: bytes) -> float:
        """Confidence in [0, 1] that ``path`` (whose first bytes are ``head``) is this format."""
        ...

    def load(self, path: Path) -> ListVersion:
        """Parse the file (and its companions, e.g. OFAC add/alt) into a list version."""
        ...


def _builtins() -> None:
    # Built-in importers register themselves on import.
    from dprkwatch.lists import importers  # noqa: F401


IMPORTERS: Registry[Importer] = Registry(
    builtins=_builtins, error=SourceError, head_bytes=SNIFF_BYTES, group="dprkwatch.importers"
)
register = IMPORTERS.register
formats = IMPORTERS.formats


def detect(path: Path, fmt: str | None = None) -> Importer:
    """The importer for ``path``: the forced ``fmt``, else the best sniff above 0.5."""
    if fmt is not None:
        return IMPORTERS.named(fmt, path)
    head = IMPORTERS.head(path)
    if not head.strip(b" \t\r\n\x1a\x00"):
        raise FormatError("file is empty", source=str(path))
    found = IMPORTERS.sniff(path, head)
    if found is None:
        raise FormatError(
            "unknown format: no importer recognises it (see `dprkwatch lists formats`; "
            "use --format to force one)",
            source=str(path),
        )
    return found
