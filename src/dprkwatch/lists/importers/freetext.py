"""Identifiers that publishers bury in remarks: IMO numbers, SWIFT/BIC codes, wallets.

The UN list puts the IMO company numbers of DPRK shipping firms in
COMMENTS1 ("IMO number: 5571322."), and the UK re-serialised list lost its
structured fields, leaving only ``other_information``. These patterns are
deliberately narrow: a number is taken only when it directly follows its
label, so a sentence listing several vessels ("owner of the following
vessels with IMO Number: (a) Chol Ryong 8606173, ...") does not give the
company the vessels' numbers.
"""

from __future__ import annotations

import re

from dprkwatch.lists.importers.values import iso_date

# "IMO number: 5571322", "IMO Number 5342883", "(IMO) Number: 1790183",
# "Company Number IMO 5434358", "(IMO 9058713)".
_IMO = re.compile(
    r"\bIMO\b\)?[ \t]*(?:(?:number|no\.?|num\.?)[ \t]*)?[:#]?[ \t]*(\d{7})\b", re.IGNORECASE
)
_SWIFT = re.compile(
    r"\b(?:SWIFT(?:[ \t]*/[ \t]*BIC)?|BIC)(?:[ \t]*code)?[ \t]*:?[ \t]*([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b"
)
# Chain tickers as OFAC/OFSI write them, followed by an address.
_WALLET = re.compile(
    r"\b(XBT|BTC|ETH|USDT|USDC|BNB|TRX|LTC|XMR|BCH|BSV|ZEC|DASH|ETC|BTG|XVG|SOL|ARB)\b"
    r"[ \t]*:?[ \t]*((?:0x)?[A-Za-z0-9]{25,100})\b"
)
_GENDER = re.compile(r"\b(?:Gender|Sex)[ \t]*:[ \t]*(male|female)\b", re.IGNORECASE)
_DOB = re.compile(
    r"\b(?:date of birth|DOB)[ \t]*:?[ \t]*"
    r"(\d{1,2}[ \t]+[A-Za-z]{3,9}\.?[ \t]+\d{4}|\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_PASSPORT = re.compile(
    r"\bpassport[ \t]+(?:number|no\.?)[ \t]*:?[ \t]*([A-Z0-9][A-Z0-9-]{4,19})\b", re.IGNORECASE
)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def imo_numbers(text: str | None) -> list[str]:
    """Seven-digit IMO numbers written right after an "IMO" label."""
    return _unique(_IMO.findall(text)) if text else []


def swift_codes(text: str | None) -> list[str]:
    return _unique(_SWIFT.findall(text)) if text else []


def wallets(text: str | None) -> list[tuple[str, str]]:
    """``(chain, address)`` pairs; addresses must mix letters and digits."""
    if not text:
        return []
    found = [
        (chain.upper(), addr)
        for chain, addr in _WALLET.findall(text)
        if any(c.isdigit() for c in addr) and any(c.isalpha() for c in addr)
    ]
    return list(dict.fromkeys(found))


def gender(text: str | None) -> str | None:
    if not text:
        return None
    m = _GENDER.search(text)
    return m.group(1).lower() if m else None


def birth_dates(text: str | None) -> list[str]:
    """Dates written as "date of birth 22 February 1958" and similar."""
    if not text:
        return []
    out = [iso_date(m) for m in _DOB.findall(text)]
    return _unique([d for d in out if d])


def passport_numbers(text: str | None) -> list[str]:
    return _unique(_PASSPORT.findall(text)) if text else []
