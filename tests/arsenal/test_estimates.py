"""Published estimates: the curated list, the data folder's files, merging."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dprkwatch.arsenal import EstimateError, load_estimates
from dprkwatch.arsenal.estimates import (
    COMPILED_CSV,
    Estimate,
    load_curated,
    merge,
    read_compiled,
    read_owid_stockpiles,
)
from tests.arsenal.factory import ARSENAL


def test_curated_list_is_complete_and_cited() -> None:
    rows = load_curated()
    ids = [e.id for e in rows]
    assert len(ids) == len(set(ids))
    assert all(e.reference for e in rows)
    by_id = {e.id: e for e in rows}
    assert by_id["rand-asan-2020"].bounds == (67, 116)
    assert by_id["rand-asan-2027"].projection
    assert by_id["isis-2017"].bounds == (13, 30)
    assert by_id["dia-2017"].bounds == (60, 60) and by_id["dia-2017"].label == "up to 60"
    assert by_id["sipri-2022"].kind == "assembled" and by_id["sipri-2022"].explanation
    assert by_id["fas-2021"].kind == "assembled"  # FAS's change of method
    nyt = by_id["nyt-2019-singapore-hanoi"]
    assert (nyt.kind, nyt.window_start, nyt.as_of, nyt.point) == (
        "increment",
        date(2018, 6, 12),
        date(2019, 2, 28),
        6,
    )
    assert {e.kind for e in rows} == {"stock", "assembled", "increment", "pu_kg", "heu_kg"}


def test_compiled_csv_forms() -> None:
    rows = read_compiled(ARSENAL / "estimates_compiled.csv")
    by_source: dict[str, list[Estimate]] = {}
    for e in rows:
        by_source.setdefault(e.source, []).append(e)
    (alpha,) = by_source["Alpha"]
    assert (alpha.as_of, alpha.kind, alpha.low, alpha.high) == (date(2016, 1, 1), "stock", None, 10)
    beta = by_source["Beta"]
    assert [(e.as_of.year, e.point) for e in beta] == [(2015, 5), (2016, 10), (2017, 15)]
    (gamma,) = by_source["Gamma"]
    assert (gamma.kind, gamma.window_start, gamma.as_of, gamma.point) == (
        "increment",
        date(2018, 1, 1),
        date(2018, 12, 31),
        6,
    )
    (delta,) = by_source["Delta"]
    assert (delta.kind, delta.window_start, delta.as_of) == (
        "increment",
        date(2018, 6, 1),
        date(2019, 2, 1),
    )
    (eps,) = by_source["Epsilon"]
    assert eps.projection and eps.as_of == date(2027, 12, 31) and eps.bounds == (151, 242)
    (zeta,) = by_source["Zeta"]
    assert (zeta.kind, zeta.high, zeta.point, zeta.bounds) == ("heu_kg", 705, 540, (540, 540))
    (eta,) = by_source["Eta"]
    assert eta.kind == "assembled"
    assert all(e.origin == "estimates_compiled.csv" for e in rows)


def test_owid_series_skips_the_leading_zero_coding() -> None:
    rows = read_owid_stockpiles(ARSENAL / "owid_stockpiles.csv")
    assert [(e.as_of.year, e.point) for e in rows] == [(2015, 5), (2016, 10), (2017, 0)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("source,publication\nx,y\n", "bad.csv:header: missing column 'published'"),
        (
            "source,publication,published,as_of,low,high,point,measure,basis_notes,reference\n"
            "S,P,2020,2020,ten,20,,weapons,,\n",
            "bad.csv:line 2: low: expected a number, got 'ten'",
        ),
        (
            "source,publication,published,as_of,low,high,point,measure,basis_notes,reference\n"
            "S,P,2020,2020,30,20,,weapons,,\n",
            "bad.csv:line 2: low (30) is above high (20)",
        ),
        (
            "source,publication,published,as_of,low,high,point,measure,basis_notes,reference\n"
            "S,P,2020,sometime,1,2,,weapons,,\n",
            "bad.csv:line 2: as_of: cannot read 'sometime'",
        ),
        (
            "source,publication,published,as_of,low,high,point,measure,basis_notes,reference\n"
            "S,P,2020,2015..2016,,,2015:5;20x6:3,weapons,,\n",
            "bad.csv:line 2: point: cannot read series item",
        ),
        (
            "source,publication,published,as_of,low,high,point,measure,basis_notes,reference\n"
            "S,P,2020,2020,,,,weapons,,\n",
            "bad.csv:line 2: needs at least one of low, high, point",
        ),
    ],
)
def test_bad_compiled_files_name_line_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, "utf-8")
    with pytest.raises(EstimateError) as info:
        read_compiled(path)
    assert message in str(info.value)


def test_bad_curated_file(tmp_path: Path) -> None:
    path = tmp_path / "est.yaml"
    path.write_text(
        "estimates:\n  - {id: a, source: S, publication: P, as_of: 2020-01-01, kind: stock, low: 5, high: 1}\n",
        "utf-8",
    )
    with pytest.raises(EstimateError, match=re.escape("est.yaml:a: low (5) is above high (1)")):
        load_curated(path)
    path.write_text(
        "estimates:\n  - {id: a, source: S, publication: P, as_of: 2020-01-01, kind: increment, point: 5}\n",
        "utf-8",
    )
    with pytest.raises(EstimateError, match="window_start is required"):
        load_curated(path)
    path.write_text(
        "estimates:\n  - {id: a, source: S, publication: P, as_of: 2020-01-01, kind: rumour, point: 5}\n",
        "utf-8",
    )
    with pytest.raises(EstimateError, match=re.escape("est.yaml:a.kind")):
        load_curated(path)


def test_merge_keeps_curated_rows_and_adds_new_ones() -> None:
    curated = [
        Estimate(
            id="c",
            source="SIPRI",
            publication="YB",
            as_of=date(2019, 1, 1),
            kind="stock",
            low=20,
            high=30,
            explanation="why",
        )
    ]
    same = Estimate(
        id="x1",
        source="SIPRI (press)",
        publication="other",
        as_of=date(2019, 6, 1),
        kind="stock",
        low=20,
        high=30,
        origin="f.csv",
    )
    new = Estimate(
        id="x2",
        source="SIPRI",
        publication="YB",
        as_of=date(2020, 1, 1),
        kind="stock",
        low=30,
        high=40,
        origin="f.csv",
    )
    merged = merge(curated, [same, new, new])
    assert [e.id for e in merged] == ["c", "x2"]
    assert merged[0].explanation == "why"


def test_extra_files_are_read_and_missing_ones_fail(tmp_path: Path) -> None:
    rows = load_estimates(
        files=[ARSENAL / "estimates_compiled.csv", ARSENAL / "owid_stockpiles.csv"]
    )
    origins = {e.origin for e in rows}
    assert {"package", "estimates_compiled.csv"} <= origins
    assert any(e.source == "Zeta" for e in rows)
    with pytest.raises(EstimateError, match="file not found"):
        load_estimates(files=[tmp_path / "nope.csv"])


@pytest.mark.shared_data
def test_real_data_folder_merges_without_duplicates(shared_data: Path) -> None:
    compiled = read_compiled(shared_data / "dprk" / COMPILED_CSV)
    assert len([e for e in compiled if e.source.startswith("SIPRI")]) == 10
    merged = load_estimates(shared_data)
    keys = [e.key() for e in merged]
    assert len(keys) == len(set(keys))
    curated = {e.key() for e in load_curated()}
    # The package's curated copy covers every row of the compiled table: each
    # is recognised (same source family, year and figures), none is doubled.
    assert {e.key() for e in compiled} <= curated
    owid = read_owid_stockpiles(
        shared_data / "dprk" / "fas_owid_nuclear_warhead_stockpiles_1945_2023.csv"
    )
    assert [(e.as_of.year, e.point) for e in owid][:2] == [(2015, 5), (2016, 10)]
    assert {e.key() for e in owid} <= curated
    sipri_2019 = [e for e in merged if e.family == "sipri" and e.as_of.year == 2019]
    assert len(sipri_2019) == 1
    fas = [e for e in merged if e.family == "fas"]
    # The OWID series (2015-2023) and the 2024 Nuclear Notebook (assembled and material).
    assert sorted(e.as_of.year for e in fas) == [*range(2015, 2024), 2024, 2024]
