"""Which imported list versions may become active: never an older one, never a gutted one.

Importing a file used to activate it whatever it held. The UN list rolled
back from 2026-02-27 to 2025-06-18 (129 entities gone) when an old file was
imported again, and a one-entity UN file replaced the 1,003-entity list.
Both are plausible mistakes (a stale download, a truncated file) and both
silently stop screening against designated parties. So a version is
activated only when, compared with the list's active version, it

* is **not older**: its publication date is not before the active one's
  (an undated version counts as older than a dated one); and
* is **plausible**: it does not hold fewer than ``(1 - max_drop)`` times
  the active version's entities (``DPRKWATCH_MAX_LIST_DROP``, default 0.10).

A refused version is still stored (``lists versions`` shows it, ``lists
diff`` compares it) and the reason is one line; ``--force`` (or
``"force": true``) activates it anyway. A batch is activated whole or not at
all, as it is imported whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dprkwatch.lists.snapshot import Manifest

DEFAULT_MAX_DROP = 0.10


@dataclass(frozen=True)
class Decision:
    """Whether one imported version becomes active, and if not, why."""

    manifest: Manifest
    activate: bool
    reason: str | None = None

    @property
    def ref(self) -> str:
        return self.manifest.ref


def newest(manifests: Iterable[Manifest]) -> dict[str, Manifest]:
    """The newest published version of each list among ``manifests``."""
    chosen: dict[str, Manifest] = {}
    for m in manifests:
        current = chosen.get(m.list_name)
        if current is None or (m.published or "") >= (current.published or ""):
            chosen[m.list_name] = m
    return chosen


def decide(
    candidates: Iterable[Manifest],
    active: Mapping[str, Manifest],
    *,
    force: bool = False,
    max_drop: float = DEFAULT_MAX_DROP,
) -> list[Decision]:
    """One decision per candidate, against the active version of its list (if any)."""
    decisions = []
    for m in candidates:
        current = active.get(m.list_name)
        reason = (
            None
            if current is None or current.version == m.version
            else _objection(m, current, max_drop)
        )
        decisions.append(Decision(m, force or reason is None, reason))
    return decisions


def _objection(new: Manifest, current: Manifest, max_drop: float) -> str | None:
    if (new.published or "") < (current.published or ""):
        return (
            f"published {new.published or 'undated'}, older than the active version "
            f"({current.published})"
        )
    before, after = _entities(current), _entities(new)
    if before and after < before * (1 - max_drop):
        share = (before - after) / before
        return (
            f"holds {after:,} entities against {before:,} in the active version: "
            f"{share:.0%} fewer, more than the {max_drop:.0%} allowed (DPRKWATCH_MAX_LIST_DROP)"
        )
    return None


def _entities(m: Manifest) -> int:
    return int(m.counts.get("entities", 0) or 0)


def refusal(decisions: Iterable[Decision]) -> str | None:
    """One line for the refused decisions, or ``None`` when every version may be activated."""
    refused = [d for d in decisions if not d.activate]
    if not refused:
        return None
    first = refused[0]
    more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
    return (
        f"{first.ref}: imported but not activated: {first.reason}{more}; "
        "nothing in this import was activated (force it to activate anyway)"
    )
