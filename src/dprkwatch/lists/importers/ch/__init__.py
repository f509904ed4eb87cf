"""Switzerland: SECO's sanctions list."""

from dprkwatch.lists.importers.ch import seco

__all__ = ["seco"]
