"""``dprkwatch screen --engine spark``: parse, call :func:`dprkwatch.spark.run.screen_path`, render."""

from __future__ import annotations

import typer

from dprkwatch.cli.context import settings_of
from dprkwatch.cli.output import output_format as chosen_format
from dprkwatch.cli.output import render
from dprkwatch.exceptions import InputError
from dprkwatch.lists import SnapshotStore
from dprkwatch.matching import Scope
from dprkwatch.spark.run import screen_path
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
    run = screen_path(
        SnapshotStore(settings_of(ctx).home), input_path, output_path,
        input_format=input_format, output_format=output_format, top=top, threshold=threshold,
        scope=scope, algorithm=algorithm, master=master,
        ship="files" if ship == "files" else "broadcast", previous=previous, conf=conf,
    )  # fmt: skip
    line = (
        f"screened {run.rows} rows on Spark ({run.master}): {run.matched} with a match, "
        f"{run.errors} with errors -> {run.output}"
    )
    if run.rescreened is not None:
        line += (
            f" (after the list update: re-screened {run.rescreened}, re-scored {run.rescored}; "
            f"alerts {run.alerts})"
        )
    render(run, chosen_format(json_out), text=line)
