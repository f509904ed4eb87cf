"""``dprkwatch screen --engine spark``: parse, call :func:`dprkwatch.spark.run.screen_path`, render."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import output_format as chosen_format
from dprkwatch.cli.output import render
from dprkwatch.exceptions import InputError
from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Scope
from dprkwatch.service import recorded
from dprkwatch.service.storage import Database, migrate
from dprkwatch.spark.run import scope_of, screen_path
from dprkwatch.spark.shipping import SHIP_MODES


def screen_spark(
    ctx: typer.Context,
    input_path: str,
    output_path: str,
    *,
    input_format: str | None,
    output_format: str | None,
    top: int,
    threshold: float | None,
    scope: Scope,
    algorithm: str | None,
    master: str | None,
    ship: str,
    previous: str | None,
    spark_conf: list[str],
    json_out: bool,
) -> None:
    """Screen a file or directory of subjects on Spark and print what the run did."""
    if ship not in SHIP_MODES:
        raise InputError(f"unknown --ship {ship!r} (expected files or broadcast)", where="--ship")
    conf: dict[str, str] = {}
    for item in spark_conf:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise InputError(f"expected spark.KEY=VALUE, got {item!r}", where="--spark-conf")
        conf[key.strip()] = value.strip()
    settings = settings_of(ctx)
    run = screen_path(
        SnapshotStore(settings.home), input_path, output_path,
        input_format=input_format, output_format=output_format, top=top, threshold=threshold,
        scope=scope, algorithm=algorithm, master=master,
        ship="files" if ship == "files" else "broadcast", previous=previous, conf=conf,
    )  # fmt: skip
    # In the audit log like the local engine's batch, before anything is said.
    counts = {"rows": run.rows, "matched": run.matched, "errors": run.errors}
    db = Database.for_settings(settings)
    try:
        migrate.upgrade(db)
        recorded.record_spark_batch(
            db, input_path=input_path, output_path=run.output, counts=counts, versions=run.lists,
            algorithm=str(run.algorithm), threshold=run.threshold, top=top,
            scope=scope_of(scope), master=run.master,
        )  # fmt: skip
    except BaseException:
        _withdraw(run.output)  # an output that is not in the audit log is not handed over
        raise
    finally:
        db.close()
    line = (
        f"screened {run.rows} rows on Spark ({run.master}): {run.matched} with a match, "
        f"{run.errors} with errors -> {run.output}"
    )
    if run.rescreened is not None:
        line += (
            f" (after the list update: re-screened {run.rescreened}, re-scored {run.rescored}; "
            f"alerts {run.alerts})"
        )
    if run.drift:
        line += (
            f"; weights moved up to {run.drift['untouched_words']:.4%} (words) and "
            f"{run.drift['untouched_syllables']:.4%} (Korean syllables) the update did not touch"
        )
    render(run, chosen_format(json_out), text=line)


def _withdraw(output: str) -> None:
    """Remove an output on this machine (a folder or a file); elsewhere it is left as it is."""
    local = output.removeprefix("file://") if output.startswith("file://") else output
    if "://" in local:
        return
    path = Path(local)
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
