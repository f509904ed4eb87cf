"""The ledger's pressure index after a resolution run: DPRK scope and canonical targets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dprkwatch.ledger import gather
from dprkwatch.resolution import ResolutionStore, run
from tests.resolution.factory import write_lists


def test_resolution_widens_the_dprk_scope_and_counts_targets(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_lists(home)
    before = gather(home)
    assert before.targets is None
    assert "ofac-21735" not in {d.entity_id for d in before.designations}  # NPWMD: no DPRK tag

    run(home, workers=1)
    after = gather(home)
    scope = {d.entity_id: d for d in after.designations}
    # RI Su Yong, listed by OFAC under NPWMD, is a DPRK designation now (nationality, remarks).
    assert scope["ofac-21735"].dprk
    assert "ofac-555" not in scope  # John Smith (SDGT) stays out
    resolution = ResolutionStore(home).load()
    assert after.targets is not None
    assert after.targets["ofac-21735"] == resolution.target_of("un-KPi.052")

    index = after.pressure(date(2017, 4, 1), date(2017, 6, 30))
    (q2,) = index.rows
    # The UN (2017-06-02), the EU (06-09) and the UK (06-02) each list him in 2017-Q2 ...
    assert (q2.designations["un"], q2.designations["eu"], q2.designations["uk"]) == (1, 1, 1)
    # ... and OFAC "on or before" its only version: he is one target, dated by the UN and UK.
    assert q2.targets == 1
    ri = next(w for w in index.target_windows if w.entity_id == resolution.target_of("un-KPi.052"))
    assert ri.first == ri.last == date(2017, 6, 2)
    assert any("on or before its list's oldest version" in n for n in index.notes)
