"""Hangul syllables: decomposition into jamo, romanization, and matching keys.

A precomposed Hangul syllable is arithmetic: ``0xAC00 + (initial * 21 +
medial) * 28 + final``. From the three jamo indices this module derives

* romanizations in four systems: McCune-Reischauer (MR), the DPRK's own
  1992 system (close to MR, used for names on the UN and US lists), South
  Korea's Revised Romanization (RR, 2000) and common Western spellings
  (Lee, Park, Choi, Jung, Soo, Eun ...);
* a *fine key*: the sound classes that survive every one of those systems
  (aspirated, tense and plain stops fold together because MR apostrophes
  are routinely dropped; the vowels written ``o`` in MR fold together);
* a *coarse key*: the fine key with ``eo/o/u/eu`` and ``yeo/yo/yu`` merged
  (Western spellings write 정 as Jung, 성 as Sung) and the South Korean
  initial-sound law applied (리 = 이, 로 = 노, 렴 = 염), so that North and
  South Korean spellings of one name meet.

The Latin side (parsing "Jong-un" back into syllables) lives in
:mod:`dprkwatch.matching.syllables`; both sides produce the same keys, which
a test checks for all 11,172 syllables.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, NamedTuple

HANGUL_BASE: Final = 0xAC00
HANGUL_LAST: Final = 0xD7A3

MEDIAL_JAMO: Final = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"

# --- sound classes ---------------------------------------------------------
# Initial consonant classes: K T P C(j/ch) S H M N R and "_" (silent ㅇ).
INITIAL_CLASS: Final = (
    "K",
    "K",
    "N",
    "T",
    "T",
    "R",
    "M",
    "P",
    "P",
    "S",
    "S",
    "_",
    "C",
    "C",
    "C",
    "K",
    "T",
    "P",
    "H",
)
# Vowel classes (fine): what a romanization can still tell apart.
MEDIAL_CLASS: Final = (
    "a",
    "e",
    "ya",
    "ye",
    "o",
    "e",
    "yo",
    "ye",
    "o",
    "wa",
    "we",
    "we",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "u",
    "i",
    "i",
)
# Final consonants are pronounced as one of seven sounds.
FINAL_CLASS: Final = (
    "",
    "K",
    "K",
    "K",
    "N",
    "N",
    "N",
    "T",
    "L",
    "K",
    "M",
    "P",
    "L",
    "L",
    "P",
    "L",
    "M",
    "P",
    "P",
    "T",
    "T",
    "NG",
    "T",
    "T",
    "K",
    "T",
    "P",
    "T",
)

# Coarse vowel merges: Western spellings write ㅓ as "u" (Jung, Sung, Chul)
# and ㅕ as "yu" (Hyun, Myung).
COARSE_VOWEL: Final = {"u": "o", "yu": "yo"}
# Vowels before which South Korean usage drops an initial ㄹ/ㄴ (initial-sound law).
_IOTIZED: Final = frozenset({"i", "ya", "ye", "yo", "yu"})

# --- romanization tables ----------------------------------------------------
_MR_INITIAL: Final = (
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "",
    "ch",
    "tch",
    "ch'",
    "k'",
    "t'",
    "p'",
    "h",
)
_DPRK_INITIAL: Final = (
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "kh",
    "th",
    "ph",
    "h",
)
_RR_INITIAL: Final = (
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
_MR_MEDIAL: Final = (
    "a",
    "ae",
    "ya",
    "yae",
    "ŏ",
    "e",
    "yŏ",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wŏ",
    "we",
    "wi",
    "yu",
    "ŭ",
    "ŭi",
    "i",
)
_RR_MEDIAL: Final = (
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
)
_FINAL_ROMAN: Final = (
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "p",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
)

# Western respellings of single vowels (RR spelling -> common alternatives).
_WESTERN_VOWEL: Final[dict[str, tuple[str, ...]]] = {
    "eo": ("u", "o"),
    "yeo": ("yu", "yo", "you"),
    "eu": ("u",),
    "u": ("oo",),
    "yu": ("yoo",),
    "i": ("ee",),
    "ui": ("ee", "i"),
    "oe": ("oi", "we"),
    "ae": ("ai",),
    "wi": ("wee",),
}
_WESTERN_INITIAL: Final[dict[str, tuple[str, ...]]] = {
    "g": ("k",),
    "d": ("t",),
    "b": ("p",),
    "j": ("ch",),
    "s": ("sh",),
}

# Surnames whose usual Western spelling no rule produces: South Korean
# passport spellings, the press's, and older Western habits. Sources: the
# Revised Romanization (2000) tables and its guidance that family names keep
# their customary spellings; the spellings the South Korean passport office
# accepts for family names (Lee, Park, Choi, Jung, Kang, Cho, Yoon, Shin,
# Hwang, Ahn, Oh, Seo/Suh, Noh/Roh, Ryu/Yoo, Lim); McCune-Reischauer (1939)
# and the BGN/PCGN forms for North Korea (Ch'oe, Chŏng, Pak); the US
# intelligence community's Korean name standard, ICS 630-01 Annex W (Yi for
# 이); and everyday variants on lists and in customer files (Choy, Chey,
# Rhie, Yee, Whang, Joe, Rhyu). Unverified: how often each variant occurs.
WESTERN_SURNAMES: Final[dict[str, tuple[str, ...]]] = {
    "이": ("Lee", "Yi", "Rhee", "I", "Rhie", "Yee", "Ri", "Li"),
    "리": ("Ri", "Rhee", "Lee", "Li", "Yi", "I", "Rhie", "Yee"),
    "박": ("Park", "Pak", "Bak"),
    "최": ("Choi", "Choe", "Chwe", "Choy", "Chey"),
    "정": ("Jung", "Chung", "Jeong", "Jong", "Cheong", "Chong"),
    "김": ("Kim", "Gim"),
    "오": ("Oh", "O"),
    "안": ("Ahn", "An"),
    "손": ("Sohn", "Son"),
    "노": ("Noh", "Roh", "No", "Ro"),
    "로": ("Ro", "Roh", "Noh", "No"),
    "고": ("Ko", "Koh", "Go"),
    "서": ("Suh", "Seo", "So"),
    "신": ("Shin", "Sin"),
    "유": ("Yoo", "Yu", "Ryu", "Rhyu"),
    "류": ("Ryu", "Yoo", "Yu", "Rhyu"),
    "우": ("Woo", "U"),
    "주": ("Joo", "Ju", "Chu"),
    "문": ("Moon", "Mun"),
    "허": ("Hur", "Heo", "Ho"),
    "백": ("Paik", "Baek", "Paek"),
    "임": ("Lim", "Im", "Yim", "Rim"),
    "림": ("Rim", "Lim", "Im"),
    "염": ("Yeom", "Yom"),
    "렴": ("Ryom", "Yom"),
    "라": ("Ra", "La"),
    "나": ("Na", "Ra"),
    "량": ("Ryang", "Yang"),
    "양": ("Yang",),
    "전": ("Jeon", "Jun", "Chun", "Chon", "Jon"),
    "조": ("Cho", "Jo", "Joe"),
    "윤": ("Yoon", "Yun"),
    "장": ("Jang", "Chang"),
    "강": ("Kang", "Gang"),
    "황": ("Hwang", "Whang"),
    "구": ("Koo", "Ku"),
}


class Jamo(NamedTuple):
    initial: int
    medial: int
    final: int


def is_hangul_syllable(ch: str) -> bool:
    return HANGUL_BASE <= ord(ch) <= HANGUL_LAST


def decompose(ch: str) -> Jamo:
    """The jamo indices of one precomposed syllable."""
    offset = ord(ch) - HANGUL_BASE
    if not 0 <= offset <= HANGUL_LAST - HANGUL_BASE:
        raise ValueError(f"not a Hangul syllable: {ch!r}")
    return Jamo(offset // (21 * 28), (offset % (21 * 28)) // 28, offset % 28)


def compose(initial: int, medial: int, final: int = 0) -> str:
    return chr(HANGUL_BASE + (initial * 21 + medial) * 28 + final)


def fine_key_of(initial: str, vowel: str, final: str) -> str:
    """Key string: initial class (one capital), vowel class (lower case), final class."""
    return f"{initial}{vowel}{final}"


def coarse_from_parts(initial: str, vowel: str, final: str) -> str:
    """The coarse key of a syllable given its fine classes."""
    v = COARSE_VOWEL.get(vowel, vowel)
    if initial == "R":
        initial = "_" if vowel in _IOTIZED else "N"
    elif initial == "N" and vowel in _IOTIZED:
        initial = "_"
    return f"{initial}{v}{final}"


@lru_cache(maxsize=16384)
def syllable_keys(ch: str) -> tuple[str, str]:
    """(fine key, coarse key) of one Hangul syllable."""
    j = decompose(ch)
    ini, vow, fin = INITIAL_CLASS[j.initial], MEDIAL_CLASS[j.medial], FINAL_CLASS[j.final]
    return fine_key_of(ini, vow, fin), coarse_from_parts(ini, vow, fin)


def _fold_ascii(text: str) -> str:
    return text.replace("ŏ", "o").replace("ŭ", "u").replace("'", "")


def romanize_syllable(ch: str, system: str = "dprk", *, ascii_only: bool = True) -> str:
    """One syllable in a system: ``mr``, ``dprk`` or ``rr`` (lower case, name style).

    Names are romanized syllable by syllable, without the sound changes
    across syllable boundaries that the systems apply to running text: that
    is how both Koreas write personal names in Latin script (Kim Jong Un,
    Ri Su Yong).
    """
    j = decompose(ch)
    if system == "mr":
        ini = _MR_INITIAL[j.initial]
        if ini == "s" and MEDIAL_JAMO[j.medial] in "ㅣㅟ":
            ini = "sh"
        text = ini + _MR_MEDIAL[j.medial] + _FINAL_ROMAN[j.final]
    elif system == "dprk":
        text = _DPRK_INITIAL[j.initial] + _MR_MEDIAL[j.medial] + _FINAL_ROMAN[j.final]
    elif system == "rr":
        text = _RR_INITIAL[j.initial] + _RR_MEDIAL[j.medial] + _FINAL_ROMAN[j.final]
    else:
        raise ValueError(f"unknown romanization system {system!r}")
    return _fold_ascii(text) if ascii_only else text


def western_spellings(ch: str) -> tuple[str, ...]:
    """Common informal spellings of one syllable (Soo, Jung, Eun, Hee ...)."""
    j = decompose(ch)
    ini = _RR_INITIAL[j.initial]
    vow = _RR_MEDIAL[j.medial]
    fin = _FINAL_ROMAN[j.final]
    out: list[str] = []
    for i in (ini, *_WESTERN_INITIAL.get(ini, ())):
        for v in (vow, *_WESTERN_VOWEL.get(vow, ())):
            spelled = i + v + fin
            if spelled not in out:
                out.append(spelled)
    return tuple(out)


def romanizations(ch: str) -> dict[str, tuple[str, ...]]:
    """Every spelling of one syllable by system, ASCII, lower case."""
    return {
        "mr": (romanize_syllable(ch, "mr"),),
        "dprk": (romanize_syllable(ch, "dprk"),),
        "rr": (romanize_syllable(ch, "rr"),),
        "western": western_spellings(ch),
    }


# Readings follow the DPRK system (Ri, Ryu, Rim stay as written); a bare
# "I" for the South Korean spelling of the surname 이 is unreadable, so Yi.
_READING_OVERRIDES: Final = {"이": "Yi"}


def read_name(syllables: str) -> str:
    """A readable DPRK-style rendering of Hangul text, syllable by syllable."""
    parts: list[str] = []
    for ch in syllables:
        if is_hangul_syllable(ch):
            parts.append(_READING_OVERRIDES.get(ch) or romanize_syllable(ch, "dprk").capitalize())
        elif not ch.isspace():
            parts.append(ch)
    return " ".join(parts)


# --- the two-set (dubeolsik) keyboard ----------------------------------------
# The standard Korean keyboard puts each jamo on one Latin key; a compound
# vowel is typed as two keys (ㅘ = ㅗ then ㅏ), a final as a consonant key after
# the vowel. A slip on a key beside the intended one gives another syllable
# (촤 for 최: ㅏ on K beside ㅣ on L).
_KEY_ROWS: Final = ("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ", "ㅁㄴㅇㄹㅎㅗㅓㅏㅣ", "ㅋㅌㅊㅍㅠㅜㅡ")
_INITIAL_JAMO: Final = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_FINAL_JAMO: Final = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ",
               "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")  # fmt: skip
_COMPOUND_VOWEL: Final = {"ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ",
                   "ㅢ": "ㅡㅣ"}  # fmt: skip
_VOWEL_OF_KEYS: Final = {keys: v for v, keys in _COMPOUND_VOWEL.items()}


def _key_neighbours() -> dict[str, str]:
    """Jamo -> the jamo on the keys beside it (same row, and the staggered rows)."""
    pos = {ch: (r, c) for r, row in enumerate(_KEY_ROWS) for c, ch in enumerate(row)}
    near = {(0, 0), (0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)}
    out: dict[str, str] = {}
    for ch, (r, c) in pos.items():
        found = ""
        for other, (r2, c2) in pos.items():
            if other != ch and (r2 - r, c2 - c) in near:
                found += other
        out[ch] = found
    return out


_KEY_NEIGHBOURS: Final = _key_neighbours()


def _vowel_slips(vowel: str) -> set[str]:
    keys = _COMPOUND_VOWEL.get(vowel, vowel)
    out: set[str] = set()
    for i, key in enumerate(keys):
        for other in _KEY_NEIGHBOURS.get(key, ""):
            typed = keys[:i] + other + keys[i + 1 :]
            v = typed if len(typed) == 1 else _VOWEL_OF_KEYS.get(typed)
            if v is not None and v in MEDIAL_JAMO:
                out.add(v)
    return out


@lru_cache(maxsize=4096)
def keyboard_slips(ch: str) -> tuple[str, ...]:
    """The syllables one key beside ``ch`` on the two-set keyboard gives (one jamo,
    or one of the two keys of a compound vowel, struck on a neighbouring key)."""
    j = decompose(ch)
    out: set[str] = set()
    for other in _KEY_NEIGHBOURS.get(_INITIAL_JAMO[j.initial], ""):
        if other in _INITIAL_JAMO:
            out.add(compose(_INITIAL_JAMO.index(other), j.medial, j.final))
    for v in _vowel_slips(MEDIAL_JAMO[j.medial]):
        out.add(compose(j.initial, MEDIAL_JAMO.index(v), j.final))
    final = _FINAL_JAMO[j.final]
    if len(final) == 1:
        for other in _KEY_NEIGHBOURS.get(final, ""):
            if other in _FINAL_JAMO:
                out.add(compose(j.initial, j.medial, _FINAL_JAMO.index(other)))
    out.discard(ch)
    return tuple(sorted(out))
