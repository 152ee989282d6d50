"""The exceptions careflow raises.

One base class, :class:`CareflowError`; each specific error also subclasses the matching builtin so that
callers who catch ``ValueError`` or ``KeyError`` keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careflow.issues import Issue

__all__ = [
    "CareflowError",
    "CodeListError",
    "ReturnFormatError",
    "ReturnsFolderError",
    "TableSchemaError",
    "UnknownCodeListError",
]


class CareflowError(Exception):
    """Base class of every error careflow raises on purpose."""


class CodeListError(CareflowError, ValueError):
    """A code list file is malformed, or a lookup asked for something the lists do not hold."""


class UnknownCodeListError(CareflowError, KeyError):
    """A code list name, or a collection year, that careflow does not know."""

    def __str__(self) -> str:  # KeyError quotes its argument; a message reads better plain.
        return str(self.args[0]) if self.args else ""


class TableSchemaError(CareflowError, ValueError):
    """A canonical table does not match its schema (raised only where the caller asked for strictness)."""


class ReturnFormatError(CareflowError, ValueError):
    """A statutory return file has errors and the reader was asked to be strict.

    ``issues`` holds every issue found, not just the first.
    """

    def __init__(self, message: str, issues: list[Issue] | None = None) -> None:
        super().__init__(message)
        self.issues: list[Issue] = list(issues or [])


class ReturnsFolderError(CareflowError, ValueError):
    """A path given as returns does not exist, or holds nothing careflow recognises as a return."""
