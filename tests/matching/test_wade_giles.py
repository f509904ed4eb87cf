"""Wade-Giles names read in pinyin."""

from __future__ import annotations

import pytest

from dprkwatch.matching import Query, Screener
from dprkwatch.matching.wade_giles import pinyin_readings, syllable_readings


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("Mao Tse-tung", "mao zedong"),
        ("Hsi Chin-ping", "xi jinping"),  # the aspiration mark of p'ing lost
        ("Teng Hsiao-p'ing", "deng xiaoping"),
        ("Liu Shao-ch'i", "liu shaoqi"),
        ("Hsu Chih-tung", "xu zhidong"),
    ],
)
def test_wade_giles_names_are_read_in_pinyin(name: str, reading: str) -> None:
    assert reading in pinyin_readings(name)


@pytest.mark.parametrize(
    "name",
    [
        "Kim Jong Un",  # no Wade-Giles syllables
        "Chang Sung Ho",  # syllables, but no mark of Wade-Giles (a Korean name as much)
        "Xi Jinping",  # pinyin already
        "John Smith",
        "Mao",  # one word
    ],
)
def test_names_without_a_mark_of_wade_giles_are_not_read(name: str) -> None:
    assert pinyin_readings(name) == ()


def test_syllables() -> None:
    assert syllable_readings("chih") == (("zhi", "chi"), True)
    assert syllable_readings("ko") == (("ge", "ke"), False)
    assert syllable_readings("szu") == (("si",), True)
    assert syllable_readings("yen") == (("yan",), False)
    assert syllable_readings("kim") is None


def test_a_wade_giles_query_finds_the_pinyin_name(screener: Screener) -> None:
    entity = {"id": "x", "schema": "Person", "properties": {"name": ["Mao Zedong"]}}
    m = screener.compare(Query("Person", {"name": ["Mao Tse-tung"]}), entity)
    assert m.match, m.explanation
    assert "Wade-Giles" in " ".join(m.explanation)
