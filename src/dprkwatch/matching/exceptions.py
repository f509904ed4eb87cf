"""Errors raised by the screening engine.

Hierarchy::

    DprkwatchError
    ├── InputError
    │   └── QueryError          a query cannot be screened (bad schema, no name, too long)
    │       └── BatchFileError  a batch input file cannot be read at all
    └── NotFoundError
        └── UnknownAlgorithm    no matching algorithm of that name and version

A bad *row* in a batch file is not an exception: it is reported in the
row's ``error`` column and the batch carries on.
"""

from __future__ import annotations

from dprkwatch.exceptions import InputError, NotFoundError


class QueryError(InputError):
    """A query that cannot be screened; names the field and the problem."""


class BatchFileError(QueryError):
    """A batch file that cannot be read or written as a whole."""


class UnknownAlgorithm(NotFoundError):
    """The algorithm name asked for is not one this version provides."""
