"""Korean personal names compared syllable by syllable, across romanizations.

Both names have been read as surname + given syllables
(:mod:`dprkwatch.matching.korean_names`); here the surnames are compared as
family names (Ri = Lee = Rhee), the given names syllable by syllable with
credit for spelling systems and keyboard slips, weighted by how common each
listed syllable is. Every function is pure.
"""

from __future__ import annotations

from typing import Final

from rapidfuzz.distance import OSA

from dprkwatch.matching.analysis import NameForm
from dprkwatch.matching.features.feature import NONE, Feature, Weights, new_feature
from dprkwatch.matching.features.words import is_slip
from dprkwatch.matching.korean_names import KoreanName, surname_groups
from dprkwatch.matching.syllables import Syllable


def syllable_similarity(a: Syllable, b: Syllable, word_start: bool = True) -> float:
    """1.0 same syllable, 0.95 same up to spelling system, 0.7 one slip apart, else 0.

    A typist slips on letters, not on sounds: "Kag" for Kang or "Pyong" for
    Myong is one letter, while "Su" for Song, though it shares two sounds,
    is a different syllable. So beyond the spelling systems, only a one-
    letter difference between the spellings as written earns credit.
    """
    if a.hangul and b.hangul:
        # Both written in Hangul: no romanization in between, so only the
        # same syllable is the same; a neighbouring one may be a slip.
        if a.hangul == b.hangul:
            return 1.0
        return 0.5 if OSA.distance(a.spelling, b.spelling) <= 1 else 0.0
    if a.fine == b.fine:
        return 1.0
    if a.coarse == b.coarse:
        return 0.95
    if a.hangul or b.hangul:
        # Hangul has no typing slips to forgive on the Latin side's behalf.
        return 0.0
    sa, sb = a.spelling, b.spelling
    if is_slip(sa, sb) and (max(len(sa), len(sb)) >= 3 or not word_start):
        # Slips rarely hit the first letter of a word; a different first
        # letter there (Tong/Yong, Il/Gil) is more often another syllable.
        # Inside a word even two-letter syllables slip (Il-Du for Il-Su).
        return 0.7 if sa[0] == sb[0] or not word_start else 0.4
    return 0.0


def _given_similarity(qk: KoreanName, ck: KoreanName, w: Weights) -> float:
    """Weighted syllable agreement of two given names (``ck`` is the listed one).

    Weights are those of the listed name's syllables: how informative the
    name on the list is decides how much a differing syllable costs.
    """
    ga, gb = qk.given, ck.given
    sa = qk.starts or (True,) * len(ga)
    sb = ck.starts or (True,) * len(gb)
    if len(ga) == len(gb):
        weights = [w.syllable(y.coarse) for y in gb]
        total = sum(weights)
        sims = [
            syllable_similarity(x, y, fa and fb)
            for x, y, fa, fb in zip(ga, gb, sa, sb, strict=True)
        ]
        score = sum(v * k for v, k in zip(sims, weights, strict=True)) / total
        if len(ga) == 2 and score < 1.0:
            # Su Yong is not Yong Su, but a clerk may swap them: some credit.
            swapped = (
                syllable_similarity(ga[0], gb[1]) * weights[1]
                + syllable_similarity(ga[1], gb[0]) * weights[0]
            ) / total
            score = max(score, SWAPPED_GIVEN * swapped)
        return score
    short, long_ = (ga, gb) if len(ga) < len(gb) else (gb, ga)
    best = 0.0
    total_w = sum(w.syllable(s.coarse) for s in long_)
    for offset in range(len(long_) - len(short) + 1):
        got = sum(
            syllable_similarity(x, long_[offset + k]) * w.syllable(long_[offset + k].coarse)
            for k, x in enumerate(short)
        )
        best = max(best, got / total_w if total_w else 0.0)
    return best


SWAPPED_GIVEN: Final = 0.75


def _surname_factor(a: tuple[Syllable, ...], b: tuple[Syllable, ...]) -> float:
    """1.0 for the same family name in any spelling, 0.5 for a different one."""
    # A given name alone (an alias without surname) is weak evidence.
    if not a or not b:
        return 0.78
    if len(a) == len(b) == 1:
        x, y = a[0], b[0]
        gx, gy = surname_groups(x), surname_groups(y)
        if gx and gy:
            if gx & gy:
                return 1.0
            # Two known, different family names (Jo and Ju, Yon and Yun),
            # unless one looks like a slip of the other.
            return 0.8 if syllable_similarity(x, y) == 0.7 else 0.5
        if x.coarse == y.coarse:
            return 0.95
        return 0.8 if syllable_similarity(x, y) >= 0.5 else 0.5
    if len(a) == len(b) and all(x.coarse == y.coarse for x, y in zip(a, b, strict=True)):
        return 1.0
    return 0.5


def korean_pair(qk: KoreanName, ck: KoreanName, w: Weights) -> float:
    return _surname_factor(qk.surname, ck.surname) * _given_similarity(qk, ck, w)


def _pairing(qk: KoreanName, ck: KoreanName) -> str:
    """'Lee=RI, Soo=SU, yong=YONG': which syllable met which."""
    pairs = list(zip(qk.surname, ck.surname, strict=False)) + list(
        zip(qk.given, ck.given, strict=False)
    )
    return ", ".join(f"{a.spelling.capitalize()}={b.spelling.upper()}" for a, b in pairs)


def name_korean(q: NameForm, c: NameForm, w: Weights) -> Feature:
    """Korean personal names compared syllable by syllable across romanizations."""
    if not q.korean or not c.korean:
        return NONE
    best = 0.0
    pair: tuple[KoreanName, KoreanName] | None = None
    for qk in q.korean:
        for ck in c.korean:
            s = korean_pair(qk, ck, w)
            if s > best:
                best, pair = s, (qk, ck)
    if pair is None:
        return NONE
    qk, ck = pair
    pairing = _pairing(qk, ck)
    if q.script == "Hani" or c.script == "Hani":
        han, other, kn = (q, c, qk) if q.script == "Hani" else (c, q, ck)
        reason = f"hanja {han.text} read as Korean {kn.reading.upper()} met '{other.text}'"
    elif qk.script == "Hang" and ck.script != "Hang":
        reason = f"Hangul {q.text} read as {qk.reading.upper()} met '{c.text}'"
    elif ck.script == "Hang" and qk.script != "Hang":
        reason = f"'{q.text}' met Hangul {c.text} read as {ck.reading.upper()}"
    else:
        reason = f"Korean name '{q.text}' met '{c.text}' ({pairing})"
    if 0.0 < best < 1.0:
        reason += f", syllable similarity {best:.2f}"
    return new_feature((best, reason))
