"""AIS input: CSV, Parquet and NMEA readers, row checks, and the ingest into the store."""

from dprkwatch.maritime.ingest.pipeline import FORMATS, IngestReport, detect_format, ingest
from dprkwatch.maritime.ingest.quality import NOTES, REASONS, Quality

__all__ = ["FORMATS", "NOTES", "REASONS", "IngestReport", "Quality", "detect_format", "ingest"]
