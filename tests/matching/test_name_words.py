"""The word-by-word name comparison: what unpaired words cost."""

from __future__ import annotations

import pytest

from dprkwatch.matching import features as F
from dprkwatch.matching.analysis import analyze_name

# Every word equally informative, so the costs show plainly.
FLAT = F.Weights(lambda _w: 5.0, lambda _s: 5.0, lambda _w: False)


def words(query: str, listed: str, *, person: bool) -> float:
    q = analyze_name(query, "person")[0]
    c = analyze_name(listed, "person")[0]
    return F.name_tokens(q, c, FLAT, person=person).value


def test_extra_given_names_in_the_query_cost_what_extra_listed_names_cost() -> None:
    longer, shorter = "FAZL RABI ABDUL HAMID", "FAZL RABI"
    softened = words(longer, shorter, person=True)
    assert softened > words(longer, shorter, person=False)
    # The same names the other way round: the listed name has the extra words.
    assert softened == pytest.approx(words(shorter, longer, person=True))


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("FAZL RABBI ABDUL HAMID", "FAZL RABI"),  # a listed word found only with a slip
        ("FAZL RABI ABDUL HAMID", "FAZL RABI OMAR"),  # a listed word not found
        ("陳志成", "Chen Zhi"),  # Chinese characters: an extra syllable is another name
    ],
)
def test_extra_query_words_cost_in_full_unless_every_listed_word_is_found(
    query: str, listed: str
) -> None:
    assert words(query, listed, person=True) == words(query, listed, person=False)
