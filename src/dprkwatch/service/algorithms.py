"""The scoring algorithms a ``/match`` caller can choose, under yente's names.

``best`` (and ``default``) is dprkwatch's own Korean-aware matcher. Beside
it the service offers the algorithms yente offers, from nomenklatura,
under the names yente gives them: ``logic-v2``, ``logic-v1``,
``name-based``, ``name-qualified`` and ``ofac``. They score the same
candidates dprkwatch's index proposes (its blocking stage), so a choice of
algorithm changes the scores, never which listed entities are looked at.

``config`` is checked as yente checks it: every key must be one the
chosen algorithm declares (400 otherwise); ``weights`` go to the
algorithm with it. dprkwatch's own matcher takes neither, and says so in
the answer rather than failing a yente client that always sends them.

nomenklatura loads slowly (scikit-learn, name tables: seconds on an idle
machine), so it is loaded on a thread of its own: at start-up by ``serve``,
else on the first request that needs it; requests for its algorithms wait
for that thread (at most two minutes, then 503), never loading it
themselves. dprkwatch's own matcher never waits for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from followthemoney import ValueEntity

from dprkwatch.exceptions import InputError
from dprkwatch.service.collector import keep_out_of_collections
from dprkwatch.service.exceptions import Unavailable

log = logging.getLogger(__name__)

BEST = "best"
ALIASES = (BEST, "default")
# yente's names, in the order yente lists them.
NOMENKLATURA = ("logic-v2", "ofac", "name-based", "name-qualified", "logic-v1")
WARM_UP_WAIT = 120.0


@dataclass(frozen=True)
class Scored:
    """One candidate as a nomenklatura algorithm scored it."""

    score: float
    features: dict[str, float]
    details: dict[str, str]


class Algorithms:
    """dprkwatch's matcher and nomenklatura's, by yente name (one per service process)."""

    def __init__(self) -> None:
        self._classes: dict[str, Any] = {}
        self._ready = threading.Event()
        self._error: str | None = None
        self._lock = threading.Lock()
        self._loading = threading.Lock()
        self._started = False

    # -- loading ------------------------------------------------------------

    def start_warm_up(self) -> None:
        """Load nomenklatura on a background thread (once; later calls do nothing)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self.warm_up, name="nomenklatura-warm-up", daemon=True).start()

    def warm_up(self) -> None:
        """Import nomenklatura, then run each algorithm once (its tables load on first use).

        Requests wait only for the import; one arriving while an algorithm
        is still warming up pays the rest of its first use.
        """
        with self._loading:
            if self._ready.is_set():
                return
            try:
                from nomenklatura.matching import (
                    LogicV1,
                    NameMatcher,
                    NameQualifiedMatcher,
                    OFACMatcher,
                )
                from nomenklatura.matching.logic_v2.model import LogicV2

                self._classes = {
                    c.NAME: c
                    for c in (LogicV2, OFACMatcher, NameMatcher, NameQualifiedMatcher, LogicV1)
                }
            except Exception as exc:  # serve dprkwatch's own matcher regardless; say why
                self._error = f"{type(exc).__name__}: {exc}"
                log.exception("nomenklatura's algorithms could not be loaded")
            finally:
                self._ready.set()
        person = ValueEntity.from_dict(
            {"id": "w", "schema": "Person", "properties": {"name": ["Warm Up"]}}
        )
        company = ValueEntity.from_dict(
            {
                "id": "c",
                "schema": "Company",
                "properties": {"name": ["Warm-Up Trading Co"], "country": ["kp"]},
            }
        )
        for name in reversed(NOMENKLATURA):  # the quick ones first
            cls = self._classes.get(name)
            if cls is None:
                continue
            try:
                for entity in (person, company):
                    cls.compare(entity, entity, cls.default_config())
            except Exception:  # a request will report it when it uses the algorithm
                log.exception("warming up %s failed", name)
        keep_out_of_collections()  # nomenklatura's modules and tables, like the index

    def _class(self, name: str) -> Any:
        self.start_warm_up()
        if not self._ready.wait(WARM_UP_WAIT):
            raise Unavailable(f"algorithm {name!r} is still loading; try again shortly")
        cls = self._classes.get(name)
        if cls is None:
            raise Unavailable(f"algorithm {name!r} is not available: {self._error}")
        return cls

    # -- choosing -----------------------------------------------------------

    @staticmethod
    def resolve(requested: str | None, own: str) -> str:
        """The algorithm a request names: ``own`` for best/default/its own name, else yente's."""
        if requested is None:
            return own
        name = requested.strip().lower()
        if name in ALIASES or name == own:
            return own
        if name in NOMENKLATURA:
            return name
        raise InputError(
            f"Invalid algorithm: {requested!r} (options: {BEST}, {own}, {', '.join(NOMENKLATURA)})",
            where="algorithm",
        )

    def check(self, name: str, own: str, config: Mapping[str, Any]) -> None:
        """Refuse ``config`` keys the algorithm does not declare, as yente does."""
        declared: Mapping[str, Any] = {} if name == own else self._class(name).CONFIG
        for key in config:
            if key not in declared:
                raise InputError(
                    f"Invalid configuration parameter: {key} for algorithm {name}",
                    where="config",
                )

    # -- scoring ------------------------------------------------------------

    def score(
        self,
        name: str,
        query: ValueEntity,
        result: ValueEntity,
        weights: Mapping[str, float],
        config: Mapping[str, Any],
    ) -> Scored:
        """Score one candidate with nomenklatura's algorithm ``name``."""
        from nomenklatura.matching.types import ScoringConfig

        cls = self._class(name)
        scoring = ScoringConfig(weights=dict(weights), config=dict(config))
        outcome = cls.compare(query, result, scoring)
        features = {k: float(v.score) for k, v in outcome.explanations.items()}
        details = {k: str(v.detail) for k, v in outcome.explanations.items() if v.detail}
        return Scored(float(outcome.score), features, details)

    # -- describing -----------------------------------------------------------

    def describe(
        self, own: str, own_description: str, hidden: Iterable[str] = ()
    ) -> dict[str, Any]:
        """The ``/algorithms`` document: every algorithm (but ``hidden``) with its docs and features."""
        hide = set(hidden)
        algorithms: list[dict[str, Any]] = [
            {
                "name": own,
                "description": own_description,
                "features": {},
                "docs": {
                    "name": own,
                    "description": own_description,
                    "config": {},
                    "features": {},
                },
            }
        ]
        for name in NOMENKLATURA:
            if name in hide:
                continue
            cls = self._class(name)
            docs = cls.get_docs().model_dump(mode="json")
            algorithms.append(
                {
                    "name": name,
                    "description": " ".join((cls.__doc__ or "").split()),
                    "features": cls.get_feature_docs(),
                    "docs": docs,
                }
            )
        return {"algorithms": algorithms, "default": BEST, "best": own}
