"""Readings of a person's first given name: glued initials and short forms.

A customer file writes "JC Juncker" or "Ben Netanyahu" where the list has
Jean-Claude Juncker and Benjamin Netanyahu. Both are read here as further
query readings (compared like the typo corrections, at a discount), never
on the listed side:

* **glued initials**: a word of two or three capitals without a vowel (JC,
  JFK) is a run of initials, read as spaced initials ("J C Juncker"); each
  initial then stands for any listed word it begins, at the initial's own
  discount, so a full name still scores higher;
* **short forms** of common English given names (Ben, Bill, Bob, Tony),
  read as their full forms, only as the first given name: the first word
  of the name, or the first after a comma ("NETANYAHU, Ben").

The short forms below were chosen by hand from onyxrev/common_nickname_csv
(github.com/onyxrev/common_nickname_csv, released into the public domain):
only short forms in common use today, and none that is also a spelling of
a family name of the Korean surname table or a particle of Arabic names
(Kim, Lee, Joe, Jo, Al are left out). A short form that several full
names share (Chris) keeps at most three, the commonest first.
"""

from __future__ import annotations

import re
from typing import Final

# Short form -> full forms (lower case).
NICKNAMES: Final[dict[str, tuple[str, ...]]] = {
    "abe": ("abraham",), "alex": ("alexander", "alexandra"), "andy": ("andrew",),
    "archie": ("archibald",), "art": ("arthur",), "barney": ("bernard", "barnabas"),
    "bart": ("bartholomew",), "becky": ("rebecca",), "ben": ("benjamin", "benedict"),
    "benny": ("benjamin",), "bernie": ("bernard",), "bert": ("albert", "herbert", "gilbert"),
    "bess": ("elizabeth",), "beth": ("elizabeth",), "betsy": ("elizabeth",),
    "betty": ("elizabeth",), "bill": ("william",), "billy": ("william",), "bob": ("robert",),
    "bobby": ("robert",), "brad": ("bradley", "bradford"), "cathy": ("catherine", "kathleen"),
    "charlie": ("charles",), "chris": ("christopher", "christian", "christine"),
    "chuck": ("charles",), "cindy": ("cynthia", "lucinda"), "cliff": ("clifford",),
    "dan": ("daniel",), "danny": ("daniel",), "dave": ("david",), "davey": ("david",),
    "debbie": ("deborah",), "dick": ("richard",), "don": ("donald",), "donny": ("donald",),
    "dot": ("dorothy",), "doug": ("douglas",), "drew": ("andrew",), "ed": ("edward", "edmund"),
    "eddie": ("edward",), "eddy": ("edward",), "fred": ("frederick", "alfred"),
    "freddie": ("frederick",), "freddy": ("frederick",), "frank": ("francis", "franklin"),
    "gabe": ("gabriel",), "gene": ("eugene",), "geoff": ("geoffrey",), "greg": ("gregory",),
    "hank": ("henry",), "harry": ("henry", "harold"), "jack": ("john",), "jake": ("jacob",),
    "jeff": ("jeffrey", "geoffrey"), "jenny": ("jennifer",), "jerry": ("gerald", "jeremiah"),
    "jim": ("james",), "jimmy": ("james",), "joey": ("joseph",),
    "johnny": ("john",), "josh": ("joshua",), "kate": ("katherine", "catherine"),
    "kathy": ("katherine", "kathleen"), "katy": ("katherine",), "ken": ("kenneth",),
    "kenny": ("kenneth",), "larry": ("lawrence", "laurence"), "len": ("leonard",),
    "lenny": ("leonard",), "liz": ("elizabeth",), "lizzie": ("elizabeth",), "maggie": ("margaret",),
    "matt": ("matthew",), "meg": ("margaret",), "mick": ("michael",), "mike": ("michael",),
    "mikey": ("michael",), "mitch": ("mitchell",), "nate": ("nathan", "nathaniel"),
    "ned": ("edward",), "nick": ("nicholas",), "nicky": ("nicholas",), "pat": ("patrick", "patricia"),
    "patty": ("patricia",), "peggy": ("margaret",), "pete": ("peter",), "phil": ("philip",),
    "ray": ("raymond",), "rick": ("richard", "eric"), "ricky": ("richard",), "rob": ("robert",),
    "robbie": ("robert",), "ron": ("ronald",), "ronnie": ("ronald",), "sam": ("samuel",),
    "sammy": ("samuel",), "sandy": ("alexander", "sandra"), "steve": ("stephen", "steven"),
    "stu": ("stuart",), "sue": ("susan",), "susie": ("susan",), "ted": ("edward", "theodore"),
    "teddy": ("edward", "theodore"), "terry": ("terence",), "tim": ("timothy",),
    "timmy": ("timothy",), "tom": ("thomas",), "tommy": ("thomas",), "tony": ("anthony",),
    "vince": ("vincent",), "walt": ("walter",), "will": ("william",), "willy": ("william",),
    "zach": ("zachary",), "zack": ("zachary",),
}  # fmt: skip

# A word of two or three capitals without a vowel (Y counts as one), found
# with one search: every query name is asked, and few have one.
_GLUED: Final = re.compile(r"(?<![^\s.])[B-DF-HJ-NP-TV-XZ]{2,3}(?![^\s.])")


def _glued_initials(word: str) -> bool:
    """Two or three Latin capitals, none a vowel (JC, JFK): initials, not a name
    (Ng, in small letters, is a family name)."""
    return _GLUED.fullmatch(word) is not None


def initials_reading(name: str) -> str | None:
    """The name with glued initials spaced ("JC Juncker" -> "J C Juncker"), or None.

    Only when some other word of three letters or more is left to carry the
    name (the surname, which must then match as written).
    """
    if _GLUED.search(name) is None:
        return None
    words = name.replace(".", " ").split()
    if not any(len(w) >= 3 and not _glued_initials(w) for w in words):
        return None
    return " ".join(" ".join(w) if _glued_initials(w) else w for w in words)


def nickname_readings(name: str) -> tuple[str, ...]:
    """The name with its first given name, when a short form, in each full form.

    The first given name is the first word, or the first word after a comma
    (a list's "SURNAME, Given" order). A name of one word has none.
    """
    head, comma, tail = name.partition(",")
    words = (tail if comma else head).split(None, 1)
    if not words or NICKNAMES.get(words[0].lower()) is None:
        return ()
    if len(name.replace(",", " ").split()) < 2:
        return ()
    rest = words[1] if len(words) > 1 else ""
    out = []
    for form in NICKNAMES[words[0].lower()]:
        given = f"{form.capitalize()} {rest}".strip()
        out.append(f"{head},{' ' + given}" if comma else given)
    return tuple(out)
