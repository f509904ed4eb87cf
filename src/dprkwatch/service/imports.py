"""Importing lists as one recorded decision: what was read, what became active, what is owed.

``dprkwatch lists import`` and ``POST /lists/import`` both come here. The
files are parsed and stored as snapshots; then, holding the data
directory's lock,

1. :mod:`dprkwatch.lists.activation` decides which versions may become
   active (never an older one, never one that lost more than
   ``DPRKWATCH_MAX_LIST_DROP`` of its entries, unless forced);
2. one database transaction records the ``lists.import`` audit record (the
   versions imported, activated and refused, and by whom - ``cli`` for the
   command line) and, when the active lists change and books are
   registered, a **pending** rescreen run;
3. only then is ``active.json`` replaced.

A crash between 2 and 3 leaves a pending run over lists that did not
change (harmless: it finds nothing new); a crash before 2 leaves nothing
active and nothing recorded. Either way no activation goes unrecorded and no
rescreen it calls for is lost: the service takes pending runs up when it
starts and whenever it loads new lists.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dprkwatch.exceptions import DprkwatchError
from dprkwatch.lists import SnapshotStore, activation, import_paths
from dprkwatch.lists.exceptions import ActivationRefused
from dprkwatch.lists.snapshot import Manifest
from dprkwatch.settings import Settings

if TYPE_CHECKING:
    # The database, audit and rescreen modules load SQLAlchemy, Alembic and the
    # matching engine. ``import_for`` loads them while the parser workers parse,
    # not before the workers are forked (see its docstring).
    from dprkwatch.service.rescreen import Run
    from dprkwatch.service.storage.database import Database


@dataclass(frozen=True)
class ImportOutcome:
    """The versions imported, the active versions afterwards, and the rescreen they call for."""

    manifests: list[Manifest]
    active: dict[str, str]
    rescreen_run: Run | None


def import_lists(
    store: SnapshotStore,
    db: Database | Callable[[], Database],
    paths: Sequence[Path],
    *,
    actor: str,
    fmt: str | None = None,
    formats: Sequence[str | None] | None = None,
    published: date | None = None,
    activate: bool = True,
    force: bool = False,
    max_drop: float = activation.DEFAULT_MAX_DROP,
    rescreen_books: bool = True,
    progress: Callable[[Path], None] | None = None,
    on_refused: Callable[[Path, DprkwatchError], None] | None = None,
    kind: str = "lists.import",
) -> ImportOutcome:
    """Import ``paths``, record it, activate what may be activated; see the module docstring.

    ``db`` may be a function that opens it: it is then called while the
    files are parsed (see :func:`import_for`).

    Raises :class:`ActivationRefused` (after recording the import) when a
    version may not be activated; nothing of the batch is then activated.
    """
    connected: list[Database] = []

    def meanwhile() -> None:
        # While the parser workers parse (see import_for): the database, and
        # the recording modules (the audit's books load the matching engine).
        connected.append(db() if callable(db) else db)
        importlib.import_module("dprkwatch.service.audit")
        importlib.import_module("dprkwatch.service.rescreen")

    manifests = import_paths(
        store,
        paths,
        fmt=fmt,
        formats=formats,
        published=published,
        activate=False,
        progress=progress,
        on_refused=on_refused,
        meanwhile=meanwhile,
    )
    from dprkwatch.service import audit, rescreen
    from dprkwatch.service.audit import AuditEntry

    with store.lock():
        before = store.active_versions()
        decisions = activation.decide(
            activation.newest(manifests).values(),
            store.active_manifests(),
            force=force,
            max_drop=max_drop,
        )
        refused = activation.refusal(decisions) if activate else None
        chosen = (
            {d.manifest.list_name: d.manifest.version for d in decisions}
            if activate and refused is None
            else {}
        )
        after = {**before, **chosen}
        run = None
        with connected[0].write() as conn:
            audit.append(
                conn,
                [
                    AuditEntry(
                        kind,
                        actor,
                        {
                            "imported": [m.to_dict() for m in manifests],
                            "activated": chosen,
                            "refused": [
                                {"version": d.ref, "reason": d.reason}
                                for d in decisions
                                if activate and not d.activate
                            ],
                            "forced": force,
                            "active": after,
                        },
                    )
                ],
            )
            if rescreen_books and after != before:
                run = rescreen.record_pending(conn, trigger=f"{kind} by {actor}", versions=after)
        if chosen:
            store.activate(chosen)
    if refused is not None:
        raise ActivationRefused(refused)
    return ImportOutcome(manifests, after, run)


def import_for(
    settings: Settings, store: SnapshotStore, paths: Sequence[Path], *, actor: str, **options: Any
) -> ImportOutcome:
    """:func:`import_lists` with the database ``settings`` name, migrated, opened and closed.

    The database is opened and migrated while the parser workers parse: its
    modules (SQLAlchemy, Alembic, the audit and rescreen code) and the
    migration took about a second of one core in front of the workers' fork,
    on the wall-clock path of every ``lists import``. A database that cannot
    be opened still fails the import, and the batch's snapshots are removed.
    """
    opened: list[Database] = []

    def connect() -> Database:
        from dprkwatch.service.storage import migrate
        from dprkwatch.service.storage.database import Database

        db = Database.for_settings(settings)
        opened.append(db)
        migrate.upgrade(db)
        return db

    options.setdefault("max_drop", settings.max_list_drop)
    try:
        return import_lists(store, connect, paths, actor=actor, **options)
    finally:
        for db in opened:
            db.close()
