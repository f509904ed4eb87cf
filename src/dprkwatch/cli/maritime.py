"""``dprkwatch maritime``: AIS ingest, evasion detectors, vessel risk.

Each command is a few lines over :mod:`dprkwatch.maritime`. Positions are
kept in the data directory (``<data dir>/maritime``); ``detect`` reads that
store, or a file given with ``--input``; ``vessel`` reads the latest
detection run together with the active sanctions lists.
"""

from __future__ import annotations

import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import emit_json, err_console, print_table
from dprkwatch.exceptions import NotFoundError
from dprkwatch.lists import SnapshotStore
from dprkwatch.maritime import (
    PositionStore,
    RuleError,
    Rules,
    StoreEmpty,
    ingest,
    load_ports,
    run_detection,
    write_events,
)
from dprkwatch.maritime.designations import Designations, name_matcher, normalise_imo
from dprkwatch.maritime.engines import ENGINES
from dprkwatch.maritime.events import output_format
from dprkwatch.maritime.ingest import FORMATS, IngestReport
from dprkwatch.maritime.risk import ALGORITHM, RiskScorer
from dprkwatch.maritime.synthetic import SynthConfig, generate
from dprkwatch.settings import Settings

app = typer.Typer(help="AIS maritime evasion: ingest, detect, vessel risk.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
WPI_RELATIVE = Path("ais") / "ports" / "WPI_ports.csv"


def _store(settings: Settings) -> PositionStore:
    return PositionStore(settings.data.maritime)


@contextmanager
def _progress(quiet: bool) -> Iterator[Progress]:
    show = not quiet and sys.stderr.isatty()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True, disable=not show) as progress:
        yield progress


def _ingest(
    store: PositionStore, paths: list[Path], fmt: str | None, keep: bool, quiet: bool
) -> IngestReport:
    with _progress(quiet) as progress:
        rows = progress.add_task("reading rows", total=None)
        days = progress.add_task("writing days", total=None, visible=False)

        def tick(stage: str, amount: int) -> None:
            if stage == "rows":
                progress.advance(rows, amount)
            else:
                progress.update(days, visible=True)
                progress.advance(days, amount)

        return ingest(store, paths, fmt=fmt, keep_out_of_order=keep, progress=tick)


def _print_quality(report: IngestReport, title: str) -> None:
    q = report.quality
    err_console.print(f"{title}: {q.summary()}")
    rows = [
        {
            "reason": r["reason"],
            "kind": r["kind"],
            "rows": r["rows"],
            "meaning": r["meaning"],
            "first seen at": ", ".join(r["examples"][:2]),
        }
        for r in q.rows()
    ]
    if rows:
        print_table(
            rows, ["reason", "kind", "rows", "meaning", "first seen at"], title="Data quality"
        )


@app.command("ingest")
def ingest_cmd(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="AIS files: CSV, Parquet or raw NMEA (detected from content)."),
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help=f"Force a format: {', '.join(FORMATS)}.")
    ] = None,
    keep_out_of_order: Annotated[
        bool,
        typer.Option(
            "--keep-out-of-order",
            help="Sort rows that are earlier than an earlier row of the "
            "same MMSI in the same file into place (default: count and skip them).",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Read AIS positions into the day-partitioned store (atomic; bad rows are counted, not fatal)."""
    store = _store(settings_of(ctx))
    report = _ingest(store, paths, fmt, keep_out_of_order, quiet=json_out)
    if json_out:
        emit_json(report.to_dict())
        return
    _print_quality(report, "ingested")
    typer.echo(
        f"store version {report.version}: {len(report.days)} day(s) updated, "
        f"{store.row_count():,} positions in {len(store.days())} day(s)"
    )


@app.command("status")
def status_cmd(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """What the store holds: days, positions, identities, ingest history, the last detection run."""
    store = _store(settings_of(ctx))
    manifest = store.manifest()
    last = store.load_events()
    info = {
        "version": manifest.get("version"),
        "days": len(manifest.get("days", {})),
        "positions": manifest.get("rows", 0),
        "identity_rows": manifest.get("identity_rows", 0),
        "ingests": manifest.get("ingests", []),
        "last_detection": last[2] if last else None,
    }
    if json_out:
        emit_json(info)
        return
    if not info["version"]:
        typer.echo("No positions yet. Run `dprkwatch maritime ingest FILE...`.")
        return
    first_day = min(manifest["days"]) if manifest["days"] else "-"
    last_day = max(manifest["days"]) if manifest["days"] else "-"
    typer.echo(
        f"{info['positions']:,} positions over {info['days']} day(s) ({first_day} .. {last_day}); "
        f"{info['identity_rows']:,} identity intervals; store version {info['version']}"
    )
    rows = [
        {
            "at": i["at"],
            "files": ", ".join(Path(f).name for f in i["files"]),
            "read": i["quality"]["rows_read"],
            "kept": i["quality"]["positions_kept"],
            "skipped": sum(i["quality"]["skipped"].values()),
        }
        for i in info["ingests"][-10:]
    ]
    print_table(rows, ["at", "files", "read", "kept", "skipped"], title="Ingests")
    if last:
        run = last[2]
        typer.echo(
            f"last detection: {run.get('at')} with {run.get('engine')}: "
            + ", ".join(f"{k} {v}" for k, v in run.get("events", {}).items())
        )


def _load_rules(rules_file: Path | None, sets: list[str] | None) -> Rules:
    rules = Rules.from_file(rules_file) if rules_file is not None else Rules()
    return rules.with_assignments(sets or [])


def _ports(settings: Settings, path: Path | None, no_dprk: bool) -> Any:
    if (
        path is None
        and settings.shared_data is not None
        and (settings.shared_data / WPI_RELATIVE).is_file()
    ):
        path = settings.shared_data / WPI_RELATIVE
    ports = load_ports(path, include_dprk=not no_dprk)
    if path is None:
        err_console.print(
            "note: no --ports given; only the bundled DPRK ports are known, so port filters "
            "treat every other coast as open sea"
        )
    return ports


@app.command("detect")
def detect_cmd(
    ctx: typer.Context,
    input_paths: Annotated[
        list[Path] | None,
        typer.Option(
            "--input",
            "-i",
            help="Positions file(s) to read instead of the store "
            "(CSV, Parquet or NMEA; repeatable).",
        ),
    ] = None,
    ports_path: Annotated[
        Path | None,
        typer.Option(
            "--ports", help="Port list CSV (World Port Index layout or name,country,lat,lon)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write events to .csv, .parquet or .geojson."),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help=f"Engine: {', '.join(ENGINES)}.")
    ] = "polars",
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Change a rule: NAME=VALUE (repeatable; see `maritime rules`)."),
    ] = None,
    rules_file: Annotated[
        Path | None, typer.Option("--rules", help="YAML or JSON file of rule values.")
    ] = None,
    spark_master: Annotated[
        str, typer.Option("--spark-master", help="Spark master URL.")
    ] = "local[2]",
    no_dprk_ports: Annotated[
        bool,
        typer.Option("--no-dprk-ports", help="Do not add the bundled DPRK ports to the port list."),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Run every detector: encounters, loitering, dark gaps, port calls, spoofing, identity changes."""
    settings = settings_of(ctx)
    rules = _load_rules(rules_file, sets)
    if output is not None:
        output_format(output)  # reject a bad suffix before the long part
    ports = _ports(settings, ports_path, no_dprk_ports)
    store = _store(settings)
    options: dict[str, Any] = {"master": spark_master} if engine == "spark" else {}
    tmp: Path | None = None
    try:
        source = store
        if input_paths:
            _remove_stale_inputs(store.root)
            tmp = store.root / f".input-{uuid.uuid4().hex}"
            source = PositionStore(tmp)
            report = _ingest(source, list(input_paths), None, False, quiet=json_out)
            if not json_out:
                _print_quality(report, "input")
        with _progress(json_out) as progress:
            task = progress.add_task(f"detecting ({engine})", total=None)

            def tick(_stage: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            run = run_detection(
                source,
                ports,
                rules,
                engine=engine,
                engine_options=options,
                progress=tick,
                save_to=store,
            )
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if output is not None:
        write_events(run.events, output)
    if json_out:
        emit_json(run.info())
        return
    counts = run.counts()
    rows = [{"event_type": k, "events": v} for k, v in counts.items()]
    print_table(
        rows,
        ["event_type", "events"],
        title=f"Events ({engine}, {run.seconds:.1f} s, "
        f"{run.detection.positions:,} positions, {len(ports)} ports)",
    )
    if output is not None:
        typer.echo(f"wrote {run.events.height} events to {output}")


def _remove_stale_inputs(root: Path, max_age_s: float = 86_400.0) -> None:
    """Temporary stores of ``detect --input`` runs that were killed more than a day ago."""
    if not root.exists():
        return
    now = time.time()
    for old in root.glob(".input-*"):
        if now - old.stat().st_mtime > max_age_s:
            shutil.rmtree(old, ignore_errors=True)


@app.command("rules")
def rules_cmd(json_out: JsonOpt = False) -> None:
    """The detector rules, their defaults and where each default comes from."""
    rows = Rules.describe()
    if json_out:
        emit_json(rows)
    else:
        print_table(rows, ["name", "default", "unit", "meaning", "origin"], title="Detector rules")


def _parse_query(query: str) -> tuple[str, str]:
    text = query.strip()
    if text.isdigit() and len(text) == 9:
        return "mmsi", text
    imo = (
        normalise_imo(text)
        if text.upper().startswith("IMO") or (text.isdigit() and len(text) == 7)
        else None
    )
    if imo:
        return "imo", imo
    return "name", text


@app.command("vessel")
def vessel_cmd(
    ctx: typer.Context,
    query: Annotated[
        str | None,
        typer.Argument(
            help="MMSI (9 digits), IMO (IMO1234567) or a name; omit to rank vessels by risk."
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many vessels to rank.")] = 20,
    fuzzy: Annotated[
        bool | None,
        typer.Option(
            "--fuzzy/--exact",
            help="Match names with the screening engine "
            "(default for one vessel) or exactly (default for rankings).",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """A vessel's identities, events and risk score, or the riskiest vessels of the last run."""
    settings = settings_of(ctx)
    store = _store(settings)
    last = store.load_events()
    if last is None:
        raise StoreEmpty("no detection run yet (run `dprkwatch maritime detect`)")
    events, identity, run = last
    snapshots = SnapshotStore(settings.home)
    designations = Designations.from_store(snapshots)
    use_fuzzy = fuzzy if fuzzy is not None else query is not None
    scorer = RiskScorer(
        events, identity, designations, name_matcher(snapshots, designations, fuzzy=use_fuzzy)
    )
    if query is None:
        ranked = scorer.rank(top=top)
        if json_out:
            emit_json(
                {
                    "algorithm": ALGORITHM,
                    "lists": len(designations),
                    "vessels": [r.to_dict() for r in ranked],
                }
            )
            return
        if not designations:
            err_console.print(
                "note: no designated vessels in the active lists (import lists with "
                "`dprkwatch lists import`); scores use behaviour only"
            )
        rows = [
            {
                "mmsi": r.mmsi,
                "score": r.score,
                "level": r.level,
                "name": ", ".join(r.names[:2]),
                "imo": ", ".join(r.imos[:2]),
                "top reason": r.reasons[0].text if r.reasons else "",
            }
            for r in ranked
        ]
        print_table(
            rows,
            ["mmsi", "score", "level", "name", "imo", "top reason"],
            title=f"Vessel risk ({ALGORITHM})",
        )
        return
    kind, value = _parse_query(query)
    if kind == "mmsi":
        mmsis = [int(value)] if int(value) in set(scorer.mmsis()) else []
    else:
        mmsis = sorted(
            {
                int(m)
                for m in identity.filter(
                    (identity["field"] == kind)
                    & (identity["value"].str.to_uppercase() == value.upper())
                )["mmsi"].to_list()
            }
        )
    if not mmsis:
        raise NotFoundError(f"no vessel with {kind} {value!r} in the last detection run")
    risks = [scorer.assess(m) for m in mmsis]
    if json_out:
        emit_json(
            {
                "algorithm": ALGORITHM,
                "run": run,
                "vessels": [
                    {
                        **r.to_dict(),
                        "identity": _identity_rows(identity, r.mmsi),
                        "event_list": _event_rows(events, r.mmsi),
                    }
                    for r in risks
                ],
            }
        )
        return
    for r in risks:
        typer.echo(f"MMSI {r.mmsi}: risk {r.score} ({r.level}, {ALGORITHM})")
        ident = _identity_rows(identity, r.mmsi)
        if ident:
            print_table(
                ident,
                ["field", "value", "from", "to", "reports"],
                title="Identity (valid intervals)",
            )
        if r.reasons:
            print_table(
                [{"points": x.points, "reason": x.code, "evidence": x.text} for x in r.reasons],
                ["points", "reason", "evidence"],
                title="Risk reasons",
            )
        evs = _event_rows(events, r.mmsi)
        if evs:
            print_table(
                evs, ["event_type", "start", "end", "other_mmsi", "port", "detail"], title="Events"
            )


def _identity_rows(identity: Any, mmsi: int) -> list[dict[str, Any]]:
    sub = identity.filter(identity["mmsi"] == mmsi).sort(["field", "first_ts"])
    return [
        {"field": f, "value": v, "from": a, "to": b, "reports": n}
        for _m, f, v, a, b, n in sub.iter_rows()
    ]


def _event_rows(events: Any, mmsi: int) -> list[dict[str, Any]]:
    sub = events.filter((events["mmsi"] == mmsi) | (events["other_mmsi"] == mmsi)).sort("start")
    return [dict(row) for row in sub.iter_rows(named=True)]


@app.command("synth")
def synth_cmd(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Folder to write positions.parquet, ports.csv, truth.csv, "
            "decoys.csv and designated.ftm.json into."
        ),
    ],
    vessels: Annotated[
        int, typer.Option("--vessels", help="Port-hopping background vessels.")
    ] = 120,
    days: Annotated[int, typer.Option("--days", help="Days of data.")] = 2,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    json_out: JsonOpt = False,
) -> None:
    """Generate synthetic AIS with planted events and decoys (for trying the detectors)."""
    if vessels < 1 or days < 1:
        raise RuleError("must be at least 1", where="--vessels/--days")
    info = generate(SynthConfig.scaled(vessels, days, seed=seed)).write(folder)
    if json_out:
        emit_json(info)
    else:
        typer.echo(
            f"wrote {info['positions']:,} positions, {info['truth']} planted events and "
            f"{info['decoys']} decoys to {folder}"
        )
