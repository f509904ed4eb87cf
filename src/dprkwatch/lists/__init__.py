"""Official sanctions lists in, versioned FollowTheMoney snapshots out.

Public API::

    store = SnapshotStore(settings.home)
    import_paths(store, [Path("sdn.csv"), Path("un.xml")])
    for name, snap in store.active().items():
        for entity in snap.iter_dicts(): ...
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dprkwatch.lists.exceptions import FormatError, SnapshotNotFound, SourceError
from dprkwatch.lists.names import NameDetail, detect_script
from dprkwatch.lists.programs import any_dprk, is_dprk_program
from dprkwatch.lists.snapshot import Manifest, Snapshot, SnapshotStore

if TYPE_CHECKING:
    from dprkwatch.lists.importing import import_paths, parse
    from dprkwatch.lists.model import EntityBuilder, ListVersion

# Importing and building entities need FollowTheMoney's model, which takes
# about a second to load; code that only reads stored snapshots (screening
# from a cached index, resolution) never asks for these names.
_LAZY = {
    "import_paths": "dprkwatch.lists.importing",
    "parse": "dprkwatch.lists.importing",
    "EntityBuilder": "dprkwatch.lists.model",
    "ListVersion": "dprkwatch.lists.model",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


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
