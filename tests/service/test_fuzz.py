"""Schemathesis against the service's own OpenAPI schema: no request may cause a 5xx.

Each operation gets a bounded number of generated requests - valid ones and
deliberately invalid ones - sent with the admin key to a live server.
Besides "no server error", schemathesis checks that every response has a
documented status code, content type, headers and body schema. (The pytest plugin
of schemathesis does not load under this pytest, so the hypothesis loop is
written out here.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from dprkwatch.service.api.app import create_app
from dprkwatch.settings import Settings
from tests.service.conftest import ADMIN
from tests.service.factory import LiveService

EXAMPLES = 40
# Left out on purpose: like yente, the API ignores unknown query parameters
# (so "schema-violating request accepted" is expected), and some rules are
# facts about the world the schema cannot state - a path that exists, a
# screening id that was issued - so "schema-valid request rejected" is too.
EXCLUDED = [negative_data_rejection, positive_data_acceptance]

# The schema as the app publishes it (an in-memory database: nothing is opened).
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(home=Path("unused"), database_url="sqlite://")).openapi()
)
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(sqlite_service: LiveService, label: str) -> None:
    operation = OPERATIONS[label]
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        case.call_and_validate(
            base_url=sqlite_service.base_url, headers=ADMIN, excluded_checks=EXCLUDED
        )

    run()
