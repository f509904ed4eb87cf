"""F3: workers of a killed import lived on (PPID 1) holding the data dir's lock; imports hung.

Now every forked worker dies with its parent and never holds the parent's
lock, and a writer that still finds the lock held gives up after
``DPRKWATCH_LOCK_TIMEOUT`` with a message naming the holder's pid.
"""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from dprkwatch.lists import SnapshotStore
from tests.conftest import FIXTURES
from tests.security.factory import (
    alive,
    children_of,
    dprkwatch,
    kill_all,
    wait_for,
    write_ftm_list,
)

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="imports fork only on 2+ CPUs")


def lock_is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_killing_an_import_frees_the_lock_and_its_workers(tmp_path: Path) -> None:
    files = [write_ftm_list(tmp_path / f"slow{t}.ftm.json", f"slow{t}", 20_000) for t in "ab"]
    home = tmp_path / "home"
    proc = dprkwatch(home, "lists", "import", *map(str, files))
    workers: set[int] = set()
    try:
        # Kill the import while its forked workers are parsing, with the lock held.
        assert wait_for(lambda: len(children_of(proc.pid)) >= 2, 60), proc.stderr
        workers = children_of(proc.pid)
        assert not lock_is_free(home / ".lock")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert wait_for(lambda: not any(alive(w) for w in workers), 5), (
            "workers outlived the import"
        )
        assert wait_for(lambda: lock_is_free(home / ".lock"), 5), "the lock outlived the import"
    finally:
        proc.kill()
        kill_all(workers)
    # Nothing was activated, and the next import starts and succeeds.
    assert SnapshotStore(home).active_versions() == {}
    again = dprkwatch(home, "lists", "import", str(FIXTURES / "lists" / "watch_v1.ftm.json"))
    _out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert list(SnapshotStore(home).active_versions()) == ["ftm_testwatch"]


def test_a_held_lock_times_out_naming_its_holder(tmp_path: Path) -> None:
    from dprkwatch.exceptions import LockTimeout

    holder = SnapshotStore(tmp_path / "home")
    waiter = SnapshotStore(tmp_path / "home", lock_timeout=0.3)
    taken, done = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.lock():
            taken.set()
            done.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        taken.wait(5)
        started = time.monotonic()
        with pytest.raises(LockTimeout) as caught, waiter.lock():
            pass
        assert time.monotonic() - started < 3
    finally:
        done.set()
        thread.join()
    message = str(caught.value)
    assert f"pid {os.getpid()}" in message and "DPRKWATCH_LOCK_TIMEOUT" in message
    assert "\n" not in message
    assert caught.value.holder == os.getpid()
