"""Aggregate stock-flow model of children looked after, and the Review's counterfactual.

Two projections of the number of children looked after (CLA) at 31 March:

* :func:`review_counterfactual` is the Independent Review's method as it states it: the CLA rate per 10,000
  children aged 0-17 "increases at the rate it has done over the previous five years", times the 0-17
  population (001_8bebe4ae25a58006.txt:3935). The same method projects children in need (CIN) and child
  protection plans (CPP) at 31 March.
* :func:`fit_stock_flow` / :func:`project_stock_flow` is a stock-flow model on the published flows::

      stock(t) = stock(t-1) + starts(t) - ceased(t)
      starts(t) = starts rate per 10,000 (t) x population(t) / 10,000
      ceased(t) = hazard x (stock(t-1) + starts(t) / 2)          (exposure: half a year for new entrants)

  with the starts rate extended along its five-year trend and the exit hazard at its five-year mean; ceased is
  split by reason with the latest published shares.

Population beyond the last ONS estimate (mid-2024) grows at ``population_growth`` a year: ONS projections are
not in the published data the model ships with, so the growth is a stated assumption (default 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from careflow.reform.errors import ReformError
from careflow.reform.series import (
    Area,
    AreaSeries,
    _population,
    la_matrix,
    load_series,
    national_table,
    resolve_area,
)

__all__ = [
    "Projection",
    "StockFlowFit",
    "ceased_reason_shares",
    "fit_stock_flow",
    "la_counterfactuals",
    "project_stock_flow",
    "review_counterfactual",
]

TRENDS = ("linear", "compound")
MEASURES = ("cla", "cin", "cpp")


@dataclass(frozen=True)
class Projection:
    """A projection of a stock at 31 March: observed years first, then projected ones."""

    area: Area
    measure: str
    method: str
    base_year: int
    years: np.ndarray
    stock: np.ndarray
    rate_per_10k: np.ndarray
    population: np.ndarray
    is_observed: np.ndarray
    starts: np.ndarray | None = None
    ceased: np.ndarray | None = None
    notes: tuple[str, ...] = field(default=())

    def at(self, year: int) -> Any:
        """The stock at 31 March ``year`` (a float, or an array with one value per draw)."""
        idx = np.nonzero(self.years == year)[0]
        if not idx.size:
            raise ReformError(f"{year} is outside this projection ({int(self.years[0])}-{int(self.years[-1])})")
        return float(self.stock[..., idx[0]]) if self.stock.ndim == 1 else self.stock[..., idx[0]]


def _check_years(s: AreaSeries, base_year: int, to_year: int, window: int, measure: str) -> np.ndarray:
    arr: np.ndarray = getattr(s, measure)
    if to_year <= base_year:
        raise ReformError(f"to_year ({to_year}) must be after base_year ({base_year})")
    if to_year > 2033:
        raise ReformError(f"to_year {to_year} is beyond the model's years (projections end at 31 March 2033)")
    have = s.years[~np.isnan(arr)]
    if not have.size:
        raise ReformError(f"{s.area.label} has no published {measure.upper()} series")
    if base_year not in have or base_year - window not in have:
        raise ReformError(
            f"{s.area.label}: the {window}-year trend needs published {measure.upper()} for {base_year - window} "
            f"and {base_year}; the data cover {int(have.min())}-{int(have.max())}"
        )
    return arr


def review_counterfactual(
    area: str | Area | None = None,
    *,
    base_year: int = 2021,
    to_year: int = 2033,
    trend: str = "linear",
    window: int = 5,
    population_growth: float | np.ndarray = 0.0,
    measure: str = "cla",
) -> Projection:
    """The Review's counterfactual: rate per 10,000 extended on its ``window``-year trend x population.

    ``base_year`` 2021 is the latest year the Review had ("80,000 today", 001_8bebe4ae25a58006.txt:392).
    ``trend='linear'`` adds the average yearly change in the rate; ``'compound'`` applies its average growth
    factor. ``population_growth`` may be an array (one value per Monte Carlo draw).
    """
    if trend not in TRENDS:
        raise ReformError(f"trend {trend!r} is not one of {TRENDS}")
    if measure not in MEASURES:
        raise ReformError(f"measure {measure!r} is not one of {MEASURES}")
    s = load_series(area)
    notes: list[str] = []
    borrowed: float | None = None
    try:
        arr = _check_years(s, base_year, to_year, window, measure)
        if trend == "compound" and not s.value(measure, base_year - window) > 0:
            # A growth factor from zero is undefined (Isles of Scilly had no CLA in 2016).
            raise ReformError(f"{s.area.label}: no {measure.upper()} in {base_year - window} to grow from")
    except ReformError:
        # A local authority created by reorganisation (e.g. North Northamptonshire, 2021) has no rate five years
        # back: it takes its region's relative trend, and says so.
        have = s.years[~np.isnan(getattr(s, measure))]
        later = have[have >= base_year]
        if s.area.level != "la" or not s.area.region or not later.size or to_year > 2033 or to_year <= base_year:
            raise
        region = review_counterfactual(s.area.region, base_year=base_year, to_year=to_year, trend=trend,
                                       window=window, measure=measure)
        rs = load_series(s.area.region)
        borrowed = (rs.value(measure, base_year) / rs.population_for_year(base_year)) / (
            rs.value(measure, base_year - window) / rs.population_for_year(base_year - window))
        arr = getattr(s, measure)
        if base_year not in have:
            notes.append(f"{s.area.label} has no published {measure.upper()} for {base_year}: the projection "
                         f"starts from {int(later[0])}")
            base_year = int(later[0])
        notes.append(f"{s.area.label} has no published (or a zero) {measure.upper()} five years back: it takes "
                     f"the trend of "
                     f"{region.area.name} (rate x{borrowed:.3f} over {window} years)")
    hist_years = s.years[(s.years <= base_year) & ~np.isnan(arr)]
    hist_years = hist_years[hist_years >= 2010] if s.area.level != "national" else hist_years[hist_years >= 2013]
    future = np.arange(base_year + 1, to_year + 1)
    years = np.concatenate([hist_years, future])
    pop = s.population_path(years, population_growth)
    stock_hist = np.array([s.value(measure, int(y)) for y in hist_years])
    rate_hist = stock_hist / pop[..., : hist_years.size] * 1e4
    r_base = s.value(measure, base_year) / s.population_for_year(base_year) * 1e4
    r_old = (r_base / borrowed if borrowed is not None
             else s.value(measure, base_year - window) / s.population_for_year(base_year - window) * 1e4)
    k = future - base_year
    if trend == "linear":
        rate_future = r_base + (r_base - r_old) / window * k
    elif r_old > 0:
        rate_future = r_base * (r_base / r_old) ** (k / window)
    else:  # nothing in the base year either (Isles of Scilly): nothing to grow
        rate_future = np.zeros(k.size)
    rate_future = np.clip(rate_future, 0.0, None)
    pop_future = pop[..., hist_years.size:]
    stock_future = rate_future * pop_future / 1e4
    stock = np.concatenate([np.broadcast_to(stock_hist, pop[..., : hist_years.size].shape), stock_future], axis=-1)
    rate = np.concatenate([rate_hist, np.broadcast_to(rate_future, pop_future.shape)], axis=-1)
    return Projection(
        area=s.area, measure=measure, method=f"review_{trend}", base_year=base_year, years=years, stock=stock,
        rate_per_10k=rate, population=pop,
        is_observed=np.concatenate([np.ones(hist_years.size, bool), np.zeros(future.size, bool)]),
        notes=(f"rate per 10,000 {r_old:.1f} ({base_year - window}) -> {r_base:.1f} ({base_year}), "
               f"extended {trend}ly (001_8bebe4ae25a58006.txt:3935)", *notes),
    )


@dataclass(frozen=True)
class StockFlowFit:
    """Fitted flow rates for one area: the starts rate trend and the exit hazard."""

    area: Area
    base_year: int
    window: int
    years: np.ndarray
    starts_rate_per_10k: np.ndarray
    hazard: np.ndarray
    starts_rate_base: float
    starts_rate_slope: float
    hazard_mean: float
    hazard_slope: float
    stock_base: float
    measure: str = "cla"

    def summary(self) -> dict[str, float]:
        return {"starts_rate_per_10k": self.starts_rate_base, "starts_rate_slope_per_year": self.starts_rate_slope,
                "exit_hazard_per_year": self.hazard_mean, "exit_hazard_slope_per_year": self.hazard_slope,
                "stock_base": self.stock_base}


def _flows(s: AreaSeries, measure: str) -> tuple[str, np.ndarray, np.ndarray]:
    """(stock attribute, starts, ended) for a measure; CPP ends are implied by stock(t-1) + starts - stock(t)."""
    if measure == "cla":
        return "cla", s.starts, s.ceased
    if measure == "cin" and s.cin_starts is not None and s.cin_ended is not None:
        return "cin", s.cin_starts, s.cin_ended
    if measure == "cpp" and s.cpp_starts is not None:
        prev = np.concatenate([[np.nan], s.cpp[:-1]])
        return "cpp", s.cpp_starts, prev + s.cpp_starts - s.cpp
    raise ReformError(f"{s.area.label}: flows (starts and ends) for {measure.upper()} are published only for "
                      "England; use review_counterfactual(..., measure=...) for areas")


def fit_stock_flow(
    area: str | Area | None = None, *, base_year: int = 2022, window: int = 5, starts: str = "trend",
    hazard: str = "trend", measure: str = "cla",
) -> StockFlowFit:
    """Fit the starts rate per 10,000 and the exit hazard over ``window`` years.

    ``starts`` and ``hazard`` are each ``'mean'`` (held at the window's mean) or ``'trend'`` (a least-squares
    line through the window, extended): by default both trends continue, as in the Review's counterfactual
    (the fall in the exit hazard is what drives the rise in CLA: falling reunification,
    001_8bebe4ae25a58006.txt:1014).
    """
    for label, v in (("starts", starts), ("hazard", hazard)):
        if v not in {"mean", "trend"}:
            raise ReformError(f"{label}={v!r}: expected 'mean' or 'trend'")
    s = load_series(area)
    if measure not in MEASURES:
        raise ReformError(f"measure {measure!r} is not one of {MEASURES}")
    stock_name, starts_all, ended_all = _flows(s, measure)
    _check_years(s, base_year, base_year + 1, window, stock_name)

    def at(arr: np.ndarray, year: int) -> float:
        idx = np.nonzero(s.years == year)[0]
        return float(arr[idx[0]]) if idx.size else float("nan")

    years = np.arange(base_year - window + 1, base_year + 1)
    prev = np.array([s.value(stock_name, int(y) - 1) for y in years])
    starts_n = np.array([at(starts_all, int(y)) for y in years])
    ceased = np.array([at(ended_all, int(y)) for y in years])
    if np.isnan(prev).any() or np.isnan(starts_n).any() or np.isnan(ceased).any():
        raise ReformError(f"{s.area.label}: starts or ceased are missing or suppressed in {years[0]}-{years[-1]}")
    pop = s.population_path(years)
    rate = starts_n / pop * 1e4
    haz = ceased / (prev + starts_n / 2.0)
    x = years - base_year
    slope, intercept = np.polyfit(x, rate, 1) if starts == "trend" else (0.0, float(rate.mean()))
    h_slope, h_level = np.polyfit(x, haz, 1) if hazard == "trend" else (0.0, float(haz.mean()))
    return StockFlowFit(
        area=s.area, base_year=base_year, window=window, years=years, starts_rate_per_10k=rate, hazard=haz,
        starts_rate_base=float(intercept), starts_rate_slope=float(slope), hazard_mean=float(h_level),
        hazard_slope=float(h_slope), stock_base=s.value(stock_name, base_year), measure=measure,
    )


def project_stock_flow(
    fit: StockFlowFit,
    *,
    to_year: int = 2033,
    population_growth: float | np.ndarray = 0.0,
    starts_multiplier: float | np.ndarray = 1.0,
    hazard: float | np.ndarray | None = None,
) -> Projection:
    """Project the stock forward from the fit's base year with stock(t) = stock(t-1) + starts - ceased.

    ``starts_multiplier`` and ``hazard`` (arrays allowed, one value per draw) let callers run scenarios.
    """
    if to_year <= fit.base_year or to_year > 2033:
        raise ReformError(f"to_year must be in {fit.base_year + 1}-2033, not {to_year}")
    s = load_series(fit.area)
    years = np.arange(fit.base_year + 1, to_year + 1)
    pop = s.population_path(years, population_growth)
    rate = np.clip(fit.starts_rate_base + fit.starts_rate_slope * (years - fit.base_year), 0.0, None)
    starts = rate * pop / 1e4 * np.asarray(starts_multiplier, dtype=float)[..., None]
    if hazard is None:
        # A trending hazard is floored at half its base level: extrapolated falls cannot run to zero.
        path = np.maximum(fit.hazard_mean + fit.hazard_slope * (years - fit.base_year), fit.hazard_mean / 2.0)
        h = np.asarray(path, dtype=float)
    else:
        h = np.asarray(hazard, dtype=float)[..., None] * np.ones(years.size)
    stock = np.empty(np.broadcast_shapes(starts.shape, h.shape))
    ceased = np.empty_like(stock)
    prev = np.full(stock.shape[:-1], fit.stock_base)
    for j in range(years.size):
        ceased[..., j] = h[..., j] * (prev + starts[..., j] / 2.0)
        stock[..., j] = prev + starts[..., j] - ceased[..., j]
        prev = stock[..., j]
    observed: np.ndarray = getattr(s, fit.measure)
    hist = s.years[(s.years <= fit.base_year) & (s.years >= fit.base_year - fit.window) & ~np.isnan(observed)]
    all_years = np.concatenate([hist, years])
    hist_stock = np.broadcast_to(np.array([s.value(fit.measure, int(y)) for y in hist]),
                                 (*stock.shape[:-1], hist.size))
    full_stock = np.concatenate([hist_stock, stock], axis=-1)
    full_pop = s.population_path(all_years, population_growth)
    return Projection(
        area=s.area, measure=fit.measure, method="stock_flow", base_year=fit.base_year, years=all_years,
        stock=full_stock, rate_per_10k=full_stock / full_pop * 1e4, population=full_pop,
        is_observed=np.concatenate([np.ones(hist.size, bool), np.zeros(years.size, bool)]),
        starts=starts, ceased=ceased,
        notes=(f"starts {fit.starts_rate_base:.1f} per 10,000 (trend {fit.starts_rate_slope:+.2f}/yr); exit hazard "
               f"{fit.hazard_mean:.3f}/yr (trend {fit.hazard_slope:+.4f}/yr), fitted on "
               f"{fit.years[0]}-{fit.years[-1]}",),
    )


def ceased_reason_shares(years: tuple[int, ...] = (2018, 2019, 2020, 2021, 2022)) -> dict[str, float]:
    """National shares of children ceasing to be looked after by reason (mean over ``years``)."""
    t = national_table().filter(pl.col("year").is_in(list(years)))
    cols = [c for c in t.columns if c.startswith("ceased_")]
    totals = {c.removeprefix("ceased_"): float(t[c].fill_null(0).sum()) for c in cols}
    grand = sum(totals.values())
    return {k: v / grand for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


@dataclass(frozen=True)
class LACounterfactuals:
    """The Review's counterfactual for every local authority at once (rows: LAs)."""

    areas: tuple[Area, ...]
    years: np.ndarray
    stock: np.ndarray
    used_region_trend: np.ndarray


