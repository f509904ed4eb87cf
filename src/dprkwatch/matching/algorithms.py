"""Named, versioned scoring algorithms that combine the feature functions.

A screening decision must be reproducible: an auditor asking in 2027 why a
payment was stopped in 2026 needs the same algorithm, not today's. Each
algorithm therefore has a fixed name with its version, a calibrated
threshold, and stays selectable after a newer one becomes the default.
Changing a weight or a feature means a new version, not an edit.

``dprkwatch-match-v1``
    The name score is the best over all pairs of query and listed names of
    the strongest applicable comparison: Korean syllable readings when both
    names are Korean, otherwise informativeness-weighted words, plus
    spacing-free letters, Korean readings of company and vessel words,
    acronyms and consonant outlines for Arabic/Hebrew script. Weak aliases
    count 0.9. Qualifiers (birth date, country, gender, numbers in names)
    then add or subtract a little; an identical IMO, MMSI, document number
    or wallet address lifts the score to at least 0.95; a differing IMO
    number subtracts 0.25.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Final, NamedTuple

from dprkwatch.matching import calibration
from dprkwatch.matching import features as F
from dprkwatch.matching.analysis import GROUP_OF_SCHEMA, NameForm, analyze_name
from dprkwatch.matching.corrections import corrections
from dprkwatch.matching.exceptions import UnknownAlgorithm
from dprkwatch.matching.features.feature import new_feature
from dprkwatch.matching.given_names import initials_reading, nickname_readings
from dprkwatch.matching.index import EntityRecord, Index
from dprkwatch.matching.query import COUNTRY_PROPS, NAME_PROPS, Query
from dprkwatch.matching.rounding import rounded
from dprkwatch.matching.typos import Vocabulary
from dprkwatch.matching.wade_giles import pinyin_readings

# Which listed groups a query group may be compared with by name.
COMPATIBLE_GROUPS: Final[dict[str, frozenset[str]]] = {
    "person": frozenset({"person", "any"}),
    "org": frozenset({"org", "any"}),
    "vessel": frozenset({"vessel", "any"}),
    "wallet": frozenset({"wallet"}),
    "any": frozenset({"person", "org", "any", "vessel", "wallet"}),
}
_LEGAL_ENTITY_GROUPS: Final = frozenset({"person", "org", "any"})


# Not frozen, though never changed once analyze() returns it: a frozen
# dataclass sets each of its twelve fields through object.__setattr__ (about
# 1 % of a query's instructions). unsafe_hash keeps the frozen class's hash.
@dataclass(slots=True, unsafe_hash=True)
class QueryAnalysis:
    """A validated query, analysed once per screen."""

    query: Query
    group: str
    groups: frozenset[str]
    forms: tuple[NameForm, ...]
    imo: frozenset[str]
    mmsi: frozenset[str]
    documents: frozenset[str]
    wallets: frozenset[str]
    birth_dates: frozenset[str]
    countries: frozenset[str]
    gender: frozenset[str]
    # Readings of mistyped query names (form, discount, what was changed):
    # compared like the query's own forms, at the discount.
    corrected: tuple[tuple[NameForm, float, str], ...] = ()

    def name_forms(self) -> tuple[tuple[NameForm, float, str], ...]:
        """Every form to compare: the query's own (no discount), then the corrected ones."""
        return tuple((f, 1.0, "") for f in self.forms) + self.corrected


class Scored(NamedTuple):
    score: float
    features: dict[str, float]
    reasons: list[str]
    # The uncalibrated score (v1's score; what the MIN_SCORE floor applies to),
    # the evidence level and the listed name form that scored best.
    raw: float = 0.0
    evidence: str = ""
    listed: NameForm | None = None
    # The name score plus the qualifiers before clipping to [0, 1] (what
    # v2 calibrates: an agreeing birth date still counts on an exact name).
    total: float = 0.0


# Scored(...) from all its fields, in order, without the NamedTuple's __new__.
_new_scored: Final = partial(tuple.__new__, Scored)


