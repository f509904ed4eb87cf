"""``dprkwatch roadmap``: definitions, proposals, and what each deal would have stopped.

Thin over :mod:`dprkwatch.roadmap`; ``--json`` prints what the library
returns. Model options (``--draws``, ``--seed``, ``--params``, ``--set``) mean
what they mean for ``dprkwatch arsenal``. ``--proposals FILE`` adds a user's
proposal file, validated like the shipped one (unknown asset or resolution,
impossible phase order: one line naming the file, line and problem).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from dprkwatch.arsenal import ArsenalModel, load_model, load_parameters
from dprkwatch.arsenal.model import DEFAULT_DRAWS, DEFAULT_SEED
from dprkwatch.arsenal.parameters import parse_settings
from dprkwatch.cli.output import console, emit_json
from dprkwatch.roadmap import DEFAULT_BY, Evaluation, Roadmap, evaluate, load_roadmap
from dprkwatch.roadmap.report import definition_rows, shares_report

app = typer.Typer(
    help="Roadmaps and deals: definitions, proposals, and what each would have stopped.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
ProposalsOpt = Annotated[
    list[Path] | None,
    typer.Option("--proposals", help="Extra proposal file (YAML list of proposals); repeatable."),
]
ParamsOpt = Annotated[
    Path | None, typer.Option("--params", help="Arsenal parameter file (default: the shipped one).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override an arsenal parameter: NAME=VALUE or NAME=LOW..HIGH; repeatable."
    ),
]
DrawsOpt = Annotated[int, typer.Option("--draws", help="Monte Carlo draws.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same numbers).")]
ByOpt = Annotated[int, typer.Option("--by", help="Year whose end the results are taken at.")]
IdsArg = Annotated[list[str] | None, typer.Argument(help="Proposal ids (default: every proposal).")]


def _roadmap(params: Path | None, proposals: list[Path] | None) -> Roadmap:
    if params is None and not proposals:
        return load_roadmap()
    return load_roadmap(
        proposal_files=proposals or (), params=load_parameters(params) if params else None
    )


def _model(params: Path | None, sets: list[str] | None, draws: int, seed: int) -> ArsenalModel:
    return load_model(params, overrides=parse_settings(sets or []), draws=draws, seed=seed)


def print_table(rows: list[dict[str, Any]], columns: list[str], *, title: str) -> None:
    """A Rich table whose first column (the id) never truncates; other cells fold."""
    table = Table(title=title)
    for i, col in enumerate(columns):
        table.add_column(col, no_wrap=i == 0, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)  # tables wrap inside their cells


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _band(iv: dict[str, Any] | None, fmt: str = "{:.1f}", sep: str = " ") -> str:
    """``median (p05-p95)`` of an interval's dict."""
    if not iv:
        return "-"
    return f"{fmt.format(iv['median'])}{sep}({fmt.format(iv['low'])}-{fmt.format(iv['high'])})"


