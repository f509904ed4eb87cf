"""Script detection and the name details kept beside each entity.

FollowTheMoney stores names as plain strings. A screener also needs to know
which script and language a name is in (a Hangul alias, a Cyrillic one) and
whether the publisher flagged it as weak. Those details travel in a small
sidecar (:class:`NameDetail`) next to the FtM entities in every snapshot.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Script names follow ISO 15924 where one exists.
_SCRIPT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("HANGUL", "Hang"),
    ("CJK", "Hani"),
    ("HIRAGANA", "Jpan"),
    ("KATAKANA", "Jpan"),
    ("CYRILLIC", "Cyrl"),
    ("ARABIC", "Arab"),
    ("HEBREW", "Hebr"),
    ("GREEK", "Grek"),
    ("THAI", "Thai"),
    ("DEVANAGARI", "Deva"),
    ("GEORGIAN", "Geor"),
    ("ARMENIAN", "Armn"),
    ("LATIN", "Latn"),
)


@lru_cache(maxsize=4096)
def char_script(ch: str) -> str | None:
    """The ISO 15924 code of one character's script, or None for digits/punctuation."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for prefix, code in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return code
    return "Zyyy"


def detect_script(text: str) -> str:
    """The dominant script of ``text``: 'Latn', 'Hang', 'Hani', 'Cyrl', ..., or 'Zyyy'.

    Mixed Hangul and Han text (common in Korean names written with hanja)
    counts as Hangul when any Hangul is present.
    """
    counts: dict[str, int] = {}
    for ch in text:
        code = char_script(ch)
        if code is not None:
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return "Zyyy"
    if "Hang" in counts:
        return "Hang"
    return max(counts.items(), key=lambda kv: kv[1])[0]


# Kinds of name, mapped to the FtM property each is stored under.
NAME_KINDS: dict[str, str] = {
    "primary": "name",
    "alias": "alias",
    "weak": "weakAlias",
    "former": "previousName",
}


@dataclass(frozen=True, slots=True)
class NameDetail:
    """One name of one entity as the source gave it.

    ``kind`` is primary/alias/weak/former; ``quality`` is the publisher's own
    flag where it has one ("good", "low"); ``lang`` is an ISO 639 code where
    the source states one.
    """

    entity_id: str
    value: str
    kind: str = "primary"
    lang: str | None = None
    quality: str | None = None

    @property
    def script(self) -> str:
        return detect_script(self.value)

    @property
    def prop(self) -> str:
        return NAME_KINDS[self.kind]

    def to_row(self) -> list[str | None]:
        return [self.entity_id, self.value, self.kind, self.lang, self.quality]

    @classmethod
    def from_row(cls, row: list[str | None]) -> NameDetail:
        entity_id, value, kind, lang, quality = row
        return cls(str(entity_id), str(value), str(kind), lang, quality)
