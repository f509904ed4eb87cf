"""Against the real source files in ../shared/data (skipped when the folder is absent).

These pin facts the ledger states by recomputing them from the data: no
CNS-class launch in 2018, the Yao et al. yields, the UN designation counts
of each resolution, the OFAC additions after August 2021.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dprkwatch.ledger import LedgerStore, evaluate_all, gather, load_ledger
from dprkwatch.ledger.importers.cns_csv import CnsCsvImporter
from dprkwatch.ledger.importers.cns_json import CnsJsonImporter
from dprkwatch.ledger.importers.ofac_lifetimes import OfacLifetimesImporter
from dprkwatch.ledger.model import MeasureKind
from dprkwatch.lists import SnapshotStore, import_paths

pytestmark = pytest.mark.shared_data


@pytest.fixture
def cns(shared_data: Path) -> list[dict[str, object]]:
    return CnsJsonImporter().load(shared_data / "dprk" / "nagix_cns_test.en.json").records


def test_no_cns_class_launch_in_2018(cns: list[dict[str, object]]) -> None:
    per_year = Counter(str(r["date"])[:4] for r in cns)
    assert per_year["2018"] == 0
    assert (per_year["2017"], per_year["2019"]) == (21, 27)


def test_json_and_csv_agree_up_to_2019_10(shared_data: Path, cns: list[dict[str, object]]) -> None:
    old = CnsCsvImporter().load(shared_data / "dprk" / "cns_missile_tests_1984_2019.csv").records
    new = Counter(str(r["date"])[:4] for r in cns if str(r["date"]) <= "2019-10-01")
    csv_years = Counter(str(r["date"])[:4] for r in old)
    differ = {y for y in new | csv_years if new[y] != csv_years[y]}
    # The JSON adds one 2006 launch and five 2019 launches identified after the CSV's last update.
    assert differ == {"2006", "2019"}
    assert all(new[y] >= csv_years[y] for y in differ)
    assert (
        _icbm_before_2018(old)
        == _icbm_before_2018(cns)
        == ["2017-07-04", "2017-07-28", "2017-11-28"]
    )


def _icbm_before_2018(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(
        str(r["date"])
        for r in rows
        if r["attrs"]["missile_type"] == "ICBM" and str(r["date"]) < "2018"
    )


def test_nuclear_test_yields_match_yao_2018(shared_data: Path) -> None:
    ledger = load_ledger()
    rows = [
        line.split()
        for line in (shared_data / "dprk" / "yao2018_nknt_six_tests.dat")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(rows) == len(ledger.nuclear_tests) == 6
    for row, test in zip(rows, ledger.nuclear_tests, strict=True):
        assert row[1] == str(test.date)
        central, _, sigma = row[-1].partition("±")
        yao = next(y for y in test.yields if y.estimator.startswith("Yao"))
        assert yao.kt == float(central)
        assert yao.sigma == (float(sigma) if sigma else None)


def test_un_designation_counts_match_resolutions(shared_data: Path, tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    import_paths(store, [shared_data / "un" / "un_consolidated_2026-02-27.xml"])
    inputs = gather(tmp_path)
    listed = Counter(
        str(d.date) for d in inputs.designations if d.list_name == "un" and d.basis == "listed"
    )
    checked = 0
    for res in inputs.ledger.resolutions:
        for m in res.measures:
            if m.kind is MeasureKind.DESIGNATION and m.individuals is not None:
                assert listed[str(res.date)] == m.individuals + (m.entities or 0), res.label
                checked += 1
    assert checked == 8
    assert max(listed) == "2018-03-30"  # no UN DPRK listing since


def test_ofac_additions_after_august_2021(shared_data: Path) -> None:
    ds = OfacLifetimesImporter().load(
        shared_data / "ofac" / "derived" / "sdn_entry_lifetimes_2021-08_2024-05.csv"
    )
    basis = Counter(r["basis"] for r in ds.records)
    assert basis == {"on_or_before": 414, "first_seen": 72}


def test_claims_on_real_launch_data(shared_data: Path, tmp_path: Path) -> None:
    store = LedgerStore(tmp_path)
    store.save(CnsJsonImporter().load(shared_data / "dprk" / "nagix_cns_test.en.json"))
    inputs = gather(tmp_path)
    verdicts = {
        v.claim.id: v
        for v in evaluate_all(inputs.ledger, inputs, today=date(2026, 11, 28), arsenal=lambda: None)
    }
    moratoria = verdicts["test-moratoria"].at_time
    assert (
        moratoria.data["earlier_days"]["moratorium-1999-berlin"]
        == (date(2006, 7, 5) - date(1999, 9, 30)).days
    )
