"""Validation of canonical tables: types, required values, keys, codes by year, and episode logic.

Validation returns :class:`~careflow.issues.Issue` values; it never raises for bad data. Readers pass a
:class:`Source` per table so that each issue names the file, the row (or XML element) and the field as the
return spells it; on in-memory tables issues name the table, the 0-based row index and the column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from typing import Any, cast

import polars as pl

from careflow.issues import Issue, Severity
from careflow.tables.dataset import CareData
from careflow.tables.schema import SCHEMAS, Column, TableSchema

__all__ = ["Source", "validate", "validate_table"]

#: How many issues of one kind in one column are reported one by one before they are summarised.
MAX_PER_KIND = 200


@dataclass
class Source:
    """Where a table's rows came from, so issues can point at them.

    Attributes:
        file: the file name.
        rows: for each row of the table, its 1-based line in a CSV file (or ``None``).
        elements: for each row, its XML element path (or ``None``).
        fields: canonical column name → the return's field name (``start_date`` → ``DECOM``).
    """

    file: str | None = None
    rows: Sequence[int] | None = None
    elements: Sequence[str] | None = None
    fields: Mapping[str, str] = field(default_factory=dict)

    def issue(
        self,
        table: str,
        index: int | None,
        column: str | None,
        code: str,
        severity: Severity,
        message: str,
        value: object = None,
    ) -> Issue:
        """An issue at row ``index`` (0-based in the table) and ``column`` (canonical)."""
        return self.issues(table, [index], column, code, severity, message, [value])[0]

    def issues(
        self,
        table: str,
        indices: Sequence[int | None],
        column: str | None,
        code: str,
        severity: Severity,
        message: str,
        values: Sequence[object] | None = None,
    ) -> list[Issue]:
        """Issues of one kind, one at each of ``indices`` (0-based in the table), with the ``values`` found there
        (none if not given): what :meth:`issue` gives for each, made at once for the thousands a return can have."""
        file, rows, elements = self.file, self.rows, self.elements
        field_name = self.fields.get(column, column) if column is not None else None
        out = []
        for n, index in enumerate(indices):
            row = rows[index] if (rows is not None and index is not None) else None
            element = elements[index] if (elements is not None and index is not None) else None
            if file is None and row is None and element is None and index is not None:
                element = f"row index {index}"
            value = values[n] if values is not None else None
            # Positional: keyword arguments cost more, thousands of times.
            out.append(Issue(code, severity, message, file, row, element, field_name,
                             None if value is None else str(value), table))
        return out


def validate(
    data: CareData,
    *,
    year: int | None = None,
    sources: Mapping[str, Source] | None = None,
    check_codes: bool = True,
) -> list[Issue]:
    """Check every table set in ``data`` and the logic that spans tables.

    Args:
        data: the tables.
        year: the collection year (ending 31 March) whose code lists apply, where a row has no
            ``collection_year`` of its own. ``None`` checks codes against every year careflow knows.
        sources: per table, where its rows came from.
        check_codes: check coded columns against the code lists.

    Returns:
        Every issue found, tables in canonical order.
    """
    sources = sources or {}
    issues: list[Issue] = []
    for name in data.names():
        issues.extend(validate_table(name, data[name], year=year, source=sources.get(name), check_codes=check_codes))
    issues.extend(_episode_logic(data, sources))
    return issues


def validate_table(
    name: str,
    frame: pl.DataFrame,
    *,
    year: int | None = None,
    source: Source | None = None,
    check_codes: bool = True,
) -> list[Issue]:
    """Required values, duplicate keys and code validity in one canonical table.

    One query finds whether anything is wrong (repeated keys, and the distinct values of each coded column;
    missing values are counted from the null count each column keeps); only what it finds is looked at again
    row by row. On a few thousand rows a polars query costs more to plan than to run, so one query instead of
    twenty per table is most of the time validation takes.
    """
    table = SCHEMAS[name]
    source = source or Source()
    required = [column.name for column in table.columns if column.required and column.name in frame.columns]
    # Rows that carry a collection year (pooled returns): keys then include it, and codes are judged per year (a
    # column all null needs no pairing).
    has_year = "collection_year" in frame.columns and frame["collection_year"].null_count() < frame.height
    key = _key(table, frame, has_year)
    coded = _coded(table, frame) if check_codes else []
    # Missing values from the null count each column keeps; the rest from the query.
    summary: dict[str, object] = {f"missing:{c}": frame[c].null_count() for c in required}
    exprs = _summary(tuple(key), tuple(c.name for c in coded), has_year)
    if exprs:
        summary.update(frame.select(exprs).row(0, named=True))
    issues: list[Issue] = []
    indexed: pl.DataFrame | None = None
    for column_name in required:
        if not summary[f"missing:{column_name}"]:
            continue
        indexed = frame.with_row_index("_i") if indexed is None else indexed
        missing = indexed.filter(pl.col(column_name).is_null())["_i"].to_list()
        shown = source.fields.get(column_name, column_name)
        issues.extend(
            _capped(
                missing,
                partial(
                    _issue_at,
                    source,
                    name,
                    column_name,
                    "missing-value",
                    f"a value is required in {shown} and is missing",
                    None,
                ),
            )
        )
    if key and summary["duplicated"]:
        issues.extend(_duplicate_keys(table, frame.with_row_index("_i"), source, key))
    if coded:
        issues.extend(_codes(table, frame, coded, summary, year, source, paired=has_year))
    return issues


@lru_cache(maxsize=256)
def _summary(key: tuple[str, ...], coded: tuple[str, ...], has_year: bool) -> list[pl.Expr]:
    """The one query's expressions, built once per process for each shape of table."""
    exprs = []
    if key:
        exprs.append(pl.struct(key).is_duplicated().any().alias("duplicated"))
    return exprs + [_distinct(name, has_year=has_year) for name in coded]


