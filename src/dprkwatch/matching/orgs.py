"""The organisation-name lexicon: Korea words, legal forms, trading words, acronyms.

North Korean companies appear with the country written six ways (Korea,
Korean, Chosun, Choson, Joseon, DPRK) and with or without "Trading
Corporation", "General", "Co., Ltd.". This module rewrites org-name tokens
so those variants meet:

* every spelling of the country becomes the token ``korea``;
* legal forms (Co, Ltd, Corporation, LLC, JSC ...) become ``<legal>`` and
  are dropped from comparison (they are kept for acronyms);
* common business words are stemmed (banking -> bank, trading -> trade) and
  weighted low by the index because they are frequent, not by a list.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from dprkwatch.matching.hangul import is_hangul_syllable, romanize_syllable
from dprkwatch.matching.text import ascii_tokens

KOREA_WORDS: Final = frozenset(
    {"korea", "korean", "koryo", "corea", "coree", "chosun", "choson", "chosen", "joseon",
     "josun", "joson", "dprk", "dprks", "koreya", "koreyskaya", "koreiskaya", "coreenne",
     "coreen", "koreanische", "koreanischen"}
)  # fmt: skip
# Token sequences that name the country as a whole.
KOREA_PHRASES: Final[tuple[tuple[str, ...], ...]] = (
    ("democratic", "people", "s", "republic", "of", "korea"),
    ("democratic", "peoples", "republic", "of", "korea"),
    ("democratic", "people", "republic", "of", "korea"),
    ("d", "p", "r", "k"),
    ("d", "p", "r", "korea"),
    ("dpr", "korea"),
    ("north", "korea"),
    ("n", "korea"),
    ("korea", "dpr"),
    ("korea", "north"),
    ("chao", "xian"),
)

LEGAL_FORMS: Final = frozenset(
    {"co", "company", "corp", "corporation", "ltd", "limited", "llc", "inc", "incorporated",
     "plc", "gmbh", "sa", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "zao", "oao", "llp", "lp",
     "pte", "pvt", "private", "bhd", "sdn", "srl", "sarl", "ag", "bv", "nv", "ab", "oy", "kg",
     "fze", "fzco", "fzc", "fzllc", "spa", "sas", "kft", "tov", "ao", "pao", "as", "aps",
     "sl", "jv", "kk", "lda", "ltda", "sro", "doo", "dd", "ad", "eood", "ood", "cv", "mbh"}
)  # fmt: skip

# Inflected business words folded to one stem.
STEMS: Final[dict[str, str]] = {
    "banking": "bank", "banks": "bank", "trading": "trade", "trader": "trade",
    "traders": "trade", "trades": "trade", "industrial": "industry", "industries": "industry",
    "shipping": "ship", "ships": "ship", "technologies": "technology", "technological": "technology",
    "tech": "technology", "investments": "investment", "enterprises": "enterprise",
    "services": "service", "holdings": "holding", "intl": "international",
    "int": "international", "imports": "import", "importing": "import", "exports": "export",
    "exporting": "export", "imp": "import", "exp": "export", "mining": "mine", "mines": "mine",
    "minerals": "mineral", "chemicals": "chemical", "machines": "machine", "machinery": "machine",
    "group": "group", "groups": "group", "centre": "center", "shipyard": "shipyard",
    "association": "association", "assn": "association", "bros": "brothers", "dept": "department",
    "external": "foreign", "administrative": "administration", "exhibitions": "exhibition",
    # OFAC's own abbreviations, written out by the other lists (its SHANGHAI
    # DONGFENG SHPG CO LTD is the EU's SHANGHAI DONGFENG SHIPPING CO LTD).
    "shpg": "ship", "trdg": "trade", "mgmt": "management", "mfg": "manufacturing",
}  # fmt: skip


# Legal forms written out in words (and their transliterations).
LEGAL_PHRASES: Final[tuple[tuple[str, ...], ...]] = tuple(
    sorted(
        (
            tuple(p.split())
            for p in (
                "joint stock company", "open joint stock company", "closed joint stock company",
                "public joint stock company", "limited liability company", "limited liability partnership",
                "public limited company", "private limited company", "company limited", "co ltd",
                "gesellschaft mit beschrankter haftung", "societatea cu raspundere limitata",
                "sp z o o", "sp zoo", "spolka z ograniczona odpowiedzialnoscia",
                "obshchestvo s ogranichennoy otvetstvennostyu",
                "obshchestvo s ogranichennoi otvetstvennostiu", "aktsionernoe obshchestvo",
                "aktsionernoye obshchestvo", "otkrytoe aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
                "publichnoe aktsionernoe obshchestvo", "societe anonyme", "societe a responsabilite limitee",
                "sociedad anonima", "sociedad limitada", "s a", "s a r l", "s r l", "l l c", "p l c",
                "g m b h", "joint venture company",
            )
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip


def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases grouped by their first word, each group in the original order
    (so the first phrase that matches is the one the full scan would find)."""
    groups: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0], []).append(phrase)
    return {k: tuple(v) for k, v in groups.items()}


