"""UN Security Council consolidated list (XML)."""

from dprkwatch.lists.importers.un import consolidated_xml

__all__ = ["consolidated_xml"]
