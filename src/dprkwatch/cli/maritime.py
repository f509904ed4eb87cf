"""``dprkwatch maritime``: AIS ingest, evasion detectors, evidence, vessel risk.

Each command parses its options, calls one function of
:mod:`dprkwatch.maritime` and prints the value it returns through
:func:`~dprkwatch.cli.output.render`. Positions are kept in the data
directory (``<data dir>/maritime``); ``detect`` reads that store, or files
given with ``--input`` (read straight into the engine, no store);
``vessel`` reads the latest detection run with the active sanctions lists.

``detect`` is the command that is timed end to end on millions of
positions, so this module imports only what every command needs; the list
store, the screening engine and the synthetic generator are imported by the
commands that use them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from dprkwatch.cli.context import exit_now, settings_of
from dprkwatch.cli.output import err_console, output_format, render
from dprkwatch.exceptions import NotFoundError
from dprkwatch.maritime import (
    Ports,
    PositionStore,
    RuleError,
    Rules,
    StoreEmpty,
    detect_files,
    ingest,
    load_ports,
    run_detection,
    write_events,
)
from dprkwatch.maritime.engines import ENGINES
from dprkwatch.maritime.events import output_format as events_format
from dprkwatch.maritime.ingest import FORMATS, IngestReport
from dprkwatch.settings import Settings

app = typer.Typer(
    help="AIS maritime evasion: ingest, detect, evidence, vessel risk.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=f"Read every file in this layout instead of recognising it: {', '.join(FORMATS)}.",
    ),
]
WPI_RELATIVE = Path("ais") / "ports" / "WPI_ports.csv"


def _store(settings: Settings) -> PositionStore:
    return PositionStore(settings.data.maritime)


class _Quiet:
    """The progress calls ``ingest`` and ``detect`` make, doing nothing (no terminal)."""

    def add_task(self, *_args: Any, **_kwargs: Any) -> int:
        return 0

    def advance(self, *_args: Any, **_kwargs: Any) -> None:
        return None

    def update(self, *_args: Any, **_kwargs: Any) -> None:
        return None


@contextmanager
def _progress(quiet: bool) -> Iterator[Any]:
    """Progress bars on a terminal; rich's progress module is imported only then."""
    if quiet or not sys.stderr.isatty():
        yield _Quiet()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        yield progress


def _reading(progress: Any) -> Any:
    """A read-progress callback: rows read, days finished."""
    rows = progress.add_task("reading rows", total=None)
    days = progress.add_task("days done", total=None, visible=False)

    def tick(stage: str, amount: int) -> None:
        if stage == "rows":
            progress.advance(rows, amount)
        else:
            progress.update(days, visible=True)
            progress.advance(days, amount)

    return tick


def _print_quality(report: IngestReport, title: str) -> None:
    q = report.quality
    err_console.print(f"{title} ({report.layout}): {q.summary()}")
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
    render(
        rows,
        columns=["reason", "kind", "rows", "meaning", "first seen at"],
        title="Data quality",
        empty="",
    )


@app.command("ingest")
def ingest_cmd(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="AIS files: MarineCadastre or DMA CSV (zipped too), other CSV, Parquet, "
            "GeoParquet or NMEA; the layout is recognised from the content."
        ),
    ],
    fmt: FormatOpt = None,
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
    with _progress(json_out) as progress:
        report = ingest(
            store, paths, fmt=fmt, keep_out_of_order=keep_out_of_order, progress=_reading(progress)
        )
    if not json_out:
        _print_quality(report, "ingested")
    render(
        report.to_dict(),
        output_format(json_out),
        text=f"store version {report.version}: {len(report.days)} day(s) updated, "
        f"{store.row_count():,} positions in {len(store.days())} day(s)",
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
    fmt = output_format(json_out)
    if fmt == "json" or not info["version"]:
        render(info, fmt, text="No positions yet. Run `dprkwatch maritime ingest FILE...`.")
        return
    days = sorted(manifest["days"])
    rows = [
        {
            "at": i["at"],
            "files": ", ".join(Path(f).name for f in i["files"]),
            "layout": i.get("layout", ""),
            "read": i["quality"]["rows_read"],
            "kept": i["quality"]["positions_kept"],
            "skipped": sum(i["quality"]["skipped"].values()),
        }
        for i in info["ingests"][-10:]
    ]
    render(
        info,
        fmt,
        rows=rows,
        columns=["at", "files", "layout", "read", "kept", "skipped"],
        title="Ingests",
        summary=f"{info['positions']:,} positions over {info['days']} day(s) "
        f"({days[0] if days else '-'} .. {days[-1] if days else '-'}); "
        f"{info['identity_rows']:,} identity intervals; store version {info['version']}",
    )
    if last:
        run = last[2]
        render(
            run,
            text=f"last detection: {run.get('at')} with {run.get('engine')}: "
            + ", ".join(f"{k} {v}" for k, v in run.get("events", {}).items()),
        )


def _load_rules(rules_file: Path | None, sets: list[str] | None) -> Rules:
    rules = Rules.from_file(rules_file) if rules_file is not None else Rules()
    return rules.with_assignments(sets or [])


def _ports(settings: Settings, path: Path | None, no_dprk: bool) -> Ports:
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


PortsOpt = Annotated[
    Path | None,
    typer.Option(
        "--ports", help="Port list CSV (World Port Index layout or name,country,lat,lon)."
    ),
]
NoDprkOpt = Annotated[
    bool,
    typer.Option("--no-dprk-ports", help="Do not add the bundled DPRK ports to the port list."),
]


@app.command("detect")
def detect_cmd(
    ctx: typer.Context,
    input_paths: Annotated[
        list[Path] | None,
        typer.Option(
            "--input",
            "-i",
            help="Positions file(s) to read instead of the store, any layout `ingest` reads "
            "(repeatable); nothing is stored but the events.",
        ),
    ] = None,
    fmt: FormatOpt = None,
    ports_path: PortsOpt = None,
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
    no_dprk_ports: NoDprkOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Run every detector: encounters, loitering, dark gaps, port calls, spoofing, identity
    changes and shared identities, transfer chains."""
    settings = settings_of(ctx)
    rules = _load_rules(rules_file, sets)
    if output is not None:
        events_format(output)  # reject a bad suffix before the long part
    ports = _ports(settings, ports_path, no_dprk_ports)
    store = _store(settings)
    options: dict[str, Any] = {"master": spark_master} if engine == "spark" else {}
    with _progress(json_out) as progress:
        task = progress.add_task(f"detecting ({engine})", total=None)

        def tick(_stage: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if input_paths:
            run, report = detect_files(
                input_paths,
                ports,
                rules,
                workdir=store.root,
                fmt=fmt,
                engine=engine,
                engine_options=options,
                progress=tick,
                read_progress=_reading(progress),
                save_to=store,
            )
        else:
            report = None
            run = run_detection(
                store,
                ports,
                rules,
                engine=engine,
                engine_options=options,
                progress=tick,
                save_to=store,
            )
    if output is not None:
        write_events(run.events, output)
    if report is not None and not json_out:
        _print_quality(report, "input")
    counts = run.counts()
    render(
        run.info(),
        output_format(json_out),
        rows=[{"event_type": k, "events": v} for k, v in counts.items()],
        columns=["event_type", "events"],
        title=f"Events ({engine}, {run.seconds:.1f} s, "
        f"{run.detection.positions:,} positions, {len(ports)} ports)",
    )
    if output is not None and not json_out:
        render({"written": run.events.height}, text=f"wrote {run.events.height} events to {output}")
    # The run's days, detectors' parts and events need not be freed one by one.
    exit_now()


@app.command("evidence")
def evidence_cmd(
    ctx: typer.Context,
    event_ids: Annotated[
        list[str], typer.Argument(help="Event ids (the event_id column of `detect`'s output).")
    ],
    folder: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write the files into.")
    ] = Path("evidence"),
    input_paths: Annotated[
        list[Path] | None,
        typer.Option(
            "--input",
            "-i",
            help="The positions files the events were found in (default: the store).",
        ),
    ] = None,
    fmt: FormatOpt = None,
    margin_hours: Annotated[
        float, typer.Option("--margin-hours", help="Track shown before and after the event.")
    ] = 6.0,
    ports_path: PortsOpt = None,
    no_dprk_ports: NoDprkOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Evidence for events of the last detection run: track excerpt as GeoJSON and KML, and a
    one-page PNG map, per event."""
    from dprkwatch.maritime.evidence import collect_evidence

    settings = settings_of(ctx)
    store = _store(settings)
    ports = _ports(settings, ports_path, no_dprk_ports)
    if margin_hours < 0:
        raise RuleError("must not be negative", where="--margin-hours")
    written = collect_evidence(
        store,
        event_ids,
        folder,
        ports=ports,
        inputs=input_paths,
        fmt=fmt,
        margin=timedelta(hours=margin_hours),
    )
    render(
        written,
        output_format(json_out),
        columns=["event_id", "event_type", "positions", "geojson", "kml", "png"],
        title=f"Evidence in {folder}",
    )


@app.command("rules")
def rules_cmd(json_out: JsonOpt = False) -> None:
    """The detector rules, their defaults and where each default comes from."""
    render(
        Rules.describe(),
        output_format(json_out),
        columns=["name", "default", "unit", "meaning", "origin"],
        title="Detector rules",
    )


def _parse_query(query: str) -> tuple[str, str]:
    from dprkwatch.maritime.designations import normalise_imo

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
    from dprkwatch.lists import SnapshotStore
    from dprkwatch.maritime.designations import Designations, name_matcher
    from dprkwatch.maritime.risk import ALGORITHM, RiskScorer

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
    fmt = output_format(json_out)
    if query is None:
        ranked = scorer.rank(top=top)
        if not designations and fmt == "table":
            err_console.print(
                "note: no designated vessels in the active lists (import lists with "
                "`dprkwatch lists import`); scores use behaviour only"
            )
        render(
            {
                "algorithm": ALGORITHM,
                "lists": len(designations),
                "vessels": [r.to_dict() for r in ranked],
            },
            fmt,
            rows=[
                {
                    "mmsi": r.mmsi,
                    "score": r.score,
                    "level": r.level,
                    "name": ", ".join(r.names[:2]),
                    "imo": ", ".join(r.imos[:2]),
                    "top reason": r.reasons[0].text if r.reasons else "",
                }
                for r in ranked
            ],
            columns=["mmsi", "score", "level", "name", "imo", "top reason"],
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
    vessels = [
        {
            **r.to_dict(),
            "identity": _identity_rows(identity, r.mmsi),
            "event_list": _event_rows(events, r.mmsi),
        }
        for r in risks
    ]
    if fmt == "json":
        render({"algorithm": ALGORITHM, "run": run, "vessels": vessels}, fmt)
        return
    for r, v in zip(risks, vessels, strict=True):
        render(r, text=f"MMSI {r.mmsi}: risk {r.score} ({r.level}, {ALGORITHM})")
        render(
            v["identity"],
            columns=["field", "value", "from", "to", "reports"],
            title="Identity (valid intervals)",
            empty="",
        )
        render(
            [{"points": x.points, "reason": x.code, "evidence": x.text} for x in r.reasons],
            columns=["points", "reason", "evidence"],
            title="Risk reasons",
            empty="",
        )
        render(
            v["event_list"],
            columns=["event_type", "start", "end", "other_mmsi", "port", "detail"],
            title="Events",
            empty="",
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
    from dprkwatch.maritime.synthetic import SynthConfig, generate

    if vessels < 1 or days < 1:
        raise RuleError("must be at least 1", where="--vessels/--days")
    info = generate(SynthConfig.scaled(vessels, days, seed=seed)).write(folder)
    render(
        info,
        output_format(json_out),
        text=f"wrote {info['positions']:,} positions, {info['truth']} planted events and "
        f"{info['decoys']} decoys to {folder}",
    )
