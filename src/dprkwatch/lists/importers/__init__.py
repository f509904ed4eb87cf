"""Built-in importers, one sub-package per publisher. Importing this package registers them all.

``values`` and ``freetext`` are the helpers every publisher's importer shares;
``ftm`` reads FollowTheMoney JSON, which is a data model rather than a publisher.
"""

from dprkwatch.lists.importers import au, ca, ch, eu, ftm, ofac, uk, un, us

__all__ = ["au", "ca", "ch", "eu", "ftm", "ofac", "uk", "un", "us"]
