"""Corrected readings of mistyped query names (spelling, spacing, OCR)."""

from __future__ import annotations

import pytest

from dprkwatch.matching import Query, Screener
from dprkwatch.matching.corrections import corrections
from dprkwatch.matching.typos import Vocabulary

VOCAB = Vocabulary.build(
    {"koryo": 40, "korea": 300, "bank": 120, "kim": 900, "mun": 60, "chol": 500, "yong": 700,
     "il": 200, "sin": 90, "thae": 30, "sinbad": 1, "nam": 400, "trading": 200, "chilsong": 2,
     "ri": 800, "jong": 600, "kwangson": 3}
)  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("KORYOO BANK", "KORYO BANK"),  # a doubled letter in the rare word
        ("KO RYO BANK", "KORYO BANK"),  # a word split in two
        ("KORYOBANK", "KORYO BANK"),  # a lost space
        ("KIM Munchlo", "KIM mun chol"),  # a lost space and two letters swapped
        ("SIN Yongiil", "SIN yong il"),  # a lost space and a doubled letter
        ("RI Thaecol", "RI thae chol"),  # a lost space and a dropped letter
        ("K0RYO BANK", "KORYO BANK"),  # OCR: zero for O
        ("Chol Nam Kirn", "Chol Nam kim"),  # OCR: rn for m
        ("S1NBAD", "SINBAD"),  # OCR: one for I
        ("CHILDSONG TRADING", "CHILSONG TRADING"),
        ("JSNG Chol", "JONG Chol"),
    ],
)
def test_the_meant_reading_is_among_the_first(typed: str, meant: str) -> None:
    found = [c.text for c in corrections(typed, VOCAB)]
    assert meant in found[:3], found


# Listed words the scanner and keyboard cases below need, with how many
# names use them: "sipping" is a slip that one listed name carries.
SCANNED = Vocabulary.build(
    {"tae": 40, "hun": 50, "ko": 25, "co": 757, "paekma": 2, "shipping": 259, "ship": 310,
     "ping": 20, "sipping": 1, "company": 300, "com": 3, "ny": 3, "pak": 300, "chun": 80,
     "il": 109, "ii": 34, "jang": 200, "chol": 159, "choi": 1, "mi": 15, "ml": 13, "rim": 20,
     "kim": 900, "sung": 60, "kumgang": 3, "kuk": 9, "gang": 35, "bank": 120, "ba": 12,
     "snk": 3, "yong": 700, "iii": 14}
)  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Tae Hun K0", "Tae Hun KO"),  # a digit in a two-letter word
        ("PAEKMA SHIPPING C0", "PAEKMA SHIPPING CO"),
        ("Pak Chun II", "Pak Chun IL"),  # the word II is Il scanned
        ("JANG ChoI", "JANG chol"),  # a capital I after small letters
        ("Ml RIM", "mi RIM"),  # a small l after a capital, MI listed more than ML
        ("PAEKMA SIPPING CO", "PAEKMA SHIPPING CO"),  # a slip one listed name also has
        ("PAEKMA SHIP PING CO", "PAEKMA SHIPPING CO"),  # both halves listed, the whole more
        ("KUMGANG BASNK", "KUMGANG BANK"),  # a slip, not BA SNK
    ],
)
def test_scanned_and_listed_words_are_read(typed: str, meant: str) -> None:
    found = [c.text for c in corrections(typed, SCANNED)]
    assert found and found[0] == meant, found


def test_ordinary_capitals_are_not_read_as_scanner_errors() -> None:
    assert corrections("Kim Il Sung", SCANNED) == []  # Il is no misread Ii
    assert corrections("KIM IL SUNG", SCANNED) == []
    assert corrections("PAEKMA SHIPPING COMPANY", SCANNED) == []


def test_a_split_into_rare_fragments_ranks_below_a_slip() -> None:
    found = [c.text for c in corrections("KUMGANG COMPNY", SCANNED)]
    assert found[0] == "KUMGANG COMPANY", found
    # A common short word is split off as before: Yongiil is Yong Il.
    assert "SIN yong il" in [c.text for c in corrections("SIN Yongiil", SCANNED)]


