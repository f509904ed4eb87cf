"""Importer registries: one machine for every kind of source file.

Lists (OFAC, UN, EU, UK, FtM) and ledger events (CNS, CSIS, OFAC
first-seen) are imported the same way: an importer class names its
``format``, scores a file's name and first bytes with ``sniff`` and parses
it with ``load``. Each kind keeps one :class:`Registry`; built-ins register
with its ``register`` decorator when their package is imported, and other
packages can add importers through an entry-point group, so a new source is
a new module, not an edit to a switch.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar, Generic, Protocol, TypeVar

from dprkwatch.exceptions import InputError
from dprkwatch.sources import read_head

#: The least sniff score that counts as "this is my format".
THRESHOLD = 0.5


class Sniffer(Protocol):
    """What a registry needs of an importer (each kind adds its own ``load``)."""

    format: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, path: Path, head: bytes) -> float:
        """Confidence in [0, 1] that ``path`` (whose first bytes are ``head``) is this format."""
        ...


ImporterT = TypeVar("ImporterT", bound=Sniffer)


class Registry(Generic[ImporterT]):
    """The importers of one kind, by format name.

    ``builtins`` imports the package whose modules register themselves;
    it runs on first use, so that importing the registry stays cheap.
    """

    def __init__(
        self,
        *,
        builtins: Callable[[], object],
        error: type[InputError],
        head_bytes: int,
        group: str | None = None,
    ) -> None:
        self._importers: dict[str, type[ImporterT]] = {}
        self._builtins = builtins
        self._loaded = False
        self.error = error
        self.head_bytes = head_bytes
        self.group = group

    def register(self, cls: type[ImporterT]) -> type[ImporterT]:
        """Class decorator: make an importer available by its ``format`` name."""
        self._importers[cls.format] = cls
        return cls

    def formats(self) -> dict[str, type[ImporterT]]:
        """Every registered importer, by format name."""
        if not self._loaded:
            self._loaded = True
            self._builtins()
            if self.group is not None:
                for ep in entry_points(group=self.group):
                    loaded = ep.load()
                    if isinstance(loaded, type):
                        self.register(loaded)
        return dict(sorted(self._importers.items()))

    def named(self, fmt: str, path: Path) -> ImporterT:
        """The importer called ``fmt``; a one-line error naming the known ones otherwise."""
        known = self.formats()
        if fmt not in known:
            raise self.error(
                f"unknown format {fmt!r} (known: {', '.join(known)})", source=str(path)
            )
        return known[fmt]()

    def head(self, path: Path) -> bytes:
        return read_head(path, self.head_bytes, self.error)

    def sniff(self, path: Path, head: bytes | None = None) -> ImporterT | None:
        """The importer that scores ``path`` highest, at least :data:`THRESHOLD`; else ``None``."""
        head = self.head(path) if head is None else head
        best: tuple[float, ImporterT | None] = (0.0, None)
        for cls in self.formats().values():
            importer = cls()
            score = importer.sniff(path, head)
            if score > best[0]:
                best = (score, importer)
        return best[1] if best[0] >= THRESHOLD else None
