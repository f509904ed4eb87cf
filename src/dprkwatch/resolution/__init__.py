"""One target, many lists: cross-list entity resolution and the implementation record.

Public API::

    from dprkwatch.resolution import ResolutionStore, run

    resolution = run(settings.home)              # resolve the active lists, store atomically
    resolution.target_of("ofac-21735")           # -> "dw-..." canonical target id
    store = ResolutionStore(settings.home)
    store.judgements().record("ofac-21735", "un-KPi.052", "same", user="analyst")

Modules: ``records`` reads listings from the snapshots; ``evidence`` finds
references, shared identifiers and engine matches; ``judgements`` keeps the
human decisions; ``clusters`` joins listings into targets with stable ids;
``relevance`` says which targets are about the DPRK and why; ``resolver``
runs it all; ``store`` keeps the result.
"""

from dprkwatch.resolution.exceptions import (
    ContradictoryJudgement,
    JudgementError,
    NotResolved,
    ResolutionError,
)
from dprkwatch.resolution.judgements import DECISIONS, Judgement, JudgementLog
from dprkwatch.resolution.resolver import Params, run
from dprkwatch.resolution.store import Resolution, ResolutionStore, ReviewItem, Target

__all__ = [
    "DECISIONS",
    "ContradictoryJudgement",
    "Judgement",
    "JudgementError",
    "JudgementLog",
    "NotResolved",
    "Params",
    "Resolution",
    "ResolutionError",
    "ResolutionStore",
    "ReviewItem",
    "Target",
    "run",
]
