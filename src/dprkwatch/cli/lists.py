"""``dprkwatch lists``: import, inspect, compare and export list snapshots."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import emit_json, print_table
from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.lists.registry import formats
from dprkwatch.lists.snapshot import ENTITIES_FILE

app = typer.Typer(help="Official sanctions lists: import, status, diff, history.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _store(ctx: typer.Context) -> SnapshotStore:
    return SnapshotStore(settings_of(ctx).home)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="List files, or folders holding one (OFAC sets).")],
    fmt: Annotated[str | None, typer.Option("--format", help="Force a format (see `lists formats`).")] = None,
    published: Annotated[
        str | None, typer.Option("--published", help="Publication date when the source has none (YYYY-MM-DD).")
    ] = None,
    no_activate: Annotated[bool, typer.Option("--no-activate", help="Store without activating.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Import list files as snapshots and activate them atomically."""
    pub = _parse_date(published) if published else None
    store = _store(ctx)
    with Progress(transient=True, disable=json_out or not sys.stderr.isatty()) as progress:
        task = progress.add_task("parsing", total=len(paths))
        manifests = import_paths(
            store, paths, fmt=fmt, published=pub, activate=not no_activate,
            progress=lambda _p: progress.advance(task),
        )
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
        typer.echo("No lists imported yet. Run `dprkwatch lists import PATH...` or `dprkwatch lists update`.")
        return
    rows = []
    for name, snap in active.items():
        m = snap.manifest
        programs = ", ".join(f"{k} {v}" for k, v in sorted(m.counts["by_program"].items(), key=lambda kv: -kv[1])[:6])
        rows.append(
            {
                "list": name,
                "version": m.version,
                "published": m.published or "",
                "entities": m.counts["entities"],
                "dprk": m.counts["dprk"],
                "dprk by type": ", ".join(f"{k} {v}" for k, v in m.counts["dprk_by_schema"].items()),
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
    rows = [{"format": k, "list": v.list_name, "description": v.description} for k, v in formats().items()]
    if json_out:
        emit_json(rows)
    else:
        print_table(rows, ["format", "list", "description"], title="Formats")


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="List name (active version) or list@version.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")] = None,
) -> None:
    """Write a snapshot's entities as FollowTheMoney JSON lines."""
    snap = _store(ctx).resolve(ref)
    data = (snap.path / ENTITIES_FILE).read_bytes()
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        from dprkwatch.lists.snapshot import atomic_write_bytes

        atomic_write_bytes(output, data)
        lines = data.count(b"\n")
        typer.echo(f"wrote {output} ({lines} entities)", err=True)
