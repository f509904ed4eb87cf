"""Errors the Spark screening engine raises on purpose.

Hierarchy::

    DprkwatchError
    ├── InputError
    │   └── SparkInputError   a DataFrame or path that cannot be screened as a whole (no
    │                         ``id`` column, a column of the wrong type, a missing input,
    │                         an output that already exists); raised before any job runs
    ├── ConfigError
    │   └── SparkUnavailable  pyspark or Java missing, or Spark cannot start
    ├── NotFoundError
    │   └── NoActiveLists     the data directory has no active snapshot to screen against
    └── SparkJobFailed        a job failed on the cluster (a task could not run at all)

A bad *row* is not an exception: its ``error`` column says what is wrong and
the job goes on.
"""

from __future__ import annotations

from dprkwatch.exceptions import ConfigError, DprkwatchError, InputError, NotFoundError


class SparkInputError(InputError):
    """A DataFrame, input or output path that cannot be used; found before any job starts."""


class SparkUnavailable(ConfigError):
    """Spark cannot run here (pyspark not installed, no Java, the JVM failed to start)."""


class NoActiveLists(NotFoundError):
    """No list snapshot is active, so there is no index to ship to the executors."""


class SparkJobFailed(DprkwatchError):
    """A Spark job failed as a whole (a worker could not import dprkwatch, an executor died, ...).

    Carries the last line of the failure Spark reports (the Python
    exception of the task, or the JVM's message), not the page of JVM
    stack Spark prints around it.
    """

    exit_code = 5
