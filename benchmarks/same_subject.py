"""Which listed records are the same subject, for labelling the evaluation.

    python benchmarks/same_subject.py [--data-dir DIR] [--markdown OUT.md]

The evaluation counts a result as right when it is an expected entity or
the same subject listed elsewhere (OFAC lists many UN entries again, under
other programmes and often other spellings). Two records are linked, one
hop from an expected entity, when:

* **name key**: a name or alias of each has the same key
  (``dprk_variants.entity_key``: the words sorted, Korean given names kept
  in order, legal forms dropped; typographic apostrophes as plain ones);
* **shared identifier**: both carry the same passport, ID, tax,
  registration or IMO number (letters and digits only, upper case; at least
  six of them, four digits among them) and are of the same schema; two
  persons must also share a full birth date or a close name (below): the
  EU gives two Syrians born in 1974 and 1976 one ID number, the UN two
  Iranians the same two passport numbers;
* **birth date and close name**: two persons with a birth date written
  the same on both (the same day, or the same year when both give only the
  year) and a close name: a pair of names that spell the same words (every
  word of three letters or more has a counterpart on the other side at
  least ``CLOSE_WORD`` alike, rapidfuzz ``ratio`` out of 100; apostrophes
  inside a word ignored), whose words, sorted, are at least ``CLOSE_NAME``
  alike (``token_sort_ratio``). A respelling (BOUYEHIA, BOUYAHIA) or an
  article joined or apart (AL-LOUBIRI, LOUBIRI) is close; another given
  name (brothers Yasir and Omar Sabawi, both born 1970) is not.

* **acronym**: an organisation listed as "BODY (ACRONYM)", the acronym
  the initials of BODY's words, and a record of the same schema that names
  BODY as one comma-separated part of its name (``acronym_links``).

The last three rules are independent of the screener (no score of ours
decides who is the same person). Run as a script, it prints every pair the
last three rules link that the name keys do not, with the reason.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dprk_variants import entity_key, fold
from dprkwatch.matching import Screener

IDENTIFIER_PROPS = (
    "passportNumber",
    "idNumber",
    "taxNumber",
    "registrationNumber",
    "imoNumber",
)
CLOSE_NAME = 90.0
CLOSE_WORD = 75.0
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u02bb`\u00b4"})
# OFAC's abbreviations of words the other lists write out: its SHANGHAI
# DONGFENG SHPG CO LTD and SHEN ZHONG INTERNATIONAL SHPG are the EU's and
# the UK's SHANGHAI DONGFENG SHIPPING CO LTD and SHEN ZHONG INTERNATIONAL
# SHIPPING.
_ABBREVIATIONS = ((re.compile(r"\bSHPG\b", re.IGNORECASE), "SHIPPING"),)


def _written_out(name: str) -> str:
    for pattern, word in _ABBREVIATIONS:
        name = pattern.sub(word, name)
    return name


@dataclass(frozen=True)
class Link:
    """Two records of one subject, and the rule that says so."""

    a: str
    b: str
    rule: str  # "identifier", "birth date" or "acronym"
    detail: str


def _entity(screener: Screener, eid: str) -> dict[str, Any]:
    data = screener.get(eid)
    assert data is not None
    return data


def _names(data: dict[str, Any]) -> list[str]:
    return [v for p in ("name", "alias") for v in data["properties"].get(p, [])]


def entity_keys(screener: Screener, eid: str) -> set[tuple[str, str]]:
    """The keys under which other lists' records of the same subject meet this one.

    Typographic apostrophes count as the plain one: UN writes AL-SA\u2019ADI where
    OFAC and the EU write AL-SA'ADI, and without this the same person on two lists
    would count as a wrong entity. OFAC's abbreviations count as the words
    written out (``_ABBREVIATIONS``)."""
    data = _entity(screener, eid)
    return {
        (data["schema"], key)
        for v in _names(data)
        if (key := entity_key(data["schema"], _written_out(v.translate(_APOSTROPHES))))
    }


def identifier(value: str) -> str | None:
    """An identifier as compared across lists, or None when too short to trust."""
    text = re.sub(r"[^0-9A-Z]", "", value.upper())
    if len(text) < 6 or sum(c.isdigit() for c in text) < 4:
        return None
    return text


def _words(name: str) -> list[str]:
    # An apostrophe inside a word (AL-TA'I, SA'D) does not split it.
    return fold(name.translate(_APOSTROPHES).replace("'", "")).split()


def _paired(a: list[str], b: list[str]) -> bool:
    """Every word of three letters or more in ``a`` has a counterpart in ``b``
    at least ``CLOSE_WORD`` alike (particles such as AL, EL may stand alone)."""
    return all(len(w) < 3 or max(fuzz.ratio(w, v) for v in b) >= CLOSE_WORD for w in a)


def close_names(a: list[str], b: list[str]) -> tuple[float, str, str]:
    """The closest pair of names that spell the same words: every word has a
    counterpart on the other side (``_paired``), scored by ``token_sort_ratio``
    of the words; (0, "", "") when no pair qualifies."""
    best = (0.0, "", "")
    for x in a:
        if not (wx := _words(x)):
            continue  # no Latin letters (Cyrillic, Arabic): nothing to compare
        for y in b:
            wy = _words(y)
            if not wy or not (_paired(wx, wy) and _paired(wy, wx)):
                continue
            ratio = fuzz.token_sort_ratio(" ".join(wx), " ".join(wy))
            if ratio > best[0]:
                best = (ratio, x, y)
    return best


def links(screener: Screener) -> list[Link]:
    """Every pair the identifier and birth-date rules link, sorted."""
    records = [_entity(screener, rec.id) | {"id": rec.id} for rec in screener.index.records]
    by_identifier: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_birth: dict[str, set[str]] = defaultdict(set)
    for data in records:
        props = data["properties"]
        for prop in IDENTIFIER_PROPS:
            for value in props.get(prop, []):
                if (ident := identifier(value)) is not None:
                    by_identifier[(data["schema"], ident)].add(data["id"])
        if data["schema"] == "Person":
            for value in props.get("birthDate", []):
                by_birth[value.strip()].add(data["id"])
    found: dict[tuple[str, str], Link] = {}
    names = {data["id"]: _names(data) for data in records}
    births = {
        data["id"]: {v for v in data["properties"].get("birthDate", []) if len(v) == 10}
        for data in records
    }
    for (_schema, ident), eids in by_identifier.items():
        for a, b in combinations(sorted(eids), 2):
            if _schema == "Person" and not (
                births[a] & births[b] or close_names(names[a], names[b])[0] >= CLOSE_NAME
            ):
                continue  # two people, one number: a shared birth date or name needed
            found.setdefault((a, b), Link(a, b, "identifier", ident))
    for date, eids in by_birth.items():
        for a, b in combinations(sorted(eids), 2):
            if (a, b) in found:
                continue
            ratio, x, y = close_names(names[a], names[b])
            if ratio >= CLOSE_NAME:
                found[(a, b)] = Link(a, b, "birth date", f"{date}; {x} / {y} ({ratio:.0f})")
    for link in acronym_links(records, names):
        found.setdefault((link.a, link.b), link)
    return sorted(found.values(), key=lambda link: (link.a, link.b))


_ACRONYM_NAME = re.compile(r"^(?P<body>[^(),]+?)\s*\((?P<acronym>[A-Za-z]{2,8})\)\s*$")
_INITIAL_SKIP = frozenset({"of", "and", "the", "for"})


def acronym_links(records: list[dict[str, Any]], names: dict[str, list[str]]) -> list[Link]:
    """Organisations listed as "BODY (ACRONYM)", the acronym the initials of
    BODY's words, linked to a record of the same schema that names BODY as one
    comma-separated part of its name (the parent before or after it).

    The EU's and the UK's PROPAGANDA AND AGITATION DEPARTMENT (PAD) is OFAC's
    KOREAN WORKERS PARTY, PROPAGANDA AND AGITATION DEPARTMENT: OFAC's own alias
    file of June 2026 gives that record (ent_num 19528) the aliases
    PROPAGANDA AND AGITATION DEPARTMENT and PROPAGANDA AND AGITATION
    DEPARTMENT, WORKERS PARTY OF KOREA. The acronym is what makes BODY a
    body's own name, not a generic part such as "S.A." (CIMEX, S.A.)."""
    bodies: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for data in records:
        if data["schema"] in ("Person", "Vessel"):
            continue
        for name in names[data["id"]]:
            m = _ACRONYM_NAME.match(name.strip())
            if m is None:
                continue
            words = _words(m["body"])
            initials = "".join(w[0] for w in words if w not in _INITIAL_SKIP)
            if len(words) >= 2 and initials == m["acronym"].lower():
                bodies[(data["schema"], " ".join(words))].append((data["id"], name))
    out = []
    for data in records:
        for name in names[data["id"]]:
            if "," not in name:
                continue
            for part in name.split(","):
                for eid, listed in bodies.get((data["schema"], " ".join(_words(part))), ()):
                    if eid != data["id"]:
                        a, b = sorted((eid, data["id"]))
                        out.append(Link(a, b, "acronym", f"{listed} / {name}"))
    return out


