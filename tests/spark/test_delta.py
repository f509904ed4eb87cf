"""Delta screening on Spark re-screens the subjects a list update can reach, and only those."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.matching import Screener, subjects
from dprkwatch.matching.batch import screen_file
from tests.factory import run_cli
from tests.matching.conftest import FIXTURES
from tests.spark.conftest import SUBJECTS, sort_rows, synthetic_subjects, write_subjects

pytestmark = pytest.mark.spark

NEW_ENTITY = {
    "id": "us-2001", "schema": "Person", "datasets": ["us_sample"],
    "properties": {"name": ["PAK, Chol Min"], "nationality": ["kp"], "programId": ["DPRK3"]},
}  # fmt: skip


def update_us_list(tmp_path: Path, store: SnapshotStore) -> None:
    """A new version of the US sample: us-1002 gains an alias, us-1010 goes, us-2001 comes."""
    lines = (FIXTURES / "us_sample.ftm.json").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        entity = json.loads(line)
        if entity["id"] == "us-1010":
            continue
        if entity["id"] == "us-1002":
            entity["properties"]["alias"].append("Ri Chol Su")
        out.append(json.dumps(entity, ensure_ascii=False))
    out.append(json.dumps(NEW_ENTITY))
    path = tmp_path / "update" / "us_sample.ftm.json"
    path.parent.mkdir()
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    import_paths(store, [path])


def by_subject(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in sort_rows(rows):
        out.setdefault(r["query_id"], []).append(r)
    return out


def test_delta_rescreens_what_the_update_reaches(
    spark: Any, store: SnapshotStore, tmp_path: Path
) -> None:
    from dprkwatch.spark import SPARK_SCHEMA, ShippedIndex, list_change, rescreen, screen
    from dprkwatch.spark.delta import RESCORED

    old = Screener.from_store(store)
    book = [*SUBJECTS, {"id": "gone", "name": "Kim Jong Un"}, *synthetic_subjects(old, 200)]
    src = write_subjects(tmp_path / "before.csv", book)
    reader = spark.read.option("header", "true").option("escape", '"')
    with ShippedIndex(spark, old) as index:
        previous_rows = [r.asDict() for r in screen(reader.csv(str(src)), index).collect()]
    previous = spark.createDataFrame(previous_rows, schema=SPARK_SCHEMA)

    update_us_list(tmp_path, store)
    new = Screener.from_store(store)
    change = list_change(old, new)
    assert change.added == {"us-2001"} and change.removed == {"us-1010"}
    assert change.changed == {"us-1002"}

    now = [r for r in book if r["id"] != "gone"] + [{"id": "newcomer", "name": "Nobody Else"}]
    src_now = write_subjects(tmp_path / "after.csv", now)
    with ShippedIndex(spark, new) as index:
        delta = rescreen(reader.csv(str(src_now)), previous, old, index)
        fresh_rows = [r.asDict() for r in delta.fresh.collect()]
        rescored = {r["query_id"] for r in fresh_rows if r[RESCORED]}
        fresh = by_subject([{k: v for k, v in r.items() if k != RESCORED} for r in fresh_rows])
        hits = by_subject([r.asDict() for r in delta.hits.collect()])
        alerts = {(r["query_id"], r["entity_id"], r["kind"]) for r in delta.alerts.collect()}
        delta.fresh.unpersist()

    screen_file(new, src_now, tmp_path / "full.parquet")
    full = by_subject(pq.read_table(tmp_path / "full.parquet").to_pylist())
    before = by_subject(previous_rows)

    # Every subject whose hits changed was re-screened, and got the full screen's rows.
    rescreened = fresh.keys() - rescored
    moved = {
        q for q in full
        if {r["entity_id"] for r in full[q]} != {r["entity_id"] for r in before.get(q, [])}
    }  # fmt: skip
    assert moved, "the update must change someone's hits"
    assert moved <= rescreened
    assert all(fresh[q] == full[q] for q in fresh)
    assert {"s1", "s4", "newcomer", "s3"} <= rescreened  # changed, removed, new, a bad row
    # Sharing a blocking key with an updated entry is not enough to be re-screened.
    meeting = {
        r["id"] for r in now
        if (q := subjects.record_subject(0, dict(r)).query) is not None
        and change.meets(new.analyze(q))
    }  # fmt: skip
    assert len(meeting - rescreened) >= 10, "most subjects meeting a key are not re-screened"
    assert len(rescreened) < len(now) / 4
    # Scores move with the word weights of the whole list: kept hits were re-scored.
    drifted = {q for q in rescored if fresh[q] != before[q]}
    assert drifted, "the update moves some scores of subjects it does not reach"
    # The others keep their rows; the book is the book of now, equal to a full re-screen.
    assert hits.keys() == full.keys()
    assert all(hits[q] == before[q] for q in hits.keys() - fresh.keys())
    assert hits == full, "the delta's book equals a full re-screen, row for row"
    assert ("s4", "us-1010", "removed") in alerts
    assert any(kind == "changed" and entity == "us-1002" for _, entity, kind in alerts)


def test_cli_delta_writes_the_updated_book(
    spark: Any, store: SnapshotStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = Screener.from_store(store)
    src = write_subjects(tmp_path / "book.csv", SUBJECTS + synthetic_subjects(old, 100))
    home = str(store.home)
    first = tmp_path / "first.parquet"
    res = run_cli(capsys, "--data-dir", home, "screen", "--engine", "spark", "--input", str(src),
                  "--output", str(first))  # fmt: skip
    assert res.code == 0, res.err
    update_us_list(tmp_path, store)
    second = tmp_path / "second.parquet"
    res = run_cli(capsys, "--data-dir", home, "screen", "--engine", "spark", "--input", str(src),
                  "--output", str(second), "--previous", str(first), "--json")  # fmt: skip
    assert res.code == 0, res.err
    report = json.loads(res.out)
    assert 0 < report["rescreened"] < report["rows"] and report["rescored"] > 0
    assert report["alerts"]["removed"] >= 1
    # The update changed names, so the weights moved; those of untouched words least.
    drift = report["drift"]
    assert 0 < drift["untouched_words"] <= drift["words"] < 1
    assert 0 <= drift["untouched_syllables"] <= drift["syllables"] < 1
    assert report["lists"] != json.loads((first / "_dprkwatch.json").read_text())["lists"]
    screen_file(Screener.from_store(store), src, tmp_path / "full.parquet")
    got = by_subject(pq.read_table(second).to_pylist())
    full = by_subject(pq.read_table(tmp_path / "full.parquet").to_pylist())
    assert got.keys() == full.keys()
    assert all(
        [(r["entity_id"], r["match"]) for r in got[q]]
        == [(r["entity_id"], r["match"]) for r in full[q]]
        for q in full
    )
    # Against the same lists again, only the rows that could not be screened are
    # re-screened (the others' hits are re-scored, to the same rows).
    third = tmp_path / "third.parquet"
    res = run_cli(capsys, "--data-dir", home, "screen", "--engine", "spark", "--input", str(src),
                  "--output", str(third), "--previous", str(second), "--json")  # fmt: skip
    assert res.code == 0, res.err
    bad = {q for q, rows in got.items() if rows[0]["error"]}
    assert bad and json.loads(res.out)["rescreened"] == len(bad)
    assert by_subject(pq.read_table(third).to_pylist()) == got


def test_previous_must_be_a_spark_screen_output(
    spark: Any, sample_store: SnapshotStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_subjects(tmp_path / "book.csv", SUBJECTS[:3])
    (tmp_path / "prev.parquet").mkdir()
    res = run_cli(capsys, "--data-dir", str(sample_store.home), "screen", "--engine", "spark",
                  "--input", str(src), "--output", str(tmp_path / "o.parquet"),
                  "--previous", str(tmp_path / "prev.parquet"))  # fmt: skip
    assert (
        res.code == 2 and "_dprkwatch.json: not the output of a dprkwatch Spark screen" in res.err
    )
