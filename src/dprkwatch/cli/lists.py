"""``dprkwatch lists``: import, inspect, compare and export list snapshots.

Each command calls one library function and hands the result to
:func:`~dprkwatch.cli.output.render`; ``--json`` prints the value whole.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from dprkwatch import durable
from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import err_console, output_format, render
from dprkwatch.lists import Manifest, SnapshotStore
from dprkwatch.lists.diff import diff_snapshots, source_notes
from dprkwatch.lists.history import counts, designations
from dprkwatch.lists.registry import formats
from dprkwatch.lists.snapshot import ENTITIES_FILE
from dprkwatch.lists.sources import SOURCES
from dprkwatch.lists.status import status

app = typer.Typer(
    help="Official sanctions lists: import, status, diff, history.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
IMPORTED_COLUMNS = (
    "list",
    "version",
    "format",
    "source",
    "published",
    "entities",
    "dprk",
    "warnings",
)


def _store(ctx: typer.Context) -> SnapshotStore:
    settings = settings_of(ctx)
    return SnapshotStore(settings.home, lock_timeout=settings.lock_timeout)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="List files, or folders holding one (OFAC sets).")
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="Force a format (see `lists formats`).")
    ] = None,
    published: Annotated[
        str | None,
        typer.Option("--published", help="Publication date when the source has none (YYYY-MM-DD)."),
    ] = None,
    no_activate: Annotated[
        bool, typer.Option("--no-activate", help="Store without activating.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Activate even a version older than the active one, or one that lost more "
            "than DPRKWATCH_MAX_LIST_DROP of its entries.",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Import list files as snapshots and activate them atomically (recorded in the audit log).

    An older version, or one that lost more than DPRKWATCH_MAX_LIST_DROP of
    its entries, is stored but not activated (exit 7, with the reason)
    unless --force. Registered books are re-screened by the service (or
    `dprkwatch rescreen`) once the new lists are active.
    """
    pub = _parse_date(published) if published else None
    store = _store(ctx)
    with Progress(transient=True, disable=json_out or not sys.stderr.isatty()) as progress:
        task = progress.add_task("parsing", total=len(paths))
        manifests = _recorded_import(
            ctx,
            store,
            paths,
            fmt=fmt,
            published=pub,
            activate=not no_activate,
            force=force,
            progress=lambda _p: progress.advance(task),
        )
    _show_imported(manifests, json_out)


def _recorded_import(
    ctx: typer.Context, store: SnapshotStore, paths: list[Path], **options: Any
) -> list[Manifest]:
    """Import through the recorded use case: audited as actor ``cli``, with the activation
    policy and the pending rescreen (see :mod:`dprkwatch.service.imports`)."""
    from dprkwatch.service import imports

    return imports.import_for(settings_of(ctx), store, paths, actor="cli", **options).manifests


def _show_imported(manifests: list[Manifest], json_out: bool) -> None:
    rows = [
        {
            "list": m.list_name,
            "version": m.version,
            "format": m.format,
            "source": SOURCES[m.source].title if m.source in SOURCES else "",
            "published": m.published,
            "entities": m.counts["entities"],
            "dprk": m.counts["dprk"],
            "warnings": len(m.warnings),
        }
        for m in manifests
    ]
    render(
        [m.to_dict() for m in manifests],
        output_format(json_out),
        rows=rows,
        columns=IMPORTED_COLUMNS,
        title="Imported",
    )
    for m in manifests:
        source = SOURCES.get(m.source or "")
        if source is not None and source.retired is not None and not json_out:
            err_console.print(
                f"[yellow]warning: {m.list_name}@{m.version} comes from a retired source: "
                f"{source.retired_note()}[/yellow]"
            )


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--published: expected YYYY-MM-DD, got {value!r}") from None


