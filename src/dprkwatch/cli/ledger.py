"""``dprkwatch ledger`` and ``dprkwatch claims``: the sourced record, as tables or exports."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from dprkwatch.arsenal import load_model
from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import emit_csv, emit_json, print_table, to_json
from dprkwatch.exceptions import InputError
from dprkwatch.ledger import (
    FILES,
    LedgerStore,
    check_ledger,
    commitment_rows,
    evaluate_all,
    expand,
    formats,
    gather,
    load_ledger,
    resolution_matrix,
    resolve_kinds,
    schema_markdown,
    select,
)
from dprkwatch.ledger.dates import PartialDate
from dprkwatch.ledger.exceptions import LedgerValidationError

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


def _range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    def parse(value: str | None, option: str, last: bool) -> date | None:
        if value is None:
            return None
        try:
            pd = PartialDate.parse(value)
        except ValueError as exc:
            raise InputError(str(exc), where=option) from None
        return pd.end() if last else pd.start()

    first, last = parse(start, "--from", False), parse(end, "--to", True)
    if first and last and first > last:
        raise InputError(f"--from {start} is after --to {end}")
    return first, last


def _emit(
    rows: list[dict[str, Any]],
    columns: list[str],
    *,
    json_out: bool,
    csv_out: bool,
    title: str,
    empty: str,
) -> None:
    if json_out and csv_out:
        raise InputError("choose one of --json and --csv")
    if json_out:
        emit_json(rows)
    elif csv_out:
        emit_csv(rows, columns)
    elif rows:
        print_table(rows, columns, title=title)
    else:
        typer.echo(empty)


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
            help="Kind or category (repeatable): diplomacy, test, un, sanctions, exercise, humanitarian, provocation, summit, missile-launch...",
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Only events from this dataset: ledger, cns, csis..."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Show at most this many events.")
    ] = None,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Curated events and imported launches/provocations on one timeline."""
    first, last = _range(start, end)
    try:
        kinds = resolve_kinds(kind) if kind else None
    except ValueError as exc:
        raise InputError(str(exc), where="--kind") from None
    inputs = gather(settings_of(ctx).home)
    events = select(inputs.events, start=first, end=last, kinds=kinds)
    if dataset:
        events = [e for e in events if e.dataset == dataset]
    if limit:
        events = events[:limit]
    if json_out:
        emit_json([e.to_dict() for e in events])
        return
    rows = [
        {
            "date": f"{e.date}" + (f"..{e.end_date}" if e.end_date else ""),
            "category": e.category,
            "kind": e.kind,
            "title": e.title,
            "detail": e.detail,
            "dataset": e.dataset,
            "confidence": e.confidence,
            "id": e.id,
            "sources": " | ".join(e.sources),
            "attrs": to_json({k: v for k, v in e.attrs.items() if v not in (None, "", [])}).replace(
                "\n", " "
            ),
        }
        for e in events
    ]
    columns = ["date", "kind", "title", "confidence", "id"]
    _emit(
        rows,
        [*columns, "detail", "category", "dataset", "sources", "attrs"] if csv_out else columns,
        json_out=False,
        csv_out=csv_out,
        title="Timeline",
        empty="No events match.",
    )
    wants_data = kinds is None or bool(kinds & {"missile-launch", "provocation"})
    _notes([*inputs.notes, *(inputs.missing()[:1] if wants_data else [])], json_out or csv_out)


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
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """UN Security Council resolutions on the DPRK, with their measures."""
    first, last = _range(start, end)
    ledger = load_ledger()
    chosen = [
        r
        for r in ledger.resolutions
        if (first is None or r.date.start() >= first) and (last is None or r.date.start() <= last)
    ]
    if json_out and not measures:
        emit_json([r.model_dump(mode="json") for r in chosen])
        return
    if measures or kind:
        measure_rows = [
            {
                "resolution": r.label,
                "date": str(r.date),
                "kind": m.kind.value,
                "subject": m.subject,
                "direction": m.direction,
                "quantity": f"{m.quantity:,.0f}" if m.quantity is not None else None,
                "unit": m.unit,
                "period": m.period,
                "designated": _designated(m.individuals, m.entities, m.vessels),
                "paragraph": m.paragraph,
                "confidence": (m.confidence or r.confidence).value,
                "detail": m.detail,
            }
            for r in chosen
            for m in r.measures
            if kind is None or m.kind.value == kind
        ]
        columns = [
            "resolution",
            "date",
            "kind",
            "subject",
            "direction",
            "quantity",
            "unit",
            "period",
            "designated",
            "confidence",
        ]
        _emit(
            measure_rows,
            [*columns, "paragraph", "detail"] if csv_out or json_out else columns,
            json_out=json_out,
            csv_out=csv_out,
            title="Measures",
            empty="No measures match.",
        )
        return
    rows: list[dict[str, Any]] = [
        {
            "resolution": r.label,
            "date": str(r.date),
            "outcome": r.outcome,
            "vote": _vote(r.vote),
            "trigger": r.trigger,
            "measures": len(r.measures),
            "requires denuclearization": "yes" if r.requires("abandon-nuclear") else "",
            "confidence": r.confidence.value,
            "id": r.id,
        }
        for r in chosen
    ]
    _emit(
        rows,
        list(rows[0]) if rows else [],
        json_out=False,
        csv_out=csv_out,
        title="UN Security Council resolutions on the DPRK",
        empty="No resolutions match.",
    )


