"""Name analysis and the vocabulary of index builds: the forked children must change
nothing but the speed."""

from __future__ import annotations

import marshal
import multiprocessing
import os
import threading
from array import array
from collections import Counter
from collections.abc import Callable
from itertools import chain
from typing import Any

import pytest

from dprkwatch.forking import fork_is_safe
from dprkwatch.lists.names import detect_script
from dprkwatch.matching import analysis_pool
from dprkwatch.matching import index as index_module
from dprkwatch.matching.analysis import (
    NameForm,
    analyze_name,
    form_from_plain,
    form_to_plain,
    script_of,
)
from dprkwatch.matching.analysis_pool import NameKey, analyse_names
from dprkwatch.matching.index import build_vocabulary
from dprkwatch.matching.keys import blocking_keys, listed_words

NAMES: list[NameKey] = [
    ("Ri Su Yong", "person", True),
    ("리수용", "person", False),
    ("金正恩", "person", False),
    ("Korea Kwangson Banking Corp (KKBC)", "org", True),
    ("조선릉라도무역총회사", "org", True),
    ("CHON MA SAN", "vessel", True),
    ("محمد علي", "person", False),
    ("Шевченко Андрій", "person", False),
    ("Jong-un Kim", "any", False),
    ("KUM UN SAN 3", "vessel", False),
    ("", "person", False),
]


def many_names(n: int) -> list[NameKey]:
    """Distinct names of every kind (the fixed ones, then numbered variants)."""
    out = list(NAMES)
    i = 0
    while len(out) < n:
        text, group, korean = NAMES[i % len(NAMES)]
        out.append((f"{text} {i}", group, korean))
        i += 1
    return out


def test_forked_analysis_equals_in_process_analysis() -> None:
    names = many_names(300)
    alone = analyse_names(names, blocking_keys, parallel=False)
    forked = analyse_names(names, blocking_keys, parallel=True)
    assert forked == alone
    assert len(forked) == len(names)
    # Keys travel with their forms.
    for analysed in forked:
        for form, keys in analysed:
            assert set(keys) == blocking_keys(form)


def test_a_failed_child_is_replaced_by_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    names = many_names(60)

    def dies(*_args: object) -> None:
        os._exit(3)  # a killed or crashed child sends nothing

    monkeypatch.setattr(analysis_pool, "_encode", dies)
    assert analyse_names(names, blocking_keys, parallel=True) == analyse_names(
        names, blocking_keys, parallel=False
    )


def _answer(
    plain: Any, keys: Any, counts: Any, codes: Any, sizes: Any, counted: Any = ({}, 0, {})
) -> bytes:
    """A child's answer: each name's plain forms, the keys by number, the word
    counts, the key numbers of every form with how many each has (int32), and
    the forms' frequencies."""
    return marshal.dumps((plain, keys, counts, codes, sizes, counted))


def _ints(*numbers: int) -> bytes:
    return array("i", numbers).tobytes()


