"""OFAC (US Treasury): the SDN and consolidated (non-SDN) lists, in the legacy delimited
files and in the two XML formats (advanced, and the Sanctions List Service's enhanced)."""

from dprkwatch.lists.importers.ofac import advanced, enhanced, legacy

__all__ = ["advanced", "enhanced", "legacy"]
