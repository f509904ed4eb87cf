"""Errors raised while reading source lists or handling snapshots.

Hierarchy::

    DprkwatchError
    ├── InputError
    │   └── SourceError        a source file cannot be read or parsed
    │       └── FormatError    no importer recognises the file, or --format is unknown
    ├── NotFoundError
    │   └── SnapshotNotFound   no snapshot with that list/version
    └── ActivationRefused      imported, but older or much smaller than the active version
"""

from __future__ import annotations

from dprkwatch.exceptions import DprkwatchError, InputError, NotFoundError


class SourceError(InputError):
    """A source file is unreadable, malformed or unsafe. Names file, place and problem."""


class FormatError(SourceError):
    """The format of a source file could not be detected or is not supported."""


class SnapshotNotFound(NotFoundError):
    """The snapshot asked for does not exist in the store."""


class ActivationRefused(DprkwatchError):
    """Versions were imported but not activated: older than, or far smaller than, the active ones.

    The snapshots are stored; forcing the import activates them.
    """

    exit_code = 7
