"""The Markov projection: expected stock, flows and spend by month, with analytic variance.

Children in care are tracked by age in completed months (0–215) × placement category, so birthdays move them
between age bands exactly and they leave at 18 on time. Each month every child moves independently by the
one-month transition matrix ``expm(Q_band)`` of the fitted rates; entrants arrive as a Poisson process whose
level is uncertain (estimated with error, and wandering from year to year: a mixed Poisson).

The variance of any linear output ``A n_t`` (stock by category, by age band, total, weekly cost) is the sum of
four parts. Given the parameters, three are exact under those assumptions:

* children in care at the start: a sum of independent multinomials, ``Σ_x n_x (A diag(π_x) Aᵀ − A π_x π_xᵀ Aᵀ)``;
* entrants, given their level: Poisson thinning keeps them Poisson, ``A diag(m_entries) Aᵀ``;
* the entry level ``(1 + ε_s)`` shared by all entrants of month s, with ``Cov(ε_s, ε_s') = σ₀² + τ² (min(s, s') + 1)``
  (σ₀² the estimation error of the level and the drift since the window's middle, τ² the monthly drift).

The fourth is the estimation error of the parameters themselves — the transition and exit rates (gamma posteriors
from each state's events and exposure), the entry mix over age band and first placement, and the ages of
entrants (Dirichlet posteriors from the counts): ``Var_θ(E[A n_t | θ])``, the spread of the expected outputs over
``parameter_draws`` draws of θ (law of total variance; the first three parts stand for ``E_θ[Var(A n_t | θ)]``).
Without it the bands by placement category were too narrow in back-tests (a rate estimated from a few dozen
moves is uncertain by 15-20%, and that error compounds over the horizon).

Bands are gamma quantiles matched to the mean and variance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from careflow.flows.costs import UnitCosts, load_unit_costs
from careflow.flows.estimators import MONTH_DAYS, month_ends
from careflow.flows.projection import Projection, gamma_bands, summary_frame
from careflow.flows.scenarios import CompiledScenario, Scenario, compile_scenario
from careflow.flows.states import AGE_OUT_MONTHS

if TYPE_CHECKING:
    from careflow.flows.model import FlowModel, ParameterDraws

__all__ = ["DEFAULT_PARAMETER_DRAWS", "compare", "expm_batch", "one_month_kernels", "project"]

#: Parameter draws for the bands' estimation error. Measured convergence of the band edges (p2.5, p10, p90,
#: p97.5 of every category, age band and the total, each month of 24) against 4,000 draws, as a share of the 95%
#: band's width, median over 10 seeds: on the benchmark's synthetic LA (1,312 children, 2,699 episodes) 100
#: draws give 0.5% on average, 1.4% at the 95th percentile and 2.2% at worst (200 draws: 0.3%, 0.9%, 1.5%); on
#: the test suite's toy LA 0.3%, 0.9%, 1.0%. ``tests/flows/test_speedups_keep_numbers.py`` checks it and
#: ``benchmarks/bench_forecast_process.py`` prints it. Half the draws of 200 halve their cost, a tenth of a
#: one-LA forecast, for edges that move by about 1% of the band's width.
DEFAULT_PARAMETER_DRAWS = 100


def one_month_kernels(rates: np.ndarray, months: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """For rates (..., K, K+E) per month: the transition rows over ``months`` of children in care (..., K, K+E),
    and the average over the step of ``expm(Q s)`` (..., K, K+E) — where an entrant arriving at a uniform moment
    in the step is at its end. Leading dimensions (age bands, parameter draws) are batched.

    Exits absorb, so only the K x K block ``A`` of the generator (and the K x E rates ``B`` into the exits) is
    exponentiated: with ``F = ∫₀¹ expm(A u) du`` and ``G = ∫₀¹ ∫₀ᵘ expm(A v) dv du``, the rows are
    ``[expm(A), F B]`` and their average over the step ``[F, G B]`` — the same as the Van Loan block exponential of
    the whole (K+E) generator (:func:`expm_batch`), at a fraction of the work.
    """
    lead = rates.shape[:-2]
    k, n = rates.shape[-2:]
    flat = rates.reshape(-1, k, n) * months
    a = flat[:, :, :k].copy()
    idx = np.arange(k)
    a[:, idx, idx] = -flat.sum(axis=2)  # the generator's diagonal: minus every way out of the state
    b = flat[:, :, k:]
    e, f, g = _phi_batch(a)
    p = np.concatenate([e, f @ b], axis=2).reshape(*lead, k, n)
    avg = np.concatenate([f, g @ b], axis=2).reshape(*lead, k, n)
    return np.clip(p, 0, None), np.clip(avg, 0, None)


def in_care_kernels(
    rates: np.ndarray, lengths: Sequence[float], degree: int = 10
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The in-care columns of :func:`one_month_kernels` (..., K, K) for each step length in ``lengths`` (months):
    ``expm(A L)`` and its average over the step ``F`` (``p[..., :K]`` and ``avg[..., :K]``, to round-off).

    The bands' parameter draws need only these (their outputs are children in care), for ~500 matrices and the
    three or four lengths of calendar months: the Taylor polynomial's powers of ``A / 2^s`` are computed once for
    every length (``s`` from the longest, so that ``‖A L / 2^s‖ ≤ 1/4`` for each), each length's ``E`` and ``F``
    are then one weighted sum of the powers (one matrix product for all), and only the doublings are per length.
    """
    k = rates.shape[-2]
    lead = rates.shape[:-2]
    flat = rates.reshape(-1, k, rates.shape[-1])
    m = flat.shape[0]
    a = flat[:, :, :k].copy()
    idx = np.arange(k)
    a[:, idx, idx] = -flat.sum(axis=2)  # the one-month generator's diagonal: minus every way out of the state
    norm = float(np.abs(a).sum(axis=-1).max()) * max(lengths) if a.size else 0.0
    squarings = max(0, int(np.ceil(np.log2(norm / 0.25)))) if norm > 0 else 0
    t = 1.0 / 2.0**squarings
    y = a * t
    powers = np.empty((degree + 1, m, k, k))
    powers[0] = np.eye(k)
    powers[1] = y
    for j in range(2, degree + 1):
        np.matmul(powers[j - 1], y, out=powers[j])
    # E_L = Σ_j L^j y^j / j!, F_L = t Σ_j L^j y^j / (j + 1)!: the coefficients of every length, one product.
    fact = np.cumprod([1.0, *range(1, degree + 2)])  # j! for j = 0 … degree + 1
    coef = np.array([[length**j / fact[j + r] * (t if r else 1.0) for j in range(degree + 1)]
                     for length in lengths for r in (0, 1)])
    ef = (coef @ powers.reshape(degree + 1, -1)).reshape(len(lengths), 2, m, k, k)
    e, f = ef[:, 0], ef[:, 1]
    for _ in range(squarings):  # the doublings of every length in one product each
        f += e @ f
        e = e @ e
    e, f = np.clip(e, 0, None), np.clip(f, 0, None)
    return [(e[i].reshape(*lead, k, k), f[i].reshape(*lead, k, k)) for i in range(len(lengths))]


