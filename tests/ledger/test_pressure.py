"""The pressure index: dating windows, coverage, baseline, quarter rows."""

from __future__ import annotations

from datetime import date

from dprkwatch.ledger import build_index, load_ledger
from dprkwatch.ledger.pressure import EPOCH, Window, merge_windows, to_window
from dprkwatch.ledger.timeline import curated_events
from tests.ledger.factory import designation, launch


def _window(*args: object, **kw: object) -> Window:
    w = to_window(*args, **kw)  # type: ignore[arg-type]
    assert w is not None
    return w


def test_windows_by_basis() -> None:
    listed = _window(designation("un", "a", "2017-08-05"), ())
    assert (listed.first, listed.last, listed.quarter) == (
        date(2017, 8, 5),
        date(2017, 8, 5),
        "2017-Q3",
    )
    floor = _window(designation("ofac", "b", "2019-01", "on_or_before"), ())
    assert floor.first == EPOCH and floor.quarter is None
    seen = _window(
        designation("ofac", "c", "2021-07", "first_seen"), [date(2019, 1, 1), date(2021, 7, 1)]
    )
    assert (seen.first, seen.last, seen.quarter) == (date(2019, 1, 2), date(2021, 7, 31), None)
    daily = _window(designation("ofac", "d", "2022-12-01", "first_seen"), (), daily=True)
    assert (daily.first, daily.quarter) == (date(2022, 11, 30), "2022-Q4")


def test_merge_intersects_sources() -> None:
    a = _window(
        designation("ofac", "x", "2024-05-03", "first_seen"), [date(2021, 7, 1), date(2024, 5, 3)]
    )
    b = _window(designation("ofac", "x", "2022-12-01", "first_seen"), (), daily=True)
    merged, warnings = merge_windows([a, b])
    assert warnings == [] and len(merged) == 1
    assert (merged[0].first, merged[0].last) == (date(2022, 11, 30), date(2022, 12, 1))


def test_quarters_coverage_and_baseline() -> None:
    ledger = load_ledger()
    items = [
        designation("un", "u1", "2017-08-05"),
        designation("un", "u2", "2017-08-05"),
        designation("un", "u3", "2018-03-30"),
        designation("un", "x", "2017-09-11", dprk=False),  # not DPRK: ignored
        designation("ofac", "o1", "2019-01", "on_or_before"),
        designation("ofac", "o2", "2021-07", "first_seen"),
    ]
    versions = {"un": [date(2021, 1, 27)], "ofac": [date(2019, 1, 1), date(2021, 7, 1)]}
    events = [*curated_events(ledger), launch("2017-08-25"), launch("2017-09-14")]
    index = build_index(
        ledger,
        items,
        events,
        versions=versions,
        launch_coverage=(date(1984, 4, 9), date(2026, 4, 18)),
        start=date(2017, 7, 1),
        end=date(2018, 6, 30),
    )
    assert index.lists == ["un", "ofac"]
    rows = {r.quarter: r for r in index.rows}
    assert rows["2017-Q3"].designations == {"un": 2, "ofac": None}
    assert rows["2018-Q1"].designations["un"] == 1
    assert rows["2018-Q2"].designations["un"] == 0  # covered, and nothing listed: a real zero
    assert rows["2017-Q3"].launches == 2 and rows["2017-Q3"].nuclear_tests == 1
    assert rows["2018-Q2"].diplomacy >= 3  # Panmunjom, Pompeo, Singapore...
    assert rows["2017-Q4"].ofac_actions == 10 + 34 + 2  # OFAC actions of 10-26, 11-21, 12-26
    assert index.baseline == {"ofac": (1, "2019-01-31")}
    assert index.unplaced == {"ofac": 1}
    # UN coverage starts at the earliest listing in the data, so July 2017 is not covered.
    assert index.count("un", date(2017, 7, 1), date(2017, 12, 31)) == (2, False)
    assert index.count("un", date(2017, 8, 5), date(2017, 12, 31)) == (2, True)
    assert index.count("ofac", date(2017, 7, 1), date(2017, 12, 31)) == (None, False)


