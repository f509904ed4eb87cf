"""Korean personal names: surname and given name, from Hangul, hanja or Latin.

A Korean name is a surname (one syllable, rarely two) and a given name (one
to three syllables, usually two). Lists write it "KIM Jong Un", "Kim
Jong-un", "Jong Un Kim", "RI, Su Yong" or 리수용. This module finds the
surname, splits the given name into syllables, and returns
:class:`KoreanName` forms whose syllable keys compare across all of those.

The surname table includes the North Korean forms 리, 류, 로, 렴, 라, 림
and 량 beside the South Korean 이, 유, 노, 염, 나, 임 and 양.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Final, NamedTuple

from dprkwatch.matching.hangul import (
    WESTERN_SURNAMES,
    is_hangul_syllable,
    keyboard_slips,
    read_name,
    romanize_syllable,
    syllable_keys,
)
from dprkwatch.matching.syllables import Syllable, parse_word
from dprkwatch.matching.text import APOSTROPHES, to_ascii

# Single-syllable surnames, roughly by frequency.
SURNAMES: Final = (
    "김이리박최정강조윤장임림한오서신권황안송류유전홍고문양량손배백허남심노로하곽성차주우구"
    "민진지엄채원천방공현함변염렴여려추도소석선설마길연위표명기반라나왕금옥육륙인맹제모탁국"
    "어은편용예경봉사부태계피탄",
)[0]
COMPOUND_SURNAMES: Final = ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방")

SURNAME_COARSE: Final = frozenset(syllable_keys(ch)[1] for ch in SURNAMES)
COMPOUND_COARSE: Final = frozenset(
    tuple(syllable_keys(ch)[1] for ch in s) for s in COMPOUND_SURNAMES
)

# Surnames written with and without the initial-sound law are one family
# name (North Korean 리 = South Korean 이); the North Korean form stands for both.
_SAME_SURNAME: Final = {"이": "리", "유": "류", "노": "로", "임": "림", "양": "량", "염": "렴", "나": "라",
                 "여": "려", "육": "륙"}  # fmt: skip


def _surname_spellings() -> dict[str, frozenset[str]]:
    """Latin spelling -> the surnames (as group ids) it can stand for."""
    table: dict[str, set[str]] = {}
    for ch in SURNAMES:
        group = _SAME_SURNAME.get(ch, ch)
        spellings = {romanize_syllable(ch, system) for system in ("mr", "dprk", "rr")}
        spellings |= {w.lower() for w in WESTERN_SURNAMES.get(ch, ())}
        for spelling in spellings:
            table.setdefault(spelling, set()).add(group)
    return {k: frozenset(v) for k, v in table.items()}


SURNAME_SPELLINGS: Final = _surname_spellings()


def _surname_readings() -> dict[str, Syllable]:
    """Latin surname spellings the syllable parser cannot read (Choy, Rhie, Whang,
    Joe as 조 rather than 죄) -> the surname's syllable, spelled as written."""
    out: dict[str, Syllable] = {}
    for ch, spellings in WESTERN_SURNAMES.items():
        fine, coarse = syllable_keys(ch)
        for spelling in spellings:
            low = spelling.lower()
            if low in out:
                continue
            if not any(len(p) == 1 and p[0].coarse == coarse for p in parse_word(low)):
                out[low] = Syllable(fine, coarse, low)
    return out


SURNAME_READINGS: Final = _surname_readings()


def surname_groups(syl: Syllable) -> frozenset[str]:
    """Which family names a surname syllable can be; empty when the spelling is unknown."""
    if syl.hangul:
        return frozenset({_SAME_SURNAME.get(syl.hangul, syl.hangul)})
    return SURNAME_SPELLINGS.get(syl.spelling, frozenset())


_MAX_FORMS: Final = 4
_MAX_GIVEN: Final = 4


class KoreanName(NamedTuple):
    """One reading of a name as a Korean personal name."""

    surname: tuple[Syllable, ...]
    given: tuple[Syllable, ...]
    reading: str
    script: str
    # Whether each given syllable begins a written word ("Su Yong": both;
    # "Suyong", "Su-yong": the first only). A slip of the first letter of a
    # word is rare; inside a word it is as likely as anywhere.
    starts: tuple[bool, ...] = ()

    @property
    def given_coarse(self) -> str:
        return "".join(s.coarse for s in self.given)

    @property
    def surname_coarse(self) -> str:
        return "".join(s.coarse for s in self.surname)


def _hangul_word(word: str) -> tuple[Syllable, ...]:
    out = []
    for ch in word:
        fine, coarse = syllable_keys(ch)
        out.append(Syllable(fine, coarse, romanize_syllable(ch, "dprk"), ch))
    return tuple(out)


@lru_cache(maxsize=131072)
def _word_alternatives(word: str) -> tuple[tuple[Syllable, ...], ...]:
    if word and all(is_hangul_syllable(ch) for ch in word):
        return (_hangul_word(word),)
    if not word.isascii():
        # McCune-Reischauer breves and typographic apostrophes (Chŏng, Cho’ng).
        word = APOSTROPHES.sub("", word)
        if not all(ch < "\u0250" for ch in word):
            return ()
        word = to_ascii(word)
    parses = parse_word(word)
    surname = SURNAME_READINGS.get(word.lower())
    if surname is not None:
        return ((surname,), *parses)
    return parses


