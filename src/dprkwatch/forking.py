"""When this process may fork a worker, and what every forked child does first.

Several steps (list import, index build, the index cache writer, batch
screening) fork children that start with every module and table already
loaded. Forking a process that runs other threads can deadlock the child (a
lock another thread held is copied locked), so they all ask
:func:`fork_is_safe` first and otherwise do the work in-process.

A forked child also inherits every open file of its parent, and with them
the parent's ``flock`` locks: such a lock lasts until the *last* process
holding the file closes it. A worker that outlived an import killed with
``kill -9`` therefore kept the data directory locked for good, and every
later import hung. So once this module is imported, every child forked from
the process, by whatever means (``multiprocessing``, ``concurrent.futures``,
``os.fork``), runs :func:`_in_child` before anything else:

* it asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``
  on Linux, through ``prctl``), and exits at once if the parent is already
  gone;
* it points the descriptors registered with :func:`parent_only` (the lock
  files) at ``/dev/null``, so the child never holds its parent's locks.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1
# fd -> (device, inode) of the file it was registered for: a number closed
# and reused for something else (a pipe to a worker) must not be touched.
_parent_only: dict[int, tuple[int, int]] = {}
_registry_lock = threading.Lock()
_forking_pid = 0


def fork_is_safe() -> bool:
    """Whether a child may be forked: a single-threaded process with fork, on several CPUs."""
    return (
        threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
        and (os.cpu_count() or 1) > 1
    )


def parent_only(fd: int) -> None:
    """Keep ``fd`` out of every child forked from now on (until :func:`release` or its close)."""
    info = os.fstat(fd)
    with _registry_lock:
        _parent_only[fd] = (info.st_dev, info.st_ino)


def release(fd: int) -> None:
    """Forget ``fd`` (call before closing it)."""
    with _registry_lock:
        _parent_only.pop(fd, None)


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; ``False`` where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _before_fork() -> None:
    global _forking_pid
    _forking_pid = os.getpid()


def _in_child() -> None:
    die_with_parent()
    if os.getppid() != _forking_pid:  # the parent died before the request took effect
        os._exit(1)
    fds = dict(_parent_only)
    _parent_only.clear()
    if not fds:
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd, identity in fds.items():
            try:
                info = os.fstat(fd)
            except OSError:
                continue
            if (info.st_dev, info.st_ino) != identity:
                continue  # closed since, and the number reused for something else
            # dup2 rather than close: the number stays valid for any Python
            # file object that still refers to it, but no longer to the lock.
            with contextlib.suppress(OSError):
                os.dup2(null, fd, inheritable=False)
    finally:
        os.close(null)


os.register_at_fork(before=_before_fork, after_in_child=_in_child)


def pid_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
