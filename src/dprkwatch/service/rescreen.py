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
same transaction as its alerts and its new stored hits, so a run that is
killed half way resumes cleanly: what was committed is consistent, and the
next run compares against it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, insert, select, update

from dprkwatch.service import audit, books
from dprkwatch.service.audit import AuditEntry
from dprkwatch.service.datasets import get_dataset, select_lists
from dprkwatch.service.exceptions import RecordNotFound
from dprkwatch.service.index import Loaded
from dprkwatch.service.screening import Filters, Screening, save, screen
from dprkwatch.service.storage.database import Database
from dprkwatch.service.storage.tables import alerts, rescreen_runs

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
    )  # fmt: skip


def start(
    db: Database, loaded: Loaded, *, trigger: str, book_names: list[str] | None = None
) -> Run:
    """Record a new run (status ``running``) over the named books, or all of them."""
    names = sorted(book_names) if book_names else [b.name for b in books.list_books(db)]
    for name in names:
        books.get(db, name)
    run = Run(
        id=audit.new_id(), trigger=trigger, books=names, versions=dict(loaded.versions),
        algorithm=loaded.algorithm, status="running", started_at=audit.now_iso(),
        finished_at=None, subjects=0, alerts=0, error=None,
    )  # fmt: skip
    with db.write() as conn:
        conn.execute(
            insert(rescreen_runs).values(
                **{
                    **run.model_dump(),
                    "books": orjson.dumps(names).decode(),
                    "versions": orjson.dumps(run.versions).decode(),
                }
            )
        )
    return run


def execute(
    db: Database, loaded: Loaded, run: Run, *, progress: Callable[[int], None] | None = None
) -> Run:
    """Screen every subject of the run's books; write records, hits and alerts page by page."""
    subjects = 0
    counts = dict.fromkeys(ALERT_KINDS, 0)
    try:
        for name in run.books:
            book = books.get(db, name)
            ds = get_dataset(book.dataset, loaded.versions)
            lists = select_lists(ds, loaded.versions)
            with db.read() as conn:
                pages = list(books.iter_subjects(conn, name))
            for page in pages:
                batch = [
                    screen(
                        loaded,
                        q,
                        dataset=ds.name,
                        lists=lists,
                        dprk_only=ds.dprk_only,
                        limit=PER_SUBJECT,
                        threshold=None,
                        filters=Filters(),
                        actor=f"rescreen:{run.id}",
                        caller={
                            "rescreen": run.id,
                            "trigger": run.trigger,
                            "book": name,
                            "subject_id": sid,
                        },
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
                        for alert in new_alerts:
                            counts[alert["kind"]] += 1
                            rows.append(
                                {
                                    "run_id": run.id,
                                    "book": name,
                                    "subject_id": sid,
                                    "created_at": ts,
                                    **alert,
                                }
                            )
                    if rows:
                        conn.execute(insert(alerts), rows)
                subjects += len(page)
                if progress is not None:
                    progress(len(page))
    except Exception as exc:
        _finish(db, run, "failed", subjects, counts, f"{type(exc).__name__}: {exc}")
        raise
    return _finish(db, run, "done", subjects, counts, None)


def _finish(
    db: Database, run: Run, status: str, subjects: int, counts: Mapping[str, int], error: str | None
) -> Run:
    done = run.model_copy(
        update={"status": status, "finished_at": audit.now_iso(), "subjects": subjects,
                "alerts": sum(counts.values()), "error": error}
    )  # fmt: skip
    with db.write() as conn:
        conn.execute(
            update(rescreen_runs)
            .where(rescreen_runs.c.id == run.id)
            .values(
                status=status,
                finished_at=done.finished_at,
                subjects=subjects,
                alerts=done.alerts,
                error=error,
            )
        )
        audit.append(
            conn,
            [
                AuditEntry(
                    "rescreen",
                    f"rescreen:{run.id}",
                    {**done.model_dump(), "alerts_by_kind": dict(counts)},
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


def interrupt_stale(db: Database) -> int:
    """Mark runs left ``running`` by a process that died as ``interrupted``."""
    with db.write() as conn:
        result = conn.execute(
            update(rescreen_runs)
            .where(rescreen_runs.c.status == "running")
            .values(
                status="interrupted",
                finished_at=audit.now_iso(),
                error="the process running it stopped",
            )
        )
    return int(result.rowcount or 0)


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