# The most the qualifiers can add to a name score (birth date +0.06 and
# country +0.03; the others only subtract), with a margin for rounding.
QUALIFIERS_CEILING: Final = 0.1


class MatchV1:
    """dprkwatch-match-v1 (see the module docstring)."""

    name: ClassVar[str] = "dprkwatch-match-v1"
    threshold: ClassVar[float] = 0.80
    WEAK_ALIAS = 0.9
    KOREAN_WORDS_DISCOUNT = 0.9
    ID_FLOOR = 0.95

    def analyze(self, query: Query, vocabulary: Vocabulary | None = None) -> QueryAnalysis:
        """Analyse a query once; v1 ignores the listed ``vocabulary`` (no corrections)."""
        group = GROUP_OF_SCHEMA[query.schema]
        # The cleaned values, read here in place (Query.get, a Python method,
        # copies each list: a score of calls per query).
        props = query.properties
        countries = frozenset(v for p in COUNTRY_PROPS for v in props.get(p, ()))
        korean_context = bool(countries & {"kp", "kr"})
        forms: list[NameForm] = []
        for prop in NAME_PROPS:
            for value in props.get(prop, ()):
                for form in analyze_name(value, group, korean_context):
                    if form not in forms:
                        forms.append(form)
        groups = COMPATIBLE_GROUPS[group]
        if query.schema == "LegalEntity":
            groups = _LEGAL_ENTITY_GROUPS
        docs = frozenset(
            v
            for p in ("passportNumber", "idNumber", "registrationNumber", "taxNumber", "innCode",
                      "ogrnCode", "leiCode", "swiftBic", "callSign")
            for v in props.get(p, ())
        )  # fmt: skip
        return QueryAnalysis(
            query=query,
            group=group,
            groups=groups,
            forms=tuple(forms),
            imo=frozenset(props.get("imoNumber", ())),
            mmsi=frozenset(props.get("mmsi", ())),
            documents=docs,
            wallets=frozenset(props.get("publicKey", ())),
            birth_dates=frozenset(props.get("birthDate", ())),
            countries=countries,
            gender=frozenset(props.get("gender", ())),
        )

    def name_feature(
        self, q: NameForm, c: NameForm, group: str, weights: F.Weights, replaced: float = 0.0
    ) -> tuple[str, F.Feature]:
        """The strongest comparison of two name forms, with its feature name.

        ``replaced``: what a word replaced in a long name costs more
        (``F.REPLACED_WORD`` for a person without an agreeing birth date)."""
        best = ("", F.NONE)
        if q.script == "Hani" and c.script == "Hani" and not (q.korean and c.korean and q.reading):
            cands = [("name.characters", F.name_han(q, c))]
        elif q.korean and c.korean:
            # Korean names are compared as syllables; the word comparison
            # only rescues typos that broke the syllable reading ("Juung"),
            # and is discounted so it cannot pass on near-miss given names.
            cands = [("name.korean", F.name_korean(q, c, weights))]
            hangul = "Hang" in (q.script, c.script)
            words: F.Feature | None = None
            if not _same_shape(q, c):
                words = F.name_tokens(q, c, weights, strict=True)
            elif not hangul:
                # Same shape: the syllables saw every difference, but a one-
                # syllable given name with a slip (Ryong Kag) cannot reach
                # the threshold there; words that differ only by keyboard
                # slips may. (Words all alike are no slips: they pass too.)
                words = F.name_tokens(q, c, weights, strict=True, slips_only=True)
            if words is not None:
                if words.value >= 1.0 and not hangul:
                    # The same words in the same order (or the surname moved):
                    # whatever the syllable reading, the names are written
                    # alike (Chinese names such as "Kee Seng Kwek" read as
                    # Korean too).
                    cands.append(("name.words", words))
                else:
                    cands.append(
                        (
                            "name.words",
                            new_feature((words.value * self.KOREAN_WORDS_DISCOUNT, words.reason)),
                        )
                    )
            if q.joined == c.joined and not (q.script == c.script == "Hang"):
                cands.append(("name.joined", F.name_joined(q, c, always=True)))
        else:
            # Each later comparison replaces the words only when strictly
            # stronger, so one whose ceiling cannot beat the best so far is
            # skipped: the same answer for less work.
            key, feat = (
                "name.words",
                F.name_tokens(q, c, weights, person=group == "person", replaced=replaced),
            )
            if feat.value < F.JOINED_SAME:
                joined = F.name_joined(q, c, always=group != "person")
                if joined.value > feat.value:
                    key, feat = "name.joined", joined
            if feat.value < F.KOREAN_WORDS_SAME:
                korean_words = F.name_korean_joined(q, c)
                if korean_words.value > feat.value:
                    key, feat = "name.korean_words", korean_words
            if group != "person" and feat.value < F.ACRONYM:
                acronym = F.name_acronym(q, c)
                if acronym.value > feat.value:
                    key, feat = "name.acronym", acronym
            if feat.value < F.ABJAD_SAME:
                script = F.name_abjad(q, c)
                if script.value > feat.value:
                    key, feat = "name.script", script
            return (key, feat) if feat.value > 0.0 else best
        for key, feat in cands:
            if feat.value > best[1].value:
                best = (key, feat)
        return best

    def score(
        self,
        qa: QueryAnalysis,
        rec: EntityRecord,
        name_ids: list[int],
        index: Index,
        weights: F.Weights,
        floor: float = 0.0,
    ) -> Scored | None:
        """Score one candidate; ``weights`` come from the full index even when
        ``index`` is an ad-hoc one holding just this candidate.

        None when nothing matches, or when the candidate is sure to score
        below ``floor`` (the caller drops those anyway; most candidates of a
        query for someone not listed end here, before qualifiers and reasons).
        """
        features: dict[str, float] = {}
        reasons: list[str] = []
        # Names.
        name_score = 0.0
        best_pair: tuple[NameForm, NameForm] | None = None
        best_feat = ("", F.NONE)
        forms = index.forms
        # A loaded index decodes its forms on first use, through a Python
        # __getitem__; those already decoded are in a plain list.
        decoded: list[NameForm | None] | None = getattr(forms, "by_name", None)
        kinds = index.name_kind
        group = qa.group
        query_forms = qa.name_forms() if qa.corrected else [(q, 1.0, "") for q in qa.forms]
        # With corrected readings, a pair whose numbers disagree counts with the
        # number penalty when choosing the best pair: C0MMITTEE as typed resembles
        # COMMITTEE within a slip, but its 0 is an OCR slip, not a number, and
        # the reading without it should win.
        numbered = bool(qa.corrected)
        # A word replaced in a long person name names a relative, unless a
        # birth date agrees (then it is more likely an alias of the same person).
        replaced = 0.0
        # (It needs three paired words and one more on the query side, so
        # shorter query names never ask for the birth date here.)
        if group == "person" and any(len(form.tokens) >= 4 for form, _d, _n in query_forms):
            replaced = F.REPLACED_WORD
            if (
                qa.birth_dates
                and rec.birth_dates
                and F.birth_date(qa.birth_dates, rec.birth_dates).value > 0.0
            ):
                replaced = 0.0
        best = 0.0
        for nid in name_ids:
            factor = self.WEAK_ALIAS if kinds[nid] == "weak" else 1.0
            if best >= factor:
                # Name similarities are at most 1, so this name cannot do better.
                continue
            known = decoded[nid] if decoded is not None else None
            c = known if known is not None else forms[nid]
            for q, discount, note in query_forms:
                if best >= factor * discount:
                    continue
                key, feat = self.name_feature(q, c, group, weights, replaced)
                value = feat.value * factor * discount if discount < 1.0 else feat.value * factor
                effective = value
                if numbered and q.numbers and c.numbers and q.numbers != c.numbers:
                    effective += F.NUMBER_CONFLICT
                if effective > best:
                    best = effective
                    name_score = value
                    best_pair = (q, c)
                    reason = feat.reason + (" (weak alias)" if factor < 1.0 else "")
                    if note:
                        reason = f"read as '{q.text}' ({note}): {reason}"
                    best_feat = (key, new_feature((value, reason)))
        # Identifiers.
        id_hit = False
        if qa.imo or qa.mmsi or qa.documents or qa.wallets:
            for kind, qv, cv in (
                ("imo", qa.imo, rec.imo),
                ("mmsi", qa.mmsi, rec.mmsi),
                ("document", qa.documents, rec.documents),
                ("wallet", qa.wallets, rec.wallets),
            ):
                hit = F.identifier_match(kind, qv, cv)
                if hit.value:
                    id_hit = True
                    features[f"id.{kind}"] = 1.0
                    reasons.append(hit.reason)
        if not id_hit and (name_score <= 0.0 or name_score + QUALIFIERS_CEILING < floor):
            return None
        if best_feat[0]:
            features[best_feat[0]] = rounded(best_feat[1].value, 4)
            reasons.append(best_feat[1].reason)
        # Qualifiers say nothing when either side lacks the property, so
        # they are only asked when both have it (in this order).
        adjust = 0.0
        qualifiers: list[tuple[str, F.Feature]] = []
        if not id_hit and qa.imo and rec.imo:
            qualifiers.append(("id.imo_conflict", F.identifier_conflict("imo", qa.imo, rec.imo)))
        if rec.group in ("person", "any"):
            if qa.birth_dates and rec.birth_dates:
                qualifiers.append(("birth_date", F.birth_date(qa.birth_dates, rec.birth_dates)))
            if qa.gender and rec.gender:
                qualifiers.append(("gender", F.gender(qa.gender, rec.gender)))
        if qa.countries and rec.countries:
            qualifiers.append(("country", F.nationality(qa.countries, rec.countries)))
        if best_pair is not None and best_pair[0].numbers and best_pair[1].numbers:
            qualifiers.append(("number", F.number_conflict(*best_pair)))
        if best_pair is not None and best_pair[0].jurisdiction and best_pair[1].jurisdiction:
            qualifiers.append(("name.jurisdiction", F.jurisdiction_conflict(*best_pair)))
        for key, feat in qualifiers:
            if feat.value:
                adjust += feat.value
                features[key] = feat.value
                reasons.append(feat.reason)
        total = name_score + adjust if name_score > 0 else 0.0
        score = min(1.0, max(0.0, total))
        if id_hit:
            score = max(score, self.ID_FLOOR + (1.0 - self.ID_FLOOR) * name_score)
            total = max(total, score)
        score = rounded(score, 4)
        listed = best_pair[1] if best_pair is not None else None
        level = evidence_level(features)
        return Scored(score, features, reasons, score, level, listed, rounded(total, 4))


