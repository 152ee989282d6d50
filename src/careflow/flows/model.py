"""The fitted flow model: transitions, durations, entries and the stock at the start, and its projections.

The dependency runs one way: this module uses the estimators (:mod:`careflow.flows.estimators`) and the two
engines (:mod:`careflow.flows.markov`, :mod:`careflow.flows.microsim`); they know the model only as a type.

Population forecasts only: nothing here scores or predicts for a named child (see DOMAIN.md §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from careflow.flows._base import Estimator, check_is_fitted
from careflow.flows.clean import CleanEpisodes
from careflow.flows.estimators import (
    DEFAULT_DURATION_BINS,
    CompetingRiskDurations,
    EntryRates,
    TransitionRates,
    _states,
    prepare,
    stock_at,
)
from careflow.flows.markov import project
from careflow.flows.microsim import simulate
from careflow.flows.population import PopulationSeries
from careflow.flows.projection import Projection
from careflow.flows.states import StateConfig
from careflow.issues import Issue, Severity
from careflow.tables.dataset import CareData

__all__ = ["FlowModel", "ParameterDraws"]


@dataclass(frozen=True)
class ParameterDraws:
    """Draws of a fitted model's parameters from their posteriors (for the estimation error in the bands).

    ``rates`` (S, B, K, K+E) per month; ``entry_mix`` (S, B, K) multipliers of the entry rates (the mix over age
    band and first placement; the level's error is carried separately); ``age_pmf`` (S, 216) the ages of
    entrants within their band.
    """

    rates: np.ndarray
    entry_mix: np.ndarray
    age_pmf: np.ndarray

    @property
    def size(self) -> int:
        return int(self.rates.shape[0])


class FlowModel(Estimator):
    """The flow model: transitions, durations, entries and the stock at the start, fitted together.

    Args:
        states: state space version or YAML file.
        reference_start, reference_end, reference_years: the reference window (default: the last three years of
            data). The projection starts the day after ``reference_end``.
        entries: ``"counts"`` or ``"rates"`` (per 10,000 children aged 0–17 × ``population``).
        population: area name in the packaged ONS series, or a :class:`PopulationSeries`.
        duration_bins_months: time-in-placement bins for the competing-risk durations (microsimulation).
        prior_months: shrinkage of sparse states, in months of pseudo-exposure.
        entry_drift_sd: yearly wander of the entry level (default: the dated parameter).
        data_end: the date the data run to (default: from the collection years or the latest date).

    Example:
        >>> model = FlowModel(reference_years=2).fit(data)            # doctest: +SKIP
        >>> projection = model.predict(horizon_months=24)             # doctest: +SKIP
        >>> projection.stock("category").head()                       # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        states: int | str | StateConfig = 1,
        reference_start: date | None = None,
        reference_end: date | None = None,
        reference_years: float = 3.0,
        entries: str = "counts",
        population: PopulationSeries | str | None = None,
        duration_bins_months: tuple[float, ...] = DEFAULT_DURATION_BINS,
        prior_months: float = 6.0,
        entry_drift_sd: float | None = None,
        data_end: date | None = None,
    ) -> None:
        self.states = states
        self.reference_start = reference_start
        self.reference_end = reference_end
        self.reference_years = reference_years
        self.entries = entries
        self.population = population
        self.duration_bins_months = duration_bins_months
        self.prior_months = prior_months
        self.entry_drift_sd = entry_drift_sd
        self.data_end = data_end

    def fit(self, data: CareData | CleanEpisodes) -> FlowModel:
        states = _states(self.states)
        tables = prepare(data, states=states, reference_start=self.reference_start,
                         reference_end=self.reference_end, reference_years=self.reference_years,
                         duration_bins=tuple(self.duration_bins_months), data_end=self.data_end)
        common: dict[str, Any] = {"states": states, "reference_start": tables.start, "reference_end": tables.end}
        transitions = TransitionRates(**common, prior_months=self.prior_months)
        transitions._fit_tables(tables)
        durations = CompetingRiskDurations(**common, duration_bins_months=tuple(self.duration_bins_months),
                                           prior_months=self.prior_months)
        durations._fit_tables(tables)
        entries = EntryRates(**common, entries=self.entries, population=self.population,
                             entry_drift_sd=self.entry_drift_sd)
        entries._fit_tables(tables)
        self.states_ = states
        self.reference_start_, self.reference_end_ = tables.start, tables.end
        self.start_date_ = tables.end  # the stock is taken at the window's end; months run from there
        self.transitions_ = transitions
        self.durations_ = durations
        self.entries_ = entries
        self.provider_external_share_ = tables.provider_external
        self.stock_ = stock_at(tables.clean, tables.end, states)
        self.clean_ = tables.clean
        self.tables_ = tables
        self.issues_ = [*tables.clean.issues, *transitions.issues_]
        if self.stock_.height == 0:
            self.issues_.append(Issue("empty-stock", Severity.WARNING,
                                      f"no child is in care on {tables.end}: the projection starts from zero",
                                      table="looked_after_episodes"))
        return self

    @property
    def rates_(self) -> np.ndarray:
        """The Markov transition rates (B, K, K+E) per month."""
        check_is_fitted(self)
        return self.transitions_.rates_

    def sample_parameters(self, size: int, rng: np.random.Generator) -> ParameterDraws:
        """``size`` draws of the transition rates, entry mix and entrants' ages from their posteriors."""
        check_is_fitted(self, "sample_parameters needs fitted rates")
        return ParameterDraws(
            rates=self.transitions_.sample_rates(size, rng),
            entry_mix=self.entries_.sample_mix(size, rng),
            age_pmf=self.entries_.sample_age_pmf(size, rng),
        )

    def predict(self, horizon_months: int = 24, **kwargs: Any) -> Projection:
        """Project forward ``horizon_months`` with the Markov engine (mean and analytic bands).

        Keyword arguments go to :func:`careflow.flows.markov.project` (``scenario=``, ``unit_costs=`` …).
        """
        check_is_fitted(self, "predict needs fitted rates")
        return project(self, horizon_months, **kwargs)

    def simulate(self, horizon_months: int = 24, **kwargs: Any) -> Projection:
        """Project with the microsimulation (full distributions); see :func:`careflow.flows.microsim.simulate`."""
        check_is_fitted(self, "simulate needs fitted rates")
        return simulate(self, horizon_months, **kwargs)
