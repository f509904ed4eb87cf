"""The three kinds of evidence that two listings are one target, strongest first.

1. **References** (:func:`reference_links`): an EU or UK entry that carries a
   UN reference number (``KPi.052``) names the UN entry it implements. The
   publisher said so; nothing is guessed.
2. **Shared identifiers** (:func:`identifier_links`): the same IMO number,
   passport or national id number, wallet address or SWIFT/BIC code on two
   lists. A number shared by two entries of one list proves nothing (it is
   not unique there) and is skipped; a shared number with unlike names is
   only a candidate for review.
3. **The matching engine** (:func:`matching_candidates`): each entry is
   screened, as a query made of its names, birth dates, nationalities and
   type, against the other lists' entries with the same engine and
   algorithm that screens customers. Its score and reasons become the link's
   evidence.

"Linked To" and similar relations join *different* targets (a man and the
company he works for), so they never make two listings one target; they
feed DPRK relevance and the links between targets instead.
"""

from __future__ import annotations

import multiprocessing
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from dprkwatch.forking import fork_is_safe
from dprkwatch.matching import Match, Query, QueryError, Scope, Screener
from dprkwatch.resolution.records import Listing, compatible

ID_LABELS = {
    "imo": "IMO number",
    "passport": "passport number",
    "national_id": "national id number",
    "swift": "SWIFT/BIC code",
    "wallet": "wallet address",
}
# Query properties built from a listing, and how many values of each to send.
_COUNTRY_PROPS = frozenset({"nationality", "flag", "country"})
_MAX_VALUES = 50
_QUERY_SCHEMA = {"LegalEntity": "LegalEntity", "CryptoWallet": ""}


@dataclass
class Candidate:
    """Two listings that may be one target, with the evidence and how strong it is."""

    a: str
    b: str
    method: str
    score: float
    evidence: list[str]
    features: dict[str, float] = field(default_factory=dict)
    # Why the evidence alone does not decide (empty when it does).
    doubt: str = ""

    def __post_init__(self) -> None:
        if self.b < self.a:
            self.a, self.b = self.b, self.a

    @property
    def key(self) -> tuple[str, str]:
        return (self.a, self.b)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "method": self.method,
            "score": round(self.score, 4),
            "evidence": list(self.evidence),
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "doubt": self.doubt,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Candidate:
        return cls(
            a=str(data["a"]),
            b=str(data["b"]),
            method=str(data["method"]),
            score=float(data["score"]),
            evidence=[str(e) for e in data.get("evidence", [])],
            features={str(k): float(v) for k, v in data.get("features", {}).items()},
            doubt=str(data.get("doubt", "")),
        )


# -- 1. references -------------------------------------------------------------


def reference_links(listings: Mapping[str, Listing]) -> list[Candidate]:
    """Links from UN reference numbers carried by other lists' entries."""
    carriers: dict[str, list[Listing]] = defaultdict(list)
    spelled: dict[str, str] = {}
    for rec in listings.values():
        for ref in rec.unsc_refs:
            carriers[ref.upper()].append(rec)
            spelled.setdefault(ref.upper(), ref)
    for rec in listings.values():
        for ref in rec.mentions:
            for other in carriers.get(ref.upper(), ()):
                if other.id != rec.id and other.id not in rec.links:
                    rec.links.append(other.id)
    out: list[Candidate] = []
    for key, recs in sorted(carriers.items()):
        ref = spelled[key]
        un = [r for r in recs if r.list_name.split("_", 1)[0] == "un"]
        anchor = un[0] if un else min(recs, key=lambda r: r.id)
        for rec in recs:
            if rec.id == anchor.id:
                continue
            if not compatible(rec.group, anchor.group):
                # A vessel listed "as asset of" a company carries the company's
                # reference: a relation between two targets, not one target.
                for x, y in ((rec, anchor), (anchor, rec)):
                    if y.id not in x.links:
                        x.links.append(y.id)
                continue
            where = f"the UN's own entry {anchor.id}" if un else f"also carried by {anchor.id}"
            out.append(
                Candidate(
                    rec.id,
                    anchor.id,
                    "reference",
                    1.0,
                    [f"{rec.id} ({rec.list_name}) carries UN reference {ref} ({where})"],
                )
            )
    return out


