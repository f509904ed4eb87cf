"""A query name as it was probably meant: spelling, spacing and OCR slips undone.

Screening compares a query with the candidates that blocking retrieves, and
blocking retrieves through the words a query shares with listed names. A
slip in the one rare word of a name ("KORYOO BANK", "JSNG Chol", "KIM
Munchlo") used to leave blocking with only common words, and the right
entity was never scored. Here each query word that no listed name contains
is looked up in the listed vocabulary (:mod:`dprkwatch.matching.typos`):

* one or two edits away (two from nine letters on, as the scorer allows),
  keeping the first letter (a slip rarely hits it, and Tong for Yong is
  more often another name): ``koryoo`` -> ``koryo``, ``myoyhang`` ->
  ``myohyang``;
* an optical-character-recognition confusion: ``k0ryo`` -> ``koryo``,
  ``kirn`` -> ``kim``, ``s1nbad`` -> ``sinbad``;
* a lost space, alone or with a slip in one half: ``koryobank`` ->
  ``koryo bank``, ``munchlo`` -> ``mun chol``, ``yongiil`` -> ``yong il``;

and two neighbouring words are joined when the joined word is listed and
one of them is unknown or very short (``KO RYO BANK`` -> ``KORYO BANK``).

The result is a handful of corrected texts, each with the changes made and
how similar each replacement is to what was typed. The algorithm analyses
them like the query itself, uses their blocking keys, and scores them at a
discount for the changes (so a correction never scores as an exact match).
Only ASCII names are corrected: the slips handled here are slips of Latin
typing and scanning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from itertools import product
from typing import Final, NamedTuple

from dprkwatch.matching.features.words import (
    LIKELY_SLIP,
    SLIP,
    keeps_letters,
    likely_slip,
    likely_slip_readings,
    neighbouring_key,
    neighbours,
)
from dprkwatch.matching.korean_names import SURNAME_SPELLINGS
from dprkwatch.matching.rounding import rounded
from dprkwatch.matching.syllables import parse_word
from dprkwatch.matching.text import APOSTROPHES
from dprkwatch.matching.typos import MIN_FUZZY, Vocabulary

# Similarity credited to a replacement: a join or split changes only the
# spacing; an OCR confusion one glyph.
SPACING: Final = 0.97
OCR: Final = 0.9
# A keyboard slip after the first letter costs what the word comparison
# charges for it (SLIP), and the commonest typing slips half of that
# (LIKELY_SLIP): one that keeps every letter (two neighbours swapped, a
# letter doubled or a doubled one written once: RYOGN, JANNG, SHIPING) or
# one of a finger on a neighbouring key (a key next to the meant one struck
# instead of it, BAMK for BANK, or beside it, BANHK). They rarely turn one
# name into another; a letter simply lost (BNK, KORO) or replaced by a
# distant one may well be another name, and costs a full slip.
# Corrected texts per query name, and options considered per word.
MAX_VARIANTS: Final = 4
_PER_WORD: Final = 3
# Halves of a hyphenated word this long at most are read as syllables of a
# compound given name (the longest romanized Korean syllables: hyong, chong).
SYLLABLE_LETTERS: Final = 5
# Longer names are not corrected. Long ministry and company names (fifteen
# words with "Democratic People's Republic of Korea") are listed too.
MAX_WORDS: Final = 24
# A split that leaves a rarely listed word of one or two letters ("com ny"
# for "compny", "ba snk" for "basnk") is ranked as this much less likely
# than its similarity says: such halves are mostly initials or fragments,
# and a slip is likelier. Common short words (Korean syllables such as Il,
# Su, U) are split off as before.
SHORT_SPLIT: Final = 0.75
# ... and so does a split whose rarer half fewer names use than a listed word
# one slip away (SHI PING for SHIPING, TA DING for TADING, UNI FED for UNIFED,
# CO RIP for CORRP, LMI TED for LMITED); CHO IL for CHOIL stays ahead of the
# rarely listed CHEIL and CHIL.
# A word only one listed name uses may itself be a slip in the list
# ("sipping"); it is also read as a word one edit away that at least this
# many listed names use.
COMMON: Final = 50

# A listed word in a name that also holds a misspelt word may be a slip too:
# a letter lost from a word of four letters or more often leaves another
# listed word (Yon for Yong, Son for Song, Pae for Paek, Bnk for Bank), and
# a typist who slipped once in a name may well have slipped twice. Such a
# word is read once more, in an extra reading of its own (one slip more than
# the likeliest reading, never two: read together, CHO YON CHUN became
# CHOL YONG CHUN and met other people), as the listed word with one letter
# more that more names use, or else as the listed word with two neighbouring
# letters swapped that more names use (RYMO for RYOM); never in a name
# without a misspelt word (Kim Son Il is another person's name, not a slip of
# Kim Song Il).

# Readings of one word are remembered per vocabulary, this many words of each
# kind at most (then forgotten all at once): a customer file or a service
# process meets the same unknown words again and again (given names,
# surnames, company words), and a vocabulary never changes once built.
MEMO_WORDS = 50_000

_WORD: Final = re.compile(r"[A-Za-z0-9]+")
# Glyphs optical character recognition confuses: (as scanned, as meant).
_OCR: Final[tuple[tuple[str, str], ...]] = (
    ("0", "o"), ("1", "l"), ("1", "i"), ("5", "s"), ("8", "b"), ("rn", "m"), ("m", "rn"),
    ("cl", "d"), ("d", "cl"), ("vv", "w"), ("ii", "u"), ("l", "i"), ("i", "l"),
)  # fmt: skip


class Change(NamedTuple):
    """One replacement: what was typed, what it became, how alike the two are."""

    typed: str
    meant: str
    similarity: float
    kind: str  # "spelling", "ocr", "split", "join"
    # How likely the reading is, for ranking readings (negative: the similarity,
    # less for short splits): set by the word's options, which see its rivals.
    rank: float = -1.0


class Correction(NamedTuple):
    """A corrected query text and the changes that made it."""

    text: str
    changes: tuple[Change, ...]

    def factor(self) -> float:
        """The discount for the changes: each costs its dissimilarity times its
        share of the name's letters (a slip in a long name costs less)."""
        return self._product(lambda c: c.similarity)

    def plausibility(self, vocab: Vocabulary) -> float:
        """:meth:`factor` with short splits ranked down: which readings to keep.

        Each change's share is taken of the letters as typed, so that readings
        of one typed name compare alike whatever the length of the listed
        words they read (COMPAY as COMPAN is not likelier than as COMPANY
        for being a letter shorter)."""
        # Written out, without a callback per change: up to 65 readings of a
        # name are ranked.
        letters = _letters(self.text)
        for c in self.changes:
            letters -= _letters(c.meant) - _letters(c.typed)
        letters = max(letters, 1)
        out = 1.0
        for c in self.changes:
            similarity = c.rank if c.rank >= 0 else _plausibility(c, vocab)
            out *= 1.0 - (1.0 - similarity) * min(1.0, _letters(c.typed) / letters)
        return out

    def _product(self, similarity: Callable[[Change], float]) -> float:
        letters = max(_letters(self.text), 1)
        out = 1.0
        for c in self.changes:
            size = max(len(c.typed), len(c.meant.replace(" ", "")))
            out *= 1.0 - (1.0 - similarity(c)) * min(1.0, size / letters)
        return out

    def describe(self) -> str:
        return ", ".join(
            f"{c.typed.upper()} as {c.meant.upper()}" if c.meant else f"{c.typed.upper()} dropped"
            for c in self.changes
        )


