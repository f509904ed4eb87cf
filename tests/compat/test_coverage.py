"""Every test of yente's own suite is mirrored here, or documented as an intended difference.

The names below are the test functions of yente 5.5's ``test_app.py``,
``test_base.py``, ``test_entity.py``, ``test_match.py``,
``test_reconcile.py`` and ``test_search.py`` (the files that test yente's
HTTP behaviour; the rest test its Elasticsearch indexer and data loader,
which dprkwatch does not have). A test of this suite names the yente tests
whose behaviour it checks with ``@mirrors``; a yente test left out must
appear in the intended-differences table of ``docs/service.md`` with the
reason. A new yente test added to the list without either fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

import tests.compat

YENTE_TESTS: dict[str, tuple[str, ...]] = {
    "test_app.py": (
        "test_redoc_has_sri",
        "test_match_without_content_type_header",
        "test_max_url_length_rejects_oversized_query",
        "test_max_url_length_allows_normal_query",
    ),
    "test_base.py": (
        "test_healthz",
        "test_readyz",
        "test_manifest",
        "test_algorithms",
        "test_algorithms_hidden",
        "test_catalog",
        "test_updatez_get",
        "test_updatez_no_token_configured",
        "test_updatez_no_token",
        "test_updatez_with_token",
    ),
    "test_entity.py": (
        "test_entity_404",
        "test_entity_fetch",
        "test_entity_not_nested",
        "test_entity_nested",
        "test_adjacent",
        "test_adjacent_limit",
        "test_adjacent_offset",
        "test_adjacent_prop",
        "test_adjacent_prop_limit",
        "test_adjacent_prop_offset",
    ),
    "test_match.py": (
        "test_match_zakharov",
        "test_match_zakharov_name_based_mode",
        "test_match_no_schema",
        "test_match_many_names_logic_v1",
        "test_match_many_names",
        "test_match_exclude_dataset",
        "test_match_include_dataset",
        "test_match_logic_v2_with_algorithm_config",
        "test_filter_topic",
        "test_id_pass_through",
        "test_match_name_without_spaces",
        "test_fuzzy_names",
        "test_match_numeric_property_value",
        "test_exclude_entity_ids",
    ),
    "test_reconcile.py": (
        "test_reconcile_metadata",
        "test_reconcile_post_query",
        "test_reconcile_post_extend",
        "test_reconcile_invalid",
        "test_reconcile_suggest_entity_no_prefix",
        "test_reconcile_suggest_entity_prefix",
        "test_reconcile_suggest_entity_prefix_dummy",
        "test_reconcile_suggest_property_no_prefix",
        "test_reconcile_suggest_property_prefix",
        "test_reconcile_suggest_property_prefix_dummy",
        "test_reconcile_suggest_type_no_prefix",
        "test_reconcile_suggest_type_prefix",
        "test_reconcile_suggest_type_prefix_dummy",
        "test_reconcile_extend_properties",
        "test_reconcile_extend_properties_invalid_type",
    ),
    "test_search.py": (
        "test_search_zakharov",
        "test_search_no_query",
        "test_search_invalid_query",
        "test_search_missing_dataset",
        "test_search_filter_schema_invalid",
        "test_search_filter_schema_remove",
        "test_search_filter_exclude_schema",
        "test_search_filter_exclude_dataset",
        "test_search_filter_include_dataset",
        "test_search_filter_changed_since",
        "test_search_filter_schema_keep",
        "test_search_filter_countries_remove",
        "test_search_filter_countries_operator",
        "test_search_filter",
        "test_search_facet_datasets_default",
        "test_search_facet_datasets_spenden",
        "test_search_facet_countries",
        "test_search_facet_topics",
        "test_search_facet_schema",
        "test_search_facet_parameter",
        "test_search_no_targets",
        "test_search_sorted",
        "test_search_zakharov_scope",
        "test_search_limit",
        "test_search_offset",
        "test_search_range_offset",
        "test_search_range_limit",
    ),
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "service.md"


def _mirrored() -> set[str]:
    found: set[str] = set()
    for info in pkgutil.iter_modules(tests.compat.__path__):
        if not info.name.startswith("test_"):
            continue
        module = importlib.import_module(f"tests.compat.{info.name}")
        for value in vars(module).values():
            names: Any = getattr(value, "__yente_tests__", ())
            found.update(names)
    return found


def _documented_differences() -> set[str]:
    """yente test names in the first column of the intended-differences table."""
    text = DOCS.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `(test_\w+\.py::test_\w+)`", text, re.MULTILINE))


def test_every_yente_test_is_mirrored_or_an_intended_difference() -> None:
    expected = {f"{f}::{t}" for f, tests in YENTE_TESTS.items() for t in tests}
    assert len(expected) == 80
    covered = _mirrored() | _documented_differences()
    assert not expected - covered, sorted(expected - covered)


def test_mirrors_name_real_yente_tests() -> None:
    """A misspelt name in ``@mirrors`` would count a test as covered that is not."""
    expected = {f"{f}::{t}" for f, tests in YENTE_TESTS.items() for t in tests}
    extra = {"test_base.py::test_catalog_etag"}  # yente's main branch, after 5.5
    assert not _mirrored() - expected - extra, sorted(_mirrored() - expected - extra)