@app.command("definitions")
def definitions_cmd(
    members: Annotated[bool, typer.Option("--members", help="List every member.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """The definitions of denuclearization (and of freezes), each a set of assets and activities."""
    rows = definition_rows(load_roadmap())
    if json_out:
        emit_json(rows)
        return
    flat = [
        {
            **r,
            "members": f"{len(r['assets'])} assets, {len(r['activities'])} activities",
        }
        for r in rows
    ]
    cols = ["id", "holder", "kind", "members", "confidence", "sources"]
    if members:
        cols = ["id", "assets", "activities"]
    print_table(flat, cols, title="Definitions of denuclearization")


@app.command("assets")
def assets_cmd(json_out: JsonOpt = False) -> None:
    """The asset inventory: role, arsenal-model component, location, counts, sources."""
    rm = load_roadmap()
    rows = [a.model_dump(mode="json") for a in rm.assets]
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        loc = r.get("location")
        r["location"] = f"{loc['lat']:.3f} {loc['lon']:.3f}" if loc else ""
        cnt = r.get("count")
        r["count"] = (
            f"{cnt.get('low') or '?'}-{cnt.get('high') or '?'} ({cnt['as_of']})" if cnt else ""
        )
    print_table(rows, ["id", "roles", "model", "location", "count"], title="Asset inventory")


@app.command("proposals")
def proposals_cmd(
    proposal: Annotated[str | None, typer.Argument(help="Show one proposal's phases.")] = None,
    proposals: ProposalsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The encoded proposals, or one proposal's phases."""
    rm = _roadmap(None, proposals)
    chosen = [rm.proposal(proposal)] if proposal else rm.proposals
    if json_out:
        emit_json([{**p.model_dump(mode="json"), "origin": rm.origin.get(p.id)} for p in chosen])
        return
    if proposal:
        p = chosen[0]
        console.print(
            f"[bold]{p.name}[/bold] ({p.date}, {p.proposed_by}; {p.status})\n{p.summary}",
            soft_wrap=True,
        )
        for ph in p.phases:
            assumed = " (date assumed)" if ph.dates_assumed else ""
            console.print(
                f"\n[bold]{ph.id}[/bold] from {ph.start}{assumed}: {ph.name}", soft_wrap=True
            )
            for action, asset in ph.actions():
                console.print(f"  {action.value:<10} {asset}", soft_wrap=True)
            for activity in ph.halt:
                console.print(f"  {'halt':<10} {activity}", soft_wrap=True)
            for v in ph.verification:
                console.print(f"  {'checked by':<10} {v.kind}: {v.detail or ''}", soft_wrap=True)
            for r in ph.relief:
                console.print(f"  {'relief':<10} {r.resolution} ({r.scope})", soft_wrap=True)
            for c in ph.corresponding:
                console.print(f"  {'in return':<10} {c.kind}: {c.detail}", soft_wrap=True)
            console.print(
                f"  sources: {', '.join(ph.sources)} ({ph.confidence.value})", soft_wrap=True
            )
        return
    rows = [
        {
            "id": p.id,
            "date": p.date.isoformat(),
            "proposed by": p.proposed_by,
            "status": p.status,
            "phases": len(p.phases),
            "relief": sorted({r.resolution for ph in p.phases for r in ph.relief}),
            "origin": rm.origin.get(p.id),
        }
        for p in chosen
    ]
    print_table(rows, list(rows[0]) if rows else ["id"], title="Proposals")


def _evaluation(
    ids: list[str] | None,
    by: int,
    params: Path | None,
    sets: list[str] | None,
    draws: int,
    seed: int,
    proposals: list[Path] | None,
    trajectory_years: list[int] | None = None,
) -> tuple[Roadmap, Evaluation]:
    rm = _roadmap(params, proposals)
    chosen = [rm.proposal(i) for i in ids] if ids else None
    model = _model(params, sets, draws, seed)
    return rm, evaluate(model, rm, chosen, by=by, trajectory_years=trajectory_years or ())


@app.command("evaluate")
def evaluate_cmd(
    ids: IdsArg = None,
    by: ByOpt = DEFAULT_BY,
    proposals: ProposalsOpt = None,
    params: ParamsOpt = None,
    sets: SetOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    trajectories: Annotated[
        bool,
        typer.Option("--trajectories", help="Also compute the stock at every year-end (JSON)."),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """What each proposal would have stopped by the end of --by, side by side."""
    years = list(range(1990, by + 1)) if trajectories else None
    rm, ev = _evaluation(ids, by, params, sets, draws, seed, proposals, years)
    data = ev.to_dict(rm)
    if json_out:
        emit_json(data)
        return
    rows = []
    notes = []
    for p in data["proposals"]:
        res = p["results"]
        defs = {d["definition"]: d["stopped_share"] for d in p["definitions"]}
        relief = p["relief"]
        revenue = relief["revenue_musd_per_year"]
        rows.append(
            {
                "proposal": p["id"],
                f"prevented by {by}": _band(res.get("prevented"), sep="\n"),
                "share": _band(res.get("share"), "{:.0%}", sep="\n") if res.get("share") else "-",
                f"held {by}": _band(res.get("held") or data["held_baseline"], sep="\n"),
                "relief": (
                    f"{len(relief['resolutions'])} res."
                    + (f"\n${revenue:,.0f}m/yr" if revenue else "")
                    if relief["resolutions"]
                    else "none"
                ),
            }
        )
        left = ", ".join(p["uncovered"]) or "nothing modelled"
        still = _band(res.get("remaining")) if res.get("remaining") else "-"
        notes.append(
            f"- [bold]{p['id']}[/bold] (first stop {p['first_stop'] or '-'}): still made {still}; "
            f"uncovered: {left}; stops {_pct(defs.get('un-cvid', 0))} of the UN definition, "
            f"{_pct(defs.get('dprk-peninsula', 0))} of the DPRK's"
        )
    print_table(
        rows,
        list(rows[0]) if rows else ["proposal"],
        title=f"What each proposal would have stopped ({ev.draws:,} draws, seed {ev.seed})",
    )
    console.print(
        f"Median (p05-p95), weapons-equivalent. Without a deal: {_band(data['held_baseline'])} "
        f"held at the end of {by}. share = prevented / what the model makes from the first stop "
        "to then; relief = resolutions relieved and the export revenue they were said to block "
        "(a lower bound).",
        soft_wrap=True,
    )
    for line in notes:
        console.print(line, soft_wrap=True)


@app.command("shares")
def shares_cmd(
    site: Annotated[str, typer.Option("--site", help="Site whose share to compute.")] = "yongbyon",
    start: Annotated[str, typer.Option("--from", help="Window start (date or event).")] = "hanoi",
    end: Annotated[str, typer.Option("--to", help="Window end (date, year or event).")] = str(
        DEFAULT_BY
    ),
    params: ParamsOpt = None,
    sets: SetOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    json_out: JsonOpt = False,
) -> None:
    """A site's share of fissile production in the model, against published assessments."""
    rm = _roadmap(params, None)
    model = _model(params, sets, draws, seed)
    a, b = model.resolve_date(start, "--from"), model.resolve_date(end, "--to")
    data = shares_report(model, rm, site, a, b)
    if json_out:
        emit_json(data)
        return
    for q, iv in data["share"].items():
        console.print(
            f"{site} share of {q} production {a}..{b}: {_band(iv, '{:.2f}')}", soft_wrap=True
        )
    rows = [
        {
            "assessment": c["id"],
            "quantity": c["quantity"],
            "published": f"{c['low']:.2f}-{c['high']:.2f}",
            "model p05-p95": f"{c['model_p05']:.2f}-{c['model_p95']:.2f}",
            "status": c["status"],
        }
        for c in data["assessments"]
    ]
    print_table(
        rows,
        list(rows[0]) if rows else ["assessment"],
        title="Published assessments against the model",
    )
    for c in data["assessments"]:
        console.print(
            f"- [bold]{c['id']}[/bold] ({c['status']}): {c['explanation']}", soft_wrap=True
        )


@app.command("plot")
def plot_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="Image file: .png or .svg.")],
    ids: IdsArg = None,
    by: ByOpt = DEFAULT_BY,
    start: Annotated[int | None, typer.Option("--from", help="First year-end drawn.")] = None,
    proposals: ProposalsOpt = None,
    params: ParamsOpt = None,
    sets: SetOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
) -> None:
    """Arsenal trajectories with and without each proposal."""
    from dprkwatch.roadmap.plot import default_years, save_plot  # matplotlib only when plotting

    rm = _roadmap(params, proposals)
    firsts = [rm.proposal(i).phases[0].start.year for i in (ids or [p.id for p in rm.proposals])]
    years = list(range(start, by + 1)) if start else default_years(firsts, by)
    _, ev = _evaluation(ids, by, params, sets, draws, seed, proposals, years)
    path = save_plot(ev, output)
    console.print(f"wrote {path}", soft_wrap=True)


@app.command("check")
def check_cmd(
    files: Annotated[list[Path], typer.Argument(help="Proposal files to validate.")],
) -> None:
    """Validate proposal files against the inventory, the ledger and the model; one line per file."""
    for f in files:
        rm = load_roadmap(proposal_files=[f])
        mine = [p.id for p in rm.proposals if rm.origin.get(p.id) == str(f)]
        console.print(
            f"{f}: ok ({len(mine)} proposal{'s' if len(mine) != 1 else ''}: {', '.join(mine)})",
            soft_wrap=True,
        )
