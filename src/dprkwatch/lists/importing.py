"""From paths on disk to activated snapshots: detect, parse, store, activate.

A batch is all-or-nothing: if any file fails, the snapshots the batch wrote
are removed and the active versions are not touched. Seeding from a folder
(``make run``) may instead leave out the files an importer refuses, such as
a cut-off download, and report them: see ``on_refused``. Several files are
parsed in parallel worker processes (one per core), each writing its own
snapshot; activation happens once, in the parent, after all have succeeded.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from dprkwatch.exceptions import DprkwatchError
from dprkwatch.forking import fork_is_safe
from dprkwatch.lists.exceptions import ActivationRefused, SourceError
from dprkwatch.lists.model import ListVersion
from dprkwatch.lists.registry import Importer, detect
from dprkwatch.lists.snapshot import Manifest, SnapshotStore
from dprkwatch.sources import reading

# A folder given on the command line is searched for these, in this order.
_MAIN_FILES = ("sdn.csv", "cons_prim.csv")
_MAIN_SUFFIXES = (".xml", ".yaml", ".yml", ".ftm.json", ".jsonl", ".json", ".csv")


def resolve_path(path: Path) -> Path:
    """The list file to read for ``path`` (a file, or a folder holding one).

    Anything the operating system refuses (a name too long, no permission)
    becomes a one-line :class:`SourceError`, as a missing file does.
    """
    with reading(path, SourceError):
        if not path.exists():
            raise SourceError("file not found", source=str(path))
        if path.is_file():
            return path
        entries = [p for p in path.iterdir() if p.is_file()]
    by_lower = {p.name.lower(): p for p in entries}
    for name in _MAIN_FILES:
        if name in by_lower:
            return by_lower[name]
    files = sorted(p for p in entries if p.name.endswith(_MAIN_SUFFIXES))
    if len(files) == 1:
        return files[0]
    raise SourceError(
        f"folder holds {len(files)} candidate list files; name one of them", source=str(path)
    )


def parse(
    path: Path, fmt: str | None = None, published: date | None = None
) -> tuple[ListVersion, Importer]:
    """Parse one source (file or folder) into a list version."""
    main = resolve_path(path)
    importer = detect(main, fmt)
    version = importer.load(main)
    if version.source is None:
        # Importers whose files can be either of two publications (OFAC's XML
        # holds the SDN or the consolidated list) set the source themselves.
        version.source = getattr(importer, "source", None)
    if published is not None:
        version.published = published
    return version, importer


def import_paths(
    store: SnapshotStore,
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    published: date | None = None,
    activate: bool = True,
    force: bool = False,
    max_drop: float | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
    formats: Sequence[str | None] | None = None,
    on_refused: Callable[[Path, DprkwatchError], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[Manifest]:
    """Parse and store every path, then (by default) activate the newest version of each list.

    Activation follows :mod:`dprkwatch.lists.activation`: an older or much
    smaller version is stored but not activated (:class:`ActivationRefused`)
    unless ``force``.

    ``workers`` caps the parallel parsers (default: one per core, and none
    when the calling process runs other threads, where forking is unsafe).
    ``formats`` forces a format per path (``lists update`` knows what each
    publisher sends); otherwise ``fmt`` applies to all, or each file is sniffed.
    ``on_refused``, when given, hears of each file an importer refuses (a
    :class:`SourceError`); that file is left out and the others still land.
    Without it one refused file fails the whole batch.
    ``meanwhile``, when given, is called once while the parser workers work
    (before parsing when there are none): the caller's own preparation, off
    the wall-clock path. If it raises, the batch fails.
    """
    if not paths:
        raise SourceError("no files given")
    if formats is not None and len(formats) != len(paths):
        raise ValueError("formats must give one entry per path")
    chosen = list(formats) if formats is not None else [fmt] * len(paths)
    n = _worker_count(workers, len(paths))
    refused: ActivationRefused | None = None
    with store.writing():
        if n > 1:
            manifests = _parse_in_workers(
                store, paths, chosen, published, n, progress, on_refused, meanwhile
            )
        else:
            if meanwhile is not None:
                meanwhile()
            parsed: list[tuple[ListVersion, str]] = []
            for path, path_fmt in zip(paths, chosen, strict=True):
                try:
                    version, importer = parse(path, path_fmt, published)
                except SourceError as exc:
                    if on_refused is None:
                        raise
                    on_refused(path, exc)
                    continue
                parsed.append((version, importer_version(importer)))
                if progress is not None:
                    progress(path)
            manifests = [store.write(version, iv) for version, iv in parsed]
        if activate:
            try:
                store.activate_newest(manifests, force=force, max_drop=max_drop)
            except ActivationRefused as exc:
                refused = exc  # raised after the block, so the snapshots stay stored
    if refused is not None:
        raise refused
    return manifests


def importer_version(importer: Importer) -> str:
    return str(getattr(importer, "version", "1"))


def _worker_count(requested: int | None, files: int) -> int:
    if requested is not None:
        return max(1, min(requested, files))
    if not fork_is_safe():
        return 1
    return max(1, min(os.cpu_count() or 1, files))


def _parse_and_write(home: Path, path: Path, fmt: str | None, published: date | None) -> Manifest:
    """Worker: parse one source and store it as a (not yet active) snapshot.

    The cyclic garbage collector is off meanwhile. A list builds hundreds of
    thousands of small objects that all stay alive until the snapshot is
    written, and the collector kept walking them all again (up to a third
    of a worker's CPU on the larger lists); entities hold no reference
    cycles, so reference counting frees them once the version is written.
    """
    gc.disable()
    try:
        version, importer = parse(path, fmt, published)
        return SnapshotStore(home).write(version, importer_version(importer))
    finally:
        gc.enable()


# Parsing CPU seconds per megabyte of source, by format: how the parallel
# workers are given the files (the costliest first). Measured on the inputs of
# benchmarks/lists_publishers.py; a megabyte of compressed XLSX or of OFAC's
# dense CSV costs several times one of verbose XML. Formats not listed count
# as DEFAULT_CPU_PER_MB. Only the order of work depends on these figures.
CPU_PER_MB = {
    "ofac-sdn": 1.1,
    "ofac-cons": 1.1,
    "un-xml": 0.4,
    "eu-fsf-xml": 0.2,
    "uksl-xml": 0.5,
    "csl-json": 0.45,
    "dfat-xlsx": 3.6,
    "ofsi-xlsx": 3.6,
    "sema-xml": 0.85,
    "seco-xml": 0.7,
}
DEFAULT_CPU_PER_MB = 0.5


def estimated_cost(path: Path, fmt: str | None) -> float:
    """Roughly how many CPU seconds parsing ``path`` takes (0 when it cannot be read)."""
    try:
        main = resolve_path(path)
        importer = detect(main, fmt)
        size = main.stat().st_size
    except (DprkwatchError, OSError):
        return 0.0  # the worker reports it
    return size / 1e6 * CPU_PER_MB.get(importer.format, DEFAULT_CPU_PER_MB)


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Freeze what the parent holds while workers are forked from it.

    That memory is shared with the workers and is never their garbage:
    frozen, their collectors never walk it.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _parse_in_workers(
    store: SnapshotStore,
    paths: Sequence[Path],
    formats: Sequence[str | None],
    published: date | None,
    workers: int,
    progress: Callable[[Path], None] | None,
    on_refused: Callable[[Path, DprkwatchError], None] | None,
    meanwhile: Callable[[], None] | None,
) -> list[Manifest]:
    # Forked workers start with every module already imported and the
    # country-name table built (FtM's model and that table take seconds to
    # load, which each worker would otherwise pay again); results come back
    # as small manifests, never as entities.
    from dprkwatch.lists.cleaning import warm_country_names

    warm_country_names()
    context = multiprocessing.get_context("fork")
    with _frozen_heap(), ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        # The costliest files first, so that no worker is left with a long
        # one at the end while the other idles; results are read in path order.
        costs = [estimated_cost(path, fmt) for path, fmt in zip(paths, formats, strict=True)]
        order = sorted(range(len(paths)), key=lambda i: -costs[i])
        submitted = {
            i: pool.submit(_parse_and_write, store.home, paths[i], formats[i], published)
            for i in order
        }
        futures = [submitted[i] for i in range(len(paths))]
        manifests: list[Manifest] = []
        try:
            if meanwhile is not None:
                meanwhile()
            for path, future in zip(paths, futures, strict=True):
                try:
                    manifest = future.result()
                except SourceError as exc:
                    if on_refused is None:
                        raise
                    on_refused(path, exc)
                    continue
                manifests.append(manifest)
                if progress is not None:
                    progress(path)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return manifests