# Change(...) and Correction(...) without the NamedTuple's __new__, a Python
# function (thousands a query batch): all fields given, in order.
_new_change: Final = partial(tuple.__new__, Change)
_new_correction: Final = partial(tuple.__new__, Correction)


def _letters(text: str) -> int:
    n = 0
    for ch in text:
        if ch.isalnum():
            n += 1
    return n


def _plausibility(change: Change, vocab: Vocabulary, slip_used: int = 0) -> float:
    """How likely a change is, for ranking: its similarity, less for a split
    that leaves a rare word of one or two letters, or whose rarer half fewer
    names use than the reading one slip away (used by ``slip_used`` names)."""
    if change.kind == "split":
        counts = [(len(h), vocab.count(h)) for h in change.meant.split()]
        rarer = min(n for _l, n in counts)
        if any(length <= 2 and n < COMMON for length, n in counts) or rarer < min(
            COMMON, slip_used
        ):
            return change.similarity * SHORT_SPLIT
    return change.similarity


def _similarity(typed: str, meant: str, distance: int) -> float:
    """Share of letters that agree; at least a slip's worth for one edit after the
    first letter, and more for one that keeps every letter (:data:`LIKELY_SLIP`)."""
    sim = 1.0 - distance / max(len(typed), len(meant))
    if distance == 1 and typed[:1] == meant[:1]:
        sim = max(sim, LIKELY_SLIP if keeps_letters(typed, meant) else SLIP)
    return sim


