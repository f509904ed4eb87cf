"""The implementation gap as a picture: how long the EU and the UK took to list UN designations.

One panel per national list with dated lags: the cumulative share of the UN
1718 designations it had listed N days after the UN did (a step per
designation), on a logarithmic day axis, with the designations it never
listed counted in the legend. OFAC is left out: its files carry no
designation dates, so its lags are only bounds (the table and ``--json``
count them). Drawn with matplotlib's object API on the Agg canvas, as the
arsenal and roadmap plots are; files are written atomically.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dprkwatch.arsenal.plot import plot_format, write_atomic
from dprkwatch.exceptions import InputError

_COLOURS = {"eu": "#1565c0", "uk": "#c62828", "ofac": "#2e7d32"}


def lags(follow: Sequence[Mapping[str, Any]], publisher: str) -> list[int]:
    """Dated lags (days after the UN; 0 for the same day or before) of one national list."""
    out = []
    for item in follow:
        f = item[publisher]
        if f["listed"] and not f["lag_bound"] and f["lag_days"] is not None:
            out.append(max(0, int(f["lag_days"])))
    return sorted(out)


def render(report: Mapping[str, Any], *, fmt: str = "png") -> bytes:
    """The cumulative lag curves of the lists with dated lags; image bytes."""
    follow = report["un_follow_up"]
    panels = [p for p in ("eu", "uk", "ofac") if lags(follow, p)]
    if not panels:
        raise InputError("no dated listing lags to plot (resolve lists with UN designations)")
    fig = Figure(figsize=(7.5, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    total = len(follow)
    for pub in panels:
        days = lags(follow, pub)
        missing = report["un_lag"][pub]["missing"]
        xs = [d + 1 for d in days]  # day 0 on a log axis: plotted at 1
        ys = [(i + 1) / total for i in range(len(days))]
        ax.step(xs, ys, where="post", color=_COLOURS.get(pub, "#555555"),
                label=f"{pub.upper()}: {len(days)} dated, {missing} missing")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("days after the UN listing (+1, log scale)")
    ax.set_ylabel(f"share of {total} UN designations listed")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("UN 1718 designations: how soon each list followed", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()


def save_plot(report: Mapping[str, Any], path: Path) -> Path:
    write_atomic(path, render(report, fmt=plot_format(path)))
    return path
