"""The outlook's candidate forecasts, each vectorised over areas.

Every candidate sees only what was published by its origin: the series to the origin year and the 0-17 population
to the origin year, held flat after it (in the forward outlook: the ONS estimates held, then held flat). Each
returns, for every measure, an array (areas, horizons) of forecasts; where a candidate cannot forecast an area (a
suppressed or missing input) it falls back to persistence, and says so in :data:`FALLBACK`.

Parameters are few and stated (:data:`PARAMETERS`); none is fitted to the back-test except the choice between
candidates, which the back-test makes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["CANDIDATES", "DESCRIPTIONS", "PARAMETERS", "Inputs", "forecast_all", "forecast_with_fallbacks"]

MEASURE_NAMES = ("cla_31_march", "starts", "ceased")

# Assumed, not fitted: the conventional damping of a damped trend (Gardner and McKenzie, 1985, use 0.8-0.98);
# a five-year window as in the Review's counterfactual (001_8bebe4ae25a58006.txt:3935); a three-year mean for
# rates held.
PARAMETERS: dict[str, float] = {
    "damping": 0.8,
    "trend_window_years": 5,
    "level_window_years": 3,
}

DESCRIPTIONS: dict[str, str] = {
    "persistence": "next year = this year (the honest benchmark)",
    "review_trend": "the Review's method: the rate per 10,000 on its five-year linear trend x population",
    "damped_trend": "the latest figure grown at its five-year average growth, damped (x0.8 a year)",
    "stock_flow_held": "stock-flow: starts per 10,000 x population and the exit hazard, both held at their "
                       "three-year mean",
    "stock_flow_damped": "stock-flow: starts rate and exit hazard continue their five-year trends, damped",
    "pooled": "rate per 10,000 on a damped trend shrunk towards the region's (small LAs borrow more strength)",
    "national_trend": "complete pooling: the latest figure, its rate per 10,000 moving on England's damped five-year "
                      "trend, times the area's own population",
    "ensemble": "the geometric mean of persistence, pooled and stock_flow_held",
}


@dataclass(frozen=True)
class Inputs:
    """What a forecast from one origin sees: series (areas, years to the origin) and the population path."""

    values: dict[str, np.ndarray]  # measure -> (n, t), last column = origin year
    population: np.ndarray  # (n, t + horizon): to the origin, then as known/assumed after it
    parent: np.ndarray  # (n,) index of the area each area is pooled towards (itself for England)
    horizon: int


def _damp_sum(horizon: int) -> np.ndarray:
    phi = PARAMETERS["damping"]
    return np.cumsum(phi ** np.arange(1, horizon + 1))


def _log_growth(y: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean yearly log growth over the last ``window`` years, its sampling variance, number of changes)."""
    tail = y[:, -(window + 1):]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.diff(np.log(np.where(tail > 0, tail, np.nan)), axis=1)
    n = np.sum(np.isfinite(d), axis=1)
    mean = np.where(n > 0, np.nansum(d, axis=1) / np.maximum(n, 1), 0.0)
    dev = np.where(np.isfinite(d), d - mean[:, None], 0.0)
    var = np.where(n > 1, np.sum(dev**2, axis=1) / np.maximum(n - 1, 1), np.nan)
    return mean, var / np.maximum(n, 1), n


def _last(y: np.ndarray) -> np.ndarray:
    return y[:, -1]


def _persistence(x: Inputs, m: str) -> np.ndarray:
    return np.repeat(_last(x.values[m])[:, None], x.horizon, axis=1)


def _damped_trend(x: Inputs, m: str) -> np.ndarray:
    b, _, _ = _log_growth(x.values[m], int(PARAMETERS["trend_window_years"]))
    return _last(x.values[m])[:, None] * np.exp(b[:, None] * _damp_sum(x.horizon)[None, :])


