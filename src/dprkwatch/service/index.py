"""The screener in memory, swapped atomically when the active lists change.

Building a screener over every active snapshot takes seconds, so it happens
on a background thread: at start-up (``/readyz`` answers 503 until it is
done) and whenever ``active.json`` names other versions - after an import
through this process at once, after an import by another process within
``poll`` seconds. Requests always see one complete screener; the old one
keeps serving until the new one is ready.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from dprkwatch.exceptions import DprkwatchError
from dprkwatch.lists import SnapshotStore
from dprkwatch.lists.freshness import DEFAULT_MAX_AGE_DAYS, assess, today_utc
from dprkwatch.lists.snapshot import Manifest
from dprkwatch.matching import Screener
from dprkwatch.service import seen
from dprkwatch.service.collector import keep_out_of_collections
from dprkwatch.service.datasets import Datasets
from dprkwatch.service.entities import EntityStore
from dprkwatch.service.exceptions import Unavailable
from dprkwatch.service.search import SearchIndex
from dprkwatch.service.subjects import entity_hash

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


def build_screener(store: SnapshotStore) -> Screener:
    return Screener.from_store(store)


def resolved_targets(store: SnapshotStore) -> dict[str, list[str]]:
    """Target id -> its listings, from the last resolution run if there is one (else nothing)."""
    from dprkwatch.resolution import ResolutionStore

    resolutions = ResolutionStore(store.home)
    if not resolutions.exists():
        return {}
    try:
        resolution = resolutions.load()
    except DprkwatchError as exc:  # serve without referents rather than not at all
        log.warning("resolution not used for referents: %s", exc)
        return {}
    return {tid: list(t.members) for tid, t in resolution.targets.items()}


def build_entities(store: SnapshotStore, active: dict[str, str]) -> EntityStore:
    """Every entity of the active snapshots, with history dates and resolved referents."""
    snapshots = {name: store.open(name, version) for name, version in active.items()}
    return EntityStore.build(
        snapshots, seen.history(store, active), targets=resolved_targets(store)
    )


@dataclass
class Loaded:
    """One built screener and what it was built from."""

    screener: Screener
    versions: dict[str, str]  # as the screener reports them
    active: dict[str, str]  # active.json when the build started
    generation: int
    # The manifests of the lists built, for saying how old each was when it screened.
    manifests: dict[str, Manifest] = field(default_factory=dict)
    max_age_days: int = DEFAULT_MAX_AGE_DAYS
    entities: EntityStore = field(default_factory=EntityStore)
    _search: SearchIndex | None = None
    _hashes: dict[str, str | None] = field(default_factory=dict)
    # staleness() per day and selection of lists: the same for every request of a day.
    _staleness: dict[tuple[Any, tuple[str, ...]], dict[str, dict[str, Any]]] = field(
        default_factory=dict
    )

    @property
    def algorithm(self) -> str:
        return str(self.screener.algorithm)

    @cached_property
    def datasets(self) -> Datasets:
        """The dataset names valid for these lists (built once, not per request)."""
        return Datasets(self.versions)

    @cached_property
    def dprk_ids(self) -> frozenset[str]:
        """Listed subjects under a DPRK programme (what the ``dprk`` dataset holds)."""
        return frozenset(r.id for r in self.screener.index.records if r.dprk)

    @property
    def search(self) -> SearchIndex:
        """The text index over every entity (built with the screener)."""
        if self._search is None:
            self._search = SearchIndex(self.entities)
        return self._search

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        return self.screener.get(entity_id)

    def staleness(self, lists: list[str]) -> dict[str, dict[str, Any]]:
        """How old each of ``lists`` is now and why it is stale, for the audit record.

        Worked out once a day per selection of lists (every screening asks);
        the answer is shared, so callers must not change it.
        """
        today = today_utc()
        key = (today, tuple(lists))
        cached = self._staleness.get(key)
        if cached is not None:
            return cached
        out: dict[str, dict[str, Any]] = {}
        for name in lists:
            manifest = self.manifests.get(name)
            if manifest is None:
                continue
            verdict = assess(manifest, today=today, max_age_days=self.max_age_days)
            out[name] = {
                "source": verdict.source,
                "published": verdict.published,
                "age_days": verdict.age_days,
                "warnings": list(verdict.warnings),
            }
        if len(self._staleness) > 256:  # a new day, or many distinct selections
            self._staleness.clear()
        self._staleness[key] = out
        return out

    def entity_hash(self, entity_id: str) -> str | None:
        """Content hash of a listed entity, cached for the life of this screener."""
        if entity_id not in self._hashes:
            entity = self.entity(entity_id)
            self._hashes[entity_id] = entity_hash(entity) if entity is not None else None
        return self._hashes[entity_id]


class LiveIndex:
    def __init__(
        self,
        store: SnapshotStore,
        builder: Callable[[SnapshotStore], Screener] = build_screener,
        poll: float = POLL_SECONDS,
        max_age_days: int = DEFAULT_MAX_AGE_DAYS,
        search: bool = True,
    ) -> None:
        self.store = store
        # Build the text index with the screener (else on first use: the bulk
        # screening process never searches).
        self.search = search
        self.max_age_days = max_age_days
        self.builder = builder
        self.poll = poll
        self._loaded: Loaded | None = None
        self._error: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._generation = 0
        # Called (on the loader's thread) after each screener is made current.
        self.on_load: Callable[[Loaded], None] | None = None

    @property
    def ready(self) -> bool:
        return self._loaded is not None

    def current(self) -> Loaded:
        """The screener to use now; :class:`Unavailable` while the first one is built."""
        loaded = self._loaded
        if loaded is None:
            reason = f" (last attempt failed: {self._error})" if self._error else ""
            raise Unavailable(f"the screening index is still loading{reason}")
        return loaded

    def load(self) -> Loaded:
        """Build a screener over the active snapshots now and make it current."""
        with self._lock:
            versions = self.store.active_versions()
            screener = self.builder(self.store)
            built = screener.versions
            entities = build_entities(self.store, built)
            self._generation += 1
            manifests = {
                name: snap.manifest
                for name, snap in self.store.active().items()
                if built.get(name) == snap.version
            }
            loaded = Loaded(
                screener,
                built,
                versions,
                self._generation,
                manifests=manifests,
                max_age_days=self.max_age_days,
                entities=entities,
                _search=SearchIndex(entities) if self.search else None,
            )
            self._loaded = loaded
            self._error = None
            keep_out_of_collections()
        log.info(
            "screening index loaded: %s",
            ", ".join(f"{k}@{v}" for k, v in sorted(built.items())) or "no lists",
        )
        if self.on_load is not None:
            try:
                self.on_load(loaded)
            except Exception:  # a listener's failure must not unload the index
                log.exception("after loading the screening index")
        return loaded

    def reload_if_changed(self) -> bool:
        """Rebuild when ``active.json`` names other versions than the loaded ones."""
        loaded = self._loaded
        if loaded is not None and self.store.active_versions() == loaded.active:
            return False
        self.load()
        return True

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="index-loader", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.reload_if_changed()
            except Exception as exc:  # keep serving the old index; say why on /readyz
                self._error = f"{type(exc).__name__}: {exc}"
                log.exception("loading the screening index failed")
            self._stop.wait(self.poll)
