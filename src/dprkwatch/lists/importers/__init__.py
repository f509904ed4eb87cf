"""Built-in importers. Importing this package registers them all."""

from dprkwatch.lists.importers import eu_fsf_xml, eu_yaml, ftm, ofac, uk_csv, uk_yaml, un_xml

__all__ = ["eu_fsf_xml", "eu_yaml", "ftm", "ofac", "uk_csv", "uk_yaml", "un_xml"]
