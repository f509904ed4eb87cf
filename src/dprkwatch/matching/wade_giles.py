"""Chinese names in Wade-Giles, read in Hanyu Pinyin (Mao Tse-tung as Mao Zedong).

Older documents, Taiwanese passports and many Western sources write Chinese
names in Wade-Giles; sanctions lists write them in pinyin. The syllable
correspondences are those of the Library of Congress "Pinyin/Wade-Giles
Conversion Table" (2000) and ISO 7098, written here as rules over the
initial and the final of each syllable:

* initials: ch -> zh (j before i and u-umlaut), ch' -> ch (q), hs -> x,
  k/k' -> g/k, p/p' -> b/p, t/t' -> d/t, ts, tz/ts', tz' -> z/c,
  ss, sz -> s, j -> r;
* finals: ih -> i (chih, shih, jih), u -> i after tz, ss, sz (tzu, szu),
  ieh -> ie, ien -> ian, ung -> ong, iung -> iong, uei -> ui, ueh -> ue,
  erh -> er, o -> e after k, k' and h (ko, ho), o -> uo after the other
  initials but b, p, m, f and w, yu -> you, yen -> yan, yeh -> ye.

The aspiration mark (the apostrophe) is the only thing that tells ch from
ch', p from p', and it is usually lost (Hsi Chin-ping for Hsi Chin-p'ing,
Xi Jinping): a syllable without it is read both ways. A hyphenated given
name becomes one pinyin word (Tse-tung -> Zedong).

Only names that show a mark of Wade-Giles are read: hs, ts, tz, ss or sz
at the start of a syllable, an ih, ieh, ien, uei or erh ending, or an
aspiration mark after a consonant; every word must be a syllable or a
hyphenated run of syllables. Korean names written in the McCune-Reischauer
system share many spellings with Wade-Giles (Chang, Sung, Ho) but rarely
those marks.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import Final

# Wade-Giles initials, longest first; the apostrophe is normalised to "'".
_INITIALS: Final = (
    "ch'", "ts'", "tz'", "ch", "hs", "k'", "p'", "t'", "ts", "tz", "sh", "ss", "sz",
    "j", "f", "h", "k", "l", "m", "n", "p", "s", "t", "w", "y", "",
)  # fmt: skip
# Initial -> its pinyin readings: (before i or u-umlaut, elsewhere).
_ASPIRATED: Final = {"ch'": ("q", "ch"), "ts'": ("c", "c"), "tz'": ("c", "c"), "k'": ("k", "k"),
              "p'": ("p", "p"), "t'": ("t", "t")}  # fmt: skip
_PLAIN: Final = {"ch": ("j", "zh"), "ts": ("z", "z"), "tz": ("z", "z"), "k": ("g", "g"), "p": ("b", "b"),
          "t": ("d", "d"), "hs": ("x", "x"), "ss": ("s", "s"), "sz": ("s", "s"), "j": ("r", "r")}  # fmt: skip
_FINALS: Final = {
    "a": "a", "ai": "ai", "an": "an", "ang": "ang", "ao": "ao", "e": "e", "ei": "ei", "en": "en",
    "eng": "eng", "i": "i", "ia": "ia", "iang": "iang", "iao": "iao", "ieh": "ie", "ien": "ian",
    "ih": "i", "in": "in", "ing": "ing", "iu": "iu", "iung": "iong", "o": "o", "ou": "ou", "u": "u",
    "ua": "ua", "uai": "uai", "uan": "uan", "uang": "uang", "uei": "ui", "ui": "ui", "un": "un",
    "ung": "ong", "uo": "uo", "ueh": "ue", "eh": "e",
}  # fmt: skip
# Syllables of the y- and w- series and those without an initial, whole.
_WHOLE: Final = {
    "ya": "ya", "yai": "yai", "yang": "yang", "yao": "yao", "yeh": "ye", "yen": "yan", "yin": "yin",
    "ying": "ying", "yu": "you", "yung": "yong", "yuan": "yuan", "yueh": "yue", "yun": "yun",
    "wa": "wa", "wai": "wai", "wan": "wan", "wang": "wang", "wei": "wei", "wen": "wen",
    "weng": "weng", "wo": "wo", "wu": "wu", "i": "yi", "erh": "er", "o": "e", "a": "a", "ai": "ai",
    "an": "an", "ang": "ang", "ao": "ao", "en": "en", "ou": "ou",
}  # fmt: skip
_MARK_FINALS: Final = ("ih", "ieh", "ien", "uei", "erh")
_MARK_INITIALS: Final = ("hs", "ts", "tz", "ss", "sz")
_APOSTROPHES: Final = re.compile(r"[’‘ʼʻ`´]")
# At most this many readings of one name (the combinations of lost marks).
MAX_READINGS: Final = 4


def _fold(word: str) -> str:
    text = unicodedata.normalize("NFKD", _APOSTROPHES.sub("'", word.lower()))
    return "".join(ch for ch in text if ch.isascii())


@lru_cache(maxsize=4096)
def syllable_readings(syllable: str) -> tuple[tuple[str, ...], bool] | None:
    """The pinyin readings of one Wade-Giles syllable and whether it bears a
    Wade-Giles mark; None when it is no Wade-Giles syllable."""
    whole = _WHOLE.get(syllable.replace("'", ""))
    if whole is not None and "'" not in syllable:
        return (whole,), syllable == "erh"
    for initial in _INITIALS:
        if not initial or not syllable.startswith(initial):
            continue
        final = syllable[len(initial) :]
        if initial in ("y", "w") or final not in _FINALS:
            continue
        if final == "ih" and initial not in ("ch", "ch'", "sh", "j"):
            continue
        palatal = final.startswith("i")
        if final == "u" and initial in ("tz", "tz'", "ss", "sz"):
            py_final = "i"
        elif final == "o":
            if initial in ("k", "k'", "h"):
                py_final = "e"
            elif initial in ("p", "p'", "m", "f"):
                py_final = "o"
            else:
                py_final = "uo"
        else:
            py_final = _FINALS[final]
        if final == "ih":
            palatal = False
        slot = 0 if palatal else 1
        if initial in _ASPIRATED:
            heads: tuple[str, ...] = (_ASPIRATED[initial][slot],)
        elif initial in _PLAIN:
            plain = _PLAIN[initial][slot]
            # The mark may be lost: read the aspirated initial too.
            aspirated = _ASPIRATED.get(initial + "'")
            heads = (plain,) if aspirated is None else (plain, aspirated[slot])
        else:
            heads = (initial,)
        marked = "'" in syllable or initial in _MARK_INITIALS or final in _MARK_FINALS
        return tuple(dict.fromkeys(h + py_final for h in heads)), marked
    return None


@lru_cache(maxsize=4096)
def pinyin_readings(name: str) -> tuple[str, ...]:
    """Pinyin readings of a name written in Wade-Giles, most likely first; () for
    a name that is not (or shows no mark of it)."""
    words = name.split()
    if not 2 <= len(words) <= 4:
        return ()
    per_word: list[list[str]] = []
    marked = False
    for word in words:
        parts = [p for p in _fold(word).split("-") if p]
        if not parts or not all(p.replace("'", "").isalpha() for p in parts):
            return ()
        options: list[tuple[str, ...]] = []
        for part in parts:
            read = syllable_readings(part)
            if read is None:
                return ()
            options.append(read[0])
            marked = marked or read[1]
        per_word.append(["".join(c) for c in itertools.product(*options)])
    if not marked:
        return ()
    out: list[str] = []
    for combo in itertools.product(*per_word):
        out.append(" ".join(combo))
        if len(out) == MAX_READINGS:
            break
    folded = " ".join(_fold(w).replace("-", "").replace("'", "") for w in words)
    return tuple(r for r in out if r != folded)
