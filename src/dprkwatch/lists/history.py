"""Designations over time, from the dates the sources themselves carry.

* UN, EU and UK give a listing or designation date per entry: that date is
  used (``basis="listed"``), the earliest across all imported versions.
* OFAC's files carry no designation date. An OFAC entry is dated by the
  publication date of the earliest imported version that contains it
  (``basis="first_seen"``); for entries already in the oldest imported
  version the date only means "on or before" (``basis="on_or_before"``).

Every version of every list in the store contributes, so an entry that was
delisted later still counts in the period it was designated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from dprkwatch.lists.model import is_subject
from dprkwatch.lists.programs import any_dprk
from dprkwatch.lists.snapshot import COUNTRY_PROPS, SnapshotStore


@dataclass(frozen=True)
class Designation:
    """One listed subject and when it was first designated (as far as the data says)."""

    list_name: str
    entity_id: str
    schema: str
    name: str
    programs: tuple[str, ...]
    dprk: bool
    date: str | None
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def quarter(self) -> str | None:
        if not self.date or len(self.date) < 7:
            return None
        return f"{self.date[:4]}-Q{(int(self.date[5:7]) - 1) // 3 + 1}"


def designations(
    store: SnapshotStore, *, dprk_only: bool = False, lists: Iterable[str] | None = None
) -> list[Designation]:
    """Every subject ever seen in the store, with its designation date and basis."""
    wanted = set(lists) if lists is not None else None
    out: list[Designation] = []
    for list_name in store.lists():
        if wanted is not None and list_name not in wanted and list_name.split("_")[0] not in wanted:
            continue
        out.extend(_list_history(store, list_name))
    if dprk_only:
        out = [d for d in out if d.dprk]
    return sorted(out, key=lambda d: (d.list_name, d.date or "", d.entity_id))


def _list_history(store: SnapshotStore, list_name: str) -> list[Designation]:
    versions = store.versions(list_name)
    if not versions:
        return []
    oldest = versions[0].version
    seen: dict[str, dict[str, Any]] = {}
    for manifest in versions:
        snap = store.open(list_name, manifest.version)
        listed: dict[str, str] = {}
        subjects: dict[str, dict[str, Any]] = {}
        for data in snap.iter_dicts():
            props = data.get("properties", {})
            if data["schema"] == "Sanction":
                dates = sorted(props.get("listingDate", []) + props.get("startDate", []))
                for owner in props.get("entity", []):
                    if dates:
                        listed[owner] = min(dates + ([listed[owner]] if owner in listed else []))
            elif is_subject(data["schema"], bool(props.get("holder"))):
                subjects[data["id"]] = data
        for entity_id, data in subjects.items():
            props = data.get("properties", {})
            rec = seen.get(entity_id)
            if rec is None:
                rec = seen[entity_id] = {
                    "first_version": manifest.version,
                    "first_published": manifest.published,
                    "listed": None,
                    "programs": set(),
                }
            rec["data"] = data  # the newest version's record wins for names/programmes
            rec["programs"].update(props.get("programId", []))
            date = listed.get(entity_id)
            if date and (rec["listed"] is None or date < rec["listed"]):
                rec["listed"] = date
    out = []
    for entity_id, rec in seen.items():
        props = rec["data"].get("properties", {})
        programs = tuple(sorted(rec["programs"]))
        if rec["listed"]:
            date, basis = rec["listed"], "listed"
        else:
            date = rec["first_published"]
            basis = "on_or_before" if rec["first_version"] == oldest else "first_seen"
        names = sorted(props.get("name", []))
        out.append(
            Designation(
                list_name=list_name,
                entity_id=entity_id,
                schema=rec["data"]["schema"],
                name=names[0] if names else "",
                programs=programs,
                dprk=any_dprk(
                    list_name, programs, (c for k in COUNTRY_PROPS for c in props.get(k, ()))
                ),
                date=date,
                basis=basis,
            )
        )
    return out


def counts(
    items: Iterable[Designation], *, by: str = "year", program: bool = False
) -> list[dict[str, Any]]:
    """Designation counts per period (``year`` or ``quarter``) and list (and programme)."""
    counter: Counter[tuple[str, ...]] = Counter()
    for d in items:
        period = d.quarter if by == "quarter" else (str(d.year) if d.year else None)
        key_period = period or "undated"
        if program:
            for code in d.programs or ("",):
                counter[(key_period, d.list_name, code, d.basis)] += 1
        else:
            counter[(key_period, d.list_name, d.basis)] += 1
    rows = []
    for key, n in sorted(counter.items()):
        if program:
            period, list_name, code, basis = key
            rows.append(
                {"period": period, "list": list_name, "program": code, "basis": basis, "count": n}
            )
        else:
            period, list_name, basis = key
            rows.append({"period": period, "list": list_name, "basis": basis, "count": n})
    return rows
