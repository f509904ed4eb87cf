"""``dprkwatch web``: the web workbench's local key and bundle."""

from __future__ import annotations

from typing import Annotated

import typer

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import output_format, render
from dprkwatch.web.bundle import Bundle
from dprkwatch.web.localkey import key_path, local_key, login_link, workbench_url

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


@app.command("link")
def link_cmd(
    ctx: typer.Context,
    review: Annotated[
        bool, typer.Option("--review", help="Also grant the review role (default: screen only).")
    ] = False,
) -> None:
    """Print a one-time link that signs the workbench in (expires in 10 minutes)."""
    link = login_link(settings_of(ctx), review=review)
    typer.echo(f"open: {link.url}")
    typer.echo(f"(one-time; valid until {link.expires_at[:16]} UTC)", err=True)


@app.command("status")
def status_cmd(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Whether the front end is built, and where the service looks for it."""
    status = Bundle().status()
    text = (
        f"built: {status.index}"
        if status.built
        else f"not built (no {status.index}); run `make web`"
    )
    render(status, output_format(json_out), text=text)
    if not status.built and not json_out:
        raise typer.Exit(1)
