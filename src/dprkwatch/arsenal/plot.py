"""The model's band with the published estimates drawn over it (PNG or SVG).

Uses matplotlib's object API with the Agg canvas directly, so importing this
module never changes the global backend (the web service may render too).
Files are written atomically: a temporary file in the same folder, fsynced,
then renamed over the target.

Reading the figure: the shaded bands are the model's 90% (p05-p95) and 50%
(p25-p75) intervals at each year-end and the line is the median. Published
estimates are markers at their date, with a bar for a range; colour gives
the verdict of :mod:`~dprkwatch.arsenal.compare` (inside, overlapping,
outside the band), hollow markers are assembled-warhead counts and
triangles are projections. Dashed lines show any deterministic scenarios
asked for, dotted past the last figure their publication gave.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from dprkwatch import durable
from dprkwatch.exceptions import InputError

if TYPE_CHECKING:
    from dprkwatch.arsenal.compare import Comparison
    from dprkwatch.arsenal.model import ArsenalModel

FORMATS = ("png", "svg")
_COLOURS = {"inside": "#2e7d32", "overlaps": "#ef6c00", "above": "#c62828", "below": "#6a1b9a"}
_EVENTS = ("singapore", "hanoi")


def plot_format(path: Path, fmt: str | None = None) -> str:
    """The image format to write: ``fmt`` if given, else the file's extension."""
    chosen = (fmt or path.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise InputError(
            f"unsupported plot format {chosen or '(none)'!r}; use .png or .svg", source=str(path)
        )
    return chosen


def render(
    model: ArsenalModel,
    *,
    years: Iterable[int] | None = None,
    scenarios: Sequence[str] = (),
    comparisons: Sequence[Comparison] | None = None,
    fmt: str = "png",
    title: str | None = None,
) -> bytes:
    """Draw the band, the published estimates and any scenarios; return the image bytes."""
    if fmt not in FORMATS:
        raise InputError(f"unsupported plot format {fmt!r}; use png or svg")
    ys = list(years) if years is not None else list(range(2006, 2031))
    if not ys:
        raise InputError("no years to plot", where="years")
    band = model.band(ys)
    first, last = date.fromisoformat(band[0]["date"]), date.fromisoformat(band[-1]["date"])
    x = _num([date.fromisoformat(r["date"]) for r in band])

    fig = Figure(figsize=(10, 6), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.fill_between(
        x,
        [r["p05"] for r in band],
        [r["p95"] for r in band],
        color="#90caf9",
        alpha=0.45,
        label="model p05-p95",
    )
    ax.fill_between(
        x,
        [r["p25"] for r in band],
        [r["p75"] for r in band],
        color="#42a5f5",
        alpha=0.45,
        label="model p25-p75",
    )
    ax.plot(x, [r["p50"] for r in band], color="#0d47a1", linewidth=1.8, label="model median")

    for name in scenarios:
        sc = model.scenario(name)
        start = max(sc.spec.base.date, first)
        days = [date.fromisoformat(r["date"]) for r in band]
        pts = [d for d in days if d >= start] or [start]
        lows = [sc.stock(d).low for d in pts]
        highs = [sc.stock(d).high for d in pts]
        # Dashed up to the publication's last figure, dotted where the recipe is extrapolated.
        own = [i for i, d in enumerate(pts) if not sc.extrapolated(d)]
        cut = own[-1] + 1 if own else 0
        line = None
        for part, style, label in (
            (slice(0, cut), "--", f"scenario {sc.id}"),
            (slice(max(cut - 1, 0), len(pts)), ":", f"scenario {sc.id} (extrapolated)"),
        ):
            if len(pts[part]) == 0 or (style == ":" and cut == len(pts)):
                continue
            colour: Any = line.get_color() if line is not None else None
            line = ax.plot(
                _num(pts[part]),
                lows[part],
                linestyle=style,
                linewidth=1.2,
                color=colour,
                label=label,
            )[0]
            ax.plot(
                _num(pts[part]), highs[part], linestyle=style, linewidth=1.2, color=line.get_color()
            )

    rows = model.compare() if comparisons is None else comparisons
    for c in rows:
        e = c.estimate
        if e.kind not in ("stock", "assembled") or not first <= e.as_of <= last:
            continue
        lo, hi = e.bounds
        mid = e.point if e.point is not None else (lo + hi) / 2
        colour = _COLOURS[c.status]
        marker = "^" if e.projection else ("s" if e.kind == "assembled" else "o")
        face = "none" if e.kind == "assembled" else colour
        ax.errorbar(
            _num([e.as_of]),
            [mid],
            yerr=[[mid - lo], [hi - mid]],
            fmt=marker,
            color=colour,
            markerfacecolor=face,
            markersize=6,
            capsize=3,
            linewidth=1,
        )

    events = model.events
    ymax = ax.get_ylim()[1]
    for name in _EVENTS:
        day = events.get(name)
        if day is not None and first <= day <= last:
            ax.axvline(_num([day])[0], color="#616161", linestyle=":", linewidth=1)
            ax.text(
                _num([day])[0],
                ymax * 0.97,
                f" {name}",
                rotation=90,
                va="top",
                fontsize=8,
                color="#616161",
            )

    handles, _ = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], marker="o", linestyle="", color=_COLOURS[s], label=f"published: {s}")
        for s in _COLOURS
    ]
    handles += [
        Line2D(
            [],
            [],
            marker="s",
            linestyle="",
            color="#424242",
            markerfacecolor="none",
            label="assembled warheads",
        ),
        Line2D([], [], marker="^", linestyle="", color="#424242", label="projection"),
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    ax.xaxis_date()
    ax.set_ylabel("weapons (fissile-material equivalent)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.set_title(
        title or f"North Korea: modelled stock ({model.n_draws:,} draws) and published estimates"
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format=fmt,
        metadata={"Software": "dprkwatch"} if fmt == "png" else {"Creator": "dprkwatch"},
    )
    return buf.getvalue()


def _num(days: Sequence[date]) -> list[float]:
    """Dates as matplotlib's day numbers: days since its date epoch (the axis is
    then formatted as dates by ``xaxis_date``)."""
    epoch = date.fromisoformat(str(matplotlib.rcParams["date.epoch"])[:10])
    return [float((d - epoch).days) for d in days]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("folder does not exist", source=str(folder))
    durable.write_bytes(path, data)


def save_plot(
    model: ArsenalModel,
    path: Path,
    *,
    years: Iterable[int] | None = None,
    scenarios: Sequence[str] = (),
    fmt: str | None = None,
) -> Path:
    """Render and write the plot; the format comes from ``fmt`` or the file extension."""
    path = Path(path)
    chosen = plot_format(path, fmt)
    write_atomic(path, render(model, years=years, scenarios=scenarios, fmt=chosen))
    return path
