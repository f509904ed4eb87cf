"""``dprkwatch ledger`` and ``dprkwatch claims``: the sourced record, as tables or exports.

Every listing is built once in :mod:`dprkwatch.ledger.views` and only
rendered here: a Rich table (data escaped, so ``[calls-upon]`` survives;
dates marked local or UTC; a legend under it), ``--json`` (one envelope:
``kind``, ``total``, ``offset``, ``count``, ``rows``, ``notes``,
``legend``) or ``--csv``. ``--sources`` adds the resolved citations as a
table column; JSON and CSV rows always carry them.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from dprkwatch.arsenal import load_model
from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import Format, console, render
from dprkwatch.exceptions import InputError
from dprkwatch.ledger import (
    FILES,
    check_ledger,
    evaluate_all,
    formats,
    gather,
    load_ledger,
    resolve_kinds,
    schema_markdown,
    views,
)
from dprkwatch.ledger.exceptions import LedgerValidationError
from dprkwatch.ledger.ingest import import_events
from dprkwatch.ledger.unverified import unverified_rows
from dprkwatch.ledger.views import Listing

app = typer.Typer(
    help="The sourced ledger: timeline, resolutions, agreements, compliance, pressure.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="Start date: YYYY, YYYY-MM or YYYY-MM-DD.")
]
ToOpt = Annotated[
    str | None, typer.Option("--to", help="End date: YYYY, YYYY-MM or YYYY-MM-DD (inclusive).")
]
SourcesOpt = Annotated[
    bool,
    typer.Option(
        "--sources", help="Add a column with each row's citations (publisher, title, date, URL)."
    ),
]
LimitOpt = Annotated[
    int | None, typer.Option("--limit", min=1, help="Show at most this many rows.")
]
OffsetOpt = Annotated[int, typer.Option("--offset", min=0, help="Skip this many rows first.")]


def _range(
    start: str | None, end: str | None, default_start: str | None = None
) -> tuple[date | None, date | None]:
    try:
        return views.parse_range(start, end, default_start=default_start)
    except ValueError as exc:
        option, _, problem = str(exc).partition(": ")
        raise InputError(problem, where=f"--{option}") from None


def _flat(value: Any) -> Any:
    """A cell of a table or CSV: lists joined, citations as text."""
    if isinstance(value, list) and value and isinstance(value[0], dict) and "url" in value[0]:
        return " | ".join(
            f'{c["publisher"]}, "{c["title"]}" ({c["date"]}). {c["url"]}' for c in value
        )
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _show(
    listing: Listing,
    columns: list[str],
    *,
    title: str,
    json_out: bool,
    csv_out: bool,
    sources: bool = False,
    limit: int | None = None,
    offset: int = 0,
    csv_columns: list[str] | None = None,
    empty: str = "Nothing matches.",
    quiet_notes: bool = False,
) -> None:
    """Print a listing as JSON (one envelope), CSV (citations as text) or a table."""
    if json_out and csv_out:
        raise InputError("choose one of --json and --csv")
    page = listing.page(limit, offset)
    fmt: Format = "json" if json_out else "csv" if csv_out else "table"
    shown = [*columns, "citations"] if sources else columns
    if fmt == "csv":
        shown = [*(csv_columns or columns), "citations"]
    rows = []
    for r in page.rows:
        row = {k: _flat(r.get(k)) for k in shown}
        if fmt == "table" and "date" in row and r.get("clock"):
            end = r.get("end_date")
            row["date"] = f"{r['date']}{'..' + end if end else ''} {r['clock']}"
        rows.append(row)
    render(
        page.to_dict(),
        fmt,
        rows=rows,
        columns=shown,
        title=title,
        headers={"citations": "sources"},
        empty=empty,
    )
    if fmt == "table" and page.rows:
        if page.total > len(page.rows):
            console.print(
                f"rows {offset + 1}-{offset + len(page.rows)} of {page.total} "
                "(--limit/--offset for more)",
                markup=False,
            )
        for key, meaning in listing.legend.items():
            console.print(f"  {key}: {meaning}", markup=False, style="dim")
    _notes(listing.notes, quiet_notes)


def _notes(notes: list[str], quiet: bool) -> None:
    if not quiet:
        for note in notes:
            typer.secho(f"note: {note}", err=True, fg=typer.colors.YELLOW)


@app.command("timeline")
def timeline_cmd(
    ctx: typer.Context,
    start: FromOpt = None,
    end: ToOpt = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            "-k",
            help=(
                "Kind or category (repeatable): diplomacy, test, un, sanctions, "
                "exercise, humanitarian, provocation, finding, summit, "
                "missile-launch..."
            ),
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Only events from this dataset: ledger, cns, csis..."),
    ] = None,
    limit: LimitOpt = None,
    offset: OffsetOpt = 0,
    sources: SourcesOpt = False,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Curated events, findings and imported launches/provocations on one timeline."""
    first, last = _range(start, end)
    try:
        kinds = resolve_kinds(kind) if kind else None
    except ValueError as exc:
        raise InputError(str(exc), where="--kind") from None
    inputs = gather(settings_of(ctx).home)
    listing = views.timeline(inputs, start=first, end=last, kinds=kinds, dataset=dataset)
    wants_data = kinds is None or bool(kinds & {"missile-launch", "provocation"})
    listing.notes = [*listing.notes, *(inputs.missing()[:1] if wants_data else [])]
    columns = ["date", "kind", "title", "confidence", "id"]
    _show(
        listing,
        columns,
        title="Timeline",
        json_out=json_out,
        csv_out=csv_out,
        sources=sources,
        limit=limit,
        offset=offset,
        csv_columns=[*columns, "end_date", "clock", "detail", "category", "dataset", "attrs"],
        empty="No events match.",
        quiet_notes=json_out or csv_out,
    )


