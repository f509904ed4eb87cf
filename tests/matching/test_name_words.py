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
    replaced = F.REPLACED_WORD if person else 0.0
    return F.name_tokens(q, c, FLAT, person=person, replaced=replaced).value


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


def test_a_word_replaced_beside_three_shared_words_counts_twice_for_a_person() -> None:
    # Relatives: one link of the family chain differs (the name bench's pair).
    query = "NOUREDDINE BEN MOHAMED BEN BELKASSEM AL-DRISSI"
    listed = "NOUREDDINE BEN ALI BEN BELKASSEM AL-DRISSI"
    shared = analyze_name(query, "person")[0].tokens
    paired = len(shared) - 1  # every word but MOHAMED / ALI
    assert paired >= 3
    # Flat weights: the paired words weigh 2 x 5 each, the two unpaired 5 each,
    # counted once more for a person.
    assert words(query, listed, person=False) == pytest.approx(10 * paired / (10 * paired + 10))
    assert words(query, listed, person=True) == pytest.approx(10 * paired / (10 * paired + 20))
    # Two shared words are too few to call the third a replacement.
    assert words("FAZL RABI HAMID", "FAZL RABI OMAR", person=True) == pytest.approx(20 / 30)


def test_a_replaced_word_written_with_the_same_letters_is_a_respelling() -> None:
    # OMAR and AMOR: the same person (a listed alias), not a relative.
    query, listed = "MOUSSA BEN AMOR BEN ALI ESSAADI", "MOUSSA BEN OMAR BEN ALI ESSAADI"
    assert words(query, listed, person=True) == words(query, listed, person=False)


def test_a_garbled_particle_is_no_replaced_word() -> None:
    # EL garbled to LE: the listed EL is read as the article AL, so the two
    # unpaired words are no anagrams; a word of two letters is no relative's name.
    query, listed = "ABDULLAH AHMED ABDULLAH LE ALFI", "ABDULLAH AHMED ABDULLAH EL ALFI"
    assert words(query, listed, person=True) == words(query, listed, person=False)
    # A name of three letters in place of another still counts twice.
    query, listed = "NOUREDDINE BEN ALI BEN AL-DRISSI", "NOUREDDINE BEN OMAR BEN AL-DRISSI"
    assert words(query, listed, person=True) < words(query, listed, person=False)


def korean_words(query: str, listed: str) -> float:
    q = analyze_name(query, "person")[0]
    c = analyze_name(listed, "person")[0]
    return F.name_tokens(q, c, FLAT, strict=True, slips_only=True).value


def test_two_slipped_korean_given_syllables_one_on_its_first_letter_are_another_name() -> None:
    # Yong/Pyong (a letter before the first) and Son/So: another given name.
    assert korean_words("Hwang Yong Son", "HWANG, Pyong So") == 0.0
    # One slip, even on the first letter, is still read as a typo.
    assert korean_words("Hwang Yong So", "HWANG, Pyong So") > 0.8
    # Two slips that keep each word's first letter too.
    assert korean_words("Hwang Pyongg Son", "HWANG, Pyong So") > 0.8