_KOREA_BY_FIRST: Final = _by_first_word(KOREA_PHRASES)
_LEGAL_BY_FIRST: Final = _by_first_word(LEGAL_PHRASES)
LEGAL_WORDS: Final = frozenset(
    {"aktiengesellschaft", "kommanditgesellschaft", "gmbh", "sarl", "spzoo", "tov", "ooo"}
)

# Misspelt legal forms. The forms themselves are those of the ISO 20275
# Entity Legal Forms code list (GLEIF) that the lists use; the misspellings
# are typing slips, so they are found by rule, not listed one by one: a word
# of seven letters or more one slip (OSA distance: a letter dropped, added,
# changed, or two swapped) from a legal-form word with the same first letter
# (Limted, Compnay, Corporaton) and two slips for the German compounds of
# fifteen letters or more (Aktiengeselschaft). One slip only, so
# Cooperation (two from Corporation) stays a word of the name. Slips inside
# legal phrases (JOYNT STOCK COMPANY) are not read: the phrase's Russian
# spellings (OTVETSTVENNOSTYU, -STIU, -STU) then vanish from some names and
# stay in others, and blocking lost listed names written exactly so.
_LONG_LEGAL_WORDS: Final = tuple(w for w in sorted(LEGAL_FORMS | LEGAL_WORDS) if len(w) >= 7)


@lru_cache(maxsize=65536)
def misspelt_legal_word(token: str) -> bool:
    """Whether ``token`` is a slip in a long legal-form word (Aktiengeselschaft, Limted)."""
    n = len(token)
    if n < 6:
        return False
    for word in _LONG_LEGAL_WORDS:
        budget = 2 if len(word) >= 15 else 1
        if (
            word[0] == token[0]
            and abs(len(word) - n) <= budget
            and token != word
            and OSA.distance(token, word, score_cutoff=budget + 1) <= budget
        ):
            return True
    return False


# A legal form glued to a name in camel case (SiemensAG, AcmeGmbH,
# FooBarLLC): lower-case letters, then the form's capitals.
_GLUED_FORM: Final = re.compile(
    r"^(?P<head>[A-Za-z]*[a-z]{2})(?P<form>AG|GmbH|GMBH|LLC|Ltd|LTD|Inc|INC|PLC|Plc|JSC|OOO|SA|SE|"
    r"KG|BV|NV|SARL|SRL|LLP)$"
)


def split_glued_form(word: str) -> tuple[str, str] | None:
    """``("Siemens", "AG")`` for ``SiemensAG``; None for a word without a glued form."""
    m = _GLUED_FORM.match(word) if word.isascii() and len(word) >= 5 else None
    return (m["head"], m["form"]) if m else None


_UNIT_WORDS: Final = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_UNITS: Final = {w: i for i, w in enumerate(_UNIT_WORDS)}
_TEN_WORDS: Final = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TENS = {w: 10 * (i + 2) for i, w in enumerate(_TEN_WORDS)}
_TENS["fourty"] = 40
_ORDINALS: Final = {"first": "1", "second": "2", "third": "3", "1st": "1", "2nd": "2", "3rd": "3"}
_NUMBER_WORDS: Final = frozenset(_TENS) | frozenset(_UNITS) | frozenset(_ORDINALS)


