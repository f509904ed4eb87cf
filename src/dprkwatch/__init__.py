"""dprkwatch: open tooling for the North Korea nuclear problem.

The package is layered; each layer depends only on the ones before it::

    lists     official sanctions lists -> FollowTheMoney entities -> versioned snapshots
    matching  name analysis, candidate index, scoring and explanations
    service   HTTP API, storage, audit trail, reviews, delta screening
    ledger    curated record of resolutions, agreements, talks, tests; analytics
    arsenal   fissile material and warhead model
    maritime  AIS ingest and evasion detectors
    web       the browser workbench
    cli       one command line over all of the above
"""

from dprkwatch.exceptions import DprkwatchError

__version__ = "0.1.0"

__all__ = ["DprkwatchError", "__version__"]
