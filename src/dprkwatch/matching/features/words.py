"""Name features over words and whole names: spelling, spacing, acronyms, scripts.

A name is compared word by word (:func:`name_tokens`: an alignment of query
and listed words, each pair scored by :func:`token_similarity` and weighted
by how rare the words are), and as a whole: its letters without spaces
(:func:`name_joined`), its Chinese characters (:func:`name_han`), its
Korean syllables (:func:`name_korean_joined`), its initials
(:func:`name_acronym`) and its consonant outline (:func:`name_abjad`).
Every function is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from pathlib import Path
from typing import Final

from rapidfuzz.distance import OSA, DamerauLevenshtein, Levenshtein

from dprkwatch import native
from dprkwatch.matching.analysis import NameForm
from dprkwatch.matching.features.feature import NONE, Feature, Weights, new_feature
from dprkwatch.matching.korean_names import COMPOUND_COARSE, surname_groups

_ROWS: Final = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_POS: Final = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}


def adjacent_keys(x: str, y: str) -> bool:
    """Whether two letters are neighbouring keys of a QWERTY keyboard."""
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
        return adjacent_keys(a[diff[0]], b[diff[0]])
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i, j = diff
        return a[i] == b[j] and a[j] == b[i]
    return False


def keeps_letters(typed: str, meant: str) -> bool:
    """One slip that loses no letter: neighbours swapped, or one letter doubled or undoubled."""
    if len(typed) == len(meant):
        diff = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and typed[diff[0]] == meant[diff[1]]
            and typed[diff[1]] == meant[diff[0]]
        )
    longer, shorter = (typed, meant) if len(typed) > len(meant) else (meant, typed)
    if len(longer) != len(shorter) + 1:
        return False
    return any(
        longer[i - 1] == longer[i] and longer[:i] + longer[i + 1 :] == shorter
        for i in range(1, len(longer))
    )


def neighbouring_key(typed: str, meant: str) -> bool:
    """A neighbouring key struck instead of the meant one, or beside it (an extra
    letter next to a key it neighbours)."""
    if len(typed) == len(meant):
        diff = [i for i, (a, b) in enumerate(zip(typed, meant, strict=True)) if a != b]
        return len(diff) == 1 and adjacent_keys(typed[diff[0]], meant[diff[0]])
    if len(typed) != len(meant) + 1:
        return False
    return any(
        typed[:i] + typed[i + 1 :] == meant
        and any(adjacent_keys(typed[i], typed[k]) for k in (i - 1, i + 1) if 0 <= k < len(typed))
        for i in range(1, len(typed))
    )


def likely_slip(typed: str, meant: str) -> bool:
    """One of the commonest typing slips: one that keeps every letter (:func:`keeps_letters`)
    or a finger on a neighbouring key (:func:`neighbouring_key`). A letter simply
    lost (Pae for Paek) or a distant key may as well be another name."""
    return keeps_letters(typed, meant) or neighbouring_key(typed, meant)


def likely_slip_readings(typed: str) -> set[str]:
    """Every word one likely slip (:func:`likely_slip`) after the first letter
    would have made ``typed`` of: the slip undone."""
    out: set[str] = set()
    n = len(typed)
    for i in range(1, n):
        ch = typed[i]
        if i + 1 < n and typed[i + 1] != ch:
            out.add(typed[:i] + typed[i + 1] + ch + typed[i + 2 :])  # two letters swapped
        out.add(typed[:i] + ch + typed[i:])  # a doubled letter written once
        rest = typed[:i] + typed[i + 1 :]
        if typed[i - 1] == ch or (i + 1 < n and typed[i + 1] == ch):
            out.add(rest)  # a letter doubled
        elif any(adjacent_keys(ch, typed[k]) for k in (i - 1, i + 1) if k < n):
            out.add(rest)  # a key struck beside its neighbour
        for key in _NEIGHBOURS.get(ch, ""):
            out.add(typed[:i] + key + typed[i + 1 :])  # a neighbouring key instead
    out.discard(typed)
    return out


_NEIGHBOURS: Final = {x: "".join(y for y in _POS if adjacent_keys(x, y)) for x in _POS}


def neighbours(ch: str) -> str:
    """The letters on keys next to ``ch`` (none for a character off the keyboard)."""
    return _NEIGHBOURS.get(ch, "")


def two_likely_slips(typed: str, meant: str) -> bool:
    """Two likely slips apart, neither on the first letter (DAWJLIHGT for
    DAWNLIGHT: a neighbouring key and two letters swapped)."""
    if typed[:1] != meant[:1] or abs(len(typed) - len(meant)) > 2:
        return False
    return any(
        m[:1] == meant[:1] and (m == meant or (is_slip(m, meant) and likely_slip(m, meant)))
        for m in likely_slip_readings(typed)
    )


# Similarity of two words one keyboard slip apart (after the first letter).
# The query corrections credit a likely slip (:func:`likely_slip`) with
# LIKELY_SLIP when they read a word no listed name uses; the word comparison
# does not (tried: KIM Sonng then flagged Kim Song Chol and JSNG Chol flagged
# JANG Song Chol, namesakes with an extra word). Only two likely slips in
# one long word are credited here (:func:`two_likely_slips`).
SLIP: Final = 0.8
LIKELY_SLIP: Final = 0.9


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
    if la >= 5 and lb >= 5 and a[:4] == b[:4] and _ending_variants(a, b):
        return ENDING_VARIANT
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
    # (With a cutoff of budget + 1, any distance beyond that reads budget + 2.)
    dist = OSA.distance(a, b, score_cutoff=budget + 1)
    if dist == budget + 1 and budget > 1:
        # A letter lost or added between two swapped ones (ECONOMSI for
        # ECONOMICS) is two slips too, which the alignment above, editing
        # each letter once, counts as three. Asked only one edit over the
        # budget: most long words compared are far apart, and the true
        # distance costs more than the alignment.
        dist = DamerauLevenshtein.distance(a, b, score_cutoff=budget + 1)
    if dist > budget:
        return _phonetic_only(a, b, pa, pb)
    sim = 1.0 - dist / longest
    if dist == 1 and a[0] == b[0] and is_slip(a, b):
        # One slip after the first letter: a typo more often than a new name,
        # however short the word (Kag/Kang, Ill/Il).
        sim = max(sim, SLIP)
    elif dist == 2 and two_likely_slips(a, b):
        # Two likely slips in a long word cost a letter's worth between them.
        sim = 1.0 - 1.0 / longest
    return max(sim, _phonetic_only(a, b, pa, pb))


# Two spellings of the Russian ending -ий (Arkadiy, Arkadii, Arkady, Arkadi;
# Sergey, Sergej, Sergei): the transliteration systems the lists use
# (BGN/PCGN, ISO 9, the passport system, German) write it differently.
ENDING_VARIANT: Final = 0.92
_SOFT_ENDINGS: Final = ("iy", "ii", "ij", "yi", "y", "i", "j")


def _soft_stem(word: str) -> str | None:
    for end in _SOFT_ENDINGS:
        if word.endswith(end):
            return word[: -len(end)]
    return None


def _ending_variants(a: str, b: str) -> bool:
    """Whether two words differ only in how an ending -ий/-ей is spelled (stem of four letters or more)."""
    sa = _soft_stem(a)
    return sa is not None and len(sa) >= 4 and sa == _soft_stem(b)


def _phonetic_only(a: str, b: str, pa: str, pb: str) -> float:
    """Same sound (Mohamed/Muhammad), for words long enough for the phonetic
    code to mean something: short ones collide (gun/chon, Snow/Snoe)."""
    if pa and pa == pb and a[0] == b[0] and min(len(a), len(b)) >= 5:
        return 0.8
    return 0.0


def _align(q: NameForm, c: NameForm) -> list[tuple[float, int, int]]:
    """Pair query and listed words, best pairs first, each word at most once.

    Returns ``(similarity, query index, listed index)`` in the order the
    greedy pass took them (which decides the order of the sums later).
    """
    q_tokens = q.tokens
    c_tokens = c.tokens
    if q_tokens == c_tokens:
        # Every word meets itself: what the greedy pass below would pick
        # (pairs of 1.0, taken from the highest index down).
        return [(1.0, i, i) for i in range(len(q_tokens) - 1, -1, -1)]
    exact = q.script == "Hani" or c.script == "Hani"
    pairs: list[tuple[float, int, int]] = []
    c_keys = c.token_keys
    for i, a in enumerate(q_tokens):
        pa = q.phonetic[i]
        ka = q.token_keys[i]
        a0, a1, short_a = a[:1], a[-1:], len(a) <= 8
        for j, b in enumerate(c_tokens):
            if a == b:
                pairs.append((1.0, i, j))
                continue
            # What token_similarity says of most pairs, without the call:
            # unequal words of up to 8 letters that differ in both the first
            # and the last letter are 0 unless their Korean keys agree.
            if (
                short_a
                and len(b) <= 8
                and a0 != b[:1]
                and a1 != b[-1:]
                and (not ka or ka != c_keys[j])
            ):
                continue
            s = token_similarity(a, b, pa, c.phonetic[j], ka, c_keys[j], exact=exact)
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


AlignKernel = Callable[
    [tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...],
     tuple[str, ...], bool],
    "list[tuple[float, int, int]] | None",
]  # fmt: skip


WeighKernel = Callable[
    [tuple[str, ...], tuple[str, ...], list[tuple[float, int, int]], Mapping[str, float],
     Container[str], "float | None"],
    "tuple[float, float, int, float, float] | None",
]  # fmt: skip


def _kernels() -> tuple[AlignKernel | None, WeighKernel | None]:
    """:func:`_align` in C and the sums of :func:`name_tokens` (``name_align.c``: the
    same values, or None for a name they do not read), or None when not built or
    compiled code is off."""
    module = native.extension(Path(__file__).with_name("name_align.c"), "name_align")
    if module is None:
        return None, None
    align: AlignKernel = module.align
    weigh: WeighKernel = module.weigh
    return align, weigh


_KERNELS = _kernels()
# Final: compiled code reads these (and the constants above) as C statics, not
# module globals looked up by name on every call.
ALIGN_KERNEL: Final = _KERNELS[0]
WEIGH_KERNEL: Final = _KERNELS[1]


# Unmatched words on the list side (extra middle names, patronymics) cost
# less than query words nobody on the list has.
EXTRA_CANDIDATE_WORD: Final = 0.6
# Unmatched query words, when every listed word was found as written.
EXTRA_QUERY_WORD: Final = 0.6
# A person's name with a word replaced (unpaired words on both sides) beside
# three or more words that pair: long Arabic names that share a family chain
# and differ in one link (NOUREDDINE BEN MOHAMED BEN BELKASSEM AL-DRISSI and
# NOUREDDINE BEN ALI BEN BELKASSEM AL-DRISSI) are relatives, not one person,
# and the words they share said more than the one that differs. The unpaired
# words then count this much more (``replaced`` of :func:`name_tokens`),
# unless a birth date agrees (the algorithm then passes 0: the differing word
# is more likely an alias of the same person, al-Salbi for al-Mawla) or the
# unpaired words are written with the same letters (Amor and Omar). Not for
# two-word names (one paired word is too little to call the rest a
# replacement) nor companies.
REPLACED_WORD: Final = 1.0


def _anagram_left(
    q_tokens: tuple[str, ...], c_tokens: tuple[str, ...], partner: dict[int, int]
) -> bool:
    """Whether an unpaired word of each name is written with the same letters
    (AMOR and OMAR, a garbled EL as LE): a respelling, not another word."""
    paired = set(partner.values())
    left_c = {"".join(sorted(t)) for j, t in enumerate(c_tokens) if j not in paired}
    return any("".join(sorted(t)) in left_c for i, t in enumerate(q_tokens) if i not in partner)


def _particle_left(
    q_tokens: tuple[str, ...], c_tokens: tuple[str, ...], partner: dict[int, int]
) -> bool:
    """Whether every unpaired word of one name has two letters or fewer: a
    particle or an initial garbled or left out (ABDULLAH AHMED ABDULLAH LE ALFI
    for ... EL ALFI, whose EL is read as the article AL), not a relative's
    name in place of another."""
    paired = set(partner.values())
    left_q = [t for i, t in enumerate(q_tokens) if i not in partner]
    left_c = [t for j, t in enumerate(c_tokens) if j not in paired]
    return all(len(t) <= 2 for t in left_q) or all(len(t) <= 2 for t in left_c)


def _moved(aligned: list[tuple[float, int, int]]) -> list[tuple[int, int]] | None:
    """How aligned words keep their order, allowing the surname to move to the other end.

    None when they do not; no pairs when nothing moved; else the pair(s)
    ``(query index, listed index)`` of the word that moved (both pairs of a
    two-word name, where moving either word is the same swap).
    """
    by_q = sorted(aligned, key=lambda a: a[1])
    js = [j for _s, _i, j in by_q]
    ordered = sorted(js)
    if js == ordered:
        return []
    moved: list[tuple[int, int]] = []
    if js == ordered[1:] + ordered[:1]:
        # The query's last word is the listed name's first (Su Yong Ri / RI, Su Yong).
        moved.append((by_q[-1][1], by_q[-1][2]))
    if js == ordered[-1:] + ordered[:-1]:
        # The query's first word is the listed name's last.
        moved.append((by_q[0][1], by_q[0][2]))
    return moved or None


def _surname_words(form: NameForm) -> set[str]:
    """The words some Korean reading of the name takes as a known family name.

    Only family names of the surname table count: a syllable read as the
    surname merely because it stands before a comma (KWEK, Kee Seng, a
    Chinese name) says nothing about Korean word order.
    """
    out: set[str] = set()
    for k in form.korean:
        if len(k.surname) > 1:
            if tuple(s.coarse for s in k.surname) in COMPOUND_COARSE:
                # Namgung, or Nam-Gung in two words.
                out.add("".join(s.spelling for s in k.surname))
                out.update(s.spelling for s in k.surname)
        elif k.surname and surname_groups(k.surname[0]):
            out.add(k.surname[0].spelling)
    return out


def _table_surname(form: NameForm, word: str) -> bool:
    """Whether some reading of the name has ``word`` as a syllable spelled like a family name."""
    for k in form.korean:
        for syl in (*k.surname, *k.given):
            if syl.spelling == word and surname_groups(syl):
                return True
    return False


def _surname_moved_onto_given(q: NameForm, c: NameForm, moved: list[tuple[int, int]]) -> bool:
    """Whether the word that moved is a surname on one side and surely not on the other.

    A Korean name may put its surname first or last, so a word that moved to
    the other end is allowed when it is the surname there too (Su Yong Ri /
    RI, Su Yong). Yun Chang Pong against CHANG, Ping Yun pairs the query's
    surname Yun with a listed given syllable, and the comma says so: the same
    three words, but another family and another given name. Without a comma
    a family name may still be the surname however the parser divided the
    name (Song Il-choe, with Choe glued to the given name, is CHOE, Song
    Il). Words no reading takes as a known family name on either side (a
    Chinese name read as Korean) keep the old leniency.
    """
    if not moved:
        return False
    q_surnames = _surname_words(q)
    c_surnames = _surname_words(c)
    for i, j in moved:
        a, b = q.tokens[i], c.tokens[j]
        in_q, in_c = a in q_surnames, b in c_surnames
        if in_q == in_c:
            return False
        # The side where the word is no surname: is it surely a given syllable?
        # It is when a comma marks a known family name elsewhere on that side
        # (a comma before no family name, KWANG IL, HYON, says nothing), or
        # when the word could be no family name at all.
        other, word, surnames = (c, b, c_surnames) if in_q else (q, a, q_surnames)
        if not ("," in other.text and surnames) and _table_surname(other, word):
            return False
    return True


def _weigh(
    q_tokens: tuple[str, ...],
    c_tokens: tuple[str, ...],
    aligned: list[tuple[float, int, int]],
    w: Weights,
) -> tuple[float, float, int, float, float]:
    """The sums of :func:`name_tokens`: ``(num, den, exact, extra_q, extra_c)``, the paired
    words' weighted similarity and weight, how many pairs are exact, the unpaired words'
    weights on each side."""
    token = w.token
    wc = [token(t) for t in c_tokens]
    wq = [token(t) for t in q_tokens]
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
    n = len(aligned)
    # (sum() of nothing is 0, as when every word is paired.)
    extra_q = sum(x for i, x in enumerate(wq) if i not in partner) if n < len(wq) else 0.0
    if n < len(wc):
        matched_c = set(partner.values())
        extra_c = sum(x for j, x in enumerate(wc) if j not in matched_c)
    else:
        extra_c = 0.0
    return num, den, exact, extra_q, extra_c


def _two_slips_one_initial(q: NameForm, c: NameForm, aligned: list[tuple[float, int, int]]) -> bool:
    """Whether two or more words differ and one of them in its first letter.

    In a Korean name each word is a syllable or two: Hwang Yong Son against
    HWANG, Pyong So is one slip in each given syllable, one of them on the
    first letter (Yong, Pyong), which the syllable comparison reads as
    another syllable; two such differences make another given name, not a
    typed one. One differing word, or differing words that each keep their
    first letter, are still read as slips; words that differ only in
    romanization (their Korean keys agree: Lee and RI, Jung and CHONG) are
    no slips.
    """
    qk, ck = q.token_keys, c.token_keys
    differ = [(i, j) for s, i, j in aligned if s < 1.0 and not (qk[i] and qk[i] == ck[j])]
    return len(differ) >= 2 and any(q.tokens[i][:1] != c.tokens[j][:1] for i, j in differ)


def name_tokens(
    q: NameForm,
    c: NameForm,
    w: Weights,
    *,
    strict: bool = False,
    slips_only: bool = False,
    person: bool = False,
    replaced: float = 0.0,
) -> Feature:
    """Word-by-word comparison weighted by how rare each word is.

    ``strict`` (used for Korean names, where it only rescues typos) demands
    that every word on both sides is paired and that the pairs keep their
    order: "Kim Ho Hong" is not "Kim Tong Ho"; when a word differs, a word
    moved to the other end must not be the surname on one side only. ``slips_only`` further
    demands that every differing word is one keyboard slip from its pair.
    ``person`` (the query is a person) lets extra query words cost less
    when every listed word is found as written: given names a list left out.
    ``replaced`` is the extra cost of the unpaired words when both names have
    some beside three or more paired words (``REPLACED_WORD`` for a person).
    """
    q_tokens = q.tokens
    c_tokens = c.tokens
    if not q_tokens or not c_tokens:
        return NONE
    aligned = None
    if ALIGN_KERNEL is not None:
        aligned = ALIGN_KERNEL(
            q_tokens, c_tokens, q.phonetic, c.phonetic, q.token_keys, c.token_keys,
            q.script == "Hani" or c.script == "Hani",
        )  # fmt: skip
    if aligned is None:
        aligned = _align(q, c)
    if not aligned:
        return NONE
    n = len(aligned)
    if strict:
        if not n == len(q_tokens) == len(c_tokens):
            return NONE
        moved = _moved(aligned)
        if moved is None:
            return NONE
        if (
            moved
            and any(s < 1.0 for s, _i, _j in aligned)
            and _surname_moved_onto_given(q, c, moved)
        ):
            # The same words in another order are written alike whatever the
            # comma says (a clerk may misplace it); a slip on top of a
            # surname moved onto a given syllable is another name.
            return NONE
    if slips_only and any(s < SLIP for s, _i, _j in aligned):
        return NONE
    if strict and _two_slips_one_initial(q, c, aligned):
        return NONE
    sums = None
    if WEIGH_KERNEL is not None and w.tables is not None:
        # The same sums in C, from the mappings behind w.token and w.unknown.
        table, listed, unseen = w.tables
        sums = WEIGH_KERNEL(q_tokens, c_tokens, aligned, table, listed, unseen)
    if sums is not None:
        num, den, exact, extra_q, extra_c = sums
    else:
        num, den, exact, extra_q, extra_c = _weigh(q_tokens, c_tokens, aligned, w)
    # A listed name with an extra word (a middle name, a patronymic) costs
    # less than one where a word was replaced: if the query has unpaired
    # words too, the listed name's unpaired words count in full.
    if person and extra_q and not extra_c and exact == n and q.script != "Hani":
        # The query names the listed words as written, and more (FAZL RABI
        # ABDUL HAMID for FAZL RABI): its extra words are given names the
        # list left out as much as the listed name's would be. Not for
        # companies: an extra word there names a sister company (Bowne
        # Litigation Solutions and Bowne Solutions). Nor for names in
        # Chinese characters, read a syllable to a word: an extra syllable
        # there is another given name (陳志成 is not Zhi Chen).
        den += EXTRA_QUERY_WORD * extra_q
    else:
        den += extra_q + (extra_c if extra_q else EXTRA_CANDIDATE_WORD * extra_c)
        if replaced and extra_q and extra_c and n >= 3:
            partner = {i: j for _s, i, j in aligned}
            if not _anagram_left(q_tokens, c_tokens, partner) and not _particle_left(
                q_tokens, c_tokens, partner
            ):
                den += replaced * (extra_q + extra_c)
    score = num / den if den else 0.0
    if exact == n == len(q_tokens) == len(c_tokens):
        reason = f"same words as '{c.text}'"
    elif exact == n:
        reason = f"{n} of {max(len(q_tokens), len(c_tokens))} words agree with '{c.text}'"
    else:
        reason = f"{n} words of '{q.text}' resemble words of '{c.text}' ({exact} exact)"
    return new_feature((score, reason))


# The highest value each secondary name comparison can give (the algorithm
# skips one that cannot beat what it already has).
JOINED_SAME: Final = 0.97
KOREAN_WORDS_SAME: Final = 0.95
ACRONYM: Final = 0.86
ABJAD_SAME: Final = 0.84


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
        return new_feature((JOINED_SAME, f"same letters as '{c.text}' apart from spacing"))
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
    return new_feature((sim * factor, f"'{q.text}' spelled close to '{c.text}' ignoring spaces"))


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
        return new_feature((1.0, f"same characters as '{c.text}'"))
    same = sum(1 for x, y in zip(a, b, strict=False) if x == y)
    sim = same / max(len(a), len(b))
    if sim < 0.5:
        return NONE
    return new_feature(
        (0.9 * sim, f"{same} of {max(len(a), len(b))} characters agree with '{c.text}'")
    )


def name_korean_joined(q: NameForm, c: NameForm) -> Feature:
    """Vessel and company names read as Korean syllables (Cheonmasan = CHON MA SAN)."""
    if q.korean_joined and q.korean_joined == c.korean_joined and q.joined != c.joined:
        return new_feature(
            (KOREAN_WORDS_SAME, f"'{q.text}' and '{c.text}' are the same Korean syllables")
        )
    return NONE


def name_acronym(q: NameForm, c: NameForm) -> Feature:
    """An acronym on one side that spells the initials of the other (KKBC)."""
    if len(q.tokens) == 1 and q.tokens[0] in c.acronyms:
        return new_feature((ACRONYM, f"'{q.text}' is the acronym of '{c.text}'"))
    if len(c.tokens) == 1 and c.tokens[0] in q.acronyms:
        return new_feature((ACRONYM, f"'{c.text}' is the acronym of '{q.text}'"))
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
        return new_feature((ABJAD_SAME, f"consonants of '{q.text}' match '{c.text}' ({a})"))
    sim = Levenshtein.normalized_similarity(a, b)
    if sim < 0.8:
        return NONE
    # Without vowels a near miss is weak evidence: never enough on its own.
    return new_feature((0.78 * sim, f"consonants of '{q.text}' resemble '{c.text}' ({a}/{b})"))
