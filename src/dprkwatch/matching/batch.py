"""Batch screening of a file: read the queries, screen them, write the results.

The file formats and the shape of the output rows live in
:mod:`dprkwatch.matching.batch_files`, the forked worker pool in
:mod:`dprkwatch.matching.batch_pool`; this module ties them together.

Every input row is accounted for: one output row per result, and one row
with an empty rank for a query without results or with an error. A bad row
(no name, unknown schema, a 10 kB name, a malformed line) is never fatal:
its ``error`` column says what is wrong and the batch goes on. Only a file
that cannot be read at all, or has neither a name nor an identifier column,
stops the run, and then before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dprkwatch.matching.batch_files import detect_format, read_queries, result_row, write_rows
from dprkwatch.matching.batch_pool import screen_queries
from dprkwatch.matching.exceptions import BatchFileError
from dprkwatch.matching.query import Scope
from dprkwatch.matching.result import Match
from dprkwatch.matching.screener import Screener


@dataclass
class BatchSummary:
    """What a batch run did: rows read, rows with an error, rows with a match, result rows."""

    rows: int = 0
    errors: int = 0
    matched: int = 0
    results: int = 0


def screen_file(
    screener: Screener,
    input_path: Path,
    output_path: Path,
    *,
    input_format: str | None = None,
    output_format: str | None = None,
    top: int = 5,
    threshold: float | None = None,
    scope: Scope | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    ask: int | None = None,
    fold: Callable[[list[Match]], list[Match]] | None = None,
) -> BatchSummary:
    """Screen every row of ``input_path`` and write the results to ``output_path``.

    ``fold`` turns each query's results into the rows written (the command
    line folds the listings of one resolved target into one), from ``ask``
    results per query (default ``top``).
    """
    out_fmt = detect_format(output_path, output_format)
    if input_path.resolve() == output_path.resolve():
        raise BatchFileError("output would overwrite the input", source=str(output_path))
    rows = list(read_queries(input_path, input_format))
    summary = BatchSummary(rows=len(rows))
    valid = [r.query for r in rows if r.query is not None]
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(rows))

    results = iter(
        screen_queries(
            screener,
            valid,
            top=ask or top,
            threshold=threshold,
            scope=scope,
            workers=workers,
            progress=tick,
        )
    )
    out: list[dict[str, Any]] = []
    for row in rows:
        if row.query is None:
            summary.errors += 1
            out.append(result_row(row.query_id, error=row.error))
            tick(1)
            continue
        matches = next(results)
        if fold is not None:
            matches = fold(matches)
        if not matches:
            out.append(result_row(row.query_id))
            continue
        summary.matched += any(m.match for m in matches)
        for rank, m in enumerate(matches, start=1):
            summary.results += 1
            out.append(result_row(row.query_id, rank=rank, m=m))
    write_rows(output_path, out_fmt, out)
    return summary
