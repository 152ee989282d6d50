"""Monte Carlo bands, break-even probabilities and the tornado."""

from __future__ import annotations

import numpy as np

from careflow.reform import monte_carlo_summary, run, tornado


def test_seeded_runs_repeat_and_rng_is_honoured() -> None:
    a = run(draws=200, seed=7)
    b = run(draws=200, seed=7)
    c = run(draws=200, rng=np.random.default_rng(7))
    assert np.array_equal(a.total, b.total) and np.array_equal(a.total, c.total)
    assert not np.array_equal(a.total, run(draws=200, seed=8).total)


def test_bands_and_probabilities() -> None:
    r = run(draws=2000, seed=1)
    s = monte_carlo_summary(r)
    p05, p50, p95 = (np.array(s[k]) for k in ("total_p05", "total_p50", "total_p95"))
    assert (p05 <= p50).all() and (p50 <= p95).all()
    assert (p95 - p05)[-1] > 100  # real uncertainty in 2032-33
    prob = np.array(s["probability_break_even"])
    assert prob[0] == 0 and prob[-1] > 0.8
    assert np.all(np.diff(prob) >= -0.05)  # nearly monotone
    lo, mid, hi = s["cla_reduction_2032_33"]  # type: ignore[misc]
    assert lo < mid < hi


def test_tornado_ranks_parameters() -> None:
    bars = tornado(top=10)
    assert len(bars) == 10
    swings = [b.swing for b in bars]
    assert swings == sorted(swings, reverse=True)
    assert any(b.parameter == "family_help.entries_avoided" for b in bars)
    cla = tornado(outcome="cla_reduction_2032_33", top=5)
    assert cla[0].central > 25_000
