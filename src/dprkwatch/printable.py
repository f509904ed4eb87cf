"""Text that is shown on a terminal: names free of control and bidirectional characters.

A key name like ``"ops\\u202e nimda"`` (a right-to-left override) or one
holding an escape sequence is printed by ``keys list`` as something else
than it is: a terminal obeys the escape, and the override makes ``admin``
read backwards. Names that people choose are therefore refused when they
hold such characters (:func:`check_name`), and every table cell the command
line prints shows any that slipped in as ``\\u202e`` (:func:`visible`).
"""

from __future__ import annotations

import unicodedata

from dprkwatch.exceptions import InputError

# Control (Cc), format (Cf: bidi overrides and isolates, zero-width
# characters), line and paragraph separators (Zl, Zp), private use,
# surrogates and unassigned code points.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def unsafe(text: str) -> list[tuple[int, str]]:
    """Positions and characters of ``text`` that a terminal would not show as themselves."""
    return [(i, ch) for i, ch in enumerate(text) if unicodedata.category(ch) in UNSAFE_CATEGORIES]


def check_name(name: str, where: str = "name") -> str:
    """``name`` unchanged; :class:`InputError` naming the first unsafe character otherwise."""
    found = unsafe(name)
    if found:
        pos, ch = found[0]
        raise InputError(
            f"contains a control or bidirectional formatting character "
            f"(U+{ord(ch):04X} at position {pos + 1}); use printable text",
            where=where,
        )
    return name


def visible(text: str) -> str:
    """``text`` with every unsafe character written as ``\\uXXXX``."""
    if text.isprintable():
        return text
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in UNSAFE_CATEGORIES else ch for ch in text
    )
