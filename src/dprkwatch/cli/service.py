"""``dprkwatch serve``, ``rescreen``, ``books``, ``keys``, ``audit`` and ``db``: the screening service.

Registered in the root app without a group name, so ``serve`` and
``rescreen`` are top-level commands and the others are groups.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import output_format, render
from dprkwatch.exceptions import InputError
from dprkwatch.lists import SnapshotStore
from dprkwatch.service import audit, books, integrity, keys, rescreen
from dprkwatch.service.exceptions import AuditIntegrityError
from dprkwatch.service.index import LiveIndex, Loaded
from dprkwatch.service.rescreen import Run
from dprkwatch.service.storage import Database, migrate

app = typer.Typer(no_args_is_help=True)
books_app = typer.Typer(
    help="Books of customers or counterparties for delta screening.", no_args_is_help=True
)
keys_app = typer.Typer(help="API keys for the service: create, list, revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log: verify, export.", no_args_is_help=True)
db_app = typer.Typer(help="The service database: migrate, show the revision.", no_args_is_help=True)
app.add_typer(books_app, name="books")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CLI_ACTOR = "cli"


@contextmanager
def _database(ctx: typer.Context, *, upgrade: bool = True) -> Iterator[Database]:
    db = Database.for_settings(settings_of(ctx))
    try:
        if upgrade:
            migrate.upgrade(db)
        yield db
    finally:
        db.close()


# -- serve -------------------------------------------------------------------


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to bind (default $DPRKWATCH_HOST).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port (default $DPRKWATCH_PORT).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes (default $DPRKWATCH_WORKERS)."),
    ] = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.")] = False,
) -> None:
    """Run the screening API (yente-compatible) until interrupted."""
    from dataclasses import replace

    from dprkwatch.service.api.server import serve

    cfg = settings_of(ctx)
    cfg = replace(
        cfg,
        host=host or cfg.host,
        port=port if port is not None else cfg.port,
        workers=workers or cfg.workers,
    )
    serve(cfg, access_log=access_log)


# -- rescreen and books ------------------------------------------------------------

ALERT_COLUMNS = ["id", "book", "subject_id", "kind", "entity_id", "caption", "score"]


def _rescreen(
    db: Database, ctx: typer.Context, book_names: list[str] | None, trigger: str, quiet: bool
) -> Run:
    loaded = LiveIndex(SnapshotStore(settings_of(ctx).home)).load()
    run = rescreen.start(db, loaded, trigger=trigger, book_names=book_names)
    return _execute(db, loaded, run, quiet)


def _execute(db: Database, loaded: Loaded, run: Run, quiet: bool) -> Run:
    total = sum(b.subjects for b in books.list_books(db) if b.name in run.books) - run.subjects
    with Progress(transient=True, disable=quiet or not sys.stderr.isatty()) as progress:
        task = progress.add_task("screening", total=max(0, total))
        return rescreen.execute(db, loaded, run, progress=lambda n: progress.advance(task, n))


def _resume(db: Database, ctx: typer.Context, quiet: bool) -> list[Run]:
    """Take up the pending and interrupted runs (those no live process is running)."""
    rescreen.interrupt_stale(db)
    waiting = rescreen.resumable(db)
    if not waiting:
        return []
    loaded = LiveIndex(SnapshotStore(settings_of(ctx).home)).load()
    done = []
    for run in waiting:
        claimed = rescreen.claim(db, run.id, loaded)
        if claimed is not None:
            done.append(_execute(db, loaded, claimed, quiet))
    return done


def _show_run(db: Database, run: Run, json_out: bool) -> None:
    found = rescreen.list_alerts(db, run_id=run.id, limit=100_000).alerts
    render(
        {"run": run, "alerts": found},
        output_format(json_out),
        rows=found,
        columns=ALERT_COLUMNS,
        title="Alerts",
        summary=f"run {run.id}: {run.subjects} subjects in {len(run.books)} book(s), "
        f"{run.alerts} alert(s); lists "
        f"{', '.join(f'{k}@{v}' for k, v in sorted(run.versions.items())) or 'none'}",
        empty="",
    )


@app.command("rescreen")
def rescreen_cmd(
    ctx: typer.Context,
    book: Annotated[
        list[str] | None, typer.Option("--book", "-b", help="Only this book (repeatable).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Re-screen registered books against the active lists; report new, changed and removed hits.

    Without --book, runs left pending (by a list import) or interrupted are
    taken up first, and a new run starts only when there were none."""
    with _database(ctx) as db:
        if not book and not books.list_books(db):
            typer.echo("No books registered. Add one with `dprkwatch books add FILE --name NAME`.")
            return
        resumed = [] if book else _resume(db, ctx, json_out)
        for run in resumed or [_rescreen(db, ctx, book, "cli", json_out)]:
            _show_run(db, run, json_out)


