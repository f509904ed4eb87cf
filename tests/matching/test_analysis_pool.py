"""Name analysis and the vocabulary of index builds: the forked children must change
nothing but the speed."""

from __future__ import annotations

import marshal
import multiprocessing
import os
import threading

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
from dprkwatch.matching.keys import blocking_keys

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


def test_garbled_child_output_is_not_trusted() -> None:
    assert analysis_pool._decode(b"not marshal", 3) is None
    assert (
        analysis_pool._decode(marshal.dumps([(), ()]), 3) is None
    )  # answers for two names, not three
    assert analysis_pool._decode(marshal.dumps({"a": 1}), 1) is None
    assert analysis_pool._decode(marshal.dumps([5]), 1) is None
    assert analysis_pool._decode(marshal.dumps([((("x",), ()),)]), 1) is None


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
    pending = index_module._vocabulary_soon(forms)
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
    assert index_module._vocabulary_soon(forms)().to_plain() == build_vocabulary(forms).to_plain()
    assert index_module._vocabulary_from(b"not marshal") is None
    assert index_module._vocabulary_from(marshal.dumps(([], [], b"", b"x"))) is None
