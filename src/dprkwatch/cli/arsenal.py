"""``dprkwatch arsenal``: the fissile-material model from the command line.

Every command is a thin layer over :mod:`dprkwatch.arsenal`; ``--json``
prints what the library returns. Dates take ``YYYY-MM-DD``, ``YYYY-MM``,
``YYYY`` (the year-end) or an event name (``singapore``, ``hanoi``...).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from dprkwatch.arsenal import (
    ArsenalModel,
    ParameterError,
    load_model,
    load_parameters,
    load_scenarios,
)
from dprkwatch.arsenal.estimates import load_estimates
from dprkwatch.arsenal.model import DEFAULT_DRAWS, DEFAULT_SEED
from dprkwatch.arsenal.parameters import combined_overrides
from dprkwatch.arsenal.plot import save_plot
from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import console, output_format, render

app = typer.Typer(
    help="Arsenal model: stock, increments, published estimates, plots.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
ParamsOpt = Annotated[
    Path | None,
    typer.Option("--params", help="Parameter file (default: the one shipped with dprkwatch)."),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a parameter: NAME=VALUE, NAME=LOW..HIGH or NAME=LOW..VALUE..HIGH (repeatable); "
        "see `arsenal parameters` for names.",
    ),
]
VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant",
        help="Apply a named set of overrides (repeatable; `arsenal variants` lists them); "
        "--set wins over a variant.",
    ),
]
DrawsOpt = Annotated[int, typer.Option("--draws", help="Monte Carlo draws.")]
SeedOpt = Annotated[
    int, typer.Option("--seed", help="Random seed (results are reproducible for a seed).")
]
ScenarioOpt = Annotated[
    str | None,
    typer.Option("--scenario", help="Use a deterministic scenario instead of the Monte Carlo."),
]
FromOpt = Annotated[int, typer.Option("--from", help="First year-end of the band.")]
ToOpt = Annotated[int, typer.Option("--to", help="Last year-end of the band.")]

_PROGRESS_FROM = 2_000_000  # draws above which a progress bar is worth showing


@contextmanager
def _model(
    ctx: typer.Context,
    params: Path | None,
    sets: list[str] | None,
    draws: int,
    seed: int,
    quiet: bool,
    variants: list[str] | None = None,
) -> Iterator[ArsenalModel]:
    settings = settings_of(ctx)
    show = not quiet and draws >= _PROGRESS_FROM and sys.stderr.isatty()
    with Progress(transient=True, disable=not show) as progress:
        task = progress.add_task("Monte Carlo", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield load_model(
            params,
            overrides=combined_overrides(params, variants or (), sets or ()),
            draws=draws,
            seed=seed,
            shared_data=settings.shared_data,
            progress=tick if show else None,
        )


def _r(x: float) -> float:
    return round(x, 1)


@app.command("estimate")
def estimate_cmd(
    ctx: typer.Context,
    dates: Annotated[
        list[str] | None, typer.Argument(help="Dates or event names; default: every year-end.")
    ] = None,
    start: FromOpt = 2006,
    end: ToOpt = 2030,
    scenario: ScenarioOpt = None,
    material: Annotated[
        bool, typer.Option("--material", help="Also show kg of plutonium and HEU held.")
    ] = False,
    params: ParamsOpt = None,
    sets: SetOpt = None,
    variant: VariantOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """The stock (weapons-equivalent) at dates, or the band at every year-end."""
    fmt = output_format(json_out, csv_out)
    with _model(ctx, params, sets, draws, seed, fmt != "table", variant) as model:
        if scenario:
            sc = model.scenario(scenario)
            whens = (
                [model.resolve_date(d) for d in dates]
                if dates
                else [
                    model.resolve_date(str(y))
                    for y in range(max(start, sc.spec.base.date.year), end + 1)
                ]
            )
            rows: list[dict[str, Any]] = [
                {"date": d.isoformat(), **sc.stock(d).to_dict()} for d in whens
            ]
            shown = [
                {**r, "extrapolated": "yes (this tool's)" if r["extrapolated"] else ""}
                for r in rows
            ]
            render(
                {"scenario": sc.to_dict(), "rows": rows},
                fmt,
                rows=shown,
                columns=["date", "low", "high", "extrapolated"],
                title=sc.title,
            )
            if fmt == "table" and any(r["extrapolated"] for r in rows):
                console.print(
                    f"Rows after {sc.horizon} extrapolate the recipe past the last figure "
                    "its publication gave."
                )
            return
        if dates:
            rows = []
            for d in dates:
                day = model.resolve_date(d)
                iv = model.stock(day)
                row: dict[str, Any] = {
                    "query": d,
                    "date": day.isoformat(),
                    **iv.quantiles,
                    "median": iv.median,
                }
                if material:
                    mat = model.material(day)
                    row["pu_kg"] = {k: _r(v) for k, v in mat["pu_kg"].quantiles.items()}
                    row["heu_kg"] = {k: _r(v) for k, v in mat["heu_kg"].quantiles.items()}
                rows.append(row)
        else:
            if end < start:
                raise ParameterError(f"--to ({end}) is before --from ({start})", where="--to")
            rows = model.band(range(start, end + 1))
            if material:
                for quantity in ("pu_kg", "heu_kg"):
                    for row, extra in zip(
                        rows, model.band(range(start, end + 1), quantity=quantity), strict=True
                    ):
                        row[quantity] = {k: extra[k] for k in ("p05", "p50", "p95")}
        cols = ["date", "p05", "p25", "p50", "p75", "p95"]
        flat = [{**r, **{k: _r(r[k]) for k in cols[1:]}} for r in rows]
        if material:
            for r in flat:
                r["pu kg (p05-p95)"] = f"{r['pu_kg']['p05']:.0f}-{r['pu_kg']['p95']:.0f}"
                r["heu kg (p05-p95)"] = f"{r['heu_kg']['p05']:.0f}-{r['heu_kg']['p95']:.0f}"
            cols += ["pu kg (p05-p95)", "heu kg (p05-p95)"]
        render(
            {"draws": model.n_draws, "seed": model.seed, "rows": rows},
            fmt,
            rows=flat,
            columns=cols,
            title=f"Weapons-equivalent stock ({model.n_draws:,} draws; p50 = median)",
        )


@app.command("increment")
def increment_cmd(
    ctx: typer.Context,
    start: Annotated[
        str, typer.Argument(help="Start date or event (e.g. 2018-06-12 or singapore).")
    ],
    end: Annotated[str, typer.Argument(help="End date or event (e.g. hanoi).")],
    scenario: ScenarioOpt = None,
    params: ParamsOpt = None,
    sets: SetOpt = None,
    variant: VariantOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    json_out: JsonOpt = False,
) -> None:
    """Weapons-equivalent of fissile material produced between two dates."""
    with _model(ctx, params, sets, draws, seed, json_out, variant) as model:
        inc = model.produced(start, end, scenario)
    label = f"scenario {scenario}" if scenario else f"p05 / median / p95 of {model.n_draws:,} draws"
    row = {
        "start": inc.start,
        "end": inc.end,
        "low": _r(inc.low),
        "median": _r(inc.median),
        "high": _r(inc.high),
    }
    if inc.extrapolated:
        label += f", extrapolated past the publication's last figure ({model.scenario(scenario or '').horizon})"
    render(
        inc,
        output_format(json_out),
        rows=[row],
        columns=list(row),
        title=f"Weapons-equivalent produced ({label})",
    )


@app.command("compare")
def compare_cmd(
    ctx: typer.Context,
    outside_only: Annotated[
        bool, typer.Option("--outside", help="Only estimates outside the band.")
    ] = False,
    estimates: Annotated[
        list[Path] | None,
        typer.Option(
            "--estimates",
            help="Extra estimates file (compiled CSV or FAS/OWID stockpile CSV); repeatable.",
        ),
    ] = None,
    params: ParamsOpt = None,
    sets: SetOpt = None,
    variant: VariantOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Every published estimate against the model's band; outliers flagged and explained."""
    fmt = output_format(json_out, csv_out)
    with _model(ctx, params, sets, draws, seed, fmt != "table", variant) as model:
        found = load_estimates(settings_of(ctx).shared_data, files=estimates or ())
        compared = [c for c in model.compare(found) if c.flagged or not outside_only]
    data = [c.to_dict() for c in compared]
    rows = [
        {
            **r,
            "model p05-p95": f"{r['model_p05']:.1f}-{r['model_p95']:.1f}",
            "date": r["as_of"] if not r["window_start"] else f"{r['window_start']}..{r['as_of']}",
            "median": f"{r['model_median']:.1f}",
        }
        for r in data
    ]
    cols = [
        "id",
        "date",
        "kind",
        "published",
        "model p05-p95",
        "median",
        "status",
        "assumption",
    ]
    render(
        data,
        fmt,
        rows=rows,
        columns=cols,
        csv_columns=[*cols[:5], "model_median", *cols[6:], "explanation", "source", "reference"],
        title="Published estimates against the model's 90% band",
    )
    flagged = [r for r in rows if r["flagged"]]
    if flagged and fmt == "table":
        console.print(f"\n[bold]{len(flagged)} outside the band:[/bold]")
        for r in flagged:
            console.print(f"- [bold]{r['id']}[/bold] ({r['status']}): {r['explanation']}")


