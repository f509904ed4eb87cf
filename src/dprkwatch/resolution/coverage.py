"""The implementation record: which list carries each DPRK target, since when, how late.

The commentary's question is whether sanctions were implemented: which UN
1718 designations the EU, the UK or the US never listed, or listed months
late, and which national designations nobody followed. Resolution says
which listings are one target; the snapshot history says when each listing
appeared and disappeared. This module joins the two.

**Dating precision** is stated for every date, never implied:

``day``            the publisher's own listing date (UN "listed on", EU and UK
                   designation dates);
``on_or_before``   no listing date, and the listing is already in the oldest
                   stored version of its list: designated on or before that
                   version's date;
``snapshot``       no listing date; first seen in a later stored version, so
                   designated between the previous version's date and this one.

``daily``          first seen in a daily copy of the list (the ledger's imported
                   OFAC first-seen history): within about a day of publication.

OFAC's list files carry no designation dates, so OFAC dates from them are of
the snapshot kinds. Two sources date OFAC listings better, each only where
it agrees with the stored versions (never later than the first version
holding the listing): a dated designation action of the ledger
(``sanctions_actions.yaml``) that names the listing's entry number gives
its day (``day``), and the imported daily first-seen history gives
``daily``. A lag computed from a date that is neither ``day`` nor ``daily``
precise is an upper bound (``lag_bound``), and the distributions count such
lags apart.
Delistings are dated by the first stored version without the listing
(``snapshot`` precision, with the last version that still had it).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from dprkwatch.lists.history import Designation, designations
from dprkwatch.lists.snapshot import ENTITIES_FILE, SnapshotStore
from dprkwatch.resolution.store import Resolution

if TYPE_CHECKING:
    from dprkwatch.ledger.model import SanctionsAction

PUBLISHERS = ("un", "eu", "uk", "ofac")
NATIONAL = PUBLISHERS[1:]
PRECISION = {
    "listed": "day",
    "action": "day",
    "daily": "daily",
    "on_or_before": "on_or_before",
    "first_seen": "snapshot",
}
# Dates a lag is counted from as it is (not as an upper bound).
EXACT = ("day", "daily")
_ID = re.compile(rb'"id":"([^"]+)"')


def publisher(list_name: str) -> str:
    """The publisher of a list (``ofac_cons`` is OFAC's, like ``ofac``)."""
    return list_name.split("_", 1)[0]


@dataclass
class Presence:
    """One publisher's listing of one target: since when, on what basis, still in force or not."""

    publisher: str
    listings: list[str]
    since: str | None
    precision: str
    basis: list[str] = field(default_factory=list)
    active: bool = True
    delisted: str | None = None
    last_listed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Row:
    """One canonical DPRK target and its presence on each publisher's list."""

    target: str
    caption: str
    schema: str
    dprk: list[str]
    presence: dict[str, Presence]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "caption": self.caption,
            "schema": self.schema,
            "dprk_evidence": self.dprk,
            "presence": {p: v.to_dict() for p, v in sorted(self.presence.items())},
        }


@dataclass(frozen=True)
class Removal:
    """When a listing left its list: between ``last_listed`` and ``delisted``."""

    last_listed: str
    delisted: str


def removals(store: SnapshotStore, active: Mapping[str, str]) -> dict[str, Removal]:
    """Listings stored in an earlier version of a list but absent from the active one.

    Only a listing present in one version and missing from the next version
    *of the same format* counts; one missing after a change of format is not
    dated (the ids may have changed with the format).
    """
    out: dict[str, Removal] = {}
    for list_name, version in active.items():
        versions = store.versions(list_name)
        order = [m.version for m in versions]
        if version in order:
            versions = versions[: order.index(version) + 1]
        last: dict[str, int] = {}
        days = [m.published or m.imported_at[:10] for m in versions]
        for i, manifest in enumerate(versions):
            for eid in _ids(store, list_name, manifest.version):
                last[eid] = i
        end = len(versions) - 1
        for eid, i in last.items():
            # Versions read from different formats (the UK's OFSI workbook, then
            # another publication) number entries differently: an id missing
            # from the next version says nothing about a delisting then.
            if i < end and versions[i].format == versions[i + 1].format:
                out[eid] = Removal(days[i][:10], days[i + 1][:10])
    return out


def _ids(store: SnapshotStore, list_name: str, version: str) -> Iterator[str]:
    path = store.root / list_name / version / ENTITIES_FILE
    with path.open("rb") as fh:
        for line in fh:
            m = _ID.search(line)
            if m:
                yield m.group(1).decode("utf-8")


