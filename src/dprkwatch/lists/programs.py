"""Sanctions programmes: which ones are about North Korea, and their readable names.

Each publisher names its North Korea regime differently. Importers store the
publisher's own code in the FtM ``programId`` property; this module says which
of those codes belong to the DPRK family, so every layer above agrees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# OFAC tags: DPRK, DPRK2, DPRK3, DPRK4, DPRK-NKSPEA (and future DPRKn).
_OFAC_DPRK = re.compile(r"^DPRK[0-9A-Z-]*$")
# Regime and programme names of the other MSMT states' lists, as each publisher
# writes them: DFAT "1718 (DPRK)" / "Autonomous (DPRK)", SEMA "North Korea / Corée
# du Nord", SECO "North Korea" / "Democratic People's Republic of Korea".
_NAMED_DPRK = re.compile(
    r"\bDPRK\b|north korea|democratic people'?s republic of korea|cor[ée]e du nord|\b1718\b",
    re.IGNORECASE,
)
# Lists whose records may carry no programme at all (the US Consolidated
# Screening List merges export-control lists that have none): a North Korean
# address, nationality or citizenship makes a record DPRK-relevant there.
_BY_COUNTRY = frozenset({"csl"})

DPRK_CODES: dict[str, frozenset[str]] = {
    # UN consolidated list: UN_LIST_TYPE of the 1718 Committee list.
    "un": frozenset({"DPRK"}),
    # EU FSF programme code.
    "eu": frozenset({"PRK"}),
    # UK OFSI regime name.
    "uk": frozenset(
        {
            "Democratic People's Republic of Korea",
            "DPRK",
            # Regime name as the UK Sanctions List (and the YAML copy of it) writes it.
            "The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019",
        }
    ),
}

PROGRAM_LABELS: dict[str, str] = {
    "DPRK": "North Korea Sanctions (EO 13466/13551/13570 and related)",
    "DPRK2": "North Korea Sanctions (EO 13687)",
    "DPRK3": "North Korea Sanctions (EO 13722)",
    "DPRK4": "North Korea Sanctions (EO 13810)",
    "DPRK-NKSPEA": "North Korea Sanctions and Policy Enhancement Act",
    "PRK": "EU restrictive measures against the DPRK",
}


def is_dprk_program(list_name: str, code: str) -> bool:
    """Whether ``code`` (a programId as stored by the importer) is a DPRK regime."""
    base = list_name.split("_", 1)[0]
    if base in ("ofac", "csl"):
        return bool(_OFAC_DPRK.match(code.strip().upper()))
    if base in ("au", "ca", "ch"):
        return bool(_NAMED_DPRK.search(code))
    if base == "ftm":
        return code.upper().startswith(("DPRK", "PRK", "KP")) or "KOREA" in code.upper()
    return code in DPRK_CODES.get(base, frozenset())


def any_dprk(list_name: str, codes: Iterable[str], countries: Iterable[str] = ()) -> bool:
    """Whether a record is DPRK-relevant: a DPRK programme, or, on lists that carry
    no programme for many records (see ``_BY_COUNTRY``), a North Korean country."""
    if any(is_dprk_program(list_name, c) for c in codes):
        return True
    return list_name.split("_", 1)[0] in _BY_COUNTRY and "kp" in countries
