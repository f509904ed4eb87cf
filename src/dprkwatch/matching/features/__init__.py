"""Feature functions: each compares one aspect of a query and a candidate.

Every function is pure and returns a :class:`Feature`: a value and a plain-
English reason. Name features return a similarity in [0, 1]; qualifier and
identifier features return a signed adjustment (0.0 when they have nothing
to say). The algorithm in :mod:`dprkwatch.matching.algorithms` decides how
to combine them; nothing here knows about thresholds.

Weights (``Weights``) come from the index: a token or syllable found in
many listed names says less about identity than a rare one, so "Kim" and
"Mohammed" count for less than "Kwangson" or "Sakhalin".

Modules by aspect: :mod:`.words` (words and whole names), :mod:`.korean`
(Korean personal names, syllable by syllable) and :mod:`.qualifiers`
(identifiers, birth dates, countries, gender, numbers in names).
"""

from dprkwatch.matching.features.feature import NONE, Feature, Weights
from dprkwatch.matching.features.korean import (
    SWAPPED_GIVEN,
    korean_pair,
    name_korean,
    syllable_similarity,
)
from dprkwatch.matching.features.qualifiers import (
    ID_LABELS,
    NUMBER_CONFLICT,
    birth_date,
    gender,
    identifier_conflict,
    identifier_match,
    jurisdiction_conflict,
    nationality,
    number_conflict,
)
from dprkwatch.matching.features.words import (
    ABJAD_SAME,
    ACRONYM,
    EXTRA_CANDIDATE_WORD,
    JOINED_SAME,
    KOREAN_WORDS_SAME,
    REPLACED_WORD,
    SLIP,
    edit_budget,
    is_slip,
    name_abjad,
    name_acronym,
    name_han,
    name_joined,
    name_korean_joined,
    name_tokens,
    token_similarity,
)

__all__ = [
    "ABJAD_SAME",
    "ACRONYM",
    "EXTRA_CANDIDATE_WORD",
    "ID_LABELS",
    "JOINED_SAME",
    "KOREAN_WORDS_SAME",
    "NONE",
    "NUMBER_CONFLICT",
    "REPLACED_WORD",
    "SLIP",
    "SWAPPED_GIVEN",
    "Feature",
    "Weights",
    "birth_date",
    "edit_budget",
    "gender",
    "identifier_conflict",
    "identifier_match",
    "is_slip",
    "jurisdiction_conflict",
    "korean_pair",
    "name_abjad",
    "name_acronym",
    "name_han",
    "name_joined",
    "name_korean",
    "name_korean_joined",
    "name_tokens",
    "nationality",
    "number_conflict",
    "syllable_similarity",
    "token_similarity",
]
