"""Fissile material and weapons: a sourced model of North Korea's arsenal.

Public API::

    from dprkwatch.arsenal import load_model
    model = load_model()                          # package parameters; load_model(path) for another
    model.stock("2019-07-02")                     # Interval(low=p05, median, high=p95)
    model.increment("2018-06-12", "2019-02-28")   # weapons-equivalent produced in the window
    model.band(range(2010, 2031))                 # list of JSON-able rows per year-end
    model.compare()                               # list[Comparison]: estimate vs band, flagged, why
    model.scenario("isis-2017").stock("2020")     # deterministic recipes, exact

Everything a query returns has ``to_dict()`` (or is a plain dict) so the CLI
and the web workbench serialise it the same way.
"""

from dprkwatch.arsenal.compare import Comparison, Driver
from dprkwatch.arsenal.estimates import Estimate, load_estimates
from dprkwatch.arsenal.exceptions import (
    DateError,
    EstimateError,
    ParameterError,
    UnknownParameter,
    UnknownScenario,
)
from dprkwatch.arsenal.interval import Interval
from dprkwatch.arsenal.model import DEFAULT_DRAWS, DEFAULT_SEED, ArsenalModel, load_model
from dprkwatch.arsenal.parameters import Parameters, Range, load_parameters
from dprkwatch.arsenal.scenarios import Scenario, load_scenarios

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "ArsenalModel",
    "Comparison",
    "DateError",
    "Driver",
    "Estimate",
    "EstimateError",
    "Interval",
    "ParameterError",
    "Parameters",
    "Range",
    "Scenario",
    "UnknownParameter",
    "UnknownScenario",
    "load_estimates",
    "load_model",
    "load_parameters",
    "load_scenarios",
]