def number_words(tokens: list[str]) -> list[str]:
    """Number words as digits: "forty four" -> "44", "three" -> "3", "second" -> "2"."""
    if _NUMBER_WORDS.isdisjoint(tokens):
        return list(tokens)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in _TENS:
            value = _TENS[tok]
            if i + 1 < len(tokens) and tokens[i + 1] in _UNITS and 0 < _UNITS[tokens[i + 1]] < 10:
                value += _UNITS[tokens[i + 1]]
                i += 1
            out.append(str(value))
        elif tok in _UNITS:
            out.append(str(_UNITS[tok]))
        elif tok in _ORDINALS:
            out.append(_ORDINALS[tok])
        else:
            out.append(tok)
        i += 1
    return out


def collapse_letters(tokens: list[str]) -> list[str]:
    """Runs of single letters are one word: "A.B.C." -> "abc", "G.m.b.H." -> "gmbh"."""
    if tokens and min(map(len, tokens)) > 1:
        return list(tokens)  # no single letters (and no empty tokens)
    out: list[str] = []
    run: list[str] = []
    for tok in [*tokens, ""]:
        if len(tok) == 1 and tok.isalpha():
            run.append(tok)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if tok:
            out.append(tok)
    return out


def normalize_org_tokens(tokens: list[str]) -> list[str]:
    """Rewrite org-name tokens: Korea phrases -> ``korea``, legal forms -> ``<legal>``."""
    tokens = ["korea" if t in KOREA_WORDS else t for t in number_words(collapse_letters(tokens))]
    tokens = _replace_legal_phrases(tokens)
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for phrase in _KOREA_BY_FIRST.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.append("korea")
                i += len(phrase)
                break
        else:
            tok = tokens[i]
            if tok in KOREA_WORDS:
                out.append("korea")
            elif tok in LEGAL_FORMS or tok in LEGAL_WORDS or misspelt_legal_word(tok):
                out.append("<legal>")
            else:
                out.append(STEMS.get(tok, tok))
            i += 1
    return out


def _replace_legal_phrases(tokens: list[str]) -> list[str]:
    """Legal forms written out in words become ``<legal>``."""
    if _LEGAL_BY_FIRST.keys().isdisjoint(tokens):
        return list(tokens)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in _LEGAL_BY_FIRST.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.append("<legal>")
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def acronyms(raw_tokens: list[str]) -> set[str]:
    """Initials of an org name, with and without its legal form ("KKBC", "KKB")."""
    words = [t for t in raw_tokens if t and t not in {"of", "the", "and", "for", "s"}]
    if len(words) < 2:
        return set()
    out = {"".join(w[0] for w in words)}
    core = [w for w in words if w not in LEGAL_FORMS]
    if len(core) >= 2:
        out.add("".join(w[0] for w in core))
    return {a for a in out if len(a) >= 2}


# Common words of North Korean organisation names in Hangul, with the English
# word the lists use for them. Enough to split 조선릉라도무역총회사 into
# korea / rungrado / trade / general / <legal>, so that the proper name in the
# middle is compared on its own.
HANGUL_ORG_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "조선": ("korea",), "무역": ("trade",), "총회사": ("general", "<legal>"), "회사": ("<legal>",),
    "공사": ("<legal>",), "상사": ("trade", "<legal>"), "은행": ("bank",), "해운": ("ship",),
    "련합": ("association",), "연합": ("association",), "대외": ("foreign",), "건설": ("construction",),
    "광업": ("mine",), "개발": ("development",), "기술": ("technology",), "합영": ("joint", "venture"),
    "합작": ("joint", "venture"), "총국": ("general", "bureau"), "위원회": ("commission",),
    "기업소": ("enterprise",), "연구소": ("institute",), "연구원": ("institute",), "대학": ("university",),
    "인민": ("people",), "국가": ("national",), "중앙": ("central",), "보험": ("insurance",),
    "금융": ("finance",), "투자": ("investment",), "그룹": ("group",), "수출입": ("import", "export"),
    "해사": ("maritime",), "해사감독국": ("maritime", "administration", "bureau"),
    "국제": ("international",), "로동당": ("workers", "party"),
    "노동당": ("workers", "party"), "군수": ("munitions",), "공업": ("industry",), "부": ("department",),
    "성": ("ministry",), "군": ("army",), "총": ("general",), "정찰": ("reconnaissance",),
    "원자력": ("atomic", "energy"), "우주": ("aerospace",), "항공": ("air",), "선박": ("ship",),
    "관리국": ("administration",), "공화국": ("republic",),
    "민주주의": ("democratic",), "조선민주주의인민공화국": ("korea",), "전람": ("exhibition",),
    "전람회": ("exhibition",), "감독국": ("administration", "bureau"), "사": ("<legal>",),
}  # fmt: skip
_HANGUL_WORD_MAX: Final = max(len(k) for k in HANGUL_ORG_WORDS)