def _phi_batch(a: np.ndarray, degree: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``expm(A)``, ``∫₀¹ expm(A u) du`` and ``∫₀¹ ∫₀ᵘ expm(A v) dv du`` for a stack of matrices (m, k, k).

    Taylor polynomials on ``A / 2^s`` (largest row sum at most 1/4: remainder below 1e-14), then ``s`` doublings
    of the interval: ``E(2t) = E(t)²``, ``F(2t) = F(t) + E(t) F(t)``, ``G(2t) = G(t) + t F(t) + E(t) G(t)``.
    """
    norm = float(np.abs(a).sum(axis=-1).max()) if a.size else 0.0
    squarings = max(0, int(np.ceil(np.log2(norm / 0.25)))) if norm > 0 else 0
    t = 1.0 / 2.0**squarings
    x = a * t
    eye = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    e = eye.copy()
    f = eye * t
    g = eye * (t * t / 2.0)
    power = eye
    fact = 1.0
    term = np.empty_like(e)
    for j in range(1, degree + 1):  # in place: these stacks are the bands' parameter draws, ~1,000 matrices
        power = power @ x
        fact *= j
        e += np.multiply(power, 1.0 / fact, out=term)
        f += np.multiply(power, t / (fact * (j + 1)), out=term)
        g += np.multiply(power, t * t / (fact * (j + 1) * (j + 2)), out=term)
    for _ in range(squarings):
        eg = e @ g  # from this doubling's G, before it changes
        g += np.multiply(f, t, out=term)
        g += eg
        f += e @ f
        e = e @ e
        t *= 2.0
    return e, f, g


def expm_batch(a: np.ndarray, degree: int = 10) -> np.ndarray:
    """The exponential of each matrix in a stack (..., n, n): scaling and squaring with a Taylor polynomial.

    Batched in numpy: one call for hundreds of small matrices (parameter draws × age bands) instead of one
    LAPACK-backed call each, which is slow when BLAS threads compete for cores. The matrices are scaled so their
    largest row sum is at most 1/4, where the degree-10 Taylor remainder is below 1e-14.

    Example:
        >>> float(expm_batch(np.array([[[0.0, 1.0], [0.0, 0.0]]]))[0, 0, 1])
        1.0
    """
    norm = float(np.abs(a).sum(axis=-1).max()) if a.size else 0.0
    squarings = max(0, int(np.ceil(np.log2(norm / 0.25)))) if norm > 0 else 0
    x = a / 2.0**squarings
    eye = np.eye(a.shape[-1])
    r = eye + x / degree
    for j in range(degree - 1, 0, -1):  # Horner: I + x (I + x/2 (I + x/3 (…)))
        r = eye + (x @ r) / j
    for _ in range(squarings):
        r = r @ r
    return r


def project(
    model: FlowModel,
    horizon_months: int = 24,
    *,
    scenario: Scenario | None = None,
    unit_costs: UnitCosts | None = None,
    inflation: float | None = None,
    parameter_draws: int = DEFAULT_PARAMETER_DRAWS,
    seed: int | None = 0,
    rng: np.random.Generator | None = None,
) -> Projection:
    """Project the fitted model ``horizon_months`` ahead from the end of its reference window.

    Args:
        model: a fitted :class:`~careflow.flows.FlowModel`.
        horizon_months: months to project (each step ends on a calendar month end).
        scenario: changes from dates (see :mod:`careflow.flows.scenarios`); ``None`` for the baseline.
        unit_costs: weekly unit costs (default: the packaged, sourced ones).
        inflation: yearly unit-cost growth (default: the dated parameter; 0 keeps source prices).
        parameter_draws: draws of the parameters from their posteriors for the estimation-error part of the
            variance (0 leaves it out: bands for known parameters). The default, 100, puts the band edges within
            about 2% of the 95% band's width of where many draws put them (see :data:`DEFAULT_PARAMETER_DRAWS`).
        seed, rng: the random source of those draws (``rng`` wins); the default seed makes a projection
            repeatable, and the same seed gives a scenario the same draws as its baseline.

    Returns:
        A :class:`Projection` with mean, sd and 80%/95% bands of stock by category, age band, total and weekly
        cost, and expected entries and exits per month.
    """
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be at least 1, not {horizon_months}")
    if parameter_draws < 0 or parameter_draws == 1:
        raise ValueError(f"parameter_draws must be 0 (leave estimation error out) or at least 2, not "
                         f"{parameter_draws}")
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
    spans = _band_spans(band_of, b)
    # Children by age in months × category: [0] those in care at the start, [s + 1] those who entered in month s
    # (each entry cohort is followed on its own: the entry level's error acts on each month's entrants).
    groups = np.zeros((t_n + 1, a_n, k))
    groups[0] = n0
    means = np.zeros((t_n, o_n))
    variances = np.zeros((t_n, o_n))
    cohort_out = np.zeros((t_n, t_n, o_n))
    entries_out = np.zeros((t_n, k))
    exits_out = np.zeros((t_n, e))
    age_out = st.exit_names.index(st.age_out_exit)
    cost = k + b + 1
    for t in range(t_n):
        p_b, avg_b = _kernels(model.transitions_.rates_, comp, t, float(lengths[t]), kernel_cache)
        for step, src, dst, share in comp.moves:
            if step == t:
                move = np.eye(k)
                move[src, src] = 1 - share
                move[src, dst] += share
                p_b = np.einsum("ij,bjl->bil", move, p_b)
        p_in, p_out = np.ascontiguousarray(p_b[..., :k]), np.ascontiguousarray(p_b[..., k:])
        agg[cost] = weights[t][None, :]

        # Every age of a band moves by the band's kernel: one matrix product per band (not one per age). The
        # exits of everyone in care are those of their sum; those at the last age who stay in care turn 18.
        everyone = groups[: t + 1].sum(axis=0)
        exits_out[t] += _by_band(everyone, p_out, spans).sum(axis=0)
        exits_out[t, age_out] += (everyone[-1] @ p_in[-1]).sum()
        moved = _by_band(groups[: t + 1], p_in, spans)
        groups[: t + 1, 0] = 0.0
        groups[: t + 1, 1:] = moved[:, :-1]
        z = _by_band(entrants[t], avg_b, spans)
        groups[t + 1] = z[:, :k]
        exits_out[t] += z[:, k:].sum(axis=0)
        entries_out[t] = entrants[t].sum(axis=0)

        if len(v):
            v = (v[:, None, :] @ p_in[band_of[age_x]])[:, 0, :]
            age_x = age_x + 1
            gone = age_x >= a_n
            v[gone] = 0.0
            age_x = np.minimum(age_x, a_n - 1)

        # Only the variances (the covariance's diagonal) are kept: each part's diagonal directly.
        full = groups[: t + 2].sum(axis=0)
        flat = agg.reshape(o_n, -1)
        means[t] = flat @ full.ravel()
        var = means[t].copy()  # Σ_i A_oi² n_i: A is 0/1 but for the cost row
        var[cost] = full.sum(axis=0) @ weights[t] ** 2
        if len(v):
            # A π_x for each child in care at the start (categories, bands, total, cost), without building A.
            in_care = v.sum(axis=1)
            g = np.zeros((len(v), o_n))
            g[:, :k] = v
            g[np.arange(len(v)), k + band_of[age_x]] = in_care
            g[:, k + b] = in_care
            g[:, cost] = v @ weights[t]
            var -= nx @ (g * g)
        c = groups[1: t + 2].reshape(t + 1, -1) @ flat.T  # (t+1, O)
        cohort_out[t, : t + 1] = c
        total_c = c.sum(axis=0)
        var += level_var * total_c * total_c
        suffix = np.cumsum(c[::-1], axis=0)[::-1]  # R_j = Σ_{s ≥ j} c_s
        var += drift_var * (suffix * suffix).sum(axis=0)
        variances[t] = np.clip(var, 0.0, None)

    draw_means = None
    if parameter_draws:
        gen = rng if rng is not None else np.random.default_rng(seed)
        draws = model.sample_parameters(parameter_draws, gen)
        draw_means = _means_under_draws(draws, comp, n0, entrants, lengths, weights, band_of, model.entries_.age_pmf_)
        variances += draw_means.var(axis=0, ddof=1)

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
                   "drift_var": drift_var, "weights": weights, "draw_means": draw_means},
    )


def _means_under_draws(
    draws: ParameterDraws,
    comp: CompiledScenario,
    n0: np.ndarray,
    entrants: np.ndarray,
    lengths: np.ndarray,
    weights: np.ndarray,
    band_of: np.ndarray,
    age_pmf: np.ndarray,
) -> np.ndarray:
    """The expected outputs (S, T, O) under each draw of the parameters: the mean recursion of :func:`project`
    (children by age in months × category; birthdays move them on, 18 takes them out), batched over draws.

    Every age of a band moves by the band's kernel, so each band's total follows its own recursion,
    ``N_j(t) = (N_j(t-1) − x_t-1[top_j]) P_j + x_t-1[top_j-1] P_j-1 + Z_j A_j`` (the children who were at the
    band's top age leave it for the next one, and entrants arrive). Only the ages that reach a band's top age
    before the horizon ends are followed month by month: about a fifth of the 216 ages over 24 months, instead of
    all of them (the same sums, added in another order: equal to ~1e-12).
    """
    s_n, b, k, _ = draws.rates.shape
    t_n, a_n, _ = entrants.shape
    ratio = np.divide(draws.age_pmf, age_pmf[None, :], out=np.zeros_like(draws.age_pmf), where=age_pmf[None, :] > 0)
    mix = draws.entry_mix  # (S, B, K)
    spans = _band_spans(band_of, b)
    tops = np.array([hi - 1 for _, hi in spans])
    # need[t, a]: the children aged a (in months) at the end of step t reach a band's top age by the last step,
    # where they leave the band (or care, at 18); nobody else is followed by age.
    need = np.zeros((t_n, a_n), dtype=bool)
    for t in range(t_n - 1):
        for top in tops:
            need[t, max(0, top - (t_n - 2 - t)):top + 1] = True
    x = np.repeat(n0[None, :, :], s_n, axis=0)  # (S, A, K): only the needed ages are kept up to date
    spare = x.copy()
    totals = np.stack([n0[lo:hi].sum(axis=0) for lo, hi in spans])[None].repeat(s_n, axis=0)  # (S, B, K)
    out = np.zeros((s_n, t_n, k + b + 2))
    cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    # The kernels to the categories in care, (S, B, K, K), contiguous for the batched products below: for each
    # hazard multiplier of the scenario, those of every step length it meets, together.
    by_hazard: dict[bytes, tuple[int, list[float]]] = {}
    for t in range(t_n):
        first, seen = by_hazard.setdefault(comp.hazard[t].tobytes(), (t, []))
        if float(lengths[t]) not in seen:
            seen.append(float(lengths[t]))
    for hazard, (first, seen) in by_hazard.items():
        for length, kernels in zip(seen, in_care_kernels(draws.rates * comp.hazard[first][None], seen), strict=True):
            cache[hazard + np.float64(length).tobytes()] = kernels
    for t in range(t_n):
        p_in, avg_in = cache[comp.hazard[t].tobytes() + np.float64(lengths[t]).tobytes()]
        for step, src, dst, share in comp.moves:
            if step == t:
                move = np.eye(k)
                move[src, src] = 1 - share
                move[src, dst] += share
                p_in = np.ascontiguousarray(np.einsum("ij,sbjl->sbil", move, p_in))
        # Entrants of this step by band, (S, B, K): the draw's mix over bands x the draw's ages within the band
        # (one product: each age's entrants sit in its band's block).
        by_band = np.zeros((a_n, b, k))
        by_band[np.arange(a_n), band_of] = entrants[t]
        arriving = (ratio @ by_band.reshape(a_n, b * k)).reshape(s_n, b, k) * mix
        # Each band's children without those at its top age, and those at its top age, moved this step by the
        # band's kernel (one batched product); the latter are now at the next band's first age (the last band's
        # leave care at 18).
        moved = np.stack([totals - x[:, tops], x[:, tops]], axis=2) @ p_in  # (S, B, 2, K)
        totals = moved[:, :, 0] + (arriving[:, :, None, :] @ avg_in)[:, :, 0]
        totals[:, 1:] += moved[:, :-1, 1]
        if t < t_n - 1:  # the ages still needed: each from the age below it a month ago, and its entrants
            new = spare  # rows not needed are left stale; a row needed only reads rows needed a month before
            for j, (lo, hi) in enumerate(spans):
                rows = np.nonzero(need[t, lo + 1:min(hi + 1, a_n)])[0]  # moved by band j's kernel (contiguous)
                if len(rows):
                    a0, a1 = lo + 1 + rows[0], lo + 2 + rows[-1]
                    new[:, a0:a1] = x[:, a0 - 1:a1 - 1] @ p_in[:, j]
                if lo == 0 and need[t, 0]:
                    new[:, 0] = 0.0  # nobody grows into age 0
            for j, (lo, hi) in enumerate(spans):
                rows = np.nonzero(need[t, lo:hi])[0]  # entrants of band j (contiguous)
                if len(rows):
                    a0, a1 = lo + rows[0], lo + 1 + rows[-1]
                    z = entrants[t, a0:a1][None] * mix[:, j, None, :] * ratio[:, a0:a1, None]
                    new[:, a0:a1] += z @ avg_in[:, j]
            spare, x = x, new
        by_cat = totals.sum(axis=1)
        out[:, t, :k] = by_cat
        out[:, t, k:k + b] = totals.sum(axis=2)
        out[:, t, k + b] = by_cat.sum(axis=1)
        out[:, t, k + b + 1] = by_cat @ weights[t]
    return out


def _band_spans(band_of: np.ndarray, bands: int) -> list[tuple[int, int]]:
    """Each age band's ages in months as ``[lo, hi)`` (bands are consecutive runs of ages)."""
    a_n = len(band_of)
    return [(int(np.argmax(band_of == j)), int(a_n - np.argmax(band_of[::-1] == j))) for j in range(bands)]


def _by_band(x: np.ndarray, kernels: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """Children by (…, age, category) times their band's kernel (B, K, L): (…, age, L)."""
    out = np.empty((*x.shape[:-1], kernels.shape[-1]))
    for j, (lo, hi) in enumerate(spans):
        out[..., lo:hi, :] = x[..., lo:hi, :] @ kernels[j]
    return out


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
    bd, sdraws = bi.get("draw_means"), si.get("draw_means")
    if bd is not None and sdraws is not None and bd.shape == sdraws.shape:
        var += (sdraws - bd).var(axis=0, ddof=1)
    sd = np.sqrt(var)
    z80, z95 = 1.2815515655446004, 1.959963984540054
    frame = summary_frame(baseline.dates, baseline.states, diff_mean, var,
                          quantiles={"p2_5": diff_mean - z95 * sd, "p10": diff_mean - z80 * sd, "p50": diff_mean,
                                     "p90": diff_mean + z80 * sd, "p97_5": diff_mean + z95 * sd})
    return frame.with_columns(pl.lit(scenario.scenario).alias("scenario"))


__all__ += ["gamma_bands"]