def la_counterfactuals(
    *, base_year: int = 2021, to_year: int = 2033, trend: str = "linear", window: int = 5,
    population_growth: float = 0.0,
) -> LACounterfactuals:
    """The Review's method (:func:`review_counterfactual`) for all LAs with data in the latest year, at once.

    The same rate trend and the same population path as :func:`review_counterfactual` for each LA (ONS mid-year
    estimates to the last held, then ``population_growth`` a year), so the two agree for every LA. An LA without a
    published rate five years before ``base_year`` (created by reorganisation, e.g. North and West
    Northamptonshire in 2021) takes its region's trend, as :func:`review_counterfactual` does.
    """
    m = la_matrix()
    if trend not in TRENDS:
        raise ReformError(f"trend {trend!r} is not one of {TRENDS}")
    jb, jo = base_year - int(m.years[0]), base_year - window - int(m.years[0])
    if jo < 0 or jb >= m.years.size:
        raise ReformError(f"base_year {base_year} with a {window}-year window is outside the LA data "
                          f"({int(m.years[0])}-{int(m.years[-1])})")
    years = np.arange(base_year + 1, to_year + 1)
    # The population each LA's projection uses, as AreaSeries.population_path gives it to review_counterfactual:
    # interpolated between ONS mid-year estimates, then grown at ``population_growth`` from the last.
    pop_table = _population().filter((pl.col("level") == "la") & pl.col("population_ons").is_not_null())
    by_key = {str(k[0]): g.sort("mid_year") for k, g in pop_table.partition_by("key", as_dict=True).items()}
    wanted = np.concatenate([[base_year - window, base_year], years])
    paths = np.full((len(m.areas), wanted.size), np.nan)
    for i, a in enumerate(m.areas):
        g = by_key.get(a.key)
        if g is None:
            continue
        mids, vals = g["mid_year"].to_numpy().astype(int), g["population_ons"].cast(pl.Float64).to_numpy()
        beyond = np.clip(wanted - 1 - mids.max(), 0, None)
        paths[i] = np.where(wanted - 1 > mids.max(), vals[mids.argmax()] * (1.0 + population_growth) ** beyond,
                            np.interp(wanted - 1, mids, vals))
    pop_old, pop_base, pop_future = paths[:, 0], paths[:, 1], paths[:, 2:]
    r_base = m.cla[:, jb] / pop_base * 1e4
    r_old = m.cla[:, jo] / pop_old * 1e4
    missing = ~np.isfinite(r_old) | ~np.isfinite(r_base) | ((r_old <= 0) & (trend == "compound"))
    k = (years - base_year)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if trend == "linear":
            rate = r_base[:, None] + (r_base - r_old)[:, None] / window * k
        else:
            rate = r_base[:, None] * (r_base / r_old)[:, None] ** (k / window)
    stock = np.clip(rate, 0.0, None) * pop_future / 1e4
    for row in np.nonzero(missing)[0]:
        # Few (reorganised LAs): the Review's method itself, with its region's trend.
        p = review_counterfactual(m.areas[row], base_year=base_year, to_year=to_year, trend=trend, window=window,
                                  population_growth=population_growth)
        stock[row] = [p.at(int(y)) if y in p.years else float("nan") for y in years]
    return LACounterfactuals(m.areas, years, stock, missing)


def back_test(area: str | Area | None = None, *, base_year: int = 2017, test_year: int = 2022,
              trend: str = "linear") -> dict[str, float]:
    """Project from ``base_year`` with the Review's method and compare with the published ``test_year``."""
    area_ = resolve_area(area)
    p = review_counterfactual(area_, base_year=base_year, to_year=test_year, trend=trend)
    s = load_series(area_)
    actual = s.value("cla", test_year)
    projected = p.at(test_year)
    return {"base_year": base_year, "test_year": test_year, "projected": float(projected), "actual": actual,
            "error_fraction": float(projected / actual - 1.0)}
