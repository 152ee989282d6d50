"""Benchmarking for learning, not league tables.

Each authority is set beside its ten statistical neighbours (DfE groupings, April 2021), its region and England,
over time; and on a funnel plot, whose control limits widen as the denominator shrinks, so that a small
authority's chance variation is not read as a difference. Nothing here ranks authorities or marks a position as
a target (001_8bebe4ae25a58006.txt:3488-3494).

Funnel limits follow Spiegelhalter (2005, *Funnel plots for comparing institutional performance*, Statistics in
Medicine 24:1185-1202): binomial limits for percentages, Poisson limits for rates and ratios, around England's
value, widened by a multiplicative over-dispersion factor estimated from the authorities themselves
(winsorised at 10%) when real variation between authorities exceeds chance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from careflow.measures._definitions import Indicator, indicators
from careflow.measures.published import ENGLAND, Area, areas, round_half_up_expr

__all__ = [
    "Z_95",
    "Z_998",
    "Funnel",
    "comparators",
    "funnel",
    "reported_values",
]

Z_95 = 1.959964
Z_998 = 3.090232


def reported_values(figures: pl.DataFrame) -> pl.DataFrame:
    """Add ``reported`` — the figure to show — and ``reported_from``.

    Where DfE publishes the measure and careflow's figure is ``ok``, the reported figure is DfE's own (for
    England and regions DfE works from unrounded counts, which the published files round to the nearest 10);
    otherwise it is careflow's value, rounded half-up to the indicator's decimals. ``matches_dfe`` says whether
    careflow's computation, rounded as DfE rounds, equals DfE's figure.
    """
    decimals = {i.id: (i.decimals, i.dfe.decimals if i.dfe else i.decimals) for i in indicators()}
    dec = pl.col("indicator").replace_strict({k: v[0] for k, v in decimals.items()}, default=1,
                                             return_dtype=pl.Int32)
    dfe_dec = pl.col("indicator").replace_strict({k: v[1] for k, v in decimals.items()}, default=1,
                                                 return_dtype=pl.Int32)
    out = figures
    parts = []
    for d in sorted({v for pair in decimals.values() for v in pair} | {1}):
        parts.append((d, round_half_up_expr(pl.col("value"), d)))
    rounded: pl.Expr = pl.lit(None, dtype=pl.Float64)
    rounded_dfe: pl.Expr = pl.lit(None, dtype=pl.Float64)
    for d, expr in parts:
        rounded = pl.when(dec == d).then(expr).otherwise(rounded)
        rounded_dfe = pl.when(dfe_dec == d).then(expr).otherwise(rounded_dfe)
    use_dfe = (pl.col("status") == "ok") & pl.col("dfe_value").is_not_null()
    out = out.with_columns(
        pl.when(use_dfe).then(pl.col("dfe_value")).when(pl.col("status") == "ok").then(rounded).alias("reported"),
        pl.when(use_dfe)
        .then(pl.lit("dfe"))
        .when(pl.col("status") == "ok")
        .then(pl.lit("computed"))
        .otherwise(None)
        .alias("reported_from"),
        pl.when(use_dfe).then((rounded_dfe - pl.col("dfe_value")).abs() < 1e-9).alias("matches_dfe"),
    )
    return out


def comparators(published: pl.DataFrame, area: Area, own: pl.DataFrame | None = None) -> pl.DataFrame:
    """The area beside its statistical neighbours, region and England, for every indicator and year.

    Args:
        published: :func:`careflow.measures.published.compute` output (all areas).
        area: the area.
        own: the area's own figures (e.g. from its returns) to use in place of the published ones.

    Returns:
        One row per indicator and year: ``value`` (the area's), ``region``, ``england``, ``neighbours`` (the
        mean of the neighbours' values, as DfE's LA Interactive Tool shows it), ``neighbours_n`` (how many of the
        ten had a value), and the funnel ``band`` of the area's value (see :func:`funnel`).
    """
    ok = published.filter(pl.col("status") == "ok")
    key = ["indicator", "year"]
    england = ok.filter(pl.col("area_code") == ENGLAND).select(*key, pl.col("value").alias("england"))
    region = ok.filter(pl.col("area_code") == area.region_code).select(*key, pl.col("value").alias("region"))
    neighbours = (
        ok.filter(pl.col("area_code").is_in(list(area.statistical_neighbours)))
        .group_by(key)
        .agg(pl.col("value").mean().alias("neighbours"), pl.len().alias("neighbours_n"))
    )
    mine = (own if own is not None else published.filter(pl.col("area_code") == area.code)).select(
        *key, "value", "status", "numerator", "denominator"
    )
    out = (
        mine.join(england, on=key, how="left")
        .join(region, on=key, how="left")
        .join(neighbours, on=key, how="left")
        .with_columns(pl.col("neighbours_n").fill_null(0))
    )
    bands: list[str | None] = []
    phis: dict[tuple[str, int], float] = {}
    for row in out.select("indicator", "year", "value", "denominator", "england").iter_rows(named=True):
        if row["value"] is None or row["england"] is None:
            bands.append(None)
            continue
        k = (row["indicator"], row["year"])
        if k not in phis:
            plot = funnel(published, *k)
            phis[k] = plot.overdispersion if plot else 1.0
        bands.append(_band(row["indicator"], row["value"], row["denominator"], row["england"], phis[k]))
    return out.with_columns(pl.Series("band", bands, dtype=pl.String)).sort(key)


# --- funnel plots -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """A funnel plot for one indicator and year.

    ``points`` has one row per LA with a value (area_code, name, denominator, value, z, band). ``limits`` has
    the control limits along a grid of denominators (denominator, lower_95, upper_95, lower_998, upper_998).
    ``target`` is England's value; ``overdispersion`` the factor φ the limits were widened by (1 when none).
    """

    indicator: Indicator
    year: int
    target: float
    overdispersion: float
    points: pl.DataFrame
    limits: pl.DataFrame


def _indicator(ident: str) -> Indicator:
    for ind in indicators():
        if ind.id == ident:
            return ind
    raise KeyError(ident)


def _se(ind: Indicator, target: float, n: np.ndarray) -> np.ndarray:
    """Standard error of the indicator's value at denominator n, under chance alone."""
    p0 = target / ind.scale
    with np.errstate(divide="ignore", invalid="ignore"):
        # percentages are binomial; rates per 10,000 children and ratios are Poisson counts over an exposure
        var = p0 * (1 - p0) / n if ind.unit == "percent" else p0 / n
    return np.sqrt(np.maximum(var, 0.0)) * ind.scale