def segment_hangul_org(word: str) -> list[str] | None:
    """English/romanized tokens of a long Hangul organisation name, or None.

    Greedy longest match of the lexicon; the syllables between known words
    are romanized together as one proper name. Words of fewer than four
    syllables, or with no known word of two syllables or more, are left to
    the ordinary reading (they are more likely personal names).
    """
    if len(word) < 4 or not all(is_hangul_syllable(ch) for ch in word):
        return None
    out: list[str] = []
    buffer = ""
    found_long = False
    i = 0
    while i < len(word):
        for length in range(min(_HANGUL_WORD_MAX, len(word) - i), 0, -1):
            piece = word[i : i + length]
            # One-syllable words (성 ministry, 군 army) only count at the end:
            # inside a name they are usually part of it (대성, 군수).
            if piece in HANGUL_ORG_WORDS and (length >= 2 or i + length == len(word)):
                if buffer:
                    out.append("".join(romanize_syllable(ch, "dprk") for ch in buffer))
                    buffer = ""
                out.extend(HANGUL_ORG_WORDS[piece])
                found_long = found_long or length >= 2
                i += length
                break
        else:
            buffer += word[i]
            i += 1
    if buffer:
        out.append("".join(romanize_syllable(ch, "dprk") for ch in buffer))
    return out if found_long else None


