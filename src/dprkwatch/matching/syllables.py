"""Korean names written in Latin letters, split back into syllables.

"Jong-un", "Jongun", "Jeong Eun" and "Chong Un" are one name in four
spellings. To compare them we parse each word into Korean syllables
(initial consonant, vowel, final consonant) using the spellings of every
romanization system and the common Western habits, and map each syllable to
the same keys :mod:`dprkwatch.matching.hangul` derives from Hangul. A word
that cannot be parsed this way (it holds an ``f``, a ``v``, a ``z`` or an
impossible cluster) is simply not Korean, which is how we tell "Korean-
looking" names from others.

Joined words are ambiguous ("jongun" is jong-un or jon-gun); the parser
keeps every parse with the fewest syllables (up to four) and lets the
comparison pick.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, NamedTuple

from dprkwatch.matching.hangul import coarse_from_parts, fine_key_of

# Latin spelling -> initial consonant class.
INITIALS: Final[dict[str, str]] = {
    "": "_",
    "g": "K", "k": "K", "kk": "K", "gg": "K", "kh": "K",
    "n": "N",
    "d": "T", "t": "T", "tt": "T", "th": "T", "dd": "T",
    "r": "R", "l": "R", "rh": "R",
    "m": "M",
    "b": "P", "p": "P", "pp": "P", "ph": "P", "bb": "P",
    "s": "S", "ss": "S", "sh": "S",
    "j": "C", "ch": "C", "jj": "C", "tch": "C", "chch": "C",
    "h": "H",
}  # fmt: skip
# Latin spelling -> vowel class (see hangul.MEDIAL_CLASS).
MEDIALS: Final[dict[str, str]] = {
    "a": "a",
    "ae": "e", "ai": "e", "e": "e",
    "ya": "ya",
    "yae": "ye", "ye": "ye",
    "eo": "o", "o": "o",
    "yeo": "yo", "yo": "yo", "you": "yo",
    "wa": "wa",
    "wae": "we", "oe": "we", "oi": "we", "we": "we",
    "wo": "wo", "weo": "wo",
    "u": "u", "oo": "u", "eu": "u", "woo": "u",
    "wi": "wi", "wee": "wi",
    "yu": "yu", "yoo": "yu",
    "i": "i", "ee": "i", "ui": "i", "eui": "i", "yi": "i",
}  # fmt: skip
FINALS: Final[dict[str, str]] = {
    "": "",
    "k": "K", "g": "K", "kk": "K",
    "n": "N",
    "t": "T", "d": "T",
    "l": "L",
    "m": "M",
    "p": "P", "b": "P",
    "ng": "NG",
}  # fmt: skip

_MAX_PARSES: Final = 4
_MAX_SYLLABLES: Final = 8

# Western habits: a silent "h" after a vowel (Oh, Ahn, Sohn, Suh) and an
# English "r" before a consonant or at the end (Park, Hur).
_SILENT_H: Final = re.compile(r"(?<=[aeiou])h(?=[^aeiouwy]|$)")
_SILENT_R: Final = re.compile(r"(?<=[aeiou])r(?=[^aeiouwy]|$)")
# Hy for 희, as the UK and EU lists write one DPRK name in French spelling
# (Tcheul Hy Djang, Chol-hy Jang; tch and eu were read already): a y that is
# no glide (ya, yo, yu ...) is read as the vowel i only in a syllable Hy at
# the end of a word or before a hyphen. Elsewhere (Tyson, Mary, Kathy,
# Hydro) it is no Korean syllable. Other French spellings (dj, ou) were
# tried and not kept: they gave hundreds of Arabic and African names
# (Djamal, Abdou) a Korean reading, for no query found.
# Letters no romanization of Korean uses, a word end no syllable has, a run
# of six consonants, or a y that is no glide but in a final Hy: cheap
# rejections before the parser runs.
_NOT_KOREAN: Final = re.compile(
    r"[^a-z]|[cfqvxz](?!h)|[fqvxz]|[^aeioukgntdlmpby]$|[^aeiouwy]{6}"
    r"|(?:(?<!h)|(?<=[cgkprst]h))y(?![aeiou])|y(?=[^aeiou])"
)


class Syllable(NamedTuple):
    """One syllable: its keys, the spelling it was read from, and its Hangul if known."""

    fine: str
    coarse: str
    spelling: str
    hangul: str = ""


# Every spelled syllable, built once: (initial, vowel, final) spelling -> Syllable.
_SYLLABLES: dict[tuple[str, str, str], Syllable] = {
    (i, m, f): Syllable(
        fine_key_of(INITIALS[i], MEDIALS[m], FINALS[f]),
        coarse_from_parts(INITIALS[i], MEDIALS[m], FINALS[f]),
        i + m + f,
    )
    for i in INITIALS
    for m in MEDIALS
    for f in FINALS
}
# Hy for 희 (French spelling, see _NOT_KOREAN): y is a vowel after h only.
_SYLLABLES[("h", "y", "")] = Syllable(
    fine_key_of("H", "i", ""), coarse_from_parts("H", "i", ""), "hy"
)


# The same letters can spell two syllables ("kkan": kk+a+n; "ngan" none), so a
# spelling maps to every syllable it can be.
_BY_SPELLING: Final[dict[str, tuple[Syllable, ...]]] = {}
for _syl in _SYLLABLES.values():
    if _syl not in _BY_SPELLING.get(_syl.spelling, ()):
        _BY_SPELLING[_syl.spelling] = (*_BY_SPELLING.get(_syl.spelling, ()), _syl)
_MAX_SPELLING: Final = max(len(k) for k in _BY_SPELLING)


def _prepare(word: str) -> str:
    word = word.lower().replace("'", "").replace("’", "").replace("ŏ", "o").replace("ŭ", "u")
    word = _SILENT_H.sub("", word)
    return _SILENT_R.sub("", word)


def parse_word(word: str) -> tuple[tuple[Syllable, ...], ...]:
    """Every minimal parse of one Latin word into Korean syllables; () if none.

    Hyphens mark syllable boundaries and are honoured ("Jong-un" has one
    parse, "Jongun" two).
    """
    return _parse_lower(word.lower())


@lru_cache(maxsize=131072)
def _parse_lower(word: str) -> tuple[tuple[Syllable, ...], ...]:
    parts = [p for p in _prepare(word).split("-") if p]
    if not parts:
        return ()
    results: list[tuple[Syllable, ...]] = [()]
    for part in parts:
        if _NOT_KOREAN.search(part):
            return ()
        alternatives = _parse_part(part)
        if not alternatives:
            return ()
        results = [r + alt for r in results for alt in alternatives][:_MAX_PARSES]
    return tuple(results)


@lru_cache(maxsize=65536)
def _parse_part(text: str) -> tuple[tuple[Syllable, ...], ...]:
    n = len(text)
    # best[i]: minimal parses of text[i:], as (syllable count, parses)
    best: list[list[tuple[Syllable, ...]] | None] = [None] * (n + 1)
    best[n] = [()]
    for i in range(n - 1, -1, -1):
        found: list[tuple[Syllable, ...]] = []
        min_len = _MAX_SYLLABLES + 1
        # Every syllable spelled from here, shortest spelling first.
        for end in range(i + 1, min(i + _MAX_SPELLING, n) + 1):
            syls = _BY_SPELLING.get(text[i:end])
            if not syls:
                continue
            rest = best[end]
            if not rest:
                continue
            length = 1 + len(rest[0])
            if length > min_len:
                continue
            for syl in syls:
                if length < min_len:
                    min_len = length
                    found = []
                for r in rest:
                    cand = (syl, *r)
                    if cand not in found:
                        found.append(cand)
        best[i] = found[:_MAX_PARSES] if found else None
    return tuple(best[0] or ())
