"""Immutable, content-addressed snapshots of list versions, activated atomically.

Layout of the data directory::

    snapshots/<list>/<version>/manifest.json      what, from which files, counts
    snapshots/<list>/<version>/entities.ftm.json  FtM JSON lines (interchange format)
    snapshots/<list>/<version>/names.json         name details sidecar (lang, kind, quality)
    active.json                                   {list: version} in force for screening
    .lock                                         held while importing

A version id is ``<published>-<hash>``, the hash taken over the list name,
format, importer version and the SHA-256 of every source file, so importing
the same files twice yields the same snapshot. A snapshot is written to a
temporary directory, fsynced and renamed into place; ``active.json`` is then
replaced in one ``os.replace``. Whatever fails or is killed before that
replace leaves the previously active snapshots exactly as they were.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from dprkwatch import __version__, durable
from dprkwatch.datadir import DataDir
from dprkwatch.durable import fsync_dir, sha256_file
from dprkwatch.lists.exceptions import ActivationRefused, SnapshotNotFound, SourceError
from dprkwatch.lists.names import NameDetail
from dprkwatch.lists.programs import any_dprk

if TYPE_CHECKING:
    # FollowTheMoney's model takes about a second to load; readers of stored
    # snapshots that only want dicts (resolution, the index cache) skip it.
    from followthemoney import ValueEntity

    from dprkwatch.lists.activation import Decision
    from dprkwatch.lists.model import ListVersion

ENTITIES_FILE = "entities.ftm.json"
NAMES_FILE = "names.json"
MANIFEST_FILE = "manifest.json"
_DATE_IN_PATH = re.compile(r"(?<!\d)((?:19|20)\d{2}-\d{2}(?:-\d{2})?)(?!\d)")


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    """Everything an auditor needs to know about one list version."""

    list_name: str
    version: str
    format: str
    published: str | None
    imported_at: str
    importer_version: str
    dprkwatch_version: str
    sources: list[SourceFile]
    counts: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    # Key of the publication (dprkwatch.lists.sources); None for FtM files and
    # for snapshots stored before sources were recorded (see ``source_key``).
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        data = dict(data)
        data["sources"] = [SourceFile(**s) for s in data.get("sources", [])]
        return cls(**data)

    @property
    def ref(self) -> str:
        return f"{self.list_name}@{self.version}"


class Snapshot:
    """One stored list version. Cheap to open; entities are read on demand."""

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path = path
        self.manifest = manifest

    def __repr__(self) -> str:
        return f"<Snapshot {self.manifest.ref}>"

    @property
    def list_name(self) -> str:
        return self.manifest.list_name

    @property
    def version(self) -> str:
        return self.manifest.version

    def iter_dicts(self) -> Iterator[dict[str, Any]]:
        """Entity dicts as stored (fast path for indexing)."""
        with (self.path / ENTITIES_FILE).open("rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line)

    def entities(self) -> Iterator[ValueEntity]:
        from followthemoney import ValueEntity

        for data in self.iter_dicts():
            yield ValueEntity.from_dict(data, cleaned=True)

    def names(self) -> list[NameDetail]:
        rows = orjson.loads((self.path / NAMES_FILE).read_bytes())
        return [NameDetail.from_row(r) for r in rows]


def _sha256_file(path: Path) -> SourceFile:
    digest, size = sha256_file(path)
    return SourceFile(name=path.name, sha256=digest, bytes=size)


def published_from_path(paths: Sequence[Path]) -> str | None:
    """A date embedded in a file or folder name (``sdn_2024-05-03``), if any.

    The grandparent folder counts too: ``lists update`` saves files under
    ``downloads/<date>/<source>/``, and for a list whose files carry no date
    (OFAC's legacy CSV) the day it was fetched is the best statement of
    when it was published (on or before).
    """
    for path in paths:
        for part in (path.name, path.parent.name, path.parent.parent.name):
            m = _DATE_IN_PATH.search(part)
            if m:
                return m.group(1)
    return None


COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction")


def count_version(version: ListVersion) -> dict[str, Any]:
    by_schema: Counter[str] = Counter()
    by_program: Counter[str] = Counter()
    dprk_by_schema: Counter[str] = Counter()
    for entity in version.subjects():
        by_schema[entity.schema.name] += 1
        codes = entity.get("programId", quiet=True)
        for code in codes:
            by_program[code] += 1
        # A generator: the countries are only read where the list needs them.
        countries = (c for p in COUNTRY_PROPS for c in entity.get(p, quiet=True))
        if any_dprk(version.list_name, codes, countries):
            dprk_by_schema[entity.schema.name] += 1
    wallets = sum(1 for e in version.entities.values() if e.schema.name == "CryptoWallet")
    return {
        "entities": sum(by_schema.values()),
        "by_schema": dict(sorted(by_schema.items())),
        "by_program": dict(sorted(by_program.items())),
        "dprk": sum(dprk_by_schema.values()),
        "dprk_by_schema": dict(sorted(dprk_by_schema.items())),
        "wallets": wallets,
        "names": len(version.names),
    }


def _write_bytes(path: Path, data: bytes) -> str:
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return hashlib.sha256(data).hexdigest()


class SnapshotStore:
    """The snapshots in one data directory."""

    def __init__(self, home: Path, *, lock_timeout: float = durable.LOCK_TIMEOUT) -> None:
        self.home = Path(home)
        self.layout = DataDir(self.home)
        self.root = self.layout.snapshots
        self.lock_timeout = lock_timeout

    # -- locking -----------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock held while writing; readers never need it.

        Waits at most ``lock_timeout`` seconds, then raises
        :class:`~dprkwatch.exceptions.LockTimeout` naming the holder; workers
        forked while it is held do not inherit it (see :func:`durable.locked`).
        """
        with durable.locked(
            self.layout.lists_lock,
            timeout=self.lock_timeout,
            what=f"the data directory {self.home}",
        ):
            yield

    # -- writing -----------------------------------------------------------

    def write(self, version: ListVersion, importer_version: str = "1") -> Manifest:
        """Store one list version as an immutable snapshot (not yet active)."""
        sources = [_sha256_file(p) for p in version.sources]
        h = hashlib.sha256()
        h.update(f"{version.list_name}\0{version.format}\0{importer_version}\0".encode())
        for s in sorted(sources, key=lambda s: s.sha256):
            h.update(s.sha256.encode())
        published = (
            version.published.isoformat()
            if version.published
            else published_from_path(version.sources)
        )
        vid = f"{published or 'undated'}-{h.hexdigest()[:12]}"
        target = self.root / version.list_name / vid
        if (target / MANIFEST_FILE).exists():
            return self._read_manifest(target)

        tmp = self.root / version.list_name / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        try:
            ent_bytes = b"".join(
                orjson.dumps(e.to_dict()) + b"\n" for e in version.entities.values()
            )
            names_bytes = orjson.dumps([n.to_row() for n in version.names])
            files = {
                ENTITIES_FILE: _write_bytes(tmp / ENTITIES_FILE, ent_bytes),
                NAMES_FILE: _write_bytes(tmp / NAMES_FILE, names_bytes),
            }
            manifest = Manifest(
                list_name=version.list_name,
                version=vid,
                format=version.format,
                published=published,
                imported_at=datetime.now(UTC).isoformat(timespec="seconds"),
                importer_version=importer_version,
                dprkwatch_version=__version__,
                sources=sources,
                counts=count_version(version),
                warnings=version.warnings[:1000],
                files=files,
                source=version.source,
            )
            _write_bytes(
                tmp / MANIFEST_FILE, orjson.dumps(manifest.to_dict(), option=orjson.OPT_INDENT_2)
            )
            fsync_dir(tmp)
            os.rename(tmp, target)
            fsync_dir(target.parent)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return manifest

    def activate(self, versions: dict[str, str]) -> dict[str, str]:
        """Make the given {list: version} active, keeping other lists as they are."""
        for list_name, vid in versions.items():
            if not (self.root / list_name / vid / MANIFEST_FILE).exists():
                raise SnapshotNotFound(f"no snapshot {list_name}@{vid}")
        active = self.active_versions()
        active.update(versions)
        durable.write_bytes(
            self.layout.active_lists,
            orjson.dumps(dict(sorted(active.items())), option=orjson.OPT_INDENT_2),
        )
        return active

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock for a batch of imports; undo the batch's new snapshots if it fails.

        Snapshots written inside the block that did not exist before are
        removed again when the block raises, so a failed batch leaves the
        store as it found it (a ``kill -9`` can leave complete but inactive
        snapshots, which are harmless and reused by the next import).
        """
        with self.lock():
            self._clean_tmp()
            before = self._snapshot_dirs()
            try:
                yield
            except BaseException:
                for path in self._snapshot_dirs() - before:
                    shutil.rmtree(path, ignore_errors=True)
                raise

    def _snapshot_dirs(self) -> set[Path]:
        if not self.root.exists():
            return set()
        return {
            p
            for d in self.root.iterdir()
            if d.is_dir()
            for p in d.iterdir()
            if p.is_dir() and not p.name.startswith(".")
        }

    def activate_newest(
        self,
        manifests: Iterable[Manifest],
        *,
        force: bool = False,
        max_drop: float | None = None,
    ) -> list[Decision]:
        """Activate, in one step, the newest published version of each list among ``manifests``.

        Only versions that :func:`dprkwatch.lists.activation.decide` accepts
        (not older, not much smaller than the active ones) unless ``force``;
        if any is refused, none is activated and :class:`ActivationRefused`
        says why in one line. Call it with the store's lock held.
        """
        from dprkwatch.lists import activation

        candidates = list(activation.newest(manifests).values())
        active = self.active_manifests()
        decisions = activation.decide(
            candidates,
            active,
            force=force,
            max_drop=activation.DEFAULT_MAX_DROP if max_drop is None else max_drop,
        )
        refused = activation.refusal(decisions)
        if refused:
            raise ActivationRefused(refused)
        self.activate({d.manifest.list_name: d.manifest.version for d in decisions})
        return decisions

    def active_manifests(self) -> dict[str, Manifest]:
        """The manifest of each list's active version."""
        return {name: snap.manifest for name, snap in self.active().items()}

    def _clean_tmp(self) -> None:
        if not self.root.exists():
            return
        for list_dir in self.root.iterdir():
            if list_dir.is_dir():
                for tmp in list_dir.glob(".tmp-*"):
                    shutil.rmtree(tmp, ignore_errors=True)

    # -- reading -----------------------------------------------------------

    def active_versions(self) -> dict[str, str]:
        path = self.layout.active_lists
        if not path.exists():
            return {}
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise SourceError(f"corrupt active pointer ({exc})", source=str(path)) from None
        return {str(k): str(v) for k, v in data.items()}

    def fingerprint(self) -> tuple[str, ...]:
        """Every stored ``list/version``, read with a directory listing per list.

        Snapshot folders are immutable and content-addressed, so this changes
        exactly when a version is added or removed: what caches of analyses
        over the lists key on.
        """
        versions: list[str] = []
        if self.root.is_dir():
            for lst in self.root.iterdir():
                if lst.is_dir():
                    versions.extend(
                        f"{lst.name}/{v.name}" for v in lst.iterdir() if not v.name.startswith(".")
                    )
        return tuple(sorted(versions))

    def _read_manifest(self, path: Path) -> Manifest:
        return Manifest.from_dict(orjson.loads((path / MANIFEST_FILE).read_bytes()))

    def open(self, list_name: str, version: str) -> Snapshot:
        path = self.root / list_name / version
        if not (path / MANIFEST_FILE).exists():
            raise SnapshotNotFound(f"no snapshot {list_name}@{version}")
        return Snapshot(path, self._read_manifest(path))

    def active(self) -> dict[str, Snapshot]:
        """The active snapshot of every list."""
        return {name: self.open(name, vid) for name, vid in self.active_versions().items()}

    def lists(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")
        )

    def versions(self, list_name: str) -> list[Manifest]:
        """Every stored version of a list, oldest publication first."""
        base = self.root / list_name
        if not base.exists():
            return []
        manifests = [
            self._read_manifest(p)
            for p in base.iterdir()
            if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST_FILE).exists()
        ]
        return sorted(manifests, key=lambda m: (m.published or "", m.imported_at))

    def resolve(self, ref: str) -> Snapshot:
        """Find a snapshot by ``list`` (active), ``list@version``, ``list@<date prefix>`` or a version id."""
        if "@" in ref:
            list_name, _, want = ref.partition("@")
            candidates = [list_name]
        else:
            want = ""
            candidates = self.lists() if ref not in self.lists() else [ref]
            if ref in self.lists():
                vid = self.active_versions().get(ref)
                if vid is None:
                    versions = self.versions(ref)
                    if not versions:
                        raise SnapshotNotFound(f"no snapshots of list {ref!r}")
                    vid = versions[-1].version
                return self.open(ref, vid)
            want = ref
        matches = [
            (name, m.version)
            for name in candidates
            for m in self.versions(name)
            if m.version == want or m.version.startswith(want)
        ]
        if not matches:
            raise SnapshotNotFound(f"no snapshot matches {ref!r}")
        if len(matches) > 1:
            exact = [mv for mv in matches if mv[1] == want]
            if len(exact) != 1:
                refs = ", ".join(f"{n}@{v}" for n, v in matches[:5])
                raise SnapshotNotFound(f"{ref!r} is ambiguous: {refs}")
            matches = exact
        return self.open(*matches[0])
