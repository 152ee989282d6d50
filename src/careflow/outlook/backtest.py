"""Rolling-origin back-tests of the outlook's candidates on the published history, and the choice between them.

From each origin year (2012-2019 by default) every candidate forecasts every area 1-5 years ahead using only what
was published by then (series to the origin; population to the origin, then held flat); the forecasts are scored
against what DfE later published. The scores choose the method for each measure and calibrate the bands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from careflow.outlook.history import History, load_history
from careflow.outlook.models import MEASURE_NAMES, Inputs, forecast_all

__all__ = [
    "BAND_QUANTILES",
    "Backtest",
    "choose_methods",
    "run_backtest",
    "split_check",
]

ORIGINS = tuple(range(2012, 2020))
SCORED_HORIZONS = (1, 2, 3)
MAX_HORIZON = 5
# (lower, upper) quantiles of the log error for each band.
BAND_QUANTILES = {"80": (0.10, 0.90), "95": (0.025, 0.975)}
SIZE_CLASSES = 3  # LAs' errors are calibrated within thirds by size (small LAs' figures move more)
MARGIN = 0.01  # percentage points of MAPE


def parents(history: History) -> np.ndarray:
    """Each area's parent for pooling: an LA's region, a region's England, England itself."""
    codes = {a.code: i for i, a in enumerate(history.areas)}
    england = codes["E92000001"]
    out = np.empty(len(history.areas), dtype=int)
    for i, a in enumerate(history.areas):
        if a.level == "national":
            out[i] = i
        elif a.level == "regional":
            out[i] = england
        else:
            out[i] = codes.get(a.region_code, england)
    return out


def inputs_at(history: History, origin: int, horizon: int, population_known_to: int | None = None) -> Inputs:
    """What a forecast made after the release for ``origin`` sees."""
    t = origin - int(history.years[0]) + 1
    years = np.arange(int(history.years[0]), origin + horizon + 1)
    known = origin if population_known_to is None else population_known_to
    return Inputs(
        values={m: history.values[m][:, :t] for m in MEASURE_NAMES},
        population=history.population_for(years, known_to=known),
        parent=parents(history),
        horizon=horizon,
    )


@dataclass(frozen=True)
class Backtest:
    """Every scored forecast: one row per origin, horizon, area, measure and method."""

    errors: pl.DataFrame
    origins: tuple[int, ...]

    def scores(self, origins: tuple[int, ...] = ORIGINS, horizons: tuple[int, ...] = SCORED_HORIZONS) -> pl.DataFrame:
        """MAPE and bias (mean signed percentage error) by level, measure, method and horizon."""
        e = self.errors.filter(pl.col("origin").is_in(list(origins)) & pl.col("horizon").is_in(list(horizons)))
        return (
            e.group_by("level", "measure", "method", "horizon")
            .agg(
                (pl.col("ape").mean() * 100).alias("mape"),
                (pl.col("pe").mean() * 100).alias("bias"),
                pl.len().alias("n"),
            )
            .sort("level", "measure", "method", "horizon")
        )


def run_backtest(history: History | None = None, origins: tuple[int, ...] | None = None) -> Backtest:
    """Forecast from every origin (default: every year from 2012 to the year before the last) and score."""
    h = history or load_history()
    last = h.last_year
    chosen = origins or tuple(range(ORIGINS[0], last))
    levels = np.array([a.level for a in h.areas])
    frames = []
    for origin in chosen:
        horizon = min(MAX_HORIZON, last - origin)
        if horizon < 1:
            continue
        x = inputs_at(h, origin, horizon)
        forecasts = forecast_all(x)
        t0 = origin - int(h.years[0])
        for m in MEASURE_NAMES:
            actual = h.values[m][:, t0 + 1: t0 + 1 + horizon]
            base = h.values[m][:, t0]
            ok = np.isfinite(actual) & (actual > 0) & np.isfinite(base)[:, None] & (base > 0)[:, None]
            rows, cols = np.nonzero(ok)
            a = actual[rows, cols]
            for method, by_measure in forecasts.items():
                f = by_measure[m][rows, cols]
                frames.append(pl.DataFrame({
                    "origin": np.full(rows.size, origin, dtype=np.int32),
                    "horizon": (cols + 1).astype(np.int32),
                    "area": rows.astype(np.int32),
                    "level": levels[rows],
                    "measure": np.full(rows.size, m),
                    "method": np.full(rows.size, method),
                    "forecast": f,
                    "actual": a,
                    "base": base[rows],
                }))
    errors = pl.concat(frames).with_columns(
        ((pl.col("forecast") - pl.col("actual")).abs() / pl.col("actual")).alias("ape"),
        ((pl.col("forecast") - pl.col("actual")) / pl.col("actual")).alias("pe"),
        # On counts + 1, so that bands stay meaningful for the smallest LAs (a forecast of 0 children)
        ((pl.col("actual") + 1) / (pl.col("forecast").clip(lower_bound=0) + 1)).log().alias("log_error"),
    )
    return Backtest(errors, chosen)


def choose_methods(scores: pl.DataFrame) -> dict[tuple[str, str], str]:
    """The method for each (level, measure): among candidates whose MAPE is below persistence's at every scored
    horizon at that level (by at least :data:`MARGIN` percentage points, so a tie in the printed table is not a
    win), the lowest mean MAPE; persistence when none beats it."""
    out: dict[tuple[str, str], str] = {}
    for (level, m), s in scores.partition_by("level", "measure", as_dict=True).items():
        ref = s.filter(pl.col("method") == "persistence").sort("horizon")
        best, best_mape = "persistence", float("inf")
        for method, mine in s.filter(pl.col("method") != "persistence").partition_by("method", as_dict=True).items():
            mine = mine.sort("horizon")
            if mine["horizon"].to_list() != ref["horizon"].to_list() or (mine["mape"] > ref["mape"] - MARGIN).any():
                continue
            mean = float(mine["mape"].mean())  # type: ignore[arg-type]
            if mean < best_mape:
                best, best_mape = str(method[0]), mean
        out[(str(level), str(m))] = best
    return out


def split_check(backtest: Backtest, first: tuple[int, ...] = ORIGINS[:4],
                second: tuple[int, ...] = ORIGINS[4:]) -> pl.DataFrame:
    """An out-of-sample check of the choice itself: choose on the ``first`` origins only, then score that choice
    against persistence on the ``second`` (the main table chooses and scores on the same origins)."""
    early = choose_methods(backtest.scores(origins=first))
    late = backtest.scores(origins=second)
    rows = []
    for (level, measure), method in sorted(early.items()):
        part = late.filter((pl.col("level") == level) & (pl.col("measure") == measure))
        mine = part.filter(pl.col("method") == method).sort("horizon")["mape"].to_list()
        ref = part.filter(pl.col("method") == "persistence").sort("horizon")["mape"].to_list()
        beats = method == "persistence" or all(a < b for a, b in zip(mine, ref, strict=True))
        rows.append({"level": level, "measure": measure, "chosen_on_first": method, "mape_second": mine,
                     "persistence_second": ref, "beats_persistence": beats})
    return pl.DataFrame(rows)
