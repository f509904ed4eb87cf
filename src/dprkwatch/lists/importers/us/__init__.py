"""US International Trade Administration: the Consolidated Screening List (OFAC has its own package)."""

from dprkwatch.lists.importers.us import csl

__all__ = ["csl"]
