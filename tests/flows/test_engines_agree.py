"""The two engines agree in expectation, and the microsimulation's spread matches the analytic variance.

With hazards that do not depend on time in placement (``durations=False``) the microsimulation is the Markov
model's process run child by child, so the mean of many runs must equal the analytic mean within Monte Carlo
error; its variance must match the analytic variance too — with the parameters' estimation error (each run draws
its own; the Markov engine adds the spread of its mean over draws) and without it.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from careflow.flows import FlowModel

RUNS = 800


@pytest.mark.parametrize("estimation_error", [True, False], ids=["with-estimation-error", "known-parameters"])
def test_engines_agree_in_expectation(toy, estimation_error):
    model = FlowModel(reference_years=3, duration_bins_months=(0.0,)).fit(toy)
    markov = model.predict(18, parameter_draws=400 if estimation_error else 0)
    micro = model.simulate(18, runs=RUNS, seed=11, durations=False, parameter_uncertainty=estimation_error)
    keys = ["date", "breakdown", "group"]
    j = markov.summary.select(*keys, "mean", "sd").join(
        micro.summary.select(*keys, pl.col("mean").alias("sim"), pl.col("sd").alias("sim_sd")), on=keys
    ).filter(pl.col("sd") > 0)
    se = j["sd"].to_numpy() / np.sqrt(RUNS)
    diff = np.abs(j["sim"].to_numpy() - j["mean"].to_numpy())
    # 4.5 standard errors (many outputs are tested) plus 0.5% for month-level discretisation of birthdays
    assert np.all(diff <= 4.5 * se + 0.005 * j["mean"].to_numpy()), j.filter(pl.Series(diff > 4.5 * se))
    ratio = j["sim_sd"].to_numpy() / j["sd"].to_numpy()
    assert 0.9 < np.median(ratio) < 1.1
    assert np.all((ratio > 0.75) & (ratio < 1.3))


def test_microsim_reproducible(toy_model):
    a = toy_model.simulate(6, runs=20, seed=3)
    b = toy_model.simulate(6, runs=20, seed=3)
    assert a.summary.equals(b.summary)
    c = toy_model.simulate(6, runs=20, rng=np.random.default_rng(4))
    assert not a.summary.equals(c.summary)


def test_microsim_progress_counts_child_months(toy_model):
    seen: list[tuple[int, int]] = []
    toy_model.simulate(12, runs=10, seed=1, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 3
    done = [d for d, _ in seen]
    totals = {t for _, t in seen}
    assert len(totals) == 1 and done == sorted(done) and done[-1] == totals.pop()
    assert done[0] < done[-1] / 2  # it moves as the runs advance, not only at the end
