"""The evaluator: what each proposal would have stopped, side by side, with uncertainty.

For every proposal the arsenal model runs twice on the same draws - as it
happened, and with the proposal's covered capacity removed from each phase's
date (:mod:`~dprkwatch.roadmap.counterfactual`) - and the evaluator reports:

* **prevented**: weapons-equivalent of fissile material not made by the
  end of year N (the baseline's gross production minus the counterfactual's);
* **remaining**: what the counterfactual still makes between the deal's first
  stop and year N - the output of uncovered capacity (and of covered capacity
  before its phase begins), with the uncovered components named;
* **share stopped**: prevented as a share of the baseline's production in
  that window, draw by draw;
* **held**: the arsenal at year N with and without the deal (a removal
  phase takes the existing stock away);
* **definitions**: the share of each definition's assets and activities the
  proposal stops, declares or verifies (:mod:`~dprkwatch.roadmap.coverage`);
* **relief**: the resolutions whose measures it relieves and the pressure
  that costs (:mod:`~dprkwatch.roadmap.relief`).

All proposals are evaluated in one pass over the draws (each chunk of draws
computes the baseline once and every counterfactual), and the quantiles of all
rows are taken together, which is what keeps 200,000 draws for every
proposal inside a few seconds. Year-by-year trajectories (for plots and the
workbench) are asked for separately and computed one proposal per pass, so
memory holds one set of rows at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from dprkwatch.arsenal import ArsenalModel, Interval
from dprkwatch.arsenal.interval import QUANTILES, quantile_key
from dprkwatch.arsenal.sampling import DTYPE, Draws, FloatArray
from dprkwatch.arsenal.timeline import decimal_year, year_end
from dprkwatch.roadmap.capacity import Coverage, coverage
from dprkwatch.roadmap.counterfactual import Cut
from dprkwatch.roadmap.coverage import DefinitionCoverage, definition_coverage
from dprkwatch.roadmap.loader import Roadmap
from dprkwatch.roadmap.model import Proposal
from dprkwatch.roadmap.relief import Relief, relief_of

DEFAULT_BY = 2026
#: Rows computed for each proposal, in order.
ROWS = ("prevented", "remaining", "window", "share", "held", "pu_remaining", "heu_remaining")
_UNITS = {
    "prevented": "weapons",
    "remaining": "weapons",
    "window": "weapons",
    "share": "fraction",
    "held": "weapons",
    "pu_remaining": "kg Pu",
    "heu_remaining": "kg HEU",
}


def _interval(row: np.ndarray[Any, Any], unit: str, n: int) -> Interval:
    quant = {quantile_key(q): float(v) for q, v in zip(QUANTILES, row, strict=True)}
    return Interval(quant["p05"], quant["p50"], quant["p95"], unit=unit, quantiles=quant, draws=n)


@dataclass(frozen=True)
class ProposalResult:
    """One proposal, evaluated."""

    proposal: Proposal
    coverage: Coverage
    by: date
    values: dict[str, Interval]  # ROWS -> interval; empty when nothing is stopped in time
    definitions: list[DefinitionCoverage]
    relief: Relief
    origin: str

    @property
    def prevented(self) -> Interval | None:
        return self.values.get("prevented")

    def to_dict(self, roadmap: Roadmap) -> dict[str, Any]:
        p = self.proposal
        cov = self.coverage
        return {
            "id": p.id,
            "name": p.name,
            "date": p.date.isoformat(),
            "status": p.status,
            "proposed_by": p.proposed_by,
            "origin": self.origin,
            "by": self.by.isoformat(),
            "first_stop": cov.first_day.isoformat() if cov.first_day else None,
            "results": {k: v.to_dict() for k, v in self.values.items()},
            "covered": [s.to_dict(roadmap) for s in cov.stops.values()],
            "uncovered": cov.uncovered,
            "uncovered_unmodelled": cov.unmodelled,
            "stockpile_removed": cov.removal.day.isoformat() if cov.removal else None,
            "definitions": [d.to_dict() for d in self.definitions],
            "relief": self.relief.to_dict(),
            "phases": [
                {
                    "id": ph.id,
                    "name": ph.name,
                    "start": ph.start.isoformat(),
                    "end": ph.end.isoformat() if ph.end else None,
                    "dates_assumed": ph.dates_assumed,
                    "verification": [v.model_dump(mode="json") for v in ph.verification],
                    "corresponding": [c.model_dump(mode="json") for c in ph.corresponding],
                    "sources": list(ph.sources),
                    "confidence": ph.confidence.value,
                }
                for ph in p.phases
            ],
            "sources": list(p.sources),
            "confidence": p.confidence.value,
        }


@dataclass(frozen=True)
class Evaluation:
    """Every proposal evaluated on one model, side by side."""

    by: date
    draws: int
    seed: int
    results: list[ProposalResult]
    held_baseline: Interval
    trajectories: dict[str, Any] = field(default_factory=dict)

    def result(self, proposal_id: str) -> ProposalResult:
        for r in self.results:
            if r.proposal.id == proposal_id:
                return r
        raise KeyError(proposal_id)

    def to_dict(self, roadmap: Roadmap) -> dict[str, Any]:
        out: dict[str, Any] = {
            "by": self.by.isoformat(),
            "draws": self.draws,
            "seed": self.seed,
            "held_baseline": self.held_baseline.to_dict(),
            "proposals": [r.to_dict(roadmap) for r in self.results],
        }
        if self.trajectories:
            out["trajectories"] = self.trajectories
        return out


def _times(days: Sequence[date]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([decimal_year(d) for d in days], dtype=np.float64)


def _trajectory(
    model: ArsenalModel, cut: Cut, t: np.ndarray[Any, np.dtype[np.float64]], years: list[int]
) -> list[dict[str, Any]]:
    """Stock quantiles at each year-end, one pass of its own (so memory stays one row set)."""
    qs = model.quantile_rows(model.map_draws(lambda d: cut.quantities(d, t).stock, len(years)))
    return [
        {"year": y, "p05": float(q[0]), "p50": float(q[2]), "p95": float(q[4])}
        for y, q in zip(years, qs, strict=True)
    ]


def evaluate(
    model: ArsenalModel,
    roadmap: Roadmap,
    proposals: Sequence[Proposal] | None = None,
    *,
    by: int = DEFAULT_BY,
    trajectory_years: Sequence[int] = (),
) -> Evaluation:
    """Evaluate ``proposals`` (default: all) against the model by the end of year ``by``."""
    chosen = list(roadmap.proposals if proposals is None else proposals)
    end = model.resolve_date(year_end(by), "by")
    covs = [coverage(roadmap, p, model.params) for p in chosen]
    cuts = [Cut.of(model, c) for c in covs]
    base = Cut(model, {})
    # Only proposals that stop something before `by` have production rows.
    live = [i for i, c in enumerate(covs) if c.first_day is not None and c.first_day <= end]
    starts = {i: covs[i].first_day for i in live}
    base_days = sorted({end, *(d for d in starts.values() if d is not None)})
    t_base = _times(base_days)
    row_of = {d: k for k, d in enumerate(base_days)}
    n_rows = 1 + len(live) * len(ROWS)
    years = sorted({int(y) for y in trajectory_years})
    zero = np.float32(0)

    def run(d: Draws) -> FloatArray:
        out = np.empty((n_rows, d.n), dtype=DTYPE)
        b = base.quantities(d, t_base)
        k_end = row_of[end]
        out[0] = b.stock[k_end]
        r = 1
        for i in live:
            start = starts[i]
            assert start is not None
            q = cuts[i].quantities(d, _times([start, end]))
            k_start = row_of[start]
            window = b.produced[k_end] - b.produced[k_start]
            prevented = b.produced[k_end] - q.produced[1]
            out[r] = prevented
            out[r + 1] = q.produced[1] - q.produced[0]
            out[r + 2] = window
            np.divide(prevented, window, out=out[r + 3], where=window > 0)
            out[r + 3][window <= 0] = zero
            out[r + 4] = q.stock[1]
            out[r + 5] = q.pu_kg[1] - q.pu_kg[0]
            out[r + 6] = q.heu_kg[1] - q.heu_kg[0]
            r += len(ROWS)
        return out

    qs = model.quantile_rows(model.map_draws(run, n_rows))
    n = model.n_draws
    held_base = _interval(qs[0], "weapons", n)
    results = []
    r = 1
    for i, (p, cov) in enumerate(zip(chosen, covs, strict=True)):
        vals: dict[str, Interval] = {}
        if i in live:
            for name in ROWS:
                vals[name] = _interval(qs[r], _UNITS[name], n)
                r += 1
        results.append(
            ProposalResult(
                proposal=p,
                coverage=cov,
                by=end,
                values=vals,
                definitions=definition_coverage(roadmap, p),
                relief=relief_of(roadmap, p),
                origin=roadmap.origin.get(p.id, "proposals.yaml"),
            )
        )
    trajectories: dict[str, Any] = {}
    if years:
        t_traj = _times([model.resolve_date(year_end(y), "year") for y in years])
        trajectories["baseline"] = _trajectory(model, base, t_traj, years)
        for p, cut in zip(chosen, cuts, strict=True):
            trajectories[p.id] = _trajectory(model, cut, t_traj, years)
    return Evaluation(end, n, model.seed, results, held_base, trajectories)
