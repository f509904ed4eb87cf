"""Identifier and qualifier features: IMO, MMSI, documents, wallets, birth date,
country, gender and the numbers in names.

An identical identifier is strong evidence on its own; a qualifier only
nudges a name score up or down (0.0 when either side lacks the property).
Every function is pure.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from dprkwatch.matching.analysis import NameForm
from dprkwatch.matching.features.feature import NONE, Feature, new_feature
from dprkwatch.matching.orgs import different_countries

ID_LABELS: Final = {
    "imo": "IMO",
    "mmsi": "MMSI",
    "document": "document number",
    "wallet": "wallet address",
}


def identifier_match(
    kind: str, query_values: Collection[str], entity_values: Collection[str]
) -> Feature:
    """Any identical identifier of one kind (strong evidence on its own)."""
    common = [v for v in query_values if v in entity_values]
    if not common:
        return NONE
    # The smallest, not the first: the values are sets, whose order changes
    # from process to process, and the explanation must not.
    return new_feature((1.0, f"{ID_LABELS[kind]} {min(common)} identical"))


def identifier_conflict(
    kind: str, query_values: Collection[str], entity_values: Collection[str]
) -> Feature:
    """Both sides have this identifier and none agree: a different ship or firm."""
    if not query_values or not entity_values or any(v in entity_values for v in query_values):
        return NONE
    return new_feature(
        (
            -0.25,
            f"{ID_LABELS[kind]} differs ({min(query_values)} vs listed {min(entity_values)})",
        )
    )


# --- qualifiers --------------------------------------------------------------


def birth_date(query_dates: Collection[str], entity_dates: Collection[str]) -> Feature:
    """Birth dates: agreeing raises the score, distant years lower it."""
    if not query_dates or not entity_dates:
        return NONE
    full_q = {d for d in query_dates if len(d) == 10}
    full_c = {d for d in entity_dates if len(d) == 10}
    common = full_q & full_c
    if common:
        return new_feature((0.06, f"birth date {min(common)} agrees"))
    years_q = {int(d[:4]) for d in query_dates}
    years_c = {int(d[:4]) for d in entity_dates}
    if years_q & years_c:
        if full_q and full_c:
            month_q = {d[:7] for d in full_q}
            if not month_q & {d[:7] for d in full_c}:
                return new_feature(
                    (-0.02, f"birth year {min(years_q & years_c)} agrees but the dates differ")
                )
        return new_feature((0.04, f"birth year {min(years_q & years_c)} agrees"))
    gap = min(abs(a - b) for a in years_q for b in years_c)
    qy, cy = min(years_q), min(years_c)
    # Lists and customer records disagree by a year or a few often enough
    # (estimated ages, transcription); decades apart is another person.
    if gap <= 1:
        return new_feature((-0.03, f"birth year {qy} is one year from listed {cy}"))
    if gap <= 3:
        return new_feature((-0.08, f"birth year {qy} differs from listed {cy}"))
    if gap <= 10:
        return new_feature((-0.15, f"birth year {qy} differs from listed {cy} by {gap} years"))
    return new_feature((-0.25, f"birth year {qy} disagrees with listed {cy}"))


def nationality(query_countries: Collection[str], entity_countries: Collection[str]) -> Feature:
    """Countries (nationality, citizenship, country, flag): agreement helps a little."""
    if not query_countries or not entity_countries:
        return NONE
    common = set(query_countries) & set(entity_countries)
    if common:
        return new_feature((0.03, f"country {', '.join(sorted(common))} agrees"))
    return new_feature(
        (
            -0.08,
            f"country {', '.join(sorted(query_countries))} vs listed {', '.join(sorted(entity_countries))}",
        )
    )


def gender(query_gender: Collection[str], entity_gender: Collection[str]) -> Feature:
    if not query_gender or not entity_gender:
        return NONE
    if set(query_gender) & set(entity_gender):
        return NONE
    return new_feature((-0.12, f"gender {min(query_gender)} vs listed {min(entity_gender)}"))


# Added to the score when the numbers in two names differ.
NUMBER_CONFLICT: Final = -0.2


def number_conflict(q: NameForm, c: NameForm) -> Feature:
    """Numbered names (vessel KUM UN SAN 3, factory No. 2) must agree on the number.

    Digits are compared all together, so respacing ("JH 86" / "JH8 6") is
    no conflict.
    """
    if q.numbers and c.numbers and q.numbers != c.numbers:
        dq, dc = q.numbers[0], c.numbers[0]
        return new_feature((NUMBER_CONFLICT, f"number {dq} vs listed {dc}"))
    return NONE


# Added to the score when two organisation names place it in different countries.
JURISDICTION_CONFLICT: Final = -0.2


def jurisdiction_conflict(q: NameForm, c: NameForm) -> Feature:
    """Organisations whose names place them in different countries are sister
    companies, not one (Bowne Global Solutions (Spain) and Bowne Global
    Solutions (Netherlands)). A country on one side only says nothing, nor
    do country words a slip or two apart (Chile for China may be a typo)."""
    if q.jurisdiction and c.jurisdiction and different_countries(q.jurisdiction, c.jurisdiction):
        return new_feature(
            (
                JURISDICTION_CONFLICT,
                f"country in the name '{q.jurisdiction}' vs listed '{c.jurisdiction}'",
            )
        )
    return NONE
