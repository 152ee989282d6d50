"""Estimators of how children move through care, fitted on canonical SSDA903 episodes.

Each follows the scikit-learn contract (:mod:`careflow.flows._base`): the constructor stores its arguments,
``fit(data)`` returns ``self``, learned state ends in ``_``.

* :class:`TransitionRates` — occurrence/exposure rates (per month) of moving from each state (age band ×
  placement category) to another category or out of care by each exit, over a reference window: the Markov model.
* :class:`CompetingRiskDurations` — the same cause-specific hazards split by time in placement (piecewise
  constant), estimated with censoring: spells still open at the end of the window add exposure, not events.
* :class:`EntryRates` — entries into care per month by age band and first placement, as counts or as rates per
  10,000 children aged 0–17, and the ages of entrants.

:class:`careflow.flows.model.FlowModel` fits all three together; it depends on this module and on the engines
(:mod:`~careflow.flows.markov`, :mod:`~careflow.flows.microsim`), never the other way round.

Population forecasts only: nothing here scores or predicts for a named child (see DOMAIN.md §6).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Self

import numpy as np
import polars as pl

from careflow.flows._base import Estimator, check_is_fitted
from careflow.flows._errors import FlowConfigError, FlowDataError
from careflow.flows.clean import CleanEpisodes, clean_episodes
from careflow.flows.population import PopulationSeries, load_population
from careflow.flows.states import AGE_OUT_MONTHS, StateConfig, load_states
from careflow.issues import Issue, Severity
from careflow.tables.dataset import CareData

__all__ = [
    "MONTH_DAYS",
    "CompetingRiskDurations",
    "EntryRates",
    "TransitionRates",
    "generator",
    "month_ends",
    "observed_stock",
    "prepare",
    "stock_at",
]

#: The model's month: a twelfth of a year.
MONTH_DAYS = 365.25 / 12
DEFAULT_DURATION_BINS = (0.0, 1.0, 3.0, 6.0, 12.0, 24.0)
EXTERNAL_PROVIDERS = ("PR4", "PR5")
PARAMETERS = Path(__file__).parent / "data" / "parameters"


# --------------------------------------------------------------------------------------------------------
# Shared preparation: clean once, measure exposure once.
# --------------------------------------------------------------------------------------------------------
@dataclass
class Tables:
    """Occurrence and exposure over a reference window (what every estimator here is fitted on).

    ``exposure[b, k, d]`` months spent in band b, category k, duration bin d; ``events[b, k, d, j]`` moves to
    category j (j < K) or exits by exit j − K; ``entries[b, k]`` periods of care starting in band b, category k;
    ``entry_ages`` ages (completed months) of those entrants; ``provider_external[k]`` the share of time in
    category k with private or voluntary providers.
    """

    states: StateConfig
    clean: CleanEpisodes
    start: date
    end: date
    duration_bins: tuple[float, ...]
    exposure: np.ndarray
    events: np.ndarray
    entries: np.ndarray
    entry_ages: np.ndarray
    entry_band: np.ndarray
    provider_external: np.ndarray

    @property
    def months(self) -> float:
        return ((self.end - self.start).days + 1) / MONTH_DAYS


def _days(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Int64)


def _as_clean(data: CareData | CleanEpisodes | Tables, states: StateConfig, data_end: date | None) -> CleanEpisodes:
    if isinstance(data, Tables):
        return data.clean
    if isinstance(data, CleanEpisodes):
        return data
    if isinstance(data, CareData):
        return clean_episodes(data, states, data_end=data_end)
    raise TypeError(f"fit takes CareData (canonical tables) or CleanEpisodes, not {type(data).__name__}")


def resolve_window(
    clean: CleanEpisodes, reference_start: date | None, reference_end: date | None, reference_years: float
) -> tuple[date, date]:
    """The reference window ``[start, end]`` (inclusive), checked to hold data."""
    end = reference_end or clean.data_end
    if end is None:
        raise FlowDataError("the episodes are empty: there is no reference window to fit on")
    start = reference_start or (end - timedelta(days=round(reference_years * 365.25)) + timedelta(days=1))
    if start >= end:
        raise FlowDataError(f"reference window starts {start} on or after it ends {end}; expected start < end")
    sp = clean.spells
    if sp.height == 0:
        raise FlowDataError("no usable episodes: every episode was left out (see the issues) or none were given")
    first = sp.select(pl.col("start_date").min()).item()
    stop = sp.select(pl.coalesce("end_date", "censor_date").max()).item()
    overlapping = sp.filter(
        (pl.col("start_date") <= end) & (pl.coalesce("end_date", "censor_date") >= start)
    ).height
    if overlapping == 0:
        raise FlowDataError(
            f"the reference window {start} to {end} holds no episodes; the data cover {first} to {stop}. "
            "Choose reference_start/reference_end inside that range."
        )
    if clean.data_end is not None and end > clean.data_end:
        raise FlowDataError(
            f"the reference window ends {end}, after the data end ({clean.data_end}); rates would be biased low"
        )
    return start, end


def prepare(
    data: CareData | CleanEpisodes | Tables,
    *,
    states: StateConfig,
    reference_start: date | None = None,
    reference_end: date | None = None,
    reference_years: float = 3.0,
    duration_bins: tuple[float, ...] = DEFAULT_DURATION_BINS,
    data_end: date | None = None,
) -> Tables:
    """Clean the episodes (if needed) and measure occurrence and exposure over the reference window."""
    if isinstance(data, Tables) and (reference_start, reference_end) in ((data.start, data.end), (None, None)) \
            and tuple(duration_bins) == data.duration_bins:
        return data
    clean = _as_clean(data, states, data_end)
    start, end = resolve_window(clean, reference_start, reference_end, reference_years)
    bins = tuple(float(b) for b in duration_bins)
    if not bins or bins[0] != 0 or any(b1 <= b0 for b0, b1 in itertools.pairwise(bins)):
        raise FlowConfigError(f"duration_bins_months must start at 0 and increase; got {duration_bins}")
    k, e, b = len(states.categories), len(states.exits), len(states.age_bands)
    sp = clean.spells
    band_cols = [
        pl.col("date_of_birth").dt.offset_by(f"{band.from_years}y").cast(pl.Int64).alias(f"_bd{i}")
        for i, band in enumerate(states.age_bands)
    ]
    arr = sp.select(
        _days("start_date").alias("s"),
        _days("end_date").alias("e"),
        _days("censor_date").alias("c"),
        _days("age18_date").alias("a18"),
        pl.col("category"),
        pl.col("to"),
        pl.col("is_entry"),
        pl.col("provider").is_in(list(EXTERNAL_PROVIDERS)).fill_null(False).alias("ext"),
        *band_cols,
    )
    s = arr["s"].to_numpy().astype(np.float64)
    to = arr["to"].to_numpy()
    end_d = arr["e"].to_numpy(allow_copy=True).astype(np.float64)  # nan where censored
    censor = arr["c"].to_numpy().astype(np.float64)
    a18 = arr["a18"].to_numpy().astype(np.float64)
    cat = arr["category"].to_numpy()
    ext = arr["ext"].to_numpy()
    bd = np.column_stack([arr[f"_bd{i}"].to_numpy().astype(np.float64) for i in range(b)] + [a18])
    w0 = float((start - date(1970, 1, 1)).days)
    w1 = float((end - date(1970, 1, 1)).days) + 1.0  # window is [w0, w1) in days
    stop = np.where(to >= 0, end_d, censor)
    stop = np.minimum(stop, a18)
    lo = np.maximum(s, w0)
    hi = np.minimum(stop, w1)
    age_out = k + states.exit_names.index(states.age_out_exit)
    deterministic = (to == age_out) & (end_d >= a18 - 7)  # leaving at 18 is a birthday, not a hazard
    is_event = (to >= 0) & ~deterministic & (end_d > w0) & (end_d <= w1) & np.isfinite(end_d)
    d = len(bins)
    edges = np.array([*bins, np.inf]) * MONTH_DAYS
    exposure = np.zeros((b, k, d))
    ext_time = np.zeros(k)
    tot_time = np.zeros(k)
    live = hi > lo
    for j in range(b):
        sj = np.maximum(lo, bd[:, j])
        ej = np.minimum(hi, bd[:, j + 1])
        ok = live & (ej > sj)
        if not ok.any():
            continue
        sj, ej, cj, st, xj = sj[ok], ej[ok], cat[ok], s[ok], ext[ok]
        for q in range(d):
            x = np.minimum(ej, st + edges[q + 1]) - np.maximum(sj, st + edges[q])
            x = np.maximum(x, 0.0)
            exposure[j, :, q] += np.bincount(cj, weights=x, minlength=k)
        span = ej - sj
        tot_time += np.bincount(cj, weights=span, minlength=k)
        ext_time += np.bincount(cj, weights=span * xj, minlength=k)
    exposure /= MONTH_DAYS
    events = np.zeros((b, k, d, k + e))
    if is_event.any():
        ev_end = end_d[is_event]
        ev_band = np.clip((ev_end[:, None] - 0.5 >= bd[is_event][:, 1:b]).sum(axis=1), 0, b - 1)
        ev_dur = (ev_end - s[is_event]) / MONTH_DAYS
        ev_bin = np.clip(np.searchsorted(np.asarray(bins), ev_dur, side="right") - 1, 0, d - 1)
        np.add.at(events, (ev_band, cat[is_event], ev_bin, to[is_event]), 1.0)
    entering = arr["is_entry"].to_numpy() & (s >= w0) & (s < w1)
    ent = sp.filter(pl.Series(entering)).select(
        pl.col("category"),
        (
            (pl.col("start_date").dt.year().cast(pl.Int64) - pl.col("date_of_birth").dt.year().cast(pl.Int64)) * 12
            + pl.col("start_date").dt.month().cast(pl.Int64) - pl.col("date_of_birth").dt.month().cast(pl.Int64)
            - (pl.col("start_date").dt.day() < pl.col("date_of_birth").dt.day()).cast(pl.Int64)
        ).clip(0, AGE_OUT_MONTHS - 1).alias("age"),
    )
    ages = ent["age"].to_numpy()
    band_of = states.band_of_months()
    entry_band = band_of[ages] if ages.size else np.zeros(0, dtype=np.int64)
    entries = np.zeros((b, k))
    np.add.at(entries, (entry_band, ent["category"].to_numpy()), 1.0)
    share = np.divide(ext_time, tot_time, out=np.zeros(k), where=tot_time > 0)
    return Tables(states, clean, start, end, bins, exposure, events, entries, ages, entry_band, share)


def _posterior(events: np.ndarray, exposure: np.ndarray, prior_months: float) -> tuple[np.ndarray, np.ndarray]:
    """Gamma posteriors of the rates: shape (B, K, K+E) and rate (B, K), so the rates are ``shape / rate``.

    ``events`` (B, K, K+E) and ``exposure`` (B, K). Each rate has a gamma prior centred on the category's rate
    pooled over age bands, worth ``prior_months`` of exposure (a category with none at all borrows from every
    category at that age). With Poisson counts over the exposure, the posterior is
    ``Gamma(events + prior_months × pooled, exposure + prior_months)``: its mean is the shrunk rate, and its
    spread is the estimation error the projections carry (a state seen for little time has uncertain rates).
    """
    cat_events = events.sum(axis=0)  # (K, K+E)
    cat_exposure = exposure.sum(axis=0)  # (K,)
    band_events = events.sum(axis=1)  # (B, K+E)
    band_exposure = exposure.sum(axis=1)  # (B,)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled_cat = cat_events / cat_exposure[:, None]
        pooled_band = band_events / band_exposure[:, None]
    pooled_band = np.nan_to_num(pooled_band)
    pooled = np.where(np.isfinite(pooled_cat)[None, :, :], pooled_cat[None, :, :], pooled_band[:, None, :])
    pooled = np.nan_to_num(pooled)
    k = events.shape[1]
    shape = events + prior_months * pooled
    idx = np.arange(k)
    shape[:, idx, idx] = 0.0  # no move to the same category (merged into one spell)
    return shape, exposure + prior_months


def _smooth(events: np.ndarray, exposure: np.ndarray, prior_months: float) -> np.ndarray:
    """Rates events / exposure, shrunk toward the category's rates pooled over age bands (the posterior mean).

    A state with little time in it borrows strength from the same placement category at other ages; a category
    with none at all from every category at that age.
    """
    shape, rate = _posterior(events, exposure, prior_months)
    return shape / rate[:, :, None]


# --------------------------------------------------------------------------------------------------------
# Estimators
# --------------------------------------------------------------------------------------------------------
class _TablesEstimator(Estimator):
    """An estimator whose ``fit`` prepares the exposure and event tables, then learns from them."""

    states: int | str | StateConfig
    reference_start: date | None
    reference_end: date | None
    reference_years: float

    def _prepare_options(self) -> dict[str, Any]:
        """Extra arguments of :func:`prepare` this estimator needs."""
        return {}

    def fit(self, data: CareData | CleanEpisodes | Tables) -> Self:
        """Learn from canonical episodes (or already prepared tables); returns ``self``."""
        tables = prepare(data, states=_states(self.states), reference_start=self.reference_start,
                         reference_end=self.reference_end, reference_years=self.reference_years,
                         **self._prepare_options())
        self._fit_tables(tables)
        return self

    def _fit_tables(self, tables: Tables) -> None:
        raise NotImplementedError


class TransitionRates(_TablesEstimator):
    """Monthly rates of moving between placement categories and of leaving care, by age band.

    Args:
        states: state space version or file (see :func:`careflow.flows.states.load_states`).
        reference_start: first day of the reference window (default: ``reference_years`` before its end).
        reference_end: last day of the reference window (default: the data's end).
        reference_years: length of the default window.
        prior_months: shrinkage toward the category's all-ages rates, as months of pseudo-exposure.

    Learned:
        rates_ (B, K, K+E) per month; exposure_months_ (B, K); events_ (B, K, K+E); posterior_shape_ (B, K, K+E)
        and posterior_rate_ (B, K): the gamma posterior of each rate (its mean is ``rates_``); issues_.
    """

    def __init__(
        self,
        *,
        states: int | str | StateConfig = 1,
        reference_start: date | None = None,
        reference_end: date | None = None,
        reference_years: float = 3.0,
        prior_months: float = 6.0,
    ) -> None:
        self.states = states
        self.reference_start = reference_start
        self.reference_end = reference_end
        self.reference_years = reference_years
        self.prior_months = prior_months

    def _fit_tables(self, tables: Tables) -> None:
        events = tables.events.sum(axis=2)
        exposure = tables.exposure.sum(axis=2)
        self.states_ = tables.states
        self.reference_start_, self.reference_end_ = tables.start, tables.end
        self.events_ = events
        self.exposure_months_ = exposure
        shape, rate = _posterior(events, exposure, self.prior_months)
        self.posterior_shape_ = shape
        self.posterior_rate_ = rate
        self.rates_ = shape / rate[:, :, None]
        issues = []
        for j, band in enumerate(tables.states.age_bands):
            for i, cat in enumerate(tables.states.categories):
                if exposure[j, i] == 0:
                    issues.append(Issue(
                        "empty-state", Severity.INFO,
                        f"no child was in state {band.name}:{cat.name} during the reference window "
                        f"{tables.start} to {tables.end}; its rates are borrowed from {cat.name} at other ages "
                        "(or from all placements at that age)", table="looked_after_episodes"))
        self.issues_ = issues

    def generator(self) -> np.ndarray:
        """The monthly intensity matrices, one per age band: (B, K+E, K+E), exits absorbing."""
        check_is_fitted(self)
        return generator(self.rates_)

    def sample_rates(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` draws of the rates from their gamma posteriors: (size, B, K, K+E), mean ``rates_``.

        The rates are independent given the exposure (each is a Poisson count over its own time at risk).
        """
        check_is_fitted(self)
        shape = np.broadcast_to(self.posterior_shape_, (size, *self.posterior_shape_.shape))
        return rng.gamma(shape) / self.posterior_rate_[None, :, :, None]


class CompetingRiskDurations(_TablesEstimator):
    """Cause-specific hazards by time in placement, piecewise constant, estimated with censoring.

    The hazard of leaving category k for destination j, in age band b, after ``t`` months in the placement is
    ``rate(b, k, j) × shape(k, bin(t)) × norm(b, k)``: a proportional-hazards shape over duration for each
    category (pooled over ages and destinations, shrunk toward flat), scaled so the exposure-weighted mean equals
    the Markov rate. Spells still open at the window's end contribute their exposure and no event.

    Args:
        duration_bins_months: left edges of the duration bins, from 0 (the last is open-ended).
        prior_months: shrinkage of the duration shape toward flat, as months of pseudo-exposure per bin.
        (and the window arguments of :class:`TransitionRates`)

    Learned:
        hazards_ (B, K, D, K+E) per month; shape_ (K, D); rates_ (B, K, K+E); multiplier_ (B, K, D): the
        duration shape scaled for each state, so ``hazards_ = rates_ × multiplier_`` (and a draw of the rates
        gives a draw of the hazards).
    """

    def __init__(
        self,
        *,
        states: int | str | StateConfig = 1,
        reference_start: date | None = None,
        reference_end: date | None = None,
        reference_years: float = 3.0,
        duration_bins_months: tuple[float, ...] = DEFAULT_DURATION_BINS,
        prior_months: float = 6.0,
    ) -> None:
        self.states = states
        self.reference_start = reference_start
        self.reference_end = reference_end
        self.reference_years = reference_years
        self.duration_bins_months = duration_bins_months
        self.prior_months = prior_months

    def _prepare_options(self) -> dict[str, Any]:
        return {"duration_bins": tuple(self.duration_bins_months)}

    def _fit_tables(self, tables: Tables) -> None:
        exposure = tables.exposure  # (B, K, D)
        events = tables.events  # (B, K, D, K+E)
        rates = _smooth(events.sum(axis=2), exposure.sum(axis=2), self.prior_months)
        k_exp = exposure.sum(axis=0)  # (K, D)
        k_ev = events.sum(axis=(0, 3))  # (K, D)
        overall = np.divide(k_ev.sum(1), k_exp.sum(1), out=np.zeros(k_ev.shape[0]), where=k_exp.sum(1) > 0)
        # shape = (events + m·overall) / (exposure + m) / overall, shrunk toward 1
        with np.errstate(divide="ignore", invalid="ignore"):
            shape = (k_ev + self.prior_months * overall[:, None]) / (k_exp + self.prior_months) / overall[:, None]
        shape = np.where(np.isfinite(shape) & (shape > 0), shape, 1.0)
        weighted = (exposure * shape[None, :, :]).sum(axis=2)  # (B, K)
        total = exposure.sum(axis=2)
        norm = np.divide(total, weighted, out=np.ones_like(total), where=weighted > 0)
        self.states_ = tables.states
        self.reference_start_, self.reference_end_ = tables.start, tables.end
        self.duration_bins_ = np.asarray(tables.duration_bins)
        self.shape_ = shape
        self.rates_ = rates
        self.multiplier_ = shape[None, :, :] * norm[:, :, None]
        self.hazards_ = rates[:, :, None, :] * self.multiplier_[:, :, :, None]
        self.exposure_months_ = exposure
        self.events_ = events


class EntryRates(_TablesEstimator):
    """Entries into care per month by age band and first placement category, and the ages of entrants.

    Args:
        entries: ``"counts"`` (entries per month, as LA models do today) or ``"rates"`` (per 10,000 children aged
            0–17, times ``population``, so demographic change feeds demand).
        population: the 0–17 series (a :class:`PopulationSeries`, or an area name in the packaged ONS series)
            — required for ``"rates"``.
        entry_drift_sd: how far the yearly entry level wanders (SD of log change per year); ``None`` reads the
            dated parameter ``data/parameters/entry_drift.yaml``.
        (and the window arguments of :class:`TransitionRates`)

    Learned:
        rates_ (B, K): entries per month (counts) or per 10,000 children per month (rates); age_pmf_ (216,):
        the share of entrants at each age in completed months, within their band; level_variance_: the relative
        variance of the estimated level; drift_variance_per_month_; counts_ (B, K) and age_counts_ (216,): the
        entries the estimates rest on (for their estimation error, see ``sample_mix`` and ``sample_age_pmf``).
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
        entry_drift_sd: float | None = None,
    ) -> None:
        self.states = states
        self.reference_start = reference_start
        self.reference_end = reference_end
        self.reference_years = reference_years
        self.entries = entries
        self.population = population
        self.entry_drift_sd = entry_drift_sd

    def _fit_tables(self, tables: Tables) -> None:
        if self.entries not in ("counts", "rates"):
            raise FlowConfigError(f"entries must be 'counts' or 'rates', not {self.entries!r}")
        months = tables.months
        population = _population(self.population) if self.population is not None else None
        if self.entries == "rates":
            if population is None:
                raise FlowConfigError(
                    "entries='rates' needs a population series: pass population= an area name in the packaged ONS "
                    "0-17 series (e.g. 'England', 'Hartlepool') or a PopulationSeries")
            grid = month_ends(tables.start, round(months))
            per10k = population.on(_decimal_years(grid)) / 10_000
            self.rates_ = tables.entries / per10k.sum()
        else:
            self.rates_ = tables.entries / months
        self.population_ = population
        states = tables.states
        band_of = states.band_of_months()
        counts = np.bincount(tables.entry_ages, minlength=AGE_OUT_MONTHS).astype(float)
        self.counts_ = tables.entries.copy()
        self.age_counts_ = counts
        pmf = counts + 0.5  # a little mass at every age: entrants can be any age in their band
        for j in range(len(states.age_bands)):
            inside = band_of == j
            pmf[inside] /= pmf[inside].sum()
        self.age_pmf_ = pmf
        n = float(tables.entries.sum())
        self.entries_observed_ = n
        self.level_variance_ = 1.0 / max(n, 1.0)
        sd = self.entry_drift_sd if self.entry_drift_sd is not None else _parameter("entry_drift", tables.end)
        self.drift_variance_per_month_ = float(sd) ** 2 / 12.0
        self.states_ = states
        self.reference_start_, self.reference_end_ = tables.start, tables.end

    def sample_mix(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` draws of the entry mix over (age band, first category), as multipliers of ``rates_``.

        The shares of entrants in each cell have a Dirichlet posterior (the counts); the total is left alone,
        since its error is ``level_variance_``. Each draw's multipliers average to 1 over draws; a cell with no
        entrant keeps none. Returns (size, B, K).
        """
        check_is_fitted(self)
        n = self.counts_
        total = float(n.sum())
        if total <= 0:
            return np.ones((size, *n.shape))
        g = rng.gamma(np.broadcast_to(n, (size, *n.shape)))
        share = g / g.sum(axis=(1, 2), keepdims=True)
        return np.divide(share * total, n, out=np.zeros_like(share), where=n > 0)

    def sample_age_pmf(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` draws of the ages of entrants within their band (Dirichlet posterior): (size, 216)."""
        check_is_fitted(self)
        band_of = self.states_.band_of_months()
        g = rng.gamma(np.broadcast_to(self.age_counts_ + 0.5, (size, AGE_OUT_MONTHS)))
        for j in range(len(self.states_.age_bands)):
            inside = band_of == j
            g[:, inside] /= g[:, inside].sum(axis=1, keepdims=True)
        return g

    def expected(self, when: list[date]) -> np.ndarray:
        """Expected entries in each month ending on the given dates: (T, B, K)."""
        check_is_fitted(self)
        if self.entries == "rates" and self.population_ is not None:
            per10k = self.population_.on(_decimal_years(when)) / 10_000
            return self.rates_[None, :, :] * per10k[:, None, None]
        return np.repeat(self.rates_[None, :, :], len(when), axis=0)


# --------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------
def _states(states: int | str | StateConfig) -> StateConfig:
    return states if isinstance(states, StateConfig) else load_states(states)


def _population(population: PopulationSeries | str) -> PopulationSeries:
    return population if isinstance(population, PopulationSeries) else load_population(population)


def _parameter(name: str, when: date) -> float:
    """The flows parameter ``name`` on ``when`` (its first value before its first date)."""
    from careflow.flows.costs import flow_parameter

    p = flow_parameter(name)
    return float(p.value_at(when, default=p.first_value))


def _decimal_years(when: list[date]) -> np.ndarray:
    return np.array([d.year + (d.timetuple().tm_yday - 1) / 365.25 for d in when])


def month_ends(start: date, months: int) -> list[date]:
    """The ends of the ``months`` calendar months after ``start`` (a month end, e.g. 31 March)."""
    out = []
    y, m = start.year, start.month
    for _ in range(months):
        m += 1
        if m > 12:
            y, m = y + 1, 1
        out.append(_last_day(y, m))
    return out


def _last_day(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def generator(rates: np.ndarray) -> np.ndarray:
    """Intensity matrices (B, K+E, K+E) from rates (B, K, K+E): exits absorbing, rows summing to 0."""
    b, k, n = rates.shape
    q = np.zeros((b, n, n))
    q[:, :k, :] = rates
    idx = np.arange(k)
    q[:, idx, idx] = -rates.sum(axis=2)
    return q


def stock_at(clean: CleanEpisodes, when: date, states: StateConfig) -> pl.DataFrame:
    """Children in care at the end of ``when``: age (completed months), category, months in the spell, provider.

    No child identifiers: the stock is a population, not a list of children.
    """
    sp = clean.spells
    t = pl.lit(when)
    ongoing = (pl.col("start_date") <= t) & (
        pl.when(pl.col("to") >= 0).then(pl.col("end_date") > t).otherwise(pl.col("censor_date") >= t)
    ) & (pl.col("age18_date") > t)
    return sp.filter(ongoing).select(
        (
            (when.year - pl.col("date_of_birth").dt.year().cast(pl.Int64)) * 12
            + (when.month - pl.col("date_of_birth").dt.month().cast(pl.Int64))
            - (when.day < pl.col("date_of_birth").dt.day()).cast(pl.Int64)
        ).clip(0, AGE_OUT_MONTHS - 1).alias("age_months"),
        ((when - date(1970, 1, 1)).days - pl.col("start_date").cast(pl.Int64)).truediv(MONTH_DAYS)
        .alias("duration_months"),
        pl.col("category"),
        pl.col("provider"),
        ((when - date(1970, 1, 1)).days - pl.col("date_of_birth").cast(pl.Int64)).truediv(MONTH_DAYS)
        .alias("exact_age_months"),
    )


def observed_stock(clean: CleanEpisodes, dates: list[date], states: StateConfig) -> pl.DataFrame:
    """What happened: children in care at the end of each date, by category and age band (long format).

    The same children as :func:`stock_at` on each date, counted for all the dates at once (one pass over the
    spells instead of a query per date).
    """
    if not dates:
        return pl.DataFrame()
    k, b = len(states.categories), len(states.age_bands)
    band_of = states.band_of_months()
    never, always = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    sp = clean.spells.select(
        pl.col("start_date").cast(pl.Int64).fill_null(never).alias("s"),
        pl.col("end_date").cast(pl.Int64).fill_null(always).alias("e"),
        pl.col("censor_date").cast(pl.Int64).fill_null(always).alias("c"),
        pl.col("age18_date").cast(pl.Int64).fill_null(always).alias("a18"),
        (pl.col("to") >= 0).fill_null(False).alias("ended"),
        pl.col("category"),
        pl.col("date_of_birth").dt.year().cast(pl.Int64).alias("by"),
        pl.col("date_of_birth").dt.month().cast(pl.Int64).alias("bm"),
        pl.col("date_of_birth").dt.day().cast(pl.Int64).alias("bd"),
    )
    s, e, c, a18 = (sp[name].to_numpy()[:, None] for name in ("s", "e", "c", "a18"))
    ended = sp["ended"].to_numpy()[:, None]
    epoch = date(1970, 1, 1)
    t = np.array([(when - epoch).days for when in dates], dtype=np.int64)[None, :]
    ongoing = (s <= t) & np.where(ended, e > t, c >= t) & (a18 > t)  # (spells, dates)
    rows, cols = np.nonzero(ongoing)  # each child in care on each date
    year, month, day = (np.array([getattr(d, part) for d in dates])[cols] for part in ("year", "month", "day"))
    by, bm, bd = (sp[name].to_numpy()[rows] for name in ("by", "bm", "bd"))
    age = np.clip((year - by) * 12 + (month - bm) - (day < bd), 0, AGE_OUT_MONTHS - 1)  # completed months
    cats = np.zeros((len(dates), k), dtype=np.int64)
    np.add.at(cats, (cols, sp["category"].to_numpy()[rows]), 1)
    bands = np.zeros((len(dates), b), dtype=np.int64)
    np.add.at(bands, (cols, band_of[age]), 1)
    per_date = k + b + 1
    return pl.DataFrame({
        "date": [when for when in dates for _ in range(per_date)],
        "breakdown": (["category"] * k + ["age_band"] * b + ["total"]) * len(dates),
        "group": [*states.category_names, *states.band_names, "all"] * len(dates),
        "observed": np.concatenate([cats, bands, cats.sum(axis=1, keepdims=True)], axis=1).ravel().tolist(),
    })
