"""Identifier items of OFAC Remarks: which label is which FtM property.

OFAC writes hundreds of document labels (``Passport``, ``Tax ID No.``,
``Cedula No.``, ``C.U.R.P.``, ``Unified Social Credit Code (USCC)``, ...).
Rather than list each one, a label is classified by the words in it, in the
order below, so a new label of a known kind is still read. An IMO number is
checked against its check digit, because a mistyped IMO number would make a
vessel unmatchable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (label pattern, FtM property), first match wins. Person-document words come
# before registration words so "Electoral Registry No." is an ID, not a company
# registration.
LABEL_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), prop)
    for pattern, prop in (
        (r"\bIMO\b|International Maritime Organization", "imoNumber"),
        (r"passport", "passportNumber"),
        (r"\bSWIFT\b|\bBIC\b", "swiftBic"),
        (
            r"\btax\b|V\.A\.T\.|\bVAT\b|R\.F\.C\.|\bRFC\b|\bNIT\b|\bRUC\b|\bRIF\b|C\.U\.I\.T\.|\bFEIN\b"
            r"|fiscal|\bINN\b|\bRTN\b|C\.I\.F\.",
            "taxNumber",
        ),
        (
            r"cedula|C\.U\.R\.P\.|C\.U\.I\.P\.|D\.N\.I\.|\bSSN\b|national id|national foreign id|electoral"
            r"|credencial|I\.F\.E\.|birth certificate|residency|driver|\bcard\b|tazkira|travel document"
            r"|refugee|immigration|personal|identidad|identity|C\.U\.I\.|N\.I\.E\.|\bCNP\b|visa"
            r"|military|militar|stateless",
            "idNumber",
        ),
        (
            r"regist|company (?:number|id)|gazette|credit code|legal entity|mercantil|C\.R\. No"
            r"|incorporation|chamber of comm|trade license|D-U-N-S|business number|enterprise number"
            r"|branch unit|organization code|\bLE Number|commercial|charity|license|licence|permit"
            r"|file number|\bOGRN\b|\bKPP\b|\bBIK\b|Economic Register",
            "registrationNumber",
        ),
        (r"identification|\bID\b|\bnumber\b|\bno\.|#|numero", "idNumber"),
    )
)

# Labels that look like identifiers but are not: kept in notes only.
NOT_IDENTIFIERS = re.compile(
    r"^(?:phone|telephone|tel\.?|fax|telex|alt\. fax|alt\. telephone|serial no|ISIN|equity ticker"
    r"|Chinese Commercial Code|arrested|President|Commander|named in|Individual's)\b",
    re.IGNORECASE,
)

# Short capitals that are part of the label, not a prefix of the number.
_LABEL_WORDS = frozenset(
    {"ID", "IMO", "MSN", "RFC", "RIF", "NIT", "RUC", "SSN", "BIC", "USCC", "USCCC", "CBLS",
     "ISIN", "FEIN", "RTN", "DNI", "INN", "KPP", "BIK", "OGRN", "VAT", "LE", "NO", "US", "UK",
     "CAN"}
)  # fmt: skip
_DIGIT_TOKEN = re.compile(r"(?:^|\s)([^\s\d]*\d)")
_VALUE_PREFIX = re.compile(r"^[A-Z]{1,4}(?:-[A-Z])?$")
_VALUE_END = re.compile(r"\s+\(|\s*,?\s+(?:issued|expires|expired|issue date)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier item: the label as written, the value, and the FtM property."""

    label: str
    value: str
    prop: str


def split_label(item: str) -> tuple[str, str] | None:
    """Split ``Passport PS 472330208 (Korea, North)`` into label and the rest, or None."""
    m = _DIGIT_TOKEN.search(item)
    if m is None:
        return None
    label, rest = item[: m.start(1)].split(), item[m.start(1) :].split()
    if not label:
        return None
    while len(label) > 1 and _VALUE_PREFIX.match(label[-1]) and label[-1] not in _LABEL_WORDS:
        rest.insert(0, label.pop())
    return " ".join(label), " ".join(rest)


def classify(item: str) -> Identifier | None:
    """The identifier an item states, or None if it is not an identifier item."""
    parts = split_label(item)
    if parts is None:
        return None
    label, rest = parts
    if NOT_IDENTIFIERS.match(label):
        return None
    value = _VALUE_END.split(rest, maxsplit=1)[0].strip(" ,.:;()")
    if not value or _DIGIT_TOKEN.search(value) is None:
        return None
    for pattern, prop in LABEL_RULES:
        if pattern.search(label):
            if prop == "imoNumber":
                digits = re.sub(r"\D", "", value)
                value = digits if len(digits) == 7 else value
            return Identifier(label.rstrip(":"), value, prop)
    return None


def imo_check_ok(number: str) -> bool:
    """Whether a 7-digit IMO number passes its check digit (weights 7..2, mod 10)."""
    digits = re.sub(r"\D", "", number)
    if len(digits) != 7:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(digits[6])