def _credit(typed: str, meant: str, distance: int) -> float:
    """:func:`_similarity`, and a neighbouring key's slip credited as one that keeps
    every letter. What a spelling reading is scored with; readings are ranked by
    :func:`_similarity` (most letters have several neighbours, so many listed
    words are one neighbouring key away, and the key alone says little of which
    of them was meant)."""
    if distance == 1 and typed[:1] == meant[:1] and neighbouring_key(typed, meant):
        return LIKELY_SLIP
    return _similarity(typed, meant, distance)


def _rank_similarity(typed: str, distance: int) -> float:
    """How alike a spelling reading is to what was typed, for ranking only: by
    the typed word's length, so that one slip to a shorter or a longer listed
    word ranks the same, and how many names use each decides (CHHOL is CHOL
    before CHKHOL)."""
    return max(1.0 - distance / len(typed), SLIP if distance == 1 else 0.0)


def _ocr_readings(word: str) -> set[str]:
    """The word with one OCR confusion undone, and with every digit read as a letter."""
    out: set[str] = set()
    for scanned, meant in _OCR:
        at = word.find(scanned)
        while at >= 0:
            out.add(word[:at] + meant + word[at + len(scanned) :])
            at = word.find(scanned, at + 1)
    if any(ch.isdigit() for ch in word) and not word.isdigit():
        out.add(word.translate(_DIGIT_LETTERS))
    out.discard(word)
    return out


_DIGIT_LETTERS: Final = str.maketrans({"0": "o", "1": "l", "5": "s", "8": "b"})