# Countries by their names written as letters only (ascii_tokens joined):
# every current country's short and full name of three words at most, as
# rigour's territory table (MIT) has them (tests/matching/test_orgs.py holds
# the two equal), and the abbreviations and older names companies use.
COUNTRY_WORDS: Final[dict[str, str]] = {
    "afghanistan": "af", "alandislands": "ax", "albania": "al", "algeria": "dz", "andorra": "ad",
    "angola": "ao", "anguilla": "ai", "antiguaandbarbuda": "ag", "argentina": "ar",
    "argentinerepublic": "ar", "armenia": "am", "aruba": "aw", "australia": "au", "austria": "at",
    "azerbaijan": "az", "bahamas": "bs", "bahrain": "bh", "bailiwickofguernsey": "gg",
    "bailiwickofjersey": "je", "bangladesh": "bd", "barbados": "bb", "belarus": "by",
    "belgium": "be", "belize": "bz", "benin": "bj", "bermuda": "bm", "bhutan": "bt",
    "bolivia": "bo", "bosniaandherzegovina": "ba", "botswana": "bw", "brazil": "br",
    "britishvirginislands": "vg", "brunei": "bn", "bruneidarussalam": "bn", "bulgaria": "bg",
    "burkinafaso": "bf", "burundi": "bi", "cambodia": "kh", "cameroon": "cm", "canada": "ca",
    "capeverde": "cv", "caymanislands": "ky", "centralafricanrepublic": "cf", "chad": "td",
    "chile": "cl", "china": "cn", "christmasisland": "cx", "cocoskeelingislands": "cc",
    "colombia": "co", "commonwealthofaustralia": "au", "commonwealthofdominica": "dm",
    "comoros": "km", "congobrazzaville": "cg", "cookislands": "ck", "costarica": "cr",
    "cotedivoire": "ci", "croatia": "hr", "cuba": "cu", "curacao": "cw", "cyprus": "cy",
    "czechia": "cz", "czechrepublic": "cz", "denmark": "dk", "djibouti": "dj", "dominica": "dm",
    "dominicanrepublic": "do", "drcongo": "cd", "ecuador": "ec", "egypt": "eg", "elsalvador": "sv",
    "equatorialguinea": "gq", "eritrea": "er", "estonia": "ee", "eswatini": "sz", "ethiopia": "et",
    "falklandislands": "fk", "falklandislandsmalvinas": "fk", "faroeislands": "fo", "fiji": "fj",
    "finland": "fi", "france": "fr", "frenchrepublic": "fr", "gabon": "ga",
    "gaboneserepublic": "ga", "gambia": "gm", "georgia": "ge", "germany": "de", "ghana": "gh",
    "gibraltar": "gi", "greece": "gr", "greenland": "gl", "grenada": "gd", "guatemala": "gt",
    "guernsey": "gg", "guinea": "gn", "guineabissau": "gw", "guyana": "gy", "haiti": "ht",
    "holysee": "va", "holyseevatican": "va", "honduras": "hn", "hungary": "hu", "iceland": "is",
    "india": "in", "indonesia": "id", "iran": "ir", "iraq": "iq", "ireland": "ie",
    "isleofman": "im", "israel": "il", "italy": "it", "jamaica": "jm", "japan": "jp",
    "jersey": "je", "jordan": "jo", "kazakhstan": "kz", "kenya": "ke", "kingdomofbahrain": "bh",
    "kingdomofbelgium": "be", "kingdomofcambodia": "kh", "kingdomofdenmark": "dk",
    "kingdomofeswatini": "sz", "kingdomofnorway": "no", "kingdomofsweden": "se",
    "kingdomofthailand": "th", "kingdomoftonga": "to", "kiribati": "ki", "kosovo": "xk",
    "kuwait": "kw", "kyrgyzrepublic": "kg", "kyrgyzstan": "kg", "laos": "la", "latvia": "lv",
    "lebanon": "lb", "lesotho": "ls", "liberia": "lr", "libya": "ly", "liechtenstein": "li",
    "lithuania": "lt", "luxembourg": "lu", "madagascar": "mg", "malawi": "mw", "malaysia": "my",
    "maldives": "mv", "mali": "ml", "malta": "mt", "marshallislands": "mh", "mauritania": "mr",
    "mauritius": "mu", "mexico": "mx", "micronesia": "fm", "moldova": "md", "monaco": "mc",
    "mongolia": "mn", "montenegro": "me", "montserrat": "ms", "morocco": "ma", "mozambique": "mz",
    "myanmar": "mm", "myanmarburma": "mm", "namibia": "na", "naoero": "nr", "nepal": "np",
    "netherlands": "nl", "newzealand": "nz", "nicaragua": "ni", "niger": "ne", "nigeria": "ng",
    "niue": "nu", "norfolkisland": "nf", "northkorea": "kp", "northmacedonia": "mk",
    "norway": "no", "oman": "om", "pakistan": "pk", "palau": "pw", "panama": "pa",
    "papuanewguinea": "pg", "paraguay": "py", "peru": "pe", "philippines": "ph", "pitcairn": "pn",
    "pitcairnislands": "pn", "poland": "pl", "portugal": "pt", "portugueserepublic": "pt",
    "principalityofandorra": "ad", "qatar": "qa", "republicofalbania": "al",
    "republicofangola": "ao", "republicofaustria": "at", "republicofazerbaijan": "az",
    "republicofbelarus": "by", "republicofbotswana": "bw", "republicofcameroon": "cm",
    "republicofchad": "td", "republicofchile": "cl", "republicofcolombia": "co",
    "republicofcroatia": "hr", "republicofcuba": "cu", "republicofdjibouti": "dj",
    "republicofecuador": "ec", "republicofestonia": "ee", "republicoffiji": "fj",
    "republicoffinland": "fi", "republicofhaiti": "ht", "republicofindia": "in",
    "republicofindonesia": "id", "republicofiraq": "iq", "republicofireland": "ie",
    "republicofitaly": "it", "republicofkazakhstan": "kz", "republicofkenya": "ke",
    "republicofkorea": "kr", "republicofkosovo": "xk", "republicoflebanon": "lb",
    "republicofmali": "ml", "republicofmalta": "mt", "republicofmoldova": "md",
    "republicofnaoero": "nr", "republicofnicaragua": "ni", "republicofpanama": "pa",
    "republicofparaguay": "py", "republicofperu": "pe", "republicofpoland": "pl",
    "republicofrwanda": "rw", "republicofsenegal": "sn", "republicofserbia": "rs",
    "republicofseychelles": "sc", "republicofsingapore": "sg", "republicofslovenia": "si",
    "republicofsuriname": "sr", "republicoftajikistan": "tj", "republicoftunisia": "tn",
    "republicofturkiye": "tr", "republicofuganda": "ug", "republicofuzbekistan": "uz",
    "republicofvanuatu": "vu", "republicofyemen": "ye", "republicofzambia": "zm",
    "republicofzimbabwe": "zw", "romania": "ro", "russia": "ru", "russianfederation": "ru",
    "rwanda": "rw", "saintlucia": "lc", "samoa": "ws", "sanmarino": "sm", "saudiarabia": "sa",
    "senegal": "sn", "serbia": "rs", "seychelles": "sc", "sierraleone": "sl", "singapore": "sg",
    "sintmaarten": "sx", "slovakia": "sk", "slovakrepublic": "sk", "slovenia": "si",
    "solomonislands": "sb", "somalia": "so", "southafrica": "za", "southkorea": "kr",
    "southsudan": "ss", "spain": "es", "srilanka": "lk", "stateofisrael": "il",
    "stateofqatar": "qa", "sudan": "sd", "sultanateofoman": "om", "suriname": "sr", "sweden": "se",
    "swissconfederation": "ch", "switzerland": "ch", "syria": "sy", "syrianarabrepublic": "sy",
    "taiwan": "tw", "tajikistan": "tj", "tanzania": "tz", "thailand": "th", "timorleste": "tl",
    "togo": "tg", "togoleserepublic": "tg", "tonga": "to", "trinidadandtobago": "tt",
    "tunisia": "tn", "turkiye": "tr", "turkmenistan": "tm", "tuvalu": "tv", "uganda": "ug",
    "ukraine": "ua", "unitedarabemirates": "ae", "unitedkingdom": "gb", "unitedstates": "us",
    "uruguay": "uy", "uzbekistan": "uz", "vanuatu": "vu", "venezuela": "ve", "vietnam": "vn",
    "wallisandfutuna": "wf", "westernsahara": "eh", "yemen": "ye", "zambia": "zm",
    "zimbabwe": "zw",
}  # fmt: skip
COUNTRY_ABBREVIATIONS: Final[dict[str, str]] = {
    "uk": "gb", "greatbritain": "gb", "britain": "gb", "usa": "us", "us": "us", "uae": "ae",
    "hongkong": "hk", "hk": "hk", "macao": "mo", "macau": "mo", "prc": "cn", "turkey": "tr",
    "thenetherlands": "nl", "holland": "nl", "palestine": "ps", "bvi": "vg",
}  # fmt: skip
_COUNTRIES: Final = COUNTRY_WORDS | COUNTRY_ABBREVIATIONS


