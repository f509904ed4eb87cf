"""Listings read once per snapshot version and kept beside the resolution.

Reading a snapshot means parsing every FtM entity of it (some 28,000 for
the four lists) and folding its sanctions, wallets and links into listings:
seconds of CPU on every run, for a result that cannot change, since a
snapshot is immutable. So the listings of each ``list@version`` are written
once to ``resolution/cache/`` and read from there afterwards, as one
``marshal`` record (a tuple of field values per listing): loading that takes a
tenth of the time JSON takes.

The file name carries a hash of the code that makes listings (this package's
``records`` module and the identifier normalisers it calls) and of the DPRK
relevance rules (a re-run keeps an unchanged listing's evidence under the same
key), so a change to how listings are read simply misses and re-reads. A file that cannot be read
or has the wrong shape is ignored and rebuilt, never trusted. Files are
written atomically; files of other code versions, or of snapshots that are
gone, are removed on the next write.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import multiprocessing
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path

from dprkwatch import durable
from dprkwatch.forking import fork_is_safe
from dprkwatch.lists.snapshot import ENTITIES_FILE, Snapshot
from dprkwatch.matching import identifiers
from dprkwatch.resolution import records, relevance
from dprkwatch.resolution.records import Listing, read_snapshot

FORMAT = 2
_FIELDS = tuple(f.name for f in fields(Listing))


def _code_key() -> str:
    h = hashlib.sha256(str(FORMAT).encode())
    for module in (records, relevance, identifiers):
        source = module.__file__
        if source:
            h.update(Path(source).read_bytes())
    return h.hexdigest()[:12]


CODE_KEY = _code_key()


def cache_path(folder: Path, snapshot: Snapshot) -> Path:
    return folder / f"listings-{snapshot.list_name}-{snapshot.version}-{CODE_KEY}.marshal"


def _load(path: Path, snapshot: Snapshot) -> list[Listing] | None:
    try:
        data = marshal.loads(path.read_bytes())
        if (
            not isinstance(data, dict)
            or data.get("list") != snapshot.list_name
            or data.get("version") != snapshot.version
            or data.get("fields") != _FIELDS
        ):
            return None
        return [Listing(*row) for row in data["rows"]]
    except (OSError, EOFError, ValueError, KeyError, TypeError):
        return None


def read_cached(snapshot: Snapshot, folder: Path | None) -> tuple[list[Listing], bool]:
    """The listings of ``snapshot`` and whether they came from the cache."""
    if folder is None:
        return read_snapshot(snapshot), False
    path = cache_path(folder, snapshot)
    if path.exists():
        cached = _load(path, snapshot)
        if cached is not None:
            return cached, True
    listings = read_snapshot(snapshot)
    payload = {
        "list": snapshot.list_name,
        "version": snapshot.version,
        "fields": _FIELDS,
        # Field values as they are (marshal copies them; ``astuple`` would
        # deep-copy each one first, for nothing).
        "rows": [tuple(getattr(rec, name) for name in _FIELDS) for rec in listings],
    }
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        durable.write_bytes(path, marshal.dumps(payload))
    return listings, False


def read_active(
    snapshots: Mapping[str, Snapshot], folder: Path | None = None
) -> tuple[dict[str, Listing], dict[str, bool]]:
    """Every listing of ``snapshots`` by entity id, and which lists came from the cache.

    Two lists can hold the same id (OFAC's SDN and non-SDN lists number
    entries alike): the entry is then one listing, kept from the first list
    in name order, since the publisher says it is one record.
    """
    out: dict[str, Listing] = {}
    hits: dict[str, bool] = {}
    for name in sorted(snapshots):
        listings, hits[name] = read_cached(snapshots[name], folder)
        for rec in listings:
            out.setdefault(rec.id, rec)
    return out, hits


# Below this much entity data to read, a forked reader costs more than it saves.
BACKGROUND_MIN_BYTES = 4_000_000


class PendingRead:
    """Listings being read by a forked child (see :func:`read_soon`)."""

    def __init__(
        self,
        snapshots: Mapping[str, Snapshot],
        folder: Path | None,
        child: multiprocessing.process.BaseProcess | None,
        missing: frozenset[str],
    ) -> None:
        self._snapshots = snapshots
        self._folder = folder
        self._child = child
        self._missing = missing

    @property
    def forked(self) -> bool:
        return self._child is not None

    def result(self) -> tuple[dict[str, Listing], dict[str, bool]]:
        """What :func:`read_active` answers, once the child is done.

        The child's work arrives as cache files; whatever it did not write
        (it failed, or was killed) is read here. Lists the child read count
        as not cached.
        """
        if self._child is not None:
            self._child.join()
            self._child = None
        listings, hits = read_active(self._snapshots, self._folder)
        return listings, {k: hit and k not in self._missing for k, hit in hits.items()}


def read_soon(
    snapshots: Mapping[str, Snapshot], folder: Path | None, *, fork: bool = True
) -> PendingRead:
    """Start reading the listings not cached yet, in a forked child when that pays.

    A first or full run also builds the screening index from the same
    snapshots; reading the listings in a child meanwhile takes the few
    seconds of reading off the run's wall time. The child writes the cache
    files and the parent reads them (a tenth of the time). Without ``fork``,
    with little to read, or where forking is unsafe, everything is read
    in :meth:`PendingRead.result`.
    """
    missing = frozenset(
        name
        for name, snap in snapshots.items()
        if folder is None or not cache_path(folder, snap).exists()
    )
    size = sum(_entity_bytes(snapshots[name]) for name in missing)
    if folder is None or not fork or size < BACKGROUND_MIN_BYTES or not fork_is_safe():
        return PendingRead(snapshots, folder, None, missing)
    todo = {name: snapshots[name] for name in sorted(missing)}
    child = multiprocessing.get_context("fork").Process(
        target=_fill, args=(todo, folder), daemon=True
    )
    child.start()
    return PendingRead(snapshots, folder, child, missing)


def _entity_bytes(snapshot: Snapshot) -> int:
    try:
        return (snapshot.path / ENTITIES_FILE).stat().st_size
    except OSError:
        return 0


def _fill(snapshots: Mapping[str, Snapshot], folder: Path) -> None:
    for snapshot in snapshots.values():
        read_cached(snapshot, folder)


def prune(folder: Path, snapshots_root: Path) -> None:
    """Remove cache files of other code versions and of snapshots no longer stored."""
    if not folder.exists():
        return
    suffix = f"-{CODE_KEY}.marshal"
    for path in folder.glob("listings-*"):
        stem = path.name[len("listings-") : -len(suffix)]
        current = path.name.endswith(suffix) and any(
            stem[cut] == "-" and (snapshots_root / stem[:cut] / stem[cut + 1 :]).is_dir()
            for cut in range(len(stem))
        )
        if not current:
            with contextlib.suppress(OSError):
                path.unlink()
