"""The grammar of the Remarks field of OFAC's legacy CSV files.

Remarks carry most of what a screener matches on: ``DOB 15 Jun 1962;
POB Pyongyang, Korea, North; nationality Korea, North; Gender Male;
Passport 745110188 (Korea, North); a.k.a. 'KIM SONG'; Linked To: X.``
Items are separated by semicolons, except inside a quoted alias, and an
``alt.`` prefix marks a further value of the same kind.

:func:`parse_remarks` reads the items with an ordered table of rules and
returns plain data (:class:`Remarks`); it knows nothing of FtM entities, so
it can be tested item by item. Items no rule understands are reported by
kind, never dropped silently: the importer keeps the whole text in ``notes``.

Aliases in Remarks are OFAC's *weak* aliases: the legacy CSV puts strong
aliases in ``alt.csv`` and weak ones here (in the real sets an alias never
appears in both places).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from dprkwatch.lists.importers.ofac.dates import parse_dates
from dprkwatch.lists.importers.ofac.ids import classify, imo_check_ok

# OFAC cuts Remarks at this many characters and continues in the comments file.
REMARKS_LIMIT = 1000

_ALIAS_OPEN = re.compile(r"\s*([afn])\.k\.a\.,?\s*'", re.IGNORECASE)
# A closing quote is one followed by an item end: ";" or an optional "." at the end.
_ALIAS_CLOSE = re.compile(r"'(?=\s*\.?\s*(?:;|$))")
_ALT = re.compile(r"^alt\.\s+", re.IGNORECASE)
_KIND_WORDS = re.compile(r"[A-Za-z][A-Za-z.'/()-]*")
_NAME_KIND = {"a": "weak", "n": "weak", "f": "former"}


@dataclass
class Remarks:
    """What one Remarks text says, as plain values.

    ``props`` are (FtM property, value) pairs for the subject; country values
    are left as written for the importer to clean. ``names`` are (kind, name)
    with kind weak/former. ``unparsed`` and ``problems`` hold short kind labels
    for the importer's aggregated warnings.
    """

    props: list[tuple[str, str]] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)
    wallets: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    provisions: list[str] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    truncated_item: str | None = None


def split_items(text: str) -> tuple[list[str], bool]:
    """The items of a Remarks text, and whether the last one is an unclosed alias.

    A quoted alias may contain semicolons and apostrophes; it ends at a quote
    followed by ``;`` or by the end of the text.
    """
    if ".k.a." not in text and ".K.A." not in text:
        return [i for i in (part.strip() for part in text.split(";")) if i], False
    items: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        opened = _ALIAS_OPEN.match(text, pos)
        if opened is not None:
            close = _ALIAS_CLOSE.search(text, opened.end())
            if close is None:
                items.append(text[pos:].strip())
                return [i for i in items if i], True
            end = text.find(";", close.end())
        else:
            end = text.find(";", pos)
        if end < 0:
            end = n
        items.append(text[pos:end].strip())
        pos = end + 1
    return [i for i in items if i], False


def kind_of(item: str) -> str:
    """A short label for an item's kind: its first three words without numbers."""
    words = _KIND_WORDS.findall(_ALT.sub("", item))[:3]
    return " ".join(words) if words else "(number only)"


# -- rules -------------------------------------------------------------------

Handler = Callable[[Remarks, "re.Match[str]", str], None]


def _prop(prop: str, group: int = 1) -> Handler:
    def handle(r: Remarks, m: re.Match[str], item: str) -> None:
        r.props.append((prop, m.group(group).strip()))

    return handle


def _dates(prop: str) -> Handler:
    def handle(r: Remarks, m: re.Match[str], item: str) -> None:
        values = parse_dates(m.group(1))
        if values is None:
            r.problems.append(f"unreadable date in {kind_of(item)!r}")
            return
        r.props.extend((prop, v) for v in values)

    return handle


def _alias(r: Remarks, m: re.Match[str], item: str) -> None:
    r.names.append((_NAME_KIND[m.group(1).lower()], m.group(2).strip()))


def _gender(r: Remarks, m: re.Match[str], item: str) -> None:
    r.props.append(("gender", m.group(1).lower()))


def _wallet(r: Remarks, m: re.Match[str], item: str) -> None:
    r.wallets.append((m.group(1).upper(), m.group(2)))


def _link(r: Remarks, m: re.Match[str], item: str) -> None:
    r.links.append(m.group(1).strip())


def _imo(r: Remarks, m: re.Match[str], item: str) -> None:
    add_imo(r, m.group(1))


def _bare_imo(r: Remarks, m: re.Match[str], item: str) -> None:
    """A ship number written without "IMO": an IMO number only if its check digit says so."""
    if imo_check_ok(m.group(1)):
        add_imo(r, m.group(1))
    else:
        r.props.append(("registrationNumber", m.group(1)))


def add_imo(r: Remarks, number: str) -> None:
    """Keep an IMO number in FtM's ``IMO1234567`` form (ship and company numbers alike)."""
    r.props.append(("imoNumber", f"IMO{number}"))


def _provision(r: Remarks, m: re.Match[str], item: str) -> None:
    r.provisions.append(item)


def _kept(r: Remarks, m: re.Match[str], item: str) -> None:
    """Understood, but there is no FtM property for it: it stays in notes."""


