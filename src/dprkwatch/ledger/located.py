"""YAML read with the line number of every value, so errors can point at it.

``yaml.safe_load`` forgets where things were. Here the document is composed
into nodes (which carry ``start_mark``) and turned into plain Python by hand,
recording ``path -> line`` for every mapping key and sequence item. Scalars
stay strings unless YAML resolved them to int, float, bool or null: dates are
left as text so that an impossible date like ``2018-02-30`` reaches the
ledger's own validator (and its clear message) instead of failing inside the
YAML timestamp constructor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dprkwatch.ledger.exceptions import LedgerValidationError

Path_ = tuple[int | str, ...]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


@dataclass
class Located:
    """A parsed document and the 1-based line of each value in it."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of the deepest recorded value on ``path`` (1 if none)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 1


def _scalar(node: yaml.ScalarNode, constructor: yaml.constructor.SafeConstructor) -> Any:
    if node.tag in (_INT, _FLOAT, _BOOL, _NULL):
        return constructor.construct_object(node, deep=True)
    return node.value


def _build(
    node: yaml.Node,
    path: Path_,
    out: Located,
    constructor: yaml.constructor.SafeConstructor,
    source: str,
) -> Any:
    out.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise LedgerValidationError(
                    "mapping keys must be plain names",
                    source=source,
                    where=f"line {key_node.start_mark.line + 1}",
                )
            key = str(key_node.value)
            if key in result:
                raise LedgerValidationError(
                    f"key {key!r} appears twice in the same record",
                    source=source,
                    where=f"line {key_node.start_mark.line + 1}",
                )
            result[key] = _build(value_node, (*path, key), out, constructor, source)
            out.lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, i), out, constructor, source) for i, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, constructor)
    raise LedgerValidationError(  # pragma: no cover - anchors/aliases resolve to the above
        "unsupported YAML construct", source=source, where=f"line {node.start_mark.line + 1}"
    )


# libyaml's composer when PyYAML was built with it: the same nodes, marks and
# values as the pure-Python one, about fifteen times faster (the curated files
# are read on every command that loads the ledger or the roadmap).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, source: str) -> Located:
    """Parse one YAML document, keeping line numbers; errors name ``source``."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else None
        raise LedgerValidationError(
            f"not valid YAML: {exc.problem or exc}", source=source, where=where
        ) from None
    except yaml.YAMLError as exc:
        raise LedgerValidationError(f"not valid YAML: {exc}", source=source) from None
    out = Located(data=None)
    if node is None:
        out.data = []
        return out
    constructor = yaml.constructor.SafeConstructor()
    out.data = _build(node, (), out, constructor, source)
    return out


def load_yaml_file(path: Path) -> Located:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LedgerValidationError("file not found", source=str(path)) from None
    except UnicodeDecodeError:
        raise LedgerValidationError("not UTF-8 text", source=str(path)) from None
    return load_yaml(text, path.name)
