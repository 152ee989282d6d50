"""Estimation error of the rates is in the bands: posterior draws centre on the estimates, bands widen by it (more
with less data), scenario differences carry it, and on a toy LA whose model is right the bands cover honestly."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from scipy.linalg import expm
from toy import toy_la

from careflow.flows import FlowModel, Scenario
from careflow.flows.backtest import score, truncate
from careflow.flows.clean import clean_episodes
from careflow.flows.estimators import observed_stock
from careflow.flows.markov import compare, expm_batch
from careflow.flows.states import load_states


def test_draws_centre_on_the_estimates(toy_model):
    rng = np.random.default_rng(0)
    draws = toy_model.sample_parameters(4000, rng)
    rates = toy_model.rates_
    shape = toy_model.transitions_.posterior_shape_
    seen = shape > 0
    # Within 5 Monte Carlo standard errors (a gamma's sd is its mean / sqrt(shape)).
    se = rates[seen] / np.sqrt(shape[seen] * 4000)
    assert np.all(np.abs(draws.rates.mean(axis=0)[seen] - rates[seen]) < 5 * se)
    # The spread of a rate is about rate / sqrt(events): a Poisson count over its exposure.
    many = shape > 30
    cv = draws.rates.std(axis=0)[many] / rates[many]
    np.testing.assert_allclose(cv, 1 / np.sqrt(shape[many]), rtol=0.1)
    counts = toy_model.entries_.counts_
    np.testing.assert_allclose(draws.entry_mix.mean(axis=0)[counts > 20], 1.0, atol=0.03)
    assert np.all(draws.entry_mix[:, counts == 0] == 0)
    band_of = toy_model.states_.band_of_months()
    for j in range(len(toy_model.states_.age_bands)):
        np.testing.assert_allclose(draws.age_pmf[:, band_of == j].sum(axis=1), 1.0)


def test_estimation_error_widens_bands_more_with_less_data(toy):
    def parameter_share(years: float) -> np.ndarray:
        model = FlowModel(reference_years=years).fit(toy)
        known = model.predict(24, parameter_draws=0).stock("category")["sd"].to_numpy()
        full = model.predict(24).stock("category")["sd"].to_numpy()
        assert np.all(full >= known - 1e-9)
        ok = full > 0
        return 1 - (known[ok] / full[ok]) ** 2  # the share of the variance from estimation error

    one, three = parameter_share(1.0), parameter_share(3.0)
    assert np.median(one) > np.median(three) > 0


def test_estimation_error_grows_with_horizon(toy_model):
    known = toy_model.predict(36, parameter_draws=0).stock("total")["sd"].to_numpy()
    full = toy_model.predict(36).stock("total")["sd"].to_numpy()
    extra = full**2 - known**2
    assert extra[-1] > extra[11] > extra[0] >= 0


def test_projection_repeatable_and_seeded(toy_model):
    a = toy_model.predict(12)
    assert a.summary.equals(toy_model.predict(12).summary)
    b = toy_model.predict(12, seed=5)
    assert not a.summary.equals(b.summary)
    assert a.summary["mean"].equals(b.summary["mean"])  # the draws move the bands, never the mean
    with pytest.raises(ValueError, match="parameter_draws must be 0"):
        toy_model.predict(12, parameter_draws=1)


def test_scenario_difference_carries_estimation_error(toy_model):
    change = Scenario.from_dict({"name": "more_sgo", "changes": [
        {"kind": "exits", "exit": "special_guardianship", "multiply": 1.5, "from": date(2022, 6, 1)}]})

    def diff_sd(draws: int) -> float:
        base = toy_model.predict(24, parameter_draws=draws)
        other = toy_model.predict(24, scenario=change, parameter_draws=draws)
        return float(compare(base, other).filter(pl.col("breakdown") == "total")["sd"][-1])

    assert diff_sd(200) > 1.03 * diff_sd(0)


def test_expm_batch_matches_scipy():
    rng = np.random.default_rng(1)
    # Intensity matrices (rows sum to 0), from slow to fast movers, as the engines use them.
    q = rng.gamma(0.5, 1.0, size=(50, 8, 8)) * rng.uniform(0.001, 3, size=(50, 1, 1))
    q[:, np.arange(8), np.arange(8)] = 0
    q[:, np.arange(8), np.arange(8)] = -q.sum(axis=2)
    got = expm_batch(q)
    np.testing.assert_allclose(got, np.stack([expm(m) for m in q]), atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=2), 1.0, atol=1e-12)
    d = np.diag([0.5, -2.0, 3.0])
    np.testing.assert_allclose(expm_batch(d[None])[0], np.diag(np.exp([0.5, -2.0, 3.0])), rtol=1e-12)


@pytest.mark.slow
def test_toy_bands_cover_honestly():
    """On toy LAs that follow the model (constant hazards), 12-month back-tests: the bands by placement category
    cover about 80% and 95% of what happened (estimation error included), across 12 seeds."""
    states = load_states()
    cutoff = date(2021, 3, 31)
    found = []
    for seed in range(12):
        data = toy_la(seed=200 + seed, entries_per_month=15)
        full = clean_episodes(data, states)
        model = FlowModel(reference_years=2, reference_end=cutoff, data_end=cutoff).fit(truncate(data, cutoff))
        projection = model.predict(12)
        observed = observed_stock(full, [d for d in projection.dates if d <= full.data_end], states)
        found.append(score(projection, observed)[1].filter(pl.col("breakdown") == "category", pl.col("observed") > 0))
    detail = pl.concat(found)
    assert 0.72 <= detail["in_80"].mean() <= 0.9
    assert 0.9 <= detail["in_95"].mean() <= 0.99