def _key(table: TableSchema, frame: pl.DataFrame, has_year: bool) -> list[str]:
    """The columns a row must not repeat: the table's key, and in pooled returns (``has_year``: rows carry a
    collection year) its year and local authority (a child is returned once a year). Empty when there is nothing
    to check."""
    if not table.key or frame.height == 0:
        return []
    key = list(table.key)
    if has_year:
        key += ["collection_year", "local_authority"]  # pooled returns repeat a child once a year
    return key


def _coded(table: TableSchema, frame: pl.DataFrame) -> list[Column]:
    return [
        column
        for column in table.columns
        if column.code_list is not None and column.name in frame.columns and column.dtype == pl.String
    ]


def _distinct(name: str, *, has_year: bool) -> pl.Expr:
    """A coded column's distinct values (each with its collection year, if rows have one), in order of first
    appearance, as one list."""
    if not has_year:
        return pl.col(name).drop_nulls().unique(maintain_order=True).implode().alias(f"codes:{name}")
    distinct = pl.struct([name, "collection_year"]).filter(pl.col(name).is_not_null()).unique(maintain_order=True)
    return distinct.implode().alias(f"codes:{name}")


def _issue_at(source: Source, table: str, column: str, code: str, message: str, value: object, index: int) -> Issue:
    return source.issue(table, index, column, code, Severity.ERROR, message, value)


def _capped(indices: list[int], make: Callable[[int], Issue]) -> list[Issue]:
    return _with_more([make(i) for i in indices[:MAX_PER_KIND]], len(indices))


def _with_more(issues: list[Issue], total: int) -> list[Issue]:
    """``issues`` (the first of ``total`` alike), plus one issue counting the rest, so none goes unsaid."""
    if total > len(issues) and issues:
        first = issues[0]
        issues.append(
            Issue(
                first.code,
                first.severity,
                f"… and {total - len(issues)} more rows with the same problem",
                file=first.file,
                field=first.field,
                table=first.table,
            )
        )
    return issues


def _duplicate_keys(table: TableSchema, indexed: pl.DataFrame, source: Source, key: list[str]) -> list[Issue]:
    dup = indexed.filter(pl.struct(key).is_duplicated())
    if dup.height == 0:
        return []
    # Report every row after the first of its key.
    later = dup.filter(pl.col("_i") != pl.col("_i").min().over(key))
    code = "duplicate-child" if table.key == ("child_id",) else "duplicate-key"
    issues: list[Issue] = []
    for row in later.head(MAX_PER_KIND).iter_rows(named=True):
        shown = ", ".join(f"{source.fields.get(k, k)}={_text(row[k])}" for k in table.key)
        first = int(dup.filter(pl.all_horizontal([pl.col(k).eq_missing(row[k]) for k in key]))["_i"].min())  # type: ignore[arg-type]
        where = source.rows[first] if source.rows is not None else first
        what = "line" if source.rows is not None else "row index"
        issues.append(
            source.issue(
                table.name,
                row["_i"],
                table.key[-1],
                code,
                Severity.ERROR,
                f"{shown} appears more than once (first at {what} {where}); each must be unique",
                _text(row[table.key[-1]]),
            )
        )
    return _with_more(issues, later.height)


