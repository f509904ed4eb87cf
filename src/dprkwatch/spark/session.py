"""Starting and stopping a Spark session the way every dprkwatch engine needs it.

Two lessons from the maritime engine live here so that every Spark user in
dprkwatch gets them:

* A session started by dprkwatch runs in local mode by default, bound to
  127.0.0.1, with its web UI and console progress bar off: a test or a
  laptop run opens no port beyond loopback and prints nothing into a
  command's output.
* Python workers of a local session run the interpreter that started it,
  so code shipped to them (the screening task) imports the same dprkwatch.
* ``SparkSession.stop`` leaves the py4j gateway (a JVM and a Python thread
  watching it) running. Parts of dprkwatch fork (the list import, the
  index build, the index-cache writer) and refuse to while other threads
  run, so closing a session this process started also shuts the gateway
  down and waits for its threads. A session someone else started (a
  notebook, ``spark-submit``) is never stopped: ``getOrCreate`` hands it
  out, and its owner stops it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dprkwatch.exceptions import DprkwatchError

DEFAULT_MASTER = "local[2]"
# Errors only from the JVM of a local session: dprkwatch reports a failed job in one line.
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")


def start_session(
    app_name: str,
    error: type[DprkwatchError],
    *,
    master: str | None = DEFAULT_MASTER,
    driver_memory: str = "2g",
    shuffle_partitions: int = 8,
    conf: Mapping[str, str] | None = None,
) -> Any:
    """A Spark session (the running one if there is one; else a new one).

    ``master=None`` means ``local[2]``. A local session binds to loopback.
    ``conf`` adds or overrides settings (``spark.executor.instances``,
    ``spark.archives`` ...). Raises ``error`` with one line when pyspark is
    missing or Spark cannot start.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise error("the Spark engine needs pyspark: pip install 'dprkwatch[spark]'") from None
    master = master or DEFAULT_MASTER
    builder = SparkSession.builder.appName(app_name).master(master)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": driver_memory,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.sql.adaptive.enabled": "true",
    }
    if master.startswith("local"):
        # A session of its own on this machine: nothing listens beyond loopback.
        settings["spark.driver.host"] = "127.0.0.1"
        settings["spark.driver.bindAddress"] = "127.0.0.1"
        settings["spark.driver.extraJavaOptions"] = (
            f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"
        )
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # JVM missing, port clash, ...: the message is what the user needs
        raise error(f"Spark could not start: {_first_line(exc)}") from None
    session.sparkContext.setLogLevel("ERROR")
    if master.startswith("local"):
        # Python workers start from ``PYSPARK_PYTHON`` (default: the first
        # ``python3`` on PATH), which may lack dprkwatch; on this machine the
        # interpreter running now is the one that has it.
        session.sparkContext.pythonExec = sys.executable
    return session


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def spark_running() -> bool:
    """Whether this process already has an active SparkContext (then it is not ours)."""
    try:
        from pyspark import SparkContext
    except ImportError:
        return False  # start_session says what is missing
    return SparkContext._active_spark_context is not None


def stop_session(session: Any) -> None:
    """Stop a session this process started, and the JVM and py4j threads behind it."""
    session.stop()
    shutdown_gateway()


def shutdown_gateway() -> None:
    """Shut the py4j gateway down once no session uses it; a later session starts a fresh one."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None or SparkContext._active_spark_context is not None:
        return  # another session still uses it
    proc = getattr(gateway, "proc", None)
    try:
        gateway.shutdown()
    finally:
        SparkContext._gateway = None
        SparkContext._jvm = None
    if proc is not None:
        # pyspark's JVM exits when its stdin closes.
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # py4j's finalizer thread is told to stop by the shutdown; wait for it
    # so the caller really is single-threaded when this returns.
    for thread in threading.enumerate():
        if type(thread).__name__ == "FinalizerWorker":
            thread.join(timeout=10)
