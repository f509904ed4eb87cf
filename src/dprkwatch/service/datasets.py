"""The datasets the service publishes, yente-style, over the active list snapshots.

yente serves *sources* (one dataset per publisher's list) and *collections*
(groups of them); a client names one in ``/match/{dataset}`` or filters
with ``include_dataset`` / ``exclude_dataset``. A yente user arrives with
OpenSanctions' names, so every imported list is published under the name
OpenSanctions gives the same list:

====================  ==================================================
source                list
====================  ==================================================
``us_ofac_sdn``       OFAC SDN (``ofac``)
``us_ofac_cons``      OFAC consolidated non-SDN lists (``ofac_cons``)
``un_sc_sanctions``   UN Security Council consolidated list (``un``)
``eu_fsf``            EU financial sanctions file (``eu``)
``gb_hmt_sanctions``  UK consolidated list (``uk``); ``gb_fcdo_sanctions``
                      names the same list
``<name>``            an FtM import stored as ``ftm_<name>``
====================  ==================================================

Collections: ``sanctions`` and ``default`` (everything loaded), ``dprk``
(every entry listed under a DPRK programme, on any list), and one per
publisher (``ofac``, ``un``, ``eu``, ``uk``) as before.

An entity's ``datasets`` names its source. A filter name the service does
not know filters like yente's does - ``include_dataset=mx_senators`` keeps
nothing, ``exclude_dataset=mx_senators`` drops nothing - rather than
failing; an unknown dataset in the path is a 404.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dprkwatch.lists.freshness import assess_active
from dprkwatch.lists.snapshot import Snapshot
from dprkwatch.service.exceptions import UnknownDataset

FTM_PREFIX = "ftm_"
# Our list name -> OpenSanctions' name for the same list.
SOURCE_NAMES = {
    "ofac": "us_ofac_sdn",
    "ofac_cons": "us_ofac_cons",
    "un": "un_sc_sanctions",
    "eu": "eu_fsf",
    "uk": "gb_hmt_sanctions",
    "csl": "us_trade_csl",
    "au": "au_dfat_sanctions",
    "ca": "ca_dfatd_sema_sanctions",
    "ch": "ch_seco_sanctions",
}
SOURCE_TITLES = {
    "ofac": ("US OFAC Specially Designated Nationals (SDN) List", "US Treasury SDN list."),
    "ofac_cons": (
        "US OFAC Consolidated (non-SDN) List",
        "US Treasury sanctions lists other than the SDN list.",
    ),
    "un": ("UN Security Council Consolidated List", "All UN Security Council sanctions regimes."),
    "eu": ("EU Financial Sanctions Files (FSF)", "EU consolidated financial sanctions file."),
    "uk": (
        "UK Sanctions List",
        "UK designations (FCDO); OFSI's Consolidated List was retired on 2026-01-28.",
    ),
    "csl": ("US Consolidated Screening List", "US export-control and sanctions lists (Trade)."),
    "au": ("Australia DFAT Consolidated List", "Australian sanctions (DFAT)."),
    "ca": ("Canada Consolidated Autonomous Sanctions List", "Canadian sanctions (SEMA)."),
    "ch": ("Switzerland SECO Sanctions", "Swiss sanctions (SECO)."),
}
# Other names OpenSanctions uses (or used) for a list we hold.
ALIASES = {"gb_fcdo_sanctions": "uk"}

Selector = Callable[[str], bool]


def publisher_of(list_name: str) -> str:
    return list_name.split("_", 1)[0]


def source_name(list_name: str) -> str:
    """The dataset name an entity of ``list_name`` carries in ``datasets``."""
    if list_name in SOURCE_NAMES:
        return SOURCE_NAMES[list_name]
    if list_name.startswith(FTM_PREFIX):
        return list_name[len(FTM_PREFIX) :]
    return list_name


@dataclass(frozen=True)
class Dataset:
    """A source (one list) or a collection (a rule choosing lists)."""

    name: str
    title: str
    summary: str
    selects: Selector
    dprk_only: bool = False
    collection: bool = True

    @property
    def is_collection(self) -> bool:
        return self.collection

    def lists(self, available: Iterable[str]) -> list[str]:
        """The list names (of ``available``) this dataset covers."""
        return sorted(name for name in available if self.selects(name))


def _one_of(names: frozenset[str]) -> Selector:
    def selects(list_name: str) -> bool:
        return list_name in names

    return selects


def _source(list_name: str, name: str | None = None) -> Dataset:
    title, summary = SOURCE_TITLES.get(
        list_name, (f"{source_name(list_name)} (FollowTheMoney import)", "Imported FtM entities.")
    )
    return Dataset(
        name or source_name(list_name),
        title,
        summary,
        _one_of(frozenset({list_name})),
        collection=False,
    )


def _publisher(code: str, title: str, summary: str) -> Dataset:
    return Dataset(code, title, summary, lambda n: publisher_of(n) == code)


COLLECTIONS: tuple[Dataset, ...] = (
    _publisher("ofac", "OFAC sanctions lists", "US Treasury SDN and consolidated (non-SDN) lists."),
    _publisher("un", "UN Security Council consolidated list", "All UN Security Council regimes."),
    _publisher("eu", "EU financial sanctions", "EU consolidated financial sanctions file."),
    _publisher(
        "uk",
        "UK Sanctions List",
        "UK designations (FCDO); OFSI's Consolidated List was retired on 2026-01-28.",
    ),
    Dataset(
        "dprk",
        "DPRK sanctions programmes",
        "Every entry listed under a North Korea programme.",
        lambda _n: True,
        dprk_only=True,
    ),
    Dataset("sanctions", "Sanctioned entities", "Every sanctions list loaded.", lambda _n: True),
    Dataset("default", "All loaded lists", "Every active list snapshot.", lambda _n: True),
)


class Datasets:
    """Every dataset name valid for the lists ``available`` (the active ones)."""

    def __init__(self, available: Iterable[str]) -> None:
        self.available = sorted(available)
        by_name: dict[str, Dataset] = {}
        for list_name in sorted(SOURCE_NAMES):
            by_name[SOURCE_NAMES[list_name]] = _source(list_name)
        for alias, list_name in ALIASES.items():
            by_name[alias] = _source(list_name, alias)
        for list_name in self.available:
            name = source_name(list_name)
            if name in by_name and not by_name[name].selects(list_name):
                # An FtM import named like one of ours (``ftm_eu_fsf``) joins it.
                prev = by_name[name]
                joined = frozenset(
                    n for n in [*self.available, *SOURCE_NAMES] if prev.selects(n)
                ) | {list_name}
                by_name[name] = Dataset(
                    name, prev.title, prev.summary, _one_of(joined), collection=False
                )
            elif name not in by_name:
                by_name[name] = _source(list_name)
        for ds in COLLECTIONS:
            by_name[ds.name] = ds
        self.by_name = by_name

    def __iter__(self) -> Any:
        return iter(self.by_name.values())

    def get(self, name: str) -> Dataset:
        try:
            return self.by_name[name]
        except KeyError:
            raise UnknownDataset(
                f"unknown dataset {name!r} (datasets: {', '.join(self.by_name)})"
            ) from None

    def expand(self, names: Iterable[str]) -> set[str]:
        """The lists that the dataset or list ``names`` stand for; unknown names stand for none."""
        out: set[str] = set()
        for name in names:
            ds = self.by_name.get(name)
            if ds is not None:
                out.update(ds.lists(self.available))
            elif name in self.available:
                out.add(name)
        return out

    def select(
        self, dataset: Dataset, include: Iterable[str] = (), exclude: Iterable[str] = ()
    ) -> list[str]:
        """The lists to screen: ``dataset``'s, narrowed by yente's include/exclude filters.

        As in yente, ``include`` keeps only lists named there (an unknown
        name keeps nothing) and ``exclude`` wins over ``include``.
        """
        chosen = dataset.lists(self.available)
        inc = list(include)
        if inc:
            keep = self.expand(inc)
            chosen = [n for n in chosen if n in keep]
        exc = list(exclude)
        if exc:
            drop = self.expand(exc)
            chosen = [n for n in chosen if n not in drop]
        return chosen


def get_dataset(name: str, available: Iterable[str] = ()) -> Dataset:
    """The dataset called ``name`` over the lists ``available``; 404 when unknown."""
    return Datasets(available).get(name)


def select_lists(
    dataset: Dataset,
    available: Iterable[str],
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> list[str]:
    """The lists to screen for ``dataset`` (see :meth:`Datasets.select`)."""
    return Datasets(available).select(dataset, include, exclude)


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
    datasets = Datasets(active)
    entries: list[dict[str, Any]] = []
    for ds in datasets:
        names = ds.lists(active)
        snaps = {n: active[n] for n in names}
        counts = [s.manifest.counts for s in snaps.values()]
        count = sum(int(c.get("dprk" if ds.dprk_only else "entities", 0)) for c in counts)
        version = _version_of(snaps) if snaps else "empty"
        imported = [s.manifest.imported_at for s in snaps.values()]
        children = sorted({source_name(n) for n in names}) if ds.is_collection else []
        entries.append(
            {
                "name": ds.name,
                "title": ds.title,
                "summary": ds.summary,
                "type": "collection" if ds.is_collection else "source",
                "load": bool(snaps),
                "version": version,
                "index_version": version,
                "index_current": True,
                "children": children,
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


def catalog_etag(document: Mapping[str, Any]) -> str:
    """A strong validator for a ``/catalog`` document: it changes exactly when a version, the
    algorithm or a dataset's staleness warnings do."""
    parts = sorted(
        f"{d['name']}:{d['version']}:{d['algorithm']}:{'|'.join(d.get('warnings', ()))}"
        for d in document["datasets"]
    )
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]
    return f'"{digest}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header (a list of tags, or ``*``) matches ``etag``."""
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags
