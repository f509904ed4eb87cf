"""``dprkwatch run``: the one command behind ``make run``.

It makes sure lists are loaded (local copies first, then the publishers),
then starts the main job: the HTTP service with the web workbench.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import err_console
from dprkwatch.exceptions import DprkwatchError
from dprkwatch.ledger.ingest import import_events
from dprkwatch.ledger.store import LedgerStore
from dprkwatch.lists import SnapshotStore
from dprkwatch.lists.download import fetch
from dprkwatch.lists.seed import local_sources
from dprkwatch.service import imports
from dprkwatch.settings import Settings


def ensure_lists(settings: Settings, *, refresh: bool = False) -> None:
    """Import the lists when none are active (or when asked to refresh)."""
    store = SnapshotStore(settings.home, lock_timeout=settings.lock_timeout)
    if store.active_versions() and not refresh:
        err_console.print(
            f"lists: using {len(store.active_versions())} active list(s) in {settings.home}"
        )
        return
    shared = settings.shared_data
    paths = local_sources(shared) if shared is not None and shared.is_dir() else []
    if paths:
        err_console.print(f"lists: importing {len(paths)} local file(s) from {shared}")
        refused: list[DprkwatchError] = []
        with err_console.status("importing lists"):
            manifests = imports.import_for(
                settings,
                store,
                paths,
                actor="cli",
                on_refused=lambda _path, exc: refused.append(exc),
            ).manifests
        # A local folder can hold a file no importer accepts (a cut-off download
        # is refused as truncated): it is left out, said in one line, and the
        # service starts with everything else.
        for exc in refused:
            err_console.print(
                f"lists: left out {exc}", style="yellow", markup=False, soft_wrap=True
            )
    else:
        err_console.print("lists: no local copies; downloading the official lists")
        try:
            with err_console.status("downloading lists"):
                fetched = fetch(store.home)
                manifests = imports.import_for(
                    settings,
                    store,
                    [f.main for f in fetched],
                    actor="cli",
                    formats=[f.source.update_format for f in fetched],
                ).manifests
        except DprkwatchError as exc:
            err_console.print(f"[yellow]lists: {exc}[/yellow]")
            err_console.print(
                "lists: starting without lists; import some with `dprkwatch lists import PATH...`"
            )
            return
    for m in manifests:
        err_console.print(
            f"  {m.list_name}@{m.version}: {m.counts['entities']} entities, {m.counts['dprk']} DPRK"
        )


def ensure_events(settings: Settings) -> None:
    """Import the launch, provocation and OFAC first-seen files beside the lists, once.

    The ledger's timeline, pressure index and claims need them; without the
    local folder they simply stay empty and the ledger says so.
    """
    shared = settings.shared_data
    if LedgerStore(settings.home).datasets() or shared is None or not shared.is_dir():
        return
    candidates = [p for p in (shared / "dprk", shared / "ofac" / "derived") if p.is_dir()]
    if not candidates:
        return
    try:
        report = import_events(settings.home, candidates)
    except DprkwatchError as exc:
        err_console.print(f"[yellow]ledger: events not imported: {exc}[/yellow]")
        return
    err_console.print(f"ledger: imported {len(report.datasets)} event file(s) from {shared}")


def run_cmd(
    ctx: typer.Context,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Re-import lists even if some are active.")
    ] = False,
    review: Annotated[
        bool,
        typer.Option(
            "--review", help="The sign-in link also grants the review role (default: screen only)."
        ),
    ] = False,
) -> None:
    """Set up the data directory (import lists) and start the service."""
    settings = settings_of(ctx)
    ensure_lists(settings, refresh=refresh)
    ensure_events(settings)
    from dprkwatch.service.api.server import serve

    err_console.print(f"workbench: {sign_in(settings, review=review)}", soft_wrap=True)
    serve(settings)


def to_terminal() -> bool:
    """Whether what ``run`` prints goes to a person at a terminal rather than into a log."""
    return err_console.is_terminal


def sign_in(settings: Settings, *, review: bool) -> str:
    """What ``run`` says about opening the workbench.

    A credential is printed only to a terminal, never into a log that is
    kept (CI output, a service journal): then a one-time link (see
    :mod:`dprkwatch.service.logins`), screen-only unless ``--review``, that
    expires in minutes and is spent when the page opens it.
    """
    from dprkwatch.web.localkey import login_link, workbench_url

    if settings.auth == "none":
        return f"open {workbench_url(settings)} (single-user mode: no key needed)"
    if not to_terminal():
        return (
            f"{workbench_url(settings)} (not a terminal, so no sign-in link is printed; "
            "`dprkwatch web link` in a terminal prints one)"
        )
    link = login_link(settings, review=review)
    return f"open {link.url} (one-time link, valid until {link.expires_at[11:16]} UTC)"
