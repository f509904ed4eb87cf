"""``dprkwatch screen``: screen one name, or a whole file, against the active lists."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import err_console, render
from dprkwatch.cli.output import output_format as format_of
from dprkwatch.exceptions import InputError, NotFoundError
from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Query, Scope, Screener
from dprkwatch.matching.batch import screen_file
from dprkwatch.resolution.hits import WIDEN, fold, group, load_map, load_targets, screen_by_target
from dprkwatch.service import recorded
from dprkwatch.service.storage import Database, migrate

Opt = typer.Option


def _screener(ctx: typer.Context, algorithm: str | None, quiet: bool) -> Screener:
    store = SnapshotStore(settings_of(ctx).home)
    if not store.active_versions():
        raise NotFoundError(
            f"no lists are active in {store.home}; import some first with `dprkwatch lists import PATH`"
        )
    if quiet or not err_console.is_terminal:
        return Screener.from_store(store, algorithm=algorithm)
    # A line erased afterwards, not a spinner: a spinner redraws from its own
    # thread, and the index build forks a name analyser and a cache writer
    # only while this process runs no other thread.
    err_console.file.write("indexing the active lists ...\r")
    err_console.file.flush()
    try:
        return Screener.from_store(store, algorithm=algorithm)
    finally:
        err_console.file.write("\x1b[K")
        err_console.file.flush()


def screen_cmd(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Name to screen (any script).")] = None,
    schema: Annotated[
        str,
        Opt(
            "--schema",
            help="Person, Organization, Company, Vessel, CryptoWallet ... (default: any).",
        ),
    ] = "Thing",
    birth_date: Annotated[
        str | None, Opt("--birth-date", help="YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    nationality: Annotated[
        str | None, Opt("--nationality", help="Country code or name, e.g. kp.")
    ] = None,
    country: Annotated[
        str | None, Opt("--country", help="Country of residence or registration.")
    ] = None,
    gender: Annotated[str | None, Opt("--gender", help="male or female.")] = None,
    imo: Annotated[str | None, Opt("--imo", help="IMO number of a vessel or company.")] = None,
    mmsi: Annotated[str | None, Opt("--mmsi", help="MMSI of a vessel.")] = None,
    wallet: Annotated[str | None, Opt("--wallet", help="Crypto wallet address.")] = None,
    passport: Annotated[str | None, Opt("--passport", help="Passport number.")] = None,
    input_path: Annotated[
        str | None, Opt("--input", "-i", help="Batch: CSV, XLSX, Parquet or JSONL of queries.")
    ] = None,
    output_path: Annotated[
        str | None,
        Opt("--output", "-o", help="Batch: where to write results (format from suffix)."),
    ] = None,
    input_format: Annotated[
        str | None,
        Opt("--input-format", help="csv, xlsx, parquet or jsonl (default: from suffix)."),
    ] = None,
    output_format: Annotated[
        str | None,
        Opt("--output-format", help="csv, xlsx, parquet or jsonl (default: from suffix)."),
    ] = None,
    top: Annotated[int, Opt("--top", "-k", min=1, max=100, help="Results per query.")] = 5,
    threshold: Annotated[
        float | None,
        Opt(
            "--threshold",
            "-t",
            min=0.0,
            max=1.0,
            help="Match threshold (default: the algorithm's calibrated one).",
        ),
    ] = None,
    lists: Annotated[
        list[str] | None,
        Opt("--list", "-l", help="Only these lists (repeatable): ofac, un, eu, uk ..."),
    ] = None,
    dprk_only: Annotated[
        bool, Opt("--dprk-only", help="Only entities under a DPRK programme.")
    ] = False,
    programs: Annotated[
        list[str] | None,
        Opt("--program", help="Only these programme codes (repeatable), e.g. DPRK3."),
    ] = None,
    workers: Annotated[
        int, Opt("--workers", min=0, max=64, help="Batch: worker processes (0: one per CPU).")
    ] = 0,
    algorithm: Annotated[
        str | None, Opt("--algorithm", help="Matching algorithm and version (default: current).")
    ] = None,
    json_out: Annotated[bool, Opt("--json", help="Print JSON instead of a table.")] = False,
    per_listing: Annotated[
        bool,
        Opt(
            "--per-listing",
            help="One row per listing, not one per resolved target (see `dprkwatch resolve`).",
        ),
    ] = False,
    engine: Annotated[
        str, Opt("--engine", help="Batch: local (this machine) or spark (see docs/spark.md).")
    ] = "local",
    master: Annotated[
        str | None,
        Opt("--master", help="Spark: master URL: local[N] (default local[2]), yarn, spark://..."),
    ] = None,
    spark_conf: Annotated[
        list[str] | None,
        Opt(
            "--spark-conf",
            help="Spark: a KEY=VALUE setting (repeat), e.g. spark.executor.instances=8.",
        ),
    ] = None,
    previous: Annotated[
        str | None,
        Opt(
            "--previous",
            help="Spark: an earlier output; re-screen only what the list update touched.",
        ),
    ] = None,
    ship: Annotated[
        str, Opt("--ship", help="Spark: how the index reaches executors: files or broadcast.")
    ] = "files",
) -> None:
    """Screen a name (or a file with --input/--output) against the active lists."""
    scope = Scope(lists=lists or None, dprk_only=dprk_only, programs=programs or None)
    if engine not in ("local", "spark"):
        raise InputError(f"unknown engine {engine!r} (expected local or spark)", where="--engine")
    if input_path is not None or output_path is not None:
        if input_path is None or output_path is None:
            raise InputError("batch mode needs both --input and --output")
        if name is not None:
            raise InputError("give either a NAME or --input, not both")
        if engine == "spark":
            from dprkwatch.cli.screen_spark import screen_spark

            screen_spark(
                ctx, input_path, output_path, input_format=input_format, output_format=output_format,
                top=top, threshold=threshold, scope=scope, algorithm=algorithm, master=master,
                ship=ship, previous=previous, spark_conf=spark_conf or [], json_out=json_out,
            )  # fmt: skip
            return
        if previous is not None or master is not None or spark_conf:
            raise InputError("--previous, --master and --spark-conf need --engine spark")
        _batch(
            ctx,
            Path(input_path),
            Path(output_path),
            input_format,
            output_format,
            top,
            threshold,
            scope,
            workers,
            algorithm,
            json_out,
            per_listing,
        )
        return
    props: dict[str, Any] = {
        "name": name, "birthDate": birth_date, "nationality": nationality, "country": country,
        "gender": gender, "imoNumber": imo, "mmsi": mmsi, "publicKey": wallet, "passportNumber": passport,
    }  # fmt: skip
    query = Query(schema=schema, properties={k: v for k, v in props.items() if v})
    screener = _screener(ctx, algorithm, json_out)
    # With a resolution run, hits are grouped by target (more results are
    # asked for only when a target repeats among the first ones).
    targets = None if per_listing else load_targets(settings_of(ctx).home)
    if targets is None:
        asked = top
        results = screener.screen(query, top=top, threshold=threshold, scope=scope)
    else:
        results, asked = screen_by_target(
            screener, query, targets, top=top, threshold=threshold, scope=scope
        )
    cut = screener.threshold if threshold is None else threshold
    # Recorded in the audit log (actor cli) before anything is shown; reviews apply.
    # The record keeps every listing's result, grouped or not.
    with _database(ctx) as db:
        screening = recorded.record_one(
            db, screener, query, results, top=max(asked, len(results)), threshold=threshold,
            scope=_scope(scope),
        )  # fmt: skip
    shown = {r.entity_id for r in screening.outcome.results}
    results = [m for m in results if m.entity_id in shown]
    for r, review in screening.outcome.suppressed:
        err_console.print(
            f"{r.entity_id} not shown: reviewed as a false positive ({review.id}, {review.ts})"
        )
    if targets is not None:
        _render_targets(group(results, targets, top), screener, query, threshold, json_out)
        return
    rows = [
        {
            "#": i,
            "score": f"{m.score:.2f}",
            "match": "MATCH" if m.match else "",
            "evidence": m.evidence,
            "entity": m.entity_id,
            "name": m.caption,
            "type": m.schema,
            "list": ", ".join(m.datasets),
            "why": "; ".join(m.explanation),
        }
        for i, m in enumerate(results, start=1)
    ]
    named = query.names[0] if query.names else "the identifiers given"
    render(
        [m.to_dict() for m in results],
        format_of(json_out),
        rows=rows,
        columns=["#", "score", "match", "evidence", "entity", "name", "type", "list", "why"],
        title=f"Screening results ({screener.algorithm}, threshold {cut:.2f})",
        empty=f"No candidates for {named}.",
    )


@contextmanager
def _database(ctx: typer.Context) -> Iterator[Database]:
    db = Database.for_settings(settings_of(ctx))
    try:
        migrate.upgrade(db)
        yield db
    finally:
        db.close()


def _scope(scope: Scope) -> dict[str, Any]:
    return {
        "lists": sorted(scope.lists) if scope.lists else None,
        "dprk_only": scope.dprk_only,
        "programs": sorted(scope.programs) if scope.programs else None,
    }


def _render_targets(
    hits: list[dict[str, Any]],
    screener: Screener,
    query: Query,
    threshold: float | None,
    json_out: bool,
) -> None:
    """Hits grouped by resolved target: one row per target, its lists and matching listings."""
    cut = screener.threshold if threshold is None else threshold
    rows = [
        {
            "#": i,
            "score": f"{h['score']:.2f}",
            "match": "MATCH" if h["match"] else "",
            "evidence": h["evidence"],
            "target": h["target_id"] or h["entity_id"],
            "name": h["caption"],
            "type": h["schema"],
            "lists": ", ".join(h["datasets"]),
            "matched": ", ".join(h["matched"]),
            "why": "; ".join(h["explanation"][1:]),
        }
        for i, h in enumerate(hits, start=1)
    ]
    named = query.names[0] if query.names else "the identifiers given"
    render(
        hits,
        format_of(json_out),
        rows=rows,
        columns=[
            "#",
            "score",
            "match",
            "evidence",
            "target",
            "name",
            "type",
            "lists",
            "matched",
            "why",
        ],
        title=f"Screening results by target ({screener.algorithm}, threshold {cut:.2f})",
        empty=f"No candidates for {named}.",
    )


def _batch(
    ctx: typer.Context,
    input_path: Path,
    output_path: Path,
    input_format: str | None,
    output_format: str | None,
    top: int,
    threshold: float | None,
    scope: Scope,
    workers: int,
    algorithm: str | None,
    json_out: bool,
    per_listing: bool = False,
) -> None:
    screener = _screener(ctx, algorithm, json_out)
    # As for one name: with a resolution run, one row per target, from more raw results.
    target_map = None if per_listing else load_map(settings_of(ctx).home)
    folder = partial(fold, target_map=target_map, top=top) if target_map is not None else None
    ask = min(100, top * WIDEN) if target_map is not None else None
    n_workers = workers or (os.cpu_count() or 1)
    columns = (TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # Redrawn by the callback, not by Rich's refresh thread: the worker
    # pool forks only while this process runs no other thread.
    with Progress(
        *columns,
        console=err_console,
        transient=True,
        auto_refresh=False,
        disable=json_out or not sys.stderr.isatty(),
    ) as progress:
        task = progress.add_task("screening", total=None)
        last = 0.0

        def tick(done: int, total: int) -> None:
            nonlocal last
            progress.update(task, completed=done, total=total)
            now = time.monotonic()
            if now - last >= 0.1 or done == total:
                last = now
                progress.refresh()

        summary = screen_file(
            screener, input_path, output_path, input_format=input_format, output_format=output_format,
            top=top, threshold=threshold, scope=scope, workers=n_workers, progress=tick,
            ask=ask, fold=folder,
        )  # fmt: skip
    counts = {"rows": summary.rows, "matched": summary.matched, "errors": summary.errors}
    try:
        with _database(ctx) as db:
            recorded.record_batch(
                db, screener, input_path=input_path, output_path=output_path, counts=counts,
                top=top, threshold=threshold, scope=_scope(scope),
            )  # fmt: skip
    except BaseException:
        # An output that is not in the audit log is not handed over.
        output_path.unlink(missing_ok=True)
        raise
    report = {
        "rows": summary.rows,
        "matched": summary.matched,
        "errors": summary.errors,
        "results": summary.results,
        "output": str(output_path),
        "algorithm": screener.algorithm,
        "threshold": screener.threshold if threshold is None else threshold,
        "lists": screener.versions,
        "by_target": target_map is not None,
    }
    if json_out:
        render(report, "json")
    else:
        err_console.print(
            f"screened {summary.rows} rows: {summary.matched} with a match, {summary.errors} with errors "
            f"-> {output_path}"
        )
