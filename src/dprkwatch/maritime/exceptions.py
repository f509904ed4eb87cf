"""Errors the maritime layer raises on purpose.

Hierarchy::

    DprkwatchError
    ├── InputError
    │   ├── AisInputError    a positions file cannot be used at all (missing column,
    │   │                    unreadable, unknown format); bad *rows* are counted, not raised
    │   ├── PortsError       a ports file cannot be used
    │   └── RuleError        a detector parameter is unknown or out of range
    ├── ConfigError
    │   └── EngineError      an engine cannot run here (e.g. Spark without Java)
    └── NotFoundError
        └── StoreEmpty       no positions have been ingested yet

    RuntimeError
    └── InvalidEvents        an engine produced an impossible event (a bug, not bad input)
"""

from __future__ import annotations

from dprkwatch.exceptions import ConfigError, InputError, NotFoundError


class AisInputError(InputError):
    """A whole AIS input is unusable. Single bad rows never raise; they are counted."""


class PortsError(InputError):
    """A port list is missing, unreadable or lacks a required column."""


class RuleError(InputError):
    """A detector rule (parameter) is unknown or has an impossible value."""


class EngineError(ConfigError):
    """The requested engine is unknown or cannot start on this machine."""


class StoreEmpty(NotFoundError):
    """The positions store holds no data yet."""


class InvalidEvents(RuntimeError):
    """An event that cannot be right (it ends before it starts): a bug in a detector.

    Not a :class:`~dprkwatch.exceptions.DprkwatchError`: no input can cause
    it, so it is reported as an internal error with its traceback.
    """
