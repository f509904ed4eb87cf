"""Errors raised by the screening service, and the HTTP status each one means.

Hierarchy::

    DprkwatchError
    ├── InputError
    │   ├── (matching.QueryError  a /match query that cannot be screened)
    │   └── InvalidRequest        a request that does not match the API schema (422)
    ├── NotFoundError
    │   ├── UnknownDataset        /match/{dataset} names no dataset
    │   └── RecordNotFound        a screening, book, key or run id that does not exist
    ├── ServiceError              errors with no general counterpart
    │   ├── NotAuthenticated      no API key, or a key that is unknown or revoked
    │   ├── Forbidden             a valid key without the role the action needs
    │   ├── Conflict              the request contradicts stored state
    │   ├── TooManyRequests       over a limit for now: retry after ``retry_after`` seconds
    │   └── Unavailable           the database or the index cannot serve now
    │       └── DatabaseUnavailable
    └── AuditIntegrityError       ``audit verify`` found a broken chain

The library raises these and knows nothing of HTTP; ``service.api.errors`` maps
them to status codes in one table.
"""

from __future__ import annotations

from dprkwatch.exceptions import DprkwatchError, InputError, NotFoundError


class InvalidRequest(InputError):
    """A request whose parameters or body do not match the published schema.

    ``errors`` lists the problems as yente (FastAPI) reports them:
    ``{"loc": [...], "msg": ..., "type": ...}``; built from ``loc`` and
    ``kind`` when not given.
    """

    def __init__(
        self,
        message: str,
        *,
        loc: tuple[str, ...] = ("body",),
        kind: str = "value_error",
        errors: list[dict[str, object]] | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = errors or [{"loc": list(loc), "msg": message, "type": kind}]


class UnknownDataset(NotFoundError):
    """A dataset name the service does not publish."""


class RecordNotFound(NotFoundError):
    """A stored record (screening, book, API key, rescreen run) that does not exist."""


class ServiceError(DprkwatchError):
    """Base for service errors that have no counterpart in the general hierarchy."""


class NotAuthenticated(ServiceError):
    """The request carries no API key, or one that is unknown or revoked."""


class Forbidden(ServiceError):
    """The API key is valid but lacks the role the action needs."""


class Conflict(ServiceError):
    """The request contradicts what is stored (a name already taken, ...)."""


class TooManyRequests(ServiceError):
    """The caller is over a limit for now (its concurrent screenings, failed keys)."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """The service cannot answer now (index still loading, database down)."""

    exit_code = 5


class DatabaseUnavailable(Unavailable):
    """The database cannot be reached or refused the operation."""


class AuditIntegrityError(DprkwatchError):
    """The audit chain does not verify: a record was changed, removed or inserted."""

    exit_code = 6