def test_daily_history_covers_quarters() -> None:
    ledger = load_ledger()
    daily = [
        designation("ofac", "d1", "2021-08-18", "on_or_before"),
        designation("ofac", "d2", "2022-12-01", "first_seen"),
    ]
    index = build_index(
        ledger,
        [],
        [],
        daily=daily,
        daily_spans={"ofac": [(date(2021, 8, 18), date(2024, 5, 3))]},
        start=date(2021, 7, 1),
        end=date(2024, 6, 30),
    )
    rows = {r.quarter: r for r in index.rows}
    assert "2021-Q2" not in rows  # before the range start
    assert rows["2021-Q3"].designations["ofac"] == 0 and rows["2021-Q3"].partial["ofac"]
    assert rows["2022-Q4"].designations["ofac"] == 1 and not rows["2022-Q4"].partial["ofac"]
    assert rows["2024-Q2"].partial["ofac"]
    assert rows["2022-Q4"].launches is None  # no launch data at all
    short = build_index(
        ledger,
        [],
        [launch("2017-08-25")],
        launch_coverage=(date(2017, 1, 1), date(2017, 8, 31)),
        start=date(2017, 1, 1),
        end=date(2017, 12, 31),
    )
    assert [r.launches for r in short.rows] == [0, 0, None, None]  # Q3 only partly covered
    assert any("No CNS missile data" in n for n in index.notes)


def test_targets_count_one_man_on_four_lists_once() -> None:
    items = [
        designation("un", "un-1", "2017-06-02"),
        designation("eu", "eu-1", "2017-06-09"),
        designation("uk", "uk-1", "2017-06-02"),
        designation("ofac", "ofac-1", "2017-06-20", "first_seen"),
        designation("eu", "eu-2", "2017-08-01"),  # listed by the EU alone
        designation("eu", "eu-3", "2017-09-30"),  # the EU first, the UK a quarter later:
        designation("uk", "uk-3", "2017-10-02"),  # one target, counted in 2017-Q3
        designation("ofac", "ofac-4", "2017-01", "on_or_before"),  # OFAC may have been first
        designation("un", "un-4", "2017-10-05"),
        designation("ofac", "ofac-5", "2017-01", "on_or_before"),  # OFAC alone: the baseline
    ]
    versions = {"ofac": [date(2017, 1, 1), date(2017, 6, 10), date(2017, 6, 20)]}
    targets = {
        "un-1": "dw-ri",
        "eu-1": "dw-ri",
        "uk-1": "dw-ri",
        "ofac-1": "dw-ri",
        "eu-3": "dw-3",
        "uk-3": "dw-3",
        "ofac-4": "dw-4",
        "un-4": "dw-4",
    }  # eu-2 was never resolved: it stands alone
    ledger = load_ledger()
    kw = {"versions": versions, "start": date(2017, 4, 1), "end": date(2017, 12, 31)}
    index = build_index(ledger, items, [], targets=targets, **kw)  # type: ignore[arg-type]
    rows = {r.quarter: r for r in index.rows}
    q2, q3, q4 = rows["2017-Q2"], rows["2017-Q3"], rows["2017-Q4"]
    # The per-list view is kept: each list counts its own designations.
    assert (q2.designations["un"], q2.designations["eu"], q2.designations["uk"]) == (1, 1, 1)
    assert q2.designations["ofac"] == 1
    assert q2.targets == 1  # RI Su Yong's four listings
    assert q3.targets == 2  # eu-2 alone, and dw-3 (EU in Q3 before the UK in Q4)
    assert q4.targets == 1 and q4.designations == {"un": 1, "eu": None, "uk": 1, "ofac": None}
    assert any("targets: 1 already listed in the oldest versions" in n for n in index.notes)
    # dw-4 (UN 2017-10-05, OFAC undated): the undated listing is set aside, and said so.
    assert any("targets: 1 are dated by their first dated listing" in n for n in index.notes)
    assert q3.targets_partial  # the OFAC versions do not date 2017-Q3
    without = build_index(ledger, items, [], **kw)  # type: ignore[arg-type]
    assert all(r.targets is None for r in without.rows)
    assert any("No resolution run" in n for n in without.notes)
    assert [r.designations for r in without.rows] == [r.designations for r in index.rows]
