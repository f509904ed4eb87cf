"""When this process may fork a worker.

Several steps (list import, index build, the index cache writer) fork
children that start with every module and table already loaded. Forking a
process that runs other threads can deadlock the child (a lock another
thread held is copied locked), so they all ask here first and otherwise do
the work in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading


def fork_is_safe() -> bool:
    """Whether a child may be forked: a single-threaded process with fork, on several CPUs."""
    return (
        threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
        and (os.cpu_count() or 1) > 1
    )
