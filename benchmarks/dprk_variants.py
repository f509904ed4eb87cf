"""Evaluation cases generated from the DPRK entries of the lists.

Each case is a query a bank, shipper or exchange might really type, and the
listed entities it should (or, for negatives, must not) find:

``romanization``  South Korean / Western respellings (Ri -> Lee, Chol -> Cheol)
``hyphenation``   given name hyphenated, joined or split (Su-yong, Suyong)
``reordering``    surname last, or "SURNAME, Given"
``typo``          one keyboard slip (substitution, deletion, doubling, swap)
``hangul``        an EU Hangul alias, screened against the OFAC and UN lists
``vessel``        vessel names respaced and recased (CHON MA SAN -> Chonmasan)
``imo``           a vessel's or company's IMO number and nothing else
``company``       Korea/Chosun/Joseon/DPRK swapped, legal form changed
``hard_negative`` a listed Korean name with one given-name syllable or the
                  surname replaced by a clearly different one, checked not
                  to be any listed name
``two_edits``     two keyboard slips in one name: in two words, or both in
                  one word of nine letters or more
``two_words``     one keyboard slip in each of two words
``split_join``    a word split in two, two words joined, a hyphen or space lost
``ocr``           one optical-character-recognition confusion (rn/m, 0/O,
                  1/l/I, 5/S, cl/d, vv/w)
``korean_spelling`` the surname in one of its South Korean, passport or
                  everyday spellings (every spelling of the groups below is
                  used), given syllables respelled by the vowel and consonant
                  habits below

Slips are struck on a QWERTY keyboard and never on the first letter of a
word, as in the original typo category; a slip is a neighbouring key, a
dropped, doubled or inserted neighbouring letter, or two letters swapped.
Words of fewer than four letters are left alone by the slip categories
(a slip in "Ri" or "Il" makes another name, not a misspelt one).

The respelling tables here are written independently of the engine's own
romanization tables, from common usage (South Korean press and passports),
so the engine is not graded against its own assumptions. Everything is
seeded and deterministic.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

CATEGORIES = (
    "romanization", "hyphenation", "reordering", "typo", "hangul", "vessel", "imo", "company",
    "hard_negative", "two_edits", "two_words", "split_join", "ocr", "korean_spelling",
)  # fmt: skip

# Surname spellings by family, as written on South Korean passports, in the
# press and by Western clerks, beside the North Korean forms (the groups of
# issue 11, written out here independently of the engine's tables).
SURNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("choe", "choi", "choy", "chey"),
    ("ri", "rhee", "rhie", "lee", "yi", "yee", "i"),
    ("pak", "park", "bak"),
    ("jong", "chong", "jeong", "chung", "jung"),
    ("hwang", "whang"),
    ("jo", "cho", "joe"),
    ("ryu", "yu", "yoo", "rhyu"),
    ("rim", "im", "lim"),
    ("ro", "no", "noh", "roh"),
    ("o", "oh"),
    ("so", "seo", "suh"),
    ("sin", "shin"),
    ("kang", "gang"),
    ("yun", "yoon"),
)
# Syllable habits of South Korean and everyday spellings: (pattern, replacements).
_VOWEL_HABITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("eo", ("o", "u")), ("o", ("eo", "u")), ("ae", ("ai",)), ("i", ("ee",)), ("u", ("oo",)),
)  # fmt: skip
_ONSET_HABITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("k", ("g",)), ("g", ("k",)), ("ch", ("j",)), ("j", ("ch",)), ("t", ("d",)), ("d", ("t",)),
    ("p", ("b",)), ("b", ("p",)), ("r", ("l", "n", "")), ("l", ("r", "n")), ("n", ("r", "l")),
)  # fmt: skip
# What optical character recognition mistakes for what.
OCR_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("rn", "m"), ("m", "rn"), ("O", "0"), ("o", "0"), ("l", "1"), ("I", "1"), ("I", "l"),
    ("l", "I"), ("S", "5"), ("s", "5"), ("cl", "d"), ("d", "cl"), ("w", "vv"), ("B", "8"),
)  # fmt: skip

# North Korean spelling -> South Korean / Western spellings of the same syllable.
RESPELL: dict[str, tuple[str, ...]] = {
    "ri": ("lee", "yi", "rhee"), "pak": ("park", "bak"), "choe": ("choi",), "jong": ("jeong", "chung", "jung"),
    "jon": ("jeon", "chun"), "ryu": ("yoo", "yu"), "ro": ("roh", "noh"), "ryom": ("yeom",),
    "rim": ("lim", "im"), "ryang": ("yang",), "o": ("oh",), "so": ("seo", "suh"), "sin": ("shin",),
    "an": ("ahn",), "son": ("sohn",), "ko": ("koh", "go"), "ho": ("heo", "hur"), "pae": ("bae",),
    "paek": ("baek", "paik"), "mun": ("moon",), "u": ("woo",), "ju": ("joo",), "ku": ("koo",),
    "chol": ("cheol", "chul"), "song": ("seong", "sung"), "yong": ("young", "yeong"),
    "hyok": ("hyeok", "hyuk"), "myong": ("myeong", "myung"), "un": ("eun",), "su": ("soo",),
    "kwang": ("gwang",), "kyong": ("kyeong", "kyung", "gyeong"), "hui": ("hee",), "pong": ("bong",),
    "pyong": ("byeong", "byung"), "tong": ("dong",), "tae": ("dae",), "kuk": ("guk", "kook"),
    "sok": ("seok", "suk"), "ryong": ("yong", "ryeong"), "ryol": ("yeol", "ryeol"), "kyu": ("gyu",),
    "chin": ("jin",), "kun": ("geun",), "hun": ("hoon",), "hyon": ("hyeon", "hyun"), "yon": ("yeon",),
    "tok": ("deok", "duk"), "sun": ("soon",), "nam": ("nam",), "il": ("il",), "chang": ("chang", "jang"),
    "chun": ("choon", "jun"), "kil": ("gil",), "kang": ("gang",), "kim": ("gim",), "chu": ("joo", "choo"),
    "pom": ("beom", "bum"), "pok": ("bok",), "tu": ("du", "doo"), "to": ("do",), "pyo": ("pyo",),
    "kon": ("geon", "gun"), "kwon": ("gwon",), "yun": ("yoon",), "chae": ("jae",), "ok": ("ok",),
    "sang": ("sang",), "won": ("weon",), "hak": ("hak",), "mu": ("moo",), "ki": ("gi",),
    "ul": ("eul",), "ung": ("eung",), "yop": ("yeop",), "ryon": ("yeon", "ryeon"), "chon": ("cheon", "chun"),
    "kyo": ("gyo",), "pu": ("boo", "bu"), "mi": ("mi",), "hwa": ("hwa",), "chil": ("chil",),
    "tuk": ("deuk",), "suk": ("sook",), "hyang": ("hyang",), "ryo": ("yeo", "ryeo"), "kum": ("geum",),
}  # fmt: skip
SURNAMES = frozenset(
    [
        "kim",
        "ri",
        "pak",
        "choe",
        "jong",
        "kang",
        "cho",
        "yun",
        "jang",
        "rim",
        "han",
        "o",
        "so",
        "sin",
        "kwon",
        "hwang",
        "an",
        "song",
        "ryu",
        "jon",
        "hong",
        "ko",
        "mun",
        "yang",
        "ryang",
        "son",
        "pae",
        "paek",
        "ho",
        "nam",
        "sim",
        "ro",
        "ha",
        "kwak",
        "cha",
        "ju",
        "u",
        "ku",
        "min",
        "jin",
        "ji",
        "om",
        "chae",
        "won",
        "chon",
        "pang",
        "kong",
        "hyon",
        "ham",
        "pyon",
        "ryom",
        "yo",
        "chu",
        "to",
        "sok",
        "sol",
        "ma",
        "kil",
        "yon",
        "wi",
        "pyo",
        "myong",
        "ki",
        "pan",
        "ra",
        "wang",
        "kum",
        "ok",
        "in",
        "che",
        "tak",
        "kuk",
        "ye",
        "kye",
        # South Korean spellings of the surnames above
        "yu",
        "yi",
        "i",
        "lee",
        "im",
        "yom",
        "na",
        "no",
        "yeo",
        "ryo",
    ]
)
# Common North Korean given-name syllables, for the hard negatives.
GIVEN_POOL = (
    "chol", "song", "yong", "hyok", "myong", "il", "nam", "ho", "su", "kwang", "kyong", "hui", "pong",
    "chun", "sik", "min", "hak", "kuk", "sok", "tae", "hun", "jin", "ok", "sun", "man", "gun", "bom",
)  # fmt: skip
_SYLLABLE = re.compile(
    r"(?:kk|tt|pp|ss|ch|jj|th|kh|ph|k|g|n|t|d|r|l|m|p|b|s|j|h)?"
    r"(?:yae|wae|ae|ya|yo|yu|ye|wa|wo|we|wi|oe|ui|eu|eo|a|o|u|i|e)"
    r"(?:ng|k|n|t|l|m|p)?"
)
_ONSET = re.compile(r"^(kk|tt|pp|ss|ch|jj|k|g|n|t|d|r|l|m|p|b|s|j|h)?")
KOREA_WORDS = ("KOREA", "KOREAN", "CHOSUN", "CHOSON", "JOSEON")
KOREA_REPLACEMENTS = ("Chosun", "Choson", "Joseon", "DPRK", "Korean", "Korea")
LEGAL_REPLACEMENTS = {
    "CORPORATION": ("Corp.", "Co., Ltd.", "Company", ""),
    "CORP": ("Corporation", "Co.", ""),
    "COMPANY": ("Co.", "Corporation", "Co., Ltd", ""),
    "CO": ("Company", "Corporation", ""),
    "LTD": ("Limited", ""),
    "LIMITED": ("Ltd", ""),
}


@dataclass
class Case:
    """One evaluation query with the entity ids it must (or must not) find."""

    category: str
    schema: str
    properties: dict[str, list[str]]
    expected: frozenset[str]
    source: str
    lists: tuple[str, ...] | None = None
    note: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits, for comparing names in this module."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def name_key(text: str) -> str:
    return " ".join(sorted(fold(text).split()))


_LEGAL = {
    "co",
    "ltd",
    "corp",
    "corporation",
    "company",
    "limited",
    "llc",
    "inc",
    "jsc",
    "the",
    "of",
}
_KOREA = {"korea", "korean", "chosun", "choson", "joseon", "dprk"}


def entity_key(schema: str, text: str) -> str:
    """A key under which two lists' records of one subject meet.

    Korean personal names keep the given-name order (Il Su is not Su Il);
    company names drop legal forms and unify the country; vessels ignore spacing.
    """
    if schema == "Person":
        kn = split_korean(text)
        if kn is not None:
            return canonical(kn.surname) + "|" + canonical("".join(kn.given))
        return name_key(text)
    if schema == "Vessel":
        return fold(text).replace(" ", "")
    text = re.sub(r"\([^)]*\)", " ", text)
    words = [
        "korea" if w in _KOREA else w
        for w in fold(text).replace("s ", " ").split()
        if w not in _LEGAL
    ]
    return " ".join(sorted(words))


_VOWEL_FOLD = (
    ("yeo", "yo"),
    ("eo", "o"),
    ("eu", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("yu", "yo"),
    ("u", "o"),
)


def canonical(text: str) -> str:
    """Romanization-neutral spelling for near-duplicate checks (Cheol = Chol = Chul)."""
    out = fold(text).replace(" ", "").replace("-", "")
    for a, b in (
        ("tch", "j"),
        ("ch", "j"),
        ("th", "t"),
        ("kh", "k"),
        ("ph", "p"),
        ("k", "g"),
        ("t", "d"),
        ("p", "b"),
    ):
        out = out.replace(a, b)
    for a, b in _VOWEL_FOLD:
        out = out.replace(a, b)
    # South Korean surname spellings, as they come out of the folding above.
    for sk, nk in (
        ("li", "ri"),
        ("yi", "ri"),
        ("i", "ri"),
        ("rhi", "ri"),
        ("barg", "bag"),
        ("joi", "joe"),
    ):
        if out == sk:
            out = nk
    return out


def is_korean_word(word: str) -> bool:
    parts = [p for p in fold(word).replace(" ", "-").split("-") if p]
    return bool(parts) and all(_SYLLABLE.fullmatch(p) or _two_syllables(p) for p in parts)


def _two_syllables(part: str) -> bool:
    return any(
        _SYLLABLE.fullmatch(part[:i]) and _SYLLABLE.fullmatch(part[i:]) for i in range(1, len(part))
    )


@dataclass
class KoreanName:
    surname: str
    given: list[str]


def split_korean(name: str) -> KoreanName | None:
    """Surname and given syllables of a listed Korean name, or None."""
    raw = name.replace("’", "'").replace("'", "")
    if "," in raw:
        head, _, tail = raw.partition(",")
        words = [head.strip(), *tail.split()]
        sur_first = True
    else:
        words = raw.split()
        sur_first = fold(words[0]) in SURNAMES if words else False
    if len(words) < 2 or not all(is_korean_word(w) for w in words):
        return None
    if sur_first:
        surname, rest = words[0], words[1:]
    elif fold(words[-1]) in SURNAMES:
        surname, rest = words[-1], words[:-1]
    else:
        return None
    given: list[str] = []
    for w in rest:
        # Western spellings the syllable pattern below does not know.
        w = re.sub(r"young", "yong", fold(w))
        for part in w.replace(" ", "-").split("-"):
            if _SYLLABLE.fullmatch(part):
                given.append(part)
            else:
                i = next(
                    i
                    for i in range(1, len(part))
                    if _SYLLABLE.fullmatch(part[:i]) and _SYLLABLE.fullmatch(part[i:])
                )
                given.extend([part[:i], part[i:]])
    if fold(surname) not in SURNAMES or not 1 <= len(given) <= 3:
        return None
    return KoreanName(fold(surname), given)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1) if len(word) > 2 else 0
    kind = rng.choice(("sub", "del", "dup", "swap"))
    if kind == "sub":
        neighbours = "qwertyuiopasdfghjklzxcvbnm"
        ch = word[i].lower()
        pos = neighbours.find(ch)
        repl = neighbours[(pos + rng.choice((-1, 1))) % len(neighbours)] if pos >= 0 else "e"
        return word[:i] + (repl.upper() if word[i].isupper() else repl) + word[i + 1 :]
    if kind == "del":
        return word[:i] + word[i + 1 :]
    if kind == "dup":
        return word[: i + 1] + word[i] + word[i + 1 :]
    j = min(i + 1, len(word) - 1)
    chars = list(word)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def _slip_positions(words: list[str]) -> list[tuple[int, int]]:
    """(word, letter) positions a slip may hit: not a first letter, words of four letters or more."""
    return [(w, i) for w, word in enumerate(words) if len(word) >= 4 for i in range(1, len(word))]


def _slip_at(word: str, i: int, rng: random.Random) -> str:
    """One keyboard slip at letter ``i`` (never 0) of ``word``."""
    kind = rng.choice(("sub", "del", "dup", "swap", "ins"))
    ch = word[i]
    if kind == "del":
        return word[:i] + word[i + 1 :]
    if kind == "dup":
        return word[: i + 1] + ch + word[i + 1 :]
    if kind == "swap":
        j = i + 1 if i + 1 < len(word) else i - 1
        if j == 0:
            return word[:i] + word[i + 1 :]
        a, b = sorted((i, j))
        return word[:a] + word[b] + word[a] + word[b + 1 :]
    near = _NEIGHBOURS.get(ch.lower(), "e")
    repl = rng.choice(near)
    repl = repl.upper() if ch.isupper() else repl
    if kind == "ins":
        return word[: i + 1] + repl + word[i + 1 :]
    return word[:i] + repl + word[i + 1 :]


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# Each row sits half a key to the right of the row above it.
_KEY_AT = {ch: (r, c + 0.5 * r) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
_NEIGHBOURS: dict[str, str] = {
    a: "".join(
        b
        for b, (rb, xb) in _KEY_AT.items()
        if b != a and abs(rb - ra) <= 1 and abs(xb - xa) <= (1.0 if rb == ra else 0.5)
    )
    for a, (ra, xa) in _KEY_AT.items()
}


def respell_syllable(syl: str, rng: random.Random) -> str:
    """A given-name syllable with one vowel or onset habit applied (or unchanged)."""
    options: list[str] = []
    for pat, repls in _VOWEL_HABITS:
        at = syl.find(pat)
        if at > 0 or (at == 0 and pat not in ("o", "u", "i")):
            for r in repls:
                options.append(syl[:at] + r + syl[at + len(pat) :])
    for pat, repls in _ONSET_HABITS:
        if syl.startswith(pat) and not (pat in ("k", "t", "p") and syl.startswith(pat + "h")):
            for r in repls:
                rest = syl[len(pat) :]
                if r == "" and not rest.startswith(("i", "y")):
                    continue
                options.append(r + rest)
    return rng.choice(options) if options else syl


class Generator:
    """Builds the cases from entity dicts of the DPRK subset (and all names, for checks)."""

    def __init__(
        self, dprk: dict[str, dict[str, Any]], all_names: Iterable[str], seed: int = 7
    ) -> None:
        self.dprk = dprk
        self.rng = random.Random(seed)
        self.by_imo: dict[str, set[str]] = defaultdict(set)
        self.listed_korean: dict[str, list[str]] = defaultdict(list)
        for value in all_names:
            kn = split_korean(value)
            if kn is not None:
                self.listed_korean[canonical(kn.surname)].append(canonical("".join(kn.given)))
        # Cluster the same person, company or ship across lists (union-find
        # over identical name keys, IMO numbers and document numbers).
        parent: dict[str, str] = {eid: eid for eid in dprk}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        owners: dict[str, str] = {}
        for eid, data in sorted(dprk.items()):
            props = data["properties"]
            keys = {
                f"{data['schema']}:{entity_key(data['schema'], v)}"
                for p in ("name", "alias")
                for v in props.get(p, [])
            }
            for p in ("imoNumber", "passportNumber", "registrationNumber"):
                for v in props.get(p, []):
                    digits = re.sub(r"[^0-9A-Z]", "", v.upper())
                    if len(digits) >= 5:
                        keys.add(f"{p}:{digits}")
                        if p == "imoNumber" and len(digits) == 10 and digits.startswith("IMO"):
                            digits = digits[3:]
                        if p == "imoNumber":
                            self.by_imo[digits[-7:]].add(eid)
            for key in keys:
                if key.endswith(":"):
                    continue
                if key in owners:
                    parent[find(eid)] = find(owners[key])
                else:
                    owners[key] = eid
        groups: dict[str, set[str]] = defaultdict(set)
        for eid in dprk:
            groups[find(eid)].add(eid)
        self.cluster = {eid: frozenset(groups[find(eid)]) for eid in dprk}

    # -- helpers -----------------------------------------------------------

    def same_as(self, eid: str) -> frozenset[str]:
        """The entity and the same person, company or ship on the other lists."""
        return self.cluster[eid]

    def _primary(self, data: dict[str, Any]) -> str | None:
        names = data["properties"].get("name") or []
        return names[0] if names else None

    def _entities(self, schema: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
        wanted = set(schema)
        return sorted((eid, d) for eid, d in self.dprk.items() if d["schema"] in wanted)

    # -- categories -----------------------------------------------------------

    def persons(self) -> list[Case]:
        cases: list[Case] = []
        for eid, data in self._entities(["Person"]):
            name = self._primary(data)
            if not name:
                continue
            expected = self.same_as(eid)
            kn = split_korean(name)
            if kn is not None:
                cases.extend(self._korean_person(eid, name, kn, expected))
            words = name.replace(",", " ").split()
            long_words = [i for i, w in enumerate(words) if len(w) >= 4]
            if long_words:
                i = self.rng.choice(long_words)
                words[i] = _typo(words[i], self.rng)
                cases.append(Case("typo", "Person", {"name": [" ".join(words)]}, expected, eid))
            if kn is None and len(words) >= 2:
                words = name.replace(",", " ").split()
                cases.append(
                    Case(
                        "reordering",
                        "Person",
                        {"name": [" ".join(words[1:] + words[:1])]},
                        expected,
                        eid,
                    )
                )
        return cases

    def _korean_person(
        self, eid: str, name: str, kn: KoreanName, expected: frozenset[str]
    ) -> list[Case]:
        rng = self.rng
        out: list[Case] = []
        sur = kn.surname
        given = kn.given
        # romanization
        new_sur = rng.choice(RESPELL.get(sur, (sur,)))
        new_given = [rng.choice(RESPELL.get(g, (g,))) for g in given]
        if (new_sur, new_given) != (sur, given):
            joiner = rng.choice((" ", "-"))
            text = (
                f"{_cap(new_sur)} {_cap(joiner.join(new_given))}"
                if joiner == "-"
                else " ".join(_cap(x) for x in [new_sur, *new_given])
            )
            out.append(Case("romanization", "Person", {"name": [text]}, expected, eid))
        # hyphenation
        if len(given) >= 2:
            style = rng.choice(("hyphen", "joined", "spaced-upper"))
            if style == "hyphen":
                text = f"{_cap(sur)} {_cap(given[0])}-{'-'.join(given[1:])}"
            elif style == "joined":
                text = f"{_cap(sur)} {_cap(''.join(given))}"
            else:
                text = " ".join(x.upper() for x in [sur, *given])
            out.append(Case("hyphenation", "Person", {"name": [text]}, expected, eid))
        # reordering
        if rng.random() < 0.5:
            text = " ".join(_cap(g) for g in given) + " " + sur.upper()
        else:
            text = f"{sur.upper()}, {' '.join(_cap(g) for g in given)}"
        out.append(Case("reordering", "Person", {"name": [text]}, expected, eid))
        # hard negatives: one given syllable, or the surname, replaced
        for _attempt in range(6):
            new = list(given)
            new_surname = sur
            if rng.random() < 0.75:
                k = rng.randrange(len(given))
                new[k] = rng.choice([g for g in GIVEN_POOL if _clearly_different(g, given[k])])
            else:
                new_surname = rng.choice(
                    [
                        s
                        for s in (
                            "kim",
                            "pak",
                            "ri",
                            "choe",
                            "jong",
                            "kang",
                            "han",
                            "ryu",
                            "o",
                            "hwang",
                        )
                        if s != sur and not _same_surname(s, sur)
                    ]
                )
            text = " ".join(_cap(x) for x in [new_surname, *new])
            if self._unlisted(new_surname, new):
                out.append(
                    Case("hard_negative", "Person", {"name": [text]}, frozenset(), eid, note=name)
                )
                break
        return out

    def _unlisted(self, surname: str, given: list[str]) -> bool:
        """Not a listed name, nor within one edit of one (that would be a typo positive)."""
        full = canonical(surname) + canonical("".join(given))
        for sur, givens in self.listed_korean.items():
            for other in givens:
                if Levenshtein.distance(full, sur + other) <= 1:
                    return False
        return True

    def hangul(self) -> list[Case]:
        cases: list[Case] = []
        for eid, data in self._entities(["Person", "Organization", "Company", "LegalEntity"]):
            if not eid.startswith("eu-"):
                continue
            hangul = [
                a
                for a in data["properties"].get("alias", [])
                if any("\uac00" <= ch <= "\ud7a3" for ch in a)
            ]
            if not hangul:
                continue
            linked = frozenset(x for x in self.same_as(eid) if not x.startswith("eu-"))
            if not linked:
                continue
            cases.append(
                Case(
                    "hangul",
                    data["schema"],
                    {"name": [hangul[0]]},
                    linked,
                    eid,
                    lists=("ofac", "un", "uk"),
                )
            )
        return cases

    def vessels(self) -> list[Case]:
        cases: list[Case] = []
        for eid, data in self._entities(["Vessel"]):
            name = self._primary(data)
            if not name:
                continue
            expected = self.same_as(eid)
            words = name.split()
            if len(words) >= 2:
                style = self.rng.choice(("joined", "title-joined", "resplit"))
                if style == "joined":
                    text = "".join(words)
                elif style == "title-joined":
                    text = _cap("".join(words).lower())
                else:
                    joined = "".join(words)
                    cut = self.rng.randrange(1, len(joined))
                    text = (joined[:cut] + " " + joined[cut:]).title()
            else:
                word = words[0]
                if len(word) < 5:
                    continue
                cut = self.rng.randrange(2, len(word) - 1)
                text = (word[:cut] + " " + word[cut:]).lower()
            cases.append(Case("vessel", "Vessel", {"name": [text]}, expected, eid))
        return cases

    def imo(self) -> list[Case]:
        cases: list[Case] = []
        for digits, ids in sorted(self.by_imo.items()):
            schemas = {self.dprk[i]["schema"] for i in ids}
            schema = "Vessel" if "Vessel" in schemas else sorted(schemas)[0]
            cases.append(
                Case("imo", schema, {"imoNumber": [digits]}, frozenset(ids), sorted(ids)[0])
            )
        return cases

    def companies(self) -> list[Case]:
        cases: list[Case] = []
        for eid, data in self._entities(["Organization", "Company"]):
            name = self._primary(data)
            if not name:
                continue
            words = re.sub(r"[.,]", " ", name).split()
            upper = [w.upper() for w in words]
            if not any(w in KOREA_WORDS for w in upper):
                continue
            out: list[str] = []
            for w in upper:
                if w in KOREA_WORDS:
                    out.append(self.rng.choice([r for r in KOREA_REPLACEMENTS if r.upper() != w]))
                elif w in LEGAL_REPLACEMENTS:
                    repl = self.rng.choice(LEGAL_REPLACEMENTS[w])
                    if repl:
                        out.append(repl)
                else:
                    out.append(w.title())
            text = " ".join(out)
            if fold(text) == fold(name):
                continue
            cases.append(Case("company", data["schema"], {"name": [text]}, self.same_as(eid), eid))
        return cases

    def named(self) -> list[tuple[str, dict[str, Any], str]]:
        """(entity id, entity, primary name) of every person, company and vessel."""
        out = []
        for eid, data in self._entities(
            ["Person", "Organization", "Company", "LegalEntity", "Vessel"]
        ):
            name = self._primary(data)
            if name:
                out.append((eid, data, name))
        return out

    def slips(self) -> list[Case]:
        """Two slips per name, and one slip in each of two words."""
        cases: list[Case] = []
        for eid, data, name in self.named():
            words = name.replace(",", " ").split()
            positions = _slip_positions(words)
            by_word = sorted({w for w, _ in positions})
            if len(by_word) >= 2:
                a, b = self.rng.sample(by_word, 2)
                new = list(words)
                for w in (a, b):
                    new[w] = _slip_at(new[w], self.rng.randrange(1, len(new[w])), self.rng)
                cases.append(
                    Case(
                        "two_words",
                        data["schema"],
                        {"name": [" ".join(new)]},
                        self.same_as(eid),
                        eid,
                        note=name,
                    )
                )
            # Two slips in one name: in two words, or both in one long word.
            long_words = [w for w in by_word if len(words[w]) >= 9]
            choices = [("two", None)] if len(by_word) >= 2 else []
            choices += [("one", w) for w in long_words]
            if not choices:
                continue
            how, where = self.rng.choice(choices)
            new = list(words)
            if how == "two":
                for w in self.rng.sample(by_word, 2):
                    new[w] = _slip_at(new[w], self.rng.randrange(1, len(new[w])), self.rng)
            else:
                assert where is not None
                first, second = sorted(
                    self.rng.sample(range(1, len(new[where]) - 1), 2), reverse=True
                )
                new[where] = _slip_at(_slip_at(new[where], first, self.rng), second, self.rng)
            cases.append(
                Case(
                    "two_edits",
                    data["schema"],
                    {"name": [" ".join(new)]},
                    self.same_as(eid),
                    eid,
                    note=name,
                )
            )
        return cases

    def split_join(self) -> list[Case]:
        """A word split in two, two words joined, or a hyphen or space lost."""
        cases: list[Case] = []
        for eid, data, name in self.named():
            words = name.replace(",", " ").split()
            options = []
            if any(len(w) >= 6 for w in words):
                options.append("split")
            if len(words) >= 2:
                options.append("join")
            if "-" in name:
                options.append("hyphen")
            if not options:
                continue
            how = self.rng.choice(options)
            if how == "split":
                w = self.rng.choice([i for i, x in enumerate(words) if len(x) >= 6])
                cut = self.rng.randrange(3, len(words[w]) - 2)
                words[w] = words[w][:cut] + " " + words[w][cut:]
                text = " ".join(words)
            elif how == "join":
                i = self.rng.randrange(len(words) - 1)
                words[i : i + 2] = [words[i] + words[i + 1]]
                text = " ".join(words)
            else:
                text = name.replace("-", self.rng.choice(("", " ")), 1)
            if fold(text) == fold(name):
                continue
            cases.append(
                Case(
                    "split_join",
                    data["schema"],
                    {"name": [text]},
                    self.same_as(eid),
                    eid,
                    note=name,
                )
            )
        return cases

    def ocr(self) -> list[Case]:
        """One confusion of optical character recognition."""
        cases: list[Case] = []
        for eid, data, name in self.named():
            options = [(a, b, i) for a, b in OCR_CONFUSIONS for i in _find_all(name, a)]
            # Not the first letter of a word: that is a different mistake.
            options = [(a, b, i) for a, b, i in options if i > 0 and name[i - 1].isalnum()]
            if not options:
                continue
            a, b, i = self.rng.choice(options)
            text = name[:i] + b + name[i + len(a) :]
            cases.append(
                Case("ocr", data["schema"], {"name": [text]}, self.same_as(eid), eid, note=name)
            )
        return cases

    def korean_spelling(self) -> list[Case]:
        """Korean persons with their surname in each spelling of its family, in turn."""
        cases: list[Case] = []
        turn: dict[tuple[str, ...], int] = defaultdict(int)
        for eid, data in self._entities(["Person"]):
            name = self._primary(data)
            kn = split_korean(name) if name else None
            if kn is None:
                continue
            group = next((g for g in SURNAME_GROUPS if kn.surname in g), None)
            if group is None:
                continue
            spellings = [s for s in group if s != kn.surname]
            surname = spellings[turn[group] % len(spellings)]
            turn[group] += 1
            given = [
                respell_syllable(g, self.rng) if self.rng.random() < 0.7 else g for g in kn.given
            ]
            style = self.rng.choice(("spaced", "hyphen", "surname-last"))
            if style == "spaced":
                text = " ".join(_cap(x) for x in [surname, *given])
            elif style == "hyphen":
                text = f"{_cap(surname)} {_cap('-'.join(given))}"
            else:
                text = " ".join(_cap(g) for g in given) + " " + _cap(surname)
            cases.append(
                Case(
                    "korean_spelling", "Person", {"name": [text]}, self.same_as(eid), eid, note=name
                )
            )
        return cases

    def all(self) -> list[Case]:
        return (
            self.persons() + self.hangul() + self.vessels() + self.imo() + self.companies()
            + self.slips() + self.split_join() + self.ocr() + self.korean_spelling()
        )  # fmt: skip


def _find_all(text: str, part: str) -> list[int]:
    out = []
    at = text.find(part)
    while at >= 0:
        out.append(at)
        at = text.find(part, at + 1)
    return out


def _onset(syl: str) -> str:
    m = _ONSET.match(syl)
    return m.group(1) or "" if m else ""


_ONSET_CLASS = {"k": "k", "g": "k", "kk": "k", "t": "t", "d": "t", "tt": "t", "p": "p", "b": "p", "pp": "p",
                "j": "c", "ch": "c", "jj": "c", "s": "s", "ss": "s", "r": "r", "l": "r", "n": "n"}  # fmt: skip


def _clearly_different(a: str, b: str) -> bool:
    """Different onset class and different vowel letters: not a typo or respelling of each other."""
    if a == b:
        return False
    oa, ob = _onset(a), _onset(b)
    if _ONSET_CLASS.get(oa, oa) == _ONSET_CLASS.get(ob, ob):
        return False
    va = re.sub(r"[^aeiouwy]", "", a[len(oa) :])
    vb = re.sub(r"[^aeiouwy]", "", b[len(ob) :])
    return va != vb


def _same_surname(a: str, b: str) -> bool:
    groups = ({"ri", "i", "yi", "lee", "rhee"}, {"ryu", "yu"}, {"ro", "no"}, {"rim", "im"}, {"ryang", "yang"},
              {"ryom", "yom"}, {"ra", "na"})  # fmt: skip
    return any(a in g and b in g for g in groups)
