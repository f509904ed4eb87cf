"""The maritime package's C kernels are loaded as every package's are: see :mod:`dprkwatch.native`."""

from __future__ import annotations

from dprkwatch.native import Pointer, address, library_path, load

__all__ = ["Pointer", "address", "library_path", "load"]
