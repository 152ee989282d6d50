"""NHS number and UPN checks for linkage: the record's checks (:mod:`careflow.record.identifiers`), plus the
normalised form linkage compares, one value at a time or over a whole column (polars).

Example:
    >>> normalise_nhs_number(" 943 476 5919 ")
    '9434765919'
    >>> normalise_nhs_number("943-476-5918") is None  # fails its modulus-11 check digit
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careflow.record.identifiers import clean_nhs_number, nhs_number_problem, upn_problem

if TYPE_CHECKING:
    import polars as pl

__all__ = ["clean_nhs_number", "nhs_number_expr", "nhs_number_problem", "normalise_nhs_number",
           "normalise_upn", "upn_problem"]


def normalise_nhs_number(text: str | None) -> str | None:
    """The ten digits of a valid NHS number (spaces, dashes and any script's digits normalised), else None."""
    if text is None or not str(text).strip():
        return None
    return None if nhs_number_problem(str(text)) else clean_nhs_number(str(text))


def normalise_upn(text: str | None) -> str | None:
    """A well-formed UPN with its right check letter, upper case; None when blank, unknown (UN1-UN5) or wrong."""
    if text is None or not str(text).strip():
        return None
    upn = str(text).strip().upper()
    if upn.startswith("UN") or upn_problem(upn):
        return None
    return upn


def nhs_number_expr(column: str) -> pl.Expr:
    """A polars expression: the column's NHS numbers as ten ASCII digits when valid (modulus 11), else null.

    The same rule as :func:`careflow.record.identifiers.nhs_number_problem`, vectorised for millions of rows
    (only ASCII digits, spaces and dashes are understood here; other scripts go through :func:`normalise_nhs_number`).
    """
    import polars as pl

    digits = pl.col(column).str.replace_all(r"[\s\-]", "")
    weighted = pl.sum_horizontal([digits.str.slice(i, 1).cast(pl.Int64, strict=False) * (10 - i) for i in range(9)])
    check = (11 - weighted % 11) % 11  # 11 counts as 0; 10 means no valid number
    last = digits.str.slice(9, 1).cast(pl.Int64, strict=False)
    repeated = pl.concat_list([digits.str.slice(i, 1) for i in range(10)]).list.n_unique() == 1
    valid = digits.str.contains(r"^[0-9]{10}$") & (check != 10) & (check == last) & ~repeated
    return pl.when(valid).then(digits).otherwise(None)