def _word_options(word: str, vocab: Vocabulary) -> list[tuple[str, Change]]:
    """Ways to read an unknown word, best first: (replacement text, change).

    Ranked by similarity to what was typed, then by how many listed names
    use the replacement (for a split, its rarer half): of several words one
    slip away, the common one is the likelier meant.
    """
    # meant -> (change, how many names use it, ranking similarity if not the change's own)
    options: dict[str, tuple[Change, int, float | None]] = {}

    def offer(meant: str, sim: float, kind: str, used: int, rank: float | None = None) -> None:
        sim = rounded(sim, 4)
        if sim <= 0.0:
            return
        old = options.get(meant)
        if old is None or (old[2] or old[0].similarity, old[1]) < (rank or sim, used):
            options[meant] = (_new_change((word, meant, sim, kind, -1.0)), used, rank)

    count = vocab.count
    slip_used = 0  # names using the commonest reading one slip away
    for reading in _ocr_readings(word):
        if reading in vocab:
            offer(reading, OCR, "ocr", count(reading))
    if not any(ch.isdigit() for ch in word):
        asks: list[tuple[str, int | None]] = [(word, None)]
        halves: list[tuple[str, str, bool]] = []  # (known half, fuzzy half, known is left)
        for cut in range(2, len(word) - 1):
            left, right = word[:cut], word[cut:]
            left_ok, right_ok = left in vocab, right in vocab
            if left_ok and right_ok:
                offer(f"{left} {right}", SPACING, "split", min(count(left), count(right)))
            elif left_ok and len(right) >= MIN_FUZZY:
                asks.append((right, 1))
                halves.append((left, right, True))
            elif right_ok and len(left) >= MIN_FUZZY:
                asks.append((left, 1))
                halves.append((right, left, False))
        found = vocab.near_many(asks)
        # A slip keeps the first letter of the word: another first letter
        # (Tong for Yong) is more often another name, and is not corrected.
        # When a Korean syllable that lost a letter explains the word with
        # every letter as typed (HYOK for HYK), a reading that throws a typed
        # letter away or replaces it by a distant key (HY, read as the
        # syllable Hui; HAK) and that no more names use is another syllable
        # more often than the slip: one edit either way, but the typist
        # struck that letter.
        lost = _lost_letter_syllable(word, found[0], vocab)
        for distance, other in found[0]:
            if other[0] == word[0] and not (
                distance == 1 and _discards_letter(word, other) and count(other) <= lost
            ):
                sim = _credit(word, other, distance)
                # Ranked by what keeps every letter, not by the key (see _credit).
                kept = distance == 1 and keeps_letters(word, other)
                if distance == 1:
                    slip_used = max(slip_used, count(other))
                rank = sim if kept else _rank_similarity(word, distance)
                offer(other, sim, "spelling", count(other), rounded(rank, 4))
        for (known, fuzzy, known_left), near in zip(halves, found[1:], strict=True):
            for distance, other in near:
                if other[0] != fuzzy[0]:
                    continue
                text = f"{known} {other}" if known_left else f"{other} {known}"
                sim = SPACING * _similarity(fuzzy, other, distance)
                offer(text, sim, "split", min(count(known), count(other)))
    ranked = sorted(
        (
            (
                rank if rank is not None else _plausibility(change, vocab, slip_used),
                used,
                meant,
                change,
            )
            for meant, (change, used, rank) in options.items()
        ),
        key=lambda r: (-r[0], -r[1], r[2]),
    )
    return [
        (meant, _new_change((change.typed, meant, change.similarity, change.kind, rank)))
        for rank, _u, meant, change in ranked[:_PER_WORD]
    ]


# Marks a word may be glued to inside a written name (CHANG-HO, LTD.).
_MARKS: Final = ("-", ".")


def _lost_letter_syllable(word: str, near: list[tuple[int, str]], vocab: Vocabulary) -> int:
    """How many names use the commonest listed word one letter longer, one Korean
    syllable, that holds every letter of ``word`` as typed, in order (HYOK for
    HYK): a syllable that lost a letter, the commonest slip that keeps what was
    struck. 0 when there is none."""
    return max(
        (
            vocab.count(other)
            for distance, other in near
            if distance == 1
            and len(other) == len(word) + 1
            and other[0] == word[0]
            and _holds(other, word)
            and any(len(parse) == 1 for parse in parse_word(other))
        ),
        default=0,
    )


def _discards_letter(typed: str, meant: str) -> bool:
    """``meant``, one edit from ``typed`` and no longer, drops or replaces a typed
    letter, and not as a likely slip: a letter neither doubled nor swapped nor a
    neighbouring key's (HY or HAK for HYK)."""
    return len(meant) <= len(typed) and not likely_slip(typed, meant)


def _holds(longer: str, shorter: str) -> bool:
    """``shorter`` is ``longer`` with one letter lost."""
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _stray_letter(word: str, vocab: Vocabulary) -> list[tuple[str, Change]]:
    """An unknown word typed right after a hyphen or a dot, read without its first
    letter when that leaves a listed word (CHANG-eHO, KYONG-eSU), else with its
    first letter as a neighbouring key's (WORLD-DHIPPING): a key struck beside the
    mark. The first letter of a word is otherwise never corrected."""
    rest = word[1:]
    if word in vocab:
        return []
    if len(rest) >= 2 and rest in vocab:
        return [(rest, Change(word, rest, LIKELY_SLIP, "spelling"))]
    # Or its first letter struck on a neighbouring key (WORLD-DHIPPING for
    # WORLD-SHIPPING): the most used such listed word.
    if len(word) < MIN_FUZZY:
        return []
    best = max(
        ((vocab.count(k + rest), k + rest) for k in neighbours(word[0]) if k + rest in vocab),
        default=None,
    )
    if best is None:
        return []
    return [(best[1], Change(word, best[1], LIKELY_SLIP, "spelling"))]


