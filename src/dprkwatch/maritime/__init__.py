"""Maritime evasion detection: AIS ingest, detectors, engines, vessel risk."""