_PROVISIONS = (
    r"Secondary sanctions risk:|Transactions Prohibited For Persons Owned or Controlled By"
    r"|Additional Sanctions Information -"
    r"|Executive Order \d+ (?:Directive Determination|Directive Information|information)"
    r"|CAATSA Section|Listing Date \(|Effective Date \(|Purchase/Sales For Divestment Date"
    r"|For more information|IFCA Determination|Subject to Directive"
    r"|Sanctions? Information -|Section \d+ of Executive Order"
)

_RULE_TABLE: tuple[tuple[str, Handler], ...] = (
    (r"^([afn])\.k\.a\.,?\s*'(.*)'$", _alias),
    (r"^([afn])\.k\.a\.,?\s+([^'].*)$", _alias),
    (r"^DOB\s+(.+)$", _dates("birthDate")),
    (r"^POB\s+(.+)$", _prop("birthPlace")),
    (r"^nationality of registration\s+(.+)$", _prop("jurisdiction")),
    (r"^nationality\s+(?:possibly\s+)?(.+)$", _prop("nationality")),
    (r"^citizen(?:ship)?\s+(.+)$", _prop("citizenship")),
    (r"^Gender\s+(Male|Female)$", _gender),
    (r"^Digital Currency Address\s*-\s*([A-Za-z0-9]+)\s+(\S+)$", _wallet),
    (r"^Linked To:\s*(.+)$", _link),
    (
        r"^(?:Vessel Registration Identification|Identification Number|Company Number)\s+IMO\s*(\d{7})$",
        _imo,
    ),
    (r"^International Maritime Organization No\.?\s*\(?(\d{7})\)?$", _imo),
    (r"^Vessel Registration Identification\s+(\d{7})$", _bare_imo),
    (r"^MMSI\s+(\d{9})$", _prop("mmsi")),
    (r"^Vessel Year of Build\s+(.+)$", _dates("buildDate")),
    (r"^Former Vessel Flag\s+(.+)$", _prop("pastFlags")),
    (r"^Other Vessel Flag\s+(.+)$", _prop("flag")),
    (r"^Other Vessel Call Sign\s+(.+)$", _prop("callSign")),
    (r"^Other Vessel Type\s+(.+)$", _prop("type")),
    (r"^Aircraft Model\s+(.+)$", _prop("model")),
    (r"^Aircraft Manufacturer's Serial Number \(MSN\)\s+(.+)$", _prop("serialNumber")),
    (r"^Aircraft Construction Number \([^)]*\)\s+(.+)$", _prop("serialNumber")),
    (r"^Aircraft Serial Identification\s+(.+)$", _prop("serialNumber")),
    (r"^(?:Previous )?Aircraft Tail Number\s+(.+)$", _prop("registrationNumber")),
    (r"^Aircraft Manufacture Date\s+(.+)$", _dates("buildDate")),
    (r"^Aircraft (?:Operator|Mode S Transponder Code)\b", _kept),
    (r"^Email(?: Address)?:?\s+(\S+@\S+)$", _prop("email")),
    (r"^Website:?\s+(\S+)$", _prop("website")),
    (r"^(?:Alt\. )?(?:Phone|Telephone|Tel|Fax|TELEX)\b", _kept),
    (r"^Organization Established Date\s+(.+)$", _dates("incorporationDate")),
    (r"^Organization Type:\s*(.+)$", _prop("sector")),
    (r"^Target Type\s+(.+)$", _kept),
    (r"^(?:all offices worldwide|Issuer Name)\b", _kept),
    (r"^SWIFT/BIC\s+(\S+)$", _prop("swiftBic")),
    (r"^(?:ISIN|Equity Ticker|Identification Number ISIN:?)\b", _kept),
    (rf"^(?:{_PROVISIONS})", _provision),
)
RULES: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), handler) for pattern, handler in _RULE_TABLE
)
# One pass over all rules at C speed to find the first that applies; the
# rule's own pattern then extracts its groups.
_DISPATCH = re.compile(
    "|".join(f"(?P<r{i}>{pattern})" for i, (pattern, _) in enumerate(_RULE_TABLE)), re.IGNORECASE
)


def parse_item(item: str, into: Remarks) -> None:
    """Apply the first matching rule to one item (``alt.`` prefix and final dot removed)."""
    body = _ALT.sub("", item.strip())
    if body.endswith("."):
        body = body[:-1].rstrip()
    hit = _DISPATCH.match(body)
    if hit is not None and hit.lastgroup is not None:
        pattern, handler = RULES[int(hit.lastgroup[1:])]
        m = pattern.match(body)
        if m is not None:
            handler(into, m, body)
            return
    ident = classify(body)
    if ident is None:
        into.unparsed.append(kind_of(body))
    elif ident.prop == "imoNumber" and ident.value.isdigit():
        add_imo(into, ident.value)
    else:
        into.props.append((ident.prop, ident.value))


def parse_remarks(text: str | None, *, truncated: bool = False) -> Remarks:
    """Read a whole Remarks text (with any overflow already joined).

    ``truncated`` says the text was cut at :data:`REMARKS_LIMIT` characters
    with no overflow to join: its last item is then incomplete and is left in
    notes rather than read as, say, half a wallet address.
    """
    result = Remarks()
    if not text:
        return result
    items, unclosed = split_items(text)
    # A cut that falls just after a ";" leaves the last item whole. One after a
    # "." proves nothing ("... By U.S." is cut mid-sentence), so that item is
    # kept in notes only.
    if items and (unclosed or (truncated and not text.rstrip().endswith(";"))):
        result.truncated_item = items.pop()
    for item in items:
        parse_item(item, result)
    return result
