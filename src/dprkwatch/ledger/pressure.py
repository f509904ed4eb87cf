"""The pressure index: DPRK designations per quarter and list, beside diplomacy and tests.

The honest difficulty is dating. UN, EU and UK entries carry their own
listing date. OFAC files do not: an OFAC entry is dated by the first
imported version that contains it, which only says it was designated
*between* the previous version and that one. So every designation becomes a
:class:`Window` ``[first, last]`` of days it could have happened on, and is
counted in a quarter only if the whole window falls inside that quarter.
Entries already present in the oldest version are "on or before" that date
and form a baseline, not a quarter's count.

Each list also has *coverage*: the stretches of time in which the data can
date a designation at all. A quarter outside coverage is shown as missing
(``None``), never as zero; a quarter partly covered is flagged.

With a resolution run, the index also counts *canonical targets*: one man
on four lists is one target, counted once, in the quarter of his first
designation by any list. A target's window runs from the earliest first day
to the earliest last day of its listings' windows (its first designation
lies between them), and is placed like a listing's; a listing known only to
be "on or before" its list's oldest version is set aside when the target
has a dated one (and counted in a note). The per-list columns stay as they
are. A target's quarter count is flagged partial wherever some list's data
cannot date the whole quarter: a target first designated there by that list
would be missing from the count.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, Field

from dprkwatch.ledger.citations import Citation
from dprkwatch.ledger.dates import PartialDate, quarter_of, quarters_between
from dprkwatch.ledger.events import TimelineEvent
from dprkwatch.ledger.loader import Ledger

EPOCH = date(1900, 1, 1)
# Consecutive list versions closer than this date the entries between them well enough.
MAX_VERSION_GAP = timedelta(days=31)
LIST_ORDER = ("un", "eu", "uk", "ofac")
DIPLOMACY_KINDS = frozenset({"summit", "talks", "envoy"})


class DesignationLike(Protocol):
    """What the index needs of a designation (``dprkwatch.lists.history.Designation``)."""

    @property
    def list_name(self) -> str: ...
    @property
    def entity_id(self) -> str: ...
    @property
    def schema(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def dprk(self) -> bool: ...
    @property
    def date(self) -> str | None: ...
    @property
    def basis(self) -> str: ...


@dataclass(frozen=True)
class Window:
    """The days on which one designation may have happened."""

    list: str
    entity_id: str
    name: str
    schema: str
    first: date
    last: date
    basis: str

    @property
    def quarter(self) -> str | None:
        """The quarter holding the whole window, if there is one."""
        q = quarter_of(self.first)
        return q if q == quarter_of(self.last) and self.first > EPOCH else None

    def within(self, start: date, end: date) -> bool:
        return start <= self.first and self.last <= end


def base_list(list_name: str) -> str:
    return list_name.split("_", 1)[0]


def _previous(versions: Sequence[date], day: date) -> date | None:
    earlier = [v for v in versions if v < day]
    return max(earlier) if earlier else None


def to_window(
    d: DesignationLike, versions: Sequence[date], *, daily: bool = False
) -> Window | None:
    """The window of one designation; ``daily`` when its source had (near) daily versions."""
    if not d.date:
        return None
    pd = PartialDate.parse(d.date)
    lst = base_list(d.list_name)
    if d.basis == "listed":
        first, last = pd.start(), pd.end()
    elif d.basis == "on_or_before":
        first, last = EPOCH, pd.end()
    else:  # first_seen
        last = pd.end()
        prev = _previous(versions, pd.start())
        if daily:
            first = last - timedelta(days=1)
        elif prev is not None:
            first = prev + timedelta(days=1)
        else:
            first = EPOCH
    return Window(lst, d.entity_id, d.name, d.schema, first, last, d.basis)


def merge_windows(windows: Iterable[Window]) -> tuple[list[Window], list[str]]:
    """One window per (list, entity): the intersection of what every source says."""
    grouped: dict[tuple[str, str], list[Window]] = defaultdict(list)
    for w in windows:
        grouped[(w.list, w.entity_id)].append(w)
    out: list[Window] = []
    warnings: list[str] = []
    for (lst, eid), ws in grouped.items():
        first = max(w.first for w in ws)
        last = min(w.last for w in ws)
        best = min(ws, key=lambda w: (w.basis != "listed", w.last - w.first))
        if first > last:
            warnings.append(
                f"{lst} {eid}: sources disagree on the designation date; kept {best.basis} {best.last}"
            )
            out.append(best)
            continue
        basis = "listed" if any(w.basis == "listed" for w in ws) else best.basis
        out.append(Window(lst, eid, best.name, best.schema, first, last, basis))
    return sorted(out, key=lambda w: (w.list, w.last, w.entity_id)), warnings


@dataclass(frozen=True)
class Interval:
    start: date
    end: date


def coverage_intervals(
    windows: Sequence[Window],
    versions: Mapping[str, Sequence[date]],
    daily_spans: Mapping[str, Sequence[tuple[date, date]]],
) -> dict[str, list[Interval]]:
    """Per list, the stretches of time in which designations can be dated to a quarter."""
    out: dict[str, list[Interval]] = defaultdict(list)
    for lst in {w.list for w in windows}:
        out[lst] = []  # every list gets a column, even with no datable stretch
        listed = [w for w in windows if w.list == lst and w.basis == "listed"]
        vs = sorted(
            {v for name, dates in versions.items() if base_list(name) == lst for v in dates}
        )
        if listed:
            end = max([*vs, *(w.last for w in listed)])
            out[lst].append(Interval(min(w.first for w in listed), end))
        for a, b in itertools.pairwise(vs):
            if b - a <= MAX_VERSION_GAP:
                out[lst].append(Interval(a + timedelta(days=1), b))
        for start, end in daily_spans.get(lst, ()):
            out[lst].append(Interval(start + timedelta(days=1), end))
    return {k: _union(v) for k, v in out.items()}


def _union(items: list[Interval]) -> list[Interval]:
    items = sorted(items, key=lambda i: i.start)
    merged: list[Interval] = []
    for it in items:
        if merged and it.start <= merged[-1].end + timedelta(days=1):
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, it.end))
        else:
            merged.append(it)
    return merged


def _quarter_bounds(q: str) -> tuple[date, date]:
    year, n = int(q[:4]), int(q[-1])
    start = date(year, 3 * (n - 1) + 1, 1)
    end = date(year + 1, 1, 1) if n == 4 else date(year, 3 * n + 1, 1)
    return start, end - timedelta(days=1)


def covered_days(intervals: Sequence[Interval], start: date, end: date) -> int:
    days = 0
    for it in intervals:
        lo, hi = max(it.start, start), min(it.end, end)
        if lo <= hi:
            days += (hi - lo).days + 1
    return days


class QuarterRow(BaseModel):
    """One quarter of the pressure index (also the HTTP answer's row)."""

    quarter: str
    designations: dict[str, int | None] = Field(
        description="Per list; null = the data cannot date this quarter"
    )
    partial: dict[str, bool] = Field(description="Per list: the quarter is only partly covered")
    ofac_actions: int = Field(
        description="Designations in the curated OFAC series (sanctions_actions.yaml) this quarter"
    )
    ofac_action_count: int = Field(0, description="OFAC designation actions this quarter")
    diplomacy: int
    launches: int | None = Field(description="CNS-recorded launches; null without CNS data")
    nuclear_tests: int
    exercises: int
    highlights: list[str]
    citations: list[Citation] = Field(
        default_factory=list, description="Treasury releases of the quarter's OFAC actions"
    )
    targets: int | None = Field(
        None,
        description="Canonical targets first designated this quarter by any list (one man on "
        "four lists counts once); null without a resolution run or when no list dates the quarter",
    )
    targets_partial: bool = Field(
        False, description="Some list cannot date the whole quarter: the target count is a floor"
    )

    def to_dict(self, lists: Sequence[str]) -> dict[str, Any]:
        row: dict[str, Any] = {"quarter": self.quarter}
        for lst in lists:
            row[lst] = self.designations.get(lst)
            row[f"{lst}_partial"] = self.partial.get(lst, False)
        row.update(targets=self.targets, targets_partial=self.targets_partial)
        row.update(
            ofac_series=self.ofac_actions,
            ofac_actions=self.ofac_action_count,
            diplomacy=self.diplomacy,
            launches=self.launches,
            nuclear_tests=self.nuclear_tests,
            exercises_suspended=self.exercises,
            highlights="; ".join(self.highlights),
            citations=[c.to_dict() for c in self.citations],
        )
        return row


def _launch_count(
    in_quarter: Sequence[TimelineEvent], coverage: tuple[date, date] | None, qs: date, qe: date
) -> int | None:
    """Launches in the quarter, or ``None`` if the launch data does not cover all of it."""
    if coverage is None or qs < coverage[0] or qe > coverage[1]:
        return None
    return sum(1 for e in in_quarter if e.kind == "missile-launch")


@dataclass
class PressureIndex:
    lists: list[str]
    rows: list[QuarterRow]
    windows: list[Window]
    coverage: dict[str, list[Interval]]
    baseline: dict[str, tuple[int, str]] = field(default_factory=dict)
    unplaced: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    target_windows: list[Window] = field(default_factory=list)

    def count(self, lst: str, start: date, end: date) -> tuple[int | None, bool]:
        """Designations of ``lst`` dated wholly within ``[start, end]``; and whether coverage is complete."""
        intervals = self.coverage.get(lst, [])
        covered = covered_days(intervals, start, end)
        if covered == 0:
            return None, False
        n = sum(
            1 for w in self.windows if w.list == lst and w.first > EPOCH and w.within(start, end)
        )
        return n, covered == (end - start).days + 1


def target_windows(
    windows: Sequence[Window], targets: Mapping[str, str]
) -> tuple[list[Window], int]:
    """One window per canonical target from its listings' windows; and how many of them
    set aside an undated listing.

    The target was first designated on the earliest of its listings' dates,
    which lies between the earliest first day and the earliest last day.
    A listing known only to be "on or before" its list's oldest version
    (most of OFAC's) would put nearly every target in the baseline, so it is
    set aside when the target has a dated listing; the target is then dated
    by its first dated listing, and counted among those set aside (the
    undated listing may be older). A listing the resolution does not know
    stands alone. ``list`` is the list whose window ends first.
    """
    grouped: dict[str, list[Window]] = defaultdict(list)
    for w in windows:
        grouped[targets.get(w.entity_id, w.entity_id)].append(w)
    out = []
    set_aside = 0
    for tid, ws in grouped.items():
        dated = [w for w in ws if w.first > EPOCH]
        if dated and len(dated) < len(ws):
            set_aside += 1
        use = dated or ws
        earliest = min(use, key=lambda w: (w.last, w.first, w.list))
        first = min(w.first for w in use)
        out.append(
            Window(
                earliest.list, tid, earliest.name, earliest.schema, first, earliest.last,
                earliest.basis,
            )
        )  # fmt: skip
    return sorted(out, key=lambda w: (w.last, w.entity_id)), set_aside


def _target_cells(
    tws: Sequence[Window], set_aside: int, lists: Sequence[str]
) -> tuple[Counter[str], list[str]]:
    """Targets per quarter, and notes on how they were dated."""
    placed: Counter[str] = Counter()
    baseline, unplaced, day = 0, 0, ""
    for w in tws:
        if w.first == EPOCH:
            baseline += 1
            day = max(day, str(w.last))
        elif w.quarter is not None:
            placed[w.quarter] += 1
        else:
            unplaced += 1
    notes = [
        f"targets: {len(tws)} canonical targets with a DPRK listing on {', '.join(lists)} "
        "(one target on several lists counts once, in the quarter of its first designation)"
    ]
    if set_aside:
        notes.append(
            f"targets: {set_aside} are dated by their first dated listing though another of "
            "their listings is known only to be on or before its list's oldest version (it may "
            "be older)"
        )
    if unplaced:
        notes.append(f"targets: {unplaced} first designated in a span longer than a quarter")
    if baseline:
        notes.append(
            f"targets: {baseline} already listed in the oldest versions, on or before {day}"
        )
    return placed, notes


def build_index(
    ledger: Ledger,
    designations: Sequence[DesignationLike],
    events: Sequence[TimelineEvent],
    *,
    versions: Mapping[str, Sequence[date]] | None = None,
    daily: Sequence[DesignationLike] = (),
    daily_spans: Mapping[str, Sequence[tuple[date, date]]] | None = None,
    launch_coverage: tuple[date, date] | None = None,
    targets: Mapping[str, str] | None = None,
    start: date,
    end: date,
) -> PressureIndex:
    """Quarter rows from ``start`` to ``end``.

    ``designations`` come from the lists history (dated with ``versions``);
    ``daily`` from a history with near-daily versions (the OFAC first-seen
    file), whose coverage spans are ``daily_spans``. ``launch_coverage`` is the
    span of the missile dataset (default: first to last launch in ``events``);
    quarters outside it have no launch count. ``targets`` (listing id ->
    canonical target id, from a resolution run) adds the count of targets.
    """
    versions = versions or {}
    raw: list[Window] = []
    for d in designations:
        if d.dprk:
            w = to_window(d, versions.get(d.list_name, ()))
            if w is not None:
                raw.append(w)
    for d in daily:
        if d.dprk:
            w = to_window(d, (), daily=d.basis == "first_seen")
            if w is not None:
                raw.append(w)
    windows, notes = merge_windows(raw)
    coverage = coverage_intervals(windows, versions, daily_spans or {})
    lists = [x for x in LIST_ORDER if x in coverage] + sorted(
        x for x in coverage if x not in LIST_ORDER
    )

    placed: dict[str, Counter[str]] = {lst: Counter() for lst in lists}
    unplaced: Counter[str] = Counter()
    baseline: dict[str, tuple[int, str]] = {}
    for w in windows:
        if w.first == EPOCH:
            n, day = baseline.get(w.list, (0, str(w.last)))
            baseline[w.list] = (n + 1, max(day, str(w.last)))
        elif w.quarter is not None:
            placed[w.list][w.quarter] += 1
        else:
            unplaced[w.list] += 1

    actions: Counter[str] = Counter()
    action_count: Counter[str] = Counter()
    action_citations: dict[str, list[Citation]] = {}
    for a in ledger.sanctions_actions:
        if a.authority == "OFAC" and a.date.quarter():
            q = str(a.date.quarter())
            actions[q] += a.total
            action_count[q] += 1
            cited = action_citations.setdefault(q, [])
            cited.extend(c for c in ledger.cite(a.sources) if c not in cited)
    tws, set_aside = target_windows(windows, targets) if targets is not None else ([], 0)
    target_placed, target_notes = _target_cells(tws, set_aside, lists) if tws else (Counter(), [])
    launch_days = [e.start for e in events if e.kind == "missile-launch"]
    if launch_coverage is None and launch_days:
        launch_coverage = (min(launch_days), max(launch_days))
    has_launch_data = launch_coverage is not None
    rows: list[QuarterRow] = []
    for q in quarters_between(start, end):
        qs, qe = _quarter_bounds(q)
        cells: dict[str, int | None] = {}
        partial: dict[str, bool] = {}
        for lst in lists:
            days = covered_days(coverage[lst], qs, qe)
            cells[lst] = placed[lst][q] if days else None
            partial[lst] = 0 < days < (qe - qs).days + 1
        dated = [lst for lst in lists if cells[lst] is not None]
        in_q = [e for e in events if qs <= e.start <= qe]
        highlights = [e.title for e in in_q if e.kind in ("summit", "nuclear-test", "resolution")]
        rows.append(
            QuarterRow(
                quarter=q,
                designations=cells,
                partial=partial,
                ofac_actions=actions[q],
                ofac_action_count=action_count[q],
                citations=action_citations.get(q, []),
                diplomacy=sum(1 for e in in_q if e.kind in DIPLOMACY_KINDS),
                launches=_launch_count(in_q, launch_coverage, qs, qe),
                nuclear_tests=sum(1 for e in in_q if e.kind == "nuclear-test"),
                exercises=sum(1 for e in in_q if e.kind == "exercise"),
                highlights=highlights,
                targets=target_placed[q] if tws and dated else None,
                targets_partial=bool(tws and dated)
                and (len(dated) < len(lists) or any(partial.values())),
            )
        )
    if not lists:
        notes.append(
            "No sanctions lists imported: designation columns are empty (dprkwatch lists import ...)."
        )
    if not has_launch_data:
        notes.append(
            "No CNS missile data imported: the launches column is empty (dprkwatch ledger import ...)."
        )
    if launch_coverage is not None:
        notes.append(
            f"launches: CNS-class only, data from {launch_coverage[0]} to {launch_coverage[1]}"
        )
    for lst, n in sorted(unplaced.items()):
        notes.append(
            f"{lst}: {n} designation(s) dated only to a span longer than a quarter (versions too far apart)"
        )
    for lst, (n, day) in sorted(baseline.items()):
        notes.append(
            f"{lst}: {n} designation(s) already present in the oldest version, i.e. on or before {day}"
        )
    if targets is None and lists:
        notes.append("No resolution run: the targets column is empty (dprkwatch resolve run).")
    notes.extend(target_notes)
    return PressureIndex(
        lists=lists,
        rows=rows,
        windows=windows,
        coverage=coverage,
        baseline=baseline,
        unplaced=dict(unplaced),
        notes=notes,
        target_windows=tws,
    )
