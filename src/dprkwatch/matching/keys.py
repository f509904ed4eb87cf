"""The blocking keys of a name form, and the words it lists, compiled with mypyc.

Called once for each of the ~63,000 names of a cold index build and for
every form of every query, so they live apart from :mod:`index` (whose
build and cache code gains nothing from compiling) in a module that
``scripts/build_native.py`` compiles with the rest of the hot path.

``t:`` word       ``m:`` metaphone of a word      ``j:`` all letters joined
``s:`` consonant skeleton (Arabic/Hebrew script)   ``a:`` acronym
``k:`` Korean given name (syllable keys)    ``ks:`` Korean surname + first syllable
``kt:`` Korean syllables of one company/vessel word    ``kj:`` of the whole name
"""

from __future__ import annotations

import re
from typing import Final

from dprkwatch.matching.analysis import NameForm
from dprkwatch.matching.text import APOSTROPHES


def _name_keys(form: NameForm) -> set[str]:
    keys: set[str] = set()
    for tok, ph, tk in zip(form.tokens, form.phonetic, form.token_keys, strict=True):
        if len(tok) >= 2 or tok.isdigit():
            keys.add("t:" + tok)
        if ph:
            keys.add("m:" + ph)
        if tk:
            keys.add("kt:" + tk)
    if len(form.joined) >= 4:
        keys.add("j:" + form.joined)
    if form.korean_joined:
        keys.add("kj:" + form.korean_joined)
    for kn in form.korean:
        keys.add("k:" + kn.given_coarse)
        if kn.surname:
            keys.add("ks:" + kn.surname_coarse + "|" + kn.given[0].coarse)
    return keys


def blocking_keys(form: NameForm) -> set[str]:
    """Every key under which a listed name is filed."""
    keys = _name_keys(form)
    for acr in form.acronyms:
        keys.add("a:" + acr)
    if len(form.skeleton) >= 5:
        # Arabic/Hebrew-script names file their outline for Latin queries and vice versa.
        keys.add(("s:" if form.abjad else "sl:") + form.skeleton)
    return keys


def query_keys(form: NameForm) -> set[str]:
    """Lookup keys for a query name.

    A one-word query may be the acronym of a listed name; a query's
    consonant outline looks for listed names in the other kind of script.
    """
    keys = _name_keys(form)
    if len(form.tokens) == 1 and 2 <= len(form.tokens[0]) <= 8:
        keys.add("a:" + form.tokens[0])
    for acr in form.acronyms:
        keys.add("t:" + acr)
    if len(form.skeleton) >= 5:
        keys.add(("sl:" if form.abjad else "s:") + form.skeleton)
    return keys


_ASCII_WORDS: Final = re.compile(r"[^a-z0-9]+")


def listed_words(form: NameForm) -> set[str]:
    """The words of a listed name for the typo vocabulary: as analysed and, for
    ASCII text, as written (KORYO as well as its token ``korea``)."""
    words = set(form.tokens)
    text = form.text
    if text.isascii():
        words.update(_ASCII_WORDS.split(APOSTROPHES.sub("", text).lower()))
    return words
