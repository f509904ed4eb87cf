"""Built-in importers. Importing this package registers them all."""

from dprkwatch.lists.importers import ftm

__all__ = ["ftm"]