@app.command("resolutions")
def resolutions_cmd(
    start: FromOpt = None,
    end: ToOpt = None,
    measures: Annotated[
        bool, typer.Option("--measures", help="One row per measure instead of per resolution.")
    ] = False,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Measure kind: cap, ban, designation, inspection, financial, body, other.",
        ),
    ] = None,
    limit: LimitOpt = None,
    offset: OffsetOpt = 0,
    sources: SourcesOpt = False,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """UN Security Council resolutions on the DPRK, with their measures."""
    first, last = _range(start, end)
    ledger = load_ledger()
    if measures or kind:
        listing = views.measures(ledger, start=first, end=last, kind=kind)
        columns = [
            "date",
            "resolution",
            "kind",
            "subject",
            "direction",
            "quantity",
            "unit",
            "period",
            "individuals",
            "entities",
            "vessels",
            "confidence",
        ]
        _show(
            listing,
            columns,
            title="Measures",
            json_out=json_out,
            csv_out=csv_out,
            sources=sources,
            limit=limit,
            offset=offset,
            csv_columns=[*columns, "clock", "resolution_id", "paragraph", "detail"],
            empty="No measures match.",
        )
        return
    listing = views.resolutions(ledger, start=first, end=last)
    for row in listing.rows:
        row["votes"] = _vote(row["vote"])
    columns = [
        "date",
        "resolution",
        "outcome",
        "chapter_vii",
        "votes",
        "trigger",
        "measures",
        "requires_denuclearization",
        "confidence",
    ]
    _show(
        listing,
        columns,
        title="UN Security Council resolutions on the DPRK",
        json_out=json_out,
        csv_out=csv_out,
        sources=sources,
        limit=limit,
        offset=offset,
        csv_columns=[*columns, "clock", "id", "number", "note"],
        empty="No resolutions match.",
    )


def _vote(vote: dict[str, Any] | None) -> str:
    if vote is None:
        return ""
    text = f"{vote['in_favour']}-{vote['against']}-{vote['abstaining']}"
    return f"{text} (veto: {', '.join(vote['vetoed_by'])})" if vote["vetoed_by"] else text