def _listed_slip_options(word: str, vocab: Vocabulary) -> list[tuple[str, Change]]:
    """A word one listed name uses, read as a common listed word one edit away."""
    out = [
        (other, Change(word, other, _similarity(word, other, distance), "spelling"))
        for distance, other in vocab.near(word, 1)
        if other[0] == word[0] and vocab.count(other) >= COMMON
    ]
    return out[:_PER_WORD]


# Two swapped letters in a listed word of three letters make another short
# word as often as a slip, and short words are other names' initials and
# syllables: the listed ALS (in LIMITED LIABILITY COMPANJY ALS) read as ASL
# met Ansar Al Charia Benghazi by its initials, and the syllable GIM was read
# as GMI. A word that short is read with two letters swapped only when it is
# no Korean syllable and the swapped word is one (HAW for HWA); from four
# letters (RYMO for RYOM) as before.
_SWAP_MIN: Final = 4


def _one_syllable(word: str) -> bool:
    return any(len(parse) == 1 for parse in parse_word(word))


def _swaps_into_syllable(word: str, other: str) -> bool:
    """A short word that is no Korean syllable, swapped into one (HAW, HWA)."""
    return not _one_syllable(word) and _one_syllable(other)


def _lost_letter_options(word: str, vocab: Vocabulary) -> list[tuple[str, Change]]:
    """A listed word read as the listed word with one letter more (after the first)
    that the most names use, when more names use it than the word as typed; with
    no such word, as the listed word with two neighbouring letters swapped (RYMO
    for RYOM; in a word of three letters only a Korean syllable from a word that
    is none, HAW for HWA) that the most names use, when more use it than the word
    as typed.
    (A neighbouring key too was tried: MUN became MIN and DAEDONG DAESONG, other
    people's and banks' names.)"""
    used = vocab.count(word)
    lost: tuple[int, str] | None = None
    swap: tuple[int, str] | None = None
    for distance, other in vocab.near(word, 1):
        if distance != 1 or other[0] != word[0]:
            continue
        if len(other) == len(word) + 1:
            n = vocab.count(other)
            if n > used and (lost is None or (n, lost[1]) > (lost[0], other)):
                lost = (n, other)
        elif (
            len(other) == len(word)
            and (len(word) >= _SWAP_MIN or _swaps_into_syllable(word, other))
            and keeps_letters(word, other)
        ):
            n = vocab.count(other)
            if n > used and (swap is None or (n, swap[1]) > (swap[0], other)):
                swap = (n, other)
    if lost is not None:
        meant = lost[1]
        return [(meant, Change(word, meant, _similarity(word, meant, 1), "spelling"))]
    if swap is not None:
        return [(swap[1], Change(word, swap[1], LIKELY_SLIP, "spelling"))]
    return []


# Case that betrays a scanner: a capital I after a small letter (ChoI = Chol),
# the word II (Il), a small l after a capital where the i is listed more (Ml = MI).
_CAPITAL_I: Final = re.compile(r"(?<=[a-z])I|^II$")
_SMALL_L: Final = re.compile(r"(?<=[A-Z])l|l(?=[A-Z])")


