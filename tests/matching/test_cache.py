"""The on-disk index cache: identical results, safe against bad files."""

from __future__ import annotations

import io
import marshal
from collections import Counter
from itertools import chain
from pathlib import Path

import pytest

from dprkwatch.forking import fork_is_safe
from dprkwatch.lists import SnapshotStore, import_paths
from dprkwatch.matching import Query, Screener, analysis_pool
from dprkwatch.matching import cache as index_cache
from dprkwatch.matching import index as index_module
from dprkwatch.matching.index import Index
from tests.matching.conftest import cache_files

QUERIES = [
    Query("Person", {"name": ["Lee Soo-yong"]}),
    Query("Person", {"name": ["리수용"], "birthDate": ["1940"]}),
    Query("Organization", {"name": ["Joseon Gwangseon Bank"]}),
    Query("Vessel", {"imoNumber": ["8660313"]}),
    Query("CryptoWallet", {"publicKey": ["0x098b716b8aaf21512996dc57eb0615e2383e2f96"]}),
    Query("Thing", {"name": ["Cheonmasan"]}),
]


def test_a_cached_index_screens_exactly_like_a_fresh_one(store: SnapshotStore) -> None:
    fresh = Screener.from_store(store, cache=False)
    assert cache_files(store) == []
    built = Screener.from_store(store)
    [path] = cache_files(store)
    loaded = Screener.from_store(store)
    assert loaded.index.forms == fresh.index.forms
    assert loaded.index.postings == fresh.index.postings
    for q in QUERIES:
        expected = fresh.screen(q)
        assert built.screen(q) == expected
        assert loaded.screen(q) == expected
    assert loaded.get("us-1007") == fresh.get("us-1007")
    data = path.read_bytes()
    size = int.from_bytes(data[:8], "little")
    assert marshal.loads(data[8 : 8 + size])["format"] == index_cache.CACHE_FORMAT, (
        "plain marshal data"
    )


def test_a_corrupt_cache_is_ignored_and_rewritten(store: SnapshotStore) -> None:
    Screener.from_store(store)
    [path] = cache_files(store)
    for junk in (
        b"",
        b"\x00" * 40,
        path.read_bytes()[:1000],
        (12).to_bytes(8, "little") + marshal.dumps({"format": 0}),
    ):
        path.write_bytes(junk)
        screener = Screener.from_store(store)
        assert screener.screen(QUERIES[0])[0].entity_id in {"us-1002", "eu-13"}
        assert path.read_bytes() != junk, "rebuilt and saved again"


def test_new_snapshots_get_a_new_cache_file(store: SnapshotStore, tmp_path: Path) -> None:
    Screener.from_store(store)
    extra = tmp_path / "extra.ftm.json"
    extra.write_text(
        '{"id": "x-1", "schema": "Person", "datasets": ["extra"], "properties": {"name": ["Pak Pong Ju"]}}\n',
        encoding="utf-8",
    )
    import_paths(store, [extra])
    screener = Screener.from_store(store)
    assert len(cache_files(store)) == 2
    assert "ftm_extra" in screener.versions
    assert screener.get("x-1") is not None


def test_the_key_covers_lists_algorithm_and_code() -> None:
    a = index_cache.cache_key({"un": "v1", "ofac": "v2"}, "dprkwatch-match-v1")
    assert a == index_cache.cache_key({"ofac": "v2", "un": "v1"}, "dprkwatch-match-v1")
    assert a != index_cache.cache_key({"ofac": "v3", "un": "v1"}, "dprkwatch-match-v1")
    assert a != index_cache.cache_key({"ofac": "v2", "un": "v1"}, "dprkwatch-match-v2")
    assert len(index_cache.CODE_FINGERPRINT) == 16


def test_a_removed_snapshot_file_invalidates_the_cache(store: SnapshotStore) -> None:
    screener = Screener.from_store(store)
    [path] = cache_files(store)
    data = path.read_bytes()
    moved = Path(screener.index.files[0])
    moved.rename(moved.with_suffix(".gone"))
    assert index_cache.load(path) is None
    moved.with_suffix(".gone").rename(moved)
    assert index_cache.read(data).versions == screener.versions


