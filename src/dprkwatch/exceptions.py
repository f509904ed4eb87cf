"""The root of every error dprkwatch raises on purpose.

Hierarchy (each package adds its own subclasses in its own ``exceptions``
module, so callers can catch a whole layer at once; the package trees are
drawn in those modules' docstrings)::

    DprkwatchError
    ├── InputError            bad user input: a file, a field, a value
    │   └── (lists.SourceError, ledger.LedgerValidationError, ledger.EventSourceError,
    │        matching.QueryError, maritime.AisInputError, arsenal.ParameterError,
    │        service.InvalidRequest, ...)
    ├── ConfigError           a setting that cannot be used
    │   └── (maritime.EngineError)
    ├── NotFoundError         something asked for by name does not exist
    │   └── (lists.SnapshotNotFound, matching.UnknownAlgorithm, service.RecordNotFound, ...)
    └── LockTimeout           another process held a lock longer than the caller would wait

The CLI turns any ``DprkwatchError`` into a one-line message and a non-zero
exit code; the HTTP service maps them to 4xx responses in one table. Anything
else that escapes is a bug and is allowed to show its traceback.
"""

from __future__ import annotations


class DprkwatchError(Exception):
    """Base class for errors that carry a message meant for the user."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(DprkwatchError):
    """Input that cannot be used: names the file or field and the problem."""

    exit_code = 2

    def __init__(
        self, message: str, *, source: str | None = None, where: str | None = None
    ) -> None:
        parts = [p for p in (source, where) if p]
        prefix = ":".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.source = source
        self.where = where
        self.problem = message


class ConfigError(DprkwatchError):
    """A setting (environment variable or option) that cannot be used."""

    exit_code = 3


class NotFoundError(DprkwatchError):
    """A named thing (snapshot, entity, dataset, parameter) does not exist."""

    exit_code = 4


class LockTimeout(DprkwatchError):
    """Another process held a lock for longer than the caller was willing to wait.

    Raised by :func:`dprkwatch.durable.locked`; ``holder`` is the process id
    the holder wrote into the lock file, when it could be read.
    """

    exit_code = 5

    def __init__(self, message: str, *, holder: int | None) -> None:
        super().__init__(message)
        self.holder = holder