def _is_surname(syls: tuple[Syllable, ...]) -> bool:
    if len(syls) == 1:
        return syls[0].coarse in SURNAME_COARSE
    if len(syls) == 2:
        return (syls[0].coarse, syls[1].coarse) in COMPOUND_COARSE
    return False


def _split_hangul_single(
    syls: tuple[Syllable, ...], word: str
) -> tuple[tuple[Syllable, ...], tuple[Syllable, ...]] | None:
    """Surname/given split of an unspaced Hangul name (김정은 -> 김 + 정은)."""
    if len(syls) >= 3 and word[:2] in COMPOUND_SURNAMES:
        return syls[:2], syls[2:]
    if len(syls) >= 2 and word[0] in SURNAMES:
        return syls[:1], syls[1:]
    return None


@lru_cache(maxsize=65536)
def korean_forms(
    words: tuple[str, ...], comma_after: int | None = None, korean_context: bool = False
) -> tuple[KoreanName, ...]:
    """Readings of ``words`` as a Korean personal name; () when it is not one.

    ``comma_after`` is the index of the last word before a comma ("RI, Su
    Yong": 0), which marks the surname. Without a surname the name counts as
    Korean only in a ``korean_context`` (a DPRK-listed entity, a query with
    Korean nationality) or when written in Hangul.
    """
    if not words or len(words) > 5:
        return ()
    alternatives = [_word_alternatives(w) for w in words]
    if not all(alternatives):
        return ()
    hangul = all(all(is_hangul_syllable(ch) for ch in w) for w in words)
    script = "Hang" if hangul else "Latn"
    forms: list[KoreanName] = []
    combos: list[tuple[tuple[Syllable, ...], ...]] = [()]
    for alts in alternatives:
        combos = [(*c, a) for c in combos for a in alts][:_MAX_FORMS]
    for combo in combos:
        for surname, given_words in _splits(combo, words, comma_after, korean_context or hangul):
            given = tuple(s for w in given_words for s in w)
            if not given or len(given) > _MAX_GIVEN:
                continue
            starts = tuple(i == 0 for w in given_words for i in range(len(w)))
            reading = (
                read_name("".join(words))
                if hangul and len(words) == 1
                else " ".join(s.spelling.capitalize() for s in (*surname, *given))
            )
            form = KoreanName(surname, given, reading, script, starts)
            if form not in forms:
                forms.append(form)
    if hangul and forms and words[0][0] not in SURNAMES and not any(f.surname for f in forms):
        forms.extend(_surname_slip_forms(words, comma_after, korean_context))
    return tuple(forms[:_MAX_FORMS])


def _surname_slip_forms(
    words: tuple[str, ...], comma_after: int | None, korean_context: bool
) -> list[KoreanName]:
    """A Hangul name whose first syllable is no surname, read with that syllable
    as the surname one key beside it on the two-set keyboard (촤찬일 as 최찬일:
    ㅘ is typed ㅗ then ㅏ, ㅚ ㅗ then ㅣ, and ㅏ and ㅣ are neighbouring keys)."""
    first = words[0][0]
    out: list[KoreanName] = []
    for surname in keyboard_slips(first):
        if surname not in SURNAMES:
            continue
        typed = (surname + words[0][1:], *words[1:])
        for form in korean_forms(typed, comma_after, korean_context):
            if form.surname:
                reading = f"{form.reading} ({first} as {surname})"
                out.append(form._replace(reading=reading))
    return out


Words = tuple[tuple[Syllable, ...], ...]


def _splits(
    combo: Sequence[tuple[Syllable, ...]],
    words: tuple[str, ...],
    comma_after: int | None,
    lenient: bool,
) -> list[tuple[tuple[Syllable, ...], Words]]:
    """Ways to read ``combo`` as (surname syllables, given-name words)."""
    if len(combo) == 1:
        syls = combo[0]
        if all(is_hangul_syllable(c) for c in words[0]) and len(syls) <= 5:
            split = _split_hangul_single(syls, words[0])
            if split is not None:
                return [(split[0], (split[1],))]
        return [((), (syls,))] if lenient and 2 <= len(syls) <= 3 else []
    if any(len(w) > 3 for w in combo):
        return []
    if comma_after is not None and 0 <= comma_after < len(combo) - 1:
        head = tuple(s for w in combo[: comma_after + 1] for s in w)
        return [(head, tuple(combo[comma_after + 1 :]))] if _is_surname(head) or lenient else []
    first, last = combo[0], combo[-1]
    out: list[tuple[tuple[Syllable, ...], Words]] = []
    if _is_surname(first):
        out.append((first, tuple(combo[1:])))
        # "Jong Un Kim", "Won Gun Pyon": Western order puts the surname last.
        if _is_surname(last):
            out.append((last, tuple(combo[:-1])))
    elif _is_surname(last):
        out.append((last, tuple(combo[:-1])))
    elif lenient:
        out.append(((), tuple(combo)))
    return out
