"""``dprkwatch roadmap``: definitions, proposals, and what each deal would have stopped.

Each command is one library call handed to :func:`dprkwatch.cli.output.render`;
``--json`` prints the whole value (what ``GET /roadmap`` answers), the table
format a readable cut of it. Model options (``--draws``, ``--seed``,
``--params``, ``--set``) mean what they mean for ``dprkwatch arsenal``.
``--proposals FILE`` adds a user's proposal file, validated like the shipped
one (an unknown asset or resolution, phases that cannot follow each other:
one line naming the file, the line and the problem).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dprkwatch.arsenal import ArsenalModel, load_model, load_parameters
from dprkwatch.arsenal.model import DEFAULT_DRAWS, DEFAULT_SEED
from dprkwatch.arsenal.parameters import combined_overrides
from dprkwatch.cli.output import output_format, render
from dprkwatch.roadmap import DEFAULT_BY, Roadmap, evaluate, load_roadmap
from dprkwatch.roadmap.model import Proposal
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
VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant",
        help="A named set of arsenal overrides (repeatable; `arsenal variants` lists them).",
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


def _model(
    params: Path | None,
    sets: list[str] | None,
    draws: int,
    seed: int,
    variants: list[str] | None = None,
) -> ArsenalModel:
    overrides = combined_overrides(params, variants or (), sets or ())
    return load_model(params, overrides=overrides, draws=draws, seed=seed)


def _band(iv: dict[str, Any] | None, fmt: str = "{:.1f}", sep: str = " ") -> str:
    """``median (p05-p95)`` of an interval's dict."""
    if not iv:
        return "-"
    return f"{fmt.format(iv['median'])}{sep}({fmt.format(iv['low'])}-{fmt.format(iv['high'])})"


def _pct(x: float) -> str:
    return f"{x:.0%}"


@app.command("definitions")
def definitions_cmd(json_out: JsonOpt = False) -> None:
    """The definitions of denuclearization (and of freezes), each a set of assets and activities."""
    rows = definition_rows(load_roadmap())
    table = [
        {**r, "members": f"{len(r['assets'])} assets, {len(r['activities'])} activities"}
        for r in rows
    ]
    render(
        rows,
        output_format(json_out),
        rows=table,
        columns=["id", "kind", "members", "holder"],
        title="Definitions of denuclearization (`--json` lists every member)",
    )


@app.command("assets")
def assets_cmd(json_out: JsonOpt = False) -> None:
    """The asset inventory: role, arsenal-model component, location, counts, sources."""
    assets = load_roadmap().assets
    table = [
        {
            "id": a.id,
            "model": a.model or "",
            "where": f"{a.location.lat:.3f} {a.location.lon:.3f}" if a.location else "",
            "count": f"{a.count.low or '?'}-{a.count.high or '?'}" if a.count else "",
        }
        for a in assets
    ]
    render(
        assets,
        output_format(json_out),
        rows=table,
        columns=["id", "model", "where", "count"],
        title="Asset inventory (`--json` gives roles, sources and notes)",
    )


def _phases_text(p: Proposal) -> str:
    lines = [f"{p.name} ({p.date}, {p.proposed_by}; {p.status})", p.summary]
    for ph in p.phases:
        assumed = " (date assumed)" if ph.dates_assumed else ""
        lines.append(f"\n{ph.id} from {ph.start}{assumed}: {ph.name}")
        lines += [f"  {action.value:<10} {asset}" for action, asset in ph.actions()]
        lines += [f"  {'halt':<10} {activity}" for activity in ph.halt]
        lines += [f"  {'checked by':<10} {v.kind}: {v.detail or ''}" for v in ph.verification]
        lines += [f"  {'relief':<10} {r.resolution} ({r.scope})" for r in ph.relief]
        lines += [f"  {'in return':<10} {c.kind}: {c.detail}" for c in ph.corresponding]
        lines.append(f"  sources: {', '.join(ph.sources)} ({ph.confidence.value})")
    return "\n".join(lines)


