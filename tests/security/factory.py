"""Builders the security tests share: processes on this machine, generated list files."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from tests.conftest import REPO


def children_of(pid: int) -> set[int]:
    """Every live process whose parent is ``pid`` (from ``/proc``)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ')'.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def wait_for(check: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()


def kill_all(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def dprkwatch(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``dprkwatch --data-dir home ARGS`` as a separate process (stdout and stderr piped)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DPRKWATCH_")}
    return subprocess.Popen(
        [sys.executable, "-m", "dprkwatch", "--data-dir", str(home), *args],
        cwd=REPO,
        env={**base, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def write_ftm_list(path: Path, dataset: str, entities: int) -> Path:
    """An FtM JSON-lines list of ``entities`` people (slow enough to parse to be caught mid-import)."""
    with path.open("wb") as fh:
        for i in range(entities):
            entity = {
                "id": f"{dataset}-{i}",
                "schema": "Person",
                "properties": {"name": [f"Person {dataset} {i} Kim"], "alias": [f"Alias {i}"]},
                "datasets": [dataset],
            }
            fh.write(orjson.dumps(entity) + b"\n")
    return path
