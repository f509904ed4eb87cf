"""OFAC (US Treasury): the legacy SDN and consolidated (non-SDN) delimited files."""

from dprkwatch.lists.importers.ofac import legacy

__all__ = ["legacy"]
