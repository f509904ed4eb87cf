"""The process that screens big batches, so that they cannot starve the serving process.

Python runs one thread of a process at a time. While a big ``/match`` batch
screened on a thread of the bulk lane, it held the interpreter for most of
every switch interval, and ``/readyz`` and single screenings on the quick
lane waited for their share: on an idle machine their 99th percentile was
343 ms and 446 ms while the heaviest allowed batch ran. So the bulk lane
hands each query of a big batch to a process of its own (``DPRKWATCH_BULK_PROCESS``,
on by default), which has its own interpreter:

* it is started with ``spawn`` (a fresh interpreter), not ``fork``: the
  serving process runs threads (the event loop, the lanes, the audit
  writer, the index loader), and a child forked from such a process can
  deadlock on a lock another thread held (see :mod:`dprkwatch.forking`).
  The price is a second index of the active lists in memory, built by the
  process itself (seconds);
* it is started by the first request for the bulk lane, and loads the lists
  again whenever the serving process does (an activation by anyone). A
  query is sent to it only when it holds the same list versions as the
  index the request was read against; until then (start-up, a reload, a
  restart) the bulk lane screens on its thread as before - slower for
  everyone else, never different;
* only the scoring moves: the serving process reads the request, commits
  the audit records (``ServiceState.record``) and builds the answer, so a
  screening is answered only once its record is durable, whoever scored it;
* when the process dies (killed, out of memory) every request it was
  screening for fails with 503 - none of its screenings had been recorded
  or answered - and the process is started again. A query that fails in
  the process (bad input) is screened again on the thread, where it fails
  with its own error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from dprkwatch.forking import die_with_parent, pid_exists
from dprkwatch.lists import SnapshotStore
from dprkwatch.service.algorithms import Algorithms
from dprkwatch.service.exceptions import Unavailable
from dprkwatch.service.index import LiveIndex
from dprkwatch.service.screening import Ask, Candidates

log = logging.getLogger(__name__)

Versions = dict[str, str]


class BulkWorker:
    """The serving process's handle on its screening process (one per serving process)."""

    def __init__(self, home: Path, max_age_days: int) -> None:
        self.home = home
        self.max_age_days = max_age_days
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._ready: Versions | None = None  # the list versions the process holds
        self._loading = False
        self._again = False  # a load was asked for while one ran
        self._closed = False
        self.pid: int | None = None  # set once the process has loaded the lists
        self.screened = 0  # queries the process screened (for tests and benchmarks)
        self.busy = 0  # queries sent to it and not answered yet
        self.restarts = 0

    def ready_for(self, versions: Versions) -> bool:
        """Whether the process holds an index of exactly these list versions."""
        return self._ready == versions

    def status(self, versions: Versions) -> str:
        """``ready`` (it holds these versions), ``loading``, or ``idle`` (not started yet)."""
        if self._ready == versions:
            return "ready"
        return "idle" if self._pool is None else "loading"

    def load(self) -> None:
        """Start the process if it is not running, and have it load the active lists."""
        with self._lock:
            if self._closed:
                return
            if self._loading:
                self._again = True
                return
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(str(self.home), self.max_age_days),
                )
            self._loading = True
            pool = self._pool
        try:
            done = pool.submit(_load)
        except RuntimeError:  # broken or shut down meanwhile
            self._lost(pool)
            return
        done.add_done_callback(partial(self._loaded, pool))

    def reloaded(self) -> None:
        """The serving process loaded other lists: the process follows, if it runs."""
        if self._pool is not None:
            self.load()

    def _loaded(self, pool: ProcessPoolExecutor, done: Future[tuple[int, Versions]]) -> None:
        with self._lock:
            self._loading = False
            again, self._again = self._again, False
        try:
            pid, versions = done.result()
        except BrokenProcessPool:
            self._lost(pool)
            return
        except Exception:  # the lists could not be loaded: the bulk lane keeps its thread
            log.exception("the bulk screening process could not load the lists")
        else:
            with self._lock:
                if self._pool is pool:
                    self.pid, self._ready = pid, versions
            log.info("bulk screening process %s holds %s", pid, _describe(versions))
        if again:
            self.load()

    async def screen(self, versions: Versions, ask: Ask) -> Candidates | None:
        """Screen ``ask`` in the process; None when it cannot (then screen it on a thread).

        ``versions`` are those of the index the request was read against:
        the process must hold the same ones, so that every query of a batch
        is screened against the lists its answer and audit record name.
        """
        with self._lock:
            pool = self._pool if self._ready == versions else None
            pid = self.pid
        if pool is None:
            self.load()
            return None
        if pid is not None and not _running(pid):
            # It died while idle and the pool has not noticed yet: nothing was
            # in its hands, so this query is screened on the thread, not failed.
            self._lost(pool)
            return None
        try:
            sent = pool.submit(_screen, versions, ask)
        except RuntimeError:  # it had died before this query was sent: nothing is lost
            self._lost(pool)
            return None
        self.busy += 1
        try:
            status, value = await asyncio.wrap_future(sent)
        except RuntimeError as exc:  # BrokenProcessPool, or shut down while waiting
            self._lost(pool)
            raise Unavailable(
                "the process screening big batches stopped; none of this request's "
                "screenings was recorded; retry (the process is being restarted)"
            ) from exc
        finally:
            self.busy -= 1
        if status == "ok":
            self.screened += 1
            result: Candidates = value
            return result
        if status == "stale":  # it loaded other lists meanwhile: catch up
            with self._lock:
                if self._pool is pool and self._ready == versions:
                    self._ready = None
            self.load()
        return None

    def _lost(self, pool: ProcessPoolExecutor) -> None:
        """The process died: start another at once if this one had loaded the lists (else
        at the next request for the bulk lane, so that one that cannot load them is not
        restarted in a loop)."""
        with self._lock:
            if self._pool is not pool:
                return
            had_loaded = self.pid is not None
            self._pool, self._ready, self.pid = None, None, None
            self._loading = False
            self.restarts += 1
        log.error("the bulk screening process stopped")
        pool.shutdown(wait=False, cancel_futures=True)
        if had_loaded:
            self.load()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, pid = self._pool, self.pid
            self._pool, self._ready, self.pid = None, None, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)


