"""``dprkwatch screen`` after a resolution run: one hit per target, with its listings."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
import pytest

from dprkwatch.resolution.hits import index_path, targets_path
from tests.factory import run_cli
from tests.resolution.factory import write_lists

FOUR = ["eu-112358", "ofac-21735", "uk-DPR0268", "un-KPi.052"]


def _screen(capsys: pytest.CaptureFixture[str], home: str, *extra: str) -> list[dict[str, Any]]:
    r = run_cli(capsys, "--data-dir", home, "screen", "RI SU YONG", "--json", *extra)
    assert r.code == 0, r.err
    hits: list[dict[str, Any]] = orjson.loads(r.out)
    return hits


def test_one_man_on_four_lists_is_one_hit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lists(tmp_path)
    home = str(tmp_path)
    before = _screen(capsys, home)
    assert sorted(h["entity_id"] for h in before if h["entity_id"] in FOUR) == FOUR
    assert run_cli(capsys, "--data-dir", home, "resolve", "run").code == 0
    hits = _screen(capsys, home)
    ours = [h for h in hits if h["entity_id"] in FOUR]
    assert len(ours) == 1
    hit = ours[0]
    assert hit["target_id"] is not None and str(hit["target_id"]).startswith("dw-")
    assert sorted([hit["entity_id"], *hit["referents"]]) == FOUR
    assert hit["datasets"] == ["eu", "ofac", "uk", "un"]
    assert sorted(x["id"] for x in hit["listings"]) == FOUR
    assert str(hit["explanation"][0]).startswith(f"matched listing {hit['entity_id']} (")
    assert set(hit["matched"]) <= set(FOUR) and hit["matched"][0] == hit["entity_id"]
    # The option keeps one row per listing.
    per_listing = _screen(capsys, home, "--per-listing")
    assert sorted(h["entity_id"] for h in per_listing if h["entity_id"] in FOUR) == FOUR
    assert all("referents" not in h for h in per_listing)


def test_damaged_target_map_falls_back_to_one_row_per_listing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lists(tmp_path)
    home = str(tmp_path)
    assert run_cli(capsys, "--data-dir", home, "resolve", "run").code == 0
    # Screening reads the bucketed index: damaged, it is not used.
    index_path(tmp_path).write_bytes(index_path(tmp_path).read_bytes()[:-1])
    hits = _screen(capsys, home)
    assert sorted(h["entity_id"] for h in hits if h["entity_id"] in FOUR) == FOUR
    # Without an index (a resolution from before it), the whole map serves; damaged, neither.
    index_path(tmp_path).unlink()
    assert len([h for h in _screen(capsys, home) if h["entity_id"] in FOUR]) == 1
    targets_path(tmp_path).write_bytes(b"{half a fi")
    hits = _screen(capsys, home)
    assert sorted(h["entity_id"] for h in hits if h["entity_id"] in FOUR) == FOUR


def test_api_results_fold_into_one_per_target(tmp_path: Path) -> None:
    from dprkwatch.lists.snapshot import SnapshotStore
    from dprkwatch.resolution import run
    from dprkwatch.service.api.yente_shapes import by_target
    from dprkwatch.service.entities import EntityStore

    write_lists(tmp_path)
    res = run(tmp_path, workers=1)
    targets = {tid: t.members for tid, t in res.targets.items()}
    store = EntityStore.build(SnapshotStore(tmp_path).active(), targets=targets)
    scored = [
        {"id": eid, "datasets": [name], "explanation": [f"name {score}"], "score": score}
        for eid, name, score in (
            ("un-KPi.052", "un_sc_sanctions", 0.99),
            ("ofac-21735", "us_ofac_sdn", 0.97),
            ("ofac-555", "us_ofac_sdn", 0.50),
            ("eu-112358", "eu_fsf", 0.93),
        )
    ]
    folded = by_target(scored, store)
    assert [d["id"] for d in folded] == ["un-KPi.052", "ofac-555"]
    ri = folded[0]
    assert ri["target_id"] == res.target_of("un-KPi.052")
    assert ri["matched"] == ["un-KPi.052", "ofac-21735", "eu-112358"]
    assert len(ri["datasets"]) == 4
    assert ri["explanation"][0].startswith("matched listing un-KPi.052 of target dw-")
    assert folded[1]["matched"] == ["ofac-555"] and folded[1]["target_id"] != ri["target_id"]


def test_batch_file_has_one_row_per_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_lists(tmp_path)
    home = str(tmp_path)
    queries = tmp_path / "queries.csv"
    queries.write_text("id,name\nq1,RI SU YONG\nq2,Korea Ryonbong General Corporation\n")
    assert run_cli(capsys, "--data-dir", home, "resolve", "run").code == 0

    def batch(*extra: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
        out = tmp_path / f"out{len(extra)}.csv"
        r = run_cli(
            capsys, "--data-dir", home, "screen", "--input", str(queries), "--output", str(out),
            "--json", *extra,
        )  # fmt: skip
        assert r.code == 0, r.err
        with out.open(newline="", encoding="utf-8") as f:
            return orjson.loads(r.out), list(csv.DictReader(f))

    report, rows = batch()
    assert report["by_target"] is True
    ri = [row for row in rows if row["query_id"] == "q1" and row["entity_id"] in FOUR]
    assert len(ri) == 1
    (row,) = ri
    assert row["lists"] == "eu, ofac, uk, un"
    first = row["explanation"].split("; ")[0]
    assert f"matched listing {row['entity_id']} (" in first and "of target dw-" in first
    assert all(rid in first for rid in FOUR)  # the target's every listing is named
    ranks = [int(r["rank"]) for r in rows if r["query_id"] == "q1"]
    assert ranks == list(range(1, len(ranks) + 1))  # ranks count targets, not listings
    report, rows = batch("--per-listing")
    assert report["by_target"] is False
    assert (
        sorted(r["entity_id"] for r in rows if r["query_id"] == "q1" and r["entity_id"] in FOUR)
        == FOUR
    )
