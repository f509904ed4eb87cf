"""The parameter file: what ships, how it is validated, how overrides work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dprkwatch.arsenal import ParameterError, UnknownParameter, load_parameters
from dprkwatch.arsenal.parameters import Range
from tests.arsenal.factory import SIMPLE, write_edited


def test_shipped_file_loads_with_sources_for_every_range() -> None:
    params = load_parameters()
    ranges = params.ranges()
    # The quantities issue 6 names are all there.
    for pid in (
        "reactor.pu_kg_per_year",
        "reactor.initial.capacity_factor",
        "reactor.restart_2013.capacity_factor",
        "reprocessing.tail_lag_years",
        "elwr.pu_kg_per_year",
        "enrichment.swu_per_machine_year",
        "enrichment.kangson.presence",
        "enrichment.yongbyon.doubled.centrifuges",
        "conversion.pu_kg_per_weapon",
        "conversion.heu_kg_per_weapon",
        "conversion.utilisation",
        "tests.t2017.heu_kg",
    ):
        assert pid in ranges, pid
    assert (
        ranges["conversion.pu_kg_per_weapon"].lo == 4
        and ranges["conversion.pu_kg_per_weapon"].hi == 8
    )
    assert (
        ranges["conversion.heu_kg_per_weapon"].lo == 15
        and ranges["conversion.heu_kg_per_weapon"].hi == 25
    )
    sources = params.file.sources
    for pid, r in ranges.items():
        assert all(key in sources for key in r.source), pid
        # A range with no source must say why in a note (judgement or recalled figure).
        assert r.source or r.note or r.confidence in ("low", "unverified"), pid
    # The two freezes are gaps between operating periods.
    periods = {p.id: p for p in params.file.reactor.periods}
    assert periods["initial"].end is not None and periods["initial"].end.year == 1994
    assert periods["restart_2003"].start.year == 2003
    assert periods["restart_2005"].end is not None and periods["restart_2005"].end.year == 2007
    assert periods["restart_2013"].start.year == 2013
    assert len(params.file.tests) == 6
    assert params.file.event_dates()["singapore"].isoformat() == "2018-06-12"


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return edit


BAD_FILES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "low above high",
        _set(
            ["reactor", "periods", 0, "capacity_factor"],
            {"value": 0.5, "low": 0.9, "high": 0.4, "unit": "fraction", "confidence": "low"},
        ),
        "reactor.only.capacity_factor",
        "low (0.9) is above high (0.4)",
    ),
    (
        "negative rate",
        _set(["reactor", "pu_kg_per_year", "value"], -6),
        "reactor.pu_kg_per_year",
        "must not be negative",
    ),
    (
        "fraction above one",
        _set(
            ["enrichment", "heu_share"],
            {"value": 1, "low": 0.5, "high": 1.5, "unit": "fraction", "confidence": "low"},
        ),
        "enrichment.heu_share",
        "cannot exceed 1",
    ),
    (
        "value outside its range",
        _set(
            ["conversion", "pu_kg_per_weapon"],
            {"value": 9, "low": 4, "high": 8, "unit": "kg/weapon", "confidence": "medium"},
        ),
        "conversion.pu_kg_per_weapon",
        "outside low..high",
    ),
    (
        "unknown field",
        _set(["conversion", "kilotons"], 5),
        "conversion",
        "unknown field 'kilotons'",
    ),
    (
        "missing field",
        lambda d: d["conversion"].pop("utilisation"),
        "conversion",
        "missing field 'utilisation'",
    ),
    (
        "unknown source key",
        _set(["reactor", "pu_kg_per_year", "source"], ["nowhere2019"]),
        "reactor.pu_kg_per_year",
        "unknown source 'nowhere2019'",
    ),
    (
        "overlapping periods",
        lambda d: d["reactor"]["periods"].append(
            {
                "id": "again",
                "start": "2005-01-01",
                "end": "2012-01-01",
                "capacity_factor": {"value": 0.5, "unit": "fraction", "confidence": "low"},
            }
        ),
        "reactor.again",
        "overlaps period only",
    ),
    (
        "period ends before it starts",
        _set(["reactor", "periods", 0, "end"], "1995-01-01"),
        "reactor.only",
        "is not before end",
    ),
    (
        "test outside the horizon",
        _set(["tests", 0, "date"], "2040-01-01"),
        "tests.t1.date",
        "outside the horizon",
    ),
    (
        "test missing its material",
        lambda d: d["tests"][0].pop("pu_kg"),
        "tests.t1",
        "needs pu_kg",
    ),
    (
        "bad date",
        _set(["horizon", "start"], "1990-02-30"),
        "horizon.start",
        "",
    ),
    (
        "unknown confidence flag",
        _set(["reactor", "pu_kg_per_year", "confidence"], "certain"),
        "reactor.pu_kg_per_year.confidence",
        "",
    ),
    (
        "wrong schema",
        _set(["schema"], "something/2"),
        "schema",
        "unsupported schema",
    ),
]


@pytest.mark.parametrize(
    ("label", "edit", "where", "problem"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_files_fail_naming_the_parameter(
    tmp_path: Path, label: str, edit: Callable[[dict[str, Any]], None], where: str, problem: str
) -> None:
    path = write_edited(tmp_path, edit)
    with pytest.raises(ParameterError) as info:
        load_parameters(path)
    message = str(info.value)
    assert message.startswith(f"params.yaml:{where}:"), message
    assert problem in message
    assert "\n" not in message


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="file not found"):
        load_parameters(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema: dprkwatch.arsenal/1\nreactor: [unclosed\n", "utf-8")
    with pytest.raises(ParameterError, match=r"broken.yaml:line \d+: not valid YAML"):
        load_parameters(broken)
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n", "utf-8")
    with pytest.raises(ParameterError, match="mapping at the top level"):
        load_parameters(listy)


def test_overrides_replace_ranges_without_touching_the_original() -> None:
    params = load_parameters(SIMPLE)
    fixed = params.with_overrides({"conversion.pu_kg_per_weapon": "4"})
    assert fixed.range("conversion.pu_kg_per_weapon") == Range(
        value=4, low=4, high=4, unit="kg/weapon", confidence="high"
    )
    assert params.range("conversion.pu_kg_per_weapon").value == 5

    widened = params.with_overrides({"conversion.pu_kg_per_weapon": "4..8"})
    r = widened.range("conversion.pu_kg_per_weapon")
    assert (r.lo, r.value, r.hi) == (4, 5, 8)  # the old value still fits, so it stays the mode
    shifted = params.with_overrides({"conversion.pu_kg_per_weapon": "6..8"})
    assert (
        shifted.range("conversion.pu_kg_per_weapon").value == 7
    )  # midpoint when the old value falls outside
    three = params.with_overrides({"conversion.pu_kg_per_weapon": "4..6..8", "elwr.enabled": "yes"})
    assert three.range("conversion.pu_kg_per_weapon").value == 6
    assert three.file.elwr.enabled and not params.file.elwr.enabled
    assert (
        params.with_overrides({"conversion.utilisation": 0.7}).range("conversion.utilisation").value
        == 0.7
    )


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        (
            {"conversion.pu_kg_per_weapn": "4"},
            UnknownParameter,
            "unknown parameter 'conversion.pu_kg_per_weapn'; did you mean conversion.pu_kg_per_weapon",
        ),
        ({"nothing.like.this": "4"}, UnknownParameter, "arsenal parameters"),
        (
            {"conversion.pu_kg_per_weapon": "8..4"},
            ParameterError,
            "conversion.pu_kg_per_weapon: low (8) is above high (4)",
        ),
        ({"conversion.pu_kg_per_weapon": "-3"}, ParameterError, "must not be negative"),
        (
            {"conversion.pu_kg_per_weapon": "five"},
            ParameterError,
            "conversion.pu_kg_per_weapon: expected a number, got 'five'",
        ),
        ({"conversion.utilisation": "1..2"}, ParameterError, "cannot exceed 1"),
        ({"elwr.enabled": "maybe"}, ParameterError, "elwr.enabled: expected true or false"),
        (
            {"enrichment.main.presence": "0.2..0.4"},
            ParameterError,
            "a probability takes one number",
        ),
    ],
)
def test_bad_overrides_name_the_parameter(
    overrides: dict[str, str], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        load_parameters(SIMPLE).with_overrides(overrides)
    assert message in str(info.value)


def test_variants_name_their_overrides_and_are_checked(tmp_path: Path) -> None:
    shipped = load_parameters()
    assert shipped.variant("elwr-on") == {"elwr.enabled": "true"}
    assert shipped.variant("Four-Sites") == {"enrichment.other.presence": "1"}
    with pytest.raises(ParameterError, match=r"unknown variant 'nope'; known: elwr-on"):
        shipped.variant("nope")
    bad = write_edited(
        tmp_path, _set(["variants"], {"x": {"title": "t", "set": {"reactor.nope": 1}}})
    )
    with pytest.raises(ParameterError, match=r"variants.x: unknown parameter 'reactor.nope'"):
        load_parameters(bad)
    bad = write_edited(
        tmp_path,
        _set(
            ["variants"], {"x": {"title": "t", "source": ["nowhere"], "set": {"elwr.enabled": 1}}}
        ),
    )
    with pytest.raises(ParameterError, match=r"variants.x: unknown source 'nowhere'"):
        load_parameters(bad)


def test_a_site_never_present_is_not_drawn() -> None:
    # Drawing its centrifuges would shift every later parameter's random stream.
    shipped = load_parameters()
    pid = "enrichment.other.reported.centrifuges"
    assert not shipped.ranges()[pid].fixed and shipped.sampled_ranges()[pid].fixed
    on = shipped.with_overrides(shipped.variant("four-sites"))
    assert not on.sampled_ranges()[pid].fixed
