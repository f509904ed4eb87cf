"""EU Financial Sanctions Files: the FSF XML and its YAML re-serialisation."""

from dprkwatch.lists.importers.eu import fsf_xml, yaml_copy

__all__ = ["fsf_xml", "yaml_copy"]