def _codes(
    table: TableSchema,
    frame: pl.DataFrame,
    coded: list[Column],
    summary: Mapping[str, object],
    year: int | None,
    source: Source,
    *,
    paired: bool,
) -> list[Issue]:
    """``paired``: the summary's distinct values come with their collection year (rows carry one)."""
    from careflow import codes

    issues: list[Issue] = []
    has_year = "collection_year" in frame.columns
    present: pl.DataFrame | None = None
    for column in coded:
        found = cast("list[Any]", summary[f"codes:{column.name}"])  # the query's list of distinct values
        if not found:
            continue
        # (value, year) pairs; rows without a year pair with None, as the column then holds.
        pairs = found if paired else [{column.name: value, "collection_year": None} for value in found]
        if column.code_list not in codes.list_names(column.code_collection):
            issues.append(
                Issue(
                    "code-list-unavailable",
                    Severity.INFO,
                    f"careflow holds no {column.code_collection} code list {column.code_list!r} yet; "
                    f"values of {source.fields.get(column.name, column.name)} were read but not checked",
                    file=source.file,
                    field=source.fields.get(column.name, column.name),
                    table=table.name,
                )
            )
            continue
        bad: dict[tuple[str, int | None], str] = {}
        for pair in pairs:
            value = pair[column.name]
            pair_year = pair["collection_year"] if has_year else None
            row_year = pair_year if pair_year is not None else year
            message = _explained(column.code_list, value, row_year, column.code_collection)
            if message:
                bad[(value, pair_year)] = message
        if not bad:
            continue
        present = frame.with_row_index("_i") if present is None else present
        for (value, row_year), message in bad.items():
            cond = pl.col(column.name) == value
            if has_year:
                cond = cond & pl.col("collection_year").eq_missing(row_year)
            rows = present.filter(cond)["_i"].to_list()
            issues.extend(
                _capped(rows, partial(_issue_at, source, table.name, column.name, "invalid-code", message, value))
            )
    return issues


@lru_cache(maxsize=65536)
def _explained(code_list: str, value: str, year: int | None, collection: str) -> str | None:
    """Why a code is not valid in a year (``None`` if it is); against every year when ``year`` is ``None`` or a year
    careflow holds no lists for. Kept per process: the same few codes recur in every row and every return."""
    from careflow import codes

    if year is not None and not _holds(collection, year):
        return _explained(code_list, value, None, collection)  # as codes.explain's KeyError below, sooner
    try:
        return (
            codes.explain(code_list, value, year, collection=collection)
            if year is not None
            else _explain_any_year(code_list, value, collection)
        )
    except KeyError:
        # A year outside the lists careflow holds: judge against every year instead.
        return _explain_any_year(code_list, value, collection)


@lru_cache(maxsize=256)
def _holds(collection: str, year: int) -> bool:
    """Whether careflow holds code lists for a collection year (``True`` when unsure: the caller then asks
    :func:`careflow.codes.explain`, which decides)."""
    from careflow import codes

    try:
        return codes.CollectionYear.parse(year) in codes.years(collection)
    except Exception:  # any doubt goes to codes.explain, which reports it
        return True


def _explain_any_year(name: str, value: str, collection: str) -> str | None:
    from careflow import codes

    if codes.valid_years(name, value, collection=collection):
        return None
    return codes.explain(name, value, codes.years(collection)[-1], collection=collection)