def _case_ocr_options(typed: str, vocab: Vocabulary) -> list[tuple[str, Change]]:
    """A listed (or short) word whose letter case shows an OCR confusion of I and l."""
    word = typed.lower()
    readings = [word[: m.start()] + "l" + word[m.end() :] for m in _CAPITAL_I.finditer(typed)]
    for m in _SMALL_L.finditer(typed):
        # Il is a listed name more often than Ii; MI and RI more often than Ml, Rl.
        reading = word[: m.start()] + "i" + word[m.end() :]
        if vocab.count(reading) >= vocab.count(word):
            readings.append(reading)
    if typed == "II":
        readings = ["il"]
    return [
        (r, _new_change((word, r, OCR, "ocr", -1.0))) for r in dict.fromkeys(readings) if r in vocab
    ]


Options = list[tuple[str, Change]]
Remembered = dict[str, tuple[tuple[str, Change], ...]]


def _memo(vocab: Vocabulary, kind: str) -> Remembered:
    """The readings of one kind remembered for ``vocab`` (kept on it: a new index starts afresh)."""
    table: Remembered | None = vocab.memo.get(kind)
    if table is None:
        table = vocab.memo.setdefault(kind, {})
    return table


def _remembered(
    table: Remembered,
    key: str,
    compute: Callable[[str, Vocabulary], Options],
    vocab: Vocabulary,
) -> Options:
    """``compute(key, vocab)``, from ``table`` when asked before (a fresh list each time)."""
    found = table.get(key)
    if found is None:
        if len(table) >= MEMO_WORDS:
            table.clear()
        found = table[key] = tuple(compute(key, vocab))
    return list(found)


# Two likely slips in a word short enough to be one Korean syllable (KYYKNG for
# KYONG: a doubled letter and a neighbouring key; YOJBG for YOUNG: two
# neighbouring keys), read as the listed syllable only in a name that holds a
# Korean family-name spelling of the surname tables (Choe, Son, Ra, Ko...),
# only when no listed word is one edit from what was typed and what was typed
# is no Korean syllable itself (so no other person's syllable is read away),
# when both slips are of the commonest kinds (:func:`likely_slip`), and the
# syllable is at most one letter shorter than the word. Credited as much as
# one slip that loses a letter, no more, and ranked below every reading one
# slip or one space away (AOLO is APOLO before it is AL, TSONG TOSONG before
# TAING).
TWO_SLIPS: Final = SLIP
TWO_SLIPS_RANK: Final = 0.7
_TWO_SLIPS_LETTERS: Final = (4, 8)


def _two_slip_options(word: str, vocab: Vocabulary) -> list[tuple[str, Change]]:
    """Listed one-syllable words two likely slips after the first letter from
    ``word`` (see above), the most used first."""
    low, high = _TWO_SLIPS_LETTERS
    if not low <= len(word) <= high or not word.isalpha():
        return []
    first = word[0]
    for distance, other in vocab.near(word, 1):
        if distance == 1 and other[0] == first:
            # One slip explains it: the word's own readings offer that.
            return []
    if _one_syllable(word):
        return []
    once = sorted(likely_slip_readings(word))
    out: set[str] = set()
    # The second slip by the one-edit look-up of each reading (in C), kept
    # when it is a likely slip too.
    for reading, found in zip(once, vocab.near_many([(r, 1) for r in once]), strict=True):
        for distance, other in found:
            if (
                distance == 1
                and other[0] == first
                and len(other) >= len(word) - 1
                and other != word
                and likely_slip(reading, other)
                and _one_syllable(other)
            ):
                out.add(other)
    ranked = sorted(out, key=lambda m: (-vocab.count(m), m))[:_PER_WORD]
    return [(m, _new_change((word, m, TWO_SLIPS, "spelling", TWO_SLIPS_RANK))) for m in ranked]


def _with_two_slips(options: Options, word: str, vocab: Vocabulary, memo: Remembered) -> Options:
    """``options`` of an unknown word in a Korean name, and after the likelier of
    them its two-slip syllables (:func:`_two_slip_options`), three at most."""
    extra = _remembered(memo, word, _two_slip_options, vocab)
    if not extra:
        return options
    # Stable: of equal rank, the word's own readings first.
    merged = sorted([*options, *extra], key=lambda o: -o[1].rank)
    return merged[:_PER_WORD]