def test_garbled_child_output_is_not_trusted() -> None:
    form = _forms(1)[0]
    plain = analysis_pool.encode_form(form)
    assert analysis_pool._decode(b"not marshal", 3) is None
    # Answers for two names, not three.
    assert analysis_pool._decode(_answer([(), ()], [], {}, b"", b""), 3) is None
    assert analysis_pool._decode(marshal.dumps({"a": 1}), 1) is None
    assert analysis_pool._decode(marshal.dumps(([()], [], {})), 1) is None  # an old layout
    assert analysis_pool._decode(marshal.dumps(([()], [], {}, b"", b"")), 1) is None
    assert analysis_pool._decode(_answer([()], [], {}, b"", b"", ({}, 0)), 1) is None
    assert analysis_pool._decode(_answer([()], "keys", {}, b"", b""), 1) is None
    assert analysis_pool._decode(_answer([()], [], [], b"", b""), 1) is None
    assert analysis_pool._decode(_answer([5], [], {}, b"", b""), 1) is None
    assert analysis_pool._decode(_answer([("x",)], ["k"], {}, _ints(0), _ints(1)), 1) is None
    assert analysis_pool._decode(_answer([(plain[1:],)], ["k"], {}, _ints(0), _ints(1)), 1) is None
    garbled = (b"not marshal", *plain[1:])
    assert analysis_pool._decode(_answer([(garbled,)], ["k"], {}, _ints(0), _ints(1)), 1) is None
    assert analysis_pool._decode(_answer([(plain,)], ["k"], {}, [0], _ints(1)), 1) is None
    assert analysis_pool._decode(_answer([(plain,)], ["k"], {}, b"\0\0", _ints(1)), 1) is None
    # Key numbers that do not add up to the forms' counts, or number no key sent.
    assert analysis_pool._decode(_answer([(plain,)], ["k"], {}, _ints(0, 0), _ints(1)), 1) is None
    assert analysis_pool._decode(_answer([(plain,)], ["k"], {}, _ints(0), _ints(1, 0)), 1) is None
    assert analysis_pool._decode(_answer([(plain,)], ["k"], {}, _ints(1), _ints(1)), 1) is None
    assert analysis_pool._decode(_answer([(plain,)], ["k"], {}, _ints(-1), _ints(1)), 1) is None
    assert (
        analysis_pool._decode(_answer([(plain,)], ["k"], {}, _ints(0, 0), _ints(-1, 3)), 1) is None
    )
    # Well-formed: renumbered into the numbers given (the child's keys added),
    # decoded, or left as sent.
    numbers = {"x": 0, "t:ri": 1}
    good = _answer([(plain, plain), ()], ["t:ri", "k"], {}, _ints(1, 0, 1), _ints(2, 1))
    decoded = analysis_pool._decode(good, 2, numbers)
    assert decoded is not None
    assert decoded[0] == [(form, form), ()]
    assert decoded[1].tolist() == [2, 1, 2] and decoded[2].tolist() == [2, 1]
    assert decoded[3] == ({}, 0, {})
    assert numbers == {"x": 0, "t:ri": 1, "k": 2}
    sent = analysis_pool._decode(good, 2, numbers, encoded=True)
    assert sent is not None
    assert sent[0] == [(plain, plain), ()]
    assert sent[1].tolist() == [2, 1, 2] and sent[2].tolist() == [2, 1]
    assert plain[1] == form.tokens and plain[2] == tuple(s.coarse for s in form.korean[0].given)
    # Well-formed, but numbering keys the child never sent: analysed here instead.
    analyser = analysis_pool.NameAnalyser(blocking_keys, parallel=False)
    analyser.add(NAMES[0])
    assert analyser._decode(_answer([(plain,)], ["t:ri"], {"ri": 1}, _ints(0, 5), _ints(2))) is None
    ((form, codes),) = analyser.results()[0]
    assert form == _forms(1)[0]
    assert {analyser.key_names()[c] for c in codes} == blocking_keys(form)