STATUSES = ("kept", "broken", "lapsed", "never-verified")


@app.command("agreements")
def agreements_cmd(
    start: FromOpt = None,
    end: ToOpt = None,
    commitments: Annotated[
        bool, typer.Option("--commitments", help="One row per commitment.")
    ] = False,
    party: Annotated[
        str | None,
        typer.Option("--party", help="Only commitments of this party (DPRK, US, ROK, both, all)."),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="kept, broken, lapsed or never-verified.")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            help="denuclearization, missiles, verification, peace, relations, aid, humanitarian, military.",
        ),
    ] = None,
    limit: LimitOpt = None,
    offset: OffsetOpt = 0,
    sources: SourcesOpt = False,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """The DPRK's nuclear agreements and what became of each commitment."""
    first, last = _range(start, end)
    if status and status not in STATUSES:
        raise InputError(f"unknown status {status!r} ({', '.join(STATUSES)})", where="--status")
    ledger = load_ledger()
    if commitments or party or status or topic:
        _commitments(
            views.commitments(
                ledger, start=first, end=last, party=party, status=status, topic=topic
            ),
            sources=sources,
            limit=limit,
            offset=offset,
            json_out=json_out,
            csv_out=csv_out,
        )
        return
    columns = ["date", "agreement", "commitments", *STATUSES, "ended", "id"]
    _show(
        views.agreements(ledger, start=first, end=last),
        columns,
        title="DPRK nuclear agreements",
        json_out=json_out,
        csv_out=csv_out,
        sources=sources,
        limit=limit,
        offset=offset,
        csv_columns=[*columns, "clock", "kind", "parties", "outcome", "confidence"],
        empty="No agreements match.",
    )


def _commitments(listing: Listing, **kw: Any) -> None:
    columns = [
        "date",
        "agreement_name",
        "party",
        "obligation",
        "status",
        "status_path",
        "evidence_date",
        "evidence",
        "confidence",
    ]
    _show(
        listing,
        columns,
        title="Commitments (status path: each change with its date)",
        csv_columns=[*columns, "clock", "commitment", "topic", "deadline"],
        empty="No commitments match.",
        **kw,
    )