def _review_trend(x: Inputs, m: str) -> np.ndarray:
    w = int(PARAMETERS["trend_window_years"])
    y = x.values[m]
    t = y.shape[1]
    pop = x.population
    rate = y / pop[:, :t] * 1e4
    r_base, r_old = rate[:, -1], rate[:, -1 - w] if t > w else np.full(y.shape[0], np.nan)
    k = np.arange(1, x.horizon + 1)
    future = np.clip(r_base[:, None] + (r_base - r_old)[:, None] / w * k[None, :], 0.0, None)
    return future * pop[:, t:] / 1e4


def _pooled(x: Inputs, m: str) -> np.ndarray:
    """Hierarchical shrinkage of each area's rate growth towards its parent's (empirical Bayes).

    growth_i = w_i g_i + (1 - w_i) g_parent, w_i = tau^2 / (tau^2 + v_i): v_i is the sampling variance of the
    area's own mean growth (large for small, noisy LAs), tau^2 the spread of true growth between areas, estimated
    by the method of moments across all areas.
    """
    y = x.values[m]
    t = y.shape[1]
    rate = y / x.population[:, :t]
    g, v, n = _log_growth(rate, int(PARAMETERS["trend_window_years"]))
    gp = g[x.parent]
    ok = np.isfinite(v) & (n > 1) & (x.parent != np.arange(y.shape[0]))
    tau2 = max(float(np.var(g[ok] - gp[ok]) - np.mean(v[ok])), 1e-6) if ok.sum() > 2 else 1e-6
    w = np.where(np.isfinite(v), tau2 / (tau2 + np.nan_to_num(v, nan=np.inf)), 0.0)
    w = np.where(x.parent == np.arange(y.shape[0]), 1.0, w)
    growth = w * g + (1.0 - w) * gp
    pop_ratio = x.population[:, t:] / x.population[:, t - 1: t]
    return _last(y)[:, None] * np.exp(growth[:, None] * _damp_sum(x.horizon)[None, :]) * pop_ratio


def _national_trend(x: Inputs, m: str) -> np.ndarray:
    """Every area's rate per 10,000 follows England's damped trend (the limit of pooling: no own trend at all)."""
    y = x.values[m]
    t = y.shape[1]
    rate = y / x.population[:, :t]
    g, _, _ = _log_growth(rate, int(PARAMETERS["trend_window_years"]))
    root = x.parent[x.parent[x.parent]]  # LA -> region -> England
    pop_ratio = x.population[:, t:] / x.population[:, t - 1: t]
    return _last(y)[:, None] * np.exp(g[root][:, None] * _damp_sum(x.horizon)[None, :]) * pop_ratio