@app.command("plot")
def plot_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="Image file: .png or .svg.")],
    start: FromOpt = 2006,
    end: ToOpt = 2030,
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", help="Overlay a deterministic scenario (repeatable)."),
    ] = None,
    params: ParamsOpt = None,
    sets: SetOpt = None,
    variant: VariantOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
) -> None:
    """Draw the band with the published estimates overlaid."""
    if end < start:
        raise ParameterError(f"--to ({end}) is before --from ({start})", where="--to")
    with _model(ctx, params, sets, draws, seed, False, variant) as model:
        path = save_plot(model, output, years=range(start, end + 1), scenarios=scenario or ())
    console.print(f"wrote {path}")


@app.command("scenarios")
def scenarios_cmd(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """The deterministic scenarios and whether each reproduces its published figures."""
    book = load_scenarios()
    rows = []
    for s in book:
        for c in s.check():
            rows.append(
                {
                    "scenario": s.id,
                    "date": c.date.isoformat(),
                    "published": f"{c.published_low:g}-{c.published_high:g}",
                    "computed": f"{float(c.computed_low):g}-{float(c.computed_high):g}",
                    "reproduced": "yes" if c.reproduced else "NO",
                    "extrapolation": "yes" if s.spec.extrapolation else "",
                }
            )
    render(
        [{**s.to_dict(), "checks": [c.to_dict() for c in s.check()]} for s in book],
        output_format(json_out),
        rows=rows,
        columns=list(rows[0]) if rows else ["scenario"],
        title="Deterministic scenarios",
    )


@app.command("variants")
def variants_cmd(
    ctx: typer.Context,
    at: Annotated[
        list[str] | None,
        typer.Option("--at", help="Date or event for the stock (repeatable; default 2026, 2030)."),
    ] = None,
    params: ParamsOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    json_out: JsonOpt = False,
) -> None:
    """Each named variant beside the default: what it sets and the stock it gives."""
    loaded = load_parameters(params)
    cases: list[tuple[str, str, dict[str, str | float | bool]]] = [
        ("default", "the parameter file as shipped", {})
    ]
    cases += [(name, v.title, dict(v.set)) for name, v in loaded.file.variants.items()]
    rows: list[dict[str, Any]] = []
    for name, title, overrides in cases:
        model = load_model(params, overrides=overrides, draws=draws, seed=seed, shared_data=None)
        for when in at or ["2026", "2030"]:
            day = model.resolve_date(when)
            band = model.stock(day)
            rows.append(
                {
                    "variant": name,
                    "title": title,
                    "sets": ", ".join(f"{k}={v}" for k, v in overrides.items()),
                    "date": day.isoformat(),
                    "p05": _r(band.low),
                    "median": _r(band.median),
                    "p95": _r(band.high),
                }
            )
    render(
        rows,
        output_format(json_out),
        rows=rows,
        columns=["variant", "sets", "date", "p05", "median", "p95"],
        title=f"Variants of the model (stock, weapons-equivalent; {draws:,} draws each)",
    )


@app.command("parameters")
def parameters_cmd(
    ctx: typer.Context,
    params: ParamsOpt = None,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Every parameter with its range, unit, confidence and sources."""
    loaded = load_parameters(params)
    rows = [
        {
            "id": pid,
            "value": r.value,
            "low": r.lo,
            "high": r.hi,
            "unit": r.unit,
            "distribution": r.distribution,
            "confidence": r.confidence,
            "source": list(r.source),
            "note": r.note,
        }
        for pid, r in loaded.ranges().items()
    ]
    events = {k: v.isoformat() for k, v in loaded.file.event_dates().items()}
    render(
        {"parameters": rows, "events": events},
        output_format(json_out, csv_out),
        rows=rows,
        columns=["id", "value", "low", "high", "unit", "confidence", "source"],
        csv_columns=list(rows[0]),
        title="Parameters",
    )