def country_code(text: str) -> str:
    """The territory code of a country named by ``text`` ("Spain", "U.K."), or ""."""
    return _COUNTRIES.get("".join(ascii_tokens(text)), "")


def legal_form_only(text: str) -> bool:
    """Whether ``text`` is nothing but a legal form ("PJSC", "S.A.", "LLC")."""
    tokens = normalize_org_tokens(ascii_tokens(text))
    return bool(tokens) and all(t == "<legal>" for t in tokens)


def jurisdiction(asides: list[str], tokens: list[str]) -> str:
    """Where an organisation's name places it: the country's words as written
    (letters only: "spain", "uk"), or "".

    A bracketed aside naming a country ("(Spain)", "(U.K.)"), else the last
    one to three words of the name (its legal form already taken off) when
    they name a country and some other word is left ("Banco Santander Chile").
    """
    for aside in asides:
        if country_code(aside):
            return "".join(ascii_tokens(aside))
    for k in (3, 2, 1):
        if len(tokens) > k:
            written = "".join(tokens[-k:])
            if written in _COUNTRIES:
                return written
    return ""


def different_countries(a: str, b: str) -> bool:
    """Whether two jurisdictions (:func:`jurisdiction`) name different countries.

    Not when the words are close enough to be slips of one another (Chile
    for China, Austria for Australia: two slips at most, the first letter
    kept): a name with a typo must not lose its match to this rule.
    """
    if _COUNTRIES.get(a) == _COUNTRIES.get(b):
        return False
    return not (a[0] == b[0] and OSA.distance(a, b, score_cutoff=3) <= 2)