def test_a_loaded_index_decodes_only_the_name_forms_a_query_compares(
    store: SnapshotStore,
) -> None:
    fresh = Screener.from_store(store, cache=False)
    Screener.from_store(store)
    loaded = Screener.from_store(store)
    forms = loaded.index.forms
    assert isinstance(forms, index_cache.StoredForms)
    assert forms.decoded() == 0
    results = loaded.screen(QUERIES[0])
    assert results == fresh.screen(QUERIES[0])
    assert 0 < forms.decoded() < len(set(forms.refs()))
    # Written out again (as a Spark driver ships a loaded index), it reads back the same.
    again = index_cache.read(_dumped(loaded.index))
    assert again.forms == fresh.index.forms
    assert list(forms[1:3]) == fresh.index.forms[1:3]


def test_a_cache_whose_name_forms_do_not_add_up_is_refused(store: SnapshotStore) -> None:
    screener = Screener.from_store(store, cache=False)
    blob, ends = index_cache._form_block(screener.index)
    refs = index_cache._part(screener.index, "form_refs")
    assert len(index_cache.StoredForms(blob, ends, refs)) == len(screener.index.forms)
    for bad_blob, bad_ends, bad_refs in (
        (blob[:-1], ends, refs),  # the block is cut short
        (blob, ends[:-3], refs),  # an offset is cut in half
        (blob, ends[8:16] + ends[:8] + ends[16:], refs),  # offsets out of order
        (blob, ends, [*refs, len(refs) + 5]),  # a name refers past the last form
        (blob, ends, "not a list"),
    ):
        with pytest.raises(ValueError, match=r"index cache|unknown forms"):
            index_cache.StoredForms(bad_blob, bad_ends, bad_refs)  # type: ignore[arg-type]


def _dumped(index: Index) -> bytes:
    buffer = io.BytesIO()
    index_cache.dump(index, buffer)
    return buffer.getvalue()


@pytest.mark.skipif(not fork_is_safe(), reason="this process may not fork")
def test_a_forked_build_keeps_the_analysers_forms_encoded_and_equal(
    store: SnapshotStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The forked analyser's forms stay marshal records until a query needs one;
    the index is the same by value as one built in one process, screens the
    same, and is written to the cache and read back the same."""
    monkeypatch.setattr(analysis_pool, "PARALLEL_MIN_NAMES", 1_000_000)
    alone = Screener.from_store(store, cache=False)
    assert isinstance(alone.index.forms, list)
    monkeypatch.setattr(analysis_pool, "PARALLEL_MIN_NAMES", 5)
    monkeypatch.setattr(index_module, "PARALLEL_MIN_NAMES", 5)
    forked = Screener.from_store(store, cache=False)
    forms = forked.index.forms
    assert isinstance(forms, index_cache.StoredForms)
    decoded_before = forms.decoded()
    assert 0 < decoded_before < len(set(forms.refs())), "some forms here, some from the child"
    for part in ("name_kind", "name_entity", "token_df", "syllable_df", "_korean_forms"):
        assert getattr(forked.index, part) == getattr(alone.index, part), part
    # Counted per name (a name used on two entities counts twice), by each
    # process over its own share.
    names = list(alone.index.forms)
    assert alone.index.token_df == Counter(chain.from_iterable(set(f.tokens) for f in names))
    korean = [f.korean[0] for f in names if f.korean]
    assert alone.index._korean_forms == max(len(korean), 1)
    assert alone.index.syllable_df == Counter(
        chain.from_iterable({s.coarse for s in k.given} for k in korean)
    )
    assert forked.index.postings == alone.index.postings
    assert forked.index.vocabulary.to_plain() == alone.index.vocabulary.to_plain()
    assert [r.name_ids for r in forked.index.records] == [r.name_ids for r in alone.index.records]
    for q in QUERIES:
        assert forked.screen(q) == alone.screen(q)
    assert forms.decoded() > decoded_before, "decoded as the queries needed them"
    again = index_cache.read(_dumped(forked.index))
    assert again.forms == alone.index.forms == forms
    assert list(forms) == list(alone.index.forms)