def _episode_logic(data: CareData, sources: Mapping[str, Source]) -> list[Issue]:
    """End before start, overlapping episodes, and care that starts before the child was born.

    The checks are lazy queries run together (one call into polars rather than one per step)."""
    names = [n for n in ("looked_after_episodes", "missing_episodes", "social_worker_episodes") if n in data]
    backwards = pl.col("end_date") < pl.col("start_date")
    queries = [data[name].lazy().with_row_index("_i").filter(backwards) for name in names]
    clash = _overlaps(data) if "looked_after_episodes" in data else None
    early = _before_birth(data) if "looked_after_episodes" in data else None
    extra = [q for q in (clash, early) if q is not None]
    found = pl.collect_all([*queries, *extra], engine="in-memory")
    issues: list[Issue] = []
    for name, ended in zip(names, found, strict=False):
        source = sources.get(name) or Source()
        listed: list[Issue] = []
        for row in ended.head(MAX_PER_KIND).iter_rows(named=True):
            listed.append(
                source.issue(
                    name,
                    row["_i"],
                    "end_date",
                    "end-before-start",
                    Severity.ERROR,
                    f"ends on {_d(row['end_date'])}, before it starts on {_d(row['start_date'])}",
                    _d(row["end_date"]),
                )
            )
        issues.extend(_with_more(listed, ended.height))
    found = found[len(names) :]
    source = sources.get("looked_after_episodes") or Source()
    if clash is not None:
        issues.extend(_overlap_issues(found.pop(0), source))
    if early is not None:
        issues.extend(_before_birth_issues(found.pop(0), source))
    return issues


def _group_cols(frame: pl.DataFrame) -> list[str]:
    cols = ["child_id"]
    if frame["local_authority"].null_count() < frame.height:
        cols.append("local_authority")
    if frame["collection_year"].null_count() < frame.height:
        cols.append("collection_year")
    return cols


def _overlaps(data: CareData) -> pl.LazyFrame | None:
    """The episodes that start before the child's previous episode ends, with that episode's dates and row."""
    frame = data["looked_after_episodes"]
    if frame.height == 0:
        return None
    group = _group_cols(frame)
    # Sorted by child, the previous row is the child's previous episode when the group is the same. (A plain
    # shift with this mask gives the same as shift().over(group), about 40 times faster on 300,000 episodes.)
    same = pl.all_horizontal([pl.col(g).eq_missing(pl.col(g).shift(1)) for g in group])
    ordered = frame.lazy().with_row_index("_i").sort([*group, "start_date"]).with_columns(
        pl.when(same).then(pl.col("end_date").shift(1)).alias("_prev_end"),
        pl.when(same).then(pl.col("start_date").shift(1)).alias("_prev_start"),
        pl.when(same).then(pl.col("_i").shift(1)).alias("_prev_i"),
    )
    # An earlier episode still open, or ending after this one starts.
    return ordered.filter(
        pl.col("_prev_start").is_not_null()
        & (pl.col("_prev_end").is_null() | (pl.col("_prev_end") > pl.col("start_date")))
    )


def _overlap_issues(clash: pl.DataFrame, source: Source) -> list[Issue]:
    issues: list[Issue] = []
    for row in clash.head(MAX_PER_KIND).iter_rows(named=True):
        prev_end = "is still open" if row["_prev_end"] is None else f"ends {_d(row['_prev_end'])}"
        where = source.rows[row["_prev_i"]] if source.rows is not None else row["_prev_i"]
        issues.append(
            source.issue(
                "looked_after_episodes",
                row["_i"],
                "start_date",
                "overlapping-episodes",
                Severity.ERROR,
                f"child {row['child_id']}: episode starting {_d(row['start_date'])} overlaps the one "
                f"starting {_d(row['_prev_start'])} (line/row {where}), which {prev_end}; "
                "expected each episode to start on or after the previous one ends",
                _d(row["start_date"]),
            )
        )
    return _with_more(issues, clash.height)


def _before_birth(data: CareData) -> pl.LazyFrame | None:
    """The episodes that start before the child's date of birth, with that date."""
    children = data["children"]
    if children.height == 0:
        return None
    births = children.lazy().select("child_id", pl.col("date_of_birth").alias("_dob")).unique("child_id", keep="first")
    frame = data["looked_after_episodes"].lazy().with_row_index("_i").join(births, on="child_id", how="left")
    return frame.filter(pl.col("start_date") < pl.col("_dob"))


def _before_birth_issues(early: pl.DataFrame, source: Source) -> list[Issue]:
    issues: list[Issue] = []
    for row in early.head(MAX_PER_KIND).iter_rows(named=True):
        issues.append(
            source.issue(
                "looked_after_episodes",
                row["_i"],
                "start_date",
                "before-birth",
                Severity.ERROR,
                f"child {row['child_id']}: episode starts {_d(row['start_date'])}, before the child's date of "
                f"birth {_d(row['_dob'])}",
                _d(row["start_date"]),
            )
        )
    return _with_more(issues, early.height)


def _text(value: object) -> str:
    return _d(value) if isinstance(value, date) else str(value)


def _d(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")
