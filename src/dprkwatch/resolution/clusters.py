"""Listings into targets: union-find under constraints, and ids that stay put.

Links are applied strongest first (human "same" decisions, references,
identifiers, then engine matches by falling score). A link is *blocked*
rather than applied when it would join two groups that a human said are
different, or put two entries of the same list into one target without a
human or a reference saying so (publishers rarely list one target twice, so
that is usually a namesake). Blocked links go to the review queue.

Canonical ids (``dw-`` and twelve hex digits) are stable across runs: a
target keeps the id most of its members had last time; a target made of
entries never seen before gets an id derived from its smallest member id;
when an old target splits, its id stays with the larger part.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping

PREFIX = "dw-"


class Clusters:
    """A union-find over listing ids that knows each group's lists and forbidden partners."""

    def __init__(self, ids: Iterable[str], list_of: Mapping[str, str]) -> None:
        self._parent: dict[str, str] = {i: i for i in ids}
        self._list_of = list_of
        # The lists of each group by its root (absent: the root's own list).
        self._lists: dict[str, Counter[str]] = {}
        self._apart: dict[str, set[str]] = defaultdict(set)
        # Members of each group by its root (absent: the root alone).
        self._members: dict[str, list[str]] = {}

    def find(self, x: str) -> str:
        parent = self._parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def keep_apart(self, x: str, y: str) -> None:
        """Record that the groups of ``x`` and ``y`` must never be joined."""
        self._apart[x].add(y)
        self._apart[y].add(x)

    def obstacle(
        self,
        x: str,
        y: str,
        *,
        same_list_ok: bool,
        duplicates: Callable[[str, str], bool] | None = None,
    ) -> str:
        """Why joining the groups of ``x`` and ``y`` is not allowed ('' when it is).

        Two entries of one list may share a target when ``duplicates`` says
        they describe the same subject (publishers do list some twice, the EU
        for instance under its own and the UN regime).
        """
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return ""
        members_y = self.members_of(ry)
        for member in self.members_of(rx):
            for other in self._apart.get(member, ()):
                if other in members_y:
                    return f"a reviewer judged {member} and {other} different"
        if not same_list_ok:
            shared = set(self._lists_of(rx)) & set(self._lists_of(ry))
            for p in self.members_of(rx):
                if self._list_of[p] not in shared:
                    continue
                for q in members_y:
                    if self._list_of[q] == self._list_of[p] and not (
                        duplicates is not None and duplicates(p, q)
                    ):
                        return (
                            f"would put two {self._list_of[p]} entries ({p}, {q}) into one target"
                        )
        return ""

    def members_of(self, root: str) -> list[str]:
        return self._members.get(root, [root])

    def _lists_of(self, root: str) -> Counter[str]:
        lists = self._lists.get(root)
        return lists if lists is not None else Counter([self._list_of[root]])

    def union(self, x: str, y: str) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return
        if len(self.members_of(rx)) < len(self.members_of(ry)):
            rx, ry = ry, rx
        self._parent[ry] = rx
        merged = self._lists_of(rx)
        merged.update(self._lists_of(ry))
        self._lists.pop(ry, None)
        self._lists[rx] = merged
        self._members[rx] = self.members_of(rx) + self.members_of(ry)
        self._members.pop(ry, None)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self._parent:
            out[self.find(x)].append(x)
        return [sorted(g) for g in out.values()]


def derived_id(members: Iterable[str], salt: int = 0) -> str:
    seed = min(members) + (f"#{salt}" if salt else "")
    return PREFIX + hashlib.sha256(seed.encode()).hexdigest()[:12]


def assign_ids(groups: Iterable[list[str]], previous: Mapping[str, str]) -> dict[str, list[str]]:
    """Canonical id -> members, keeping the ids of ``previous`` (member -> id) where possible."""
    ordered = sorted(groups, key=lambda g: (-len(g), g[0]))
    taken: set[str] = set(previous.values())
    used: set[str] = set()
    out: dict[str, list[str]] = {}
    fresh: list[list[str]] = []
    for group in ordered:
        if len(group) == 1:  # most targets: one listing, no vote to count
            cid = previous.get(group[0])
            choice = cid if cid is not None and cid not in used else None
        else:
            votes = Counter(previous[m] for m in group if m in previous)
            choice = next(
                (
                    cid
                    for cid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
                    if cid not in used
                ),
                None,
            )
        if choice is None:
            fresh.append(group)
            continue
        used.add(choice)
        out[choice] = group
    for group in fresh:
        salt = 0
        cid = derived_id(group)
        while cid in used or cid in taken:
            salt += 1
            cid = derived_id(group, salt)
        used.add(cid)
        out[cid] = group
    return out
