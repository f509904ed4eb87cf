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

KOREA_WORDS = frozenset(
    {"korea", "korean", "koryo", "corea", "coree", "chosun", "choson", "chosen", "joseon",
     "josun", "joson", "dprk", "dprks", "koreya", "koreyskaya", "koreiskaya", "coreenne",
     "coreen", "koreanische", "koreanischen"}
)  # fmt: skip
# Token sequences that name the country as a whole.
KOREA_PHRASES: tuple[tuple[str, ...], ...] = (
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

_PHRASE_STARTS = frozenset(p[0] for p in KOREA_PHRASES)

LEGAL_FORMS = frozenset(
    {"co", "company", "corp", "corporation", "ltd", "limited", "llc", "inc", "incorporated",
     "plc", "gmbh", "sa", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "zao", "oao", "llp", "lp",
     "pte", "pvt", "private", "bhd", "sdn", "srl", "sarl", "ag", "bv", "nv", "ab", "oy", "kg",
     "fze", "fzco", "fzc", "fzllc", "spa", "sas", "kft", "tov", "ao", "pao", "as", "aps",
     "sl", "jv", "kk", "lda", "ltda", "sro", "doo", "dd", "ad", "eood", "ood", "cv", "mbh"}
)  # fmt: skip

# Inflected business words folded to one stem.
STEMS: dict[str, str] = {
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
}  # fmt: skip


def normalize_org_tokens(tokens: list[str]) -> list[str]:
    """Rewrite org-name tokens: Korea phrases -> ``korea``, legal forms -> ``<legal>``."""
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        if tokens[i] not in _PHRASE_STARTS:
            phrases: tuple[tuple[str, ...], ...] = ()
        else:
            phrases = KOREA_PHRASES
        for phrase in phrases:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.append("korea")
                i += len(phrase)
                break
        else:
            tok = tokens[i]
            if tok in KOREA_WORDS:
                out.append("korea")
            elif tok in LEGAL_FORMS:
                out.append("<legal>")
            else:
                out.append(STEMS.get(tok, tok))
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
