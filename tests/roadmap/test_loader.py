"""Loading and validating the roadmap data, and the one-line errors for bad proposal files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dprkwatch.arsenal import load_parameters
from dprkwatch.ledger import load_ledger
from dprkwatch.roadmap import (
    RoadmapValidationError,
    UnknownRoadmapItem,
    check_roadmap,
    load_roadmap,
)
from tests.roadmap.factory import SIMPLE_PARAMS, line_of, shipped, write_proposals


def _hanoi(**changes: Any) -> dict[str, Any]:
    row = shipped("hanoi-dprk-offer")
    row["id"] = "my-hanoi"
    row.update(changes)
    return row


def _error(path: Path) -> str:
    with pytest.raises(RoadmapValidationError) as exc:
        load_roadmap(proposal_files=[path])
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_shipped_data_is_valid_and_cites_known_sources() -> None:
    rm, problems = check_roadmap()
    assert problems == []
    assert len(rm.proposals) >= 7 and len(rm.definitions) >= 3
    ledger_ids = {s.id for s in load_ledger().sources}
    assert not ledger_ids & {s.id for s in rm.sources}
    for rows in (
        rm.assets,
        rm.activities,
        rm.definitions,
        rm.proposals,
        rm.assessments,
        rm.pressure,
    ):
        for row in rows:
            for s in row.sources:
                assert rm.source(s).url.startswith("http")
    ids = {p.id for p in rm.proposals}
    assert {
        "agreed-framework-1994",
        "six-party-2007",
        "leap-day-2012",
        "hanoi-dprk-offer",
        "us-big-deal-2019",
        "freeze-for-freeze-2017",
    } <= ids


def test_unknown_asset_names_file_line_phase_and_the_likely_id(tmp_path: Path) -> None:
    row = _hanoi()
    row["phases"][0]["dismantle"][3] = "yongbyn-uep"
    path = write_proposals(tmp_path, row)
    assert _error(path) == (
        f"{path}:line {line_of(path, 'yongbyn-uep')}: phase dismantle-yongbyon: "
        "unknown asset 'yongbyn-uep' (did you mean 'yongbyon-uep'?)"
    )


def test_unknown_and_vetoed_resolutions(tmp_path: Path) -> None:
    row = _hanoi()
    row["phases"][0]["relief"][0]["resolution"] = "unscr-9999"
    path = write_proposals(tmp_path, row)
    assert _error(path) == (
        f"{path}:line {line_of(path, 'unscr-9999')}: phase dismantle-yongbyon: "
        "unknown resolution 'unscr-9999' (not in the ledger)"
    )
    row["phases"][0]["relief"][0]["resolution"] = "draft-2022-05-26"
    path = write_proposals(tmp_path, row)
    assert _error(path).endswith(
        "phase dismantle-yongbyon: draft-2022-05-26 was vetoed; there is nothing to relieve"
    )


def test_relief_of_a_resolution_adopted_after_the_phase(tmp_path: Path) -> None:
    row = _hanoi(date="2016-06-01")
    row["phases"][0]["start"] = "2016-06-01"
    path = write_proposals(tmp_path, row)
    assert _error(path).endswith(
        "phase dismantle-yongbyon: relieves unscr-2321, adopted 2016-11-30, after the phase starts "
        "(and 3 more problems)"
    )


def _two_phases(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    base = {"sources": ["sbs-2019-03-01-ri-yong-ho"], "confidence": "secondary"}
    return _hanoi(phases=[{**base, "name": "one", **first}, {**base, "name": "two", **second}])


@pytest.mark.parametrize(
    ("first", "second", "phase", "message"),
    [
        (
            {"id": "a", "start": "2019-06-01", "freeze": ["kangson"]},
            {"id": "b", "start": "2019-03-15", "freeze": ["yongbyon-uep"]},
            1,
            "phase b: starts 2019-03-15, before phase a that it follows (2019-06-01)",
        ),
        (
            {"id": "a", "start": "2019-03-01", "end": "2019-02-01", "freeze": ["kangson"]},
            {"id": "b", "start": "2019-06-01", "freeze": ["yongbyon-uep"]},
            0,
            "phase a: ends 2019-02-01, before it starts (2019-03-01)",
        ),
        (
            {"id": "a", "start": "2019-03-01", "dismantle": ["yongbyon-5mwe"]},
            {"id": "b", "start": "2019-06-01", "freeze": ["yongbyon-5mwe"]},
            1,
            "phase b: cannot freeze yongbyon-5mwe: phase a already dismantled it",
        ),
        (
            {"id": "a", "start": "2019-03-01", "remove": ["nuclear-stockpile"]},
            {"id": "b", "start": "2019-06-01", "remove": ["nuclear-stockpile"]},
            1,
            "phase b: cannot remove nuclear-stockpile: phase a already removed it",
        ),
        (
            {"id": "a", "start": "2018-12-01", "freeze": ["kangson"]},
            {"id": "b", "start": "2019-06-01", "freeze": ["yongbyon-uep"]},
            0,
            "phase a: starts 2018-12-01, before the proposal itself (2019-02-28)",
        ),
        (
            {"id": "a", "start": "2019-03-01", "freeze": ["kangson"]},
            {"id": "a", "start": "2019-06-01", "freeze": ["yongbyon-uep"]},
            1,
            "phase a: id appears twice in proposal my-hanoi",
        ),
    ],
)
def test_phases_that_cannot_follow_each_other(
    tmp_path: Path, first: dict[str, Any], second: dict[str, Any], phase: int, message: str
) -> None:
    path = write_proposals(tmp_path, _two_phases(first, second))
    text = _error(path)
    assert text.startswith(f"{path}:line ")
    assert text.endswith(message), text
    line = int(text.split(":line ")[1].split(":")[0])
    # the line points into the phase at fault (each phase's mapping starts just above its name)
    one, two = line_of(path, "name: one"), line_of(path, "name: two")
    assert (one - 2 <= line < two - 2) if phase == 0 else (line >= two - 2), (line, one, two)


def test_verifying_a_dismantled_asset_is_allowed(tmp_path: Path) -> None:
    path = write_proposals(
        tmp_path,
        _two_phases(
            {"id": "a", "start": "2019-03-01", "dismantle": ["yongbyon-5mwe"]},
            {
                "id": "b",
                "start": "2019-06-01",
                "verify": ["yongbyon-5mwe"],
                "declare": ["yongbyon-5mwe"],
            },
        ),
    )
    rm = load_roadmap(proposal_files=[path])
    assert rm.origin["my-hanoi"] == str(path)


def test_schema_yaml_and_file_problems(tmp_path: Path) -> None:
    row = _hanoi()
    row["phases"][0]["freez"] = ["kangson"]
    path = write_proposals(tmp_path, row)
    assert _error(path) == f"{path}:line {line_of(path, 'freez')}: unknown field `phases.freez`"
    bad = tmp_path / "broken.yaml"
    bad.write_text("- id: x\n  phases: [\n", "utf-8")
    assert _error(bad).startswith(f"{bad}:line ") and "not valid YAML" in _error(bad)
    missing = tmp_path / "nope.yaml"
    assert _error(missing) == f"{missing}:line 1: file not found"
    dup = write_proposals(tmp_path, shipped("hanoi-dprk-offer"), name="dup.yaml")
    assert (
        _error(dup)
        == f"{dup}:line 1: proposal id 'hanoi-dprk-offer' is already used in proposals.yaml"
    )


def test_asset_tied_to_a_site_the_parameters_lack() -> None:
    _, problems = check_roadmap(params=load_parameters(SIMPLE_PARAMS))
    messages = [str(p) for p in problems]
    assert any(
        m.startswith("assets.yaml:line ")
        and "asset yongbyon-uep: the arsenal parameters have no enrichment site 'yongbyon'" in m
        for m in messages
    ), messages


def test_lookups_suggest_close_ids() -> None:
    rm = load_roadmap()
    assert rm.proposal("hanoi-dprk-offer").date.isoformat() == "2019-02-28"
    with pytest.raises(UnknownRoadmapItem, match="did you mean hanoi-dprk-offer"):
        rm.proposal("hanoi-dprk-ofer")
    assets, activities = rm.members(rm.definition("dprk-peninsula"))
    assert "us-extended-deterrence" in {a.id for a in assets}
    assert "tels-icbm" not in {a.id for a in assets}  # the DPRK's formula leaves missiles out
    assert {a.id for a in activities} == {
        "nuclear-testing",
        "us-strategic-deployments",
        "us-rok-exercises",
    }
