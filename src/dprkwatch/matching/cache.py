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
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from dprkwatch import __version__
from dprkwatch.lists.snapshot import atomic_write_bytes
from dprkwatch.matching.analysis import NameForm
from dprkwatch.matching.index import EntityRecord, Index
from dprkwatch.matching.korean_names import KoreanName
from dprkwatch.matching.syllables import Syllable

# Bump when the layout below or anything the index derives from names changes.
CACHE_FORMAT = 5
KEEP_FILES = 4


def _code_fingerprint() -> str:
    """A hash of the matching package's source, so that any change to how
    names are analysed invalidates old caches (even between releases)."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode())
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


def _korean(kn: KoreanName) -> tuple[Any, ...]:
    return (tuple(tuple(s) for s in kn.surname), tuple(tuple(s) for s in kn.given), kn.reading, kn.script)


def _form(f: NameForm) -> tuple[Any, ...]:
    return (
        f.text, f.script, f.tokens, f.joined, tuple(_korean(k) for k in f.korean), f.token_keys,
        f.phonetic, f.skeleton, f.abjad, f.acronyms, f.numbers, f.korean_joined, f.reading,
    )  # fmt: skip


def _record(r: EntityRecord) -> tuple[Any, ...]:
    return (
        r.idx, r.id, r.schema, r.group, r.caption, r.list_name, r.programs, r.dprk, r.name_ids,
        r.birth_dates, r.countries, r.gender, r.imo, r.mmsi, r.documents, frozenset(r.wallets),
    )  # fmt: skip


def dumps(index: Index) -> bytes:
    forms: dict[int, int] = {}
    unique: list[tuple[Any, ...]] = []
    refs: list[int] = []
    for form in index.forms:
        key = id(form)
        if key not in forms:
            forms[key] = len(unique)
            unique.append(_form(form))
        refs.append(forms[key])
    state = {
        "format": CACHE_FORMAT,
        "records": [_record(r) for r in index.records],
        "raw": index.raw,
        "files": index.files,
        "locations": index.locations,
        "forms": unique,
        "form_refs": refs,
        "name_kind": index.name_kind,
        "name_entity": index.name_entity,
        "postings": index.postings,
        "imo": dict(index.imo),
        "mmsi": dict(index.mmsi),
        "documents": dict(index.documents),
        "wallets": dict(index.wallets),
        "token_df": index.token_df,
        "syllable_df": index.syllable_df,
        "korean_forms": index._korean_forms,
        "versions": index.versions,
    }
    return marshal.dumps(state)


# -- back to objects ---------------------------------------------------------------


def _syllables(items: Any) -> tuple[Syllable, ...]:
    return tuple(Syllable(*s) for s in items)


def loads(data: bytes) -> Index:
    """Rebuild an index; raises ValueError/TypeError/KeyError on a malformed file."""
    state = marshal.loads(data)
    if not isinstance(state, dict) or state.get("format") != CACHE_FORMAT:
        raise ValueError("not an index cache of this format")
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
    unique = [
        NameForm(
            f[0], f[1], f[2], f[3],
            tuple(KoreanName(_syllables(k[0]), _syllables(k[1]), k[2], k[3]) for k in f[4]),
            *f[5:],
        )
        for f in state["forms"]
    ]  # fmt: skip
    index.forms = [unique[i] for i in state["form_refs"]]
    index.name_kind = state["name_kind"]
    index.name_entity = state["name_entity"]
    index.postings = state["postings"]
    for name in ("imo", "mmsi", "documents", "wallets"):
        table: defaultdict[str, list[int]] = defaultdict(list)
        table.update(state[name])
        setattr(index, name, table)
    index.token_df = state["token_df"]
    index.syllable_df = state["syllable_df"]
    index.versions = state["versions"]
    index.finish(state["korean_forms"])
    if len(index.name_entity) != len(index.forms):
        raise ValueError("inconsistent index cache")
    if not all(Path(f).is_file() for f in index.files):
        raise ValueError("a snapshot file of the cached index has gone")
    return index


def load(path: Path) -> Index | None:
    """The cached index at ``path``, or None when missing or unusable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        index = loads(data)
    except (ValueError, TypeError, KeyError, IndexError, EOFError, AttributeError):
        return None
    finally:
        if was_enabled:
            gc.enable()
    gc.freeze()
    return index


def save(index: Index, path: Path) -> None:
    """Write the cache atomically and keep only the most recent few files."""
    atomic_write_bytes(path, dumps(index))
    old = sorted(path.parent.glob("index-*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in old[KEEP_FILES:]:
        with contextlib.suppress(OSError):
            stale.unlink()
