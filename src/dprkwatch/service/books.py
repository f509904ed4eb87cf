"""Customer and counterparty books: registered once, re-screened after every list import.

A book is a subject file read by :mod:`dprkwatch.matching.subjects` in
its strict mode - the same formats, columns and ``;`` multi-values as
``dprkwatch screen --input``: one subject per row, each with a unique
``id``. Every row is validated like a ``/match`` query, and a bad row
rejects the whole file with its row number, so a book is stored completely
or not at all.

Re-registering a book under the same name replaces its rows: subjects whose
content is unchanged keep their last hits (no repeated alerts), new or
changed subjects are screened afresh at the next rescreen.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from dprkwatch.exceptions import InputError
from dprkwatch.matching import subjects as subject_files
from dprkwatch.matching.query import Query
from dprkwatch.matching.subjects import Reading, SubjectRow
from dprkwatch.service import audit, rowcount
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.datasets import get_dataset
from dprkwatch.service.exceptions import RecordNotFound
from dprkwatch.service.storage.database import Database
from dprkwatch.service.storage.tables import book_subjects, books, subject_hits
from dprkwatch.service.subjects import fingerprint

MAX_SUBJECTS = 1_000_000
# The most a Parquet or XLSX book may expand to when decoded.
MAX_EXPANDED_BYTES = 2_000_000_000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class Subject:
    subject_id: str
    query: Query

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.query.schema, self.query.properties)


class Book(BaseModel):
    """A registered book: a customer file re-screened after every list import."""

    model_config = ConfigDict(frozen=True)

    name: str
    dataset: str
    source: str
    subjects: int
    created_at: str
    created_by: str


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InputError(
            f"book name {name!r}: use 1-100 letters, digits, '_', '.', '-' (starting with a letter or digit)",
            where="name",
        )
    return name


# -- reading files -------------------------------------------------------------


def _reading(default_schema: str) -> Reading:
    return Reading("strict", MAX_SUBJECTS, default_schema=default_schema)


def _subjects(rows: Iterable[SubjectRow]) -> list[Subject]:
    out = []
    for r in rows:
        assert r.query is not None  # strict mode raises on a row without a query
        out.append(Subject(r.subject_id, r.query))
    return out


def parse(
    data: bytes,
    source: str,
    *,
    default_schema: str = "Thing",
    max_rows: int = MAX_SUBJECTS,
    max_bytes: int = MAX_EXPANDED_BYTES,
) -> list[Subject]:
    """Validate an uploaded book; raises :class:`InputError` naming the row and field.

    The row count of a CSV or Parquet file (and what a Parquet or XLSX file
    expands to) is checked from its metadata against ``max_rows`` and
    ``max_bytes`` before any row is decoded.
    """
    rowcount.check(data, source, max_rows=max_rows + 1, max_bytes=max_bytes)
    how = Reading("strict", max_rows, default_schema=default_schema)
    return _subjects(subject_files.read(io.BytesIO(data), source, how))


def read_path(path: Path, *, default_schema: str = "Thing") -> list[Subject]:
    """Validate a book file on disk (the same rules as :func:`parse`)."""
    return _subjects(subject_files.read_path(path, _reading(default_schema)))


# -- storing -------------------------------------------------------------------


def _book(row: Any) -> Book:
    return Book(
        name=row.name, dataset=row.dataset, source=row.source, subjects=int(row.subjects),
        created_at=row.created_at, created_by=row.created_by,
    )  # fmt: skip


def register(
    db: Database, name: str, subjects: list[Subject], *, source: str, dataset: str, actor: str
) -> Book:
    """Store (or replace) a book; its subjects' previous hits survive only where unchanged."""
    check_name(name)
    get_dataset(dataset)
    new = {s.subject_id: s for s in subjects}
    with db.write() as conn:
        old = {
            r.subject_id: r.fingerprint
            for r in conn.execute(
                select(book_subjects.c.subject_id, book_subjects.c.fingerprint).where(
                    book_subjects.c.book == name
                )
            )
        }
        stale = [sid for sid, fp in old.items() if sid not in new or new[sid].fingerprint != fp]
        for chunk in _chunks(stale, 500):
            conn.execute(
                delete(subject_hits).where(
                    subject_hits.c.book == name, subject_hits.c.subject_id.in_(chunk)
                )
            )
        conn.execute(delete(book_subjects).where(book_subjects.c.book == name))
        book = Book(
            name=name, dataset=dataset, source=source, subjects=len(subjects),
            created_at=audit.now_iso(), created_by=actor,
        )  # fmt: skip
        exists = conn.execute(select(books.c.name).where(books.c.name == name)).first() is not None
        if exists:  # update in place: deleting the row would cascade to the hits kept above
            conn.execute(update(books).where(books.c.name == name).values(**book.model_dump()))
        else:
            conn.execute(insert(books).values(**book.model_dump()))
        rows = [
            {
                "book": name,
                "subject_id": s.subject_id,
                "schema": s.query.schema,
                "properties": orjson.dumps(dict(s.query.properties)).decode(),
                "fingerprint": s.fingerprint,
            }
            for s in subjects
        ]
        for chunk in _chunks(rows, 2000):
            conn.execute(insert(book_subjects), chunk)
        audit.append(
            conn,
            [
                AuditEntry(
                    "book.register",
                    actor,
                    {**book.model_dump(), "replaced": bool(old), "changed_or_removed": len(stale)},
                    ref=name,
                )
            ],
        )
    return book


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def get(db: Database, name: str) -> Book:
    with db.read() as conn:
        row = conn.execute(select(books).where(books.c.name == name)).first()
    if row is None:
        raise RecordNotFound(f"no book named {name!r}")
    return _book(row)


