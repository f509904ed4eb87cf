"""Find the official list files in a local folder laid out like the project's data folder.

``make run`` uses this so that a machine with the real files beside the
checkout starts with every list (and every older version, for history)
without touching the network.
"""

from __future__ import annotations

from pathlib import Path

# Glob patterns relative to the data folder, one per list family.
# OFAC's XML exports come upper-case from the publisher (CONS_ENHANCED.XML);
# OFSI's retired workbooks are imported for history, marked retired.
PATTERNS: tuple[str, ...] = (
    "ofac/*/sdn.csv",
    "ofac/*/cons_prim.csv",
    "ofac/*/*.[xX][mM][lL]",
    "un/*.xml",
    "un/history/*.xml",
    "eu/*.xml",
    "eu/*.yaml",
    "uk/*.csv",
    "uk/*.xlsx",
    "uk/*.yaml",
)


def local_sources(folder: Path) -> list[Path]:
    """Every list file under ``folder`` that an importer should read, in a stable order."""
    found: list[Path] = []
    for pattern in PATTERNS:
        found.extend(
            sorted(p for p in folder.glob(pattern) if p.is_file() and p.stat().st_size > 0)
        )
    return found
