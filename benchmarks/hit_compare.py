"""Two screening outputs compared subject by subject: which subjects differ, and in which rows.

    python benchmarks/hit_compare.py LOCAL SPARK [--show 5]

Each output (a Parquet file, or a directory of part files as Spark writes
them) holds one row per hit, or one row for a subject without hits or with
an error. A row-by-row comparison of the two sorted files says nothing
useful once one subject has a hit more on one side: every later row is
shifted and counts as different. So the rows are grouped by subject
(``query_id``) and paired by ``rank`` within a subject:

* **subjects differing**: subjects whose rows are not all equal, or that
  only one output holds;
* **subjects with other hits**: of those, the ones whose hits differ in
  entity, rank, match flag or score (not only in an explanation);
* **rows differing**: rows present in both (same subject and rank) that
  differ in any column, and **rows on one side only**.

An empty output is an error (exit code 2), never "0 rows differ".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inputs import fail

# The columns of a hit that say what was found; the rest explain it.
HIT_COLUMNS = ("entity_id", "match", "score")

Rows = dict[Any, tuple[Any, ...]]  # rank -> the row's values


@dataclass
class Comparison:
    """What differs between two outputs, by subject (see the module docstring)."""

    subjects: int = 0
    rows: tuple[int, int] = (0, 0)
    differing_subjects: list[str] = field(default_factory=list)
    other_hits: list[str] = field(default_factory=list)
    differing_rows: int = 0
    one_side_rows: int = 0

    @property
    def identical(self) -> bool:
        return not self.differing_subjects

    def summary(self) -> str:
        return (
            f"{len(self.differing_subjects):,} of {self.subjects:,} subjects differ "
            f"({len(self.other_hits):,} in their hits); {self.differing_rows:,} rows differ "
            f"of those both hold, {self.one_side_rows:,} on one side only "
            f"({self.rows[0]:,} and {self.rows[1]:,} rows)"
        )


def read_subjects(path: Path) -> tuple[dict[str, Rows], list[str], int]:
    """``{subject: {rank: row}}``, the column names and the row count; an empty output fails."""
    if not path.exists():
        fail(f"{path}: no such output")
    table = pq.read_table(path)  # type: ignore[no-untyped-call]
    if table.num_rows == 0:
        fail(f"{path}: the output has no rows")
    names = sorted(table.schema.names)
    for needed in ("query_id", "rank", *HIT_COLUMNS):
        if needed not in names:
            fail(f"{path}: no column {needed!r}")
    columns = [table.column(n).to_pylist() for n in names]
    qi, ri = names.index("query_id"), names.index("rank")
    out: dict[str, Rows] = {}
    for values in zip(*columns, strict=True):
        subject = out.setdefault(values[qi], {})
        if values[ri] in subject:
            fail(f"{path}: subject {values[qi]!r} has two rows of rank {values[ri]}")
        subject[values[ri]] = values
    return out, names, table.num_rows


def compare(a: Path, b: Path) -> Comparison:
    """Compare the outputs at ``a`` and ``b`` subject by subject."""
    left, names, n_left = read_subjects(a)
    right, other_names, n_right = read_subjects(b)
    if names != other_names:
        fail(f"{a} and {b} have different columns: {names} vs {other_names}")
    hit_at = [names.index(c) for c in HIT_COLUMNS]
    result = Comparison(subjects=len(left.keys() | right.keys()), rows=(n_left, n_right))
    for subject in sorted(left.keys() | right.keys(), key=str):
        x, y = left.get(subject, {}), right.get(subject, {})
        if x == y:
            continue
        result.differing_subjects.append(subject)
        for rank in x.keys() | y.keys():
            if rank in x and rank in y:
                result.differing_rows += x[rank] != y[rank]
            else:
                result.one_side_rows += 1
        if _hits(x, hit_at) != _hits(y, hit_at):
            result.other_hits.append(subject)
    return result


def _hits(rows: Rows, at: Sequence[int]) -> dict[Any, tuple[Any, ...]]:
    return {rank: tuple(row[i] for i in at) for rank, row in rows.items()}


def show(a: Path, b: Path, subjects: Sequence[str]) -> None:
    """Print both sides' rows of ``subjects`` (rank, entity, score, match, explanation)."""
    left, names, _ = read_subjects(a)
    right, _, _ = read_subjects(b)
    cols = [names.index(c) for c in ("rank", "entity_id", "score", "match", "explanation")]
    for subject in subjects:
        print(f"== {subject}")
        for side, rows in (("A", left.get(subject, {})), ("B", right.get(subject, {}))):
            for rank in sorted(rows, key=lambda r: (r is None, r)):
                print(side, *(rows[rank][i] for i in cols))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--show", type=int, default=5, help="print this many differing subjects")
    args = ap.parse_args()
    result = compare(args.a, args.b)
    print(result.summary())
    show(args.a, args.b, result.differing_subjects[: args.show])
    return 0 if result.identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