# Words of the slips below, with how many listed names use them.
RIVALS = Vocabulary.build(
    {"chol": 159, "chkhol": 1, "shipping": 259, "shi": 16, "ping": 2, "trading": 447, "ta": 61,
     "ding": 1, "corp": 45, "rip": 3, "co": 757, "cho": 23, "il": 109, "cheil": 1, "chil": 3,
     "ltd": 801, "lt": 2, "koti": 2, "jang": 200, "ryong": 90, "kang": 120}
)  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # One slip to a shorter or a longer word ranks the same; use decides.
        ("JANG Chhol", "JANG chol"),
        # A split whose rarer half fewer names use than the word one slip away.
        ("KOTI SHIPING", "KOTI SHIPPING"),
        ("KOTI TADING", "KOTI TRADING"),
        ("KOTI CORRP", "KOTI CORP"),
        # A dot typed inside a short word.
        ("KOTI CORP LT.D", "KOTI CORP LTD"),
    ],
)
def test_the_likelier_of_rival_readings_comes_first(typed: str, meant: str) -> None:
    found = [c.text for c in corrections(typed, RIVALS)]
    assert found and found[0] == meant, found


def test_a_misplaced_hyphen_in_a_given_name_is_read_without_it() -> None:
    vocab = Vocabulary.build({"sung": 60, "mu": 20, "hong": 90, "gum": 5})
    found = [c.text for c in corrections("Sun-gMu HOGN", vocab)]
    assert found[0] == "sungmu HONG", found
    assert "sun-gum HONG" in found  # the half's own reading stays
    # Halves longer than a syllable are no given name: WORLR-SIPPING keeps its hyphen.
    vocab = Vocabulary.build({"world": 60, "shipping": 259, "sipping": 1})
    assert all("-" in c.text for c in corrections("WORLR-SIPPING", vocab))


def test_a_split_stays_ahead_of_rarer_slips() -> None:
    vocab = Vocabulary.build({"cho": 23, "il": 109, "cheil": 1, "chil": 3})
    assert corrections("Choil U", vocab)[0].text == "cho il U"


def test_the_commonest_slips_cost_less() -> None:
    swapped = corrections("KAGN RYONG", RIVALS)[0]  # two neighbours swapped
    far = corrections("KANX RYONG", RIVALS)[0]  # a key far from G
    assert swapped.text == far.text == "KANG RYONG"
    assert swapped.factor() > far.factor()
    likely = [
        corrections(typed, RIVALS)[0]
        for typed in (
            "KANGG RYONG",  # a letter doubled
            "KANF RYONG",  # a neighbouring key instead of G
            "KANHG RYONG",  # a neighbouring key beside G
            "KANG RYONNG",
        )
    ]
    for corr in likely:
        assert corr.text.upper() == "KANG RYONG", corr
        assert corr.changes[0].similarity == swapped.changes[0].similarity
    lost = corrections("KAG RYONG", RIVALS)[0]  # a letter lost may be another name
    assert lost.text == "KANG RYONG"
    assert lost.changes[0].similarity == far.changes[0].similarity < swapped.changes[0].similarity
    # An extra letter far from its neighbours on the keyboard is no finger slip.
    assert corrections("KANPG RYONG", RIVALS)[0].changes[0].similarity == far.changes[0].similarity


def test_a_letter_struck_beside_a_hyphen_or_a_dot_is_dropped() -> None:
    vocab = Vocabulary.build(
        {"paek": 30, "chang": 80, "ho": 60, "ra": 10, "kyong": 40, "su": 300, "profinet": 1,
         "pte": 90, "ltd": 801}
    )  # fmt: skip
    assert "PAEK CHANG-HO" in [c.text.upper() for c in corrections("PAEK CHANG-eHO", vocab)]
    assert "RA KYONG-SU" in [c.text.upper() for c in corrections("RA KYONG-eSU", vocab)]
    found = corrections("PROFINET PTE. LTD.e", vocab)
    assert found[0].text == "PROFINET PTE. LTD.", found
    assert found[0].describe() == "E dropped"
    # Only after a mark, and only when the rest is listed: an initial stays,
    # and so does a one-letter syllable after a hyphen (Jong-U).
    assert corrections("PROFINET PTE. LTD. e", vocab) == []
    assert corrections("PROFINET-e", vocab) == []
    assert corrections("PAEK CHANG-HO", vocab) == []


def test_a_long_name_is_corrected() -> None:
    words = " ".join(["Koti"] * 14)
    assert corrections(words + " Tading", RIVALS)[0].text == words + " trading"


