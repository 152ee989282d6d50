"""Back-testing: fit on what was known at a cut-off, forecast a horizon, score against what happened.

Scores, per placement category and for the total: MAPE and bias of the stock at month ends (in %), and the
share of months where the observed stock fell inside the 80% and 95% bands (coverage; honest bands cover about
80% and 95%).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from careflow.flows._errors import FlowDataError
from careflow.flows.clean import CleanEpisodes, clean_episodes
from careflow.flows.estimators import _states, observed_stock
from careflow.flows.model import FlowModel
from careflow.flows.projection import Projection
from careflow.tables.dataset import CareData

__all__ = ["BacktestResult", "backtest", "score", "truncate"]


@dataclass
class BacktestResult:
    """Scores (``table``), the month-by-month comparison (``detail``) and the projection that was scored."""

    cutoff: date
    horizon_months: int
    table: pl.DataFrame
    detail: pl.DataFrame
    projection: Projection

    def overall(self) -> dict[str, float]:
        """MAPE, bias and coverage over every category-month (and the total's own MAPE)."""
        cat = self.detail.filter(pl.col("breakdown") == "category", pl.col("observed") > 0)
        tot = self.detail.filter(pl.col("breakdown") == "total", pl.col("observed") > 0)
        def mean(frame: pl.DataFrame, col: str) -> float:
            return float(frame[col].cast(pl.Float64).mean() or 0.0)  # type: ignore[arg-type]

        return {
            "mape_category": mean(cat, "ape"),
            "bias_category": mean(cat, "pe"),
            "coverage_80": mean(cat, "in_80"),
            "coverage_95": mean(cat, "in_95"),
            "mape_total": mean(tot, "ape"),
            "bias_total": mean(tot, "pe"),
        }


def truncate(data: CareData, cutoff: date) -> CareData:
    """The episodes as they were known at the end of ``cutoff``: later returns dropped, later events unknown."""
    ep = data["looked_after_episodes"]
    if ep["collection_year"].null_count() < ep.height:
        last_year = cutoff.year + (1 if cutoff.month > 3 else 0)
        ep = ep.filter(pl.col("collection_year").is_null() | (pl.col("collection_year") <= last_year))
    ep = ep.filter(pl.col("start_date") <= cutoff).with_columns(
        pl.when(pl.col("end_date") > cutoff).then(None).otherwise(pl.col("reason_episode_ceased"))
        .alias("reason_episode_ceased"),
        pl.when(pl.col("end_date") > cutoff).then(None).otherwise(pl.col("end_date")).alias("end_date"),
    )
    out = CareData(dict(data.tables))
    out["looked_after_episodes"] = ep
    return out


def score(projection: Projection, observed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Compare a projection with observed stock (from :func:`careflow.flows.observed_stock`)."""
    detail = (
        projection.summary.filter(pl.col("breakdown").is_in(["category", "total", "age_band"]))
        .join(observed, on=["date", "breakdown", "group"], how="inner")
        .with_columns(
            (100 * (pl.col("mean") - pl.col("observed")) / pl.col("observed")).alias("pe"),
            (pl.col("observed").is_between(pl.col("p10"), pl.col("p90"))).alias("in_80"),
            (pl.col("observed").is_between(pl.col("p2_5"), pl.col("p97_5"))).alias("in_95"),
        )
        .with_columns(pl.col("pe").abs().alias("ape"))
    )
    table = (
        detail.filter(pl.col("observed") > 0)
        .group_by("breakdown", "group", maintain_order=True)
        .agg(
            pl.len().alias("months"),
            pl.col("observed").mean().alias("observed_mean"),
            pl.col("mean").mean().alias("forecast_mean"),
            pl.col("ape").mean().alias("mape_pct"),
            pl.col("pe").mean().alias("bias_pct"),
            pl.col("in_80").mean().alias("coverage_80"),
            pl.col("in_95").mean().alias("coverage_95"),
        )
    )
    return table, detail


def backtest(
    data: CareData | CleanEpisodes,
    *,
    cutoff: date | None = None,
    horizon_months: int = 12,
    engine: str = "markov",
    runs: int = 300,
    seed: int | None = 0,
    cleaned: CleanEpisodes | None = None,
    **model_kwargs: Any,
) -> BacktestResult:
    """Fit a :class:`FlowModel` on the data known at ``cutoff``, project ``horizon_months``, score it.

    Args:
        data: the full canonical tables (what happened after the cut-off is the truth).
        cutoff: the last day known when forecasting (default: ``horizon_months`` before the data end).
        horizon_months: months forecast and scored.
        engine: ``"markov"`` or ``"microsim"``.
        runs, seed: for the microsimulation.
        cleaned: ``data`` already cleaned with the same states and data end (a forecast's own fit has them:
            ``FlowModel.clean_``), used as the truth instead of cleaning the data again.
        model_kwargs: passed to :class:`FlowModel` (``reference_years``, ``entries``, ``population`` …).

    Raises:
        FlowDataError: the cut-off leaves no month to score.
    """
    states = _states(model_kwargs.get("states", 1))
    full_end = model_kwargs.pop("data_end", None)
    if cleaned is not None:
        full = cleaned
    else:
        full = data if isinstance(data, CleanEpisodes) else clean_episodes(data, states, data_end=full_end)
    data_end = full.data_end
    if data_end is None:
        raise FlowDataError("no episodes to back-test on")
    if cutoff is None:
        cutoff = _months_before(data_end, horizon_months)
    if cutoff >= data_end:
        raise FlowDataError(f"cut-off {cutoff} is not before the data end {data_end}: nothing to score against")
    if isinstance(data, CleanEpisodes):
        raise FlowDataError("backtest needs the canonical tables (CareData) so it can hide what came after the "
                            "cut-off")
    known = truncate(data, cutoff)
    model = FlowModel(**model_kwargs, reference_end=cutoff, data_end=cutoff).fit(known)
    if engine == "markov":
        projection = model.predict(horizon_months)
    else:
        projection = model.simulate(horizon_months, runs=runs, seed=seed)
    dates = [d for d in projection.dates if d <= data_end]
    if not dates:
        raise FlowDataError(f"no month end between the cut-off {cutoff} and the data end {data_end} to score")
    observed = observed_stock(full, dates, states)
    table, detail = score(projection, observed)
    return BacktestResult(cutoff, horizon_months, table, detail, projection)


def _months_before(when: date, months: int) -> date:
    """The month end ``months`` calendar months before the month of ``when`` (or ``when`` if a month end)."""
    y, m = when.year, when.month - months
    while m <= 0:
        y, m = y - 1, m + 12
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return nxt - timedelta(days=1)
