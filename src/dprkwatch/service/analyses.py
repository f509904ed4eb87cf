"""The analyses the workbench reads, computed once and reused while their inputs stand.

The ledger routes need :func:`dprkwatch.ledger.gather` (the curated ledger
plus the list history and imported event datasets of the data directory)
and the arsenal routes need a Monte Carlo model. Both cost from a fraction
of a second to several seconds, and both change only when someone imports
lists or event files. So this cache keeps them and recomputes only when a
cheap *fingerprint* of the data directory changes: the list versions
present (snapshot directories are immutable and content-addressed) and the
size and modification time of each imported event file, and the resolution's
target map (a `resolve run` changes what the pressure index counts).

The arsenal model depends on nothing in the data directory (its parameters
ship with the package; published estimates may also come from the shared
data folder named in the settings), so it is built once per process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from dprkwatch.arsenal import ArsenalModel, load_model
from dprkwatch.ledger import Inputs, Verdict, evaluate_all, gather
from dprkwatch.ledger.store import LedgerStore
from dprkwatch.lists import SnapshotStore
from dprkwatch.resolution.hits import targets_path
from dprkwatch.roadmap import load_roadmap
from dprkwatch.roadmap.report import workbench
from dprkwatch.settings import Settings

T = TypeVar("T")
Fingerprint = tuple[tuple[str, ...], tuple[tuple[str, int, int], ...], tuple[int, int] | None]


def fingerprint(home: Path) -> Fingerprint:
    """What identifies the analysis inputs in ``home``: each store's own fingerprint, and the
    resolution's target map (a ``resolve run`` changes the pressure index's targets)."""
    try:
        st = targets_path(home).stat()
        resolved: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
    except OSError:
        resolved = None
    return SnapshotStore(home).fingerprint(), LedgerStore(home).fingerprint(), resolved


class Analyses:
    """Ledger inputs, claim verdicts and the arsenal model for one service process (thread-safe)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._build = threading.RLock()
        self._inputs: tuple[Fingerprint, Inputs] | None = None
        self._claims: tuple[Fingerprint, date, list[Verdict]] | None = None
        self._model: ArsenalModel | None = None
        self._payload: dict[str, Any] | None = None
        self._roadmap: dict[str, Any] | None = None

    def inputs(self) -> Inputs:
        """The ledger inputs of the data directory, rebuilt when it changed."""
        fp = fingerprint(self.settings.home)
        with self._lock:
            if self._inputs is None or self._inputs[0] != fp:
                self._inputs = (fp, gather(self.settings.home))
            return self._inputs[1]

    def claims(self, today: date) -> list[Verdict]:
        """Every claim's verdict as of ``today``, with the shared arsenal model."""
        inputs = self.inputs()
        fp = fingerprint(self.settings.home)
        with self._lock:
            cached = self._claims
        if cached is not None and cached[0] == fp and cached[1] == today:
            return cached[2]
        verdicts = evaluate_all(inputs.ledger, inputs, today=today, arsenal=self.arsenal)
        with self._lock:
            self._claims = (fp, today, verdicts)
        return verdicts

    def arsenal(self) -> ArsenalModel:
        """The arsenal model with the packaged parameters (draws are made lazily, once)."""
        return self._once("_model", lambda: load_model(shared_data=self.settings.shared_data))

    def arsenal_payload(self) -> dict[str, Any]:
        """``ArsenalModel.to_dict()``: band, estimates with verdicts, scenarios, events, parameters."""
        return self._once("_payload", lambda: self.arsenal().to_dict())

    def roadmap_payload(self) -> dict[str, Any]:
        """The roadmap page: every proposal evaluated on the shared model (built once)."""

        return self._once("_roadmap", lambda: workbench(self.arsenal(), load_roadmap()))

    def _once(self, attr: str, build: Callable[[], T]) -> T:
        # Built under a re-entrant lock: concurrent first requests wait for one
        # build instead of each running the Monte Carlo (the payload's build
        # asks for the model, hence re-entrant).
        with self._build:
            value: T | None = getattr(self, attr)
            if value is None:
                value = build()
                setattr(self, attr, value)
            return value