@app.command("compliance")
def compliance_cmd(
    ctx: typer.Context,
    start: FromOpt = None,
    end: ToOpt = None,
    agreements: Annotated[
        bool,
        typer.Option(
            "--agreements", help="Agreements × commitments instead of resolutions × obligations."
        ),
    ] = False,
    limit: LimitOpt = None,
    offset: OffsetOpt = 0,
    sources: SourcesOpt = False,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Compliance matrix: each cell a status with its first piece of evidence."""
    first, last = _range(start, end)
    if agreements:
        _commitments(
            views.commitments(load_ledger(), start=first, end=last),
            sources=sources,
            limit=limit,
            offset=offset,
            json_out=json_out,
            csv_out=csv_out,
        )
        return
    inputs = gather(settings_of(ctx).home)
    listing = views.compliance(inputs, start=first, end=last)
    if json_out or csv_out or sources:
        columns = ["date", "resolution", "obligation", "summary", "evidence"]
        _show(
            listing,
            columns,
            title="Resolutions × DPRK obligations (one row per cell)",
            json_out=json_out,
            csv_out=csv_out,
            sources=sources,
            limit=limit,
            offset=offset,
            csv_columns=[
                "date",
                "clock",
                "resolution",
                "resolution_id",
                "obligation",
                "force",
                "binding",
                "status",
                "first_breach",
                "evidence",
                "breach_count",
                "note",
            ],
        )
        return
    obligations: list[str] = listing.meta["columns"]
    matrix: dict[str, dict[str, Any]] = {}
    for r in listing.rows:
        row = matrix.setdefault(
            r["resolution_id"],
            {"resolution": r["resolution"], "date": r["date"], "clock": r["clock"]},
        )
        row[r["obligation"]] = r["summary"]
    grid = Listing("compliance", list(matrix.values()), len(matrix), listing.notes, listing.legend)
    _show(
        grid,
        ["date", "resolution", *obligations],
        title="Resolutions × DPRK obligations",
        json_out=False,
        csv_out=False,
        limit=limit,
        offset=offset,
    )


@app.command("pressure")
def pressure_cmd(
    ctx: typer.Context,
    start: FromOpt = None,
    end: ToOpt = None,
    limit: LimitOpt = None,
    offset: OffsetOpt = 0,
    sources: SourcesOpt = False,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """DPRK designations per quarter and list, beside diplomacy, launches and tests."""
    first, last = _range(start, end, default_start=views.PRESSURE_FROM)
    inputs = gather(settings_of(ctx).home)
    listing = views.pressure(inputs, first or date.min, last or date.today())
    lists: list[str] = listing.meta["lists"]
    # One man on four lists is one target: the count by canonical target, after a resolve run.
    resolved = any(r.get("targets") is not None for r in listing.rows)
    columns = [
        "quarter",
        *lists,
        *(["targets"] if resolved else []),
        "ofac_series",
        "diplomacy",
        "launches",
        "nuclear_tests",
        "exercises_suspended",
        "highlights",
    ]
    if json_out or csv_out:
        _show(
            listing,
            columns,
            title="",
            json_out=json_out,
            csv_out=csv_out,
            limit=limit,
            offset=offset,
            csv_columns=[
                *columns,
                "ofac_actions",
                *(f"{x}_partial" for x in lists),
                *(["targets_partial"] if resolved else []),
            ],
        )
        return
    for r in listing.rows:
        for lst in lists:
            value = r[lst]
            r[lst] = "n/a" if value is None else f"{value}*" if r[f"{lst}_partial"] else value
        if resolved:
            n = r["targets"]
            r["targets"] = "n/a" if n is None else f"{n}*" if r["targets_partial"] else n
        r["launches"] = "n/a" if r["launches"] is None else r["launches"]
    _show(
        listing,
        columns,
        title="Pressure index: DPRK designations per quarter and list (ofac_series: curated OFAC "
        "actions" + ("; targets: canonical targets, each counted once)" if resolved else ")"),
        json_out=False,
        csv_out=False,
        sources=sources,
        limit=limit,
        offset=offset,
    )


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="Event files, or folders holding them (e.g. ../shared/data/dprk)."),
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="Force a format (see `ledger formats`).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import CNS launches, CSIS provocations or OFAC first-seen dates into the data directory."""
    with Progress(transient=True, disable=json_out or not sys.stderr.isatty()) as progress:
        task = progress.add_task("parsing", total=None)
        report = import_events(
            settings_of(ctx).home,
            paths,
            fmt=fmt,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    datasets = report.datasets
    rows = [
        {
            "dataset": d.name,
            "format": d.importer,
            "file": d.sources[0].name,
            "records": len(d.records),
            "from": d.coverage[0],
            "to": d.coverage[1],
            "warnings": len(d.warnings),
        }
        for d in datasets
    ]
    listing = Listing("imports", [d.manifest() for d in datasets], len(datasets))
    render(
        listing.to_dict(),
        "json" if json_out else "table",
        rows=rows,
        columns=list(rows[0]),
        title="Imported",
    )
    if report.skipped:
        typer.echo(f"skipped (not event files): {', '.join(report.skipped)}", err=True)
    for d in datasets:
        for w in d.warnings:
            typer.secho(f"warning: {d.name}: {w}", err=True, fg=typer.colors.YELLOW)


@app.command("formats")
def formats_cmd(json_out: JsonOpt = False) -> None:
    """Event importers available, by format name."""
    rows = [
        {"format": k, "dataset": v.dataset, "description": v.description}
        for k, v in formats().items()
    ]
    _show(
        Listing("formats", rows, len(rows)),
        ["format", "dataset", "description"],
        title="Event formats",
        json_out=json_out,
        csv_out=False,
    )


@app.command("validate")
def validate_cmd(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="A ledger directory, or one ledger file to check against the packaged ledger."
        ),
    ] = None,
) -> None:
    """Check curated ledger files: schema, sources, dates and references; list unverified rows."""
    if path is None:
        ledger, problems = check_ledger()
    elif path.is_dir():
        ledger, problems = check_ledger(path)
    elif path.is_file():
        if path.name not in FILES:
            raise InputError(
                f"not a ledger file name (expected one of: {', '.join(FILES)})", source=str(path)
            )
        ledger, problems = check_ledger(replace={path.name: path})
    else:
        raise InputError("file not found", source=str(path))
    for p in problems:
        typer.echo(f"{p}", err=True)
    if problems:
        first = problems[0]
        raise LedgerValidationError(
            first.message, source=first.file, where=f"line {first.line}", more=len(problems) - 1
        )
    records = sum(len(getattr(ledger, name.removesuffix(".yaml"))) for name in FILES)
    unverified = unverified_rows(ledger)
    typer.echo(
        f"ok: {records} records in {len(FILES)} files, every row sourced; "
        f"{len(unverified)} unverified row(s)"
    )
    for u in unverified:
        typer.echo(f"  unverified: {u.file} {u.where}: {u.reason}")


