"""Readings of query words are remembered per vocabulary, and change nothing."""

from __future__ import annotations

import pytest

from dprkwatch.matching import corrections as corr_module
from dprkwatch.matching.corrections import corrections
from dprkwatch.matching.typos import Vocabulary

COUNTS = {"koryo": 40, "bank": 120, "kim": 900, "mun": 60, "chol": 500, "yong": 700, "il": 200,
          "sin": 90, "sinbad": 1, "sipping": 1, "shipping": 300}  # fmt: skip
NAMES = ["KORYOO BANK", "KIM Munchlo", "SIN Yongiil", "S1NBAD", "Kim Sipping", "ChoI Yong",
         "Mun-gChol", "KORYOO BANK"]  # fmt: skip


def test_remembered_readings_are_those_worked_out_afresh() -> None:
    fresh = [corrections(name, Vocabulary.build(COUNTS)) for name in NAMES]
    vocab = Vocabulary.build(COUNTS)
    first = [corrections(name, vocab) for name in NAMES]
    again = [corrections(name, vocab) for name in NAMES]
    assert first == fresh
    assert again == fresh
    assert "koryoo" in vocab.memo["unknown"]  # looked up once, then remembered
    assert "sipping" in vocab.memo["listed"]


def test_a_caller_changing_its_answer_does_not_change_the_memo() -> None:
    vocab = Vocabulary.build(COUNTS)
    first = corrections("KORYOO BANK", vocab)
    first.clear()
    options = corr_module._remembered(
        corr_module._memo(vocab, "unknown"), "koryoo", corr_module._word_options, vocab
    )
    options.clear()
    assert corrections("KORYOO BANK", vocab)[0].text == "KORYO BANK"


def test_each_vocabulary_has_its_own_memo() -> None:
    one = Vocabulary.build({"koryo": 5, "bank": 5})
    other = Vocabulary.build({"koryon": 5, "bank": 5})
    assert corrections("KORYOO BANK", one)[0].text == "KORYO BANK"
    assert corrections("KORYOO BANK", other)[0].text == "KORYON BANK"
    assert corrections("KORYOO BANK", one)[0].text == "KORYO BANK"


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corr_module, "MEMO_WORDS", 2)
    vocab = Vocabulary.build(COUNTS)
    for name in ("KORYOO", "MUNCHLO", "YONGIIL", "KORYOOO", "BANKK"):
        corrections(name, vocab)
        assert len(vocab.memo["unknown"]) <= 2
    assert corrections("KORYOO", vocab)[0].text == "KORYO"
