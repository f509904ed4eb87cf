"""Resolution on small hand-written lists: links, judgements, stable ids, crashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from dprkwatch.forking import fork_is_safe
from dprkwatch.resolution import (
    ContradictoryJudgement,
    JudgementError,
    NotResolved,
    ResolutionStore,
    run,
)
from dprkwatch.resolution import evidence as evidence_mod
from dprkwatch.resolution import relevance as relevance_mod
from dprkwatch.resolution.records import Listing
from dprkwatch.resolution.review import decide, queue
from tests.resolution.factory import RI_SU_YONG, write_lists


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_lists(tmp_path)
    return tmp_path


def test_one_man_on_four_lists_is_one_target(home: Path) -> None:
    res = run(home, workers=1)
    target = res.targets[res.target_of("ofac-21735") or ""]
    assert sorted(target.members) == ["eu-112358", "ofac-21735", "uk-DPR0268", "un-KPi.052"]
    methods = {c.method for c in target.links}
    assert {"reference", "identifier", "matching"} <= methods
    reference = next(c for c in target.links if c.method == "reference")
    assert "carries UN reference KPi.052" in reference.evidence[0]
    described = res.describe(target)
    assert described["lists"] == ["eu", "ofac", "uk", "un"]
    assert described["caption"] == "RI SU YONG"


def test_namesakes_with_different_birth_years_go_to_review(home: Path) -> None:
    res = run(home, workers=1)
    assert res.target_of("ofac-19498") == res.target_of("un-KPi.013")
    assert res.target_of("eu-105411") != res.target_of("un-KPi.013")
    pairs = {(r.candidate.a, r.candidate.b): r.reason for r in res.review}
    assert "birth_date" in pairs[("eu-105411", "un-KPi.013")]
    page = queue(home)
    assert page["total"] == len(res.review)
    assert page["items"][0]["records"][0]["caption"]


def test_npwmd_entry_is_dprk_relevant_and_says_why(home: Path) -> None:
    res = run(home, workers=1)
    kinds = {e[0] for e in res.dprk[res.target_of("ofac-21735") or ""] if e[1] == "ofac-21735"}
    assert {"nationality", "remarks", "link"} <= kinds
    assert res.target_of("ofac-555") not in res.dprk
    assert res.stats["dprk_evidence"]["nationality"] >= 1


def test_decisions_apply_on_the_next_run_and_survive_re_runs(home: Path) -> None:
    run(home, workers=1)
    decide(home, "eu-105411", "ofac-19498", "same", user="analyst", note="checked passport")
    decide(home, "ofac-21735", "uk-DPR0268", "different", user="analyst")
    res = run(home, workers=1)
    assert res.target_of("eu-105411") == res.target_of("ofac-19498")
    assert res.target_of("ofac-21735") != res.target_of("uk-DPR0268")
    again = run(home, workers=1, full=True)
    assert again.target_of("eu-105411") == again.target_of("ofac-19498")
    assert again.target_of("ofac-21735") != again.target_of("uk-DPR0268")
    assert not any(r.candidate.key == ("eu-105411", "ofac-19498") for r in again.review)
    log = ResolutionStore(home).judgements()
    assert [j.decision for j in log.history] == ["same", "different"]
    assert log.history[0].note == "checked passport"


def test_changing_ones_mind_keeps_the_audit_trail(home: Path) -> None:
    run(home, workers=1)
    decide(home, "eu-105411", "ofac-19498", "same", user="a")
    decide(home, "ofac-19498", "eu-105411", "unsure", user="b")
    log = ResolutionStore(home).judgements()
    assert len(log.history) == 2
    assert log.current()[("eu-105411", "ofac-19498")].decision == "unsure"


def test_contradictory_judgements_are_refused_naming_the_three_ids(home: Path) -> None:
    run(home, workers=1)
    decide(home, "eu-105411", "ofac-19498", "same", user="a")
    decide(home, "ofac-19498", "un-KPi.013", "same", user="a")
    with pytest.raises(ContradictoryJudgement) as err:
        decide(home, "eu-105411", "un-KPi.013", "different", user="a")
    message = str(err.value)
    for rid in ("eu-105411", "ofac-19498", "un-KPi.013"):
        assert rid in message
    assert "\n" not in message
    assert len(ResolutionStore(home).judgements().history) == 2


def test_bad_judgements_are_refused(home: Path) -> None:
    run(home, workers=1)
    with pytest.raises(JudgementError, match="no listing with id 'ofac-1'"):
        decide(home, "ofac-1", "un-KPi.013", "same", user="a")
    with pytest.raises(JudgementError, match="unknown decision"):
        decide(home, "ofac-19498", "un-KPi.013", "maybe", user="a")
    with pytest.raises(JudgementError, match="two different ids"):
        decide(home, "ofac-19498", "ofac-19498", "same", user="a")


def test_judgement_about_a_delisted_id_is_kept_and_reported(home: Path) -> None:
    run(home, workers=1)
    decide(home, "eu-105411", "ofac-19498", "same", user="a")
    lists = {k: list(v) for k, v in RI_SU_YONG.items()}
    lists["ofac"] = [r for r in lists["ofac"] if r[0] != "19498"]
    write_lists(home, lists, published="2024-02-01")
    res = run(home, workers=1)
    assert res.stats["orphan_judgements"] == 1
    assert res.orphans[0]["missing"] == ["ofac-19498"]
    assert len(ResolutionStore(home).judgements().history) == 1
    # The delisted entry still resolves to the target it belonged to.
    assert res.target_of("ofac-19498") is not None


def test_canonical_ids_are_stable_across_list_updates(home: Path) -> None:
    first = run(home, workers=1)
    ri = first.target_of("un-KPi.052")
    lists = {k: list(v) for k, v in RI_SU_YONG.items()}
    lists["ofac"] = [r for r in lists["ofac"] if r[0] != "21735"]  # OFAC delists him
    lists["un"] = [*lists["un"], ("KPi.099", "Person", {"name": ["PAK NEW"]}, {})]
    write_lists(home, lists, published="2024-03-01")
    second = run(home, workers=1)
    assert second.target_of("un-KPi.052") == ri
    assert second.target_of("eu-112358") == ri
    assert second.target_of("ofac-21735") == ri  # as last resolved
    assert second.target_of("un-KPi.013") == first.target_of("un-KPi.013")


def test_re_run_screens_only_changed_listings(home: Path) -> None:
    first = run(home, workers=1)
    assert first.stats["incremental"] is False
    again = run(home, workers=1)
    assert again.stats["incremental"] is True
    assert again.stats["screened"] == 0
    assert again.listings == first.listings
    lists = {k: list(v) for k, v in RI_SU_YONG.items()}
    lists["uk"] = [*lists["uk"], ("DPR0006", "Person", {"name": ["CHOE CHUN SIK"]}, {})]
    write_lists(home, lists, published="2024-02-01")
    third = run(home, workers=1)
    assert third.stats["changed"] == 1
    assert third.stats["screened"] == 1
    assert third.target_of("uk-DPR0006") is not None


def test_screening_on_forked_workers_finds_what_one_process_finds(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not fork_is_safe():
        pytest.skip("this process may not fork")
    alone = run(home, workers=1, full=True)
    monkeypatch.setattr(evidence_mod, "PARALLEL_MIN_TASKS", 0)
    monkeypatch.setattr(evidence_mod, "_CHUNK", 2)  # several chunks, in order
    pooled = run(home, workers=2, full=True)
    assert pooled.stats["screened"] == alone.stats["screened"] >= 5
    assert pooled.candidates == alone.candidates
    assert pooled.targets == alone.targets and pooled.review == alone.review


def test_re_run_keeps_the_dprk_evidence_of_unchanged_listings(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run(home, workers=1)
    searched: list[str] = []
    original = relevance_mod.direct_evidence

    def counting(rec: Listing) -> list[relevance_mod.Evidence]:
        searched.append(rec.id)
        return original(rec)

    monkeypatch.setattr(relevance_mod, "direct_evidence", counting)
    again = run(home, workers=1)
    assert searched == []
    assert again.dprk == first.dprk
    lists = {k: list(v) for k, v in RI_SU_YONG.items()}
    lists["uk"] = [
        *lists["uk"],
        ("DPR0006", "Person", {"name": ["CHOE CHUN SIK"], "nationality": ["kp"]}, {}),
    ]
    write_lists(home, lists, published="2024-02-01")
    third = run(home, workers=1)
    assert searched == ["uk-DPR0006"]
    assert ["nationality", "uk-DPR0006", "kp"] in third.dprk[third.target_of("uk-DPR0006") or ""]


def test_resolution_reads_stored_lists_without_followthemoney() -> None:
    """FollowTheMoney's model takes about a second to load; the resolve
    commands import it only when a query must be cleaned or a list parsed."""
    code = (
        "import sys, dprkwatch.cli.resolve, dprkwatch.resolution.resolver; "
        "print('followthemoney' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_crash_during_resolution_leaves_the_previous_resolution(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(home, workers=1)
    store = ResolutionStore(home)
    before = store.state_path.read_bytes()

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("crash in the middle of a run")

    monkeypatch.setattr(relevance_mod, "assess", boom)
    with pytest.raises(RuntimeError):
        run(home, workers=1, full=True)
    assert store.state_path.read_bytes() == before
    assert not list(store.root.glob(".*.tmp"))


def test_unreadable_state_is_one_line_error(home: Path) -> None:
    from dprkwatch.resolution import ResolutionError

    with pytest.raises(NotResolved, match="resolve run"):
        ResolutionStore(home).load()
    run(home, workers=1)
    store = ResolutionStore(home)
    store.state_path.write_bytes(b"{not json")
    with pytest.raises(ResolutionError, match=r"state\.json: unreadable resolution state"):
        store.load()


def test_state_file_names_every_listing(home: Path) -> None:
    run(home, workers=1)
    data = orjson.loads(ResolutionStore(home).state_path.read_bytes())
    assert set(data["listings"]) == {
        f"{name}-{rec[0]}" for name, recs in RI_SU_YONG.items() for rec in recs
    }
