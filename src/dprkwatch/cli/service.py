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

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import emit_json, print_table
from dprkwatch.service import audit, keys
from dprkwatch.service.exceptions import AuditIntegrityError
from dprkwatch.service.storage import Database, migrate

app = typer.Typer(no_args_is_help=True)
keys_app = typer.Typer(help="API keys for the service: create, list, revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log: verify, export.", no_args_is_help=True)
db_app = typer.Typer(help="The service database: migrate, show the revision.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
CLI_ACTOR = "cli"


@contextmanager
def _database(ctx: typer.Context, *, upgrade: bool = True) -> Iterator[Database]:
    db = Database(settings_of(ctx).resolved_database_url)
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
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default $DPRKWATCH_HOST).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default $DPRKWATCH_PORT).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes (default $DPRKWATCH_WORKERS).")] = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.")] = False,
) -> None:
    """Run the screening API (yente-compatible) until interrupted."""
    from dataclasses import replace

    from dprkwatch.service.server import serve

    cfg = settings_of(ctx)
    cfg = replace(
        cfg,
        host=host or cfg.host,
        port=port if port is not None else cfg.port,
        workers=workers or cfg.workers,
    )
    serve(cfg, access_log=access_log)


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
    name: Annotated[str, typer.Argument(help="Who or what uses the key (e.g. 'payments-screening').")],
    role: Annotated[list[str], typer.Option("--role", "-r", help="screen, review or admin; repeat or comma-separate.")],
    json_out: JsonOpt = False,
) -> None:
    """Issue a key. The key is printed once; only its hash is stored."""
    with _database(ctx) as db:
        key, raw = keys.create_key(db, name, role, CLI_ACTOR)
    if json_out:
        emit_json({**key.to_dict(), "key": raw})
    else:
        typer.echo(raw)
        typer.echo(f"created key {key.id} ({key.name}; roles: {', '.join(sorted(key.roles))}); store it now", err=True)


@keys_app.command("list")
def keys_list(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Every key: id, name, roles, when created and revoked."""
    with _database(ctx) as db:
        rows = [k.to_dict() for k in keys.list_keys(db)]
    if json_out:
        emit_json(rows)
    elif rows:
        print_table(rows, ["id", "name", "roles", "created_at", "created_by", "revoked_at"], title="API keys")
    else:
        typer.echo("No API keys. Create one with `dprkwatch keys create NAME --role screen`.")


@keys_app.command("revoke")
def keys_revoke(ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's id (see `keys list`).")]) -> None:
    """Revoke a key; services stop accepting it within DPRKWATCH_KEY_TTL seconds."""
    with _database(ctx) as db:
        key = keys.revoke_key(db, key_id, CLI_ACTOR)
    typer.echo(f"revoked key {key.id} ({key.name}) at {key.revoked_at}")


# -- audit ---------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """Recompute the hash chain; exit non-zero if any record was altered, removed or inserted."""
    with _database(ctx) as db:
        report = audit.verify(db)
    if json_out:
        emit_json(report.to_dict())
    if not report.ok:
        if not json_out:
            for problem in report.problems:
                typer.echo(problem, err=True)
        raise AuditIntegrityError(
            f"audit chain broken: {report.problem_count} problem(s) in {report.records} records; "
            f"first: {report.problems[0]}"
        )
    if not json_out:
        typer.echo(f"audit chain intact: {report.records} records, head seq {report.head_seq} hash {report.head_hash}")


@audit_app.command("export")
def audit_export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json or jsonl.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only these kinds (screening, review, ...).")] = None,
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