def _designated(ind: int | None, ent: int | None, ves: int | None) -> str | None:
    parts = [
        f"{n} {w}"
        for n, w in ((ind, "individuals"), (ent, "entities"), (ves, "vessels"))
        if n is not None
    ]
    return ", ".join(parts) or None


def _vote(vote: Any) -> str:
    if vote is None:
        return ""
    text = f"{vote.in_favour}-{vote.against}-{vote.abstaining}"
    return f"{text} (veto: {', '.join(vote.vetoed_by)})" if vote.vetoed_by else text


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
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """The DPRK's nuclear agreements and what became of each commitment."""
    first, last = _range(start, end)
    if status and status not in ("kept", "broken", "lapsed", "never-verified"):
        raise InputError(
            f"unknown status {status!r} (kept, broken, lapsed, never-verified)", where="--status"
        )
    ledger = load_ledger()
    rows = [
        r.model_dump()
        for r in commitment_rows(
            ledger, start=first, end=last, party=party, status=status, topic=topic
        )
    ]
    if commitments or party or status or topic:
        columns = [
            "date",
            "agreement_name",
            "party",
            "obligation",
            "deadline",
            "status",
            "evidence_date",
            "evidence",
            "confidence",
        ]
        _emit(
            rows,
            [*columns, "commitment", "topic"] if csv_out or json_out else columns,
            json_out=json_out,
            csv_out=csv_out,
            title="Commitments",
            empty="No commitments match.",
        )
        return
    chosen = [
        a
        for a in ledger.agreements
        if (first is None or a.date.start() >= first) and (last is None or a.date.start() <= last)
    ]
    if json_out:
        emit_json([a.model_dump(mode="json") for a in chosen])
        return
    table = []
    for a in chosen:
        statuses = [c.status.value for c in a.commitments]
        table.append(
            {
                "date": str(a.date),
                "agreement": a.name,
                "parties": ", ".join(a.parties),
                "commitments": len(statuses),
                "kept": statuses.count("kept"),
                "broken": statuses.count("broken"),
                "lapsed": statuses.count("lapsed"),
                "never-verified": statuses.count("never-verified"),
                "ended": str(a.ended) if a.ended else "",
                "id": a.id,
            }
        )
    _emit(
        table,
        list(table[0]) if table else [],
        json_out=False,
        csv_out=csv_out,
        title="DPRK nuclear agreements",
        empty="No agreements match.",
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
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Compliance matrix: each cell a status with its first piece of evidence."""
    first, last = _range(start, end)
    if agreements:
        rows = [r.model_dump() for r in commitment_rows(load_ledger(), start=first, end=last)]
        columns = ["agreement_name", "party", "obligation", "status", "evidence_date", "evidence"]
        _emit(
            rows,
            [*columns, "commitment", "topic", "deadline", "confidence"] if csv_out else columns,
            json_out=json_out,
            csv_out=csv_out,
            title="Agreements × commitments",
            empty="No agreements match.",
        )
        return
    inputs = gather(settings_of(ctx).home)
    matrix = resolution_matrix(inputs.ledger, inputs.events, start=first, end=last)
    if json_out:
        emit_json(
            {
                "columns": matrix.columns,
                "cells": [c.to_dict() for c in matrix.cells()],
                "notes": matrix.notes,
            }
        )
        return
    if csv_out:
        flat = [
            {
                **c.to_dict(),
                "first_breach": c.first.date if c.first else None,
                "evidence": c.first.text if c.first else None,
                "breaches": len(c.breaches),
            }
            for c in matrix.cells()
        ]
        emit_csv(
            flat,
            [
                "resolution",
                "label",
                "adopted",
                "obligation",
                "force",
                "binding",
                "status",
                "first_breach",
                "evidence",
                "breaches",
                "note",
            ],
        )
        return
    table: list[dict[str, Any]] = []
    for res, by_key in matrix.rows:
        row: dict[str, Any] = {"resolution": res.label, "adopted": str(res.date)}
        for key in matrix.columns:
            cell = by_key.get(key)
            row[key] = (
                (cell.summary() + ("" if cell.binding else f" [{cell.force}]")) if cell else ""
            )
        table.append(row)
    print_table(
        table, ["resolution", "adopted", *matrix.columns], title="Resolutions × DPRK obligations"
    )
    _notes(matrix.notes, False)


@app.command("pressure")
def pressure_cmd(
    ctx: typer.Context,
    start: FromOpt = None,
    end: ToOpt = None,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """DPRK designations per quarter and list, beside diplomacy, launches and tests."""
    first, last = _range(start or "2016", end)
    inputs = gather(settings_of(ctx).home)
    index = inputs.pressure(first or date(2016, 1, 1), last or date.today())
    rows = [r.to_dict(index.lists) for r in index.rows]
    if json_out:
        emit_json(
            {
                "lists": index.lists,
                "rows": rows,
                "coverage": {
                    k: [[str(i.start), str(i.end)] for i in v] for k, v in index.coverage.items()
                },
                "baseline": {
                    k: {"count": n, "on_or_before": d} for k, (n, d) in index.baseline.items()
                },
                "notes": [*inputs.notes, *index.notes],
            }
        )
        return
    columns = [
        "quarter",
        *index.lists,
        "ofac_actions_sample",
        "diplomacy",
        "launches",
        "nuclear_tests",
        "exercises_suspended",
        "highlights",
    ]
    if csv_out:
        emit_csv(rows, [*columns, *(f"{x}_partial" for x in index.lists)])
        return
    table = []
    for r in rows:
        shown = dict(r)
        for lst in index.lists:
            value = r[lst]
            shown[lst] = (
                "n/a" if value is None else f"{value}*" if r[f"{lst}_partial"] else str(value)
            )
        shown["launches"] = "n/a" if r["launches"] is None else r["launches"]
        table.append(shown)
    print_table(
        table,
        columns,
        title="Pressure index (DPRK designations per quarter; * = partly covered; n/a = not in the data)",
    )
    _notes([*inputs.notes, *index.notes], False)


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
    store = LedgerStore(settings_of(ctx).home)
    chosen, skipped = expand(paths, fmt)
    if not chosen:
        raise InputError(
            "no recognised event files in the given paths", source=", ".join(str(p) for p in paths)
        )
    datasets = []
    with Progress(transient=True, disable=json_out or not sys.stderr.isatty()) as progress:
        task = progress.add_task("parsing", total=len(chosen))
        for path, importer in chosen:
            datasets.append(importer.load(path))
            progress.advance(task)
    for ds in datasets:  # parse everything first, so a bad file writes nothing
        store.save(ds)
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
    if json_out:
        emit_json([d.manifest() for d in datasets])
        return
    print_table(rows, list(rows[0]), title="Imported")
    if skipped:
        typer.echo(f"skipped (not event files): {', '.join(skipped)}", err=True)
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
    _emit(
        rows,
        ["format", "dataset", "description"],
        json_out=json_out,
        csv_out=False,
        title="Event formats",
        empty="",
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
    """Check curated ledger files: schema, sources, dates and references."""
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
    typer.echo(f"ok: {records} records in {len(FILES)} files, every row sourced")


@app.command("sources")
def sources_cmd(json_out: JsonOpt = False, csv_out: CsvOpt = False) -> None:
    """The bibliography every ledger row cites."""
    rows = [s.model_dump(mode="json") for s in load_ledger().sources]
    _emit(
        rows,
        ["id", "publication", "title", "date", "url"],
        json_out=json_out,
        csv_out=csv_out,
        title="Sources",
        empty="",
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
        str | None, typer.Option("--today", help="Evaluate 'today' as this date (YYYY-MM-DD).")
    ] = None,
    json_out: JsonOpt = False,
    csv_out: CsvOpt = False,
) -> None:
    """Check the commentary's quantitative claims against the ledger and the data."""
    today = date.today()
    if as_of:
        try:
            today = PartialDate.parse(as_of).end()
        except ValueError as exc:
            raise InputError(str(exc), where="--today") from None
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
    if json_out:
        emit_json(
            {"claims": [v.to_dict() for v in verdicts], "notes": [*inputs.notes, *inputs.missing()]}
        )
        return
    rows = [{**v.to_dict(), "evidence": " | ".join(v.evidence)} for v in verdicts]
    columns = ["id", "claim", "verdict", "value", "evidence"]
    _emit(
        rows,
        [*columns, "topic", "as_of"] if csv_out else columns,
        json_out=False,
        csv_out=csv_out,
        title="Claims of the commentary, checked",
        empty="No claims.",
    )
    _notes([*inputs.notes, *inputs.missing()], csv_out)
