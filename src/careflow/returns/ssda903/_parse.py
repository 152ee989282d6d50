"""From text values to typed canonical columns, reporting every value that cannot be read.

Everything here is a polars expression over whole columns; Python only builds the (few, capped) issues.
A value that cannot be read becomes null in the table and an :class:`~careflow.issues.Issue` naming the file,
the row (CSV line) or element (XML path), the field as the return spells it, the value, and what was expected.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from careflow.issues import Issue, Severity
from careflow.returns.ssda903._layout import PROVENANCE_FIELDS, XML_NAMES, Field, Layout
from careflow.tables import schema

__all__ = ["LOCATION_COLUMNS", "RawTable", "parse", "to_text"]

#: How many issues of one kind in one field of one file are listed before the rest are summarised.
MAX_LISTED = 200

#: Columns that say where each row came from; they travel with the rows until the tables are built.
LOCATION_COLUMNS = ("_file", "_line", "_element")

_DMY = r"^\d{2}/\d{2}/\d{4}$"
_ISO = r"^\d{4}-\d{2}-\d{2}$"
# pandas writes an integer column with gaps as floats ("21.0"); such values are whole numbers and are read.
_INTEGER = r"^[+-]?\d+(\.0+)?$"
_INT16 = (-32768, 32767)
#: Plausible ranges, checked after reading (value kept, error reported).
_RANGES: dict[str, tuple[int, int]] = {"SDQ_SCORE": (0, 40), "YEAR": (1990, 2100)}

EXAMPLE_DATE = "01/04/2024"


@dataclass
class RawTable:
    """One SSDA903 table from one file, as text.

    Attributes:
        layout: which table it is.
        file: the file's display name.
        frame: text columns named by the return's field names (those present), and a location column:
            ``_line`` (CSV) or ``_element`` (XML).
        xml: the rows came from XML (issue fields use the XML names, e.g. ``PL``).
        inherited: fields copied from elsewhere (in XML, a review's DOB is the child's HEADER DOB); problems
            with them are reported where they are written, not again on every row that copies them.
        present: the fields the file has; columns outside it are left empty without comment (the reader
            reports missing columns itself).
        is_clean: values have no whitespace at either end and empty values are already null (saves work).
    """

    layout: Layout
    file: str
    frame: pl.DataFrame
    xml: bool = False
    inherited: frozenset[str] = frozenset()
    present: list[str] = field(default_factory=list)
    is_clean: bool = False

    def shown(self, name: str) -> str:
        """The field name as the file spells it."""
        return XML_NAMES.get(name, name) if self.xml else name


def _fields(raw: RawTable) -> list[Field]:
    out = list(raw.layout.fields)
    out += [raw.layout.field(name) for name in PROVENANCE_FIELDS if name in raw.frame.columns]
    return out


def _clean(name: str) -> pl.Expr:
    text = pl.col(name).str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text).otherwise(None)


def _date(text: pl.Expr) -> pl.Expr:
    return (
        pl.when(text.str.contains(_DMY))
        .then(text.str.strptime(pl.Date, "%d/%m/%Y", strict=False))
        .when(text.str.contains(_ISO))
        .then(text.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        .otherwise(None)
    )


def _integer(text: pl.Expr) -> pl.Expr:
    digits = text.str.replace(r"\.0+$", "")
    return pl.when(text.str.contains(_INTEGER)).then(digits.cast(pl.Int64, strict=False)).otherwise(None)


def _flag(text: pl.Expr) -> pl.Expr:
    # "1.0"/"0.0" as pandas writes a flag column with gaps: the same values, read without comment.
    return (
        pl.when(text.str.contains(r"^1(\.0+)?$"))
        .then(True)
        .when(text.str.contains(r"^0(\.0+)?$"))
        .then(False)
        .otherwise(None)
    )


def parse(raw: RawTable) -> tuple[pl.DataFrame, list[Issue]]:
    """Read a raw table's text into its canonical columns.

    Returns:
        The canonical columns of ``raw.layout.table`` (every one of them, nulls where the file has no value)
        plus the location columns ``_file``, ``_line`` and ``_element``; and the issues found.
    """
    frame = raw.frame
    present = tuple(f for f in _fields(raw) if f.name in frame.columns)
    plan = _plan(raw.layout.table, present, raw.is_clean, "_line" in frame.columns, "_element" in frame.columns,
                 raw.inherited)
    typed = frame.lazy().select(plan.texts).with_columns(plan.typed)
    result_query = typed.with_columns(plan.narrowed).select([*plan.columns, pl.lit(raw.file).alias("_file"),
                                                             "_line", "_element"])
    if not plan.counts:
        return result_query.collect(engine="in-memory"), []
    counts: dict[str, int]
    if raw.is_clean and not plan.ints:
        # The texts are the values as they stand (nothing to strip), the fields are dates and flags (whose columns
        # are the values as parsed), and a value reads only from a text: the values that did not read are the
        # column's nulls less the text's. Null counts are kept with each column, so this costs no second query.
        result = result_query.collect(engine="in-memory")
        counts = {f"failed:{f.name}": result[f.column].null_count() - frame[f.name].null_count() for f in plan.checks}
    else:
        # The table and how many values did not read, in one call into polars.
        result, counts_frame = pl.collect_all([result_query, typed.select(plan.counts)], engine="in-memory")
        counts = counts_frame.row(0, named=True)
    if not any(counts.values()):
        return result, []
    issues: list[Issue] = []
    out = typed.collect(engine="in-memory")
    # 2. Values that did not read (null in the table), in field order.
    for f in plan.checks:
        total = counts[f"failed:{f.name}"]
        if total:
            failed = pl.col(f.name).is_not_null() & pl.col(f.column).is_null()
            bad = out.filter(failed).select(pl.col(f.name).alias("_value"), "_line", "_element")
            issues.extend(_report(raw, f, bad, int(total)))
    # 3. Integers that read but are out of range. A value outside a plausible range keeps its value (it is a
    # number, just a wrong one); one that does not fit the column's type cannot (null in the table).
    for f in plan.ints:
        total = counts[f"outside:{f.name}"]
        if total:
            low, high = _RANGES.get(f.name, _INT16)
            outside = out.filter(pl.col(f.column).is_not_null() & ~pl.col(f.column).is_between(low, high))
            bad = outside.select(pl.col(f.name).alias("_value"), "_line", "_element")
            issues.extend(_report(raw, f, bad, int(total), range_=(low, high)))
    return result, issues


class _Plan:
    """The expressions that read one layout's fields (as a file has them) into its canonical table. (A plain
    class: a dataclass costs ~0.5 ms to create when the module is imported, which every read pays.)"""

    __slots__ = ("checks", "columns", "counts", "ints", "narrowed", "texts", "typed")

    def __init__(
        self,
        texts: list[pl.Expr],
        typed: list[pl.Expr],
        narrowed: list[pl.Expr],
        columns: list[pl.Expr],
        counts: list[pl.Expr],
        checks: list[Field],
        ints: list[Field],
    ) -> None:
        self.texts = texts  # 1. text, stripped; empty means no value; and the location columns
        self.typed = typed  # 2. typed values, named by canonical column
        self.narrowed = narrowed  # integers that do not fit the column's type become null
        self.columns = columns  # 4. every canonical column, in order, typed
        self.counts = counts  # per field, how many values did not read, or read out of range
        self.checks = checks  # the fields whose values can fail to read
        self.ints = ints  # the integer fields checked for range


@lru_cache(maxsize=256)
def _plan(
    table_name: str,
    present: tuple[Field, ...],
    is_clean: bool,
    has_line: bool,
    has_element: bool,
    inherited: frozenset[str],
) -> _Plan:
    """The expressions for one layout and set of fields, built once per process: every file of a layout has
    the same, and building them costs more than running them on a few thousand rows."""
    table = schema(table_name)
    texts = [(pl.col(f.name) if is_clean else _clean(f.name)).alias(f.name) for f in present] + [
        (pl.col("_line").cast(pl.Int64) if has_line else pl.lit(None, pl.Int64)).alias("_line"),
        (pl.col("_element") if has_element else pl.lit(None, pl.String)).alias("_element"),
    ]
    typed: list[pl.Expr] = []
    can_fail: set[str] = set()
    for f in present:
        text = pl.col(f.name)
        if f.kind == "date":
            value = _date(text)
        elif f.kind == "int":
            value = _integer(text)
        elif f.kind == "flag":
            value = _flag(text)
        else:
            typed.append(text.alias(f.column))
            continue
        typed.append(value.alias(f.column))
        can_fail.add(f.name)
    checks = [f for f in present if f.name in can_fail and f.name not in inherited]
    ints = [f for f in present if f.kind == "int" and f.name not in inherited]
    counts = [(pl.col(f.name).is_not_null() & pl.col(f.column).is_null()).sum().alias(f"failed:{f.name}")
              for f in checks]
    for f in ints:
        low, high = _RANGES.get(f.name, _INT16)
        outside = pl.col(f.column).is_not_null() & ~pl.col(f.column).is_between(low, high)
        counts.append(outside.sum().alias(f"outside:{f.name}"))
    narrowed = [
        pl.when(pl.col(f.column).is_between(*_INT16)).then(pl.col(f.column)).otherwise(None).alias(f.column)
        for f in ints
    ]
    produced = {f.column for f in present}
    columns = [
        pl.col(column.name).cast(column.dtype)
        if column.name in produced
        else pl.lit(None, dtype=column.dtype).alias(column.name)
        for column in table.all_columns
    ]
    return _Plan(texts, typed, narrowed, columns, counts, checks, ints)


def _report(
    raw: RawTable, f: Field, bad: pl.DataFrame, total: int, *, range_: tuple[int, int] | None = None
) -> list[Issue]:
    shown = raw.shown(f.name)
    make: Callable[[str], tuple[str, str]]
    if range_ is not None:
        low, high = range_
        make = lambda v: ("out-of-range", f"{v!r} is out of range (expected a whole number from {low} to {high}).")  # noqa: E731
    elif f.kind == "date":
        make = lambda v: ("date-format", date_message(v))  # noqa: E731
    elif f.kind == "int":
        make = lambda v: ("not-a-number", f"{v!r} is not a whole number (expected digits, e.g. 21).")  # noqa: E731
    else:
        make = lambda v: ("not-a-flag", f"{v!r} is not a flag (expected 1 for yes or 0 for no).")  # noqa: E731
    issues: list[Issue] = []
    for value, line, element in bad.head(MAX_LISTED).iter_rows():
        code, message = make(value)
        issues.append(
            Issue(
                code,
                Severity.ERROR,
                message,
                file=raw.file,
                row=line,
                element=element,
                field=shown,
                value=value,
                table=raw.layout.table,
            )
        )
    if total > MAX_LISTED and issues:
        issues.append(
            Issue(
                issues[0].code,
                Severity.ERROR,
                f"… and {total - MAX_LISTED} more rows with the same problem in {shown}",
                file=raw.file,
                field=shown,
                table=raw.layout.table,
            )
        )
    return issues


def date_message(value: str) -> str:
    """Why a text is not a date, and what is expected.

    Example:
        >>> date_message("31/13/2024")
        "'31/13/2024' is not a date (expected DD/MM/YYYY, e.g. 01/04/2024)."
        >>> date_message("31/02/2024")
        "'31/02/2024' is not a date: there is no 31 February 2024 (expected DD/MM/YYYY, e.g. 01/04/2024)."
    """
    expected = f"(expected DD/MM/YYYY, e.g. {EXAMPLE_DATE})."
    match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", value) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        parts = [int(p) for p in match.groups()]
        day, month, year = (parts[2], parts[1], parts[0]) if "-" in value else tuple(parts)
        if 1 <= month <= 12 and day >= 1 and year >= 1:
            return f"{value!r} is not a date: there is no {day} {calendar.month_name[month]} {year} {expected}"
    return f"{value!r} is not a date {expected}"


def to_text(layout: Layout, frame: pl.DataFrame, *, provenance: bool) -> pl.DataFrame:
    """The inverse of :func:`parse`: a canonical table as text columns named by return field, in DfE order.

    Dates are written DD/MM/YYYY and flags 1/0. With ``provenance``, ``LA`` and ``YEAR`` follow where the
    table has them set on any row.
    """
    exprs = []
    for f in layout.fields:
        col = pl.col(f.column)
        if f.kind == "date":
            expr = col.dt.strftime("%d/%m/%Y")
        elif f.kind == "flag":
            expr = pl.when(col).then(pl.lit("1")).when(col.not_()).then(pl.lit("0")).otherwise(None)
        else:
            expr = col.cast(pl.String)
        exprs.append(expr.alias(f.name))
    if provenance:
        for name, (column, _) in PROVENANCE_FIELDS.items():
            if column in frame.columns and frame[column].null_count() < frame.height:
                exprs.append(pl.col(column).cast(pl.String).alias(name))
    return frame.select(exprs)