def _stock_flow(x: Inputs, damped: bool) -> dict[str, np.ndarray]:
    cla, starts, ceased = (x.values[k] for k in MEASURE_NAMES)
    t = cla.shape[1]
    pop = x.population
    lw, tw = int(PARAMETERS["level_window_years"]), int(PARAMETERS["trend_window_years"])
    rate = starts / pop[:, :t] * 1e4
    prev = np.concatenate([np.full((cla.shape[0], 1), np.nan), cla[:, :-1]], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = ceased / (prev + starts / 2.0)
    # Published stock change is not exactly starts - ceased (revisions, rounding): the recent mean gap is kept.
    gap = (cla - prev) - (starts - ceased)

    def level(a: np.ndarray) -> np.ndarray:
        tail = a[:, -lw:]
        cnt = np.isfinite(tail).sum(axis=1)
        return np.where(cnt > 0, np.nansum(tail, axis=1) / np.maximum(cnt, 1), np.nan)

    def slope(a: np.ndarray) -> np.ndarray:
        tail = a[:, -tw:]
        xs = np.arange(tail.shape[1], dtype=float)
        ok = np.isfinite(tail)
        cnt = ok.sum(axis=1)
        xm = np.where(cnt > 0, (xs[None, :] * ok).sum(axis=1) / np.maximum(cnt, 1), 0.0)
        ym = np.where(cnt > 0, np.nansum(tail, axis=1) / np.maximum(cnt, 1), 0.0)
        dx = np.where(ok, xs[None, :] - xm[:, None], 0.0)
        dy = np.where(ok, tail - ym[:, None], 0.0)
        sxx = (dx**2).sum(axis=1)
        return np.where(sxx > 0, (dx * dy).sum(axis=1) / np.where(sxx > 0, sxx, 1.0), 0.0)

    r0, h0, g0 = level(rate), level(hazard), np.nan_to_num(level(gap))
    steps = np.arange(1, x.horizon + 1)
    if damped:
        # The mean of the last three years is centred a year back: the trend runs on from there, damped.
        run = _damp_sum(x.horizon + 1)[1:]
        r_path = r0[:, None] + slope(rate)[:, None] * run[None, :]
        h_path = np.clip(h0[:, None] + slope(hazard)[:, None] * run[None, :], 0.5 * h0[:, None], 0.95)
    else:
        r_path = np.repeat(r0[:, None], steps.size, axis=1)
        h_path = np.repeat(h0[:, None], steps.size, axis=1)
    r_path = np.clip(r_path, 0.0, None)
    s_out = r_path * pop[:, t:] / 1e4
    c_out = np.empty_like(s_out)
    stock = np.empty_like(s_out)
    level_now = cla[:, -1]
    for j in range(x.horizon):
        c_out[:, j] = h_path[:, j] * (level_now + s_out[:, j] / 2.0)
        stock[:, j] = np.clip(level_now + s_out[:, j] - c_out[:, j] + g0, 0.0, None)
        level_now = stock[:, j]
    return {"cla_31_march": stock, "starts": s_out, "ceased": c_out}


def _single(fn: Callable[[Inputs, str], np.ndarray]) -> Callable[[Inputs], dict[str, np.ndarray]]:
    return lambda x: {m: fn(x, m) for m in MEASURE_NAMES}


CANDIDATES: dict[str, Callable[[Inputs], dict[str, np.ndarray]]] = {
    "persistence": _single(_persistence),
    "review_trend": _single(_review_trend),
    "damped_trend": _single(_damped_trend),
    "stock_flow_held": lambda x: _stock_flow(x, damped=False),
    "stock_flow_damped": lambda x: _stock_flow(x, damped=True),
    "pooled": _single(_pooled),
    "national_trend": _single(_national_trend),
}
ENSEMBLE_OF = ("persistence", "pooled", "stock_flow_held")


def forecast_with_fallbacks(x: Inputs) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, dict[str, np.ndarray]]]:
    """Every candidate's forecasts (method -> measure -> (areas, horizons)), persistence filling what a candidate
    cannot forecast; and, per method and measure, which areas (n,) were so filled (for the ensemble: any part)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    filled: dict[str, dict[str, np.ndarray]] = {}
    base = CANDIDATES["persistence"](x)
    for name, fn in CANDIDATES.items():
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            got = fn(x)
        ok = {m: np.isfinite(got[m]) & (got[m] >= 0) for m in MEASURE_NAMES}
        out[name] = {m: np.where(ok[m], got[m], base[m]) for m in MEASURE_NAMES}
        filled[name] = {m: ~ok[m].all(axis=1) & np.isfinite(base[m]).all(axis=1) for m in MEASURE_NAMES}
    with np.errstate(divide="ignore"):
        out["ensemble"] = {
            m: np.exp(np.mean([np.log(np.maximum(out[k][m], 1e-9)) for k in ENSEMBLE_OF], axis=0))
            for m in MEASURE_NAMES
        }
    filled["ensemble"] = {m: np.any([filled[k][m] for k in ENSEMBLE_OF], axis=0) for m in MEASURE_NAMES}
    return out, filled


def forecast_all(x: Inputs) -> dict[str, dict[str, np.ndarray]]:
    """Every candidate's forecasts: method -> measure -> (areas, horizons); persistence fills what one cannot."""
    return forecast_with_fallbacks(x)[0]
