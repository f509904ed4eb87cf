"""``dprkwatch web``: the web workbench's local key and bundle."""

from __future__ import annotations

from typing import Annotated

import typer

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import emit_json
from dprkwatch.service.api.routers.workbench import Workbench
from dprkwatch.web.localkey import key_path, local_key, workbench_url

app = typer.Typer(
    help="The web workbench: its local API key and whether it is built.", no_args_is_help=True
)


@app.command("key")
def key_cmd(
    ctx: typer.Context,
    renew: Annotated[
        bool, typer.Option("--renew", help="Revoke the saved key and issue a new one.")
    ] = False,
) -> None:
    """Print the local workbench key and a link that opens the workbench signed in."""
    settings = settings_of(ctx)
    key = local_key(settings, renew=renew)
    typer.echo(f"key:  {key}")
    typer.echo(f"open: {workbench_url(settings, key)}")
    typer.echo(f"(kept in {key_path(settings)}; roles screen, review)", err=True)


@app.command("status")
def status_cmd(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Whether the front end is built, and where the service looks for it."""
    bench = Workbench()
    if json_out:
        emit_json({"built": bench.built, "index": str(bench.index)})
        return
    if bench.built:
        typer.echo(f"built: {bench.index}")
    else:
        typer.echo(f"not built (no {bench.index}); run `make web`")
        raise typer.Exit(1)