def build(
    resolution: Resolution,
    dated: Iterable[Designation],
    removed: Mapping[str, Removal],
    *,
    dprk_only: bool = True,
) -> list[Row]:
    """One row per (DPRK) target, with the presence of each publisher."""
    when = {d.entity_id: d for d in dated}
    members: dict[str, list[str]] = defaultdict(list)
    by_ref: dict[str, str] = {}
    for rid, info in resolution.listings.items():
        members[str(info["target"])].append(rid)
        for ref in (info.get("summary") or {}).get("unsc_refs") or ():
            by_ref.setdefault(str(ref), str(info["target"]))
    alone: dict[str, Designation] = {}
    for rid in sorted(removed):
        d = when.get(rid)
        if d is None:
            continue  # not a listed subject (a sanction or link record)
        # A delisted entry belongs to the target it was last resolved to; a UN
        # entry delisted before any run, to the target of the entries that
        # carry its reference; anything else stands alone.
        cid = resolution.former.get(rid)
        if cid is None and publisher(d.list_name) == "un":
            cid = by_ref.get(rid.split("-", 1)[1])
        if cid is not None:
            members[cid].append(rid)
        elif d.dprk or not dprk_only:
            alone[rid] = d
    rows: list[Row] = []
    for cid in sorted(members):
        evidence = resolution.dprk.get(cid)
        if dprk_only and not evidence:
            continue
        by_pub: dict[str, list[str]] = defaultdict(list)
        for rid in members[cid]:
            d = when.get(rid)
            list_name = (
                str(resolution.listings[rid]["list"])
                if rid in resolution.listings
                else (d.list_name if d else rid.split("-", 1)[0])
            )
            by_pub[publisher(list_name)].append(rid)
        presence = {
            pub: _presence(pub, sorted(ids), resolution, when, removed)
            for pub, ids in by_pub.items()
        }
        current = [m for m in members[cid] if m in resolution.listings]
        records = [resolution.summary(m) for m in current] or [{"caption": cid, "schema": ""}]
        caption = (
            resolution.describe(resolution.targets[cid])["caption"]
            if cid in resolution.targets
            else str(records[0].get("caption"))
        )
        rows.append(
            Row(
                target=cid,
                caption=caption,
                schema=str(records[0].get("schema") or ""),
                dprk=sorted({str(e[0]) for e in evidence or ()}),
                presence=presence,
            )
        )
    for rid, d in alone.items():
        rows.append(
            Row(
                target=rid,
                caption=d.name,
                schema=d.schema,
                dprk=["programme"] if d.dprk else [],
                presence={
                    publisher(d.list_name): _presence(
                        publisher(d.list_name), [rid], resolution, when, removed
                    )
                },
            )
        )
    return rows


def _presence(
    pub: str,
    ids: list[str],
    resolution: Resolution,
    when: Mapping[str, Designation],
    removed: Mapping[str, Removal],
) -> Presence:
    dated = sorted(
        ((when[i].date or "", PRECISION.get(when[i].basis, "snapshot")) for i in ids if i in when),
        key=lambda x: (x[0] == "", x[0]),
    )
    since, precision = dated[0] if dated and dated[0][0] else (None, "unknown")
    basis: list[str] = []
    for rid in ids:
        for b in resolution.summary(rid).get("legal_basis") or ():
            if b not in basis:
                basis.append(str(b))
    active = any(i in resolution.listings for i in ids)
    gone = [removed[i] for i in ids if i in removed]
    last = max((g for g in gone), key=lambda g: g.delisted, default=None)
    return Presence(
        publisher=pub,
        listings=ids,
        since=since[:10] if since else None,
        precision=precision,
        basis=basis,
        active=active,
        delisted=None if active or last is None else last.delisted,
        last_listed=None if active or last is None else last.last_listed,
    )


