"""The scorecard from published statistics: every indicator for every area and year careflow holds.

The 2010-2022 counts ship with careflow (``data/published_counts.csv``, derived from DfE and ONS files by
``scripts/derive_scorecard_tables.py``), so this works without ``../shared``; releases imported with
``careflow data import`` add later years (and revise earlier ones): :func:`counts` returns the newest held, through
:func:`careflow.published.held_counts`. Each indicator's numerator and
denominator are read as its definition says, and the value is computed from them — then checked, in the tests,
against DfE's own published figure where DfE publishes one.

Suppressed cells stay suppressed: a ``c`` in the numerator gives a figure with status ``suppressed``, never 0.

Example:
    >>> figures = compute()                                    # doctest: +SKIP
    >>> figures.filter(pl.col("area_code") == find_area("Hertfordshire").code)  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from careflow.errors import CareflowError
from careflow.measures._definitions import Indicator, PublishedTerm, indicators

if TYPE_CHECKING:
    from careflow.published import Coverage

__all__ = [
    "ENGLAND",
    "FIGURE_SCHEMA",
    "STATUSES",
    "Area",
    "AreaNotFoundError",
    "areas",
    "compute",
    "counts",
    "coverage",
    "find_area",
    "round_half_up",
]

DATA_DIR = Path(__file__).parent / "data"
ENGLAND = "E92000001"

# Every figure carries one of these; only "ok" has a value.
STATUSES: dict[str, str] = {
    "ok": "a figure (computed from its counts, or as DfE published it)",
    "suppressed": "suppressed by DfE to protect confidentiality (c), or low reliability (u), or rounds to zero (k)",
    "not_available": "DfE marks the figure not available (x)",
    "not_applicable": "not applicable (z): e.g. the authority did not exist that year",
    "no_data": "no data for this area and period",
    "zero_denominator": "the denominator is zero, so there is no rate",
    "not_published": "not in the published statistics careflow holds",
    "not_computable": "cannot be computed from the data given",
}

FIGURE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "area_code": pl.String,
    "year": pl.Int32,
    "indicator": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "status": pl.String,
    "symbol": pl.String,
    "dfe_value": pl.Float64,
    "dfe_symbol": pl.String,
    "source": pl.String,
    "note": pl.String,
}

_SYMBOL_STATUS = {"c": "suppressed", "k": "suppressed", "u": "suppressed", "x": "not_available",
                  "z": "not_applicable"}
_FLAG_ORDER = ("missing", "z", "x", "c", "u", "k")  # first present wins when cells are combined


class AreaNotFoundError(CareflowError, LookupError):
    """No area has that name or code; the message suggests the nearest."""


@dataclass(frozen=True, slots=True)
class Area:
    """A local authority, region or England, as named in the published statistics."""

    code: str
    name: str
    level: str
    ons_code: str
    region_code: str
    region_name: str
    first_year: int | None
    last_year: int | None
    statistical_neighbours: tuple[str, ...]


def round_half_up(value: float, decimals: int) -> float:
    """Round as DfE does (halves away from zero), robust to binary representation.

    Example:
        >>> round_half_up(18.65, 1), round_half_up(2.5, 0), round_half_up(-2.5, 0)
        (18.7, 3.0, -3.0)
    """
    factor = 10.0**decimals
    scaled = abs(value) * factor
    rounded = int(scaled + 0.5 + 1e-9 * max(1.0, scaled))
    return (rounded if value >= 0 else -rounded) / factor


def round_half_up_expr(expr: pl.Expr, decimals: int) -> pl.Expr:
    """:func:`round_half_up` as a polars expression."""
    factor = 10.0**decimals
    scaled = expr.abs() * factor
    rounded = (scaled + 0.5 + 1e-9 * pl.max_horizontal(pl.lit(1.0), scaled)).floor()
    return pl.when(expr >= 0).then(rounded).otherwise(-rounded) / factor


def counts() -> pl.DataFrame:
    """The newest published counts careflow holds, as text cells (numbers or DfE symbols; null where the source
    holds nothing): the shipped 2022 tables, overlaid by any release imported with ``careflow data import``.

    This is careflow's single entry point to published history (the scorecard, the outlook); see
    :func:`careflow.published.held_counts`.
    """
    from careflow.published import held_counts

    return held_counts()


def coverage() -> Coverage:
    """The years and releases the published counts come from (for reports: never a fixed string)."""
    from careflow.published import coverage as held_coverage

    return held_coverage()


def _areas_frame() -> pl.DataFrame:
    from careflow.published import held_areas

    return held_areas()


def areas() -> dict[str, Area]:
    """Every area in the published statistics, by code (including LAs first seen in an imported release)."""
    frame = _areas_frame()
    key = id(frame)  # held_areas() returns the same cached frame until the held data change
    if _AREAS_BY_FRAME.get("key") != key:
        _AREAS_BY_FRAME.clear()
        _AREAS_BY_FRAME.update({"key": key, "areas": _areas_from(frame)})
    return _AREAS_BY_FRAME["areas"]  # type: ignore[return-value]


_AREAS_BY_FRAME: dict[str, object] = {}


def _areas_from(frame: pl.DataFrame) -> dict[str, Area]:
    out: dict[str, Area] = {}
    for row in frame.iter_rows(named=True):
        out[row["area_code"]] = Area(
            code=row["area_code"],
            name=row["name"],
            level=row["level"],
            ons_code=row["ons_code"] or "",
            region_code=row["region_code"] or "",
            region_name=row["region_name"] or "",
            first_year=int(row["first_year"]) if row["first_year"] else None,
            last_year=int(row["last_year"]) if row["last_year"] else None,
            statistical_neighbours=tuple((row["statistical_neighbours"] or "").split(";"))
            if row["statistical_neighbours"]
            else (),
        )
    return out


# Everyday short names, offered as suggestions (never silently resolved)
ALIASES = {
    "beds": "Bedford", "berks": "West Berkshire", "bucks": "Buckinghamshire", "cambs": "Cambridgeshire",
    "glos": "Gloucestershire", "hants": "Hampshire", "herts": "Hertfordshire", "lancs": "Lancashire",
    "leics": "Leicestershire", "lincs": "Lincolnshire", "northants": "North Northamptonshire", "notts":
    "Nottinghamshire", "oxon": "Oxfordshire", "staffs": "Staffordshire", "wilts": "Wiltshire", "worcs":
    "Worcestershire", "bristol": "Bristol, City of", "hull": "Kingston upon Hull, City of", "bcp":
    "Bournemouth, Christchurch and Poole", "london": "London", "england": "England",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    text = re.sub(r"\b(city of|county of|council|borough|the|royal borough of|metropolitan)\b", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def find_area(query: str) -> Area:
    """The area named or coded ``query`` (name, DfE LA number or ONS code; case and punctuation ignored).

    Where an old and a new authority share a name (Dorset), the current one is returned.

    Raises:
        AreaNotFoundError: naming the nearest areas.
    """
    table = areas()
    q = query.strip()
    if q in table:
        return table[q]
    by_ons = [a for a in table.values() if a.ons_code.upper() == q.upper()]
    if by_ons:
        return by_ons[0]
    folded = _fold(q)
    exact = [a for a in table.values() if _fold(a.name) == folded or a.name.lower() == q.lower()]
    if exact:
        return max(exact, key=lambda a: a.last_year or 0)
    names = {a.name: a for a in table.values()}
    folded_names = {_fold(n): n for n in names}
    near = difflib.get_close_matches(folded, list(folded_names), n=3, cutoff=0.6)
    starts = [n for f, n in folded_names.items() if folded and (f.startswith(folded) or folded in f)]
    alias = [ALIASES[folded]] if folded in ALIASES and ALIASES[folded] in names else []
    suggestions = list(dict.fromkeys(alias + starts[:3] + [folded_names[n] for n in near]))[:4]
    hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    raise AreaNotFoundError(
        f"No local authority, region or England is called {query!r} in the published statistics.{hint} "
        "Names follow DfE's (e.g. 'Hertfordshire', 'Bristol, City of'); a DfE LA number (919) or an ONS code "
        "(E10000015) works too."
    )


# --- computing ---------------------------------------------------------------------------------------------------


def _cell(column: str, available: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    """(value, flag) of one column of cells; flag is 'missing', a symbol, or null when there is a number."""
    if column not in available:
        return pl.lit(None, dtype=pl.Float64), pl.lit("missing")
    text = pl.col(column)
    value = text.cast(pl.Float64, strict=False)
    flag = pl.when(text.is_null()).then(pl.lit("missing")).when(value.is_null()).then(text).otherwise(None)
    return value, flag


def _term(term: PublishedTerm, available: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    parts = [_cell(c, available) for c in term.columns]
    if len(parts) == 1:
        return parts[0]
    values = [p[0] for p in parts]
    flags = [p[1] for p in parts]
    total = values[0] - pl.sum_horizontal(values[1:]) if term.combine == "difference" else pl.sum_horizontal(values)
    flag: pl.Expr = pl.lit(None, dtype=pl.String)
    for symbol in reversed(_FLAG_ORDER):
        flag = pl.when(pl.any_horizontal([f == symbol for f in flags])).then(pl.lit(symbol)).otherwise(flag)
    return total, flag


def _indicator_exprs(ind: Indicator, available: Sequence[str]) -> list[pl.Expr]:
    lit_id = pl.lit(ind.id).alias("indicator")
    if ind.numerator.published.not_available or ind.denominator.published.not_available:
        return [
            lit_id,
            pl.lit(None, dtype=pl.Float64).alias("numerator"),
            pl.lit(None, dtype=pl.Float64).alias("denominator"),
            pl.lit(None, dtype=pl.Float64).alias("value"),
            pl.lit("not_published").alias("status"),
            pl.lit(None, dtype=pl.String).alias("symbol"),
            pl.lit(None, dtype=pl.Float64).alias("dfe_value"),
            pl.lit(None, dtype=pl.String).alias("dfe_symbol"),
            pl.lit(ind.numerator.published.not_available or ind.denominator.published.not_available).alias("note"),
        ]
    num, num_flag = _term(ind.numerator.published, available)
    den, den_flag = _term(ind.denominator.published, available)
    flag = pl.coalesce(
        pl.when((num_flag == "missing") | (den_flag == "missing")).then(pl.lit("missing")),
        num_flag,
        den_flag,
    )
    status = (
        pl.when(flag == "missing")
        .then(pl.lit("no_data"))
        .when(flag.is_not_null())
        .then(flag.replace_strict(_SYMBOL_STATUS, default="suppressed"))
        .when(den == 0)
        .then(pl.lit("zero_denominator"))
        .otherwise(pl.lit("ok"))
    )
    if ind.dfe is not None:
        dfe_value, dfe_flag = _cell(ind.dfe.column, available)
        dfe_symbol = pl.when(dfe_flag == "missing").then(None).otherwise(dfe_flag)
    else:
        dfe_value, dfe_symbol = pl.lit(None, dtype=pl.Float64), pl.lit(None, dtype=pl.String)
    # DfE sometimes suppresses a count yet publishes the figure (e.g. 0% of a suppressed number of plans): the
    # figure is public, so it is shown as DfE published it, with the suppressed count left suppressed.
    from_dfe = (status == "suppressed") & dfe_value.is_not_null()
    value = pl.when(status == "ok").then(num / den * ind.scale).when(from_dfe).then(dfe_value).otherwise(None)
    note = pl.when(from_dfe).then(
        pl.lit("DfE suppressed a count behind this figure but published the figure itself; it is shown as DfE "
               "published it")
    )
    return [
        lit_id,
        pl.when(num_flag.is_null()).then(num).otherwise(None).alias("numerator"),
        pl.when(den_flag.is_null()).then(den).otherwise(None).alias("denominator"),
        value.alias("value"),
        pl.when(from_dfe).then(pl.lit("ok")).otherwise(status).alias("status"),
        pl.when(flag == "missing").then(None).otherwise(flag).alias("symbol"),
        dfe_value.alias("dfe_value"),
        dfe_symbol.alias("dfe_symbol"),
        note.alias("note"),
    ]


def compute(
    indicator_ids: Iterable[str] | None = None,
    area_codes: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    table: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every indicator (or those named) for every area and year in the published statistics.

    Args:
        indicator_ids: a subset of indicators.
        area_codes: a subset of areas.
        years: a subset of years.
        table: published counts in the layout of :func:`counts` (text cells: numbers or DfE symbols) to use
            instead of those that ship with careflow.

    Returns:
        A long frame with :data:`FIGURE_SCHEMA`: one row per area, year and indicator; ``value`` is the
        unrounded figure (null unless ``status`` is ``ok``); ``dfe_value`` is DfE's own published figure where
        DfE publishes the same measure.
    """
    frame = counts() if table is None else table.with_columns(pl.col("year").cast(pl.Int32))
    if area_codes is not None:
        frame = frame.filter(pl.col("area_code").is_in(list(area_codes)))
    if years is not None:
        frame = frame.filter(pl.col("year").is_in(list(years)))
    wanted = set(indicator_ids) if indicator_ids is not None else None
    chosen = [i for i in indicators() if wanted is None or i.id in wanted]
    if wanted is not None:
        unknown = wanted - {i.id for i in chosen}
        if unknown:
            from careflow.measures._definitions import indicator

            for ident in sorted(unknown):
                indicator(ident)  # raises KeyError with suggestions
    available = frame.columns
    parts = [
        frame.select(pl.col("area_code"), pl.col("year"), *_indicator_exprs(ind, available)) for ind in chosen
    ]
    if not parts:
        return pl.DataFrame(schema=FIGURE_SCHEMA)
    out = pl.concat(parts, how="vertical_relaxed").with_columns(pl.lit("published").alias("source"))
    return out.select([pl.col(c).cast(t) for c, t in FIGURE_SCHEMA.items()])