@pytest.mark.skipif(not fork_is_safe(), reason="this process may not fork")
@pytest.mark.parametrize("chunk", [1, 7, 256])
def test_names_streamed_to_the_child_as_they_are_met(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Forked at the n-th name and sent the rest in chunks while more are added,
    the child's share comes back in order, its keys renumbered as here."""
    names = many_names(500)
    monkeypatch.setattr(analysis_pool, "PARALLEL_MIN_NAMES", 50)
    monkeypatch.setattr(analysis_pool, "CHUNK", chunk)
    monkeypatch.setattr(analysis_pool, "POLL", 3)
    analyser = analysis_pool.NameAnalyser(blocking_keys, words=listed_words)
    for name in names:
        analyser.add(name)
    assert analyser._child is not None, "forked"
    assert analyser._theirs and analyser._mine
    told: list[Callable[[], Counter[str]]] = []
    streamed = analyser.results(on_words=told.append)
    key_names = analyser.key_names()
    alone = analyse_names(names, blocking_keys, parallel=False)
    assert [
        tuple((form, tuple(key_names[c] for c in codes)) for form, codes in item)
        for item in streamed
    ] == alone
    assert len(set(key_names)) == len(key_names)
    # The words are counted over the forms, as the vocabulary of the forms does.
    assert [count() for count in told] == [
        Counter(chain.from_iterable(listed_words(f) for f in _forms(500)))
    ]


def test_names_in_chinese_characters_all_go_to_the_child() -> None:
    """Only one process builds ICU's Han-Latin transliterator: the child, whatever
    its share and the kind of name."""
    analyser = analysis_pool.NameAnalyser(blocking_keys, parallel=False)
    for _ in range(5):
        analyser.add(("Kim Jong Un", "person", True))
        analyser.add(("金正恩", "person", False))
        analyser.add(("朝鮮光鮮銀行", "org", False))
        analyser.add(("Korea Kwangson Banking Corp", "org", True))
    their_names = {analyser._names[i][0] for i in analyser._theirs}
    my_names = {analyser._names[i][0] for i in analyser._mine}
    assert {"金正恩", "朝鮮光鮮銀行", "Korea Kwangson Banking Corp"} <= their_names
    assert "金正恩" not in my_names and "朝鮮光鮮銀行" not in my_names
    assert "Kim Jong Un" in my_names


def test_no_fork_while_other_threads_run() -> None:
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not fork_is_safe()
    finally:
        stop.set()
        worker.join()


@pytest.mark.parametrize("name", NAMES)
def test_plain_forms_round_trip(name: NameKey) -> None:
    for form in analyze_name(*name):
        plain = form_to_plain(form)
        assert form_from_plain(plain) == form


@pytest.mark.parametrize(
    "text",
    [
        "Ri Su Yong",
        "리수용",
        "김 Jong",
        "金正恩",
        "Шевченко",
        "محمد",
        "ΑΒΓ abc",
        "ab αβ",
        "ª",
        "µ",
        "a1",
        "",
        "—",
        "Ab Бв Гд",
        "Бв Ab",
    ],
)
def test_script_of_agrees_with_the_lists_layer(text: str) -> None:
    assert script_of(text) == detect_script(text)


def test_script_of_agrees_for_every_character_of_the_shortcut_blocks() -> None:
    """The shortcuts for text of one script (Latin to Latin Extended-B, Cyrillic,
    Arabic, beside Latin-1 signs and general punctuation) and for Hangul give what
    counting gives, for every character up to U+30FF alone and beside others."""
    for code in range(0x3100):
        ch = chr(code)
        for text in (
            ch,
            ch + "a",
            "a" + ch,
            ch + "ab",
            "é" + ch,
            "дд" + ch,
            ch + "ب",
            "가" + ch,
            " " + ch + "1",
        ):
            assert script_of(text) == detect_script(text), (hex(code), text)


def _forms(n: int) -> list[NameForm]:
    return [form for name in many_names(n) for form in analyze_name(*name)]


@pytest.mark.skipif(not fork_is_safe(), reason="this process may not fork")
def test_vocabulary_built_in_a_child_equals_the_one_built_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forms = _forms(400)
    here = build_vocabulary(forms)
    monkeypatch.setattr(index_module, "PARALLEL_MIN_NAMES", 10)
    children = len(multiprocessing.active_children())
    counts = Counter(chain.from_iterable(map(listed_words, forms)))
    pending = index_module._vocabulary_soon(lambda: counts, True)
    forked = pending()
    assert forked is not here and forked.to_plain() == here.to_plain()
    assert forked.near("kwangsan") == here.near("kwangsan") != []
    assert len(multiprocessing.active_children()) == children, "the child was joined"


@pytest.mark.skipif(not fork_is_safe(), reason="this process may not fork")
def test_a_failed_vocabulary_child_is_replaced_by_the_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forms = _forms(200)
    monkeypatch.setattr(index_module, "PARALLEL_MIN_NAMES", 10)
    monkeypatch.setattr(analysis_pool, "_send", lambda *_args: os._exit(3))
    counts = Counter(chain.from_iterable(map(listed_words, forms)))
    assert (
        index_module._vocabulary_soon(lambda: counts, True)().to_plain()
        == build_vocabulary(forms).to_plain()
    )
    assert index_module._vocabulary_from(b"not marshal") is None
    assert index_module._vocabulary_from(marshal.dumps(([], [], b"", b"x"))) is None
