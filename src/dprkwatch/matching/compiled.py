"""The compiled hot path: which matching modules run as C extensions, and when not.

``make install`` compiles the modules a query spends its CPU in (word
comparison and alignment, query analysis and corrections, candidate
retrieval and the scoring loop) with mypyc, from the same typed source,
into extension modules beside the ``.py`` files (``scripts/build_native.py``).
Python imports an extension module in preference to its source, so the
source is the fallback where nothing was built (no C compiler): slower,
with the same answers.

An extension module built from an older source must never shadow an edited
one, so the build also writes ``compiled.json``: the SHA-256 of every
compiled module's source as it was compiled. :func:`install`, run when
this package is first imported, checks the sources against it; if any has
changed (or ``DPRKWATCH_COMPILED=0`` asks for pure Python), it puts a
finder in front of Python's own that loads every module of the build from
its source. All or none: compiled modules of one build call each other
directly, so mixing an old compiled module with a new source one could
mix old and new code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections.abc import Mapping, Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec
from pathlib import Path
from types import ModuleType

from dprkwatch.settings import compiled_code

# Written by the build beside this module: {"modules": {name: sha256 of its source}}.
STAMP = Path(__file__).with_name("compiled.json")
_SRC = Path(__file__).resolve().parents[2]


class SourceFinder(MetaPathFinder):
    """Finds the listed modules as their ``.py`` source, never as an extension."""

    def __init__(self, names: Mapping[str, Path]) -> None:
        self.names = dict(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        source = self.names.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def source_of(module: str) -> Path:
    """The ``.py`` file of a module of this source tree."""
    return _SRC.joinpath(*module.split(".")).with_suffix(".py")


def stale(modules: Mapping[str, str]) -> list[str]:
    """Modules whose source no longer has the digest it was compiled from."""
    out = []
    for name, digest in modules.items():
        try:
            data = source_of(name).read_bytes()
        except OSError:
            out.append(name)
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            out.append(name)
    return out


def built() -> dict[str, str]:
    """The modules the last build compiled, with their source digests ({} if none)."""
    try:
        data = json.loads(STAMP.read_text(encoding="utf-8"))
        modules = data["modules"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(modules, dict):
        return {}
    return {str(k): str(v) for k, v in modules.items()}


def unrecorded() -> dict[str, str]:
    """Extension modules of this package that no build record vouches for (a build
    interrupted, or one that failed after copying them), as never-matching digests."""
    here = Path(__file__).resolve().parent
    found: dict[str, str] = {}
    for suffix in EXTENSION_SUFFIXES:
        for path in here.rglob("*" + suffix):
            parts = path.relative_to(_SRC).with_name(path.name[: -len(suffix)]).parts
            found[".".join(parts)] = ""
    return found


_STATE: dict[str, str] = {}


def install() -> str:
    """Decide once per process: compiled modules, or their sources. Returns the state."""
    if "state" in _STATE:
        return _STATE["state"]
    modules = built()
    if not modules:
        modules = unrecorded()
        state = "not built" if not modules else "unrecorded (no build record; run make install)"
    elif not compiled_code():
        state = "off (DPRKWATCH_COMPILED=0)"
    elif stale(modules):
        state = "stale (a source changed since the build; run make install)"
    else:
        state = "compiled"
    if modules and state != "compiled":
        loaded = [name for name in modules if name in sys.modules]
        if loaded:
            # Too late to choose for these (imported before this package).
            state += f"; already imported: {', '.join(sorted(loaded))}"
        sys.meta_path.insert(0, SourceFinder({name: source_of(name) for name in modules}))
    _STATE["state"] = state
    return state


def state() -> str:
    """What :func:`install` decided, e.g. ``compiled`` or ``not built``."""
    return _STATE.get("state") or install()


def is_compiled(module: ModuleType) -> bool:
    """Whether a module was loaded from an extension, not from source."""
    return not str(getattr(module, "__file__", "") or "").endswith(".py")