# -- 2. identifiers --------------------------------------------------------------


def identifier_links(
    listings: Mapping[str, Listing],
    name_score: Callable[[Listing, Listing], float],
    *,
    name_floor: float,
) -> list[Candidate]:
    """Links from strong identifiers that two lists give the same value."""
    holders: dict[tuple[str, str], list[Listing]] = defaultdict(list)
    for rec in listings.values():
        for kind, values in rec.identifiers.items():
            for value in values:
                holders[(kind, value)].append(rec)
    found: dict[tuple[str, str], Candidate] = {}
    for (kind, value), recs in sorted(holders.items()):
        if len(recs) < 2:
            continue
        per_list: dict[str, int] = defaultdict(int)
        for rec in recs:
            per_list[rec.list_name] += 1
        for x, y in combinations(recs, 2):
            if x.list_name == y.list_name or not compatible(x.group, y.group):
                continue
            if per_list[x.list_name] > 1 or per_list[y.list_name] > 1:
                continue
            label = f"same {ID_LABELS[kind]} {value}"
            pair = (min(x.id, y.id), max(x.id, y.id))
            cand = found.get(pair)
            if cand is not None:
                if label not in cand.evidence:
                    cand.evidence.append(label)
                continue
            cand = Candidate(x.id, y.id, "identifier", 1.0, [label])
            # A vessel keeps its IMO number through every renaming, and a
            # wallet address is unique by construction: names do not matter.
            by_number_alone = kind == "wallet" or (kind == "imo" and x.group == "vessel")
            if not by_number_alone:
                score = name_score(x, y)
                cand.features["name"] = score
                if score < name_floor:
                    cand.doubt = f"names unlike (name score {score:.2f})"
            found[pair] = cand
    return list(found.values())


# -- 3. the matching engine --------------------------------------------------------


def query_for(rec: Listing) -> Query | None:
    """The screening query that describes a listing: names, dates, nationality, type."""
    schema = _QUERY_SCHEMA.get(rec.schema, rec.schema)
    if not schema:
        return None
    props: dict[str, list[str]] = {k: v[:_MAX_VALUES] for k, v in rec.names.items() if v}
    if not props:
        return None
    extra = {
        "birthDate": rec.birth_dates,
        "nationality": rec.nationality,
        "gender": rec.gender,
        "flag": rec.flags,
        # Where a firm sits tells branches of one name apart; a person's
        # address country says less than a nationality, so it is left out.
        "country": rec.countries if rec.group != "person" else [],
    }
    for key, values in extra.items():
        if values:
            props[key] = values[:_MAX_VALUES]
    order = list(props)
    # Countries and genders already in the form the query would clean them
    # to are set after it is built, not cleaned again (see ``_already_clean``).
    clean = {k: list(dict.fromkeys(props.pop(k))) for k in order if _already_clean(k, props[k])}
    while True:
        try:
            query = Query(schema=schema, properties=props, id=rec.id)
        except QueryError as exc:
            # Drop the one property the engine cannot take (an odd date) and keep the rest.
            bad = getattr(exc, "where", None)
            if not bad or bad not in props or bad == "name":
                return None
            del props[bad]
            continue
        if clean:
            merged = {**query.properties, **clean}
            object.__setattr__(query, "properties", {k: merged[k] for k in order if k in merged})
        return query


# Country codes and genders as FollowTheMoney writes them in a snapshot.
_CLEAN_CODE = re.compile(r"[a-z]{2}(?:[a-z]{2}|-[a-z0-9]{1,3})?")
_CLEAN_GENDERS = frozenset({"male", "female", "other"})


