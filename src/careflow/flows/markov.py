"""The Markov projection: expected stock, flows and spend by month, with analytic variance.

Children in care are tracked by age in completed months (0–215) × placement category, so birthdays move them
between age bands exactly and they leave at 18 on time. Each month every child moves independently by the
one-month transition matrix ``expm(Q_band)`` of the fitted rates; entrants arrive as a Poisson process whose
level is uncertain (estimated with error, and wandering from year to year: a mixed Poisson).

The variance of any linear output ``A n_t`` (stock by category, by age band, total, weekly cost) is exact under
those assumptions, summed from three independent parts:

* children in care at the start: a sum of independent multinomials, ``Σ_x n_x (A diag(π_x) Aᵀ − A π_x π_xᵀ Aᵀ)``;
* entrants, given their level: Poisson thinning keeps them Poisson, ``A diag(m_entries) Aᵀ``;
* the entry level ``(1 + ε_s)`` shared by all entrants of month s, with ``Cov(ε_s, ε_s') = σ₀² + τ² (min(s, s') + 1)``
  (σ₀² the estimation error of the level and the drift since the window's middle, τ² the monthly drift).

Transition-rate estimation error is not included (the microsimulation can add it); bands are gamma quantiles
matched to the mean and variance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from scipy.linalg import expm

from careflow.flows.costs import UnitCosts, load_unit_costs
from careflow.flows.estimators import MONTH_DAYS, generator, month_ends
from careflow.flows.projection import Projection, gamma_bands, summary_frame
from careflow.flows.scenarios import CompiledScenario, Scenario, compile_scenario
from careflow.flows.states import AGE_OUT_MONTHS

if TYPE_CHECKING:
    from careflow.flows.estimators import FlowModel

__all__ = ["compare", "one_month_kernels", "project"]


def one_month_kernels(rates: np.ndarray, months: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """For rates (B, K, K+E) per month: the transition rows over ``months`` of children in care (B, K, K+E), and
    the average over the step of ``expm(Q s)`` (B, K, K+E) — where an entrant arriving at a uniform moment in the
    step is at its end."""
    q = generator(rates)
    b, n, _ = q.shape
    k = rates.shape[1]
    p = np.empty((b, k, n))
    avg = np.empty((b, k, n))
    for i in range(b):
        # Van Loan: expm([[Q, I], [0, 0]]) holds ∫₀¹ expm(Q s) ds in its top-right block.
        big = np.zeros((2 * n, 2 * n))
        big[:n, :n] = q[i] * months
        big[:n, n:] = np.eye(n)
        e = expm(big)
        p[i] = e[:k, :n]
        avg[i] = e[:k, n:]  # (1/months)∫₀^months expm(Q s) ds
    return np.clip(p, 0, None), np.clip(avg, 0, None)


def project(
    model: FlowModel,
    horizon_months: int = 24,
    *,
    scenario: Scenario | None = None,
    unit_costs: UnitCosts | None = None,
    inflation: float | None = None,
) -> Projection:
    """Project the fitted model ``horizon_months`` ahead from the end of its reference window.

    Args:
        model: a fitted :class:`~careflow.flows.FlowModel`.
        horizon_months: months to project (each step ends on a calendar month end).
        scenario: changes from dates (see :mod:`careflow.flows.scenarios`); ``None`` for the baseline.
        unit_costs: weekly unit costs (default: the packaged, sourced ones).
        inflation: yearly unit-cost growth (default: the dated parameter; 0 keeps source prices).

    Returns:
        A :class:`Projection` with mean, sd and 80%/95% bands of stock by category, age band, total and weekly
        cost, and expected entries and exits per month.
    """
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be at least 1, not {horizon_months}")
    st = model.states_
    k, e, b = len(st.categories), len(st.exits), len(st.age_bands)
    a_n = AGE_OUT_MONTHS
    band_of = st.band_of_months()
    start = model.start_date_
    dates = month_ends(start, horizon_months)
    t_n = len(dates)
    # Calendar months differ in length: each step's hazards and entries run for its own length.
    lengths = np.diff([0, *((d - start).days for d in dates)]) / MONTH_DAYS
    comp = compile_scenario(scenario, st, dates, start)
    costs = unit_costs or load_unit_costs(states=st, inflation=inflation)
    weights = costs.weekly(st, dates, model.provider_external_share_) * comp.cost  # (T, K)

    # Entrants expected each month by age in months × category.
    lam = model.entries_.expected(dates)  # (T, B, K)
    pmf = model.entries_.age_pmf_  # (A,)
    entrants = lam[:, band_of, :] * pmf[None, :, None] * comp.entry * lengths[:, None, None]  # (T, A, K)

    # Initial stock.
    stock = model.stock_
    n0 = np.zeros((a_n, k))
    np.add.at(n0, (stock["age_months"].to_numpy(), stock["category"].to_numpy()), 1.0)
    xa, xk = np.nonzero(n0)
    nx = n0[xa, xk]
    v = np.zeros((len(xa), k))
    v[np.arange(len(xa)), xk] = 1.0
    age_x = xa.copy()

    # Aggregator over the full state (age, category) → outputs: K categories, B bands, total, cost.
    o_n = k + b + 2
    agg = np.zeros((o_n, a_n, k))
    agg[np.arange(k), :, np.arange(k)] = 1.0
    for j in range(b):
        agg[k + j, band_of == j, :] = 1.0
    agg[k + b] = 1.0

    ent = model.entries_
    window = model.tables_.months
    level_var = ent.level_variance_ + ent.drift_variance_per_month_ * window / 3.0
    drift_var = ent.drift_variance_per_month_

    kernel_cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    x = n0.copy()
    cohorts = np.zeros((t_n, a_n, k))
    means = np.zeros((t_n, o_n))
    variances = np.zeros((t_n, o_n))
    cohort_out = np.zeros((t_n, t_n, o_n))
    entries_out = np.zeros((t_n, k))
    exits_out = np.zeros((t_n, e))
    age_out = st.exit_names.index(st.age_out_exit)
    for t in range(t_n):
        p_b, avg_b = _kernels(model.transitions_.rates_, comp, t, float(lengths[t]), kernel_cache)
        for step, src, dst, share in comp.moves:
            if step == t:
                move = np.eye(k)
                move[src, src] = 1 - share
                move[src, dst] += share
                p_b = np.einsum("ij,bjl->bil", move, p_b)
        p_a = p_b[band_of]  # (A, K, K+E)
        avg_a = avg_b[band_of]
        agg[k + b + 1] = weights[t][None, :]

        y = np.einsum("ak,akl->al", x, p_a)
        exits_out[t] += y[:, k:].sum(axis=0)
        exits_out[t, age_out] += y[-1, :k].sum()
        x = np.zeros_like(x)
        x[1:] = y[:-1, :k]
        if t:
            yc = np.einsum("sak,akl->sal", cohorts[:t], p_a)
            exits_out[t] += yc[:, :, k:].sum(axis=(0, 1))
            exits_out[t, age_out] += yc[:, -1, :k].sum()
            cohorts[:t] = 0.0
            cohorts[:t, 1:] = yc[:, :-1, :k]
        z = np.einsum("ak,akl->al", entrants[t], avg_a)
        cohorts[t] = z[:, :k]
        exits_out[t] += z[:, k:].sum(axis=0)
        entries_out[t] = entrants[t].sum(axis=0)

        if len(v):
            v = np.einsum("xk,xkl->xl", v, p_a[age_x])[:, :k]
            age_x = age_x + 1
            gone = age_x >= a_n
            v[gone] = 0.0
            age_x = np.minimum(age_x, a_n - 1)

        full = x + cohorts[: t + 1].sum(axis=0)
        flat = agg.reshape(o_n, -1)
        means[t] = flat @ full.ravel()
        cov = (flat * full.ravel()[None, :]) @ flat.T
        if len(v):
            g = np.einsum("oxk,xk->xo", agg[:, age_x, :], v)
            cov -= g.T @ (nx[:, None] * g)
        c = np.einsum("oak,sak->so", agg, cohorts[: t + 1])  # (t+1, O)
        cohort_out[t, : t + 1] = c
        total_c = c.sum(axis=0)
        cov += level_var * np.outer(total_c, total_c)
        suffix = np.cumsum(c[::-1], axis=0)[::-1]  # R_j = Σ_{s ≥ j} c_s
        cov += drift_var * suffix.T @ suffix
        variances[t] = np.clip(np.diag(cov), 0.0, None)

    summary = summary_frame(dates, st, means, variances)
    flows = _flows_frame(dates, st, entries_out, exits_out)
    return Projection(
        engine="markov",
        scenario=comp.name,
        start_date=start,
        dates=dates,
        states=st,
        summary=summary,
        flows=flows,
        issues=list(model.issues_),
        internals={"means": means, "variances": variances, "cohort_out": cohort_out, "level_var": level_var,
                   "drift_var": drift_var, "weights": weights},
    )


def _kernels(
    rates: np.ndarray, comp: CompiledScenario, t: int, months: float,
    cache: dict[bytes, tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    mult = comp.hazard[t]
    key = mult.tobytes() + np.float64(months).tobytes()
    if key not in cache:
        cache[key] = one_month_kernels(rates * mult, months)
    return cache[key]


def _flows_frame(dates: list[Any], st: Any, entries: np.ndarray, exits: np.ndarray) -> pl.DataFrame:
    t = len(dates)
    k, e = entries.shape[1], exits.shape[1]
    return pl.DataFrame({
        "date": np.repeat(np.array(dates, dtype="datetime64[D]"), k + e),
        "flow": (["entry"] * k + ["exit"] * e) * t,
        "group": [*st.category_names, *st.exit_names] * t,
        "mean": np.concatenate([entries, exits], axis=1).ravel(),
    }).with_columns(pl.col("date").cast(pl.Date))


def compare(baseline: Projection, scenario: Projection) -> pl.DataFrame:
    """The scenario minus the baseline, by month and output, with 80%/95% bands of the difference.

    Both must come from :func:`project` on the same model. The difference's uncertainty is the shared entry
    level acting on the difference in entrants (``σ₀²``, ``τ²`` terms) plus Poisson noise on the children the
    scenario moves (``|Δ mean|``); the start stock is common to both and cancels.
    """
    if baseline.engine != "markov" or scenario.engine != "markov":
        raise ValueError("compare takes two Markov projections; for microsimulations use microsim.compare")
    if baseline.dates != scenario.dates:
        raise ValueError("the two projections cover different months; project both from the same model")
    bi, si = baseline.internals, scenario.internals
    diff_mean = si["means"] - bi["means"]
    dc = si["cohort_out"] - bi["cohort_out"]  # (T, T, O)
    var = np.abs(diff_mean).astype(float)
    k = len(baseline.states.categories)
    cost = diff_mean.shape[1] - 1
    # The cost row's Poisson part: Σ_k w_k² |Δ stock_k|.
    var[:, cost] = (si["weights"] ** 2 * np.abs(diff_mean[:, :k])).sum(axis=1)
    for t in range(diff_mean.shape[0]):
        c = dc[t, : t + 1]
        total = c.sum(axis=0)
        suffix = np.cumsum(c[::-1], axis=0)[::-1]
        var[t] += bi["level_var"] * total**2 + bi["drift_var"] * (suffix**2).sum(axis=0)
    sd = np.sqrt(var)
    z80, z95 = 1.2815515655446004, 1.959963984540054
    frame = summary_frame(baseline.dates, baseline.states, diff_mean, var,
                          quantiles={"p2_5": diff_mean - z95 * sd, "p10": diff_mean - z80 * sd, "p50": diff_mean,
                                     "p90": diff_mean + z80 * sd, "p97_5": diff_mean + z95 * sd})
    return frame.with_columns(pl.lit(scenario.scenario).alias("scenario"))


__all__ += ["gamma_bands"]