def test_corrections_are_discounted_and_described() -> None:
    first = corrections("KORYOO BANK", VOCAB)[0]
    assert 0.8 < first.factor() < 1.0
    assert first.describe() == "KORYOO as KORYO"
    assert corrections("KO RYO BANK", VOCAB)[0].factor() > first.factor()  # spacing costs less


def test_nothing_to_correct() -> None:
    assert corrections("KIM Yong Chol", VOCAB) == []  # every word listed
    assert corrections("김영철", VOCAB) == []  # only Latin typing is corrected
    assert corrections("Tong Chol", VOCAB) == []  # another first letter is another name
    assert corrections("Kim Yong Chol", Vocabulary.build({})) == []


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("KOREA KWANGSN BANKING CORP", "us-1005"),
        ("Korea Ryonbongg General Corporation", "eu-15"),
        ("SAKHALN SHIPPING COMPANY", "us-1012"),
        ("CHOE Ryonghea", "us-1003"),
        ("LAZARUSGROUP", "us-1009"),
        # A digit inside a word is a scanner's slip, not a number to disagree on.
        ("KOREA KWANGS0N BANKING CORP", "us-1005"),
    ],
)
def test_screening_finds_the_listed_entity_through_a_correction(
    screener: Screener, typed: str, listed: str
) -> None:
    results = screener.screen(Query("Thing", {"name": [typed]}))
    assert results and results[0].entity_id == listed and results[0].match, results[:2]


def test_a_corrected_match_says_what_was_read(screener: Screener) -> None:
    m = screener.screen(Query("Thing", {"name": ["KOREA KWANGSN BANKING CORP"]}))[0]
    assert any("read as" in line and "KWANGSN as KWANGSON" in line for line in m.explanation)
    assert m.score < 1.0, "a corrected name never scores as an exact one"


def test_version_1_makes_no_corrections(sample_store: object) -> None:
    from dprkwatch.lists import SnapshotStore

    assert isinstance(sample_store, SnapshotStore)
    v1 = Screener.from_store(sample_store, algorithm="dprkwatch-match-v1", cache=False)
    assert v1.algorithm == "dprkwatch-match-v1"
    for m in v1.screen(Query("Thing", {"name": ["KOREA KWANGSN BANKING CORP"]})):
        assert not any("read as" in line for line in m.explanation)


def test_of_equally_likely_readings_the_better_ranked_words_are_kept() -> None:
    # KRYM is listed more than KORYO and ranks first for KRYO; KORYO BANK is a
    # shade less plausible than KRYM BANCO only because KORYO is longer.
    vocab = Vocabulary.build({"krym": 60, "koryo": 40, "krymo": 2, "bank": 120, "banco": 10})
    found = [c.text for c in corrections("KRYO BANO", vocab)]
    assert found[0] == "KRYM BANK", found
    assert "KORYO BANK" in found[:3], found


def test_readings_rank_alike_whatever_the_length_of_the_listed_word() -> None:
    # COMPAY is one slip from COMPANY and from COMPAN, ANSN from ANSAN, ANSC and
    # ANS: a reading is no likelier for being shorter, so the commoner words
    # (the better-ranked options) come first.
    vocab = Vocabulary.build(
        {"korea": 185, "shipping": 259, "ansan": 4, "ansc": 1, "ans": 1,
         "company": 2832, "compan": 1}
    )  # fmt: skip
    found = [c.text for c in corrections("KOREA ANSN SHIPPING COMPAY", vocab)]
    assert found[0] == "KOREA ANSAN SHIPPING COMPANY", found


def test_a_surname_spelling_of_the_tables_is_read_only_as_its_own_family() -> None:
    # YOO and WHANG are listed nowhere here but are spellings of the surnames
    # 유/류 and 황: never read as YON, YO or YU (another family, or two slips).
    vocab = Vocabulary.build(
        {"yon": 300, "yu": 200, "yo": 30, "chin": 80, "rhee": 5, "hwang": 90, "myong": 40}
    )
    assert corrections("Chin Yoo", vocab) == []
    assert corrections("WHANG Chin", vocab) == []
    # One slip away in the same family is still a reading: RHIE as RHEE (리),
    # MYEONG as MYONG (명).
    assert [c.text for c in corrections("Rhie Chin", vocab)] == ["rhee Chin"]
    assert [c.text for c in corrections("Myeong Chin", vocab)] == ["myong Chin"]
    # A word no table knows is still read as the listed word one slip away.
    assert [c.text for c in corrections("Chin Yonn", vocab)][:1] == ["Chin yon"]
    # A surname spelling may still lose the hyphen to a listed neighbour.
    joined = Vocabulary.build({"kookai": 1, "kai": 5, "ko": 25})
    assert [c.text for c in corrections("KOO-KAI", joined)] == ["KOOKAI"]