@app.command("status")
def status_cmd(
    ctx: typer.Context,
    max_age_days: Annotated[
        int | None,
        typer.Option(
            "--max-age-days",
            help="Call a list stale when published longer ago (default DPRKWATCH_LIST_AGE_DAYS, 7).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Active lists: publisher, publication date and age, staleness, sizes and DPRK counts."""
    settings = settings_of(ctx)
    limit = settings.list_age_days if max_age_days is None else max_age_days
    rows, documents = status(_store(ctx), max_age_days=limit)
    render(
        documents,
        output_format(json_out),
        rows=rows,
        columns=(
            "list",
            "source",
            "published",
            "age_days",
            "entities",
            "dprk",
            "dprk_by_type",
            "stale",
        ),
        headers={"age_days": "age (days)", "dprk_by_type": "DPRK by type"},
        title="Active lists",
        empty="No lists imported yet. Run `dprkwatch lists import PATH...` or `dprkwatch lists update`.",
    )
    stale = [r for r in rows if r.stale]
    if stale and not json_out:
        err_console.print(
            f"[yellow]warning: {len(stale)} of {len(rows)} active lists are stale "
            f"(older than {limit} days, undated, or from a retired source); "
            "run `dprkwatch lists update`[/yellow]"
        )


@app.command("versions")
def versions_cmd(
    ctx: typer.Context,
    list_name: Annotated[str | None, typer.Argument(help="Only this list.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Every stored version of every list (or of one)."""
    store = _store(ctx)
    active = store.active_versions()
    names = [list_name] if list_name else store.lists()
    rows = [
        {
            "list": m.list_name,
            "version": m.version,
            "published": m.published or "",
            "imported_at": m.imported_at,
            "entities": m.counts["entities"],
            "dprk": m.counts["dprk"],
            "active": "yes" if active.get(m.list_name) == m.version else "",
        }
        for name in names
        for m in store.versions(name)
    ]
    render(
        rows,
        output_format(json_out),
        columns=("list", "version", "published", "imported_at", "entities", "dprk", "active"),
        title="Stored versions",
        empty="No versions stored.",
    )


@dataclass(frozen=True)
class FormatRow:
    format: str
    list: str
    source: str
    description: str


@app.command("formats")
def formats_cmd(json_out: JsonOpt = False) -> None:
    """The importers available, by format name, with the publication each reads."""
    rows = []
    for name, cls in formats().items():
        source = SOURCES.get(getattr(cls, "source", None) or "")
        label = source.title if source else ""
        if source is not None and source.retired is not None:
            label += f" (retired {source.retired.isoformat()})"
        rows.append(FormatRow(name, cls.list_name, label, cls.description))
    render(
        rows,
        output_format(json_out),
        columns=("format", "list", "source", "description"),
        title="Formats",
    )


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="List name (active version) or list@version.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")
    ] = None,
) -> None:
    """Write a snapshot's entities as FollowTheMoney JSON lines."""
    snap = _store(ctx).resolve(ref)
    data = (snap.path / ENTITIES_FILE).read_bytes()
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        durable.write_bytes(output, data)
        lines = data.count(b"\n")
        typer.echo(f"wrote {output} ({lines} entities)", err=True)


@app.command("diff")
def diff_cmd(
    ctx: typer.Context,
    old: Annotated[
        str, typer.Argument(help="Older snapshot: list@version, list@date-prefix or version id.")
    ],
    new: Annotated[
        str, typer.Argument(help="Newer snapshot (a bare list name means its active version).")
    ],
    dprk: Annotated[bool, typer.Option("--dprk", help="Only DPRK-programme entities.")] = False,
    limit: Annotated[
        int, typer.Option("--limit", help="Rows shown per section in the table.")
    ] = 50,
    json_out: JsonOpt = False,
) -> None:
    """Added, removed and changed entities between two snapshots, with the changed fields."""
    store = _store(ctx)
    a, b = store.resolve(old), store.resolve(new)
    result = diff_snapshots(a, b)
    if dprk:
        result = result.only_dprk()
    notes = source_notes(a, b)
    if json_out:
        render({**result.to_dict(), "notes": notes}, "json")
        return
    s = result.summary()
    lines = [
        f"{a.manifest.ref} -> {b.manifest.ref}: {s['added']} added, {s['removed']} removed, "
        f"{s['changed']} changed" + (" (DPRK only)" if dprk else ""),
        *(f"note: {note}" for note in notes),
    ]
    render(None, text="\n".join(lines))
    for title, items in (("Added", result.added), ("Removed", result.removed)):
        if items:
            rows = [
                {
                    "id": c.entity_id,
                    "schema": c.schema,
                    "name": c.caption,
                    "dprk": "yes" if c.dprk else "",
                }
                for c in items[:limit]
            ]
            render(rows, columns=("id", "schema", "name", "dprk"), title=f"{title} ({len(items)})")
    if result.changed:
        rows = [
            {
                "id": c.entity_id,
                "name": c.caption,
                "kinds": ", ".join(c.kinds),
                "detail": "; ".join(
                    f"{f.kind}: +{', '.join(f.added) or '-'} / -{', '.join(f.removed) or '-'}"
                    for f in c.changes
                )[:200],
            }
            for c in result.changed[:limit]
        ]
        render(
            rows,
            columns=("id", "name", "kinds", "detail"),
            title=f"Changed ({len(result.changed)})",
        )


@app.command("history")
def history_cmd(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help="Period: year or quarter.")] = "year",
    dprk: Annotated[bool, typer.Option("--dprk", help="Only DPRK-programme designations.")] = False,
    list_name: Annotated[
        list[str] | None, typer.Option("--list", help="Only these lists (repeatable).")
    ] = None,
    program: Annotated[
        bool, typer.Option("--program", help="Break down by programme code.")
    ] = False,
    json_out: JsonOpt = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Designations over time by list (and programme), from the dates the sources carry."""
    if by not in ("year", "quarter"):
        raise typer.BadParameter("--by must be 'year' or 'quarter'")
    items = designations(_store(ctx), dprk_only=dprk, lists=list_name)
    rows = counts(items, by=by, program=program)
    columns = ("period", "list", *(("program",) if program else ()), "basis", "count")
    fmt = output_format(json_out, csv_out)
    render(
        rows,
        fmt,
        columns=columns,
        title="Designations" + (" (DPRK)" if dprk else ""),
        empty="No designations: import some lists first.",
    )
    if fmt == "table" and rows:
        render(
            None,
            text="basis: listed = the publisher's own listing date; first_seen = first imported "
            "version containing the entry; on_or_before = already in the oldest imported version",
        )


@app.command("coverage")
def coverage_cmd(
    ctx: typer.Context,
    all_targets: Annotated[
        bool, typer.Option("--all", help="Every resolved target, not only DPRK ones.")
    ] = False,
    json_out: JsonOpt = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print one CSV row per target.")] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw the lags after the UN as a PNG or SVG file."),
    ] = None,
) -> None:
    """The implementation record: which list carries each DPRK target, since when, how late."""
    from dprkwatch.resolution import ResolutionStore, coverage

    store = _store(ctx)
    resolution = ResolutionStore(store.home).load()
    dating: dict[str, int] = {}
    rows = coverage.target_rows(resolution, store, dprk_only=not all_targets, dating=dating)
    fmt = output_format(json_out, csv_out)
    rep = coverage.report(resolution, store, rows=rows, dating=dating)
    if plot is not None:
        from dprkwatch.resolution.coverage_plot import save_plot  # matplotlib only when plotting

        save_plot(rep, plot)
        err_console.print(f"plot written to {plot}")
    if fmt == "csv":
        render(coverage.csv_rows(rows), "csv", columns=coverage.CSV_COLUMNS)
        return
    if fmt == "json":
        render(rep, "json")
        return
    on = ", ".join(f"{p} {n}" for p, n in rep["by_publisher"].items())
    render(
        coverage.lag_rows(rep["un_lag"]),
        columns=coverage.LAG_COLUMNS,
        title="UN designations: listed by the EU, the UK and OFAC, and how late",
        summary=f"{rep['targets']} targets (listed now: {on}); resolution of {rep['resolution']}",
    )
    national = rep["national"]
    followed = sum(1 for n in national if n["followed_by"])
    render(
        None,
        text=(
            f"national designations (no UN listing): {len(national)} targets, "
            f"{followed} also listed by another publisher; delistings: {len(rep['delistings'])}. "
            "Columns: UN designations; listed by the list; dated = lags from two listing "
            "dates; <=0 = listed the same day or before; median, p90, max in days; undated = "
            "listed, but dated only by the stored list versions (OFAC's files carry no "
            "dates); missing = UN listing in force, not on the list. --json and --csv give "
            "every target."
        ),
    )


@app.command("update")
def update_cmd(
    ctx: typer.Context,
    list_name: Annotated[
        list[str] | None,
        typer.Option("--list", help="Only these lists or sources (repeatable), e.g. uk, ofac."),
    ] = None,
    mirror: Annotated[
        str | None,
        typer.Option(
            "--mirror",
            help="Fetch from this base URL instead of the publishers (BASE/<host>/<path>).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Download the official lists from their publishers, then import and activate them
    (recorded in the audit log, with the same activation checks as `lists import`)."""
    # Imported here: the HTTP client takes a while to load, and only this command needs it.
    from dprkwatch.lists.download import fetch

    store = _store(ctx)
    with Progress(transient=True, disable=json_out or not sys.stderr.isatty()) as progress:
        task = progress.add_task("downloading", total=None)
        fetched = fetch(
            store.home,
            list_name,
            mirror=mirror,
            progress=lambda what: progress.update(task, description=what),
        )
    manifests = _recorded_import(
        ctx,
        store,
        [f.main for f in fetched],
        formats=[f.source.update_format for f in fetched],
    )
    _show_imported(manifests, json_out)
