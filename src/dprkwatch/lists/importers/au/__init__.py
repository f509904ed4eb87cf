"""Australia: DFAT's Consolidated List."""

from dprkwatch.lists.importers.au import dfat

__all__ = ["dfat"]
