"""Everything one service process holds: settings, database, index, writer, key checker, analyses.

Built by :func:`dprkwatch.service.api.app.create_app`; started and stopped by
the app's lifespan. Routers reach it through ``deps.State``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dprkwatch.lists import SnapshotStore
from dprkwatch.private import private_dir
from dprkwatch.service import audit, rescreen
from dprkwatch.service.algorithms import Algorithms
from dprkwatch.service.analyses import Analyses
from dprkwatch.service.api.lanes import Lanes
from dprkwatch.service.api.server_paths import ServerPaths
from dprkwatch.service.bulk import BulkWorker
from dprkwatch.service.committer import GroupCommitter
from dprkwatch.service.exceptions import Unavailable
from dprkwatch.service.index import LiveIndex
from dprkwatch.service.keys import KeyVerifier
from dprkwatch.service.rescreen import Run
from dprkwatch.service.screening import Candidates, Screening, unit
from dprkwatch.service.storage import Database, migrate
from dprkwatch.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class ServiceState:
    settings: Settings
    db: Database
    store: SnapshotStore
    index: LiveIndex
    committer: GroupCommitter
    verifier: KeyVerifier
    analyses: Analyses
    server_paths: ServerPaths
    lanes: Lanes
    algorithms: Algorithms = field(default_factory=Algorithms)
    # Serialise list imports, and rescreen runs, inside this process.
    import_lock: threading.Lock = field(default_factory=threading.Lock)
    rescreen_lock: threading.Lock = field(default_factory=threading.Lock)
    # When the database last answered /readyz (monotonic seconds).
    db_checked_at: float = float("-inf")
    _resuming: threading.Lock = field(default_factory=threading.Lock)
    _resume_again: bool = False

    @classmethod
    def build(cls, settings: Settings) -> ServiceState:
        private_dir(settings.home)
        db = Database.for_settings(settings)
        store = SnapshotStore(settings.home, lock_timeout=settings.lock_timeout)
        algorithms = Algorithms()
        worker = (
            BulkWorker(settings.home, settings.list_age_days) if settings.bulk_process else None
        )
        return cls(
            settings=settings,
            db=db,
            store=store,
            index=LiveIndex(store, max_age_days=settings.list_age_days),
            committer=GroupCommitter(db),
            verifier=KeyVerifier(db, ttl=settings.key_ttl, bootstrap_key=settings.admin_key),
            analyses=Analyses(settings),
            server_paths=ServerPaths(settings.import_dirs, settings.max_file_bytes),
            lanes=Lanes(
                settings.screen_threads,
                settings.key_concurrency,
                settings.key_queue,
                algorithms=algorithms,
                worker=worker,
            ),
            algorithms=algorithms,
        )

    def start(
        self,
        *,
        migrate_db: bool = True,
        load_index: bool = True,
        wait_for_index: bool = False,
        warm_algorithms: bool = False,
    ) -> None:
        if migrate_db:
            migrate.upgrade(self.db)
            audit.begin_signing(self.db, "service")
            # A run whose process died is interrupted (and resumed once the index is loaded).
            rescreen.interrupt_stale(self.db, lone=self.settings.workers <= 1)
        self.committer.start()
        if warm_algorithms:
            self.algorithms.start_warm_up()
        if load_index:
            # Every index load (at start-up, and after an import by anyone) takes up
            # the rescreens that are pending or were interrupted, and has the bulk
            # screening process (if it runs) load the same lists.
            self.index.on_load = lambda _loaded: self._loaded()
            if wait_for_index:
                try:
                    self.index.load()
                except Exception:  # serve anyway: /readyz reports it and the loader retries
                    log.exception("loading the screening index at start-up failed")
            self.index.start()

    def _loaded(self) -> None:
        self.resume_rescreens()
        if self.lanes.worker is not None:
            self.lanes.worker.reloaded()

    async def record(self, batch: Sequence[Candidates]) -> list[Screening]:
        """Commit the screenings of ``batch`` to the audit log; what was committed.

        The one way a screening route (``/match``, ``/reconcile``) gets its
        answer: a screening whose record is not committed is never answered,
        so any failure to write becomes a 503 (:class:`Unavailable`).
        """
        try:
            return await self.committer.write(unit(batch))
        except Unavailable:
            raise
        except Exception as exc:
            log.exception("audit write failed")
            raise Unavailable(
                "the screening could not be recorded in the audit log, so no result is given"
            ) from exc

    def begin_rescreen(
        self, *, trigger: str, books: list[str] | None = None
    ) -> tuple[Run, Callable[[], None]]:
        """Record a rescreen run now; returns it and the job that performs it (run it in the background)."""
        loaded = self.index.current()
        run = rescreen.start(self.db, loaded, trigger=trigger, book_names=books)

        def job() -> None:
            with self.rescreen_lock:
                try:
                    rescreen.execute(self.db, loaded, run)
                except Exception:  # the run row says "failed" and why
                    log.exception("rescreen run %s failed", run.id)

        return run, job

    def resume_rescreens(self) -> None:
        """Take up pending and interrupted runs, on a background thread (one at a time)."""
        if not self._resuming.acquire(blocking=False):
            self._resume_again = True
            return
        threading.Thread(target=self._resume, name="rescreen-resume", daemon=True).start()

    def _resume(self) -> None:
        try:
            while True:
                self._resume_again = False
                for run in rescreen.resumable(self.db):
                    loaded = self.index.current()
                    claimed = rescreen.claim(self.db, run.id, loaded)
                    if claimed is None:  # another worker took it
                        continue
                    log.info("resuming rescreen run %s (%s)", run.id, run.status)
                    with self.rescreen_lock:
                        try:
                            rescreen.execute(self.db, loaded, claimed)
                        except Exception:  # the run row says "failed" and why
                            log.exception("rescreen run %s failed", run.id)
                if not self._resume_again:
                    return
        except Exception:  # the database or index is not there yet: the next load retries
            log.exception("resuming rescreen runs failed")
        finally:
            self._resuming.release()
        if self._resume_again:  # asked for while this pass was finishing
            self.resume_rescreens()

    def stop(self) -> None:
        self.lanes.close()
        self.index.stop()
        self.committer.close()
        self.db.close()