_CALIBRATION: Final = calibration.load()


class MatchV2(MatchV1):
    """dprkwatch-match-v2: v1 with corrected readings of mistyped names, and a
    calibrated score.

    A query word that no listed name uses is looked up in the listed
    vocabulary (:mod:`dprkwatch.matching.corrections`); up to four corrected
    readings of the name are analysed beside it, feed blocking, and are
    compared with the candidates at a discount for what was changed. The
    v1 score of a candidate then becomes an estimate of the probability of
    a true match (:mod:`dprkwatch.matching.calibration`), given the
    evidence it rests on and how informative the listed name is.
    """

    name: ClassVar[str] = "dprkwatch-match-v2"
    # A pinyin reading of a name written in Wade-Giles (wade_giles.py) counts
    # like a name respaced: a little below the name as written.
    WADE_GILES = 0.97
    # A person's glued initials spaced (JC -> J C) cost what a respelling
    # does (each initial then counts at its own 0.8); a short given name read
    # in full (Ben -> Benjamin) costs more: it may stand for another name.
    INITIALS = 0.97
    NICKNAME = 0.93
    threshold: ClassVar[float] = _CALIBRATION.threshold if _CALIBRATION else 0.80

    def __init__(self, calibrated: bool = True) -> None:
        # Uncalibrated (raw v1-style scores) only for fitting the calibration.
        self.calibration = _CALIBRATION if calibrated else None

    def score(
        self,
        qa: QueryAnalysis,
        rec: EntityRecord,
        name_ids: list[int],
        index: Index,
        weights: F.Weights,
        floor: float = 0.0,
    ) -> Scored | None:
        scored = super().score(qa, rec, name_ids, index, weights, floor)
        if scored is None:
            return None
        features = scored.features
        reasons = scored.reasons
        info = (
            calibration.information(scored.listed.tokens, weights.token)
            if scored.listed is not None
            else 0.0
        )
        features["name.information"] = rounded(info, 3)
        features["score.total"] = scored.total
        cal = self.calibration
        if cal is None:
            return scored
        p = rounded(cal.probability(scored.total, scored.evidence, info), 4)
        reasons.append(
            f"evidence: {EVIDENCE_LABELS[scored.evidence]}; name score with qualifiers "
            f"{scored.total:.2f}: probability {p:.2f}"
        )
        # scored._replace(score=p), without two Python functions' frames.
        return _new_scored(
            (p, features, reasons, scored.raw, scored.evidence, scored.listed, scored.total)
        )

    def analyze(self, query: Query, vocabulary: Vocabulary | None = None) -> QueryAnalysis:
        qa = super().analyze(query, vocabulary)
        if vocabulary is None or not len(vocabulary):
            return qa
        korean_context = bool(qa.countries & {"kp", "kr"})
        props = query.properties
        seen = set(qa.forms)
        corrected: list[tuple[NameForm, float, str]] = []
        for prop in NAME_PROPS:
            for value in props.get(prop, ()):
                for corr in corrections(value, vocabulary):
                    for form in analyze_name(corr.text, qa.group, korean_context):
                        if form not in seen:
                            seen.add(form)
                            corrected.append((form, corr.factor(), corr.describe()))
                readings = [
                    (r, self.WADE_GILES, "Wade-Giles in pinyin") for r in pinyin_readings(value)
                ]
                if qa.group == "person":
                    spaced = initials_reading(value)
                    if spaced is not None:
                        readings.append((spaced, self.INITIALS, "initials spaced"))
                    readings += [
                        (r, self.NICKNAME, "short given name in full")
                        for r in nickname_readings(value)
                    ]
                for reading, factor, note in readings:
                    for form in analyze_name(reading, qa.group, korean_context):
                        if form not in seen:
                            seen.add(form)
                            corrected.append((form, factor, note))
        if corrected:
            # The analysis is this call's own until returned (dataclasses.replace
            # would make it again, field by field).
            qa.corrected = tuple(corrected)
        return qa


