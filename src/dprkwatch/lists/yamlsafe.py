"""Streaming large multi-document YAML files quickly and safely.

The EU and UK lists in the shared data folder are re-serialised as one YAML
document per record (19.7 MB and 11.9 MB). PyYAML's pure-Python loader needs
tens of seconds for that; the libyaml C parser composes the node tree in a
fraction of the time, and a small walker below turns nodes into plain dicts,
lists and strings faster than PyYAML's constructor does.

Safety: no tags are honoured (every scalar stays a string, nothing is
instantiated), and anchors/aliases are shared rather than copied, so an
alias "billion laughs" document costs no memory; the importers only accept
the shapes they expect, so nested alias lists end in a clean error. Parse
problems become one :class:`SourceError` with line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from dprkwatch.lists.exceptions import SourceError
from dprkwatch.sources import reading

# libyaml's parser when PyYAML was built with it, else the pure-Python one.
_Base: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
HAS_LIBYAML: bool = _Base is not yaml.BaseLoader


class _Loader(_Base):  # type: ignore[misc]
    """Skips tag resolution: every scalar is read as text anyway.

    The C parser calls back into Python's resolver for every node (a million
    calls for the EU file); answering with a constant saves most of a second.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return ""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def _plain(node: Node, memo: dict[int, Any]) -> Any:
    cls = node.__class__
    if cls is ScalarNode:
        return node.value
    key = id(node)
    if key in memo:
        return memo[key]
    if cls is MappingNode:
        mapping: dict[str, Any] = {}
        memo[key] = mapping
        for k, v in node.value:
            mapping[k.value if k.__class__ is ScalarNode else repr(k.value)] = _plain(v, memo)
        return mapping
    items: list[Any] = []
    memo[key] = items
    for v in node.value:
        items.append(_plain(v, memo))
    return items


def _offset_where(path: Path, offset: int) -> str:
    """``line L, column C`` (1-based) of a byte offset, for encoding errors."""
    try:
        with path.open("rb") as fh:
            data = fh.read(max(offset, 0) + 4)
    except OSError:
        return f"byte {offset}"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # libyaml may point at the byte after a broken sequence; name its start.
        offset = exc.start
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    return f"line {line}, column {column}"


def _error(path: Path, exc: yaml.YAMLError) -> SourceError:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        return SourceError(
            f"invalid YAML ({problem})",
            source=str(path),
            where=f"line {mark.line + 1}, column {mark.column + 1}",
        )
    if isinstance(exc, yaml.reader.ReaderError):
        return SourceError(
            f"wrong encoding: not valid UTF-8 ({exc.reason})",
            source=str(path),
            where=_offset_where(path, exc.position),
        )
    text = " ".join(str(exc).split())
    if (
        "invalid leading UTF-8" in text
        or "invalid trailing UTF-8" in text
        or "unicode" in text.lower()
    ):
        return SourceError(f"wrong encoding: not valid UTF-8 ({text})", source=str(path))
    return SourceError(f"invalid YAML ({text})", source=str(path))


def iter_documents(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line, data)`` for every document in a (multi-document) YAML file.

    ``line`` is where the document starts (1-based), for error messages.
    Every scalar is returned as a string: "true", "1991", "2024-05-31".
    Big imports overlap work by parsing several files in parallel
    (``lists.importing``), not by splitting one file.
    """
    yield from _iter_local(path)


def _iter_local(path: Path) -> Iterator[tuple[int, Any]]:
    with reading(path, SourceError):
        fh = path.open("rb")
    with fh:
        loader = _Loader(fh)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                yield node.start_mark.line + 1, _plain(node, {})
        except yaml.YAMLError as exc:
            raise _error(path, exc) from None
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"wrong encoding: not valid UTF-8 ({exc.reason})",
                source=str(path),
                where=f"byte {exc.start}",
            ) from None
        finally:
            loader.dispose()


def first_document_keys(head: bytes) -> set[str]:
    """Top-level keys of the first document in ``head`` (for format sniffing).

    Only lines of the form ``key:`` at column 0 are looked at; nothing is
    parsed, so a hostile file cannot cost anything here.
    """
    keys: set[str] = set()
    text = head.decode("utf-8", "replace")
    started = False
    for line in text.splitlines():
        if line.startswith("---"):
            if started and keys:
                break
            started = True
            continue
        if not line or line[0] in " \t-#":
            continue
        key, sep, _ = line.partition(":")
        if sep and key and " " not in key.strip():
            keys.add(key.strip().strip("'\""))
    return keys
