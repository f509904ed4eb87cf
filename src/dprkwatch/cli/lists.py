"""``dprkwatch lists``: import, inspect, compare and export list snapshots."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import emit_csv, emit_json, print_table
from dprkwatch.lists import Manifest, SnapshotStore, import_paths
from dprkwatch.lists.diff import diff_snapshots, source_notes
from dprkwatch.lists.download import update
from dprkwatch.lists.history import counts, designations
from dprkwatch.lists.registry import formats
from dprkwatch.lists.snapshot import ENTITIES_FILE

app = typer.Typer(
    help="Official sanctions lists: import, status, diff, history.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _store(ctx: typer.Context) -> SnapshotStore:
    return SnapshotStore(settings_of(ctx).home)


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
    json_out: JsonOpt = False,
) -> None:
    """Import list files as snapshots and activate them atomically."""
    pub = _parse_date(published) if published else None
    store = _store(ctx)
    with Progress(transient=True, disable=json_out or not sys.stderr.isatty()) as progress:
        task = progress.add_task("parsing", total=len(paths))
        manifests = import_paths(
            store,
            paths,
            fmt=fmt,
            published=pub,
            activate=not no_activate,
            progress=lambda _p: progress.advance(task),
        )
    _show_imported(manifests, json_out)


def _show_imported(manifests: list[Manifest], json_out: bool) -> None:
    rows = [
        {
            "list": m.list_name,
            "version": m.version,
            "format": m.format,
            "published": m.published,
            "entities": m.counts["entities"],
            "dprk": m.counts["dprk"],
            "warnings": len(m.warnings),
        }
        for m in manifests
    ]
    if json_out:
        emit_json([m.to_dict() for m in manifests])
    else:
        print_table(rows, list(rows[0]), title="Imported")


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"--published: expected YYYY-MM-DD, got {value!r}") from None


@app.command("status")
def status_cmd(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Active versions, counts by programme and DPRK counts."""
    store = _store(ctx)
    active = store.active()
    if json_out:
        emit_json({name: snap.manifest.to_dict() for name, snap in active.items()})
        return
    if not active:
        typer.echo(
            "No lists imported yet. Run `dprkwatch lists import PATH...` or `dprkwatch lists update`."
        )
        return
    rows = []
    for name, snap in active.items():
        m = snap.manifest
        programs = ", ".join(
            f"{k} {v}" for k, v in sorted(m.counts["by_program"].items(), key=lambda kv: -kv[1])[:6]
        )
        rows.append(
            {
                "list": name,
                "version": m.version,
                "published": m.published or "",
                "entities": m.counts["entities"],
                "dprk": m.counts["dprk"],
                "dprk by type": ", ".join(
                    f"{k} {v}" for k, v in m.counts["dprk_by_schema"].items()
                ),
                "top programmes": programs,
            }
        )
    print_table(rows, list(rows[0]), title="Active lists")


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
    if json_out:
        emit_json(rows)
    elif rows:
        print_table(rows, list(rows[0]), title="Stored versions")
    else:
        typer.echo("No versions stored.")


@app.command("formats")
def formats_cmd(json_out: JsonOpt = False) -> None:
    """The importers available, by format name."""
    rows = [
        {"format": k, "list": v.list_name, "description": v.description}
        for k, v in formats().items()
    ]
    if json_out:
        emit_json(rows)
    else:
        print_table(rows, ["format", "list", "description"], title="Formats")


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
        from dprkwatch import durable

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
        emit_json({**result.to_dict(), "notes": notes})
        return
    s = result.summary()
    typer.echo(
        f"{a.manifest.ref} -> {b.manifest.ref}: {s['added']} added, {s['removed']} removed, {s['changed']} changed"
        + (" (DPRK only)" if dprk else "")
    )
    for note in notes:
        typer.echo(f"note: {note}")
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
            print_table(rows, ["id", "schema", "name", "dprk"], title=f"{title} ({len(items)})")
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
        print_table(
            rows, ["id", "name", "kinds", "detail"], title=f"Changed ({len(result.changed)})"
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
    columns = ["period", "list", *(["program"] if program else []), "basis", "count"]
    if json_out:
        emit_json(rows)
    elif csv_out:
        emit_csv(rows, columns)
    elif not rows:
        typer.echo("No designations: import some lists first.")
    else:
        print_table(rows, columns, title="Designations" + (" (DPRK)" if dprk else ""))
        typer.echo(
            "basis: listed = the publisher's own listing date; first_seen = first imported version "
            "containing the entry; on_or_before = already in the oldest imported version"
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
    """Download the official lists from their publishers, then import and activate them."""
    store = _store(ctx)
    with Progress(transient=True, disable=json_out or not sys.stderr.isatty()) as progress:
        task = progress.add_task("downloading", total=None)
        manifests = update(
            store,
            list_name,
            mirror=mirror,
            progress=lambda what: progress.update(task, description=what),
        )
    _show_imported(manifests, json_out)
