"""Name analysis: one name string in, the comparable forms of it out.

Both sides of a comparison go through :func:`analyze_name`: every name of
every listed entity once, at index build, and each query name at query
time (cached). A :class:`NameForm` carries everything the feature functions
and the blocking keys need, so nothing is re-derived per comparison:

* ASCII tokens (transliterated, org lexicon applied) and their joined form;
* Korean readings (surname + given syllables) when the name is Korean;
* per-token Korean syllable keys (for company and vessel words such as
  Kwangson/Gwangseon, Chonmasan/Cheonmasan);
* phonetic keys, the consonant skeleton (for Arabic/Hebrew script) and
  acronyms.

Names are analysed in a *group* chosen by schema: ``person``, ``org``,
``vessel`` or ``any`` (LegalEntity and untyped queries).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from functools import lru_cache
from typing import Any, Final

from rigour.text import metaphone

from dprkwatch.lists.names import char_script
from dprkwatch.matching.hangul import is_hangul_syllable, romanize_syllable
from dprkwatch.matching.hanja import has_han, read_hanja
from dprkwatch.matching.korean_names import KoreanName, korean_forms
from dprkwatch.matching.orgs import (
    acronyms,
    country_code,
    jurisdiction,
    legal_form_only,
    normalize_org_tokens,
    segment_hangul_org,
    split_glued_form,
)
from dprkwatch.matching.syllables import Syllable, parse_word
from dprkwatch.matching.text import abjad_ascii, ascii_tokens, skeleton, strip_controls, words

GROUP_OF_SCHEMA: Final = {
    "Person": "person",
    "Organization": "org",
    "Company": "org",
    "PublicBody": "org",
    "LegalEntity": "any",
    "Thing": "any",
    "Vessel": "vessel",
    "Airplane": "vessel",
    "CryptoWallet": "wallet",
}
# Titles that say nothing about identity. Military abbreviations (Col, Gen)
# are left out: "Col" is also a slip for the Korean syllable Chol.
# Offices and forms of address are titles too (President, Präsident,
# Presidente, Senator, Doctor, Herr, Madame).
_HONORIFICS: Final = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "hon", "jr", "sr", "haji", "hajji", "sheikh",
     "shaikh", "mullah", "maulana", "maulvi", "colonel", "general", "major", "captain",
     "president", "presidente", "praesident", "prasident", "prezident", "senator", "doctor",
     "professor", "mister", "madame", "mme", "monsieur", "herr", "frau"}
)  # fmt: skip
# Legal forms on a person's name (a firm named after its owner, or a clerk's
# slip) say nothing about who the person is. Only forms that are no given
# name or syllable anywhere: Co, Sa, Ad or Ao can be.
_PERSON_LEGAL_FORMS: Final = frozenset(
    {"llc", "ltd", "inc", "incorporated", "corp", "corporation", "company", "limited", "gmbh",
     "plc", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "llp", "pte", "pvt", "ltda", "sarl", "srl",
     "bhd", "fze", "fzco", "fzllc"}
)  # fmt: skip
_NOT_OF_A_PERSON: Final = _HONORIFICS | _PERSON_LEGAL_FORMS
# Arabic name particles spelled several ways (bin/ben/ibn "son of", al/el "the").
_PARTICLES: Final = {"ben": "bin", "ibn": "bin", "el": "al"}
_VESSEL_PREFIXES: Final = frozenset(
    {"mv", "mt", "ms", "ss", "m", "v", "t", "fv", "lpg", "lng", "tb"}
)
_MAX_TOKENS: Final = 24


# Never changed once made, but neither frozen nor a dataclass: a frozen
# dataclass sets each of its fourteen fields through object.__setattr__ (4-5
# us a form), and even a plain one's generated __init__ and __hash__ are
# Python functions that compiled code calls through the interpreter (some
# 9,000 instructions a form; a query makes two forms and decodes four listed
# ones, a cold build some 100,000). Written out, the compiled module builds
# and hashes them natively. Equality, hash and repr are a dataclass's (by
# the fields, in order). Forms are shared (one per distinct name, memoised
# per query name): nothing may assign to a field.
_FORM_FIELDS: Final = (
    "text", "script", "tokens", "joined", "korean", "token_keys", "phonetic", "skeleton",
    "abjad", "acronyms", "numbers", "korean_joined", "reading", "jurisdiction",)  # fmt: skip


class NameForm:
    """One comparable form of a name (a name may yield two: pinyin and hanja reading)."""

    __slots__ = _FORM_FIELDS

    text: str
    script: str
    tokens: tuple[str, ...]
    joined: str
    korean: tuple[KoreanName, ...]
    token_keys: tuple[str, ...]
    phonetic: tuple[str, ...]
    skeleton: str
    abjad: bool
    acronyms: frozenset[str]
    numbers: tuple[str, ...]  # all digits of the name, as one string (or empty)
    korean_joined: str
    reading: str | None
    # The country an organisation's name places it in: a bracketed aside or
    # the last words before the legal form (Bowne Global Solutions (Spain),
    # S.L.; Banco Santander Chile S.A.), as a territory code; "" if none.
    jurisdiction: str

    def __init__(
        self,
        text: str,
        script: str,
        tokens: tuple[str, ...],
        joined: str,
        korean: tuple[KoreanName, ...],
        token_keys: tuple[str, ...],
        phonetic: tuple[str, ...],
        skeleton: str,
        abjad: bool,
        acronyms: frozenset[str],
        numbers: tuple[str, ...],
        korean_joined: str,
        reading: str | None = None,
        jurisdiction: str = "",
    ) -> None:
        self.text = text
        self.script = script
        self.tokens = tokens
        self.joined = joined
        self.korean = korean
        self.token_keys = token_keys
        self.phonetic = phonetic
        self.skeleton = skeleton
        self.abjad = abjad
        self.acronyms = acronyms
        self.numbers = numbers
        self.korean_joined = korean_joined
        self.reading = reading
        self.jurisdiction = jurisdiction

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.text, self.script, self.tokens, self.joined, self.korean, self.token_keys,
            self.phonetic, self.skeleton, self.abjad, self.acronyms, self.numbers,
            self.korean_joined, self.reading, self.jurisdiction,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, NameForm)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[type[NameForm], tuple[Any, ...]]:
        return NameForm, self._fields()

    def __repr__(self) -> str:
        values = ", ".join(
            f"{name}={value!r}" for name, value in zip(_FORM_FIELDS, self._fields(), strict=True)
        )
        return f"NameForm({values})"


# -- as plain data (the index cache, the forked analyser) -------------------------

PlainForm = tuple[Any, ...]


def form_to_plain(f: NameForm) -> PlainForm:
    """A form as core Python types only (tuples, strings, a frozenset), for marshal."""
    korean = tuple(
        (
            tuple(tuple(s) for s in k.surname),
            tuple(tuple(s) for s in k.given),
            k.reading,
            k.script,
            k.starts,
        )
        for k in f.korean
    )
    return (
        f.text, f.script, f.tokens, f.joined, korean, f.token_keys, f.phonetic, f.skeleton, f.abjad,
        f.acronyms, f.numbers, f.korean_joined, f.reading, f.jurisdiction,
    )  # fmt: skip


def form_from_plain(
    t: PlainForm, syllables: dict[tuple[str, ...], Syllable] | None = None
) -> NameForm:
    """Back from :func:`form_to_plain`. ``syllables`` shares equal syllables between forms."""
    memo = {} if syllables is None else syllables

    def syl(items: tuple[str, ...]) -> Syllable:
        found = memo.get(items)
        if found is None:
            found = memo[items] = Syllable(*items)
        return found

    korean = tuple(
        KoreanName(tuple(map(syl, k[0])), tuple(map(syl, k[1])), k[2], k[3], k[4]) for k in t[4]
    )
    return NameForm(t[0], t[1], t[2], t[3], korean, *t[5:])


@lru_cache(maxsize=262144)
def _word_ascii(word: str) -> tuple[str, ...]:
    if not word.isascii() and any(is_hangul_syllable(ch) for ch in word):
        text = "".join(
            romanize_syllable(ch, "dprk") if is_hangul_syllable(ch) else ch for ch in word
        )
        return tuple(ascii_tokens(text))
    return tuple(ascii_tokens(word))


# What a name form keeps of one token: the token, its Korean syllable key,
# its phonetic key and its consonant outline (all interned: they recur).
TokenInfo = tuple[str, str, str, str]


@lru_cache(maxsize=262144)
def _token_info(token: str) -> TokenInfo:
    return (
        sys.intern(token),
        "" if token == "korea" else sys.intern(_token_key(token)),
        sys.intern(_phonetic(token)),
        skeleton(token),
    )


@lru_cache(maxsize=262144)
def _token_key(token: str) -> str:
    """The Korean syllable key of one word of two or more syllables, else ''."""
    parses = parse_word(token)
    if not parses or len(parses[0]) < 2:
        return ""
    return "".join(s.coarse for s in parses[0])


@lru_cache(maxsize=262144)
def _phonetic(token: str) -> str:
    if len(token) < 3 or token.isdigit():
        return ""
    return str(metaphone(token))


def analyze_name(text: str, group: str, korean_context: bool = False) -> tuple[NameForm, ...]:
    """All comparable forms of one name in a schema group; () if nothing is left."""
    return _analyze(strip_controls(text), group, korean_context)


_BRACKETS: Final = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*")


# Small on purpose: query names rarely repeat, and a large cache of analysed
# query names would grow the screening process by hundreds of megabytes.
@lru_cache(maxsize=8192)
def _analyze(text: str, group: str, korean_context: bool) -> tuple[NameForm, ...]:
    if not text:
        return ()
    forms: list[NameForm] = []
    # "Korean National Insurance Corporation (KNIC)": the name without the
    # brackets, and for organisations the bracketed acronym as a name too.
    # A one-word aside, "(KKBC)" or "(Chairman)", is set apart; a longer one,
    # "(Spain)" aside, usually says which of several similar entities this is
    # and stays part of the name.
    inner: list[str] = []
    if "(" in text or "[" in text:
        asides = [m.strip() for m in _BRACKETS.findall(text) if m.strip()]
        if asides and all(len(a.split()) == 1 and len(a) <= 8 for a in asides):
            inner = asides
            text = " ".join(_BRACKETS.sub(" ", text).split()) or text
    form = _build(text, group, korean_context, None, inner)
    if form is not None:
        forms.append(form)
    if (
        group in ("org", "vessel")
        and " " in text
        and not text.isascii()
        and any(map(is_hangul_syllable, text))
    ):
        # Spacing inside Hangul company and ship names is the writer's
        # choice (조선남강무역회사, 조선남강 무역회사), and a space can fall
        # inside a word (조선남강무 역회사): the words are found again in
        # the unspaced name.
        joined_form = _build(text.replace(" ", ""), group, korean_context, None)
        if joined_form is not None and (form is None or joined_form.tokens != form.tokens):
            forms.append(joined_form)
    if group != "person":
        for extra in inner:
            # A bracketed country or legal form, "(U.K.)", "(PJSC)", says
            # where or what, not who: as a name of its own it met every other
            # "(U.K.)" or "(PJSC)" company in full.
            if (
                not extra.isdigit()
                and extra.upper() == extra
                and not country_code(extra)
                and not legal_form_only(extra)
            ):
                extra_form = _build(extra, group, korean_context, None)
                if extra_form is not None:
                    forms.append(extra_form)
    if not text.isascii() and has_han(text):
        reading = read_hanja(text)
        if reading:
            hanja_form = _build(reading, group, True, text)
            if hanja_form is not None:
                forms.append(hanja_form)
    return tuple(forms)


def _only(script: str, first: int, end: int) -> re.Pattern[str]:
    """Text of characters of ``first``-``end``, Latin-1 and the general
    punctuation, whose script is ``script`` or none (every letter such text
    holds is of ``script``)."""
    blocks = (*range(0, 0x100), *range(0x2000, 0x2070), *range(first, end))
    chars = {c for c in map(chr, blocks) if char_script(c) in (None, script)}
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]*")


# Nine in ten of a build's non-ASCII names are written in one script of
# these blocks (accented Latin, Cyrillic, Arabic): their script needs no count.
_SINGLE_SCRIPT: Final = (
    ("Latn", _only("Latn", 0x100, 0x250)),
    ("Cyrl", _only("Cyrl", 0x400, 0x530)),
    ("Arab", _only("Arab", 0x600, 0x700)),
)
_HANGUL_SYLLABLE: Final = re.compile("[\uac00-\ud7a3]")


def script_of(text: str) -> str:
    """:func:`dprkwatch.lists.names.detect_script`, counted in C (a third of a
    build's non-ASCII names went through it character by character).

    Shortcuts give the same answer without counting: text whose letters are
    all of one script (see _SINGLE_SCRIPT), and text with a Hangul syllable
    (Hangul wins whatever else is there)."""
    for script, only in _SINGLE_SCRIPT:
        if only.fullmatch(text) is not None:
            return script if any(ch.isalpha() for ch in text) else "Zyyy"
    if _HANGUL_SYLLABLE.search(text) is not None:
        return "Hang"
    counts = Counter(map(char_script, text))
    counts.pop(None, None)
    if not counts:
        return "Zyyy"
    if "Hang" in counts:
        return "Hang"
    # The most frequent script; on a tie the first met, as detect_script.
    return str(max(counts.items(), key=lambda kv: kv[1])[0])


def _build(
    text: str,
    group: str,
    korean_context: bool,
    hanja_source: str | None,
    asides: list[str] | None = None,
) -> NameForm | None:
    script = "Latn" if text.isascii() else script_of(text)
    raw_words = words(text)
    if not raw_words:
        return None
    comma_after: int | None = None
    if "," in text:
        head = text.split(",", 1)[0]
        comma_after = len(words(head)) - 1 if words(head) else None
    raw_tokens: list[str] = []
    org_like = group in ("org", "any")
    for w in raw_words:
        if org_like:
            if not w.isascii():
                segmented = segment_hangul_org(w)
                if segmented is not None:
                    raw_tokens.extend(segmented)
                    continue
            elif (glued := split_glued_form(w)) is not None:
                # SiemensAG: the name and its legal form, as if spaced.
                raw_tokens.extend(t for part in glued for t in _word_ascii(part))
                continue
        raw_tokens.extend(_word_ascii(w))
    raw_tokens = raw_tokens[:_MAX_TOKENS]
    if group == "person":
        tokens = [
            _PARTICLES.get(t, t) for t in raw_tokens if t not in _NOT_OF_A_PERSON
        ] or raw_tokens
    else:
        tokens = list(raw_tokens)
    if group == "vessel":
        tokens = [t for t in tokens if t not in _VESSEL_PREFIXES] or tokens
    org_acronyms: frozenset[str] = frozenset()
    place = ""
    if group in ("org", "any"):
        org_acronyms = frozenset(acronyms([t for t in raw_tokens if t != "<legal>"]))
        tokens = [t for t in normalize_org_tokens(tokens) if t != "<legal>"] or tokens
        place = jurisdiction(asides or [], tokens)
    joined = "".join(tokens)
    digits = "".join(filter(str.isdigit, joined)) if not joined.isalpha() else ""
    numbers = (digits,) if digits else ()
    korean: tuple[KoreanName, ...] = ()
    if group in ("person", "any") and len(raw_words) <= 5:
        person_words = tuple(
            w for w in raw_words if "".join(_word_ascii(w)) not in _NOT_OF_A_PERSON
        )
        korean = korean_forms(person_words, comma_after, korean_context)
    token_tuple: tuple[str, ...] = ()
    token_keys: tuple[str, ...] = ()
    phonetic: tuple[str, ...] = ()
    outlines: tuple[str, ...] = ()
    if tokens:
        token_tuple, token_keys, phonetic, outlines = zip(*map(_token_info, tokens), strict=True)
    korean_joined = ""
    if group in ("vessel", "org", "any") and not numbers:
        korean_joined = _token_key(joined) if len(joined) <= 24 else ""
    abjad = script in ("Arab", "Hebr")
    if abjad:
        outline = "".join(skeleton(a) for w in raw_words if (a := abjad_ascii(w)))
    else:
        outline = "".join(outlines)
    reading = None
    if hanja_source is not None:
        reading = korean[0].reading if korean else text
    elif script == "Hang" and korean:
        reading = korean[0].reading
    return NameForm(
        text=hanja_source or text,
        script="Hani" if hanja_source else script,
        tokens=token_tuple,
        joined=joined,
        korean=korean,
        token_keys=token_keys,
        phonetic=phonetic,
        skeleton=outline,
        abjad=abjad,
        acronyms=org_acronyms,
        numbers=numbers,
        korean_joined=korean_joined,
        reading=reading,
        jurisdiction=place,
    )