def test_a_listed_word_beside_a_misspelt_one_may_have_lost_a_letter() -> None:
    # YON, SON and BNK are listed (another name, or a slip some list carries),
    # but YONG, SONG and BANK are listed more: in a name with a misspelt word,
    # one extra reading has them with the letter back.
    vocab = Vocabulary.build(
        {"kim": 900, "yong": 90, "yon": 10, "chol": 159, "son": 29, "song": 80, "bank": 591,
         "bnk": 8, "koryo": 40, "pak": 71, "paek": 16, "se": 30, "bong": 20}
    )  # fmt: skip
    found = [c.text for c in corrections("KIM YON CHOLL", vocab)]
    assert found[-1] == "KIM YONG CHOL", found
    assert found[0] == "KIM YON CHOL", found  # the listed word as typed comes first
    last = corrections("KIM YON CHOLL", vocab)[-1]
    assert [(c.typed, c.meant) for c in last.changes] == [("choll", "chol"), ("yon", "yong")]
    assert last.factor() < corrections("KIM YON CHOLL", vocab)[0].factor()
    assert [c.text for c in corrections("KROYO BNK", vocab)][-1] == "KORYO BANK"
    # Without a misspelt word the name is another person's, not a slip.
    assert corrections("KIM YON CHOL", vocab) == []
    assert corrections("Kim Son Chol", vocab) == []
    # A longer word fewer names use is no likelier meant: PAK stays PAK.
    assert all("PAEK" not in c.text for c in corrections("PAK SE BOONG", vocab))


def test_each_listed_word_that_may_have_lost_a_letter_gets_its_own_reading() -> None:
    # One slip more than the likeliest reading, not one per listed word at once.
    vocab = Vocabulary.build({"son": 29, "song": 80, "yon": 10, "yong": 90, "chun": 80})
    found = [c.text for c in corrections("SON YON CHUUN", vocab)]
    assert found[0] == "SON YON CHUN", found
    assert "SONG YON CHUN" in found and "SON YONG CHUN" in found, found
    assert "SONG YONG CHUN" not in found, found


def test_a_listed_word_beside_a_misspelt_one_may_have_two_letters_swapped() -> None:
    # RYMO is listed, but RYOM (two letters swapped) more: in a name with a
    # misspelt word, one extra reading has them back in order.
    vocab = Vocabulary.build(
        {"rymo": 1, "ryom": 4, "yong": 700, "jang": 200, "chil": 3, "chol": 159, "kim": 900,
         "mun": 28, "min": 47}
    )  # fmt: skip
    last = corrections("RYMO Yogn", vocab)[-1]
    assert last.text == "RYOM yong"
    assert [(c.typed, c.meant) for c in last.changes] == [("yogn", "yong"), ("rymo", "ryom")]
    # A neighbouring key is not read so (MUN is no slip of MIN, nor CHIL of
    # CHOL here), and without a misspelt word nothing changes.
    assert all("MIN" not in c.text for c in corrections("KIM MUN CH0L", vocab))
    assert all("chol" not in c.text for c in corrections("JANNG Chil", vocab))
    assert corrections("RYMO Yong", vocab) == []


def test_a_listed_word_of_three_letters_is_not_read_with_two_letters_swapped() -> None:
    # ALS is listed, ASL (the initials of another name) more; ALS is no slip.
    vocab = Vocabulary.build({"als": 2, "asl": 9, "company": 900, "alis": 1})
    assert all("ASL" not in c.text.upper() for c in corrections("COMPANJY ALS", vocab))
    vocab = Vocabulary.build({"rymo": 1, "ryom": 4, "yong": 700})
    assert corrections("RYMO Yogn", vocab)[-1].text == "RYOM yong"
    # GIM is the syllable Kim, not a slip of GMI; HAW is no syllable, HWA is.
    vocab = Vocabulary.build({"gim": 3, "gmi": 9, "haw": 1, "hwa": 30, "hwang": 90, "sok": 40})
    assert all("GMI" not in c.text.upper() for c in corrections("Gim Sokk", vocab))
    assert "HWANG SOK-HWA" in [c.text.upper() for c in corrections("HAWNG SOK-HAW", vocab)]


