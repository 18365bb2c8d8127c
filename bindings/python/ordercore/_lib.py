"""Finds and loads libordercore.so and declares every function it exports (one table)."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import POINTER, c_char_p, c_int, c_int64, c_uint, c_void_p
from pathlib import Path
from typing import List, Optional, Tuple

#: Oldest library this binding works with (OC_VERSION_NUMBER).
MIN_VERSION_NUMBER = 1000

# (name, argtypes, restype). Strings the library hands out are declared c_void_p so that they can be
# copied and then released with oc_free; library-owned static strings are c_char_p.
FUNCTIONS: List[Tuple[str, list, object]] = [
    ("oc_open", [c_char_p, POINTER(c_void_p)], c_int),
    ("oc_open_v2", [c_char_p, POINTER(c_void_p), c_uint], c_int),
    ("oc_close", [c_void_p], c_int),
    ("oc_exec", [c_void_p, c_char_p, POINTER(c_void_p)], c_int),
    ("oc_free", [c_void_p], None),
    ("oc_errmsg", [c_void_p], c_char_p),
    ("oc_errstr", [c_int], c_char_p),
    ("oc_version", [], c_char_p),
    ("oc_version_number", [], c_int),
    ("oc_stock_receive", [c_void_p, c_char_p, c_char_p, c_int64], c_int),
    ("oc_stock_adjust", [c_void_p, c_char_p, c_char_p, c_int64, c_char_p], c_int),
    ("oc_stock_available", [c_void_p, c_char_p, c_char_p, POINTER(c_int64)], c_int),
    ("oc_stock_sellable", [c_void_p, c_char_p, c_char_p, POINTER(c_int64)], c_int),
    ("oc_order_pay", [c_void_p, c_char_p, c_char_p, c_char_p], c_int),
    ("oc_order_allocate", [c_void_p, c_char_p, POINTER(c_void_p)], c_int),
    ("oc_order_hold", [c_void_p, c_char_p, c_char_p], c_int),
    ("oc_order_release", [c_void_p, c_char_p, c_char_p], c_int),
    ("oc_order_ship", [c_void_p, c_char_p, c_char_p, c_char_p], c_int),
    ("oc_order_deliver", [c_void_p, c_char_p, c_char_p], c_int),
    ("oc_order_pickup", [c_void_p, c_char_p], c_int),
    ("oc_order_cancel", [c_void_p, c_char_p, c_char_p], c_int),
    ("oc_order_state", [c_void_p, c_char_p, POINTER(c_void_p)], c_int),
    ("oc_sweep", [c_void_p, POINTER(c_int64)], c_int),
    ("oc_exec_batch", [c_void_p, c_char_p, c_uint, POINTER(c_void_p)], c_int),
    ("oc_events_read", [c_void_p, c_char_p, c_int64, c_int, POINTER(c_void_p), POINTER(c_int64)], c_int),
    ("oc_events_ack", [c_void_p, c_char_p, c_int64], c_int),
]


def _candidates() -> List[str]:
    """Where the library is looked for, in order: $ORDERCORE_LIBRARY, next to this package, the
    system loader (ldconfig paths, LD_LIBRARY_PATH)."""
    found: List[str] = []
    explicit = os.environ.get("ORDERCORE_LIBRARY")
    if explicit:
        return [explicit]
    here = Path(__file__).resolve().parent
    found += [str(here / "libordercore.so.0"), str(here / "libordercore.so")]
    found.append(ctypes.util.find_library("ordercore") or "libordercore.so.0")
    return found


def load() -> ctypes.CDLL:
    """Loads the library and declares its functions.

    Raises:
        OSError: naming every place tried and why each failed, or that the library is too old.
    """
    tried: List[str] = []
    for candidate in _candidates():
        if os.path.sep in candidate and not os.path.exists(candidate):
            tried.append(f"{candidate} (no such file)")
            continue
        try:
            lib = ctypes.CDLL(candidate)
        except OSError as error:
            tried.append(f"{candidate} ({error})")
            continue
        try:
            for name, argtypes, restype in FUNCTIONS:
                function = getattr(lib, name)
                function.argtypes = argtypes
                function.restype = restype
        except AttributeError as error:
            tried.append(f"{candidate} (not an OrderCore library: {error})")
            continue
        version = lib.oc_version_number()
        if version < MIN_VERSION_NUMBER:
            raise OSError(f"{candidate} is OrderCore {lib.oc_version().decode()}; this binding needs "
                          f"version number >= {MIN_VERSION_NUMBER}")
        return lib
    raise OSError("cannot load libordercore: tried " + "; ".join(tried)
                  + ". Build it with `make build` (dist/lib) or `make install`, or set ORDERCORE_LIBRARY "
                  "to the path of libordercore.so.0")


_lib: Optional[ctypes.CDLL] = None


def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use)."""
    global _lib
    if _lib is None:
        _lib = load()
    return _lib
