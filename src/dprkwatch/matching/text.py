"""Text clean-up and script-aware tokens for names in any script.

Names arrive in Latin, Hangul, Chinese characters, Cyrillic, Arabic, Greek
and more. Everything is compared in lower-case ASCII tokens: Latin text is
folded (``Chŏng`` -> ``chong``), other alphabets are transliterated with
rigour/ICU (the transliteration FollowTheMoney itself uses), and Hangul is
handled separately by the Korean modules because ICU's Revised Romanization
run-together (``gimjeong-eun``) matches nothing.

Arabic and Hebrew script omit most vowels, so ``محمد`` transliterates to
``mhmd`` and never looks like "Mohamed". For those scripts, and for every
Latin name, :func:`skeleton` gives the consonant outline, which does meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from rigour.text import ascii_text

# Control and invisible format characters a pasted name may carry. ZWNJ and
# ZWJ are kept out of this set: Persian and Indic spellings use them.
_KEEP_FORMAT: Final = {"\u200c", "\u200d"}
_SPACE_LIKE: Final = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_WORD_SPLIT: Final = re.compile(r"[^\w'’-]+")
_ASCII_SPLIT: Final = re.compile(r"[^a-z0-9]+")
_VOWELS: Final = re.compile(r"[aeiouy]+")


def strip_controls(text: str) -> str:
    """Remove control and invisible format characters; whitespace becomes one space."""
    if text.isprintable() and unicodedata.is_normalized("NFC", text):
        return " ".join(text.split())
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cc":
            out.append(" " if ch in "\t\n\r\x0b\x0c" else "")
        elif cat == "Cf" and ch not in _KEEP_FORMAT:
            continue
        else:
            out.append(ch)
    return _SPACE_LIKE.sub(" ", "".join(out)).strip()


def words(text: str) -> list[str]:
    """Words of a name in its own script (hyphens and apostrophes stay inside words)."""
    return [w.strip("-'’") for w in _WORD_SPLIT.split(text) if w.strip("-'’")]


# Latin letters that do not decompose into a base letter and accents.
_LATIN_SPECIAL: Final = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d",
     "Đ": "D", "þ": "th", "Þ": "TH", "ı": "i", "œ": "oe", "Œ": "OE", "ð": "d", "ŋ": "ng",
     "ʼ": "'", "ʻ": "'", "‘": "'"}
)  # fmt: skip
# Russian/Ukrainian/Belarusian Cyrillic, close to the BGN/PCGN spellings that
# sanctions lists use (Shevchenko, Zhukov, Yanukovych).
_CYRILLIC: Final = str.maketrans(
    {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
     "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
     "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
     "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
     "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u"}
)  # fmt: skip


@lru_cache(maxsize=262144)
def to_ascii(word: str) -> str:
    """Lower-case ASCII form of one word in any script.

    Latin with accents and Cyrillic are handled here (fast, and Cyrillic in
    the spellings the lists use); every other script goes through rigour's
    ICU-based transliteration.
    """
    if word.isascii():
        return word.lower()
    low = word.lower()
    if all(ch < "\u0250" or not ch.isalpha() for ch in low):
        folded = unicodedata.normalize("NFKD", low.translate(_LATIN_SPECIAL))
        return folded.encode("ascii", "ignore").decode("ascii")
    if all("\u0400" <= ch <= "\u04ff" or not ch.isalpha() for ch in low):
        out = low.translate(_CYRILLIC)
        if out.isascii():
            return out
    return str(ascii_text(word)).lower()


APOSTROPHES: Final = re.compile(r"['’ʼʻ‘`´]")


def ascii_tokens(word: str) -> list[str]:
    """The ASCII tokens of one word (a transliteration may split it).

    Apostrophes inside a word are dropped, not split on: McCune-Reischauer
    marks aspiration with them (Ch'o'l, So'k), and O'Brien is one name.
    """
    return [t for t in _ASCII_SPLIT.split(to_ascii(APOSTROPHES.sub("", word))) if t]


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """Consonant outline of an ASCII token: vowels dropped, repeats collapsed."""
    # The repeats collapsed as re.sub(r"(.)\1+", r"\1", ...) would, in a loop: a
    # template replacement runs the re module's Python code at each call.
    out: list[str] = []
    previous = ""
    for ch in _VOWELS.sub("", token.replace("kh", "k").replace("ph", "f")):
        if ch != previous or ch == "\n":
            out.append(ch)
        previous = ch
    return "".join(out)


# Arabic letters to Latin consonants (vowel letters alef, waw and ya become
# vowels, so the skeleton drops them as it drops Latin vowels).
_ARABIC: Final[dict[str, str]] = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ئ": "", "ؤ": "", "ب": "b",
    "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "ة": "a", "و": "u", "ي": "i", "ى": "a", "ی": "i", "پ": "p", "چ": "ch", "ژ": "zh",
}  # fmt: skip
_HEBREW: Final[dict[str, str]] = {
    "א": "a", "ב": "v", "ג": "g", "ד": "d", "ה": "h", "ו": "o", "ז": "z", "ח": "kh",
    "ט": "t", "י": "i", "כ": "k", "ך": "k", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n",
    "ס": "s", "ע": "", "פ": "p", "ף": "f", "צ": "ts", "ץ": "ts", "ק": "k", "ר": "r",
    "ש": "sh", "ת": "t",
}  # fmt: skip


def abjad_ascii(word: str) -> str | None:
    """A consonant-faithful ASCII rendering of an Arabic- or Hebrew-script word."""
    table = _ARABIC if any(ch in _ARABIC for ch in word) else _HEBREW
    if not any(ch in table for ch in word):
        return None
    out = "".join(table.get(ch, "") for ch in word)
    out = out.replace("q", "k").replace("dh", "z").replace("th", "s")
    return out or None
