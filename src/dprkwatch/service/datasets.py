"""The datasets the service publishes, yente-style, over the active list snapshots.

yente serves "datasets" (sources) and "collections" (groups of them); a
client names one in ``/match/{dataset}``. Ours are one per publisher plus
two collections:

==========  ================================================================
``ofac``    OFAC SDN and the OFAC consolidated (non-SDN) list
``un``      UN Security Council consolidated list
``eu``      EU financial sanctions file
``uk``      UK Sanctions List (FCDO); OFSI's retired list when that is imported
``dprk``    every entry listed under a DPRK programme, on any list
``default`` everything that is loaded
==========  ================================================================

A list belongs to a publisher by the part of its name before the first
underscore (``ofac_cons`` is OFAC). Lists of other publishers (FtM imports)
appear only in ``default``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dprkwatch.lists.freshness import assess_active
from dprkwatch.lists.snapshot import Snapshot
from dprkwatch.service.exceptions import UnknownDataset


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    summary: str
    publisher: str | None = None
    dprk_only: bool = False

    @property
    def is_collection(self) -> bool:
        return self.publisher is None

    def lists(self, available: Iterable[str]) -> list[str]:
        """The list names (of ``available``) this dataset covers."""
        if self.publisher is None:
            return sorted(available)
        return sorted(name for name in available if publisher_of(name) == self.publisher)


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "ofac",
            "OFAC sanctions lists",
            "US Treasury SDN and consolidated (non-SDN) lists.",
            "ofac",
        ),
        Dataset(
            "un",
            "UN Security Council consolidated list",
            "All UN Security Council sanctions regimes.",
            "un",
        ),
        Dataset("eu", "EU financial sanctions", "EU consolidated financial sanctions file.", "eu"),
        Dataset(
            "uk",
            "UK Sanctions List",
            "UK designations (FCDO); OFSI's Consolidated List was retired on 2026-01-28.",
            "uk",
        ),
        Dataset(
            "dprk",
            "DPRK sanctions programmes",
            "Every entry listed under a North Korea programme.",
            dprk_only=True,
        ),
        Dataset("default", "All loaded lists", "Every active list snapshot."),
    )
}


def publisher_of(list_name: str) -> str:
    return list_name.split("_", 1)[0]


def get_dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownDataset(
            f"unknown dataset {name!r} (datasets: {', '.join(DATASETS)})"
        ) from None


def select_lists(
    dataset: Dataset,
    available: Iterable[str],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> list[str]:
    """The lists to screen: the dataset's lists, narrowed by yente's include/exclude filters.

    ``include_dataset`` / ``exclude_dataset`` may name publisher datasets
    (``un``) or list names (``ofac_cons``); unknown names are an error rather
    than a silent no-op.
    """
    available = sorted(available)
    chosen = dataset.lists(available)

    def expand(names: Iterable[str], param: str) -> set[str]:
        out: set[str] = set()
        for name in names:
            if name in DATASETS:
                out.update(DATASETS[name].lists(available))
            elif name in available:
                out.add(name)
            else:
                raise UnknownDataset(f"{param}: unknown dataset or list {name!r}")
        return out

    inc = list(include)
    if inc:
        keep = expand(inc, "include_dataset")
        chosen = [n for n in chosen if n in keep]
    exc = list(exclude)
    if exc:
        drop = expand(exc, "exclude_dataset")
        chosen = [n for n in chosen if n not in drop]
    return chosen


def _version_of(snapshots: Mapping[str, Snapshot]) -> str:
    if len(snapshots) == 1:
        return next(iter(snapshots.values())).version
    refs = ",".join(f"{k}@{s.version}" for k, s in sorted(snapshots.items()))
    newest = max((s.manifest.published or "" for s in snapshots.values()), default="") or "undated"
    return f"{newest}-{hashlib.sha256(refs.encode()).hexdigest()[:12]}"


def catalog(
    active: Mapping[str, Snapshot], algorithm: str | None, *, max_age_days: int
) -> dict[str, Any]:
    """The ``/catalog`` document in yente's shape (``datasets``, ``current``, ``outdated``).

    ``outdated`` names the datasets with a stale list (older than
    ``max_age_days``, undated, or from a retired source); each dataset says
    which of its lists are stale and why in ``freshness`` and ``warnings``.
    """
    verdicts = assess_active(active, max_age_days=max_age_days)
    entries: list[dict[str, Any]] = []
    for ds in DATASETS.values():
        names = ds.lists(active)
        snaps = {n: active[n] for n in names}
        counts = [s.manifest.counts for s in snaps.values()]
        count = sum(int(c.get("dprk" if ds.dprk_only else "entities", 0)) for c in counts)
        version = _version_of(snaps) if snaps else "empty"
        imported = [s.manifest.imported_at for s in snaps.values()]
        entries.append(
            {
                "name": ds.name,
                "title": ds.title,
                "summary": ds.summary,
                "load": bool(snaps),
                "version": version,
                "index_version": version,
                "index_current": True,
                "children": names if ds.is_collection or len(names) > 1 else [],
                "entity_count": count,
                "updated_at": max(imported) if imported else None,
                "lists": {n: s.version for n, s in snaps.items()},
                "algorithm": algorithm,
                "freshness": {n: verdicts[n].to_dict() for n in names},
                "warnings": [f"{n}: {w}" for n in names for w in verdicts[n].warnings],
            }
        )
    current = [e["name"] for e in entries if e["load"]]
    outdated = [e["name"] for e in entries if e["warnings"]]
    return {"datasets": entries, "current": current, "outdated": outdated, "index_stale": False}
