"""Built-in importers. Importing this package registers them all."""

from dprkwatch.lists.importers import ftm
from dprkwatch.lists.importers import un_xml

__all__ = ["ftm", "un_xml"]
