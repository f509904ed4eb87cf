"""Identifiers that settle a match: IMO and MMSI numbers, document numbers, wallets.

Each normaliser returns the canonical form that both the index and a query
use, or None when the value cannot be that identifier. They never raise;
:mod:`dprkwatch.matching.query` turns a None into an error for user input,
while list data that fails is simply not indexed under that identifier.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d+")
_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")
_BECH32 = re.compile(r"^(bc|tb|bcrt|ltc|tltc)1[02-9ac-hj-np-z]{6,90}$", re.IGNORECASE)
_CASHADDR = re.compile(r"^(bitcoincash:|bchtest:)?[qp][02-9ac-hj-np-z]{41}$", re.IGNORECASE)


def imo_number(value: str) -> str | None:
    """The seven IMO digits in ``value`` ("IMO 8514306", "8514306"), else None."""
    digits = "".join(_DIGITS.findall(value))
    return digits if len(digits) == 7 else None


def imo_checksum_ok(digits: str) -> bool:
    """The IMO check digit: the first six digits weighted 7..2, summed, mod 10."""
    if len(digits) != 7 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(digits[6])


def mmsi_number(value: str) -> str | None:
    """Nine MMSI digits, else None."""
    digits = "".join(_DIGITS.findall(value))
    return digits if len(digits) == 9 else None


def document_number(value: str) -> str | None:
    """Passport, ID and registration numbers: upper-case letters and digits only.

    Numbers shorter than four characters are too weak to count as evidence.
    """
    norm = _NON_ALNUM.sub("", value.upper())
    return norm if len(norm) >= 4 and any(c.isdigit() for c in norm) else None


def wallet_address(value: str) -> str | None:
    """A crypto address in the form it is compared in.

    EVM addresses (Ethereum, BSC, Tron-EVM...) are hex and case-insensitive
    (the mixed case is only a checksum), bech32 and cashaddr addresses are
    case-insensitive by definition, so all of these are lower-cased.
    Base58 addresses (legacy Bitcoin, Tron, Monero...) are case-sensitive
    and are kept exactly.
    """
    text = "".join(value.split())
    if len(text) < 20 or len(text) > 128:
        return None
    if _EVM.match(text):
        return text.lower()
    if _BECH32.match(text):
        return text.lower()
    if _CASHADDR.match(text):
        return text.lower().split(":", 1)[-1]
    if not text.isalnum():
        return None
    return text