EVIDENCE_LABELS: Final = {
    "identifier": "identical identifier",
    "document": "identical document number",
    "birth_date": "name and birth date",
    "name": "name only",
}


def evidence_level(features: dict[str, float]) -> str:
    """What a score rests on, strongest first: an identifier (IMO, MMSI, wallet),
    a document number, the name with an agreeing birth date, or the name alone."""
    if "id.imo" in features or "id.mmsi" in features or "id.wallet" in features:
        return "identifier"
    if "id.document" in features:
        return "document"
    if features.get("birth_date", 0.0) > 0.0:
        return "birth_date"
    return "name"


def _same_shape(q: NameForm, c: NameForm) -> bool:
    """Whether some reading of each name has as many syllables as the other.

    Then the syllable comparison has seen every difference already; only
    when a slip changed the syllable count ("Juung", "Jongechon") is the
    word comparison needed to rescue it.
    """
    return any(
        len(a.given) == len(b.given) and len(a.surname) == len(b.surname)
        for a in q.korean
        for b in c.korean
    )


ALGORITHMS: Final[dict[str, type[MatchV1]]] = {MatchV1.name: MatchV1, MatchV2.name: MatchV2}
DEFAULT_ALGORITHM: Final = MatchV2.name


def get_algorithm(name: str | None = None) -> MatchV1:
    """An algorithm instance by name (default: the current one)."""
    key = name or DEFAULT_ALGORITHM
    cls = ALGORITHMS.get(key)
    if cls is None:
        raise UnknownAlgorithm(
            f"unknown matching algorithm {key!r} (known: {', '.join(ALGORITHMS)})"
        )
    return cls()