def list_books(db: Database) -> list[Book]:
    with db.read() as conn:
        return [_book(r) for r in conn.execute(select(books).order_by(books.c.name))]


def remove(db: Database, name: str, actor: str) -> Book:
    with db.write() as conn:
        row = conn.execute(select(books).where(books.c.name == name)).first()
        if row is None:
            raise RecordNotFound(f"no book named {name!r}")
        book = _book(row)
        conn.execute(delete(subject_hits).where(subject_hits.c.book == name))
        conn.execute(delete(book_subjects).where(book_subjects.c.book == name))
        conn.execute(delete(books).where(books.c.name == name))
        audit.append(conn, [AuditEntry("book.remove", actor, book.model_dump(), ref=name)])
    return book


def iter_subjects(
    conn: Connection, name: str, *, page: int = 500, after: str = ""
) -> Iterator[list[tuple[str, Query]]]:
    """A book's subjects in pages, as validated queries, in id order (from after ``after``)."""
    last = after
    while True:
        rows = conn.execute(
            select(book_subjects.c.subject_id, book_subjects.c.schema, book_subjects.c.properties)
            .where(book_subjects.c.book == name, book_subjects.c.subject_id > last)
            .order_by(book_subjects.c.subject_id)
            .limit(page)
        ).all()
        if not rows:
            return
        yield [
            (
                r.subject_id,
                Query(schema=r.schema, properties=orjson.loads(r.properties), id=r.subject_id),
            )
            for r in rows
        ]
        last = rows[-1].subject_id


def previous_hits(
    conn: Connection, name: str, subject_ids: list[str]
) -> dict[str, dict[str, Mapping[str, Any]]]:
    """The stored hits of these subjects: subject id -> entity id -> row."""
    out: dict[str, dict[str, Mapping[str, Any]]] = {sid: {} for sid in subject_ids}
    rows = conn.execute(
        select(subject_hits).where(
            subject_hits.c.book == name, subject_hits.c.subject_id.in_(subject_ids)
        )
    )
    for r in rows:
        out[r.subject_id][r.entity_id] = dict(r._mapping)
    return out


def replace_hits(conn: Connection, name: str, subject_id: str, hits: list[dict[str, Any]]) -> None:
    conn.execute(
        delete(subject_hits).where(
            subject_hits.c.book == name, subject_hits.c.subject_id == subject_id
        )
    )
    if hits:
        conn.execute(
            insert(subject_hits), [{"book": name, "subject_id": subject_id, **h} for h in hits]
        )
