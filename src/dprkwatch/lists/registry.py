"""Importer plugins: built-ins and third-party lists register the same way.

An importer is a class with a ``format`` name, the ``list_name`` it produces,
a ``sniff`` that scores a file's first bytes, and a ``load`` that returns a
:class:`~dprkwatch.lists.model.ListVersion`. Built-ins register with
:func:`register`; other packages can add importers through the
``dprkwatch.importers`` entry-point group, so adding a list (Japan, ROK,
Switzerland) is a new module, not an edit to a switch.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar, Protocol

from dprkwatch.lists.exceptions import FormatError, SourceError
from dprkwatch.lists.model import ListVersion

SNIFF_BYTES = 64 * 1024


class Importer(Protocol):
    """What every importer provides."""

    format: ClassVar[str]
    list_name: ClassVar[str]
    description: ClassVar[str]

    def sniff(self, path: Path, head: bytes) -> float:
        """Confidence in [0, 1] that ``path`` (whose first bytes are ``head``) is this format."""
        ...

    def load(self, path: Path) -> ListVersion:
        """Parse the file (and its companions, e.g. OFAC add/alt) into a list version."""
        ...


_REGISTRY: dict[str, type[Importer]] = {}
_loaded_builtins = False


def register(cls: type[Importer]) -> type[Importer]:
    """Class decorator: make an importer available by its ``format`` name."""
    _REGISTRY[cls.format] = cls
    return cls


def _load_plugins() -> None:
    global _loaded_builtins
    if _loaded_builtins:
        return
    _loaded_builtins = True
    # Built-in importers register themselves on import.
    from dprkwatch.lists import importers  # noqa: F401

    for ep in entry_points(group="dprkwatch.importers"):
        loaded: Callable[[], object] | type[Importer] = ep.load()
        if isinstance(loaded, type):
            register(loaded)


def formats() -> dict[str, type[Importer]]:
    """Every registered importer, by format name."""
    _load_plugins()
    return dict(sorted(_REGISTRY.items()))


def read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise SourceError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise SourceError(
            "is a directory; name the list file inside it", source=str(path)
        ) from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", source=str(path)) from None


def detect(path: Path, fmt: str | None = None) -> Importer:
    """The importer for ``path``: the forced ``fmt``, else the best sniff above 0.5."""
    importers = formats()
    if fmt is not None:
        if fmt not in importers:
            raise FormatError(
                f"unknown format {fmt!r} (known: {', '.join(importers)})", source=str(path)
            )
        return importers[fmt]()
    head = read_head(path)
    if not head.strip(b" \t\r\n\x1a\x00"):
        raise FormatError("file is empty", source=str(path))
    best: tuple[float, Importer | None] = (0.0, None)
    for cls in importers.values():
        importer = cls()
        score = importer.sniff(path, head)
        if score > best[0]:
            best = (score, importer)
    if best[1] is None or best[0] < 0.5:
        raise FormatError(
            "unknown format: not an OFAC CSV, UN/EU XML, EU/UK YAML, UK CSV or FtM JSON file "
            "(use --format to force one)",
            source=str(path),
        )
    return best[1]
