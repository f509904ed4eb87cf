"""An on-disk copy of the built index, keyed by the snapshot versions it holds.

Analysing every name of four lists takes a few seconds of CPU; loading the
result takes a fraction of that. The cache file is named after a hash of
the active ``{list: version}`` pairs, the algorithm and the cache format, so
a newly activated snapshot, a new algorithm or a new dprkwatch version
simply misses and rebuilds. Snapshots are immutable, so a hit is always
current.

The file is written with :mod:`marshal` (core Python types only, no
arbitrary objects, no code run on load) through a temporary file and an
atomic rename; anything unreadable or of the wrong shape is ignored and
rebuilt, never trusted.

Name forms, the largest part, are each marshalled on their own into one
block of bytes with a table of where each ends, and decoded only when a
query first compares with them (:class:`StoredForms`): a process that
screens a few names (``dprkwatch screen NAME``) touches a few hundred of
the 63,000 forms, and decoding them all was half of its start.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import multiprocessing
import os
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson

from dprkwatch import __version__
from dprkwatch.forking import fork_is_safe
from dprkwatch.matching.analysis import NameForm, form_to_plain
from dprkwatch.matching.index import EntityRecord, Index, StoredForms
from dprkwatch.matching.postings import Postings
from dprkwatch.matching.typos import Vocabulary

# Bump when the layout below or anything the index derives from names changes.
CACHE_FORMAT = 12
KEEP_FILES = 4


def _code_fingerprint() -> str:
    """A hash of the matching package's source, so that any change to how
    names are analysed invalidates old caches (even between releases)."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


CODE_FINGERPRINT = _code_fingerprint()


def cache_key(versions: dict[str, str], algorithm: str) -> str:
    payload = orjson.dumps(
        {
            "v": CACHE_FORMAT,
            "code": CODE_FINGERPRINT,
            "dprkwatch": __version__,
            "algorithm": algorithm,
            "lists": dict(sorted(versions.items())),
        }
    )
    return hashlib.sha256(payload).hexdigest()[:24]


def cache_path(directory: Path, versions: dict[str, str], algorithm: str) -> Path:
    return directory / f"index-{cache_key(versions, algorithm)}.marshal"


# -- to plain data -----------------------------------------------------------------


def _record(r: EntityRecord) -> tuple[Any, ...]:
    return (
        r.idx, r.id, r.schema, r.group, r.caption, r.list_name, r.programs, r.dprk, r.name_ids,
        r.birth_dates, r.countries, r.gender, r.imo, r.mmsi, r.documents, frozenset(r.wallets),
    )  # fmt: skip


_PARTS = (
    "records", "raw", "files", "locations", "form_blob", "form_ends", "form_refs", "name_kind",
    "name_entity", "postings", "imo", "mmsi", "documents", "wallets", "token_df", "syllable_df",
    "korean_forms", "versions", "vocabulary",
)  # fmt: skip


def _unique_forms(index: Index) -> list[NameForm]:
    """Each distinct form object once, in first-use order (a name on several
    lists shares its forms); ``form_refs`` points into this list."""
    seen: dict[int, NameForm] = {}
    for form in index.forms:
        seen.setdefault(id(form), form)
    return list(seen.values())


def _part(index: Index, name: str) -> Any:
    """One part of the index as plain data (built only when it is written)."""
    if name == "records":
        return [_record(r) for r in index.records]
    if name == "form_refs":
        stored = index.forms
        if isinstance(stored, StoredForms) and stored.is_whole():
            return stored.refs()
        ids: dict[int, int] = {}
        refs: list[int] = []
        for form in index.forms:
            refs.append(ids.setdefault(id(form), len(ids)))
        return refs
    if name in ("imo", "mmsi", "documents", "wallets"):
        return dict(getattr(index, name))
    if name == "korean_forms":
        return index._korean_forms
    if name == "postings":
        return index.postings.to_plain()
    if name == "vocabulary":
        return index.vocabulary.to_plain()
    return getattr(index, name)


def _form_block(index: Index) -> tuple[bytes, bytes]:
    """The distinct forms, each marshalled alone, in one block; and where each ends.

    A form stays encoded until a query needs it (:class:`StoredForms`), so
    each is its own marshal record. Ends are little-endian uint64 offsets.
    """
    stored = index.forms
    if isinstance(stored, StoredForms) and stored.is_whole():
        return stored.block()
    chunks: list[bytes] = []
    ends: list[int] = []
    end = 0
    for form in _unique_forms(index):
        data = marshal.dumps(form_to_plain(form))
        chunks.append(data)
        end += len(data)
        ends.append(end)
    return b"".join(chunks), np.asarray(ends, dtype="<u8").tobytes()


