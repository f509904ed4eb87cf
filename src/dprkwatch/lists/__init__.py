"""Official sanctions lists in, versioned FollowTheMoney snapshots out.

Public API::

    store = SnapshotStore(settings.home)
    import_paths(store, [Path("sdn.csv"), Path("un.xml")])
    for name, snap in store.active().items():
        for entity in snap.iter_dicts(): ...
"""

from dprkwatch.lists.exceptions import FormatError, SnapshotNotFound, SourceError
from dprkwatch.lists.importing import import_paths, parse
from dprkwatch.lists.model import EntityBuilder, ListVersion
from dprkwatch.lists.names import NameDetail, detect_script
from dprkwatch.lists.programs import any_dprk, is_dprk_program
from dprkwatch.lists.snapshot import Manifest, Snapshot, SnapshotStore

__all__ = [
    "EntityBuilder",
    "FormatError",
    "ListVersion",
    "Manifest",
    "NameDetail",
    "Snapshot",
    "SnapshotNotFound",
    "SnapshotStore",
    "SourceError",
    "any_dprk",
    "detect_script",
    "import_paths",
    "is_dprk_program",
    "parse",
]
