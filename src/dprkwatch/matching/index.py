"""The in-memory screening index: analysed names, blocking keys, identifier maps.

Built once from the active snapshots (a few seconds for all four lists) so
that a query touches only dictionaries: its blocking keys pull candidate
names out of posting lists, a cheap pre-score keeps the best few dozen, and
only those are compared feature by feature. No query is ever compared with
the whole list.

The blocking keys of a name are made in :mod:`dprkwatch.matching.keys`.
"""

from __future__ import annotations

import gc
import marshal
import math
import mmap
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, overload

import numpy as np
import orjson
from numpy.typing import NDArray

from dprkwatch.forking import fork_is_safe
from dprkwatch.lists.model import is_subject
from dprkwatch.lists.programs import any_dprk
from dprkwatch.matching.analysis import GROUP_OF_SCHEMA, NameForm, form_from_plain, form_to_plain
from dprkwatch.matching.analysis_pool import (
    PARALLEL_MIN_NAMES,
    Forked,
    NameAnalyser,
    NameKey,
    WordCounts,
)
from dprkwatch.matching.identifiers import document_number, imo_number, mmsi_number, wallet_address
from dprkwatch.matching.keys import blocking_keys, listed_words
from dprkwatch.matching.orgs import KOREA_WORDS, LEGAL_FORMS, STEMS
from dprkwatch.matching.postings import NIDS, Postings
from dprkwatch.matching.syllables import Syllable
from dprkwatch.matching.typos import Vocabulary

NAME_PROPS = (
    ("name", "primary"),
    ("alias", "alias"),
    ("weakAlias", "weak"),
    ("previousName", "former"),
)
KINDS = tuple(kind for _, kind in NAME_PROPS)
DOC_PROPS = ("passportNumber", "idNumber", "registrationNumber", "taxNumber", "innCode", "ogrnCode",
             "leiCode", "swiftBic", "vatCode")  # fmt: skip
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction", "flag")
KOREAN_COUNTRIES = frozenset({"kp", "kr"})
# Entities of one list: dicts, or the path of an FtM JSON-lines file.
Source = Iterable[dict[str, Any]] | Path
# Keys in more names than this only confirm candidates found through rarer keys.
COMMON_KEY = 800


@dataclass(slots=True)
class EntityRecord:
    """What the screener keeps about one listed subject."""

    idx: int
    id: str
    schema: str
    group: str
    caption: str
    list_name: str
    programs: tuple[str, ...]
    dprk: bool
    name_ids: list[int] = field(default_factory=list)
    birth_dates: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    gender: frozenset[str] = frozenset()
    imo: frozenset[str] = frozenset()
    mmsi: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    wallets: set[str] = field(default_factory=set)


