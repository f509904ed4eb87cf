"""Screenings made on the command line, recorded in the audit log like the service's own.

``dprkwatch screen`` once answered without leaving a trace, so a screening
made at a terminal could not be defended later. Now:

* a single name (:func:`record_one`) becomes a screening record, actor
  ``cli``, with the query, the results, the list versions and the
  algorithm - the same record ``POST /match`` writes, indexed in
  ``screenings`` so a reviewer can refer to it - and it honours reviews the
  way the service does. It is committed before anything is printed;
* a batch file (:func:`record_batch`) becomes one ``screening.batch`` record
  with the SHA-256 of the input and of the output file, the row counts, the
  versions, the algorithm and the threshold: the output file itself is the
  per-row record, and its hash ties it to the log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dprkwatch import durable
from dprkwatch.matching import Query, Screener
from dprkwatch.matching.result import Match
from dprkwatch.service import audit
from dprkwatch.service.audit import AuditEntry, AuditRecord
from dprkwatch.service.index import Loaded
from dprkwatch.service.screening import Candidates, Filters, Screening, save, subject_of
from dprkwatch.service.storage.database import Database

CLI_ACTOR = "cli"
CLI_DATASET = "cli"


def record_one(
    db: Database,
    screener: Screener,
    query: Query,
    matches: Sequence[Match],
    *,
    top: int,
    threshold: float | None,
    scope: Mapping[str, Any],
) -> Screening:
    """Record one command-line screening (reviews applied, as the service applies them)."""
    loaded = Loaded(screener, dict(screener.versions), dict(screener.versions), 0)
    lists = sorted(scope.get("lists") or screener.versions)
    candidates = Candidates(
        query=query,
        subject=subject_of(query),
        dataset=CLI_DATASET,
        lists=lists,
        versions={n: v for n, v in screener.versions.items() if n in lists},
        algorithm=str(screener.algorithm),
        threshold=float(screener.threshold if threshold is None else threshold),
        limit=top,
        filters=Filters(),
        rows=[(m, loaded.entity(m.entity_id), loaded.entity_hash(m.entity_id)) for m in matches],
        actor=CLI_ACTOR,
        caller={"cli": "dprkwatch screen", "scope": dict(scope)},
        echo=query.to_dict(),
    )
    with db.write() as conn:
        (screening,) = save(conn, [candidates])
    return screening


def record_batch(
    db: Database,
    screener: Screener,
    *,
    input_path: Path,
    output_path: Path,
    counts: Mapping[str, int],
    top: int,
    threshold: float | None,
    scope: Mapping[str, Any],
) -> AuditRecord:
    """Record a batch screening by the hashes of its input and output files."""

    def described(path: Path) -> dict[str, Any]:
        digest, size = durable.sha256_file(path)
        return {"name": path.name, "sha256": digest, "bytes": size}

    payload = {
        "input": described(input_path),
        "output": described(output_path),
        **dict(counts),
        "versions": dict(screener.versions),
        "algorithm": str(screener.algorithm),
        "threshold": float(screener.threshold if threshold is None else threshold),
        "limit": top,
        "scope": dict(scope),
    }
    return audit.record(db, AuditEntry("screening.batch", CLI_ACTOR, payload))
