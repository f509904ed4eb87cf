"""Canada: the Consolidated Special Economic Measures Act list."""

from dprkwatch.lists.importers.ca import sema

__all__ = ["sema"]
