"""Compile the matching engine's hot path with mypyc (run by ``make install``).

    .venv/bin/python scripts/build_native.py [--force] [--clean]

The modules in :data:`MODULES` are compiled, from their typed source, into
C extension modules beside the ``.py`` files (and one shared library,
``dprkwatch_native__mypyc``, in ``src``); ``src/dprkwatch/matching/compiled.json``
records the SHA-256 of each source as compiled, so that
:mod:`dprkwatch.matching.compiled` can refuse a build older than its source.
Nothing is done when that record matches the sources and the extensions are
there. Without a C compiler, Python's headers or mypyc (a dev dependency),
or when compiling fails, the old build is removed, one line says so, and the
command still succeeds: the engine then runs its pure-Python source (slower,
same answers). ``--clean`` only removes the build.

:data:`C_SOURCES` are plain C kernels over numpy arrays (loaded with ctypes,
no Python API), compiled with the C compiler alone into a shared library
whose name carries the source's digest, so nothing needs a record: a
library of another source is never loaded. Without a compiler their Python
callers use numpy (same answers, slower). :data:`C_EXTENSIONS` are C kernels
that take and give Python objects (CPython extension modules, compiled with
Python's headers, named by digest and this Python's extension suffix);
without them the callers run their Python.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
STAMP = SRC / "dprkwatch" / "matching" / "compiled.json"
GROUP = "dprkwatch_native"
# The hot path of a query, in the order a screen calls it.
MODULES = (
    "dprkwatch.matching.text",
    "dprkwatch.matching.rounding",
    "dprkwatch.matching.hangul",
    "dprkwatch.matching.syllables",
    "dprkwatch.matching.korean_names",
    "dprkwatch.matching.orgs",
    "dprkwatch.matching.analysis",
    "dprkwatch.matching.keys",
    "dprkwatch.matching.typos",
    "dprkwatch.matching.corrections",
    "dprkwatch.matching.postings",
    "dprkwatch.matching.features.words",
    "dprkwatch.matching.features.korean",
    "dprkwatch.matching.features.qualifiers",
    "dprkwatch.matching.calibration",
    "dprkwatch.matching.wade_giles",
    "dprkwatch.matching.given_names",
    "dprkwatch.matching.algorithms",
    "dprkwatch.matching.screener",
)
LOG = ROOT / "build" / "native.log"
# C kernels that are CPython extension modules (METH_FASTCALL; see dprkwatch.native.extension).
C_EXTENSIONS = (
    "dprkwatch/matching/features/name_align.c",
    "dprkwatch/matching/typo_near.c",
    "dprkwatch/matching/prescore.c",
)
# C kernels over numpy arrays (see dprkwatch.native).
C_SOURCES = (
    "dprkwatch/maritime/engines/tracks.c",
    "dprkwatch/maritime/clones.c",
    "dprkwatch/maritime/ingest/group.c",
)
# No fast-math and no fused multiply-add: the kernel must round as numpy does.
CFLAGS = ("-O2", "-shared", "-fPIC", "-fno-fast-math", "-ffp-contract=off")


def source(module: str) -> Path:
    return SRC.joinpath(*module.split(".")).with_suffix(".py")


def digests() -> dict[str, str]:
    return {m: hashlib.sha256(source(m).read_bytes()).hexdigest() for m in MODULES}


def extensions() -> list[Path]:
    """Every extension file a build leaves in the source tree (of any Python version).

    Beside every Python source, not only those of :data:`MODULES`: a module
    taken off the list would otherwise keep its old extension, which Python
    imports in preference to the source, outside the record's all-or-none
    check.
    """
    found = list(SRC.glob(f"{GROUP}__mypyc*"))
    for py in SRC.rglob("*.py"):
        stem = py.with_suffix("")
        found += [p for p in stem.parent.glob(stem.name + ".*") if p.suffix in (".so", ".pyd")]
    return found


def clean() -> None:
    STAMP.unlink(missing_ok=True)
    for path in extensions():
        path.unlink(missing_ok=True)


def up_to_date() -> bool:
    try:
        stamp = json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    suffix = EXTENSION_SUFFIXES[0]
    return (
        stamp.get("modules") == digests()
        and stamp.get("suffix") == suffix
        and all(source(m).with_suffix(suffix).is_file() for m in MODULES)
    )


def missing_tools() -> str | None:
    """Why nothing can be compiled here, or None."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler})"
    include = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not include.is_file():
        return f"no Python headers ({include})"
    for module in ("mypyc", "setuptools"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (the dev extra)"
    return None


SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
modules = sys.argv[1:]
sys.argv = [sys.argv[0], "build_ext", "--build-lib", {lib!r}, "--build-temp", {temp!r}]
setup(
    name="dprkwatch-native",
    package_dir={{"": "src"}},
    ext_modules=mypycify(
        modules, opt_level="3", group_name={group!r}, target_dir={target!r}
    ),
)
"""


def build(lib: Path) -> str | None:
    """Compile into ``lib``; None on success, else why not (the log has the details)."""
    LOG.parent.mkdir(parents=True, exist_ok=True)
    paths = [str(source(m).relative_to(ROOT)) for m in MODULES]
    with tempfile.TemporaryDirectory(prefix="dprkwatch-native-") as tmp:
        script = Path(tmp) / "setup_native.py"
        script.write_text(
            SETUP.format(
                lib=str(lib), temp=str(Path(tmp) / "obj"), group=GROUP, target=str(Path(tmp) / "c")
            )
        )
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        with LOG.open("w", encoding="utf-8") as log:
            done = subprocess.run(
                [sys.executable, str(script), *paths],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, check=False,
            )  # fmt: skip
    if done.returncode != 0:
        return f"compiling failed (exit {done.returncode}; see {LOG.relative_to(ROOT)})"
    suffix = EXTENSION_SUFFIXES[0]
    missing = [
        m for m in MODULES if not (lib / source(m).relative_to(SRC)).with_suffix(suffix).is_file()
    ]
    if missing:
        return f"compiling left no extension for {', '.join(missing)}"
    return None


def install(lib: Path, digests_compiled: dict[str, str]) -> None:
    """The record first, then the extensions: an extension is never in place unrecorded."""
    suffix = EXTENSION_SUFFIXES[0]
    STAMP.write_text(
        json.dumps({"modules": digests_compiled, "suffix": suffix}, indent=1) + "\n",
        encoding="utf-8",
    )
    for built in [*lib.glob(f"{GROUP}__mypyc*"), *lib.rglob("*" + suffix)]:
        target = SRC / built.relative_to(lib)
        if not target.exists():
            shutil.copy2(built, target.with_name(target.name + ".tmp"))
            os.replace(target.with_name(target.name + ".tmp"), target)


def c_libraries(source: Path) -> list[Path]:
    """Every library built from ``source``, of any version of it."""
    return [p for p in source.parent.glob(f"{source.stem}-*") if p.suffix in (".so", ".dylib")]


def build_c(*, force: bool) -> None:
    """Compile each of :data:`C_SOURCES` and :data:`C_EXTENSIONS` whose library for its
    current digest is missing."""
    from dprkwatch.native import extension_path, library_path

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    include = sysconfig.get_paths()["include"]
    for rel in (*C_SOURCES, *C_EXTENSIONS):
        source = SRC / rel
        python = rel in C_EXTENSIONS
        fallback = "Python" if python else "numpy"
        target = extension_path(source) if python else library_path(source)
        if target.is_file() and not force:
            continue
        for old in c_libraries(source):
            old.unlink(missing_ok=True)
        if shutil.which(compiler) is None:
            print(f"native: no C compiler ({compiler}); {rel} runs as {fallback}", file=sys.stderr)
            continue
        tmp = target.with_name(target.name + ".tmp")
        flags = [*CFLAGS, f"-I{include}"] if python else list(CFLAGS)
        done = subprocess.run(
            [compiler, *flags, "-o", str(tmp), str(source), "-lm"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            tmp.unlink(missing_ok=True)
            why = (done.stderr.strip().splitlines() or ["no output"])[0]
            print(f"native: compiling {rel} failed ({why}); it runs as {fallback}", file=sys.stderr)
            continue
        os.replace(tmp, target)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", action="store_true", help="compile even when up to date")
    ap.add_argument("--clean", action="store_true", help="remove the build and stop")
    args = ap.parse_args()
    if args.clean:
        clean()
        for rel in (*C_SOURCES, *C_EXTENSIONS):
            for path in c_libraries(SRC / rel):
                path.unlink()
        return 0
    build_c(force=args.force)
    if not args.force and up_to_date():
        return 0
    clean()
    why = missing_tools()
    if why is not None:
        print(f"native: {why}; screening runs as pure Python (slower)", file=sys.stderr)
        return 0
    print(f"native: compiling {len(MODULES)} matching modules with mypyc ...", file=sys.stderr)
    before = digests()
    with tempfile.TemporaryDirectory(prefix="dprkwatch-native-lib-") as lib:
        why = build(Path(lib))
        if why is None and digests() != before:
            why = "a source changed while compiling"
        if why is None:
            install(Path(lib), before)
    if why is not None:
        clean()
        print(f"native: {why}; screening runs as pure Python (slower)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