class SameSubject:
    """The records of the same subject as each listed record (one hop)."""

    def __init__(self, screener: Screener, *, by_rules: bool = True) -> None:
        self.screener = screener
        by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.keys = {rec.id: entity_keys(screener, rec.id) for rec in screener.index.records}
        for eid, keys in self.keys.items():
            for key in keys:
                by_key[key].add(eid)
        self.by_key = by_key
        self.links = links(screener) if by_rules else []
        self.linked: dict[str, set[str]] = defaultdict(set)
        for link in self.links:
            self.linked[link.a].add(link.b)
            self.linked[link.b].add(link.a)

    def widen(self, expected: frozenset[str]) -> frozenset[str]:
        """``expected`` with every record linked to one of them."""
        out = set(expected)
        for eid in expected:
            for key in self.keys.get(eid) or entity_keys(self.screener, eid):
                out |= self.by_key.get(key, set())
            out |= self.linked.get(eid, set())
        return frozenset(out)

    def new_links(self) -> list[Link]:
        """The rules' links that the name keys do not already make."""
        return [link for link in self.links if not self.keys[link.a] & self.keys[link.b]]


def render(same: SameSubject) -> str:
    """Every link the rules add to the name keys, as a markdown page."""
    rows = same.new_links()
    versions = ", ".join(f"{k} {v}" for k, v in same.screener.versions.items())
    lines = [
        "# The same subject on several lists: the evaluation's links",
        "",
        "Generated by `python benchmarks/same_subject.py --data-dir DIR --markdown "
        "docs/same-subject-links.md` (lists: " + versions + "); do not edit by hand. "
        "The rules are in that script's docstring and in docs/matching.md "
        '("Who is the same person"). Listed here: every pair of records the '
        "identifier, birth-date and acronym rules link that the name keys did not already "
        "link. The evaluation and the calibration count a result on either record "
        "of a pair as the queried subject.",
        "",
        f"{len(rows)} pairs: {sum(r.rule == 'identifier' for r in rows)} by a shared "
        f"identifier, {sum(r.rule == 'birth date' for r in rows)} by the same birth date "
        f"and a close name, {sum(r.rule == 'acronym' for r in rows)} by a listed acronym.",
        "",
        "| record | record | rule | evidence |",
        "|---|---|---|---|",
    ]
    for link in rows:
        a, b = (
            _entity(same.screener, e)["properties"].get("name", ["?"])[0] for e in (link.a, link.b)
        )
        detail = link.detail.replace("|", "/")
        lines.append(f"| {link.a} ({a}) | {link.b} ({b}) | {link.rule} | {detail} |")
    return "\n".join(lines)


def main() -> int:
    from inputs import add_min_entities, add_shared_data
    from matching_eval import emit, load_screener

    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_shared_data(ap)
    add_min_entities(ap)
    ap.add_argument("--data-dir", type=Path, default=None, help="lists already imported")
    ap.add_argument("--markdown", type=Path, default=None, help="write the page here")
    args = ap.parse_args()
    return emit(render(SameSubject(load_screener(args))), args.markdown)


if __name__ == "__main__":
    raise SystemExit(main())
