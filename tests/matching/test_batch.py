"""Batch screening: four file formats, per-row errors, atomic output."""

from __future__ import annotations

import csv
import gc
import json
from pathlib import Path

import click
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from openpyxl import Workbook, load_workbook

from dprkwatch.cli.context import CliState
from dprkwatch.matching import BatchFileError, Query, Scope, Screener
from dprkwatch.matching.batch import screen_file
from dprkwatch.matching.batch_files import OUTPUT_COLUMNS, read_queries
from dprkwatch.settings import Settings

ROWS = [
    {"id": "q1", "schema": "Person", "name": "Lee Soo-yong", "birth_date": "", "nationality": "kp"},
    {"id": "q2", "schema": "Vessel", "name": "", "imo": "8660313"},
    {"id": "q3", "schema": "Persn", "name": "Kim Jong Un"},
    {"id": "q4", "schema": "Person", "name": ""},
    {"id": "q5", "schema": "Person", "name": "x" * 10_240},
    {"id": "q6", "schema": "Organization", "name": "Joseon Gwangseon Bank\x00\x07"},
    {"id": "q7", "schema": "Person", "name": "Zebedee Quiggleworth"},
    {"id": "q8", "schema": "", "name": "Kim 정은"},
]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = ["id", "schema", "name", "birth_date", "nationality", "imo"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def read_output_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by_query(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        out.setdefault(row["query_id"], []).append(row)
    return out


def check_results(rows: list[dict[str, str]]) -> None:
    grouped = by_query(rows)
    assert list(grouped) == [f"q{i}" for i in range(1, 9)], (
        "every input row is in the output, in order"
    )
    first = {q: r[0] for q, r in grouped.items()}
    assert first["q1"]["match"] == "true" and first["q1"]["entity_id"] in {"us-1002", "eu-13"}
    assert first["q1"]["rank"] == "1" and float(first["q1"]["score"]) >= 0.8
    assert first["q1"]["explanation"]
    assert (
        first["q2"]["entity_id"] == "us-1007"
        and "IMO 8660313 identical" in first["q2"]["explanation"]
    )
    assert "unknown schema 'Persn'" in first["q3"]["error"] and first["q3"]["entity_id"] == ""
    assert "needs a name or an identifier" in first["q4"]["error"]
    assert "too long (10,240 characters" in first["q5"]["error"]
    assert first["q6"]["entity_id"] == "us-1005" and first["q6"]["error"] == ""
    assert (
        first["q7"]["entity_id"] == "" and first["q7"]["rank"] == "" and first["q7"]["error"] == ""
    )
    assert first["q8"]["entity_id"] == "us-1001"


def test_csv_round_trip(screener: Screener, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", ROWS)
    out = tmp_path / "out.csv"
    summary = screen_file(screener, src, out)
    assert summary.rows == 8
    assert summary.errors == 3
    assert summary.matched >= 4
    rows = read_output_csv(out)
    assert list(rows[0]) == list(OUTPUT_COLUMNS)
    check_results(rows)
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"


def test_jsonl_in_xlsx_and_parquet_out(screener: Screener, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [json.dumps(r) for r in ROWS]
    lines.insert(3, "{not json")
    lines.insert(4, "[1, 2]")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = {r.query_id: r for r in read_queries(src)}
    assert parsed["row-4"].query is None and (parsed["row-4"].error or "").startswith(
        "line 4: invalid JSON"
    )
    assert parsed["row-5"].error == "line 5: expected a JSON object"
    assert parsed["q1"].query is not None and parsed["q1"].query.get("nationality") == ["kp"]
    xlsx = tmp_path / "out.xlsx"
    summary = screen_file(screener, src, xlsx, top=2)
    assert summary.rows == 10 and summary.errors == 5
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(OUTPUT_COLUMNS)
    assert sum(1 for v in values[1:] if v[0] == "q1") <= 2
    parquet = tmp_path / "out.parquet"
    screen_file(screener, src, parquet)
    table = pq.read_table(parquet)
    assert table.column_names == list(OUTPUT_COLUMNS)
    assert table.schema.field("match").type == pa.bool_()


def test_xlsx_and_parquet_input(screener: Screener, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "schema", "name", "imo", "birth_date"])
    for r in ROWS:
        name = (
            r["name"].replace("\x00", "").replace("\x07", "")
        )  # Excel cannot hold control characters
        ws.append([r["id"], r["schema"], name, int(r["imo"]) if r.get("imo") else None, None])
    wb.save(tmp_path / "in.xlsx")
    out = tmp_path / "out.csv"
    screen_file(screener, tmp_path / "in.xlsx", out)
    check_results(read_output_csv(out))

    records = [
        {
            "id": r["id"],
            "schema": r["schema"],
            "name": r["name"],
            "imo": r.get("imo"),
            "birth_date": None,
        }
        for r in ROWS
    ]
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "in.parquet")
    screen_file(screener, tmp_path / "in.parquet", out)
    check_results(read_output_csv(out))


def test_malformed_csv_rows_do_not_abort(screener: Screener, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        'id,schema,name\nq1,Person,Ri Su Yong\nq2,Person\nq3,Person,"Kim, Jong Un",extra\nq4,Person,KKBC\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    summary = screen_file(screener, src, out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    errors = [r["error"] for r in rows if r["error"]]
    assert errors == ["line 3: 2 fields, header has 3", "line 4: 4 fields, header has 3"]
    assert summary.rows == 4 and summary.errors == 2
    assert {r["query_id"] for r in rows if r["entity_id"]} == {"q1"}


def test_scope_and_threshold_apply_to_batches(screener: Screener, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "in.csv", [{"id": "a", "schema": "Person", "name": "Ri Su Yong"}])
    out = tmp_path / "out.csv"
    screen_file(screener, src, out, scope=Scope(lists=["ftm_eu_sample"]), threshold=1.0, top=10)
    rows = read_output_csv(out)
    assert {r["entity_id"] for r in rows} == {"eu-13"}
    assert all(r["match"] == ("true" if float(r["score"]) >= 1.0 else "false") for r in rows)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("in.csv", "", "empty file"),
        ("in.csv", "foo,bar\n1,2\n", "no usable column"),
        ("in.txt", "name\nx\n", "cannot tell the format"),
        ("in.xlsx", "not a zip", "not a readable XLSX"),
        ("in.parquet", "not parquet", "not a readable Parquet"),
    ],
)
def test_unusable_input_files(
    screener: Screener, tmp_path: Path, name: str, content: str, fragment: str
) -> None:
    src = tmp_path / name
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("previous results\n", encoding="utf-8")
    with pytest.raises(BatchFileError, match=fragment) as err:
        screen_file(screener, src, out)
    assert str(src) in str(err.value)
    assert out.read_text(encoding="utf-8") == "previous results\n", (
        "a failed run leaves the old output alone"
    )


def test_missing_input_and_output_folder(screener: Screener, tmp_path: Path) -> None:
    with pytest.raises(BatchFileError, match="file not found"):
        screen_file(screener, tmp_path / "nope.csv", tmp_path / "out.csv")
    src = write_csv(tmp_path / "in.csv", ROWS[:1])
    with pytest.raises(BatchFileError, match="output folder does not exist"):
        screen_file(screener, src, tmp_path / "missing" / "out.csv")
    with pytest.raises(BatchFileError, match="overwrite the input"):
        screen_file(screener, src, src)


def test_parallel_workers_give_the_same_results(
    screener: Screener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dprkwatch.matching.batch_pool.PARALLEL_MIN_ROWS", 4)
    monkeypatch.setattr("dprkwatch.matching.batch_pool._CHUNK", 3)
    src = write_csv(tmp_path / "in.csv", ROWS * 2)
    single, double = tmp_path / "one.csv", tmp_path / "two.csv"
    screen_file(screener, src, single, workers=1)
    screen_file(screener, src, double, workers=2)
    assert read_output_csv(single) == read_output_csv(double)


class _ContextSpy:
    """Records whether the worker pool asked for a fork context."""

    def __init__(self) -> None:
        import multiprocessing

        self.calls = 0
        self._real = multiprocessing.get_context

    def __call__(self, method: str | None = None) -> object:
        self.calls += 1
        return self._real(method)


def test_pool_forks_only_when_no_other_thread_runs(
    screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from dprkwatch.forking import fork_is_safe
    from dprkwatch.matching import Query
    from dprkwatch.matching.batch_pool import screen_queries

    if not fork_is_safe():
        pytest.skip("this test process already runs threads, or has one CPU or no fork")
    monkeypatch.setattr("dprkwatch.matching.batch_pool.PARALLEL_MIN_ROWS", 4)
    monkeypatch.setattr("dprkwatch.matching.batch_pool._CHUNK", 3)
    spy = _ContextSpy()
    monkeypatch.setattr("dprkwatch.matching.batch_pool.multiprocessing.get_context", spy)
    queries = [Query("Thing", {"name": [r["name"]]}) for r in ROWS if 0 < len(r["name"]) < 100]
    pooled = list(screen_queries(screener, queries * 2, workers=2))
    assert spy.calls == 1, "single-threaded: the pool forks"
    stop = threading.Event()
    redraw = threading.Thread(target=stop.wait, daemon=True)  # like a progress bar's refresher
    redraw.start()
    try:
        inline = list(screen_queries(screener, queries * 2, workers=2))
    finally:
        stop.set()
        redraw.join()
    assert spy.calls == 1, "with another thread running, no fork"
    assert inline == pooled


def test_cli_progress_bar_runs_no_refresh_thread(
    screener: Screener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch progress bar redraws from the callback, so the pool may fork under it."""
    import threading

    import rich.progress

    seen: list[int] = []
    real = rich.progress.Progress.update

    def update(self: rich.progress.Progress, *args: object, **kwargs: object) -> None:
        seen.append(threading.active_count())
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rich.progress.Progress, "update", update)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    from dprkwatch.cli import screen as screen_cli

    monkeypatch.setattr(screen_cli, "_screener", lambda *a: screener)
    src = write_csv(tmp_path / "in.csv", ROWS)
    # The batch is recorded in the data directory's audit log: it needs the CLI's settings.
    state = CliState(Settings(home=tmp_path / "home"))
    screen_cli._batch(
        typer.Context(click.Command("screen"), obj=state),
        src,
        tmp_path / "out.csv",
        None,
        None,
        5,
        None,
        Scope(),
        2,
        None,
        False,
    )
    assert seen and max(seen) == threading.active_count() == 1


QUERIES_OF_EVERY_KIND = [
    Query("Person", {"name": ["Lee Soo-yong"], "birthDate": ["1940-01-01"], "nationality": ["kp"]}),
    Query("Person", {"name": ["Kim Jnog Un"]}),  # a slip: corrected readings
    Query("Person", {"name": ["RI Su Yong", "리수용"], "gender": ["male"]}),
    Query("Organization", {"name": ["KORYOO BANK"]}),
    Query("Organization", {"name": ["Joseon Gwangseon Bank"]}),
    Query("Vessel", {"name": ["CHON MA SAN"], "imoNumber": ["8660313"]}),
    Query("Thing", {"name": ["Zebedee Quiggleworth"]}),
    Query("Person", {"name": ["金正恩"]}),
]


def test_screening_makes_no_reference_cycles(screener: Screener) -> None:
    """What lets a batch worker run without the cyclic garbage collector:
    everything a screen allocates is freed by reference counting alone."""
    for q in QUERIES_OF_EVERY_KIND:  # first use of each path fills caches and memos
        screener.screen(q, top=10)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(3):
            for q in QUERIES_OF_EVERY_KIND:
                assert screener.screen(q, top=10) is not None
                screener.screen_pool(q, top=3)
                screener.screen_widening(q, 2, lambda pool, _full: 20)
        found = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    assert found == 0, f"{found} objects in reference cycles"
