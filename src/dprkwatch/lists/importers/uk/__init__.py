"""UK lists: the FCDO's UK Sanctions List (in force) and OFSI's Consolidated List (retired).

The YAML copy is the Ammitto project's re-serialisation of the UK Sanctions List.
"""

from dprkwatch.lists.importers.uk import csv_lists, ofsi_xlsx, uksl_xml, yaml_copy

__all__ = ["csv_lists", "ofsi_xlsx", "uksl_xml", "yaml_copy"]
