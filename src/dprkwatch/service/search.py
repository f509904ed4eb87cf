"""Text search over every entity of the active lists: yente's ``/search``, without Elasticsearch.

yente's ``/search`` is an Elasticsearch ``query_string`` over names (boosted
three times) and all text, inside filters (dataset scope, schema with its
descendants, countries, topics, datasets, ``changed_since``, ``target``,
``field:value``), with facet counts and sorting. This module does the same
over an in-memory inverted index built from the :class:`EntityStore`:

* a query is words, all required by default; ``"quoted phrases"``,
  ``OR``, ``AND``, ``NOT``/``-word``, ``field:value``, ``word*`` (prefix)
  and ``word~`` (typos) are understood; malformed syntax (an unclosed
  quote, bracket or ``/``) is a :class:`SearchSyntaxError` unless the
  query is ``simple``, where every special character is just a separator;
* ``fuzzy`` lets every word match words one or two edits away;
* each result's score is the sum over its query words of the word's
  rarity, three times when the word is in a name, plus yente's bonus for
  large entities (the square root of half its number of values); ties go
  to the entity id, so a page is always a prefix of a longer page;
* ``total`` counts every entity matching, not only the page.

Words are compared case- and accent-insensitively.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from followthemoney import model
from followthemoney.types import registry
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dprkwatch.exceptions import InputError
from dprkwatch.service.entities import EntityStore

FACETS = ("countries", "topics", "datasets", "schema", "identifiers", "genders")
DEFAULT_FACETS = ("countries", "topics", "datasets")
NAME_BOOST = 3.0
_WORD = re.compile(r"\w+", re.UNICODE)
IDS = np.int32
# Filter tables kept (see SearchIndex._member) before they are all dropped.
MEMBER_TABLES = 64


class SearchSyntaxError(InputError):
    """A search query that cannot be parsed (an unclosed quote, bracket or slash)."""


def fold(text: str) -> str:
    """Lower case without accents: how words are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _csr(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    values = np.fromiter((v for r in rows for v in r), dtype=IDS, count=int(indptr[-1]))
    return indptr, values


def _gather(indptr: np.ndarray, values: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """The values of rows ``docs`` of a CSR matrix, concatenated."""
    if len(docs) == 0:
        return np.empty(0, dtype=IDS)
    starts = indptr[docs]
    lengths = indptr[docs + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=IDS)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return values[offsets + np.arange(total)]


class Vocabulary:
    """Codes for the distinct values of one field (countries, topics...)."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.names: list[str] = []

    def code(self, value: str) -> int:
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.names)
            self.names.append(value)
        return code


@dataclass
class Term:
    """One word (or phrase part) of a query and how it may match."""

    text: str
    field: str | None = None  # None: names and text
    prefix: bool = False
    fuzzy: bool = False
    negate: bool = False


@dataclass
class Parsed:
    """A query: alternatives (OR) of conjunctions (AND) of terms."""

    clauses: list[list[Term]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.clauses)


def parse(query: str, *, simple: bool = False, fuzzy: bool = False) -> Parsed:
    """Read a query string (see the module docstring for the syntax)."""
    if simple:
        terms = [Term(w, fuzzy=fuzzy) for w in words(query)]
        return Parsed([terms] if terms else [])
    if query.count('"') % 2:
        raise SearchSyntaxError("unclosed quote in the query", where="q")
    if query.count("/") % 2:
        raise SearchSyntaxError("unclosed '/' in the query (regular expression)", where="q")
    if query.count("(") != query.count(")") or query.count("[") != query.count("]"):
        raise SearchSyntaxError("unbalanced brackets in the query", where="q")
    if "/" in query:
        raise SearchSyntaxError("regular expressions are not supported", where="q")
    clauses: list[list[Term]] = [[]]
    negate_next = False
    for token in re.findall(r'[-+]?(?:[\w.]+:)?"[^"]*"|\S+', query):
        if token == "OR" or token == "||":
            clauses.append([])
            continue
        if token in ("AND", "&&"):
            continue
        if token in ("NOT", "!"):
            negate_next = True
            continue
        negate = negate_next or token.startswith("-")
        negate_next = False
        token = token.lstrip("+-").strip("()")
        field_name: str | None = None
        head, sep, rest = token.partition(":")
        if sep and rest and not head.startswith('"'):
            field_name, token = head, rest
        is_prefix = token.endswith("*")
        is_fuzzy = fuzzy or bool(re.search(r"~\d*$", token))
        token = re.sub(r"~\d*$", "", token).rstrip("*").strip('"')
        if field_name is not None and not field_name.startswith(("names", "text")):
            clauses[-1].append(Term(token, field=field_name, negate=negate))
            continue
        parts = words(token)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            clauses[-1].append(
                Term(
                    part,
                    field="names" if field_name and field_name.startswith("names") else None,
                    prefix=is_prefix and last,
                    fuzzy=is_fuzzy,
                    negate=negate,
                )
            )
    return Parsed([c for c in clauses if c])


@dataclass(frozen=True)
class Request:
    """What a ``/search`` asks, after the route has read its parameters."""

    q: str = ""
    lists: frozenset[str] | None = None  # None: every list
    only: frozenset[str] | None = None  # None: any entity; else only these ids
    schemata: frozenset[str] | None = None  # None: any
    exclude_schema: frozenset[str] = frozenset()
    filters: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    filter_and: bool = False
    changed_since: str | None = None
    fuzzy: bool = False
    simple: bool = False
    sort: Sequence[tuple[str, bool]] = ()  # (field, descending)
    facets: Sequence[str] = DEFAULT_FACETS
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True)
class Found:
    ids: list[str]
    total: int
    facets: dict[str, list[tuple[str, int]]]


class SearchIndex:
    """The inverted index and per-entity columns search needs, over one :class:`EntityStore`."""

    def __init__(self, store: EntityStore) -> None:
        self.store = store
        self.ids: list[str] = list(store.iter_ids())
        n = len(self.ids)
        self.position = {eid: i for i, eid in enumerate(self.ids)}
        self.schemas = Vocabulary()
        self.lists = Vocabulary()
        self.fields: dict[str, Vocabulary] = {f: Vocabulary() for f in FACETS}
        schema = np.zeros(n, dtype=IDS)
        list_code = np.zeros(n, dtype=IDS)
        target = np.zeros(n, dtype=bool)
        size = np.zeros(n, dtype=np.float64)
        multi: dict[str, list[list[int]]] = {
            f: [] for f in ("countries", "topics", "identifiers", "genders", "datasets")
        }
        names: dict[str, list[int]] = {}
        text: dict[str, list[int]] = {}
        self.changed: list[str] = []
        self.first: list[str] = []
        self.last: list[str] = []
        self.captions: list[str] = []
        for i, eid in enumerate(self.ids):
            meta = store.meta[eid]
            data = store.raw(eid) or {}
            props: Mapping[str, list[Any]] = data.get("properties") or {}
            schema_obj = model.get(meta.schema)
            schema[i] = self.schemas.code(meta.schema)
            list_code[i] = self.lists.code(meta.list_name)
            target[i] = meta.target
            seen = meta.seen
            self.changed.append(seen.last_change if seen else "")
            self.first.append(seen.first_seen if seen else "")
            self.last.append(seen.last_seen if seen else "")
            self.captions.append(str(data.get("caption") or ""))
            groups: dict[str, set[str]] = {f: set() for f in multi}
            groups["datasets"].update(meta.datasets)
            count = 0
            name_words: set[str] = set()
            text_words: set[str] = set()
            for prop_name, values in props.items():
                prop = schema_obj.get(prop_name) if schema_obj is not None else None
                if prop is None or prop.type == registry.entity:
                    continue
                for value in values:
                    if not isinstance(value, str):
                        continue
                    count += 1
                    found = words(value)
                    text_words.update(found)
                    if prop.type == registry.name:
                        name_words.update(found)
                    elif prop.type == registry.country:
                        groups["countries"].add(value)
                    elif prop.type == registry.topic:
                        groups["topics"].add(value)
                    elif prop.type == registry.identifier:
                        groups["identifiers"].add(value)
                    elif prop.type == registry.gender:
                        groups["genders"].add(value)
            size[i] = count
            for w in name_words:
                names.setdefault(w, []).append(i)
            for w in text_words:
                text.setdefault(w, []).append(i)
            for f, values_ in groups.items():
                multi[f].append([self.fields[f].code(v) for v in sorted(values_)])
        self.schema = schema
        self.list_code = list_code
        self.target = target
        self.bonus = np.sqrt(0.5 * size)
        self.multi = {f: _csr(rows) for f, rows in multi.items()}
        self.names = {w: _frozen(np.asarray(d, dtype=IDS)) for w, d in names.items()}
        self.text = {w: _frozen(np.asarray(d, dtype=IDS)) for w, d in text.items()}
        self.vocabulary = sorted(self.text)
        self.name_vocabulary = sorted(self.names)
        self.n = n
        # Each entity's place in id order: the last tie-break of a page, compared as
        # numbers instead of as the ids themselves (a string per entity found).
        self.id_rank = np.empty(n, dtype=np.int64)
        self.id_rank[sorted(range(n), key=self.ids.__getitem__)] = np.arange(n)
        # A word's scores (rarity, boosted where it is in a name), made the first time
        # a search asks for the word: a name search is a few words, and working the
        # boost out again (which postings are also names) was most of its own CPU.
        self._scores: dict[tuple[bool, str], np.ndarray] = {}
        # Which codes a list or schema filter keeps, as a table indexed by code.
        self._members: dict[tuple[str, frozenset[str]], np.ndarray] = {}

    # -- words ----------------------------------------------------------------

    def _idf(self, docs: int) -> float:
        return math.log(1.0 + self.n / max(1, docs))

    def _expand(self, term: Term, vocabulary: list[str]) -> list[str]:
        word = term.text
        if term.prefix:
            start = bisect_left(vocabulary, word)
            out = []
            for w in vocabulary[start:]:
                if not w.startswith(word):
                    break
                out.append(w)
                if len(out) >= 200:
                    break
            return out
        if term.fuzzy and len(word) >= 3:
            edits = 1 if len(word) <= 5 else 2
            found = process.extract(
                word, vocabulary, scorer=Levenshtein.distance, score_cutoff=edits, limit=50
            )
            return [w for w, _, _ in found]
        return [word]

    def _term_docs(self, term: Term) -> tuple[np.ndarray, np.ndarray]:
        """(documents matching ``term``, their score for it)."""
        if term.field is not None and term.field != "names":
            docs = self._field_docs(term.field, term.text)
            return docs, np.zeros(len(docs))
        vocab = self.name_vocabulary if term.field == "names" else self.vocabulary
        table = self.names if term.field == "names" else self.text
        docs_list: list[np.ndarray] = []
        score_list: list[np.ndarray] = []
        in_names = term.field == "names"
        for w in self._expand(term, vocab):
            hits = table.get(w)
            if hits is None:
                continue
            docs_list.append(hits)
            score_list.append(self._word_scores(in_names, w, hits))
        if not docs_list:
            return np.empty(0, dtype=IDS), np.empty(0)
        if len(docs_list) == 1:  # a posting list is sorted and unique already
            return docs_list[0], score_list[0]
        docs = np.concatenate(docs_list)
        scores = np.concatenate(score_list)
        unique, inverse = np.unique(docs, return_inverse=True)
        best = np.zeros(len(unique))
        np.maximum.at(best, inverse, scores)
        return unique.astype(IDS), best

    def _word_scores(self, in_names: bool, word: str, hits: np.ndarray) -> np.ndarray:
        """The score of each of ``hits`` (the postings of ``word``) for that word."""
        key = (in_names, word)
        found = self._scores.get(key)
        if found is None:
            idf = self._idf(len(hits))
            named = self.names.get(word)
            boost = np.ones(len(hits))
            if named is not None:
                boost[np.isin(hits, named, assume_unique=True)] = NAME_BOOST
            found = self._scores[key] = _frozen(idf * boost)
        return found

    def _member(self, kind: str, wanted: frozenset[str]) -> np.ndarray:
        """A table over the codes of ``kind`` (lists, schemas): True for those ``wanted``."""
        key = (kind, wanted)
        table = self._members.get(key)
        if table is None:
            vocab = self.lists if kind == "lists" else self.schemas
            table = np.zeros(max(1, len(vocab.names)), dtype=bool)
            table[[vocab.codes[n] for n in wanted if n in vocab.codes]] = True
            if len(self._members) >= MEMBER_TABLES:  # callers' filters are few; stay bounded
                self._members.clear()
            self._members[key] = _frozen(table)
        return table

    def _field_docs(self, name: str, value: str) -> np.ndarray:
        """Documents whose field ``name`` (facet field, schema, target, properties.X) is ``value``."""
        if name == "schema":
            code = self.schemas.codes.get(value)
            return np.flatnonzero(self.schema == code).astype(IDS) if code is not None else _none()
        if name == "target":
            flag = str(value).lower() in ("true", "1", "yes")
            return np.flatnonzero(self.target == flag).astype(IDS)
        if name in self.multi:
            code = self.fields[name].codes.get(str(value))
            if code is None:
                return _none()
            indptr, values = self.multi[name]
            rows = np.repeat(np.arange(self.n), np.diff(indptr))
            return np.unique(rows[values == code]).astype(IDS)
        if name.startswith("properties."):
            prop = name.split(".", 1)[1]
            hits = [
                i
                for i, eid in enumerate(self.ids)
                if value in ((self.store.raw(eid) or {}).get("properties") or {}).get(prop, ())
            ]
            return np.asarray(hits, dtype=IDS)
        return _none()

    # -- searching ------------------------------------------------------------

    def _match(self, parsed: Parsed) -> tuple[np.ndarray, np.ndarray]:
        if parsed.empty:
            return np.arange(self.n, dtype=IDS), np.zeros(self.n)
        all_docs: list[np.ndarray] = []
        all_scores: list[np.ndarray] = []
        for clause in parsed.clauses:
            docs: np.ndarray | None = None
            positive: list[tuple[np.ndarray, np.ndarray]] = []
            excluded: list[np.ndarray] = []
            for term in clause:
                found, points = self._term_docs(term)
                if term.negate:
                    excluded.append(found)
                    continue
                positive.append((found, points))
                docs = found if docs is None else np.intersect1d(docs, found, assume_unique=True)
            if docs is None:  # only negations: everything else
                docs = np.arange(self.n, dtype=IDS)
            for drop in excluded:
                docs = np.setdiff1d(docs, drop, assume_unique=True)
            # Each term's points at the documents left (all in its sorted postings),
            # added in the order of the terms.
            score = np.zeros(len(docs))
            for found, points in positive:
                score += points[np.searchsorted(found, docs)]
            all_docs.append(docs)
            all_scores.append(score)
        if len(all_docs) == 1:  # one clause: its documents are sorted and unique already
            return all_docs[0].astype(IDS, copy=False), all_scores[0]
        docs = np.concatenate(all_docs)
        scores = np.concatenate(all_scores)
        unique, inverse = np.unique(docs, return_inverse=True)
        best = np.zeros(len(unique))
        np.maximum.at(best, inverse, scores)
        return unique.astype(IDS), best

    def _allowed(self, req: Request, docs: np.ndarray) -> np.ndarray:
        """A mask over ``docs`` of those inside the request's filters.

        Worked out for the documents the words found, not for every
        document: the list and schema filters of a plain search cover
        tens of thousands of entities, and testing them all was about a
        quarter of a ``/search`` request's CPU.
        """
        keep = np.ones(len(docs), dtype=bool)
        if req.lists is not None:
            keep &= self._member("lists", req.lists)[self.list_code[docs]]
        if req.schemata is not None:
            keep &= self._member("schemas", req.schemata)[self.schema[docs]]
        if req.exclude_schema:
            codes = [self.schemas.codes[n] for n in req.exclude_schema if n in self.schemas.codes]
            keep &= ~np.isin(self.schema[docs], codes)
        if req.only is not None:
            keep &= np.isin(
                docs,
                np.asarray([self.position[i] for i in req.only if i in self.position], dtype=IDS),
            )
        if req.changed_since is not None:
            since = req.changed_since
            changed = self.changed
            keep &= np.fromiter((changed[i] > since for i in docs), dtype=bool, count=len(docs))
        for name, values in req.filters.items():
            masks = []
            for value in values:
                mask = np.zeros(self.n, dtype=bool)
                mask[self._field_docs(name, str(value))] = True
                masks.append(mask)
            if masks:
                combined = masks[0]
                for m in masks[1:]:
                    combined = (combined & m) if req.filter_and else (combined | m)
                keep &= combined[docs]
        return keep

    def search(self, req: Request) -> Found:
        parsed = parse(req.q, simple=req.simple, fuzzy=req.fuzzy)
        docs, scores = self._match(parsed)
        keep = self._allowed(req, docs)
        docs, scores = docs[keep], scores[keep] + self.bonus[docs[keep]]
        order = self._order(docs, scores, req.sort)
        page = docs[order[req.offset : req.offset + req.limit]] if req.limit > 0 else docs[:0]
        facets = {f: self._facet(f, docs) for f in req.facets}
        return Found([self.ids[i] for i in page], len(docs), facets)

    def _order(
        self, docs: np.ndarray, scores: np.ndarray, sort: Sequence[tuple[str, bool]]
    ) -> np.ndarray:
        """Positions of ``docs`` in answer order: the requested sorts, then score, then id."""
        if len(docs) == 0:
            return np.empty(0, dtype=np.int64)
        keys: list[np.ndarray] = [self.id_rank[docs], -scores]
        for name, descending in reversed(sort):
            column = self._sort_column(name)
            if column is None:
                continue
            values = [column[i] for i in docs]
            present = np.asarray([v != "" for v in values])
            ranks = np.unique(np.asarray(values), return_inverse=True)[1]
            ranks = -ranks if descending else ranks
            keys.extend([ranks, ~present])  # missing values last
        return np.lexsort(keys)

    def _sort_column(self, name: str) -> list[str] | None:
        return {
            "first_seen": self.first,
            "last_seen": self.last,
            "last_change": self.changed,
            "caption": self.captions,
        }.get(name)

    def _facet(self, name: str, docs: np.ndarray) -> list[tuple[str, int]]:
        if name == "schema":
            codes = self.schema[docs]
            vocab = self.schemas
        elif name in self.multi:
            indptr, values = self.multi[name]
            codes = _gather(indptr, values, docs)
            vocab = self.fields[name]
        else:
            return []
        if len(codes) == 0:
            return []
        counts = np.bincount(codes, minlength=len(vocab.names))
        present = np.flatnonzero(counts)
        pairs = [(vocab.names[c], int(counts[c])) for c in present]
        return sorted(pairs, key=lambda p: (-p[1], p[0]))[:1000]

    # -- reconciliation ---------------------------------------------------------

    def prefix(
        self,
        text: str,
        lists: Iterable[str] | None,
        limit: int,
        offset: int = 0,
        schemata: frozenset[str] | None = None,
    ) -> list[str]:
        """Entities whose names hold every word of ``text``, the last one as a prefix.

        ``offset`` skips the first of them (a suggest box's ``cursor``), ``schemata``
        (None: any) keeps those of the given types."""
        parts = words(text)
        if not parts:
            return []
        terms = [Term(p, field="names") for p in parts[:-1]]
        terms.append(Term(parts[-1], field="names", prefix=True))
        req = Request(
            lists=frozenset(lists) if lists is not None else None,
            schemata=schemata,
            limit=limit,
            facets=(),
        )
        docs, scores = self._match(Parsed([terms]))
        keep = self._allowed(req, docs)
        docs, scores = docs[keep], scores[keep] + self.bonus[docs[keep]]
        order = self._order(docs, scores, ())
        return [self.ids[i] for i in docs[order[offset : offset + limit]]]


def _none() -> np.ndarray:
    return np.empty(0, dtype=IDS)


def _frozen(array: np.ndarray) -> np.ndarray:
    """``array``, read-only: postings and cached scores are handed to every search."""
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=256)
def schema_filter(name: str) -> frozenset[str]:
    """The schemata a search for ``name`` covers: what it can match, and its descendants."""
    schema = model.get(name)
    if schema is None:
        raise InputError(f"unknown schema {name!r}", where="schema")
    found = set(schema.matchable_schemata)
    if not schema.matchable:
        found.update(schema.descendants)
    found.add(schema)
    return frozenset(s.name for s in found)


def parse_sorts(values: Iterable[str]) -> list[tuple[str, bool]]:
    """``field:asc|desc`` strings as (field, descending)."""
    out = []
    for value in values:
        name, _, order = value.rpartition(":") if ":" in value else (value, "", "asc")
        out.append((name, order.lower() == "desc"))
    return out
