"""Delta screening: re-screen registered books, alert only on what is new or changed.

After a list import every subject of every book is screened again. Each
subject's hits (entity id, entity content hash, score) are compared with
the hits stored from its previous screening:

``new``      a listed entity is a hit now and was not before (a new
             designation, a new alias that now matches, or the book's first
             screening);
``changed``  still a hit, but the list entry's content changed (the alert
             lists the properties that changed);
``removed``  no longer a hit: the entry was delisted or no longer scores as
             a match. Hits suppressed by a false-positive review do not
             alert - a reviewer already decided them.

Score movements alone do not alert. Every subject screened is written to
the audit log as a screening record (actor ``rescreen:<run id>``), in the
same transaction as its alerts, its new stored hits, the run's counts and
its cursor (the book and subject it got to), so a run that is killed half
way has counts that are exactly what was committed, and resumes after its
cursor.

A run's life: ``pending`` (recorded in the same transaction as the list
activation that calls for it, so a crash between the two cannot lose it),
``running`` (claimed by one process, named in ``owner``), then ``done`` or
``failed``; a run whose owner died is ``interrupted``. Pending and
interrupted runs are taken up again (:func:`resumable`, :func:`claim`) when
the service starts and whenever it loads new lists, and by ``dprkwatch
rescreen``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from dprkwatch.forking import pid_exists
from dprkwatch.service import audit, books
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.datasets import get_dataset, select_lists
from dprkwatch.service.exceptions import RecordNotFound
from dprkwatch.service.index import Loaded
from dprkwatch.service.screening import Filters, Screening, save, screen
from dprkwatch.service.storage.database import Database
from dprkwatch.service.storage.tables import alerts, rescreen_runs
from dprkwatch.service.storage.tables import books as books_table

PER_SUBJECT = 10
ALERT_KINDS = ("new", "changed", "removed")


class Run(BaseModel):
    """One rescreen run: what it screened, against which versions, and how it ended."""

    model_config = ConfigDict(frozen=True)

    id: str
    trigger: str
    books: list[str]
    versions: dict[str, str]
    algorithm: str
    status: str
    started_at: str
    finished_at: str | None
    subjects: int
    alerts: int
    error: str | None
    cursor: dict[str, str] | None = None
    owner: str | None = None


class Alert(BaseModel):
    """A subject whose hits changed in a rescreen: a new, changed or removed hit."""

    model_config = ConfigDict(frozen=True)

    id: int
    run_id: str
    book: str
    subject_id: str
    entity_id: str
    kind: Literal["new", "changed", "removed"]
    score: float | None
    caption: str
    detail: dict[str, Any]
    created_at: str


class AlertPage(BaseModel):
    """A page of alerts and how many match the filters in all (also the ``/alerts`` answer)."""

    alerts: list[Alert]
    total: int


def _run(row: Any) -> Run:
    return Run(
        id=row.id, trigger=row.trigger, books=orjson.loads(row.books),
        versions=orjson.loads(row.versions), algorithm=row.algorithm, status=row.status,
        started_at=row.started_at, finished_at=row.finished_at, subjects=int(row.subjects),
        alerts=int(row.alerts), error=row.error,
        cursor=orjson.loads(row.cursor) if row.cursor else None, owner=row.owner,
    )  # fmt: skip


# -- who runs a run -----------------------------------------------------------------


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), to tell it from a later one with its pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def owner_id() -> str:
    """This process, as a run's ``owner``: host, pid and start time."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_started(pid) or '?'}"


def owner_alive(owner: str | None) -> bool | None:
    """Whether the process named by ``owner`` still runs (``None``: on another host, cannot tell)."""
    if not owner:
        return None
    host, _, rest = owner.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    now = _started(pid)
    if now is not None:
        return started in ("?", now)
    return pid_exists(pid)


