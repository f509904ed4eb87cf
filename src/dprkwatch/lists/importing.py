"""From paths on disk to activated snapshots: detect, parse, store, activate.

Every file is parsed before anything is written, so a bad file in a batch
leaves the store untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.registry import Importer, detect
from dprkwatch.lists.snapshot import Manifest, SnapshotStore

# A folder given on the command line is searched for these, in this order.
_MAIN_FILES = ("sdn.csv", "cons_prim.csv")
_MAIN_SUFFIXES = (".xml", ".yaml", ".yml", ".ftm.json", ".jsonl", ".json", ".csv")


def resolve_path(path: Path) -> Path:
    """The list file to read for ``path`` (a file, or a folder holding one)."""
    if not path.exists():
        raise SourceError("file not found", source=str(path))
    if path.is_file():
        return path
    by_lower = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    for name in _MAIN_FILES:
        if name in by_lower:
            return by_lower[name]
    files = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(_MAIN_SUFFIXES))
    if len(files) == 1:
        return files[0]
    raise SourceError(
        f"folder holds {len(files)} candidate list files; name one of them", source=str(path)
    )


def parse(path: Path, fmt: str | None = None, published: date | None = None) -> tuple[ListVersion, Importer]:
    """Parse one source (file or folder) into a list version."""
    main = resolve_path(path)
    importer = detect(main, fmt)
    version = importer.load(main)
    if published is not None:
        version.published = published
    return version, importer


def import_paths(
    store: SnapshotStore,
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    published: date | None = None,
    activate: bool = True,
    progress: Callable[[Path], None] | None = None,
) -> list[Manifest]:
    """Parse every path, then write and (by default) activate the snapshots together."""
    if not paths:
        raise SourceError("no files given")
    parsed: list[tuple[ListVersion, str]] = []
    for path in paths:
        version, importer = parse(path, fmt, published)
        parsed.append((version, str(getattr(importer, "version", "1"))))
        if progress is not None:
            progress(path)
    return store.import_versions(parsed, activate=activate)
