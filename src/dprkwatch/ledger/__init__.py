"""The sourced ledger: what Pyongyang promised, what it did, and how much pressure was applied.

Public API::

    ledger = load_ledger()                      # validated curated records (package data)
    inputs = gather(settings.home)              # + imported events and list history
    events = select(inputs.events, start=..., kinds=resolve_kinds(["diplomacy"]))
    matrix = resolution_matrix(ledger, inputs.events)
    index = inputs.pressure(date(2016, 1, 1), date.today())
    verdicts = evaluate_all(ledger, inputs, today=date.today())

Curated files live in ``ledger/data/`` (one YAML list per record type, see
:data:`FILES`); every factual row cites the bibliography and carries a
confidence flag. Imported datasets (CNS, CSIS, OFAC first-seen) live in the
data directory (:class:`LedgerStore`).
"""

from dprkwatch.ledger.claims import EVALUATORS, Verdict, evaluate_all
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
    "Cell",
    "CommitmentRow",
    "Dataset",
    "EventSourceError",
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
]