def _running(pid: int) -> bool:
    """Whether process ``pid`` still runs (a killed child not yet reaped is a zombie)."""
    if not Path("/proc/self").exists():  # no /proc: that the pid exists is all one can tell
        return pid_exists(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat.rsplit(b")", 1)[-1].split()[0] not in (b"Z", b"X")


def _describe(versions: Versions) -> str:
    return ", ".join(f"{k}@{v}" for k, v in sorted(versions.items())) or "no lists"


# -- in the screening process -------------------------------------------------


@dataclass
class _Held:
    index: LiveIndex
    algorithms: Algorithms


_held: _Held | None = None


def _start(home: str, max_age_days: int) -> None:
    """Set up the process: it dies with the serving process and holds its own index."""
    global _held
    die_with_parent()
    store = SnapshotStore(Path(home))
    index = LiveIndex(store, max_age_days=max_age_days, search=False)
    _held = _Held(index, Algorithms())


def _load() -> tuple[int, Versions]:
    assert _held is not None
    _held.index.reload_if_changed()
    return os.getpid(), dict(_held.index.current().versions)


def _screen(versions: Versions, ask: Ask) -> tuple[str, Any]:
    """("ok", candidates), or ("stale", None) / ("failed", why): the caller screens it itself."""
    assert _held is not None
    loaded = _held.index.current() if _held.index.ready else None
    if loaded is None or loaded.versions != versions:
        return "stale", None
    try:
        return "ok", ask.run(loaded, _held.algorithms)
    except Exception as exc:  # its own error is raised where it is screened again
        return "failed", f"{type(exc).__name__}: {exc}"