def _values(run: Run) -> dict[str, Any]:
    return {
        **run.model_dump(),
        "books": orjson.dumps(run.books).decode(),
        "versions": orjson.dumps(run.versions).decode(),
        "cursor": orjson.dumps(run.cursor).decode() if run.cursor else None,
    }


def start(
    db: Database, loaded: Loaded, *, trigger: str, book_names: list[str] | None = None
) -> Run:
    """Record a new run (status ``running``, owned by this process) over the named books, or all."""
    names = sorted(book_names) if book_names else [b.name for b in books.list_books(db)]
    for name in names:
        books.get(db, name)
    run = Run(
        id=audit.new_id(), trigger=trigger, books=names, versions=dict(loaded.versions),
        algorithm=loaded.algorithm, status="running", started_at=audit.now_iso(),
        finished_at=None, subjects=0, alerts=0, error=None, owner=owner_id(),
    )  # fmt: skip
    with db.write() as conn:
        conn.execute(insert(rescreen_runs).values(**_values(run)))
    return run


def record_pending(
    conn: Connection, *, trigger: str, versions: Mapping[str, str], algorithm: str = ""
) -> Run:
    """Inside a write transaction: a ``pending`` run over every registered book.

    Written in the transaction that records a list activation, so the
    rescreen the new lists call for cannot be lost between the two.
    """
    names = [r.name for r in conn.execute(select(books_table.c.name).order_by(books_table.c.name))]
    run = Run(
        id=audit.new_id(), trigger=trigger, books=names, versions=dict(versions),
        algorithm=algorithm, status="pending", started_at=audit.now_iso(), finished_at=None,
        subjects=0, alerts=0, error=None,
    )  # fmt: skip
    conn.execute(insert(rescreen_runs).values(**_values(run)))
    return run


def resumable(db: Database) -> list[Run]:
    """Runs waiting to be taken up: pending ones and interrupted ones, oldest first."""
    with db.read() as conn:
        rows = conn.execute(
            select(rescreen_runs)
            .where(rescreen_runs.c.status.in_(["pending", "interrupted"]))
            .order_by(rescreen_runs.c.started_at)
        )
        return [_run(r) for r in rows]


def claim(db: Database, run_id: str, loaded: Loaded) -> Run | None:
    """Take a pending or interrupted run for this process (``None`` if someone else did)."""
    with db.write() as conn:
        result = conn.execute(
            update(rescreen_runs)
            .where(
                rescreen_runs.c.id == run_id,
                rescreen_runs.c.status.in_(["pending", "interrupted"]),
            )
            .values(
                status="running",
                owner=owner_id(),
                versions=orjson.dumps(dict(loaded.versions)).decode(),
                algorithm=loaded.algorithm,
                finished_at=None,
                error=None,
            )
        )
        if not result.rowcount:
            return None
        row = conn.execute(select(rescreen_runs).where(rescreen_runs.c.id == run_id)).one()
    return _run(row)


def execute(
    db: Database, loaded: Loaded, run: Run, *, progress: Callable[[int], None] | None = None
) -> Run:
    """Screen the run's books from its cursor on; write records, hits, alerts, counts and the
    cursor page by page, in one transaction each."""
    cursor = dict(run.cursor or {})
    try:
        for name in run.books:
            if cursor.get("book") and name < cursor["book"]:
                continue  # done before the run was interrupted
            after = cursor.get("after", "") if name == cursor.get("book") else ""
            try:
                book = books.get(db, name)
            except RecordNotFound:
                continue  # removed since the run was recorded
            ds = get_dataset(book.dataset, loaded.versions)
            lists = select_lists(ds, loaded.versions)
            with db.read() as conn:
                pages = list(books.iter_subjects(conn, name, after=after))
            for page in pages:
                _screen_page(db, loaded, run, name, ds.name, ds.dprk_only, lists, page)
                if progress is not None:
                    progress(len(page))
    except Exception as exc:
        _finish(db, run, "failed", f"{type(exc).__name__}: {exc}")
        raise
    return _finish(db, run, "done", None)


