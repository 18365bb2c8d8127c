"""Exceptions raised by the binding: one class per stable OrderCore error code."""
from __future__ import annotations

from typing import Any, Dict, Optional, Type


class OrderCoreError(Exception):
    """Base class. ``code`` is the stable error code (``"insufficient_stock"``), ``rc`` the C return
    code, ``details`` the structured details the engine attached (field, SKU, state, ...)."""

    code = "internal"
    rc = 10

    def __init__(self, message: str, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Dict[str, Any] = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidInput(OrderCoreError, ValueError):
    code, rc = "invalid_input", 1


class NotFound(OrderCoreError, LookupError):
    code, rc = "not_found", 2


class Conflict(OrderCoreError):
    code, rc = "conflict", 3


class InsufficientStock(OrderCoreError):
    code, rc = "insufficient_stock", 4


class Busy(OrderCoreError):
    code, rc = "busy", 5


class Forbidden(OrderCoreError, PermissionError):
    code, rc = "forbidden", 6


class StorageError(OrderCoreError, OSError):
    code, rc = "io", 7


class Corrupt(OrderCoreError):
    code, rc = "corrupt", 8


class Misuse(OrderCoreError):
    code, rc = "misuse", 9


class InternalError(OrderCoreError):
    code, rc = "internal", 10


class DiskFull(StorageError):
    code, rc = "full", 11


class Incompatible(OrderCoreError):
    code, rc = "incompatible", 12


class InDoubt(OrderCoreError):
    """The connection to PostgreSQL was lost while the command committed: run it again with the same
    idempotency key (a command that did commit then answers its stored reply)."""
    code, rc = "in_doubt", 13


_BY_CODE: Dict[str, Type[OrderCoreError]] = {
    cls.code: cls
    for cls in (InvalidInput, NotFound, Conflict, InsufficientStock, Busy, Forbidden, StorageError,
                Corrupt, Misuse, InternalError, DiskFull, Incompatible, InDoubt)
}
_BY_RC: Dict[int, Type[OrderCoreError]] = {cls.rc: cls for cls in _BY_CODE.values()}


def from_code(code: str, message: str, details: Optional[Dict[str, Any]] = None) -> OrderCoreError:
    """The exception for an error code; unknown codes (from a newer library) become ``OrderCoreError``."""
    cls = _BY_CODE.get(code)
    if cls is None:
        error = OrderCoreError(message, details)
        error.code = code
        return error
    return cls(message, details)


def from_rc(rc: int, message: str) -> OrderCoreError:
    cls = _BY_RC.get(rc)
    if cls is None:
        error = OrderCoreError(message)
        error.rc = rc
        return error
    return cls(message)
