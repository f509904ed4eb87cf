"""Dataset names: OpenSanctions' names for our lists, collections, and yente's filter rules."""

from __future__ import annotations

import pytest

from dprkwatch.service.datasets import Datasets, catalog_etag, etag_matches, source_name
from dprkwatch.service.exceptions import UnknownDataset

LOADED = ["eu", "ftm_zala", "ofac", "ofac_cons", "un"]


def test_every_list_has_its_opensanctions_name() -> None:
    assert [source_name(n) for n in LOADED] == [
        "eu_fsf", "zala", "us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions",
    ]  # fmt: skip
    assert source_name("uk") == "gb_hmt_sanctions"


def test_sources_collections_and_aliases_choose_lists() -> None:
    ds = Datasets(LOADED)
    assert ds.get("us_ofac_sdn").lists(LOADED) == ["ofac"]
    assert ds.get("ofac").lists(LOADED) == ["ofac", "ofac_cons"]
    assert ds.get("zala").lists(LOADED) == ["ftm_zala"]
    assert ds.get("sanctions").lists(LOADED) == LOADED
    assert ds.get("gb_fcdo_sanctions").lists([*LOADED, "uk"]) == ["uk"]
    assert ds.get("gb_hmt_sanctions").lists(LOADED) == []  # known, but not loaded: empty
    assert not ds.get("zala").is_collection and ds.get("default").is_collection
    with pytest.raises(UnknownDataset, match="unknown dataset 'banana'"):
        ds.get("banana")


def test_an_ftm_import_under_one_of_our_names_joins_it() -> None:
    ds = Datasets(["eu", "ftm_eu_fsf"])
    assert ds.get("eu_fsf").lists(["eu", "ftm_eu_fsf"]) == ["eu", "ftm_eu_fsf"]


def test_filters_follow_yente_unknown_names_filter_and_exclude_wins() -> None:
    ds = Datasets(LOADED)
    default = ds.get("default")
    assert ds.select(default, include=["mx_governors"]) == []
    assert ds.select(default, exclude=["mx_governors"]) == LOADED
    assert ds.select(default, include=["zala", "ae_local_terrorists"]) == ["ftm_zala"]
    assert ds.select(default, include=["zala", "un"], exclude=["zala"]) == ["un"]
    assert ds.select(default, include=["ofac_cons"]) == ["ofac_cons"]  # a list name works too
    assert ds.select(ds.get("un"), include=["us_ofac_sdn"]) == []


def test_catalog_etag_changes_with_versions_and_matches_if_none_match() -> None:
    doc = {"datasets": [{"name": "un", "version": "a", "algorithm": "x"}]}
    tag = catalog_etag(doc)
    assert tag.startswith('"') and tag == catalog_etag(doc)
    assert tag != catalog_etag({"datasets": [{"name": "un", "version": "b", "algorithm": "x"}]})
    assert etag_matches(tag, tag) and etag_matches(f'"stale", {tag}', tag)
    assert etag_matches("*", tag) and etag_matches(f"W/{tag}", tag)
    assert not etag_matches('"stale"', tag) and not etag_matches(None, tag)