def _screen_page(
    db: Database, loaded: Loaded, run: Run, name: str, dataset: str, dprk_only: bool,
    lists: list[str], page: list[tuple[str, Any]],
) -> None:  # fmt: skip
    batch = [
        screen(
            loaded,
            q,
            dataset=dataset,
            lists=lists,
            dprk_only=dprk_only,
            limit=PER_SUBJECT,
            threshold=None,
            filters=Filters(),
            actor=f"rescreen:{run.id}",
            caller={"rescreen": run.id, "trigger": run.trigger, "book": name, "subject_id": sid},
        )
        for sid, q in page
    ]
    with db.write() as conn:
        saved = save(conn, batch)
        previous = books.previous_hits(conn, name, [sid for sid, _q in page])
        rows: list[dict[str, Any]] = []
        for (sid, _q), screening in zip(page, saved, strict=True):
            hits, new_alerts = _compare(loaded, screening, previous[sid])
            books.replace_hits(conn, name, sid, hits)
            ts = screening.record.ts
            rows.extend(
                {"run_id": run.id, "book": name, "subject_id": sid, "created_at": ts, **alert}
                for alert in new_alerts
            )
        if rows:
            conn.execute(insert(alerts), rows)
        # The counts and the cursor commit with the page: an interrupted run's
        # counts are what it committed, and it resumes after the last subject.
        cursor = orjson.dumps({"book": name, "after": page[-1][0]}).decode()
        conn.execute(
            update(rescreen_runs)
            .where(rescreen_runs.c.id == run.id)
            .values(
                subjects=rescreen_runs.c.subjects + len(page),
                alerts=rescreen_runs.c.alerts + len(rows),
                cursor=cursor,
            )
        )


def _finish(db: Database, run: Run, status: str, error: str | None) -> Run:
    with db.write() as conn:
        conn.execute(
            update(rescreen_runs)
            .where(rescreen_runs.c.id == run.id)
            .values(status=status, finished_at=audit.now_iso(), error=error)
        )
        done = _run(conn.execute(select(rescreen_runs).where(rescreen_runs.c.id == run.id)).one())
        by_kind = dict.fromkeys(ALERT_KINDS, 0)
        for kind, count in conn.execute(
            select(alerts.c.kind, func.count())
            .where(alerts.c.run_id == run.id)
            .group_by(alerts.c.kind)
        ):
            by_kind[kind] = int(count)
        audit.append(
            conn,
            [
                AuditEntry(
                    "rescreen",
                    f"rescreen:{run.id}",
                    {**done.model_dump(exclude={"cursor", "owner"}), "alerts_by_kind": by_kind},
                    ref=run.id,
                )
            ],
        )
    return done


def _entity_doc(entity: Mapping[str, Any] | None, caption: str, schema: str) -> dict[str, Any]:
    props = (entity or {}).get("properties", {})
    return {
        "caption": caption,
        "schema": schema,
        "properties": {k: sorted(map(str, v)) for k, v in props.items()},
    }


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    a, b = old.get("properties", {}), new.get("properties", {})
    out = {}
    for prop in sorted(set(a) | set(b)):
        va, vb = set(a.get(prop, [])), set(b.get(prop, []))
        if va != vb:
            out[prop] = {"added": sorted(vb - va), "removed": sorted(va - vb)}
    return out


