"""Statutory returns read and written: SSDA903 (CSV and XML) and the CIN census (XML, checked against its XSD).

Readers return canonical tables and every :class:`~careflow.issues.Issue` found; they drop nothing silently
and raise :class:`~careflow.errors.ReturnFormatError` only in strict mode. Writers produce files that the same
readers read back identically.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from careflow.issues import Issue, Severity
from careflow.returns.common import ReadResult

__all__ = [
    "FolderRead",
    "Issue",
    "ReadResult",
    "Severity",
    "read_cin_census",
    "read_folder",
    "read_return",
    "read_ssda903",
    "write_cin_census",
    "write_ssda903",
]

_LAZY = {
    "read_ssda903": "careflow.returns.ssda903",
    "write_ssda903": "careflow.returns.ssda903",
    "read_cin_census": "careflow.returns.cin",
    "write_cin_census": "careflow.returns.cin",
    "read_return": "careflow.returns.detect",
    "read_folder": "careflow.returns.folders",
    "FolderRead": "careflow.returns.folders",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'careflow.returns' has no attribute {name!r}")