def _family_readings(word: str, options: Options) -> Options:
    """The readings of a family-name spelling of the surname tables (cited in
    korean_names) that spell the same family: Myeong as MYONG, never Yoo as YON."""
    family = SURNAME_SPELLINGS.get(word)
    if not family:
        return options
    return [(m, ch) for m, ch in options if family & SURNAME_SPELLINGS.get(m, frozenset())]


def corrections(text: str, vocab: Vocabulary) -> list[Correction]:
    """Corrected readings of a query name, most similar first; [] when nothing needs it."""
    # Apostrophes first: McCune-Reischauer names are typed with curly ones
    # too (Kt’oong-Su), and the name is no less Latin for them.
    text = APOSTROPHES.sub("", text)
    if not text.isascii() or not len(vocab):
        return []
    unknown, case, listed = _memo(vocab, "unknown"), _memo(vocab, "case"), _memo(vocab, "listed")
    lost = _memo(vocab, "lost")
    spans = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    if not spans or len(spans) > MAX_WORDS:
        return []
    # A Korean family name in the name: its unknown syllables may carry two slips.
    korean = any(w in SURNAME_SPELLINGS for _s, _e, w in spans)
    two = _memo(vocab, "two")
    # Each slot: a span of the text and its options (including "leave it").
    slots: list[tuple[int, int, list[tuple[str, Change | None]]]] = []
    # Listed words with no reading of their own, and whether another word was
    # misspelt (see the lost letter above).
    plain: list[tuple[int, int, str]] = []
    slipped = False
    i = 0
    while i < len(spans):
        start, end, word = spans[i]
        scanned = not word.isdigit() and any(ch.isdigit() for ch in word)
        known = word in vocab or word.isdigit() or (len(word) < MIN_FUZZY and not scanned)
        if i + 1 < len(spans):
            n_start, n_end, n_word = spans[i + 1]
            gap = text[end:n_start]
            joined = word + n_word
            # A dot typed inside a short word (LT.D, PT.E) splits it as a space would.
            dotted = gap.strip(" -.") == "" and min(len(word), len(n_word)) <= 2
            if (
                (gap.strip(" -") == "" or dotted)
                and joined in vocab
                and (
                    not known
                    or len(word) <= 3
                    or len(n_word) <= 3
                    or n_word not in vocab
                    # Both halves listed, but the whole more often than
                    # one of them (SHIP PING, of which PING is a name).
                    or vocab.count(joined) >= min(COMMON, vocab.count(word), vocab.count(n_word))
                )
            ):
                change = Change(f"{word} {n_word}", joined, SPACING, "join")
                slots.append((start, n_end, [(joined, change)]))
                slipped = True
                i += 2
                continue
            if (
                gap == "-"
                and joined.isalpha()
                and max(len(word), len(n_word)) <= SYLLABLE_LETTERS
                and (not known or n_word not in vocab)
            ):
                # A hyphen typed in the wrong place of a compound given name
                # (Sun-gMu for Sung-Mu, Chu-nSik for Chun-Sik): read also
                # without it, so the syllables divide again; beside each
                # half's own readings.
                hyphen: list[tuple[str, Change | None]] = [
                    (joined, Change(f"{word}-{n_word}", joined, SPACING, "join"))
                ]
                if not known:
                    found = _remembered(unknown, word, _word_options, vocab)
                    if korean:
                        found = _with_two_slips(found, word, vocab, two)
                    hyphen += [(f"{m}-{n_word}", ch) for m, ch in _family_readings(word, found)]
                if n_word not in vocab and len(n_word) >= MIN_FUZZY:
                    found = _remembered(unknown, n_word, _word_options, vocab)
                    if korean:
                        found = _with_two_slips(found, n_word, vocab, two)
                    hyphen += [(f"{word}-{m}", ch) for m, ch in _family_readings(n_word, found)]
                hyphen += [(f"{word}-{m}", ch) for m, ch in _stray_letter(n_word, vocab)]
                slots.append((start, n_end, hyphen))
                slipped = True
                i += 2
                continue
        before = text[spans[i - 1][1] : start] if i else ""
        glued = before in _MARKS
        if (
            before == "."
            and len(word) == 1
            and len(spans[i - 1][2]) >= MIN_FUZZY
            and (i + 1 == len(spans) or text[end : spans[i + 1][0]].startswith(" "))
        ):
            # One letter glued to the end of a word after its dot (LTD.e):
            # a key struck beside the dot, read also without it. (Not after a
            # hyphen: Jong-U ends in a one-letter syllable.)
            slots.append((start, end, [("", Change(word, "", LIKELY_SLIP, "spelling"))]))
            slipped = True
            i += 1
            continue
        if not known:
            # A surname spelling of the cited tables (Yoo, Rhie, Whang) is a
            # name the Korean reading understands, not a slip, even where no
            # listed name uses it: read as another family's word it only adds
            # keys that crowd the right entity out of the candidates.
            options = _remembered(unknown, word, _word_options, vocab)
            if korean:
                options = _with_two_slips(options, word, vocab, two)
            options = _family_readings(word, options)
            if glued:
                options = _stray_letter(word, vocab) + options
            slipped = slipped or bool(options)
        else:
            options = _remembered(case, text[start:end], _case_ocr_options, vocab)
            if not options and len(word) >= MIN_FUZZY and vocab.count(word) == 1:
                options = _remembered(listed, word, _listed_slip_options, vocab)
            if not options and word.isalpha() and len(word) >= MIN_FUZZY:
                plain.append((start, end, word))
        if options:
            slots.append((start, end, list(options)))
        i += 1
    if not slots:
        return []
    # Every combination of options (each slot keeps its word as a last resort
    # only when another slot changed), the most similar first.
    choices = [list(enumerate([*opts, (None, None)])) for _s, _e, opts in slots]
    # (plausibility to a thousandth, the options' summed ranks, the reading, its picks)
    combos: list[tuple[float, int, Correction, list[tuple[str | None, Change | None]]]] = []
    for pick in product(*choices):
        changes = tuple(ch for _k, (_meant, ch) in pick if ch is not None)
        if not changes:
            continue
        picked = [option for _k, option in pick]
        corr = _new_correction((_apply(text, slots, picked), changes))
        ranks = sum(k for k, (_meant, ch) in pick if ch is not None)
        combos.append((rounded(corr.plausibility(vocab), 3), ranks, corr, picked))
        if len(combos) > 64:
            break
    # Of equally likely combinations, the one of better-ranked options first
    # ("equally" to a thousandth: a change's share of the letters, and so the
    # plausibility, moves a little with the length of the word it reads).
    combos.sort(key=lambda c: (-len(c[2].changes), -c[0], c[1]))
    out = [c for _p, _r, c, _k in combos[:MAX_VARIANTS]]
    if slipped and plain and combos:
        # The likeliest reading, with one listed word that may have lost a
        # letter read with it: one extra reading per such word, each one slip
        # more (see the lost letter above).
        for start, end, word in plain:
            found = _remembered(lost, word, _lost_letter_options, vocab)
            if found:
                picked = [*combos[0][3], found[0]]
                changes = tuple(ch for _m, ch in picked if ch is not None)
                text_out = _apply(text, [*slots, (start, end, [])], picked)
                out.append(Correction(text_out, changes))
    return out


def _apply(
    text: str,
    slots: list[tuple[int, int, list[tuple[str, Change | None]]]],
    picked: list[tuple[str | None, Change | None]],
) -> str:
    """``text`` with each slot's span replaced by its picked reading (upper case
    where the span was typed so); a slot picked as None keeps what was typed."""
    out = text
    for (start, end, _opts), (meant, _ch) in sorted(
        zip(slots, picked, strict=True), key=lambda sp: -sp[0][0]
    ):
        if meant is None:
            continue
        typed = text[start:end]
        out = out[:start] + (meant.upper() if typed.isupper() else meant) + out[end:]
    return out