@books_app.command("add")
def books_add(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV (with header), XLSX, Parquet or JSON lines: id, schema, name, ..."
        ),
    ],
    name: Annotated[
        str, typer.Option("--name", "-n", help="Book name (registering it again replaces it).")
    ],
    dataset: Annotated[
        str, typer.Option("--dataset", help="Dataset to screen against.")
    ] = "default",
    schema: Annotated[
        str, typer.Option("--schema", help="Schema for rows without a 'schema' column.")
    ] = "Thing",
    no_screen: Annotated[
        bool, typer.Option("--no-screen", help="Register only; screen at the next rescreen.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Register (or replace) a book, then screen it."""
    books.check_name(name)
    subjects = books.read_path(path, default_schema=schema)
    with _database(ctx) as db:
        book = books.register(
            db, name, subjects, source=str(path), dataset=dataset, actor=CLI_ACTOR
        )
        if no_screen:
            render(
                book,
                output_format(json_out),
                text=f"registered book {book.name}: {book.subjects} subjects",
            )
            return
        run = _rescreen(db, ctx, [book.name], f"book.register {book.name} by {CLI_ACTOR}", json_out)
        _show_run(db, run, json_out)


@books_app.command("list")
def books_list(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Registered books."""
    with _database(ctx) as db:
        found = books.list_books(db)
    render(
        found,
        output_format(json_out),
        columns=["name", "dataset", "subjects", "source", "created_at", "created_by"],
        title="Books",
        empty="No books registered.",
    )


@books_app.command("remove")
def books_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Book name.")]
) -> None:
    """Remove a book and its stored hits (its alerts stay on record)."""
    with _database(ctx) as db:
        book = books.remove(db, name, CLI_ACTOR)
    typer.echo(f"removed book {book.name} ({book.subjects} subjects)")


@books_app.command("alerts")
def books_alerts(
    ctx: typer.Context,
    run: Annotated[str | None, typer.Option("--run", help="Only this rescreen run.")] = None,
    book: Annotated[str | None, typer.Option("--book", "-b", help="Only this book.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="new, changed or removed.")] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many, newest first.")
    ] = 100,
    json_out: JsonOpt = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Alerts raised by rescreens, newest first."""
    if kind is not None and kind not in rescreen.ALERT_KINDS:
        raise InputError(
            f"unknown alert kind {kind!r} (use {', '.join(rescreen.ALERT_KINDS)})", where="--kind"
        )
    with _database(ctx) as db:
        page = rescreen.list_alerts(db, run_id=run, book=book, kind=kind, limit=limit)
    render(
        page,
        output_format(json_out, csv_out),
        rows=page.alerts,
        columns=ALERT_COLUMNS,
        csv_columns=[*ALERT_COLUMNS, "run_id", "created_at", "detail"],
        title=f"Alerts ({len(page.alerts)} of {page.total})",
        empty="No alerts.",
    )


# -- db ------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the service tables to the newest revision."""
    with _database(ctx, upgrade=False) as db:
        before = migrate.current(db)
        after = migrate.upgrade(db)
        typer.echo(f"{db.describe()}: {before or 'empty'} -> {after}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the revision the database is at and the newest one shipped."""
    with _database(ctx, upgrade=False) as db:
        typer.echo(f"{db.describe()}: at {migrate.current(db) or 'empty'}, newest {migrate.head()}")


# -- keys ----------------------------------------------------------------------


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="Who or what uses the key (e.g. 'payments-screening').")
    ],
    role: Annotated[
        list[str],
        typer.Option("--role", "-r", help="screen, review or admin; repeat or comma-separate."),
    ],
    json_out: JsonOpt = False,
) -> None:
    """Issue a key. The key is printed once; only its hash is stored."""
    with _database(ctx) as db:
        key, raw = keys.create_key(db, name, role, CLI_ACTOR)
    render({**key.model_dump(mode="json"), "key": raw}, output_format(json_out), text=raw)
    if not json_out:
        typer.echo(
            f"created key {key.id} ({key.name}; roles: {', '.join(sorted(key.roles))}); store it now",
            err=True,
        )


@keys_app.command("list")
def keys_list(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Every key: id, name, roles, when created and revoked."""
    with _database(ctx) as db:
        found = keys.list_keys(db)
    render(
        found,
        output_format(json_out),
        columns=["id", "name", "roles", "created_at", "created_by", "revoked_at"],
        title="API keys",
        empty="No API keys. Create one with `dprkwatch keys create NAME --role screen`.",
    )


@keys_app.command("revoke")
def keys_revoke(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key's id (see `keys list`).")],
) -> None:
    """Revoke a key; services stop accepting it within DPRKWATCH_KEY_TTL seconds."""
    with _database(ctx) as db:
        key = keys.revoke_key(db, key_id, CLI_ACTOR)
    typer.echo(f"revoked key {key.id} ({key.name}) at {key.revoked_at}")


# -- audit ---------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            help="SEQ:HASH written down earlier (a head this command printed); the chain must "
            "still hold it, which exposes records cut from the end and a rewritten chain.",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Recompute the hash chain and check reviews, keys and screenings against it; exit 6 if
    anything was altered, removed or inserted."""
    anchor = audit.parse_anchor(expect_head) if expect_head else None
    with _database(ctx, upgrade=False) as db:  # verifying never migrates
        report = integrity.verify(db, expect_head=anchor)
    intact = (
        f"audit chain intact: {report.records} records, head seq {report.head_seq} "
        f"hash {report.head_hash}"
        + (f"; {report.signed} signed, MACs checked" if report.signatures_checked else "")
        + (f"; holds {report.expected_head}" if report.expected_head else "")
    )
    if report.ok or json_out:
        render(report, output_format(json_out), text=intact)
    if not report.ok:
        if not json_out:
            for problem in report.problems:
                typer.echo(problem, err=True)
        raise AuditIntegrityError(
            f"audit chain broken: {report.problem_count} problem(s) in {report.records} records; "
            f"first: {report.problems[0]}"
        )


@audit_app.command("export")
def audit_export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json or jsonl.")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only these kinds (screening, review, ...).")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="ISO time, inclusive.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO time, exclusive.")] = None,
) -> None:
    """Export audit records with their hashes and the list versions they used."""
    audit.check_format(fmt)
    with _database(ctx) as db:
        filters = {"kinds": kind, "since": since, "until": until}
        if output is None:
            audit.export(db, sys.stdout, fmt, **filters)
            sys.stdout.flush()
        else:
            count = audit.export_file(db, output, fmt, **filters)
            typer.echo(f"wrote {count} records to {output}", err=True)
