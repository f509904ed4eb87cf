"""C kernels: where a build lives and loading it, or not.

A few loops (the maritime track columns, the grouping of a day's rows by
MMSI and the splitting of shared MMSIs into tracks; the matching pre-score
and cut to the best names, and the look-up of a mistyped word's deletion
keys) are written twice:
in numpy, the reference and the fallback, and in plain C over the same
arrays (no Python API; called through ctypes, which releases
the GIL, so a kernel in one thread runs beside Python in another).
``make native`` (``scripts/build_native.py``) compiles each ``.c`` file into a
shared library whose name carries the source's SHA-256 (:func:`library_path`),
so an edited source can never load an old build and no record is needed.

:func:`load` gives None when the library is not built (no C compiler, an
installed package without sources) or when ``DPRKWATCH_COMPILED`` turns
compiled code off; callers then use numpy, with the same answers.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import sysconfig
from collections.abc import Callable
from functools import cache
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from dprkwatch.settings import compiled_code

Pointer = ctypes.c_void_p


def library_path(source: Path) -> Path:
    """Where the build puts the compiled ``source``: its name carries the source's digest."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    suffix = sysconfig.get_config_var("SHLIB_SUFFIX") or ".so"
    return source.with_name(f"{source.stem}-{digest}{suffix}")


def extension_path(source: Path) -> Path:
    """Where the build puts ``source`` compiled as a CPython extension module: its name
    carries the source's digest and this Python's extension suffix (its ABI)."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    return source.with_name(f"{source.stem}-{digest}{EXTENSION_SUFFIXES[0]}")


def _built(source: Path, where: Callable[[Path], Path]) -> Path | None:
    """The build of ``source`` at ``where(source)``, or None (not built, compiled code off)."""
    if not compiled_code():
        return None
    try:
        path = where(source)
    except OSError:  # no source beside the module (an installed package): nothing was built
        return None
    return path if path.is_file() else None


@cache
def extension(source: Path, name: str) -> ModuleType | None:
    """The CPython extension module built from ``source`` (``name``: its dotted name, whose
    last part is the module's own), or None (not built, built from another source or for
    another Python, compiled code off); callers then run their Python, with the same answers.
    """
    path = _built(source, extension_path)
    if path is None:
        return None
    try:
        loader = ExtensionFileLoader(name, str(path))
        spec = importlib.util.spec_from_file_location(name, path, loader=loader)
        if spec is None:
            return None
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
    except ImportError:
        return None
    return module


@cache
def load(source: Path, *, keep_gil: bool = False) -> ctypes.CDLL | None:
    """The library built from ``source``, or None (not built, built from another source, off).

    Its functions release the interpreter lock while they run, unless
    ``keep_gil``: for a kernel of a few microseconds, letting another thread
    run costs more than it gives, and taking the lock back can wait for that
    thread's whole switch interval (5 ms).
    """
    path = _built(source, library_path)
    if path is None:
        return None
    try:
        return ctypes.PyDLL(str(path)) if keep_gil else ctypes.CDLL(str(path))
    except OSError:
        return None


def small_kernel(source: Path, name: str, argtypes: list[type[Any]]) -> Callable[..., int] | None:
    """Function ``name`` of the library built from ``source``, returning an int64, for
    kernels of a few microseconds (the interpreter lock is kept: see :func:`load`);
    None when the library is not built, compiled code is off, or it has no such function.
    """
    lib = load(source, keep_gil=True)
    if lib is None:
        return None
    try:
        fn = getattr(lib, name)
    except AttributeError:  # a library without the function
        return None
    fn.restype = ctypes.c_int64
    fn.argtypes = argtypes
    kernel: Callable[..., int] = fn
    return kernel


def address(a: np.ndarray, dtype: type[np.generic], keep: list[np.ndarray]) -> int:
    """The address of ``a`` as a contiguous array of ``dtype`` (a copy only if it is not one).

    The array is appended to ``keep``: the caller holds it until C has returned.
    """
    arr = np.ascontiguousarray(a, dtype=dtype)
    keep.append(arr)
    return int(arr.ctypes.data)
