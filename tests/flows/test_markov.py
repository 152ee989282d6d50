"""Markov projection: stock accounting holds month by month; bands are ordered and widen."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from careflow.flows.markov import one_month_kernels


def test_stock_identity(toy_model):
    """stock(t) = stock(t-1) + entries(t) - exits(t), in expectation."""
    p = toy_model.predict(12)
    total = p.stock("total")["mean"].to_numpy()
    start = toy_model.stock_.height
    flows = p.flows.group_by("date", "flow").agg(pl.col("mean").sum()).sort("date")
    ins = flows.filter(pl.col("flow") == "entry")["mean"].to_numpy()
    outs = flows.filter(pl.col("flow") == "exit")["mean"].to_numpy()
    expected = start + np.cumsum(ins - outs)
    np.testing.assert_allclose(total, expected, rtol=1e-9)


def test_bands_ordered_and_widening(toy_model):
    s = toy_model.predict(24).stock("total")
    for lo, hi in (("p2_5", "p10"), ("p10", "p50"), ("p50", "p90"), ("p90", "p97_5")):
        assert (s[lo] <= s[hi] + 1e-9).all()
    sd = s["sd"].to_numpy()
    assert sd[-1] > sd[0]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 0.5), min_size=9, max_size=9), st.floats(0.2, 2.0))
def test_kernels_are_stochastic(values, months):
    rates = np.array(values).reshape(1, 3, 3)  # 2 categories + 1 exit... as (B=1, K=3, K+E=3): no exits
    rates = np.concatenate([rates, np.full((1, 3, 1), 0.1)], axis=2)
    rates[0, np.arange(3), np.arange(3)] = 0
    p, avg = one_month_kernels(rates, months)
    np.testing.assert_allclose(p.sum(axis=2), 1.0, atol=1e-9)
    np.testing.assert_allclose(avg.sum(axis=2), 1.0, atol=1e-9)
    assert (p >= 0).all() and (avg >= 0).all()


@settings(max_examples=25, deadline=None)
@given(st.floats(0.001, 3.0), st.floats(0.2, 3.0), st.integers(0, 2**32 - 1))
def test_kernels_equal_the_van_loan_exponential_of_the_whole_generator(scale, months, seed):
    """The K x K block computation equals expm([[Q, I], [0, 0]]) of the (K+E) generator, exits included."""
    from careflow.flows.estimators import generator
    from careflow.flows.markov import expm_batch

    rng = np.random.default_rng(seed)
    rates = rng.gamma(0.5, scale / 5, size=(4, 5, 9, 15))
    rates[..., np.arange(9), np.arange(9)] = 0.0
    flat = rates.reshape(-1, 9, 15)
    n = 15
    big = np.zeros((flat.shape[0], 2 * n, 2 * n))
    big[:, :n, :n] = generator(flat) * months
    big[:, :n, n:] = np.eye(n)
    e = expm_batch(big)
    p, avg = one_month_kernels(rates, months)
    np.testing.assert_allclose(p, np.clip(e[:, :9, :n], 0, None).reshape(p.shape), atol=1e-12)
    np.testing.assert_allclose(avg, np.clip(e[:, :9, n:], 0, None).reshape(avg.shape), atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.001, 3.0), st.lists(st.floats(0.2, 3.0), min_size=1, max_size=4, unique=True),
       st.integers(0, 2**32 - 1))
def test_in_care_kernels_equal_one_month_kernels_for_every_length(scale, lengths, seed):
    """The draws' kernels, all month lengths from one set of Taylor powers, equal the in-care columns of
    one_month_kernels for each length on its own (to round-off)."""
    from careflow.flows.markov import in_care_kernels

    rng = np.random.default_rng(seed)
    rates = rng.gamma(0.5, scale / 5, size=(4, 5, 9, 15))
    rates[..., np.arange(9), np.arange(9)] = 0.0
    together = in_care_kernels(rates, lengths)
    assert len(together) == len(lengths)
    for months, (p_in, avg_in) in zip(lengths, together, strict=True):
        p, avg = one_month_kernels(rates, months)
        assert p_in.shape == avg_in.shape == (4, 5, 9, 9) and p_in.flags.c_contiguous
        np.testing.assert_allclose(p_in, p[..., :9], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(avg_in, avg[..., :9], rtol=1e-12, atol=1e-13)