def _band(ident: str, value: float | None, n: float | None, target: float | None, phi: float = 1.0) -> str | None:
    if value is None or n is None or target is None or not n or n <= 0:
        return None
    try:
        ind = _indicator(ident)
    except KeyError:
        return None
    se = float(_se(ind, target, np.array([n], dtype=float))[0]) * math.sqrt(phi)
    if not math.isfinite(se) or se == 0:
        return None
    z = abs(value - target) / se
    if z <= Z_95:
        return "within 95% limits"
    if z <= Z_998:
        return "between 95% and 99.8% limits"
    return "beyond 99.8% limits"


def funnel(published: pl.DataFrame, indicator_id: str, year: int, extra: Sequence[tuple[str, float, float]] = ()
           ) -> Funnel | None:
    """The funnel plot of one indicator in one year across local authorities, or None without England's value.

    Args:
        published: published figures for all areas.
        indicator_id: the indicator.
        year: the year.
        extra: further points ``(label, denominator, value)`` to place on it (an LA's own returns).
    """
    ind = _indicator(indicator_id)
    rows = published.filter((pl.col("indicator") == indicator_id) & (pl.col("year") == year))
    target_rows = rows.filter((pl.col("area_code") == ENGLAND) & (pl.col("status") == "ok"))
    if target_rows.height == 0:
        return None
    target = float(target_rows["value"][0])
    names = {code: a.name for code, a in areas().items()}
    levels = {code: a.level for code, a in areas().items()}
    pts = rows.filter(
        (pl.col("status") == "ok")
        & pl.col("area_code").replace_strict(levels, default="").eq("local_authority")
        & (pl.col("denominator") > 0)
    ).select("area_code", "denominator", "value")
    n_authorities = pts.height
    for label, size, value in extra:
        extra_row = pl.DataFrame({"area_code": [label], "denominator": [float(size)], "value": [float(value)]})
        pts = pl.concat([pts, extra_row], how="vertical_relaxed")
    pts = pts.with_columns(pl.col("area_code").replace_strict(names, default=None).fill_null(pl.col("area_code"))
                           .alias("name"))
    n = pts["denominator"].to_numpy().astype(float)
    se = _se(ind, target, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (pts["value"].to_numpy() - target) / se
    phi = _overdispersion(z[:n_authorities])
    scale = math.sqrt(phi)
    zs = z / scale
    band = [
        None
        if not math.isfinite(v)
        else "within 95% limits"
        if abs(v) <= Z_95
        else "between 95% and 99.8% limits"
        if abs(v) <= Z_998
        else "beyond 99.8% limits"
        for v in zs.tolist()
    ]
    pts = pts.with_columns(pl.Series("z", zs), pl.Series("band", band, dtype=pl.String))
    lo = max(1.0, float(n.min()) * 0.8) if n.size else 1.0
    hi = float(n.max()) * 1.2 if n.size else 10.0
    grid = np.geomspace(lo, hi, 80)
    g_se = _se(ind, target, grid) * scale
    floor = 0.0
    ceiling = ind.scale if ind.unit == "percent" else math.inf
    limits = pl.DataFrame(
        {
            "denominator": grid,
            "lower_95": np.clip(target - Z_95 * g_se, floor, ceiling),
            "upper_95": np.clip(target + Z_95 * g_se, floor, ceiling),
            "lower_998": np.clip(target - Z_998 * g_se, floor, ceiling),
            "upper_998": np.clip(target + Z_998 * g_se, floor, ceiling),
        }
    )
    return Funnel(ind, year, target, phi, pts, limits)


def _overdispersion(z: np.ndarray) -> float:
    """Spiegelhalter's φ: the mean squared z-score after winsorising the top and bottom 10%, if above 1."""
    z = z[np.isfinite(z)]
    if z.size < 10:
        return 1.0
    lo, hi = np.quantile(z, [0.1, 0.9])
    w = np.clip(z, lo, hi)
    phi = float(np.mean(w**2))
    return phi if phi > 1.0 else 1.0
