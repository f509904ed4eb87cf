"""Which targets are about North Korea, and the evidence that says so.

A programme tag is not enough: OFAC lists some plainly North Korean people
and firms under its non-proliferation programme (NPWMD) and tells the reader
only in the remarks ("nationality Korea, North", "Secondary sanctions risk:
North Korea Sanctions Regulations") or by a "Linked To" a DPRK company. So a
listing is DPRK-relevant on any of these kinds of evidence, each recorded:

``programme``      a DPRK programme or regime of its publisher
``un_1718``        a UN 1718 Committee reference (``KPi.``/``KPe.``)
``nationality``    North Korean nationality or citizenship
``address``        an address in North Korea
``flag``           a vessel under the North Korean flag
``birth_country``  born in North Korea
``remarks``        a DPRK regulation, order or resolution named in its remarks
``link``           "Linked To" (or a similar relation) a listing with any of the above
``cluster``        another listing of the same target has any of the above

The last two are derived: a link reaches one step only (a DPRK company's
Chinese agent is in; the agent's other contacts are not), and the cluster
kind marks listings that are in scope only because the same target is
listed elsewhere with evidence.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from dprkwatch.resolution.records import Listing

DPRK = "kp"
KINDS = (
    "programme", "un_1718", "nationality", "address", "flag", "birth_country", "remarks", "link",
    "cluster",
)  # fmt: skip
DIRECT_KINDS = KINDS[:-2]
# Regulations, orders, laws and resolutions aimed at the DPRK, as publishers cite them;
# failing those, the country named in the remarks.
_REMARKS = (
    re.compile(
        r"North Korea Sanctions Regulations|31 C\.?F\.?R\.? (?:part )?510|"
        r"North Korea Sanctions and Policy Enhancement Act|NKSPEA|"
        r"(?:E\.?O\.?|Executive Order)\s*13(?:466|551|570|687|722|810)\b|"
        r"resolutions? (?:\d{4}[ ,and]*)*(?:1718|1874|2087|2094|2270|2321|2356|2371|2375|2397)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"Democratic People'?s Republic of Korea|\bDPRK\b|Korea,? North|North Korea",
        re.IGNORECASE,
    ),
)

Evidence = tuple[str, str, str]  # (kind, listing id, detail)


# Words one of the ``_REMARKS`` patterns cannot match without (in lower case):
# a remark holding none of them is not searched at all, as most are not.
_REMARK_WORDS = (("korea", "510", "nkspea", "13", "resolution"), ("korea", "dprk"))
# Joins a listing's remarks for one search per pattern; no pattern matches across it.
_JOIN = "\x00"


def direct_evidence(rec: Listing) -> list[Evidence]:
    """What a listing says about itself."""
    out: list[Evidence] = []
    if rec.dprk_program:
        out.append(("programme", rec.id, ", ".join(rec.programs)))
    refs = [r for r in rec.unsc_refs if r.upper().startswith("KP")]
    if refs:
        out.append(("un_1718", rec.id, ", ".join(refs)))
    for kind, values in (
        ("nationality", rec.nationality),
        ("address", rec.countries),
        ("flag", rec.flags),
        ("birth_country", rec.birth_countries),
    ):
        if DPRK in values:
            out.append((kind, rec.id, "kp"))
    if rec.texts:
        text = _JOIN.join(rec.texts)
        lower = text.lower()
        for pattern, words in zip(_REMARKS, _REMARK_WORDS, strict=True):
            m = pattern.search(text) if any(w in lower for w in words) else None
            if m:
                out.append(("remarks", rec.id, m.group(0)))
                break
    return out


def assess(
    listings: Mapping[str, Listing],
    targets: Mapping[str, Iterable[str]],
    direct: Mapping[str, list[Evidence]] | None = None,
) -> dict[str, list[Evidence]]:
    """Evidence of DPRK relevance per target id (targets without any are left out).

    ``direct`` is each listing's own evidence when already known (a re-run
    keeps that of unchanged listings rather than searching their remarks again).
    """
    if direct is None:
        direct = {rid: direct_evidence(rec) for rid, rec in listings.items()}
    target_of = {m: cid for cid, members in targets.items() for m in members}
    relevant_targets = {
        cid for cid, members in targets.items() if any(direct.get(m) for m in members)
    }
    out: dict[str, list[Evidence]] = defaultdict(list)
    for cid, members in targets.items():
        evidence: list[Evidence] = []
        for m in members:
            evidence.extend(direct.get(m, ()))
        for m in members:
            rec = listings.get(m)
            if rec is None:
                continue
            for other in rec.links:
                other_target = target_of.get(other)
                if (
                    other_target is not None
                    and other_target != cid
                    and other_target in relevant_targets
                ):
                    evidence.append(("link", m, f"linked to {other} ({other_target})"))
        if evidence:
            with_own = {e[1] for e in evidence}
            for m in members:
                if m not in with_own:
                    evidence.append(("cluster", m, f"same target as {sorted(with_own)[0]}"))
            out[cid] = evidence
    return dict(out)


def counts(evidence: Mapping[str, list[Evidence]]) -> dict[str, int]:
    """Targets having each kind of evidence (a target counts once per kind)."""
    c: Counter[str] = Counter()
    for items in evidence.values():
        for kind in {e[0] for e in items}:
            c[kind] += 1
    return {kind: c[kind] for kind in KINDS}


def only_by(evidence: Mapping[str, list[Evidence]]) -> dict[str, int]:
    """Targets in scope by one kind of evidence alone (what each rule adds)."""
    c: Counter[str] = Counter()
    for items in evidence.values():
        kinds = {e[0] for e in items} - {"cluster"}
        if len(kinds) == 1:
            c[next(iter(kinds))] += 1
    return dict(sorted(c.items()))
