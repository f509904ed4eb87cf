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
  per-row record, and its hash ties it to the log. A batch screened on Spark
  (:func:`record_spark_batch`) is the same record with ``engine: spark``;
  its output is a folder, hashed file by file into one digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dprkwatch import durable
from dprkwatch.matching import Query, Screener
from dprkwatch.matching.provenance import software
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
    payload = {
        "input": described(input_path),
        "output": described(output_path),
        **dict(counts),
        "versions": dict(screener.versions),
        "algorithm": str(screener.algorithm),
        "software": software(str(screener.algorithm)),
        "threshold": float(screener.threshold if threshold is None else threshold),
        "limit": top,
        "scope": dict(scope),
    }
    return audit.record(db, AuditEntry("screening.batch", CLI_ACTOR, payload))


def record_spark_batch(
    db: Database,
    *,
    input_path: str,
    output_path: str,
    counts: Mapping[str, int],
    versions: Mapping[str, str],
    algorithm: str,
    threshold: float,
    top: int,
    scope: Mapping[str, Any],
    master: str,
) -> AuditRecord:
    """Record a batch screened on Spark: the local batch's record, with the engine named."""
    payload = {
        "input": _where(input_path),
        "output": _where(output_path),
        **dict(counts),
        "versions": dict(versions),
        "algorithm": algorithm,
        "software": software(algorithm),
        "threshold": float(threshold),
        "limit": top,
        "scope": dict(scope),
        "engine": "spark",
        "master": master,
    }
    return audit.record(db, AuditEntry("screening.batch", CLI_ACTOR, payload))


def described(path: Path) -> dict[str, Any]:
    """A file by its SHA-256 and size; a folder (Spark's output) by one SHA-256 over each
    file's relative path, size and SHA-256, in path order."""
    if not path.is_dir():
        digest, size = durable.sha256_file(path)
        return {"name": path.name, "sha256": digest, "bytes": size}
    tree = hashlib.sha256()
    total = files = 0
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest, size = durable.sha256_file(item)
        tree.update(f"{item.relative_to(path).as_posix()}\0{size}\0{digest}\n".encode())
        total, files = total + size, files + 1
    return {"name": path.name, "sha256": tree.hexdigest(), "bytes": total, "files": files}


def _where(location: str) -> dict[str, Any]:
    """A Spark location described: hashed when it is a file or folder on this machine (a
    plain path or ``file://``), else only named (``hdfs://``, ``s3a://``: not read here)."""
    local = location.removeprefix("file://")
    if "://" in local or not Path(local).exists():  # elsewhere, or a pattern (in/*.csv)
        return {"name": location, "sha256": None}
    return described(Path(local))