def _already_clean(prop: str, values: Sequence[str]) -> bool:
    """Whether ``values`` of ``prop`` are already what cleaning them would give.

    A listing's countries and genders come from snapshot entities that
    FollowTheMoney cleaned when the list was imported (ISO codes such as
    ``kp``, historical ones such as ``suhh``; ``male``, ``female``). Cleaning
    them again would change nothing but would load FollowTheMoney's model,
    about a second of a re-run that screens a few changed entries. Anything
    in another form is cleaned as usual.
    """
    if prop in _COUNTRY_PROPS:
        return all(_CLEAN_CODE.fullmatch(v) for v in values)
    if prop == "gender":
        return all(v in _CLEAN_GENDERS for v in values)
    return False


def list_order(listings: Iterable[Listing]) -> list[str]:
    """Lists from the smallest to the largest: each list's entries query the larger ones."""
    sizes: dict[str, int] = defaultdict(int)
    for rec in listings:
        sizes[rec.list_name] += 1
    return sorted(sizes, key=lambda name: (sizes[name], name))


# One listing to screen and the lists to screen it against.
Task = tuple[Listing, Sequence[str]]
# Below this many listings to screen, forked workers cost more than they save.
PARALLEL_MIN_TASKS = 400
_CHUNK = 200

# Set in each forked worker by its initializer (never in the parent): what it
# screens. The screener and the listings arrive by fork; only offsets travel.
_WORKER: tuple[Screener, Sequence[Task], float, int] | None = None


def matching_candidates(
    screener: Screener,
    tasks: Sequence[Task],
    *,
    floor: float,
    top: int,
    workers: int,
) -> dict[str, list[Candidate]]:
    """For each listing of ``tasks``, its candidates on its lists at or above ``floor``.

    Each task names its own lists (a full run screens each list against the
    larger ones, a re-run screens changed entries against every other list),
    so all of a run's screening goes through one pool of ``workers`` forked
    processes: the small lists are screened on both cores as well, and the
    queries are built in the workers too. The result is keyed by the
    querying listing, so an incremental re-run can keep the candidates of
    entries that did not change.
    """
    out: dict[str, list[Candidate]] = {rec.id: [] for rec, _ in tasks}
    work = [(rec, tuple(targets)) for rec, targets in tasks if targets]
    if not work:
        return out
    state = (screener, work, floor, top)
    if workers <= 1 or len(work) < PARALLEL_MIN_TASKS or not fork_is_safe():
        found = _screen_tasks(state, 0, len(work))
    else:
        found = []
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_init_worker, initargs=(state,)) as pool:
            for chunk in pool.imap(_screen_chunk, range(0, len(work), _CHUNK)):
                found.extend(chunk)
    for (rec, _), cands in zip(work, found, strict=True):
        out[rec.id] = cands
    return out


def _init_worker(state: tuple[Screener, Sequence[Task], float, int]) -> None:
    global _WORKER
    _WORKER = state


def _screen_chunk(start: int) -> list[list[Candidate]]:
    assert _WORKER is not None
    return _screen_tasks(_WORKER, start, start + _CHUNK)


def _screen_tasks(
    state: tuple[Screener, Sequence[Task], float, int], start: int, stop: int
) -> list[list[Candidate]]:
    screener, work, floor, top = state
    scopes: dict[tuple[str, ...], Scope] = {}
    out: list[list[Candidate]] = []
    for rec, targets in work[start:stop]:
        query = query_for(rec)
        if query is None:
            out.append([])
            continue
        scope = scopes.get(tuple(targets))
        if scope is None:
            scope = scopes[tuple(targets)] = Scope(lists=targets)
        matches = screener.screen(query, top=top, threshold=floor, scope=scope)
        found = [_from_match(rec, m) for m in matches if m.score >= floor]
        # Equal scores in a fixed order: the engine may rank ties differently
        # from one process to the next, and the first of tied rivals is named.
        found.sort(key=lambda c: (-c.score, c.a, c.b))
        out.append(found)
    return out


def _from_match(rec: Listing, m: Match) -> Candidate:
    return Candidate(
        rec.id,
        m.entity_id,
        "matching",
        float(m.score),
        [f"{m.algorithm} score {m.score:.2f}: " + "; ".join(m.explanation)],
        features=dict(m.features),
    )
