"""The "import ledger events" use case, for every front end.

``dprkwatch ledger import``, ``dprkwatch run`` (which imports the shared
files once) and any later caller go through :func:`import_events`: find the
recognised files, parse **all** of them, and only then write, so a bad file
writes nothing and the previous datasets stay intact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dprkwatch.ledger.exceptions import EventSourceError
from dprkwatch.ledger.importing import Dataset, expand
from dprkwatch.ledger.store import LedgerStore

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportReport:
    """What one import did: the datasets written and the files passed over."""

    datasets: list[Dataset]
    skipped: list[str]


def import_events(
    home: Path,
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Parse every recognised event file under ``paths``, then save each dataset.

    Raises :class:`EventSourceError` (naming the file) when a path is missing,
    nothing is recognised, or a file cannot be parsed; nothing is written then.
    """
    chosen, skipped = expand(paths, fmt)
    if not chosen:
        raise EventSourceError(
            "no recognised event files in the given paths",
            source=", ".join(str(p) for p in paths),
        )
    datasets = []
    for i, (path, importer) in enumerate(chosen):
        datasets.append(importer.load(path))
        if progress is not None:
            progress(i + 1, len(chosen))
    store = LedgerStore(home)
    for ds in datasets:
        store.save(ds)
    return ImportReport(datasets, skipped)
