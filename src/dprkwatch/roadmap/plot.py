"""Arsenal trajectories with and without each proposal (PNG or SVG).

One panel per proposal: the grey band and line are the model's stock as it
happened (p05-p95 and median at each year-end), the coloured ones the stock
had the proposal been carried out and held. The dotted line marks the
proposal's first stop; the axis is calendar time, each point the end of a
year. The gap between the medians is not "weapons prevented" (that is the
paired difference, draw by draw, printed in the panel title), but it shows
where the divergence starts and how it grows.

Uses matplotlib's object API with the Agg canvas, as the arsenal plot does,
so rendering never touches the global backend; files are written atomically.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, cast

from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dprkwatch.arsenal.plot import plot_format, write_atomic
from dprkwatch.exceptions import InputError
from dprkwatch.roadmap.evaluate import Evaluation

_date2num = cast(Callable[[date], Any], mdates.date2num)  # untyped upstream


def _x(day: date) -> float:
    """A date as matplotlib's day number, the unit of its date axis."""
    return float(_date2num(day))


_COLOURS = ("#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#ad1457")


def render(evaluation: Evaluation, *, fmt: str = "png", title: str | None = None) -> bytes:
    """Draw every evaluated proposal's trajectory against the baseline; return image bytes."""
    traj = evaluation.trajectories
    if not traj or "baseline" not in traj:
        raise InputError("no trajectories to plot (evaluate with trajectory years)")
    results = evaluation.results
    if not results:
        raise InputError("no proposal to plot")
    cols = 1 if len(results) == 1 else 2
    rows = math.ceil(len(results) / cols)
    fig = Figure(figsize=(6.2 * cols, 3.4 * rows + 0.6), dpi=100)
    FigureCanvasAgg(fig)
    base = traj["baseline"]
    years = [_x(date(r["year"], 12, 31)) for r in base]  # stocks at year-ends
    top = max(r["p95"] for r in base) * 1.05 or 1.0
    for k, res in enumerate(results):
        ax = fig.add_subplot(rows, cols, k + 1)
        colour = _COLOURS[k % len(_COLOURS)]
        ax.fill_between(
            years,
            [r["p05"] for r in base],
            [r["p95"] for r in base],
            color="#bdbdbd",
            alpha=0.6,
            label="as it happened, p05-p95",
        )
        ax.plot(
            years,
            [r["p50"] for r in base],
            color="#424242",
            linewidth=1.4,
            label="as it happened, median",
        )
        mine = traj[res.proposal.id]
        ax.fill_between(
            years,
            [r["p05"] for r in mine],
            [r["p95"] for r in mine],
            color=colour,
            alpha=0.25,
            label="with the deal, p05-p95",
        )
        ax.plot(
            years,
            [r["p50"] for r in mine],
            color=colour,
            linewidth=1.8,
            label="with the deal, median",
        )
        first = res.coverage.first_day or (
            res.proposal.phases[0].start if res.proposal.phases else None
        )
        if first is not None and years[0] <= _x(first) <= years[-1]:
            ax.axvline(_x(first), color=colour, linestyle=":", linewidth=1)
        prevented = res.prevented
        label = (
            f"prevented by {evaluation.by.year}: {prevented.median:.1f} ({prevented.low:.1f}-{prevented.high:.1f})"
            if prevented is not None
            else "no fissile capacity covered"
        )
        ax.set_title(f"{res.proposal.name}\n{label}", fontsize=9)
        ax.set_xlim(years[0], years[-1])
        ax.xaxis_date()
        ax.set_ylim(0, top)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=8)
        if k % cols == 0:
            ax.set_ylabel("weapons-equivalent held", fontsize=8)
        if k == 0:
            ax.legend(loc="upper left", fontsize=7, frameon=False)
    fig.suptitle(
        title
        or f"Arsenal with and without each proposal ({evaluation.draws:,} draws, seed {evaluation.seed})",
        fontsize=11,
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format=fmt,
        metadata={"Software": "dprkwatch"} if fmt == "png" else {"Creator": "dprkwatch"},
    )
    return buf.getvalue()


def save_plot(
    evaluation: Evaluation, path: Path, *, fmt: str | None = None, title: str | None = None
) -> Path:
    """Render and write the plot; the format comes from ``fmt`` or the file's extension."""
    path = Path(path)
    chosen = plot_format(path, fmt)
    write_atomic(path, render(evaluation, fmt=chosen, title=title))
    return path


def default_years(evaluation_first: Sequence[int], by: int) -> list[int]:
    """Year-ends to draw: from two years before the earliest proposal to ``by``."""
    start = min(evaluation_first, default=by - 10) - 2
    return list(range(max(start, 1990), by + 1))
