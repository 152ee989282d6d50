"""Bring coded values up to a collection year's code lists, where DfE named what replaced a retired code."""

from __future__ import annotations

from typing import Literal

import polars as pl

from careflow.issues import Issue, Severity
from careflow.tables.dataset import CareData
from careflow.tables.schema import SCHEMAS

__all__ = ["recode_for_year"]


def recode_for_year(
    data: CareData, year: int, *, ambiguous: Literal["keep", "first"] = "keep"
) -> tuple[CareData, list[Issue]]:
    """Replace codes not valid in collection year ``year`` by the code that replaced them.

    A code retired with one replacement (SSDA903 sex ``1`` → ``M`` from 2024-25, placement ``H5`` → ``K3`` in
    2025-26) is replaced. A code with several replacements (``Z1`` → ``Z11``–``Z14``) is kept and reported, or
    replaced by the first when ``ambiguous="first"`` (for synthetic data). Each change is an info issue and
    each value left invalid a warning, so nothing changes silently. For a year careflow holds no code lists
    for, the data are returned unchanged.

    Args:
        data: canonical tables.
        year: the collection year (ending 31 March) whose lists apply.
        ambiguous: what to do with a code that has several replacements.

    Returns:
        The recoded tables and the issues describing every change made or not made.

    Example:
        >>> import polars as pl
        >>> data = CareData({"children": pl.DataFrame({"child_id": ["A"], "sex": ["1"]})})
        >>> out, notes = recode_for_year(data, 2025)
        >>> out["children"]["sex"].to_list(), notes[0].code
        (['M'], 'recoded')
    """
    from careflow import codes

    issues: list[Issue] = []
    out = CareData()
    for name in data.names():
        frame = data[name]
        changes: list[pl.Expr] = []
        for column in SCHEMAS[name].columns:
            if column.code_list is None or column.dtype != pl.String:
                continue
            if column.code_list not in codes.list_names(column.code_collection):
                continue
            if codes.CollectionYear(year) not in codes.years(column.code_collection):
                continue  # careflow holds no lists for that year: nothing to bring the codes up to
            mapping: dict[str, str] = {}
            for value in frame[column.name].drop_nulls().unique(maintain_order=True).to_list():
                if codes.is_valid(column.code_list, value, year, collection=column.code_collection):
                    continue
                new = codes.replaced_by(column.code_list, value, collection=column.code_collection)
                count = int((frame[column.name] == value).sum())
                label = codes.CollectionYear(year).label
                if len(new) == 1 or (new and ambiguous == "first"):
                    mapping[value] = new[0]
                    issues.append(
                        Issue(
                            "recoded",
                            Severity.INFO,
                            f"{count} value(s) {value!r} replaced by {new[0]!r}, the code that replaced it in "
                            f"{label}" + (f" (one of {', '.join(new)})" if len(new) > 1 else ""),
                            field=column.name,
                            value=value,
                            table=name,
                        )
                    )
                else:
                    why = f"it has several replacements ({', '.join(new)})" if new else "nothing replaced it"
                    issues.append(
                        Issue(
                            "not-recoded",
                            Severity.WARNING,
                            f"{count} value(s) {value!r} are not valid in {label} and were kept: {why}",
                            field=column.name,
                            value=value,
                            table=name,
                        )
                    )
            if mapping:
                changes.append(pl.col(column.name).replace(mapping))
        out[name] = frame.with_columns(changes) if changes else frame
    return out, issues
