"""Rules: GFW defaults, overrides from --set and files, and one-line errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprkwatch.maritime import RuleError, Rules


def test_defaults_are_the_published_gfw_numbers() -> None:
    r = Rules()
    assert (r.max_speed_knots, r.max_gap_hours) == (30.0, 24.0)
    assert (r.encounter_max_km, r.encounter_min_hours, r.slow_knots, r.encounter_port_km) == (
        0.5,
        2.0,
        2.0,
        10.0,
    )
    assert r.encounter_merge_hours == 4.0
    assert (r.loiter_min_hours, r.loiter_port_nm) == (4.0, 20.0)
    assert (r.gap_min_hours, r.gap_port_nm) == (12.0, 50.0)
    assert (r.port_entry_km, r.port_exit_km) == (3.0, 4.0)
    assert r.loiter_port_km == pytest.approx(37.04) and r.gap_port_km == pytest.approx(92.6)
    described = {row["name"]: row for row in Rules.describe()}
    assert set(described) == set(r.to_dict())
    assert (
        "GFW" in described["encounter_max_km"]["origin"]
        and "dprkwatch" in described["spoofing_min_jumps"]["origin"]
    )


def test_assignments_change_only_what_they_name() -> None:
    r = Rules().with_assignments(["encounter_max_km=0.3", " spoofing_min_jumps = 8 "])
    assert r.encounter_max_km == 0.3 and r.spoofing_min_jumps == 8
    assert r.loiter_min_hours == Rules().loiter_min_hours


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("encounter_max_kn=1", "--set:encounter_max_kn: unknown rule"),
        ("encounter_max_km=near", "--set:encounter_max_km: expected a number, got 'near'"),
        ("encounter_max_km=-1", "--set:encounter_max_km: must be positive, got -1.0"),
        ("spoofing_min_jumps=2.5", "--set:spoofing_min_jumps: expected a whole number, got '2.5'"),
        (
            "encounter_bucket_minutes=7",
            "--set:encounter_bucket_minutes: must be a whole number of minutes that divides a day",
        ),
        ("port_entry_km=5", "--set:port_entry_km: port_entry_km (5.0) exceeds port_exit_km (4.0)"),
        ("max_gap_hours=nan", "--set:max_gap_hours: must be finite"),
        ("novalue", "--set: expected name=value, got 'novalue'"),
    ],
)
def test_bad_assignments_name_the_rule(assignment: str, message: str) -> None:
    with pytest.raises(RuleError) as err:
        Rules().with_assignments([assignment])
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_rules_from_yaml_and_json(tmp_path: Path) -> None:
    y = tmp_path / "rules.yaml"
    y.write_text("loiter_min_hours: 6\nslow_knots: 1.5\n", encoding="utf-8")
    assert Rules.from_file(y).loiter_min_hours == 6.0
    j = tmp_path / "rules.json"
    j.write_text('{"gap_min_hours": 8}', encoding="utf-8")
    assert Rules.from_file(j).gap_min_hours == 8.0
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert Rules.from_file(empty) == Rules()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "loiter_min_hours: [1, 2\n", "not valid YAML"),
        ("bad.json", "{", "not valid JSON"),
        ("list.yaml", "- 1\n- 2\n", "expected a mapping"),
        ("unknown.yaml", "loiter_hours: 3\n", "loiter_hours: unknown rule"),
        ("zero.yaml", "slow_knots: 0\n", "slow_knots: must be positive"),
    ],
)
def test_bad_rule_files_name_file_and_problem(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as err:
        Rules.from_file(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_missing_rules_file() -> None:
    with pytest.raises(RuleError, match=r"rules\.yaml: file not found"):
        Rules.from_file(Path("/nonexistent/rules.yaml"))
