"""Books for delta screening, rescreen runs, and the alerts they raise."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, UploadFile

from dprkwatch.service import books, rescreen
from dprkwatch.service.api.deps import AdminRole, ReviewRole, State
from dprkwatch.service.api.models import (
    BookFromPath,
    BookRegistered,
    BooksResponse,
    RunsResponse,
    errors,
)
from dprkwatch.service.api.server_paths import withheld

# Deeper pages than this are no use to anyone, and a larger number overflows
# the databases' 64-bit integers.
MAX_OFFSET = 1_000_000_000

router = APIRouter(tags=["Delta screening"])


def _registered(
    state: State, background: BackgroundTasks, book: books.Book, actor: str
) -> BookRegistered:
    run, job = state.begin_rescreen(
        trigger=f"book.register {book.name} by {actor}", books=[book.name]
    )
    background.add_task(job)
    return BookRegistered(**book.model_dump(), rescreen_run=run.id)


@router.post(
    "/books",
    response_model=BookRegistered,
    status_code=201,
    summary="Register (or replace) a book by uploading a CSV or Parquet file",
    responses=errors(400, 401, 403, 404, 413, 422, 503),
)
def upload_book(
    state: State,
    background: BackgroundTasks,
    principal: AdminRole,
    file: Annotated[
        UploadFile, File(description="CSV with a header, or Parquet: id, schema, name, ...")
    ],
    name: Annotated[
        str, Form(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    ],
    dataset: Annotated[str, Form(max_length=60)] = "default",
    default_schema: Annotated[
        str,
        Form(
            alias="schema", max_length=60, description="Schema for rows without a 'schema' column"
        ),
    ] = "Thing",
) -> BookRegistered:
    """The book is screened at once (a rescreen run, in the background); its first
    hits come back as `new` alerts, and every later list import re-screens it."""
    data = file.file.read()
    subjects = books.parse(
        data,
        file.filename or "upload",
        default_schema=default_schema,
        max_rows=state.settings.max_rows,
        max_bytes=state.settings.max_file_bytes,
    )
    book = books.register(
        state.db,
        name,
        subjects,
        source=f"upload:{file.filename or 'unnamed'}",
        dataset=dataset,
        actor=principal.actor,
    )
    return _registered(state, background, book, principal.actor)


@router.post(
    "/books/from-path",
    response_model=BookRegistered,
    status_code=201,
    summary="Register (or replace) a book from a file on the server",
    responses=errors(400, 401, 403, 404, 422, 503),
)
def book_from_path(
    body: BookFromPath, state: State, background: BackgroundTasks, principal: AdminRole
) -> BookRegistered:
    path, data = state.server_paths.read(body.path, "path")
    with withheld(path.name):
        subjects = books.parse(
            data,
            path.name,
            max_rows=state.settings.max_rows,
            max_bytes=state.settings.max_file_bytes,
        )
    book = books.register(
        state.db, body.name, subjects, source=str(path), dataset=body.dataset, actor=principal.actor
    )
    return _registered(state, background, book, principal.actor)


@router.get(
    "/books", response_model=BooksResponse, summary="Registered books", responses=errors(401, 403)
)
def list_books(state: State, _reviewer: ReviewRole) -> BooksResponse:
    return BooksResponse(books=books.list_books(state.db))


@router.delete(
    "/books/{name}",
    response_model=books.Book,
    summary="Remove a book and its stored hits",
    responses=errors(401, 403, 404),
)
def remove_book(name: str, state: State, principal: AdminRole) -> books.Book:
    return books.remove(state.db, name, principal.actor)


@router.post(
    "/rescreens",
    response_model=rescreen.Run,
    status_code=202,
    summary="Re-screen every book (or the named ones) now",
    responses=errors(401, 403, 404, 422, 503),
)
def start_rescreen(
    state: State,
    background: BackgroundTasks,
    principal: AdminRole,
    book: Annotated[list[str] | None, Query(max_length=100)] = None,
) -> rescreen.Run:
    run, job = state.begin_rescreen(trigger=f"requested by {principal.actor}", books=book)
    background.add_task(job)
    return run


@router.get(
    "/rescreens",
    response_model=RunsResponse,
    summary="Recent rescreen runs",
    responses=errors(401, 403),
)
def list_runs(
    state: State, _reviewer: ReviewRole, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> RunsResponse:
    return RunsResponse(runs=rescreen.list_runs(state.db, limit))


@router.get(
    "/rescreens/{run_id}",
    response_model=rescreen.Run,
    summary="One rescreen run",
    responses=errors(401, 403, 404),
)
def get_run(run_id: str, state: State, _reviewer: ReviewRole) -> rescreen.Run:
    return rescreen.get_run(state.db, run_id)


@router.get(
    "/alerts",
    response_model=rescreen.AlertPage,
    summary="Subjects with new, changed or removed hits after rescreens",
    responses=errors(401, 403, 422),
)
def list_alerts(
    state: State,
    _reviewer: ReviewRole,
    run: Annotated[str | None, Query(max_length=32)] = None,
    book: Annotated[str | None, Query(max_length=100)] = None,
    kind: Literal["new", "changed", "removed"] | None = None,
    subject_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> rescreen.AlertPage:
    return rescreen.list_alerts(
        state.db,
        run_id=run,
        book=book,
        kind=kind,
        subject_id=subject_id,
        limit=limit,
        offset=offset,
    )