def dump(index: Index, fh: BinaryIO) -> None:
    """Write the index part by part (each length-prefixed), so that no second
    copy of the whole index is ever held in memory at once."""

    def write(value: Any) -> None:
        data = marshal.dumps(value)
        fh.write(len(data).to_bytes(8, "little"))
        fh.write(data)

    write({"format": CACHE_FORMAT, "parts": list(_PARTS)})
    for name in _PARTS:
        if name == "form_blob":
            blob, ends = _form_block(index)
            write(blob)
            write(ends)
            del blob, ends
        elif name != "form_ends":  # (written with the blob)
            write(_part(index, name))


def _read(data: bytes) -> dict[str, Any]:
    view = memoryview(data)
    offset = 0

    def next_part() -> Any:
        nonlocal offset
        size = int.from_bytes(view[offset : offset + 8], "little")
        start, offset = offset + 8, offset + 8 + size
        if size <= 0 or offset > len(view):
            raise ValueError("truncated index cache")
        return marshal.loads(view[start:offset])

    header = next_part()
    if (
        not isinstance(header, dict)
        or header.get("format") != CACHE_FORMAT
        or header.get("parts") != list(_PARTS)
    ):
        raise ValueError("not an index cache of this format")
    return {name: next_part() for name in _PARTS}


# -- back to objects ---------------------------------------------------------------


def read(data: bytes, *, snapshot_files: bool = True) -> Index:
    """Rebuild an index; raises ValueError/TypeError/KeyError/EOFError on a malformed file.

    ``snapshot_files=False`` accepts an index whose snapshot files are not
    on this machine (a Spark executor): it screens the same, and only
    :meth:`Index.entity` finds nothing.
    """
    state = _read(data)
    index = Index()
    index.records = [
        EntityRecord(
            idx=r[0], id=r[1], schema=r[2], group=r[3], caption=r[4], list_name=r[5], programs=r[6],
            dprk=r[7], name_ids=r[8], birth_dates=r[9], countries=r[10], gender=r[11], imo=r[12],
            mmsi=r[13], documents=r[14], wallets=set(r[15]),
        )
        for r in state["records"]
    ]  # fmt: skip
    index.by_id = {r.id: r.idx for r in index.records}
    index.raw = state["raw"]
    index.files = state["files"]
    index.locations = state["locations"]
    index.forms = StoredForms(state["form_blob"], state["form_ends"], state["form_refs"])
    index.name_kind = state["name_kind"]
    index.name_entity = state["name_entity"]
    index.postings = Postings.from_plain(state["postings"])
    for name in ("imo", "mmsi", "documents", "wallets"):
        table: defaultdict[str, list[int]] = defaultdict(list)
        table.update(state[name])
        setattr(index, name, table)
    index.token_df = state["token_df"]
    index.syllable_df = state["syllable_df"]
    index.versions = state["versions"]
    index.vocabulary = Vocabulary.from_plain(state["vocabulary"])
    index.finish(state["korean_forms"])
    if len(index.name_entity) != len(index.forms):
        raise ValueError("inconsistent index cache")
    nids = index.postings.nids
    if len(nids) and int(nids.max()) >= len(index.forms):
        raise ValueError("posting lists name unknown names")
    if snapshot_files and not all(Path(f).is_file() for f in index.files):
        raise ValueError("a snapshot file of the cached index has gone")
    return index


def load(path: Path) -> Index | None:
    """The cached index at ``path``, or None when missing or unusable."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        index = read(path.read_bytes())
    except (OSError, ValueError, TypeError, KeyError, IndexError, EOFError, AttributeError):
        return None
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()
    return index


def save_soon(index: Index, path: Path) -> bool:
    """Write the cache, from a forked child when that is safe and worth it.

    The index is usable before its cache file exists, so for a large index
    a forked copy of this process writes the file while the caller goes on
    screening (about 0.4 s of a four-list cold start). Only when this
    process runs no other thread (then forking is safe) and fork exists;
    otherwise, and for small indexes, the file is written here and now.
    Python waits for the writer at exit (multiprocessing joins its
    non-daemon children), so the file is complete when the process ends.
    Returns whether the write was handed to a child; a failed write, here
    or there, only means the next start rebuilds.
    """
    if len(index.forms) < BACKGROUND_MIN_NAMES or not fork_is_safe():
        with contextlib.suppress(OSError):
            save(index, path)
        return False
    writer = multiprocessing.get_context("fork").Process(target=_save_quietly, args=(index, path))
    writer.start()
    return True


# Below this many names a fork costs more than writing the cache in line.
BACKGROUND_MIN_NAMES = 20_000


def _save_quietly(index: Index, path: Path) -> None:
    with contextlib.suppress(OSError):
        save(index, path)


def save(index: Index, path: Path) -> None:
    """Write the cache atomically (temp file, fsync, rename) and keep the newest few."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("wb") as fh:
            dump(index, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    old = sorted(path.parent.glob("index-*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[KEEP_FILES:]:
        with contextlib.suppress(OSError):
            stale.unlink()
