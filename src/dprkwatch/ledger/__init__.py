"""The sourced ledger: what Pyongyang promised, what it did, and how much pressure was applied.

Public API::

    ledger = load_ledger()                      # validated curated records (package data)
    inputs = gather(settings.home)              # + imported events and list history
    events = select(inputs.events, start=..., kinds=resolve_kinds(["diplomacy"]))
    matrix = resolution_matrix(ledger, inputs.events)
    index = inputs.pressure(date(2016, 1, 1), date.today())
    verdicts = evaluate_all(ledger, inputs, today=date.today(), arsenal=load_model)
    listing = views.timeline(inputs, start=...)    # rows with resolved citations, for any front end

Curated files live in ``ledger/data/`` (one YAML list per record type, see
:data:`FILES`); every factual row cites the bibliography and carries a
confidence flag. Imported datasets (CNS, CSIS, OFAC first-seen) live in the
data directory (:class:`LedgerStore`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dprkwatch.ledger import views
    from dprkwatch.ledger.citations import Citation
    from dprkwatch.ledger.claims import EVALUATORS, Assessment, Finding, Verdict, evaluate_all
    from dprkwatch.ledger.compliance import (
        Cell,
        CommitmentRow,
        ResolutionMatrix,
        commitment_rows,
        resolution_matrix,
    )
    from dprkwatch.ledger.dates import PartialDate
    from dprkwatch.ledger.events import CATEGORIES, KINDS, TimelineEvent, resolve_kinds, select
    from dprkwatch.ledger.exceptions import EventSourceError, LedgerValidationError
    from dprkwatch.ledger.importing import Dataset, expand, formats
    from dprkwatch.ledger.inputs import Inputs, gather
    from dprkwatch.ledger.loader import FILES, Ledger, Problem, check_ledger, load_ledger
    from dprkwatch.ledger.pressure import PressureIndex, QuarterRow, Window, build_index
    from dprkwatch.ledger.schema import schema_markdown
    from dprkwatch.ledger.store import LedgerStore
    from dprkwatch.ledger.timeline import build_timeline

__all__ = [
    "CATEGORIES",
    "EVALUATORS",
    "FILES",
    "KINDS",
    "Assessment",
    "Cell",
    "Citation",
    "CommitmentRow",
    "Dataset",
    "EventSourceError",
    "Finding",
    "Inputs",
    "Ledger",
    "LedgerStore",
    "LedgerValidationError",
    "PartialDate",
    "PressureIndex",
    "Problem",
    "QuarterRow",
    "ResolutionMatrix",
    "TimelineEvent",
    "Verdict",
    "Window",
    "build_index",
    "build_timeline",
    "check_ledger",
    "commitment_rows",
    "evaluate_all",
    "expand",
    "formats",
    "gather",
    "load_ledger",
    "resolution_matrix",
    "resolve_kinds",
    "schema_markdown",
    "select",
    "views",
]

# Where each public name lives. Names are imported on first use (PEP 562), so
# that a layer which needs only the curated records (``load_ledger``) does not
# pay for the importers, the lists history and FollowTheMoney behind ``gather``.
_WHERE: dict[str, str] = {
    "Assessment": "dprkwatch.ledger.claims",
    "Citation": "dprkwatch.ledger.citations",
    "Finding": "dprkwatch.ledger.claims",
    "views": "dprkwatch.ledger.views",
    "CATEGORIES": "dprkwatch.ledger.events",
    "Cell": "dprkwatch.ledger.compliance",
    "CommitmentRow": "dprkwatch.ledger.compliance",
    "Dataset": "dprkwatch.ledger.importing",
    "EVALUATORS": "dprkwatch.ledger.claims",
    "EventSourceError": "dprkwatch.ledger.exceptions",
    "FILES": "dprkwatch.ledger.loader",
    "Inputs": "dprkwatch.ledger.inputs",
    "KINDS": "dprkwatch.ledger.events",
    "Ledger": "dprkwatch.ledger.loader",
    "LedgerStore": "dprkwatch.ledger.store",
    "LedgerValidationError": "dprkwatch.ledger.exceptions",
    "PartialDate": "dprkwatch.ledger.dates",
    "PressureIndex": "dprkwatch.ledger.pressure",
    "Problem": "dprkwatch.ledger.loader",
    "QuarterRow": "dprkwatch.ledger.pressure",
    "ResolutionMatrix": "dprkwatch.ledger.compliance",
    "TimelineEvent": "dprkwatch.ledger.events",
    "Verdict": "dprkwatch.ledger.claims",
    "Window": "dprkwatch.ledger.pressure",
    "build_index": "dprkwatch.ledger.pressure",
    "build_timeline": "dprkwatch.ledger.timeline",
    "check_ledger": "dprkwatch.ledger.loader",
    "commitment_rows": "dprkwatch.ledger.compliance",
    "evaluate_all": "dprkwatch.ledger.claims",
    "expand": "dprkwatch.ledger.importing",
    "formats": "dprkwatch.ledger.importing",
    "gather": "dprkwatch.ledger.inputs",
    "load_ledger": "dprkwatch.ledger.loader",
    "resolution_matrix": "dprkwatch.ledger.compliance",
    "resolve_kinds": "dprkwatch.ledger.events",
    "schema_markdown": "dprkwatch.ledger.schema",
    "select": "dprkwatch.ledger.events",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = (
        importlib.import_module(module)
        if module == f"{__name__}.{name}"
        else getattr(importlib.import_module(module), name)
    )
    globals()[name] = value
    return value
