"""Screening: Korean-aware name matching against the active sanctions lists.

Public API::

    from dprkwatch.matching import Screener, Query, Match, Scope

    screener = Screener.from_store(store)        # index the active snapshots
    q = Query(schema="Person", properties={"name": ["Ri Su Yong"], "birthDate": ["1940"]}, id="row-1")
    for m in screener.screen(q, top=5, scope=Scope(dprk_only=True)):
        print(m.entity_id, m.score, m.match, m.explanation)

Modules: ``hangul``/``syllables``/``korean_names``/``hanja`` read Korean
names; ``text``/``orgs``/``identifiers`` normalise everything else;
``analysis`` turns a name into comparable forms; ``index`` files them under
blocking keys; ``features`` compare (words and names, Korean syllables,
identifiers and qualifiers); ``algorithms`` combine into a named, versioned
score; ``screener`` ties it together; ``batch`` screens files of queries
(``batch_files`` reads and writes them, ``batch_pool`` forks workers);
``compiled`` chooses between the compiled hot path and its source.
"""

from dprkwatch.matching import compiled

# Before any other module of the package is imported: whether the compiled
# modules of the hot path are used, or their sources (see compiled.py).
compiled.install()

from dprkwatch.matching.algorithms import ALGORITHMS, DEFAULT_ALGORITHM  # noqa: E402
from dprkwatch.matching.exceptions import BatchFileError, QueryError, UnknownAlgorithm  # noqa: E402
from dprkwatch.matching.query import Query, Scope  # noqa: E402
from dprkwatch.matching.result import Match  # noqa: E402
from dprkwatch.matching.screener import Screener  # noqa: E402

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "BatchFileError",
    "Match",
    "Query",
    "QueryError",
    "Scope",
    "Screener",
    "UnknownAlgorithm",
]
