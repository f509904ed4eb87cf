"""AIS input: layouts, CSV, Parquet and NMEA readers, row checks, days, and the store ingest."""

from dprkwatch.maritime.ingest.layouts import FORMATS, LAYOUTS
from dprkwatch.maritime.ingest.pipeline import IngestReport, PositionReader, detect_format, ingest
from dprkwatch.maritime.ingest.quality import NOTES, REASONS, Quality

__all__ = [
    "FORMATS",
    "LAYOUTS",
    "NOTES",
    "REASONS",
    "IngestReport",
    "PositionReader",
    "Quality",
    "detect_format",
    "ingest",
]
