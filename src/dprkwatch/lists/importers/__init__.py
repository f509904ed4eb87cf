"""Built-in importers. Importing this package registers them all."""

from dprkwatch.lists.importers import ftm, ofac, un_xml

__all__ = ["ftm", "ofac", "un_xml"]
