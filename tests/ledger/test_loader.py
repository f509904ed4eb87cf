"""The curated ledger: it validates, key facts are pinned, and bad rows are named by file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dprkwatch.ledger import check_ledger, load_ledger
from dprkwatch.ledger.exceptions import LedgerValidationError
from dprkwatch.ledger.loader import DATA_DIR, FILES
from dprkwatch.ledger.model import Confidence, MeasureKind

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ledger"


def test_packaged_ledger_is_valid_and_every_row_is_sourced() -> None:
    ledger, problems = check_ledger()
    assert problems == []
    sourced = [
        rec
        for name in FILES
        if name not in ("sources.yaml", "claims.yaml")
        for rec in getattr(ledger, name.removesuffix(".yaml"))
    ]
    assert len(sourced) > 150
    assert all(rec.sources and rec.confidence in Confidence for rec in sourced)
    cited = {sid for rec in sourced for sid in rec.sources}
    assert cited <= {s.id for s in ledger.sources}


def test_pinned_facts() -> None:
    ledger = load_ledger()
    singapore = ledger.record("summit-2018-06-12-singapore")
    assert str(singapore.date) == "2018-06-12"
    assert str(ledger.record("singapore-2018").date) == "2018-06-12"
    hanoi = ledger.record("summit-2019-02-27-hanoi")
    assert (str(hanoi.date), str(hanoi.end_date)) == ("2019-02-27", "2019-02-28")
    remains = ledger.record("remains-2018-07-27")
    assert (str(remains.date), remains.count, remains.unit) == ("2018-07-27", 55, "boxes")
    res2397 = ledger.record("unscr-2397")
    caps = {m.subject: m.quantity for m in res2397.measures if m.kind is MeasureKind.CAP}
    assert caps["refined petroleum products"] == 500_000
    assert str(res2397.date) == "2017-12-22"


def test_eight_agreements_before_2018_and_three_in_2018() -> None:
    ledger = load_ledger()
    years = [a.date.year for a in ledger.agreements]
    assert sum(y < 2018 for y in years) == 8
    assert sum(y == 2018 for y in years) == 3


def test_commitment_ids_resolve_as_references() -> None:
    ledger = load_ledger()
    assert ledger.has("singapore-2018/remains-identified")
    assert ledger.record("leap-day-2012/food-aid").party == "US"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    shutil.copytree(DATA_DIR, root)
    return root


def _append(path: Path, text: str) -> int:
    """Append ``text``; return the 1-based line number where it starts."""
    before = path.read_text(encoding="utf-8")
    start = before.count("\n") + (0 if before.endswith("\n") else 1) + 1
    path.write_text(before + ("" if before.endswith("\n") else "\n") + text, encoding="utf-8")
    return start


def test_row_without_source_names_file_and_line() -> None:
    with pytest.raises(LedgerValidationError) as err:
        load_ledger(replace={"exercises.yaml": FIXTURES / "bad_no_source.yaml"})
    assert (
        str(err.value)
        == "bad_no_source.yaml:line 1: no source: every row needs `sources` (ids from sources.yaml)"
    )


def test_impossible_date_names_file_line_and_problem() -> None:
    with pytest.raises(LedgerValidationError) as err:
        load_ledger(replace={"exercises.yaml": FIXTURES / "bad_impossible_date.yaml"})
    assert str(err.value) == (
        "bad_impossible_date.yaml:line 10: `date`: impossible date 2018-02-30: February 2018 has 28 days"
    )


def test_unknown_reference_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    line = _append(
        root / "diplomacy.yaml",
        (FIXTURES / "bad_unknown_reference.yaml")
        .read_text()
        .replace("talks-2019-10-05-stockholm", "talks-test-extra"),
    )
    _ledger, problems = check_ledger(root)
    assert [str(p) for p in problems] == [
        f"diplomacy.yaml:line {line + 5}: unknown reference 'no-such-agreement' (no record has this id)"
    ]


def test_unknown_source_and_duplicate_id(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    line = _append(root / "exercises.yaml", (FIXTURES / "bad_unknown_source.yaml").read_text())
    _ledger, problems = check_ledger(root)
    messages = [str(p) for p in problems]
    assert (
        f"exercises.yaml:line {line}: id 'exercise-2018-06-18-ufg' is already used in exercises.yaml"
        in messages
    )
    assert (
        f"exercises.yaml:line {line + 4}: unknown source 'made-up-source' (not in sources.yaml)"
        in messages
    )


def test_yaml_syntax_error_and_unknown_field(tmp_path: Path) -> None:
    with pytest.raises(LedgerValidationError, match=r"^bad_syntax.yaml:line \d+: not valid YAML"):
        load_ledger(replace={"exercises.yaml": FIXTURES / "bad_syntax.yaml"})
    root = _copy(tmp_path)
    line = _append(
        root / "exercises.yaml",
        "- id: exercise-x\n  name: X\n  date: 2019-01-01\n  action: ended\n  "
        "colour: red\n  sources: [dod-2018-06-18-ufg]\n  confidence: verified\n",
    )
    _ledger, problems = check_ledger(root)
    assert [str(p) for p in problems] == [f"exercises.yaml:line {line + 4}: unknown field `colour`"]


def test_error_counts_further_problems(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _append(
        root / "exercises.yaml",
        "- id: exercise-y\n  name: Y\n  date: 2019-02-30\n  action: ended\n  confidence: maybe\n",
    )
    with pytest.raises(LedgerValidationError) as err:
        load_ledger(root)
    assert "(and 2 more problems)" in str(err.value)


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "moratoria.yaml").unlink()
    _ledger, problems = check_ledger(root)
    assert any(p.file == "moratoria.yaml" and "file not found" in p.message for p in problems)
