"""Feature functions: each compares one aspect of a query and a candidate.

Every function is pure and returns a :class:`Feature`: a value and a plain-
English reason. Name features return a similarity in [0, 1]; qualifier and
identifier features return a signed adjustment (0.0 when they have nothing
to say). The algorithm in :mod:`dprkwatch.matching.algorithms` decides how
to combine them; nothing here knows about thresholds.

Weights (``Weights``) come from the index: a token or syllable found in
many listed names says less about identity than a rare one, so "Kim" and
"Mohammed" count for less than "Kwangson" or "Sakhalin".
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import NamedTuple

from rapidfuzz.distance import OSA, Levenshtein

from dprkwatch.matching.analysis import NameForm
from dprkwatch.matching.korean_names import KoreanName, surname_groups
from dprkwatch.matching.syllables import Syllable


class Feature(NamedTuple):
    value: float
    reason: str


NONE = Feature(0.0, "")


class Weights(NamedTuple):
    """Informativeness lookups supplied by the index."""

    token: Callable[[str], float]
    syllable: Callable[[str], float]
    unknown: Callable[[str], bool]


# --- tokens ---------------------------------------------------------------


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_POS = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}


def _adjacent_keys(x: str, y: str) -> bool:
    px, py = _POS.get(x), _POS.get(y)
    if px is None or py is None:
        return False
    (rx, cx), (ry, cy) = px, py
    if rx == ry:
        return abs(cx - cy) == 1
    # The row below sits half a key to the right of the row above.
    if abs(rx - ry) == 1:
        upper, lower = (cx, cy) if rx < ry else (cy, cx)
        return lower in (upper - 1, upper)
    return False


def is_slip(a: str, b: str) -> bool:
    """One typing slip apart: a letter dropped, doubled or added, two letters
    swapped, or a neighbouring key struck. "Sok" for "Son" is none of these."""
    la, lb = len(a), len(b)
    if abs(la - lb) == 1:
        short, long_ = (a, b) if la < lb else (b, a)
        return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
    if la != lb:
        return False
    diff = [i for i in range(la) if a[i] != b[i]]
    if len(diff) == 1:
        return _adjacent_keys(a[diff[0]], b[diff[0]])
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i, j = diff
        return a[i] == b[j] and a[j] == b[i]
    return False


# Similarity of two words one keyboard slip apart (after the first letter).
SLIP = 0.8


def edit_budget(length: int) -> int:
    """How many slips a word of this length may carry and still be the same word."""
    if length <= 8:
        return 1
    return 2 if length <= 14 else 3


def token_similarity(
    a: str, b: str, pa: str, pb: str, ka: str, kb: str, *, exact: bool = False
) -> float:
    """Similarity of two ASCII tokens: spelling, sound, Korean syllables.

    Within the edit budget (one slip up to 8 letters, two up to 14) the
    similarity is the share of letters that agree; beyond it, 0: "Sancho"
    is not a misspelt "Sanchez", nor "Chad" of "China". ``exact`` (for
    Chinese-character names read in pinyin, whose syllables are whole
    characters) allows no slips at all.
    """
    if a == b:
        return 1.0
    if ka and ka == kb:
        return 0.92
    la, lb = len(a), len(b)
    if la == 1 or lb == 1:
        # An initial (V. Putin) stands for any word it begins.
        return 0.8 if (la == 1 and b.startswith(a)) or (lb == 1 and a.startswith(b)) else 0.0
    if exact or a.isdigit() or b.isdigit():
        return 0.0
    if la < 3 or lb < 3:
        # Short words only forgive a slip that leaves the first letter (Un/Uun).
        return SLIP if max(la, lb) >= 3 and a[0] == b[0] and is_slip(a, b) else 0.0
    longest = max(la, lb)
    budget = edit_budget(longest)
    if abs(la - lb) > budget:
        # The length difference alone exceeds the budget (no edit distance needed).
        return _phonetic_only(a, b, pa, pb)
    if budget == 1 and a[0] != b[0] and a[-1] != b[-1]:
        # One slip leaves the first or the last letter in place, and words
        # that only sound alike must begin alike: nothing in common.
        return 0.0
    # Optimal string alignment: a swapped pair of letters is one slip, not two.
    dist = OSA.distance(a, b, score_cutoff=budget + 1)
    if dist > budget:
        return _phonetic_only(a, b, pa, pb)
    sim = 1.0 - dist / longest
    if dist == 1 and a[0] == b[0] and is_slip(a, b):
        # One slip after the first letter: a typo more often than a new name,
        # however short the word (Kag/Kang, Ill/Il).
        sim = max(sim, SLIP)
    return max(sim, _phonetic_only(a, b, pa, pb))


def _phonetic_only(a: str, b: str, pa: str, pb: str) -> float:
    """Same sound (Mohamed/Muhammad), for words long enough for the phonetic
    code to mean something: short ones collide (gun/chon, Snow/Snoe)."""
    if pa and pa == pb and a[0] == b[0] and min(len(a), len(b)) >= 5:
        return 0.8
    return 0.0


# Token pairs recur across candidates and queries (common given names,
# company words); their similarity is pure, so it is memoised: query word ->
# listed word -> similarity, one table for pinyin (no slips) and one for the
# rest. Nested tables spare building a tuple key per pair.
_PAIRS: dict[str, dict[str, float]] = {}
_PINYIN_PAIRS: dict[str, dict[str, float]] = {}
_PAIR_CACHE_MAX = 1 << 16
_pair_count = 0


def _align(q: NameForm, c: NameForm) -> list[tuple[float, int, int]]:
    """Pair query and listed words, best pairs first, each word at most once.

    Returns ``(similarity, query index, listed index)`` in the order the
    greedy pass took them (which decides the order of the sums later).
    """
    global _pair_count
    q_tokens = q.tokens
    c_tokens = c.tokens
    if q_tokens == c_tokens:
        # Every word meets itself: what the greedy pass below would pick
        # (pairs of 1.0, taken from the highest index down).
        return [(1.0, i, i) for i in range(len(q_tokens) - 1, -1, -1)]
    exact = q.script == "Hani" or c.script == "Hani"
    cache = _PINYIN_PAIRS if exact else _PAIRS
    pairs: list[tuple[float, int, int]] = []
    for i, a in enumerate(q_tokens):
        row = cache.get(a)
        if row is None:
            if _pair_count >= _PAIR_CACHE_MAX:
                _PAIRS.clear()
                _PINYIN_PAIRS.clear()
                _pair_count = 0
            # A word is itself: 1.0 (stored, so the loop needs no extra test).
            row = cache[a] = {a: 1.0}
        for j, b in enumerate(c_tokens):
            s = row.get(b)
            if s is None:
                s = row[b] = token_similarity(
                    a,
                    b,
                    q.phonetic[i],
                    c.phonetic[j],
                    q.token_keys[i],
                    c.token_keys[j],
                    exact=exact,
                )
                _pair_count += 1
            if s > 0.0:
                pairs.append((s, i, j))
    if len(pairs) <= 1:
        return pairs
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    out: list[tuple[float, int, int]] = []
    most = min(len(q_tokens), len(c_tokens))
    for s, i, j in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        out.append((s, i, j))
        if len(out) == most:
            break
    return out


# Unmatched words on the list side (extra middle names, patronymics) cost
# less than query words nobody on the list has.
EXTRA_CANDIDATE_WORD = 0.6


def _in_order(aligned: list[tuple[float, int, int]]) -> bool:
    """Whether aligned words keep their order, allowing the surname to move to the end."""
    js = [j for _s, _i, j in sorted(aligned, key=lambda a: a[1])]
    ordered = sorted(js)
    return js in (ordered, ordered[1:] + ordered[:1], ordered[-1:] + ordered[:-1])


def name_tokens(
    q: NameForm, c: NameForm, w: Weights, *, strict: bool = False, slips_only: bool = False
) -> Feature:
    """Word-by-word comparison weighted by how rare each word is.

    ``strict`` (used for Korean names, where it only rescues typos) demands
    that every word on both sides is paired and that the pairs keep their
    order: "Kim Ho Hong" is not "Kim Tong Ho". ``slips_only`` further
    demands that every differing word is one keyboard slip from its pair.
    """
    q_tokens = q.tokens
    c_tokens = c.tokens
    if not q_tokens or not c_tokens:
        return NONE
    aligned = _align(q, c)
    if not aligned:
        return NONE
    n = len(aligned)
    if strict and not (n == len(q_tokens) == len(c_tokens) and _in_order(aligned)):
        return NONE
    if slips_only and any(s < SLIP for s, _i, _j in aligned):
        return NONE
    token = w.token
    wc = list(map(token, c_tokens))
    wq = list(map(token, q_tokens))
    # A query word found nowhere in the lists (usually a typo) weighs what
    # the listed word it was paired with weighs, not the maximum.
    partner = {i: j for _s, i, j in aligned}
    unknown = w.unknown
    for i, j in partner.items():
        if unknown(q_tokens[i]):
            wq[i] = wc[j]
    num = 0.0
    den = 0.0
    exact = 0
    for s, i, j in aligned:
        pair_w = wq[i] + wc[j]
        num += s * pair_w
        den += pair_w
        exact += s == 1.0
    # (sum() of nothing is 0, as when every word is paired.)
    extra_q = sum(x for i, x in enumerate(wq) if i not in partner) if n < len(wq) else 0
    if n < len(wc):
        matched_c = set(partner.values())
        extra_c = sum(x for j, x in enumerate(wc) if j not in matched_c)
    else:
        extra_c = 0
    # A listed name with an extra word (a middle name, a patronymic) costs
    # less than one where a word was replaced: if the query has unpaired
    # words too, the listed name's unpaired words count in full.
    den += extra_q + (extra_c if extra_q else EXTRA_CANDIDATE_WORD * extra_c)
    score = num / den if den else 0.0
    if exact == n == len(q_tokens) == len(c_tokens):
        reason = f"same words as '{c.text}'"
    elif exact == n:
        reason = f"{n} of {max(len(q_tokens), len(c_tokens))} words agree with '{c.text}'"
    else:
        reason = f"{n} words of '{q.text}' resemble words of '{c.text}' ({exact} exact)"
    return Feature(score, reason)


# The highest value each secondary name comparison can give (the algorithm
# skips one that cannot beat what it already has).
JOINED_SAME = 0.97
KOREAN_WORDS_SAME = 0.95
ACRONYM = 0.86
ABJAD_SAME = 0.84


def name_joined(q: NameForm, c: NameForm, *, always: bool) -> Feature:
    """The letters without spaces: CHON MA SAN = CHONMASAN, Jong Un = Jongun.

    For vessels and organisations spacing is arbitrary and this always
    applies; for people only when the word counts differ (a joined or split
    name), or at a discount, so that two different given names that happen
    to be one letter apart do not pass as one.
    """
    if not q.joined or not c.joined:
        return NONE
    if q.joined == c.joined:
        return Feature(JOINED_SAME, f"same letters as '{c.text}' apart from spacing")
    if q.script == "Hani" or c.script == "Hani":
        return NONE
    longest = max(len(q.joined), len(c.joined))
    if min(len(q.joined), len(c.joined)) < 6:
        return NONE
    # Slips in a long run of letters still have to be few: two at most, and
    # only one when the words line up anyway (then the words say the rest).
    split_differs = always or len(q.tokens) != len(c.tokens)
    budget = min(edit_budget(longest), 2 if split_differs else 1)
    dist = OSA.distance(q.joined, c.joined, score_cutoff=budget + 1)
    if dist > budget:
        return NONE
    sim = 1.0 - dist / longest
    factor = 0.94 if split_differs else 0.92
    return Feature(sim * factor, f"'{q.text}' spelled close to '{c.text}' ignoring spaces")


def name_han(q: NameForm, c: NameForm) -> Feature:
    """Two names in Chinese characters: compare the characters, not a reading of them.

    Pinyin merges characters that sound alike (高石 and 高市 are both gao
    shi); when both sides are written in characters there is no need to.
    """
    a = [ch for ch in q.text if not ch.isspace() and ch not in "·・"]
    b = [ch for ch in c.text if not ch.isspace() and ch not in "·・"]
    if not a or not b:
        return NONE
    if a == b:
        return Feature(1.0, f"same characters as '{c.text}'")
    same = sum(1 for x, y in zip(a, b, strict=False) if x == y)
    sim = same / max(len(a), len(b))
    if sim < 0.5:
        return NONE
    return Feature(0.9 * sim, f"{same} of {max(len(a), len(b))} characters agree with '{c.text}'")


def name_korean_joined(q: NameForm, c: NameForm) -> Feature:
    """Vessel and company names read as Korean syllables (Cheonmasan = CHON MA SAN)."""
    if q.korean_joined and q.korean_joined == c.korean_joined and q.joined != c.joined:
        return Feature(
            KOREAN_WORDS_SAME, f"'{q.text}' and '{c.text}' are the same Korean syllables"
        )
    return NONE


def name_acronym(q: NameForm, c: NameForm) -> Feature:
    """An acronym on one side that spells the initials of the other (KKBC)."""
    if len(q.tokens) == 1 and q.tokens[0] in c.acronyms:
        return Feature(ACRONYM, f"'{q.text}' is the acronym of '{c.text}'")
    if len(c.tokens) == 1 and c.tokens[0] in q.acronyms:
        return Feature(ACRONYM, f"'{c.text}' is the acronym of '{q.text}'")
    return NONE


def name_abjad(q: NameForm, c: NameForm) -> Feature:
    """Arabic or Hebrew script against Latin: compare consonant outlines."""
    if not (q.abjad or c.abjad) or q.abjad == c.abjad:
        return NONE
    if (q.script if c.abjad else c.script) != "Latn":
        return NONE
    a, b = q.skeleton, c.skeleton
    if len(a) < 5 or len(b) < 5:
        return NONE
    if a == b:
        return Feature(ABJAD_SAME, f"consonants of '{q.text}' match '{c.text}' ({a})")
    sim = Levenshtein.normalized_similarity(a, b)
    if sim < 0.8:
        return NONE
    # Without vowels a near miss is weak evidence: never enough on its own.
    return Feature(0.78 * sim, f"consonants of '{q.text}' resemble '{c.text}' ({a}/{b})")


# --- Korean personal names --------------------------------------------------


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


SWAPPED_GIVEN = 0.75


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
    return Feature(best, reason)


# --- identifiers -------------------------------------------------------------

ID_LABELS = {
    "imo": "IMO",
    "mmsi": "MMSI",
    "document": "document number",
    "wallet": "wallet address",
}


def identifier_match(
    kind: str, query_values: Collection[str], entity_values: Collection[str]
) -> Feature:
    """Any identical identifier of one kind (strong evidence on its own)."""
    common = [v for v in query_values if v in entity_values]
    if not common:
        return NONE
    return Feature(1.0, f"{ID_LABELS[kind]} {common[0]} identical")


def identifier_conflict(
    kind: str, query_values: Collection[str], entity_values: Collection[str]
) -> Feature:
    """Both sides have this identifier and none agree: a different ship or firm."""
    if not query_values or not entity_values or any(v in entity_values for v in query_values):
        return NONE
    return Feature(
        -0.25,
        f"{ID_LABELS[kind]} differs ({next(iter(query_values))} vs listed {next(iter(entity_values))})",
    )


# --- qualifiers --------------------------------------------------------------


def birth_date(query_dates: Collection[str], entity_dates: Collection[str]) -> Feature:
    """Birth dates: agreeing raises the score, distant years lower it."""
    if not query_dates or not entity_dates:
        return NONE
    full_q = {d for d in query_dates if len(d) == 10}
    full_c = {d for d in entity_dates if len(d) == 10}
    common = full_q & full_c
    if common:
        return Feature(0.06, f"birth date {min(common)} agrees")
    years_q = {int(d[:4]) for d in query_dates}
    years_c = {int(d[:4]) for d in entity_dates}
    if years_q & years_c:
        if full_q and full_c:
            month_q = {d[:7] for d in full_q}
            if not month_q & {d[:7] for d in full_c}:
                return Feature(
                    -0.02, f"birth year {min(years_q & years_c)} agrees but the dates differ"
                )
        return Feature(0.04, f"birth year {min(years_q & years_c)} agrees")
    gap = min(abs(a - b) for a in years_q for b in years_c)
    qy, cy = min(years_q), min(years_c)
    # Lists and customer records disagree by a year or a few often enough
    # (estimated ages, transcription); decades apart is another person.
    if gap <= 1:
        return Feature(-0.03, f"birth year {qy} is one year from listed {cy}")
    if gap <= 3:
        return Feature(-0.08, f"birth year {qy} differs from listed {cy}")
    if gap <= 10:
        return Feature(-0.15, f"birth year {qy} differs from listed {cy} by {gap} years")
    return Feature(-0.25, f"birth year {qy} disagrees with listed {cy}")


def nationality(query_countries: Collection[str], entity_countries: Collection[str]) -> Feature:
    """Countries (nationality, citizenship, country, flag): agreement helps a little."""
    if not query_countries or not entity_countries:
        return NONE
    common = set(query_countries) & set(entity_countries)
    if common:
        return Feature(0.03, f"country {', '.join(sorted(common))} agrees")
    return Feature(
        -0.08,
        f"country {', '.join(sorted(query_countries))} vs listed {', '.join(sorted(entity_countries))}",
    )


def gender(query_gender: Collection[str], entity_gender: Collection[str]) -> Feature:
    if not query_gender or not entity_gender:
        return NONE
    if set(query_gender) & set(entity_gender):
        return NONE
    return Feature(
        -0.12, f"gender {next(iter(query_gender))} vs listed {next(iter(entity_gender))}"
    )


def number_conflict(q: NameForm, c: NameForm) -> Feature:
    """Numbered names (vessel KUM UN SAN 3, factory No. 2) must agree on the number.

    Digits are compared all together, so respacing ("JH 86" / "JH8 6") is
    no conflict.
    """
    if q.numbers and c.numbers and q.numbers != c.numbers:
        dq, dc = q.numbers[0], c.numbers[0]
        return Feature(-0.2, f"number {dq} vs listed {dc}")
    return NONE
