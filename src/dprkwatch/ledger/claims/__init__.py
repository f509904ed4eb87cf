"""Check the commentary's claims against the ledger and the data, without hindsight.

See :mod:`dprkwatch.ledger.claims.core` for the machinery; the evaluators
live by topic in the sibling modules and register themselves on import.
"""

from dprkwatch.ledger.claims import (  # noqa: F401  (evaluators register on import)
    arsenal,
    diplomacy,
    humanitarian,
    record,
    sanctions,
    testing,
)
from dprkwatch.ledger.claims.core import (
    EVALUATORS,
    ArsenalLike,
    Assessment,
    ClaimContext,
    Finding,
    Verdict,
    evaluate_all,
)

__all__ = [
    "EVALUATORS",
    "ArsenalLike",
    "Assessment",
    "ClaimContext",
    "Finding",
    "Verdict",
    "evaluate_all",
]
