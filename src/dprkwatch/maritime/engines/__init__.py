"""Detection engines: one interface (:class:`base.Engine`), several backends.

``polars`` (default) runs embedded, one day in memory at a time; ``spark``
runs the same rules on Apache Spark for data that outgrows one machine.
Backends are imported lazily so that using one never requires the other.
"""

from __future__ import annotations

from dprkwatch.maritime.engines.base import RAW_EVENTS, Detection, Engine, Progress
from dprkwatch.maritime.exceptions import EngineError

ENGINES = ("polars", "spark")


def get_engine(name: str, **options: object) -> Engine:
    """The engine called ``name`` (``polars`` or ``spark``)."""
    if name == "polars":
        from dprkwatch.maritime.engines.embedded import PolarsEngine

        return PolarsEngine()
    if name == "spark":
        from dprkwatch.maritime.engines.spark import SparkEngine

        return SparkEngine(**options)  # type: ignore[arg-type]
    raise EngineError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")


__all__ = ["ENGINES", "RAW_EVENTS", "Detection", "Engine", "Progress", "get_engine"]