def _compare(
    loaded: Loaded, screening: Screening, previous: Mapping[str, Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The hits to store for a subject, and the alerts that differ from ``previous``."""
    outcome = screening.outcome
    hits: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    current: set[str] = set()
    for r in outcome.hits:
        hit, digest = r.hit, r.entity_hash
        doc = _entity_doc(r.entity, hit["caption"], hit["schema"])
        current.add(r.entity_id)
        hits.append({"entity_id": r.entity_id, "entity_hash": digest or "", "score": hit["score"],
                     "entity": orjson.dumps(doc).decode()})  # fmt: skip
        before = previous.get(r.entity_id)
        base = {"entity_id": r.entity_id, "score": hit["score"], "caption": hit["caption"]}
        if before is None:
            first = {"screening_id": outcome.screening_id, "explanation": hit["explanation"][:5]}
            found.append({**base, "kind": "new", "detail": orjson.dumps(first).decode()})
        elif before["entity_hash"] != (digest or ""):
            detail: dict[str, Any] = {
                "screening_id": outcome.screening_id,
                "previous_score": before["score"],
                "changes": _changes(orjson.loads(before["entity"]), doc),
            }
            found.append({**base, "kind": "changed", "detail": orjson.dumps(detail).decode()})
    suppressed = {r.entity_id for r, _review in outcome.suppressed}
    for entity_id, before in previous.items():
        if entity_id in current or entity_id in suppressed:
            continue
        old = orjson.loads(before["entity"])
        delisted = loaded.entity(entity_id) is None
        detail = {
            "screening_id": outcome.screening_id,
            "previous_score": before["score"],
            "reason": "no longer on the lists screened"
            if delisted
            else "no longer scores as a match",
        }
        found.append({"entity_id": entity_id, "score": None, "caption": old.get("caption", ""),
                      "kind": "removed", "detail": orjson.dumps(detail).decode()})  # fmt: skip
    return hits, found


# -- reading runs and alerts ---------------------------------------------------


def get_run(db: Database, run_id: str) -> Run:
    with db.read() as conn:
        row = conn.execute(select(rescreen_runs).where(rescreen_runs.c.id == run_id)).first()
    if row is None:
        raise RecordNotFound(f"no rescreen run with id {run_id!r}")
    return _run(row)


def list_runs(db: Database, limit: int = 50) -> list[Run]:
    with db.read() as conn:
        rows = conn.execute(
            select(rescreen_runs).order_by(rescreen_runs.c.started_at.desc()).limit(limit)
        )
        return [_run(r) for r in rows]


def interrupt_stale(db: Database, *, lone: bool = False) -> int:
    """Mark ``running`` runs whose process died as ``interrupted`` (their counts stay as committed).

    A run names its owner (host, pid, start time); one owned by a process of
    this host that no longer runs is interrupted. A run without an owner (from
    before owners were recorded) is interrupted only when ``lone``: a single
    process that knows it is the only one.
    """
    interrupted = 0
    with db.write() as conn:
        rows = conn.execute(
            select(rescreen_runs.c.id, rescreen_runs.c.owner).where(
                rescreen_runs.c.status == "running"
            )
        ).all()
        for run_id, owner in rows:
            alive = owner_alive(owner)
            if alive is False or (owner is None and lone):
                conn.execute(
                    update(rescreen_runs)
                    .where(rescreen_runs.c.id == run_id)
                    .values(
                        status="interrupted",
                        finished_at=audit.now_iso(),
                        error="the process running it stopped",
                    )
                )
                interrupted += 1
    return interrupted


def list_alerts(
    db: Database,
    *,
    run_id: str | None = None,
    book: str | None = None,
    kind: str | None = None,
    subject_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> AlertPage:
    """Alerts, newest first, with the total matching the filters."""
    cond = []
    if run_id:
        cond.append(alerts.c.run_id == run_id)
    if book:
        cond.append(alerts.c.book == book)
    if kind:
        cond.append(alerts.c.kind == kind)
    if subject_id:
        cond.append(alerts.c.subject_id == subject_id)
    with db.read() as conn:
        total = conn.execute(select(func.count()).select_from(alerts).where(*cond)).scalar_one()
        rows = conn.execute(
            select(alerts).where(*cond).order_by(alerts.c.id.desc()).limit(limit).offset(offset)
        )
        out = [Alert(**{**r._mapping, "detail": orjson.loads(r.detail)}) for r in rows]
    return AlertPage(alerts=out, total=int(total))
