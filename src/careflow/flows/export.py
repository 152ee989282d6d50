"""An LA's fitted flows as yearly rates, for models that work on whole-system flows (``careflow reform --returns``).

:func:`fitted_flows` cleans an LA's SSDA903 episodes and measures, over the reference window (default: the last
three years of data), the same occurrence and exposure the flow model is fitted on
(:func:`careflow.flows.estimators.prepare`), and sums them into

* periods of care starting a year, by the flows age band on starting;
* exits a year by exit reason and age band, with the child-years in care by age band (so a yearly hazard is
  ``exits / child-years``);
* children in care at the window's end by age band and placement category.

Populations only: no child is named or scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from careflow.flows.clean import CleanEpisodes
from careflow.flows.estimators import _states, prepare, stock_at
from careflow.flows.states import StateConfig
from careflow.tables.dataset import CareData

__all__ = ["FittedFlows", "fitted_flows"]

MONTHS_PER_YEAR = 12.0


@dataclass(frozen=True)
class FittedFlows:
    """Yearly flows measured over ``start`` ... ``end`` (arrays indexed by the state config's names)."""

    bands: tuple[str, ...]
    band_years: tuple[tuple[float, float], ...]
    categories: tuple[str, ...]
    exits: tuple[str, ...]
    start: date
    end: date
    starts_per_year: np.ndarray  # (bands,)
    exits_per_year: np.ndarray  # (bands, exits)
    child_years_per_year: np.ndarray  # (bands,): mean children in care in the band over the window
    stock_end: np.ndarray  # (bands, categories) at ``end``
    local_authorities: tuple[str, ...]

    @property
    def years(self) -> float:
        return ((self.end - self.start).days + 1) / 365.25

    def hazards(self) -> np.ndarray:
        """Yearly exit hazard by band and exit: exits a year / children in care in the band."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.child_years_per_year[:, None] > 0,
                            self.exits_per_year / self.child_years_per_year[:, None], 0.0)


def fitted_flows(data: CareData | CleanEpisodes, *, states: int | str | StateConfig = 1,
                 reference_years: float = 3.0, data_end: date | None = None) -> FittedFlows:
    """Measure an LA's yearly starts, exits by reason and age band, and its stock by placement."""
    cfg = _states(states)
    tables = prepare(data, states=cfg, reference_years=reference_years, data_end=data_end)
    k = len(cfg.categories)
    years = tables.months / MONTHS_PER_YEAR
    exposure = tables.exposure.sum(axis=(1, 2)) / MONTHS_PER_YEAR  # child-years by band over the window
    exits = tables.events[..., k:].sum(axis=(1, 2))  # (bands, exits)
    stock = stock_at(tables.clean, tables.end, cfg)
    stock_end = np.zeros((len(cfg.age_bands), k))
    if stock.height:
        band_of_month = np.zeros(12 * 18 + 1, dtype=np.int64)
        for i, b in enumerate(cfg.age_bands):
            band_of_month[int(b.from_years * 12): int(b.to_years * 12)] = i
        ages = np.clip(stock["age_months"].to_numpy(), 0, 12 * 18 - 1)
        np.add.at(stock_end, (band_of_month[ages], stock["category"].to_numpy()), 1.0)
    las = tables.clean.spells.get_column("local_authority").cast(pl.Utf8).drop_nulls().unique().sort().to_list() \
        if "local_authority" in tables.clean.spells.columns else []
    return FittedFlows(
        bands=tuple(b.name for b in cfg.age_bands),
        band_years=tuple((float(b.from_years), float(b.to_years)) for b in cfg.age_bands),
        categories=tuple(c.name for c in cfg.categories), exits=tuple(e.name for e in cfg.exits),
        start=tables.start, end=tables.end,
        starts_per_year=tables.entries.sum(axis=1) / years, exits_per_year=exits / years,
        child_years_per_year=exposure / years, stock_end=stock_end, local_authorities=tuple(las),
    )