def _ranges(starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """``starts[0], starts[0] + 1, ...`` (``lengths[0]`` numbers), then the same
    from ``starts[1]``, and so on, in one array."""
    offsets = np.cumsum(lengths) - lengths
    out: NDArray[np.int64] = np.arange(int(lengths.sum()), dtype=np.int64)
    out += np.repeat(starts - offsets, lengths)
    return out


def _postings(codes: NDArray[np.int64], owners: NDArray[np.int32], keys: list[str]) -> Postings:
    """:meth:`Postings.from_codes` given every (key number, name id) pair in two
    arrays, by name id and then as each name lists its keys."""
    nids = owners[np.argsort(codes, kind="stable")]
    lengths = np.bincount(codes, minlength=len(keys))
    starts = np.cumsum(lengths) - lengths
    packed: list[int] = (starts << 32 | lengths).tolist()
    if bool(lengths.all()):
        where = dict(zip(keys, packed, strict=True))
    else:  # a key no name uses gets no posting list
        used = lengths.astype(bool).tolist()
        where = {key: p for key, p, u in zip(keys, packed, used, strict=True) if u}
    return Postings(where, nids)


def build_vocabulary(forms: Iterable[NameForm]) -> Vocabulary:
    """Every word of the listed names, as analysed and as written (before the
    organisation lexicon: KORYO as well as its token ``korea``), with how many
    names use it, plus the lexicon's own words, for typo lookups."""
    distinct = {id(form): form for form in forms}.values()
    return vocabulary_of(Counter(chain.from_iterable(map(listed_words, distinct))))


def vocabulary_of(counts: Counter[str]) -> Vocabulary:
    """:func:`build_vocabulary`, given how many names use each listed word."""
    counts = Counter(counts)
    for w in (*KOREA_WORDS, *LEGAL_FORMS, *STEMS):
        counts.setdefault(w, 1)
    counts.pop("", None)
    return Vocabulary.build(counts)


def _vocabulary_soon(counts: WordCounts, parallel: bool) -> Callable[[], Vocabulary]:
    """:func:`vocabulary_of` what ``counts()`` counts, in a forked child when
    ``parallel`` and that is safe (as for the name analysis; the child counts
    too, off this process's path); call the answer for the vocabulary."""
    if not parallel or not fork_is_safe():
        built = vocabulary_of(counts())
        return lambda: built
    child = Forked(
        lambda: vocabulary_of(counts()).to_plain(),
        _vocabulary_from,
        lambda: vocabulary_of(counts()),
    )
    return child.result


def _vocabulary_from(data: bytes) -> Vocabulary | None:
    """A vocabulary back from a child's answer, or None if it is garbled."""
    try:
        return Vocabulary.from_plain(marshal.loads(data))
    except (EOFError, ValueError, TypeError):
        return None


class Informativeness(dict[str, float]):
    """Word (or syllable key) -> weight; one never seen on the lists weighs ``unseen``.

    A dict so that the hot scoring loop can use its C ``__getitem__``.
    """

    __slots__ = ("unseen",)

    def __init__(self, weights: dict[str, float], unseen: float) -> None:
        super().__init__(weights)
        self.unseen = unseen

    def __missing__(self, key: str) -> float:
        return self.unseen


class KeyWeights(dict[int, float]):
    """Posting-list length -> log(1 + names / length), worked out once per length."""

    __slots__ = ("names",)

    def __init__(self, names: int) -> None:
        super().__init__()
        self.names = names

    def __missing__(self, length: int) -> float:
        weight = self[length] = math.log(1.0 + self.names / length)
        return weight


class StoredForms(Sequence[NameForm]):
    """The name forms of a loaded index, decoded from the cache on first use.

    ``refs[name number]`` is the distinct form a name uses (a name on
    several lists shares its forms); form ``k`` is the marshal record
    ``blob[ends[k - 1]:ends[k]]``, or ``known[k]`` when given and that
    record is empty (a built index: the forms this process analysed are
    objects already, the forked analyser's are records). A decoded form is kept, so each is
    decoded at most once (two threads racing on one decode the same value
    twice; either copy is kept). Equal syllables are shared between forms,
    as in a built index.
    """

    __slots__ = ("_blob", "_decoded", "_ends", "_known", "_refs", "_syllables", "by_name")

    def __init__(
        self,
        blob: bytes,
        ends: bytes,
        refs: list[int],
        known: list[NameForm | None] | None = None,
    ) -> None:
        if not isinstance(blob, bytes) or not isinstance(ends, bytes) or len(ends) % 8:
            raise ValueError("malformed name forms in the index cache")
        if not isinstance(refs, list):
            raise ValueError("malformed name references in the index cache")
        offsets = np.frombuffer(ends, dtype="<u8")
        sizes = np.diff(offsets.astype(np.int64), prepend=0)
        if len(offsets) and (
            int(offsets[-1]) != len(blob)
            or bool(np.any(sizes <= 0 if known is None else sizes < 0))
        ):
            raise ValueError("name forms of the index cache do not add up")
        if known is not None and (
            len(known) != len(offsets)
            or any(
                (size == 0) != (form is not None)
                for size, form in zip(sizes.tolist(), known, strict=True)
            )
        ):
            raise ValueError("known name forms and their records do not agree")
        if refs and (min(refs) < 0 or max(refs) >= len(offsets)):
            raise ValueError("names refer to unknown forms")
        self._blob = blob
        self._ends = ends
        self._refs = refs
        self._decoded: list[NameForm | None] = [None] * len(offsets) if known is None else known
        self._syllables: dict[tuple[str, ...], Syllable] = {}
        # The form of each name number once asked for (None before): the
        # scoring loop, compiled, reads this list and calls __getitem__, a
        # Python method, only for a name not asked for before.
        self.by_name: list[NameForm | None] = (
            [None] * len(refs) if known is None else [known[k] for k in refs]
        )
        self._known = known is not None

    def _form(self, k: int) -> NameForm:
        form = self._decoded[k]
        if form is None:
            ends = self._ends
            start = int.from_bytes(ends[8 * k - 8 : 8 * k], "little") if k else 0
            end = int.from_bytes(ends[8 * k : 8 * k + 8], "little")
            plain = marshal.loads(memoryview(self._blob)[start:end])
            form = self._decoded[k] = form_from_plain(plain, self._syllables)
        return form

    @overload
    def __getitem__(self, i: int) -> NameForm: ...

    @overload
    def __getitem__(self, i: slice) -> list[NameForm]: ...

    def __getitem__(self, i: int | slice) -> NameForm | list[NameForm]:
        if isinstance(i, slice):
            return [self._form(k) for k in self._refs[i]]
        form = self.by_name[i] = self._form(self._refs[i])
        return form

    def __len__(self) -> int:
        return len(self._refs)

    def __iter__(self) -> Iterator[NameForm]:
        form = self._form
        return (form(k) for k in self._refs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def is_whole(self) -> bool:
        """Whether every distinct form is used by some name (true of a loaded cache)."""
        return len(set(self._refs)) == len(self._decoded)

    def block(self) -> tuple[bytes, bytes]:
        """The encoded forms and their ends (to write them out again): as read,
        or with each known form's record made."""
        if not self._known:
            return self._blob, self._ends
        blob, ends = self._blob, np.frombuffer(self._ends, dtype="<u8").tolist()
        chunks: list[bytes] = []
        out: list[int] = []
        start = end = 0
        for k, stop in enumerate(ends):
            if stop > start:
                record = blob[start:stop]
            else:
                form = self._decoded[k]
                assert form is not None
                record = marshal.dumps(form_to_plain(form))
            chunks.append(record)
            end += len(record)
            out.append(end)
            start = stop
        return b"".join(chunks), np.asarray(out, dtype="<u8").tobytes()

    def refs(self) -> list[int]:
        return self._refs

    def decoded(self) -> int:
        """How many distinct forms have been decoded so far."""
        return sum(form is not None for form in self._decoded)


class Index:
    """Analysed entities of one or more list snapshots."""

    def __init__(self) -> None:
        self.records: list[EntityRecord] = []
        self.by_id: dict[str, int] = {}
        # Entities given as dicts are kept as compact JSON; those read from a
        # snapshot file are found again by (file number, offset, length).
        self.raw: dict[str, bytes] = {}
        self.files: list[str] = []
        self.locations: dict[str, tuple[int, int, int]] = {}
        self._views: dict[int, mmap.mmap] = {}
        self._views_lock = threading.Lock()
        # A list when built in one process; StoredForms, decoded on demand, when
        # loaded from the cache or built with a forked analyser (its share).
        self.forms: Sequence[NameForm] = []
        self.name_kind: list[str] = []
        self.name_entity: list[int] = []
        self.postings = Postings({}, np.empty(0, dtype=NIDS))
        self.imo: dict[str, list[int]] = defaultdict(list)
        self.mmsi: dict[str, list[int]] = defaultdict(list)
        self.documents: dict[str, list[int]] = defaultdict(list)
        self.wallets: dict[str, list[int]] = defaultdict(list)
        self.token_df: dict[str, int] = {}
        self.syllable_df: dict[str, int] = {}
        self.versions: dict[str, str] = {}
        self.token_weights = Informativeness({}, 1.0)
        self.key_weights = KeyWeights(1)
        self.syllable_weights = Informativeness({}, 1.0)
        self.vocabulary = Vocabulary.build({})

    def __len__(self) -> int:
        return len(self.records)

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        """The FtM dict of a listed entity, read and decoded on demand."""
        data = self.raw.get(entity_id)
        if data is None:
            location = self.locations.get(entity_id)
            if location is None:
                return None
            file_no, offset, length = location
            view = self._view(file_no)
            if view is None or offset + length > len(view):
                return None
            data = view[offset : offset + length]
        try:
            entity: dict[str, Any] = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        return entity if entity.get("id") == entity_id else None

    def _view(self, file_no: int) -> mmap.mmap | None:
        """The snapshot file mapped read-only, opened once.

        Result entities are read per answer; an ``open`` and ``seek`` per
        result was a measurable share of a service request. Snapshot files
        never change once written (they are content-addressed), and a
        mapping stays readable even if a pruned snapshot is deleted.
        """
        view = self._views.get(file_no)
        if view is None:
            with self._views_lock:
                view = self._views.get(file_no)
                if view is None:
                    try:
                        with open(self.files[file_no], "rb") as fh:
                            view = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                    except (OSError, ValueError):  # missing, or empty
                        return None
                    self._views[file_no] = view
        return view

    # -- weights ---------------------------------------------------------------

    def unknown_token(self, token: str) -> bool:
        return token not in self.token_df

    # -- building --------------------------------------------------------------

    @classmethod
    def build(
        cls, sources: Mapping[str, Source], versions: Mapping[str, str] | None = None
    ) -> Index:
        """Index entities, given per list name as dicts or as an FtM JSON-lines file.

        Entities read from a file (a snapshot's ``entities.ftm.json``) are
        not kept in memory: the index remembers where each one is in the
        file and :meth:`entity` reads it back on demand, which saves the
        largest single block of memory (remarks, addresses, reasons).

        The cyclic garbage collector is paused while building: the index is
        hundreds of thousands of small acyclic objects, and generation scans
        over them would cost a third of the build. Afterwards they are moved
        to the permanent generation (``gc.freeze``) so later collections, and
        query latency, do not pay for them either.
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            index = cls._build(sources, versions)
        finally:
            if was_enabled:
                gc.enable()
        gc.freeze()
        return index

    @classmethod
    def _build(cls, sources: Mapping[str, Source], versions: Mapping[str, str] | None) -> Index:
        index = cls()
        index.versions = dict(versions or {})
        pending_wallets: list[tuple[str, str, str]] = []
        # The same name is on several lists: each distinct (name, group,
        # Korean context) is analysed once. The analyser is handed each one
        # as it is met, so that a forked child can start on its share while
        # the lists are still being read.
        distinct: dict[NameKey, int] = {}
        analyser = NameAnalyser(blocking_keys, words=listed_words)
        try:
            occurrences = index._read(sources, distinct, analyser, pending_wallets)
        except BaseException:
            analyser.cancel()
            raise
        for addr, holder, _list_name in pending_wallets:
            idx = index.by_id.get(holder)
            if idx is not None:
                index.records[idx].wallets.add(addr)
                index.wallets[addr].append(idx)
        # The vocabulary needs only how many names use each word: a child
        # counts this process's share of them (the analyser's child counted
        # its own) and builds it while this process decodes the analyser's
        # forms, files the names and counts their words.
        vocabularies: list[Callable[[], Vocabulary]] = []
        parallel = len(distinct) >= PARALLEL_MIN_NAMES

        def vocabulary_soon(counts: WordCounts) -> None:
            vocabularies.append(_vocabulary_soon(counts, parallel))

        ents, kinds, slots = occurrences
        filed = analyser.filed(
            on_words=vocabulary_soon, uses=np.bincount(slots, minlength=len(distinct))
        )
        vocabulary = vocabularies[0]
        del distinct
        # The forms of the distinct names are numbered in their order: those
        # analysed here are objects, the forked analyser's stay marshal records
        # (decoded when a query first needs one, as from the index cache).
        # What the build counts of a form (its words, its first Korean
        # reading's given-name syllables) is kept per number. Each name
        # (a distinct name's form, met on an entity) is numbered in the order
        # the entities were read, and the numbers of its keys are gathered in
        # numpy (no Python int per key number).
        flat = [form for item in filed.forms for form in item]
        forms_per_name = np.fromiter(map(len, filed.forms), np.int64, len(filed.forms))
        count = forms_per_name[slots]
        refs_of = _ranges((np.cumsum(forms_per_name) - forms_per_name)[slots], count)
        refs: list[int] = refs_of.tolist()
        entity_of = np.repeat(ents, count)
        index.name_entity = entity_of.tolist()
        index.name_kind = [KINDS[k] for k in np.repeat(kinds, count).tolist()]
        # An entity's names are numbered one after the other.
        bounds = np.searchsorted(entity_of, np.arange(len(index.records) + 1)).tolist()
        for rec, first, end in zip(index.records, bounds, bounds[1:], strict=False):
            rec.name_ids = list(range(first, end))
        del occurrences, ents, kinds, slots, count, entity_of
        key_count = filed.sizes[refs_of]
        index.postings = _postings(
            filed.codes[_ranges(filed.starts[refs_of], key_count)],
            np.repeat(np.arange(len(refs), dtype=NIDS), key_count),
            analyser.key_names(),
        )
        # How many names use each word, and each given-name syllable of the
        # Korean readings (each process counted its share before the answer).
        token_df, korean_forms, syllable_df = filed.frequencies
        del filed, refs_of, key_count
        known = [form if isinstance(form, NameForm) else None for form in flat]
        if all(form is not None for form in known):
            index.forms = [known[ref] for ref in refs]  # type: ignore[misc]
        else:
            records = [b"" if isinstance(form, NameForm) else form[0] for form in flat]
            ends = np.cumsum(list(map(len, records)), dtype=np.uint64)
            index.forms = StoredForms(b"".join(records), ends.astype("<u8").tobytes(), refs, known)
            del records
        del flat
        index.vocabulary = vocabulary()
        index.token_df = token_df
        index.syllable_df = syllable_df
        index.finish(korean_forms)
        return index

    def _read(
        self,
        sources: Mapping[str, Source],
        distinct: dict[NameKey, int],
        analyser: NameAnalyser,
        pending_wallets: list[tuple[str, str, str]],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Read every list: records, identifier maps, and each name's place among
        the distinct names (each new one handed to ``analyser``). Gives the
        entity, the kind (its place in :data:`KINDS`) and the distinct name of
        every name, in three arrays."""
        ents: list[int] = []
        kinds: list[int] = []
        slots: list[int] = []
        for list_name, source in sources.items():
            for data, location in self._entries(source):
                schema = str(data.get("schema") or "")
                props: dict[str, list[str]] = data.get("properties") or {}
                if schema == "CryptoWallet" and props.get("holder"):
                    for key in props.get("publicKey", []):
                        addr = wallet_address(key)
                        if addr:
                            pending_wallets.append((addr, props["holder"][0], list_name))
                    continue
                if not is_subject(schema, False) or schema not in GROUP_OF_SCHEMA:
                    continue
                rec = self._add_record(list_name, data, schema, props, location)
                korean_context = rec.dprk or bool(rec.countries & KOREAN_COUNTRIES)
                for kind, (prop, _) in enumerate(NAME_PROPS):
                    for value in props.get(prop, []):
                        name = (value, rec.group, korean_context)
                        slot = distinct.get(name)
                        if slot is None:
                            slot = distinct[name] = len(distinct)
                            analyser.add(name)
                        ents.append(rec.idx)
                        kinds.append(kind)
                        slots.append(slot)
        int64 = np.int64
        return np.array(ents, int64), np.array(kinds, int64), np.array(slots, int64)

    _korean_forms: int = 1

    def finish(self, korean_forms: int) -> None:
        """Derive the weights from the counts (after building or loading).

        Every listed word's and syllable's weight is worked out here once,
        so that scoring looks them up in a dict instead of calling a method.
        """
        n = max(len(self.forms), 1)
        self.key_weights = KeyWeights(n)
        self._korean_forms = max(korean_forms, 1)
        log = math.log
        # A word or syllable never seen on the lists says the most.
        self.token_weights = Informativeness(
            {t: log(1.0 + len(self.forms) / df) for t, df in self.token_df.items()}, log(1.0 + n)
        )
        self.syllable_weights = Informativeness(
            {k: log(1.0 + self._korean_forms / df) for k, df in self.syllable_df.items()},
            log(1.0 + self._korean_forms),
        )

    def _entries(
        self, source: Source
    ) -> Iterator[tuple[dict[str, Any], tuple[int, int, int] | None]]:
        if not isinstance(source, Path):
            for data in source:
                yield data, None
            return
        file_no = len(self.files)
        self.files.append(str(source))
        offset = 0
        with source.open("rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line), (file_no, offset, len(line))
                offset += len(line)

    def _add_record(
        self,
        list_name: str,
        data: dict[str, Any],
        schema: str,
        props: dict[str, list[str]],
        location: tuple[int, int, int] | None = None,
    ) -> EntityRecord:
        entity_id = str(data["id"])
        programs = tuple(props.get("programId", []))
        names = props.get("name") or props.get("alias") or [entity_id]
        countries = frozenset(v for p in COUNTRY_PROPS for v in props.get(p, []))
        docs = frozenset(
            d for p in DOC_PROPS for v in props.get(p, []) if (d := document_number(v))
        )
        rec = EntityRecord(
            idx=len(self.records),
            id=entity_id,
            schema=schema,
            group=GROUP_OF_SCHEMA[schema],
            caption=str(data.get("caption") or names[0]),
            list_name=list_name,
            programs=programs,
            dprk=any_dprk(list_name, programs, countries),
            birth_dates=frozenset(v[:10] for v in props.get("birthDate", []) if v[:4].isdigit()),
            countries=countries,
            gender=frozenset(props.get("gender", [])),
            imo=frozenset(i for v in props.get("imoNumber", []) if (i := imo_number(v))),
            mmsi=frozenset(m for v in props.get("mmsi", []) if (m := mmsi_number(v))),
            documents=docs,
        )
        if schema == "CryptoWallet":
            for key in props.get("publicKey", []):
                addr = wallet_address(key)
                if addr:
                    rec.wallets.add(addr)
                    self.wallets[addr].append(rec.idx)
        self.records.append(rec)
        self.by_id[entity_id] = rec.idx
        if location is None:
            self.raw[entity_id] = orjson.dumps(data)
        else:
            self.locations[entity_id] = location
        for i in rec.imo:
            self.imo[i].append(rec.idx)
        for m in rec.mmsi:
            self.mmsi[m].append(rec.idx)
        for d in docs:
            self.documents[d].append(rec.idx)
        return rec
