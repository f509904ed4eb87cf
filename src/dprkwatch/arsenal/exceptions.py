"""Errors the arsenal model raises on purpose.

Hierarchy::

    DprkwatchError
    ├── InputError
    │   ├── ParameterError     a parameter file, range or override that cannot be used;
    │   │                      the message starts with the parameter's dotted id
    │   ├── DateError          a date that cannot be read, an unknown event name, or a
    │   │                      date outside the model's horizon
    │   └── EstimateError      a published-estimates file that cannot be read
    └── NotFoundError
        ├── UnknownParameter   an override or lookup names no parameter
        └── UnknownScenario    no deterministic scenario by that name
"""

from __future__ import annotations

from dprkwatch.exceptions import InputError, NotFoundError


class ParameterError(InputError):
    """A parameter value, range or file that cannot be used. Names the parameter."""


class DateError(InputError):
    """A date the model cannot place on its time axis."""


class EstimateError(InputError):
    """A file of published estimates that cannot be read. Names file, row and field."""


class UnknownParameter(NotFoundError):
    """No parameter has the dotted id that was asked for."""


class UnknownScenario(NotFoundError):
    """No deterministic scenario has the name that was asked for."""
