"""F7: a 214 KB Parquet file sent to ``/maritime/detect`` expanded to 20 M rows and 35 s of CPU.

Tables sent with a request have their rows counted from the file's metadata
(Parquet footer, CSV line breaks) against ``DPRKWATCH_MAX_ROWS`` first.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.security.conftest import Guarded

ROWS_PER_GROUP = 1_000_000
GROUPS = 20


@pytest.fixture(scope="module")
def parquet_bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """20 M identical AIS positions that compress to a few hundred KB."""
    n = ROWS_PER_GROUP
    table = pa.table(
        {
            "mmsi": pa.array(np.full(n, 445_123_456, dtype=np.int64)),
            "timestamp": pa.array(np.full(n, 1_700_000_000_000, dtype=np.int64)).cast(
                pa.timestamp("ms", tz="UTC")
            ),
            "lat": pa.array(np.full(n, 39.0)),
            "lon": pa.array(np.full(n, 125.0)),
            "sog": pa.array(np.zeros(n)),
        }
    )
    path = tmp_path_factory.mktemp("bomb") / "positions.parquet"
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:  # type: ignore[no-untyped-call]
        for _ in range(GROUPS):
            writer.write_table(table)  # type: ignore[no-untyped-call]
    data = path.read_bytes()
    assert len(data) < 1_000_000, len(data)  # fits under the request size limit
    return data


def test_a_parquet_bomb_is_refused_from_its_metadata(guarded: Guarded, parquet_bomb: bytes) -> None:
    screener = guarded.service.client(guarded.service.key("screen"))
    started = time.monotonic()
    r = screener.post(
        "/maritime/detect",
        files={"file": ("positions.parquet", parquet_bomb)},
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert r.status_code == 400, r.text[:300]
    assert "20,000,000 rows" in r.json()["detail"] and "DPRKWATCH_MAX_ROWS" in r.json()["detail"]
    assert elapsed < 5, elapsed


def test_a_book_is_refused_from_its_metadata(guarded: Guarded, tmp_path: Path) -> None:
    rows = 1_200_000
    table = pa.table(
        {"id": pa.array(np.arange(rows).astype(str)), "name": pa.array(["Kim"] * rows)}
    )
    pq.write_table(table, guarded.imports / "book.parquet")  # type: ignore[no-untyped-call]
    r = guarded.service.admin.post(
        "/books/from-path",
        json={"name": "big", "path": str(guarded.imports / "book.parquet")},
        timeout=120,
    )
    assert r.status_code == 400, r.text[:300]
    assert "1,200,000 rows (from the file's metadata)" in r.json()["detail"]
