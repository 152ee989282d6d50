"""What a projection returns, whichever engine made it: stock, flows and spend by month, with bands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from careflow.flows.states import StateConfig
from careflow.issues import Issue

__all__ = ["LEVELS", "QUANTILES", "Projection", "gamma_bands"]

#: Central bands reported: 80% and 95%.
LEVELS = (0.8, 0.95)
QUANTILES = {"p2_5": 0.025, "p10": 0.10, "p50": 0.5, "p90": 0.90, "p97_5": 0.975}


def gamma_bands(mean: np.ndarray, var: np.ndarray) -> dict[str, np.ndarray]:
    """Quantiles of a gamma distribution with the given mean and variance (non-negative, skewed like counts).

    Where the variance is zero the quantiles are the mean. Example:
        >>> q = gamma_bands(np.array([100.0]), np.array([100.0]))
        >>> round(float(q["p2_5"][0])), round(float(q["p97_5"][0]))
        (81, 120)
    """
    # careflow.flows._gamma, not scipy.special.gammaincinv: importing scipy.special costs ~0.2 s of CPU, a third of a
    # one-LA forecast; tests/test_flows_gamma.py checks the two agree.
    from careflow.flows._gamma import gamma_quantile

    mean = np.maximum(np.asarray(mean, dtype=float), 0.0)
    var = np.maximum(np.asarray(var, dtype=float), 0.0)
    ok = (mean > 0) & (var > 1e-12)
    shape = np.divide(mean**2, var, out=np.ones_like(mean), where=ok)
    scale = np.divide(var, mean, out=np.ones_like(mean), where=ok)
    # All the quantiles in one call: they share the iterations.
    levels = np.array(list(QUANTILES.values())).reshape(-1, *([1] * mean.ndim))
    values = gamma_quantile(shape[None], levels) * scale[None]
    return {name: np.where(ok, values[i], mean) for i, name in enumerate(QUANTILES)}


@dataclass
class Projection:
    """A projection of children in care, flows and spend by month.

    Attributes:
        engine: ``"markov"`` or ``"microsim"``.
        scenario: the scenario's name (``"baseline"`` without one).
        start_date: the stock is taken at the end of this day; month 1 ends a month later.
        dates: month ends of the projection.
        summary: long table — ``date, breakdown (category | age_band | total | weekly_cost_gbp), group, mean, sd,
            p2_5, p10, p50, p90, p97_5``.
        flows: ``date, flow (entry | exit), group, mean`` — expected entries by first placement and exits by
            destination in each month.
        issues: notes from the model and the engine.
    """

    engine: str
    scenario: str
    start_date: date
    dates: list[date]
    states: StateConfig
    summary: pl.DataFrame
    flows: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    internals: dict[str, Any] = field(default_factory=dict, repr=False)
    # spend() by period, for the summary it was computed from (the tables and the report each ask for some).
    _spend: tuple[pl.DataFrame | None, dict[str, pl.DataFrame]] = field(
        default_factory=lambda: (None, {}), init=False, repr=False, compare=False)

    def stock(self, breakdown: str = "category") -> pl.DataFrame:
        """Stock by ``category``, ``age_band`` or ``total``, one row per month and group."""
        return self.summary.filter(pl.col("breakdown") == breakdown)

    def spend(self, period: str = "year") -> pl.DataFrame:
        """Spend (£) per ``week`` (at each month end), ``quarter`` or ``year`` (financial years, April–March).

        Quarterly and yearly bands add the monthly bands as if months were perfectly correlated (stock moves
        slowly, so neighbouring months are nearly so); that errs on the wide side.
        """
        source, done = self._spend
        if source is not self.summary:
            self._spend = source, done = self.summary, {}
        if period not in done:
            done[period] = self._spend_by(period)
        return done[period]

    def _spend_by(self, period: str) -> pl.DataFrame:
        weekly = self.summary.filter(pl.col("breakdown") == "weekly_cost_gbp", pl.col("group") == "all")
        if period == "week":
            return weekly
        days = pl.Series([_days_in_month(d) for d in weekly["date"]])
        monthly = weekly.with_columns(
            *(pl.col(c) * days / 7 for c in ("mean", "sd", *QUANTILES)),
        )
        if period == "month":
            return monthly
        if period == "quarter":
            key = pl.col("date").dt.year().cast(pl.Int32) * 10 + ((pl.col("date").dt.month() - 4) % 12) // 3 + 1
            label = pl.concat_str([_fy(pl.col("date")), pl.lit(" Q"), (((pl.col("date").dt.month() - 4) % 12)
                                                                         // 3 + 1).cast(pl.String)])
        elif period == "year":
            key = _fy_start(pl.col("date"))
            label = _fy(pl.col("date"))
        else:
            raise ValueError(f"period must be week, month, quarter or year, not {period!r}")
        return (
            monthly.with_columns(key.alias("_k"), label.alias("period"))
            .group_by("_k", "period", maintain_order=True)
            .agg(pl.len().alias("months"), *(pl.col(c).sum() for c in ("mean", "sd", *QUANTILES)))
            .drop("_k")
        )

    def to_csv(self, folder: str | Path, prefix: str = "") -> list[Path]:
        """Write ``stock.csv``, ``flows.csv`` and ``spend_<period>.csv``; returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / f"{prefix}stock.csv", folder / f"{prefix}flows.csv"]
        tag = [pl.lit(self.engine).alias("engine"), pl.lit(self.scenario).alias("scenario")]
        self.summary.with_columns(*tag).write_csv(paths[0])
        self.flows.with_columns(*tag).write_csv(paths[1])
        for period in ("quarter", "year"):
            path = folder / f"{prefix}spend_{period}.csv"
            self.spend(period).with_columns(*tag).write_csv(path)
            paths.append(path)
        return paths


def _days_in_month(d: date) -> int:
    return d.day  # dates are month ends


def _fy_start(col: pl.Expr) -> pl.Expr:
    return col.dt.year().cast(pl.Int32) - (col.dt.month() < 4).cast(pl.Int32)


def _fy(col: pl.Expr) -> pl.Expr:
    start = _fy_start(col)
    return pl.concat_str([start.cast(pl.String), pl.lit("-"), ((start + 1) % 100).cast(pl.String).str.zfill(2)])


def summary_frame(
    dates: list[date],
    states: StateConfig,
    mean: np.ndarray,
    var: np.ndarray,
    quantiles: dict[str, np.ndarray] | None = None,
) -> pl.DataFrame:
    """The long summary table from outputs in the standard order (K categories, B bands, total, cost)."""
    groups = [*states.category_names, *states.band_names, "all", "all"]
    breakdowns = (["category"] * len(states.categories) + ["age_band"] * len(states.age_bands)
                  + ["total", "weekly_cost_gbp"])
    t, o = mean.shape
    q = quantiles if quantiles is not None else gamma_bands(mean, var)
    return pl.DataFrame({
        "date": np.repeat(np.array(dates, dtype="datetime64[D]"), o),
        "breakdown": breakdowns * t,
        "group": groups * t,
        "mean": mean.ravel(),
        "sd": np.sqrt(np.maximum(var, 0)).ravel(),
        **{name: np.asarray(values).ravel() for name, values in q.items()},
    }).with_columns(pl.col("date").cast(pl.Date))
