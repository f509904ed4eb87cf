"""Built-in event importers; importing this package registers them."""

from . import cns_csv, cns_json, csis, ofac_lifetimes

__all__ = ["cns_csv", "cns_json", "csis", "ofac_lifetimes"]