@app.command("sources")
def sources_cmd(
    limit: LimitOpt = None,
    offset: OffsetOpt = 0,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """The bibliography every ledger row cites, oldest first."""
    _show(
        views.sources(load_ledger()),
        ["date", "publisher", "title", "url", "id"],
        title="Sources",
        json_out=json_out,
        csv_out=csv_out,
        limit=limit,
        offset=offset,
        csv_columns=["date", "publisher", "title", "url", "id", "note"],
    )


@app.command("schema")
def schema_cmd() -> None:
    """The record types of the ledger files, as Markdown tables (for docs)."""
    typer.echo(schema_markdown(), nl=False)


def claims_cmd(
    ctx: typer.Context,
    claim: Annotated[
        list[str] | None, typer.Option("--claim", help="Only this claim id (repeatable).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="Judge 'today' as of this date (YYYY-MM-DD): nothing published later is used.",
        ),
    ] = None,
    evidence: Annotated[
        bool,
        typer.Option("--evidence", help="Print each verdict's cited evidence under the table."),
    ] = False,
    sources: SourcesOpt = False,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Check the commentary's claims, at the time they were made and today, with cited evidence."""
    today = date.today()
    if as_of:
        today = _range(None, as_of)[1] or today
    inputs = gather(settings_of(ctx).home)
    known = {c.id for c in inputs.ledger.claims}
    for cid in claim or ():
        if cid not in known:
            raise InputError(
                f"unknown claim {cid!r} (known: {', '.join(sorted(known))})", where="--claim"
            )
    verdicts = evaluate_all(
        inputs.ledger, inputs, today=today, arsenal=load_model, only=claim or ()
    )
    listing = views.claims(verdicts, [*inputs.notes, *inputs.missing()])
    columns = ["id", "verdict_at_time", "value_at_time", "verdict_today", "value_today"]
    _show(
        listing,
        columns,
        title=f"Claims of the commentary: at the time, and as of {today} (UTC calendar)",
        json_out=json_out,
        csv_out=csv_out,
        sources=sources,
        csv_columns=["id", "date", "claim", "quote", *columns[1:]],
        quiet_notes=csv_out,
    )
    if evidence and not (json_out or csv_out):
        for v in verdicts:
            for label, a in (("at the time", v.at_time), ("today", v.today)):
                console.print(f"{v.claim.id} — {label} ({a.as_of}): {a.verdict}", markup=False)
                for f in a.evidence:
                    cites = "; ".join(f"{c.publisher}, {c.date}, {c.url}" for c in f.citations)
                    console.print(f"    {f.date or ''} {f.text}  [{cites}]", markup=False)
                if a.withheld:
                    console.print(
                        f"    ({a.withheld} ledger row(s) withheld: cited only by later sources)",
                        markup=False,
                    )
