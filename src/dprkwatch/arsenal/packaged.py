"""The arsenal's YAML files: the packaged one, or another the user names.

Parameters, scenarios and curated estimates ship as package data
(``data/*.yaml``), and each may be replaced by a file of the user's. All
three are read here, with the same one-line errors for a file that cannot
be read or is not YAML, raised as the caller's own error class.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dprkwatch.exceptions import InputError
from dprkwatch.sources import reading


def load_yaml(path: Path | str | None, packaged: str, error: type[InputError]) -> tuple[Any, str]:
    """The parsed YAML of ``path`` (default: the packaged ``data/<packaged>``) and its name.

    The name is what later errors about the content cite as their source.
    """
    if path is None:
        text = resources.files("dprkwatch.arsenal.data").joinpath(packaged).read_text("utf-8")
        origin = packaged
    else:
        p = Path(path)
        origin = p.name
        with reading(p, error):
            try:
                text = p.read_text("utf-8")
            except UnicodeDecodeError:
                raise error("not UTF-8 text", source=str(p)) from None
    try:
        return yaml.safe_load(text), origin
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise error(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", source=origin, where=where
        ) from None
