"""UK: the OFSI consolidated list and UK Sanctions List CSV, and the YAML re-serialisation."""

from dprkwatch.lists.importers.uk import official_csv, yaml_copy

__all__ = ["official_csv", "yaml_copy"]