def test_a_lost_letter_beats_a_typed_letter_thrown_away() -> None:
    # HYK: the syllable HYOK lost its O and keeps every letter as typed; HY
    # (the syllable Hui) drops the K and HAK replaces the Y by a distant key.
    # One edit each, but with the letter-lost syllable at hand, and used by
    # more names, the other two are not offered.
    vocab = Vocabulary.build({"kim": 900, "kyong": 200, "hyok": 39, "hy": 19, "hak": 11})
    texts = [c.text for c in corrections("KIM Kyong Hyk", vocab)]
    assert texts == ["KIM Kyong hyok"], texts
    # Without the letter-lost reading, the others stay; and a letter-lost
    # reading of two syllables or none changes nothing (KRYO: KORYO and KRYM).
    rivals = Vocabulary.build({"kim": 900, "kyong": 200, "hy": 19, "hak": 11})
    assert {c.text for c in corrections("KIM Kyong Hyk", rivals)} == {
        "KIM Kyong hy",
        "KIM Kyong hak",
    }
    kryo = Vocabulary.build({"krym": 60, "koryo": 40, "bank": 120})
    assert corrections("KRYO BANO", kryo)[0].text == "KRYM BANK"
    # ... nor one fewer names use than the reading it would push out (RHAM,
    # one name, for RAM against RA).
    ram = Vocabulary.build({"gyu": 2, "ra": 93, "rham": 1})
    assert [c.text for c in corrections("Gyu Ram", ram)] == ["Gyu ra", "Gyu rham"]


def test_a_neighbouring_key_struck_for_the_first_letter_after_a_hyphen() -> None:
    vocab = Vocabulary.build(
        {"weihai": 2, "world": 40, "shipping": 259, "freight": 30, "chipping": 1}
    )  # fmt: skip
    found = corrections("WEIHAI WORLD-DHIPPING FREIGHT", vocab)
    assert found[0].text == "WEIHAI WORLD-SHIPPING FREIGHT", found
    # Not at the start of a word: its first letter is never corrected.
    assert all("SHIPPING" not in c.text for c in corrections("WEIHAI WORLD DHIPPING", vocab))


def test_two_likely_slips_in_a_word_that_is_no_syllable_read_as_a_listed_syllable() -> None:
    # KYYKNG: a doubled Y and a neighbouring key (K for O); YOJBG: two
    # neighbouring keys (J for U, B for N). Neither is a Korean syllable, and
    # no listed word is one slip away: read as the listed syllable.
    vocab = Vocabulary.build(
        {"kyong": 200, "song": 80, "choe": 300, "young": 40, "nam": 90, "son": 29}
    )
    assert "kyong-Song Choe" in [c.text for c in corrections("Kyykng-Song Choe", vocab)]
    assert "young-nam Son" in [c.text for c in corrections("Yojbg-Nam Son", vocab)]
    # A word that reads as a Korean syllable may be another person's, not two
    # slips of a listed one: KHING (H for Y, I for O) is not read as KYONG.
    assert corrections("Khing Choe", vocab) == []
    # Two slips that are not both likely ones (a distant key: KXONT) are not read.
    assert all("kyong" not in c.text for c in corrections("Kxont Choe", vocab))


def test_curly_apostrophes_do_not_stop_corrections() -> None:
    # McCune-Reischauer names are typed with curly apostrophes too.
    vocab = Vocabulary.build({"kyong": 200, "su": 80, "ra": 30})
    assert [c.text for c in corrections("Kt’oong-Su Ra", vocab)][:1] == ["kyong-Su Ra"]


def test_two_likely_slips_only_in_a_korean_name() -> None:
    # Without a Korean family name in the name, KYYKNG stays as typed.
    vocab = Vocabulary.build({"kyong": 200, "song": 80, "choe": 300, "smith": 90, "mary": 40})
    assert all("kyong" not in c.text for c in corrections("Mary Kyykng Smith", vocab))
    assert "kyong Song Choe" in [c.text for c in corrections("Kyykng Song Choe", vocab)]