@app.command("proposals")
def proposals_cmd(
    proposal: Annotated[str | None, typer.Argument(help="Show one proposal's phases.")] = None,
    proposals: ProposalsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The encoded proposals, or one proposal's phases."""
    rm = _roadmap(None, proposals)
    chosen = [rm.proposal(proposal)] if proposal else rm.proposals
    value = [{**p.model_dump(mode="json"), "origin": rm.origin.get(p.id)} for p in chosen]
    table = [
        {"id": p.id, "date": p.date, "status": p.status, "phases": len(p.phases)} for p in chosen
    ]
    render(
        value,
        output_format(json_out),
        rows=table,
        columns=["id", "date", "status", "phases"],
        title="Proposals",
        text=_phases_text(chosen[0]) if proposal else None,
    )


@app.command("evaluate")
def evaluate_cmd(
    ids: IdsArg = None,
    by: ByOpt = DEFAULT_BY,
    proposals: ProposalsOpt = None,
    params: ParamsOpt = None,
    sets: SetOpt = None,
    variant: VariantOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    trajectories: Annotated[
        bool,
        typer.Option("--trajectories", help="Also compute the stock at every year-end (JSON)."),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """What each proposal would have stopped by the end of --by, side by side."""
    rm = _roadmap(params, proposals)
    chosen = [rm.proposal(i) for i in ids] if ids else None
    years = range(1990, by + 1) if trajectories else ()
    ev = evaluate(
        _model(params, sets, draws, seed, variant), rm, chosen, by=by, trajectory_years=years
    )
    data = ev.to_dict(rm)
    rows = []
    notes = []
    for p in data["proposals"]:
        res = p["results"]
        defs = {d["definition"]: d["stopped_share"] for d in p["definitions"]}
        relief = p["relief"]
        rows.append(
            {
                "proposal": p["id"],
                "prevented": _band(res.get("prevented"), sep="\n"),
                "share": _band(res.get("share"), "{:.0%}", sep="\n") if res.get("share") else "-",
                f"held {by}": _band(res.get("held") or data["held_baseline"], sep="\n"),
            }
        )
        cost = (
            f"relieves {len(relief['resolutions'])} resolutions, "
            f"at least ${relief['revenue_musd_per_year']:,.0f}m a year of exports"
            if relief["resolutions"]
            else "no UN relief"
        )
        notes.append(
            f"- {p['id']} (first stop {p['first_stop'] or '-'}): still made "
            f"{_band(res.get('remaining'))}; uncovered: {', '.join(p['uncovered']) or 'none'}; "
            f"stops {_pct(defs.get('un-cvid', 0))} of the UN definition, "
            f"{_pct(defs.get('dprk-peninsula', 0))} of the DPRK's; {cost}"
        )
    fmt = output_format(json_out)
    render(
        data,
        fmt,
        rows=rows,
        columns=["proposal", "prevented", "share", f"held {by}"],
        title=f"Prevented by the end of {by} ({ev.draws:,} draws, seed {ev.seed})",
    )
    if fmt == "table":
        render(
            None,
            fmt,
            text=(
                f"Median (p05-p95), weapons-equivalent. Without a deal: "
                f"{_band(data['held_baseline'])} held at the end of {by}. share = prevented / "
                "what the model makes from the first stop to then.\n" + "\n".join(notes)
            ),
        )


@app.command("shares")
def shares_cmd(
    site: Annotated[str, typer.Option("--site", help="Site whose share to compute.")] = "yongbyon",
    start: Annotated[str, typer.Option("--from", help="Window start (date or event).")] = "hanoi",
    end: Annotated[str, typer.Option("--to", help="Window end (date, year or event).")] = str(
        DEFAULT_BY
    ),
    params: ParamsOpt = None,
    sets: SetOpt = None,
    variant: VariantOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    json_out: JsonOpt = False,
) -> None:
    """A site's share of fissile production in the model, against published assessments."""
    rm = _roadmap(params, None)
    model = _model(params, sets, draws, seed, variant)
    a, b = model.resolve_date(start, "--from"), model.resolve_date(end, "--to")
    data = shares_report(model, rm, site, a, b)
    rows = [
        {
            "assessment": c["id"],
            "quantity": c["quantity"],
            "published": f"{c['low']:.2f}-{c['high']:.2f}",
            "model": f"{c['model_p05']:.2f}-{c['model_p95']:.2f}",
            "status": c["status"],
        }
        for c in data["assessments"]
    ]
    fmt = output_format(json_out)
    share = "; ".join(f"{q}: {_band(iv, '{:.2f}')}" for q, iv in data["share"].items())
    render(
        data,
        fmt,
        rows=rows,
        columns=["assessment", "quantity", "published", "model", "status"],
        title="Published assessments against the model's 90% band",
        summary=f"{site}'s share of production {a}..{b} - {share}",
    )
    if fmt == "table":
        why = [f"- {c['id']} ({c['status']}): {c['explanation']}" for c in data["assessments"]]
        render(None, fmt, text="\n".join(why))


@app.command("plot")
def plot_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="Image file: .png or .svg.")],
    ids: IdsArg = None,
    by: ByOpt = DEFAULT_BY,
    start: Annotated[int | None, typer.Option("--from", help="First year-end drawn.")] = None,
    proposals: ProposalsOpt = None,
    params: ParamsOpt = None,
    sets: SetOpt = None,
    variant: VariantOpt = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
) -> None:
    """Arsenal trajectories with and without each proposal."""
    from dprkwatch.roadmap.plot import default_years, save_plot  # matplotlib only when plotting

    rm = _roadmap(params, proposals)
    chosen = [rm.proposal(i) for i in ids] if ids else rm.proposals
    years = (
        list(range(start, by + 1))
        if start
        else default_years([p.phases[0].start.year for p in chosen], by)
    )
    ev = evaluate(
        _model(params, sets, draws, seed, variant), rm, chosen, by=by, trajectory_years=years
    )
    path = save_plot(ev, output)
    render(None, text=f"wrote {path}")


@app.command("check")
def check_cmd(
    files: Annotated[list[Path], typer.Argument(help="Proposal files to validate.")],
) -> None:
    """Validate proposal files against the inventory, the ledger and the model; one line per file."""
    lines = []
    for f in files:
        rm = load_roadmap(proposal_files=[f])
        mine = [p.id for p in rm.proposals if rm.origin.get(p.id) == str(f)]
        lines.append(
            f"{f}: ok ({len(mine)} proposal{'s' if len(mine) != 1 else ''}: {', '.join(mine)})"
        )
    render(None, text="\n".join(lines))
