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
    if base == "ofac":
        return bool(_OFAC_DPRK.match(code.strip().upper()))
    if base == "ftm":
        return code.upper().startswith(("DPRK", "PRK", "KP")) or "KOREA" in code.upper()
    return code in DPRK_CODES.get(base, frozenset())


def any_dprk(list_name: str, codes: Iterable[str]) -> bool:
    return any(is_dprk_program(list_name, c) for c in codes)
