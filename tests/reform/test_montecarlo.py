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
    assert prob[0] == 0 and 0 < prob[-1] < 1  # the Review's package may or may not break even by 2032-33
    assert np.all(np.diff(prob) >= -0.05)  # nearly monotone
    lo, mid, hi = s["cla_reduction_2032_33"]  # type: ignore[misc]
    assert lo < mid < hi


def test_tornado_ranks_parameters() -> None:
    bars = tornado(top=10)
    assert len(bars) == 10
    swings = [b.swing for b in bars]
    assert swings == sorted(swings, reverse=True)
    assert any(b.parameter in {"family_help.entry_reduction", "scale_down.family_help"} for b in bars)
    cla = tornado(outcome="cla_reduction_2032_33", top=5)
    assert cla[0].central > 25_000
    assert cla[0].parameter in {"scale_down.family_help", "family_help.entry_reduction", "flows.prior_cin_share"}


def test_levers_sharing_a_mechanism_are_drawn_correlated() -> None:
    from careflow.reform import review_package
    from careflow.reform.model import sample_multipliers

    m = sample_multipliers(review_package(), 4000, np.random.default_rng(0))
    shared = np.corrcoef(m["family_help.entry_reduction"], m["family_network_plans.proceedings_reduction"])[0, 1]
    assert shared > 0.4  # both whole-family / kin effects (uncertainty.shared: family_and_kin_effects)
    apart = np.corrcoef(m["family_help.entry_reduction"], m["family_help.cost_per_family"])[0, 1]
    assert abs(apart) < 0.1