def _day(value: str | None) -> date | None:
    """A date from ``YYYY-MM-DD`` or ``YYYY-MM`` (a version published in a month: its last day)."""
    if not value:
        return None
    try:
        if len(value) >= 10:
            return date.fromisoformat(value[:10])
        if len(value) == 7:
            year, month = int(value[:4]), int(value[5:7])
            nxt = date(year + month // 12, month % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
    except ValueError:
        return None
    return None


def _days(a: str | None, b: str | None) -> int | None:
    x, y = _day(a), _day(b)
    return None if x is None or y is None else (y - x).days


def un_follow_up(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """For every UN designation: whether, and after how many days, each national list followed."""
    out = []
    for row in rows:
        un = row.presence.get("un")
        if un is None:
            continue
        item: dict[str, Any] = {
            "target": row.target,
            "caption": row.caption,
            "un_listings": un.listings,
            "un_since": un.since,
            "un_active": un.active,
        }
        for pub in NATIONAL:
            item[pub] = _follow(un, row.presence.get(pub))
        out.append(item)
    return out


def _follow(first: Presence, other: Presence | None) -> dict[str, Any]:
    if other is None:
        return {"listed": False}
    lag = _days(first.since, other.since)
    exact = first.precision in EXACT and other.precision in EXACT
    return {
        "listed": True,
        "since": other.since,
        "precision": other.precision,
        "lag_days": lag,
        "lag_bound": not exact,
        "active": other.active,
        "delisted": other.delisted,
    }


def national_follow_up(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Targets no UN list carries: who designated them first and who else followed."""
    out = []
    for row in rows:
        if "un" in row.presence or not row.presence:
            continue
        dated = sorted(
            row.presence.values(), key=lambda p: (p.since is None, p.since or "", p.publisher)
        )
        first = dated[0]
        out.append(
            {
                "target": row.target,
                "caption": row.caption,
                "first": first.publisher,
                "first_since": first.since,
                "first_precision": first.precision,
                "followed_by": {p.publisher: _follow(first, p) for p in dated[1:]},
                "not_followed_by": [p for p in NATIONAL if p not in row.presence],
            }
        )
    return out


def delistings(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Targets some publisher delisted, with what the others did."""
    out = []
    for row in rows:
        gone = [p for p in row.presence.values() if not p.active]
        for p in gone:
            others = {}
            for q in row.presence.values():
                if q.publisher == p.publisher:
                    continue
                others[q.publisher] = {
                    "active": q.active,
                    "delisted": q.delisted,
                    "lag_days": _days(p.delisted, q.delisted) if not q.active else None,
                }
            out.append(
                {
                    "target": row.target,
                    "caption": row.caption,
                    "publisher": p.publisher,
                    "last_listed": p.last_listed,
                    "delisted": p.delisted,
                    "precision": "snapshot",
                    "others": others,
                }
            )
    return out


def lag_distribution(follow: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per national publisher: how many UN designations it listed, how late, and how many it lacks."""
    items = list(follow)
    out: dict[str, dict[str, Any]] = {}
    for pub in NATIONAL:
        exact = [
            int(i[pub]["lag_days"])
            for i in items
            if i[pub]["listed"] and not i[pub]["lag_bound"] and i[pub]["lag_days"] is not None
        ]
        bound = sum(1 for i in items if i[pub]["listed"] and i[pub]["lag_bound"])
        missing = [i["target"] for i in items if not i[pub]["listed"] and i["un_active"]]
        out[pub] = {
            "un_designations": len(items),
            "listed": sum(1 for i in items if i[pub]["listed"]),
            "lag_exact": len(exact),
            "lag_bound_only": bound,
            "same_day_or_before": sum(1 for d in exact if d <= 0),
            "median_days": statistics.median(exact) if exact else None,
            "p90_days": _quantile(exact, 0.9),
            "max_days": max(exact) if exact else None,
            "missing": len(missing),
            "missing_targets": missing,
        }
    return out


def _quantile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    pos = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
    return float(ordered[pos])


def ofac_dating(
    dated: Iterable[Designation],
    daily: Iterable[Designation],
    actions: Iterable[SanctionsAction],
) -> tuple[list[Designation], dict[str, int]]:
    """OFAC designations dated better than the stored list versions date them.

    ``daily`` are the ledger's imported first-seen dates (basis
    ``first_seen``: seen first in a daily copy of the list; ``on_or_before``
    ones say nothing new), ``actions`` the ledger's dated designation
    actions with the entry numbers they name. Either is used only when it
    is not later than the date the stored versions give (the first version
    holding the listing); otherwise it is counted as a conflict and left
    out. An action's day wins over a daily date. Returns the designations
    and counts of what was used and refused.
    """
    out = list(dated)
    at = {
        d.entity_id: i
        for i, d in enumerate(out)
        if publisher(d.list_name) == "ofac" and d.basis != "listed" and d.date
    }
    counts = dict.fromkeys(
        ("daily", "daily_conflict", "action", "action_conflict", "action_unlisted"), 0
    )
    for d in daily:
        i = at.get(d.entity_id)
        if d.basis != "first_seen" or not d.date or i is None:
            continue
        if d.date[:10] <= str(out[i].date)[:10]:
            out[i] = replace(out[i], date=d.date[:10], basis="daily")
            counts["daily"] += 1
        else:
            counts["daily_conflict"] += 1
    for action in actions:
        day = str(action.date)
        if action.authority != "OFAC" or len(day) != 10:
            continue
        for named in action.designated:
            i = at.get(f"ofac-{named.ofac}")
            if i is None:
                counts["action_unlisted"] += 1
            elif day <= str(out[i].date)[:10]:
                out[i] = replace(out[i], date=day, basis="action")
                counts["action"] += 1
            else:
                counts["action_conflict"] += 1
    return out, counts


def ledger_dating(store: SnapshotStore) -> tuple[list[Designation], list[SanctionsAction]]:
    """The ledger's imported OFAC first-seen dates in this data directory, and its actions."""
    from dprkwatch.ledger import load_ledger
    from dprkwatch.ledger.store import LedgerStore

    daily = [d for d in LedgerStore(store.home).designations() if d.list_name == "ofac"]
    return daily, list(load_ledger().sanctions_actions)


def target_rows(
    resolution: Resolution,
    store: SnapshotStore,
    *,
    dprk_only: bool = True,
    dating: dict[str, int] | None = None,
) -> list[Row]:
    """One row per target from the resolution, the stored list versions and the ledger.

    ``dating``, when given, receives the counts of :func:`ofac_dating`.
    """
    active = store.active_versions()
    dated, counts = ofac_dating(designations(store), *ledger_dating(store))
    if dating is not None:
        dating.update(counts)
    return build(resolution, dated, removals(store, active), dprk_only=dprk_only)


def report(
    resolution: Resolution,
    store: SnapshotStore,
    *,
    dprk_only: bool = True,
    rows: list[Row] | None = None,
    dating: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The whole implementation record as one value (what ``--json`` prints)."""
    active = store.active_versions()
    if rows is None:
        dating = dating if dating is not None else {}
        rows = target_rows(resolution, store, dprk_only=dprk_only, dating=dating)
    follow = un_follow_up(rows)
    return {
        "resolution": resolution.created_at,
        "versions": active,
        "ofac_dating": dating,
        "precision": {
            p: sum(1 for r in rows for v in r.presence.values() if v.precision == p)
            for p in ("day", "daily", "snapshot", "on_or_before", "unknown")
        },
        "targets": len(rows),
        "by_publisher": {
            p: sum(1 for r in rows if p in r.presence and r.presence[p].active) for p in PUBLISHERS
        },
        "un_lag": lag_distribution(follow),
        "un_follow_up": follow,
        "national": national_follow_up(rows),
        "delistings": delistings(rows),
        "rows": [r.to_dict() for r in rows],
    }


CSV_COLUMNS = (
    "target", "caption", "schema", "dprk_evidence",
    *(f"{p}_{k}" for p in PUBLISHERS for k in ("listings", "since", "precision", "active", "delisted")),
    *(f"{p}_lag_days" for p in NATIONAL), *(f"{p}_lag_bound" for p in NATIONAL),
)  # fmt: skip


def csv_rows(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """One flat row per target (what ``--csv`` prints); lags are against the UN listing."""
    out = []
    for row in rows:
        flat: dict[str, Any] = {
            "target": row.target,
            "caption": row.caption,
            "schema": row.schema,
            "dprk_evidence": " ".join(row.dprk),
        }
        for pub in PUBLISHERS:
            p = row.presence.get(pub)
            flat[f"{pub}_listings"] = " ".join(p.listings) if p else ""
            flat[f"{pub}_since"] = p.since if p else ""
            flat[f"{pub}_precision"] = p.precision if p else ""
            flat[f"{pub}_active"] = ("yes" if p.active else "no") if p else ""
            flat[f"{pub}_delisted"] = p.delisted or "" if p else ""
        un = row.presence.get("un")
        for pub in NATIONAL:
            follow = _follow(un, row.presence.get(pub)) if un else {"listed": False}
            lag = follow.get("lag_days")
            flat[f"{pub}_lag_days"] = "" if lag is None else lag
            flat[f"{pub}_lag_bound"] = (
                ("yes" if follow["lag_bound"] else "no") if lag is not None else ""
            )
        out.append(flat)
    return out


# Short headers: the table must fit a terminal (the legend is printed below it).
LAG_COLUMNS = ("list", "UN", "listed", "dated", "<=0", "median", "p90", "max", "undated", "missing")


def lag_rows(distribution: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The lag distribution as table rows, one per national publisher."""
    return [
        {
            "list": pub,
            "UN": d["un_designations"],
            "listed": d["listed"],
            "dated": d["lag_exact"],
            "<=0": d["same_day_or_before"],
            "median": "" if d["median_days"] is None else f"{d['median_days']:g}",
            "p90": "" if d["p90_days"] is None else f"{d['p90_days']:g}",
            "max": "" if d["max_days"] is None else d["max_days"],
            "undated": d["lag_bound_only"],
            "missing": d["missing"],
        }
        for pub, d in distribution.items()
    ]
