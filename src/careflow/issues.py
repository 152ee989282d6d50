"""Data problems as values.

Readers and validators never drop a row or a value silently: each problem becomes an :class:`Issue` that names
the file, the row (CSV line number) or element (XML path), the field, the value found, and what was expected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

__all__ = ["Issue", "Severity", "count_by_severity", "errors", "issues_frame"]


class Severity(StrEnum):
    """How bad an issue is. Errors make a return invalid; warnings are worth a look; info is a note."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in data.

    Attributes:
        code: a stable, kebab-case identifier of the kind of problem, e.g. ``"date-format"``.
        severity: error, warning or info.
        message: what went wrong, what was expected, and how to fix it.
        file: the file's name (not its full path) or ``None`` for in-memory tables.
        row: the 1-based line number in a CSV file (the header is line 1), or ``None``.
        element: for XML, the path of the element, e.g. ``/Message/Children/Child[3]/CINdetails[1]``.
        field: the field as the return names it (``DECOM``, ``ReferralSource``) or the canonical column.
        value: the offending value as text, or ``None``.
        table: the canonical table concerned, or ``None``.

    Example:
        >>> Issue("date-format", Severity.ERROR, "not a date", file="episodes.csv", row=3, field="DECOM").location
        'episodes.csv row 3, DECOM'
    """

    code: str
    severity: Severity
    message: str
    file: str | None = None
    row: int | None = None
    element: str | None = None
    field: str | None = None
    value: str | None = None
    table: str | None = None

    @property
    def location(self) -> str:
        """Where the issue is, as a person would say it: ``episodes.csv row 214, DECOM``."""
        place = self.file or self.table or "(data)"
        if self.row is not None:
            place += f" row {self.row}"
        if self.element is not None:
            place += f" {self.element}"
        if self.field is not None:
            place += f", {self.field}"
        return place

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The issue as a plain dict (severity as its string value)."""
        out = {name: getattr(self, name) for name in _FIELDS}  # not dataclasses.asdict: it deep-copies each value
        out["severity"] = str(self.severity)
        return out


_FIELDS = tuple(f.name for f in fields(Issue))


def errors(issues: Iterable[Issue]) -> list[Issue]:
    """The issues of severity error."""
    return [i for i in issues if i.severity is Severity.ERROR]


def count_by_severity(issues: Iterable[Issue]) -> dict[Severity, int]:
    """How many issues there are of each severity (every severity present as a key)."""
    counts = Counter(i.severity for i in issues)
    return {s: counts.get(s, 0) for s in Severity}


def issues_frame(issues: Iterable[Issue]) -> Any:
    """The issues as a polars DataFrame, one row each (for CSV export and summaries)."""
    import polars as pl

    schema = {
        "code": pl.String,
        "severity": pl.String,
        "message": pl.String,
        "file": pl.String,
        "row": pl.Int64,
        "element": pl.String,
        "field": pl.String,
        "value": pl.String,
        "table": pl.String,
    }
    # Column by column: one pass over the issues per column, no dict per issue (a return can have thousands).
    listed = list(issues)
    columns = {name: [str(i.severity) if name == "severity" else getattr(i, name) for i in listed] for name in schema}
    return pl.DataFrame(columns, schema=schema)
