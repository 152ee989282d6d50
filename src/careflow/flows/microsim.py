"""The microsimulation: children move through care one by one, for full distributions.

Each child in care at the start, and each simulated entrant, carries a placement category, an exact age and the
time spent in the current placement. The time to the next move or exit is drawn from the fitted competing-risk
hazards, which are piecewise constant in time in placement (:class:`~careflow.flows.CompetingRiskDurations`),
so a draw runs to the next boundary — a duration bin, a birthday that changes the age band, a scenario date —
and is redrawn from there (exact for piecewise-constant hazards: the exponential forgets). Children leave at 18.

Entrants arrive as a Poisson process with a random level shared by all entrants of a run (lognormal: the level's
estimation error and its drift, as in :mod:`careflow.flows.markov`), so runs spread as the analytic bands do.
Each run also draws its own parameters from their posteriors (``parameter_uncertainty``): the transition and exit
rates (gamma, from each state's events and exposure), the entry mix and the ages of entrants (Dirichlet, from the
counts). The runs are then draws from the predictive distribution, estimation error included; the duration shape
(time in placement) is held at its estimate.
With ``durations=False`` the hazards do not depend on time in placement and the expected stock equals the
Markov projection's (tests/flows/test_engines_agree.py checks it).

Every run is reproducible from ``seed`` (or an ``rng``). Population forecasts only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from careflow.flows.costs import UnitCosts, load_unit_costs
from careflow.flows.estimators import MONTH_DAYS, month_ends
from careflow.flows.markov import _flows_frame
from careflow.flows.projection import QUANTILES, Projection, summary_frame
from careflow.flows.scenarios import Scenario, compile_scenario
from careflow.flows.states import AGE_OUT_MONTHS

if TYPE_CHECKING:
    from careflow.flows.model import FlowModel

__all__ = ["simulate"]


def simulate(
    model: FlowModel,
    horizon_months: int = 24,
    *,
    runs: int = 200,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
    scenario: Scenario | None = None,
    unit_costs: UnitCosts | None = None,
    inflation: float | None = None,
    durations: bool = True,
    parameter_uncertainty: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Projection:
    """Simulate ``runs`` futures of the fitted model, ``horizon_months`` ahead.

    Args:
        model: a fitted :class:`~careflow.flows.FlowModel`.
        horizon_months: months to project.
        runs: number of simulated futures.
        seed, rng: the random source (``rng`` wins); the same seed gives the same runs.
        scenario: changes from dates; the same seed under a scenario shares the baseline's random entry level.
        unit_costs, inflation: as :func:`careflow.flows.markov.project`.
        durations: use hazards that depend on time in placement (``False``: the Markov rates).
        parameter_uncertainty: each run draws its rates, entry mix and entrants' ages from their posteriors
            (``False``: every run uses the estimates, and the bands leave estimation error out).
        progress: called as the simulation advances with (done, total): child-months simulated so far and in
            all, over every run (each child from its start or entry to the horizon; a child who leaves care counts
            as done). ``done`` never decreases and ends equal to ``total``.

    Returns:
        A :class:`Projection` whose bands are the runs' empirical quantiles; ``internals["stock"]`` holds every
        run's stock by category (R, T, K).
    """
    if runs < 2:
        raise ValueError(f"runs must be at least 2, not {runs}")
    gen = rng if rng is not None else np.random.default_rng(seed)
    st = model.states_
    k, e, b = len(st.categories), len(st.exits), len(st.age_bands)
    band_of = st.band_of_months()
    band_lo = np.array([band.from_years * 12 for band in st.age_bands] + [AGE_OUT_MONTHS], dtype=float)
    start = model.start_date_
    dates = month_ends(start, horizon_months)
    t_n = len(dates)
    tau = np.array([(d - start).days / MONTH_DAYS for d in dates])  # month ends, in model months from start
    tau0 = np.concatenate([[0.0], tau[:-1]])
    comp = compile_scenario(scenario, st, dates, start)
    costs = unit_costs or load_unit_costs(states=st, inflation=inflation)
    weights = costs.weekly(st, dates, model.provider_external_share_) * comp.cost

    if parameter_uncertainty:
        draws = model.sample_parameters(runs, gen)
        rates = draws.rates  # (R, B, K, K+E)
        pmf = model.entries_.age_pmf_
        age_ratio = np.divide(draws.age_pmf, pmf[None, :], out=np.zeros_like(draws.age_pmf), where=pmf[None, :] > 0)
        entry_mult = draws.entry_mix[:, band_of, :] * age_ratio[:, :, None]  # (R, A, K)
    else:
        rates = model.transitions_.rates_[None, :, :, :]  # one set of rates for every run
        entry_mult = np.ones((1, len(band_of), k))
    if durations:
        multiplier = model.durations_.multiplier_  # (B, K, D)
        bins = np.asarray(model.durations_.duration_bins_, dtype=float)
    else:
        multiplier = np.ones((b, k, 1))
        bins = np.array([0.0])
    hazards = rates[:, :, :, None, :] * multiplier[None, :, :, :, None]  # (R or 1, B, K, D, K+E)
    per_run = hazards.shape[0] > 1
    bin_edges = np.concatenate([bins[1:], [np.inf]])

    # --- the people: start stock (every run), then entrants -------------------------------------------------
    stock = model.stock_
    n0 = stock.height
    run = np.repeat(np.arange(runs), n0)
    cat = np.tile(stock["category"].to_numpy(), runs)
    age = np.tile(stock["exact_age_months"].to_numpy().astype(float), runs)
    dur = np.tile(stock["duration_months"].to_numpy().astype(float), runs)
    now = np.zeros(run.size)

    ent = model.entries_
    lengths = tau - tau0
    lam = ent.expected(dates)[:, band_of, :] * ent.age_pmf_[None, :, None] * comp.entry * lengths[:, None, None]
    window = model.tables_.months
    level_var = ent.level_variance_ + ent.drift_variance_per_month_ * window / 3.0
    drift_var = ent.drift_variance_per_month_
    level = gen.normal(0.0, np.sqrt(level_var), size=(runs, 1)) + np.cumsum(
        gen.normal(0.0, np.sqrt(drift_var), size=(runs, t_n)), axis=1)
    factor = np.exp(level - (level_var + drift_var * np.arange(1, t_n + 1)) / 2)  # mean 1
    counts = gen.poisson(lam[None, :, :, :] * factor[:, :, None, None] * entry_mult[:, None, :, :])  # (R, T, A, K)
    r_i, s_i, a_i, k_i = np.nonzero(counts)
    reps = counts[r_i, s_i, a_i, k_i]
    r_i, s_i, a_i, k_i = (np.repeat(x, reps) for x in (r_i, s_i, a_i, k_i))
    u = gen.random(r_i.size)
    v = gen.random(r_i.size)
    length = tau[s_i] - tau0[s_i]
    t_entry = tau0[s_i] + u * length
    age_entry = np.maximum(a_i + v - (1 - u) * length, 0.0)
    entries_out = np.zeros((t_n, k))
    np.add.at(entries_out, (s_i, k_i), 1.0 / runs)

    run = np.concatenate([run, r_i])
    cat = np.concatenate([cat, k_i]).astype(np.int64)
    age = np.concatenate([age, age_entry])
    dur = np.concatenate([dur, np.zeros(r_i.size)])
    now = np.concatenate([now, t_entry])

    # Step boundaries matter only where the scenario changes something.
    changes = [t for t in range(1, t_n) if not np.array_equal(comp.hazard[t], comp.hazard[t - 1])]
    move_steps = {step: (src, dst, share) for step, src, dst, share in comp.moves}
    stops = np.array(sorted({tau0[t] for t in changes} | {tau0[s] for s in move_steps} | {tau[-1]}))
    stop_step = {float(tau0[s]): s for s in move_steps}

    # Difference arrays: +1 where a segment starts covering month ends, −1 where it stops.
    d_cat = np.zeros((runs, t_n + 1, k))
    d_band = np.zeros((runs, t_n + 1, b))
    exits_out = np.zeros((t_n, e))
    age_out = k + st.exit_names.index(st.age_out_exit)
    horizon = tau[-1]

    active = np.arange(run.size)
    # Work, for progress: the child-months from each child's start (or entry) to the horizon.
    work = float(np.maximum(tau[-1] - now, 0.0).sum())
    total_work = max(round(work), 1)
    while active.size:
        t0 = now[active]
        a0 = age[active]
        c0 = cat[active]
        d0 = dur[active]
        band = band_of[np.minimum(a0.astype(np.int64), AGE_OUT_MONTHS - 1)]
        dbin = np.searchsorted(bins, d0, side="right") - 1
        step = np.minimum(np.searchsorted(tau, t0, side="left"), t_n - 1)
        r = run[active]
        h = hazards[r if per_run else 0, band, c0, dbin, :] * comp.hazard[step, band, c0, :]
        h_total = h.sum(axis=1)
        wait = np.where(h_total > 0, gen.exponential(1.0, size=active.size) / np.where(h_total > 0, h_total, 1),
                        np.inf)
        to_band = band_lo[band + 1] - a0
        to_bin = bin_edges[dbin] - d0
        next_stop = stops[np.searchsorted(stops, t0, side="right").clip(max=len(stops) - 1)]
        next_stop = np.where(next_stop > t0, next_stop, horizon)
        to_stop = next_stop - t0
        boundary = np.minimum(np.minimum(to_band, to_bin), to_stop)
        event = wait < boundary
        dt = np.where(event, wait, boundary)
        t1 = t0 + dt
        # record the segment [t0, t1) in (category, band)
        i0 = np.searchsorted(tau, t0, side="left")
        i1 = np.searchsorted(tau, t1, side="left")
        i1 = np.where(t1 >= horizon - 1e-9, t_n, i1)  # still in care at the horizon: counted at its end
        np.add.at(d_cat, (r, i0, c0), 1.0)
        np.add.at(d_cat, (r, i1, c0), -1.0)
        np.add.at(d_band, (r, i0, band), 1.0)
        np.add.at(d_band, (r, i1, band), -1.0)
        now[active] = t1
        age[active] = a0 + dt
        dur[active] = d0 + dt
        done = np.zeros(active.size, dtype=bool)
        # events: a move or an exit, by the hazards' shares
        ev = np.nonzero(event)[0]
        if ev.size:
            cum = np.cumsum(h[ev], axis=1)
            pick = (gen.random(ev.size) * h_total[ev])[:, None] < cum
            dest = pick.argmax(axis=1)
            is_exit = dest >= k
            idx = active[ev]
            cat[idx[~is_exit]] = dest[~is_exit]
            dur[idx[~is_exit]] = 0.0
            month = np.minimum(np.searchsorted(tau, t1[ev][is_exit], side="left"), t_n - 1)
            np.add.at(exits_out, (month, dest[is_exit] - k), 1.0 / runs)
            done[ev[is_exit]] = True
        # boundaries: 18th birthday, horizon, a scenario move
        bd = np.nonzero(~event)[0]
        if bd.size:
            aged = age[active[bd]] >= AGE_OUT_MONTHS - 1e-9
            if aged.any():
                month = np.minimum(np.searchsorted(tau, t1[bd][aged], side="left"), t_n - 1)
                np.add.at(exits_out, (month, np.full(month.size, age_out - k)), 1.0 / runs)
            done[bd[aged]] = True
            for when, s in stop_step.items():
                hit = bd[~aged & np.isclose(t1[bd], when)]
                if hit.size:
                    src, dst, share = move_steps[s]
                    idx = active[hit]
                    chosen = idx[(cat[idx] == src) & (gen.random(idx.size) < share)]
                    cat[chosen] = dst
                    dur[chosen] = 0.0
        done |= t1 >= horizon - 1e-9
        active = active[~done]
        if progress is not None:
            left = float(np.maximum(horizon - now[active], 0.0).sum())
            progress(min(round(work - left), total_work) if active.size else total_work, total_work)

    stock_cat = np.cumsum(d_cat, axis=1)[:, :t_n, :]  # (R, T, K)
    stock_band = np.cumsum(d_band, axis=1)[:, :t_n, :]
    total_stock = stock_cat.sum(axis=2, keepdims=True)
    cost = (stock_cat * weights[None, :, :]).sum(axis=2, keepdims=True)
    outputs = np.concatenate([stock_cat, stock_band, total_stock, cost], axis=2)  # (R, T, O)
    mean = outputs.mean(axis=0)
    var = outputs.var(axis=0, ddof=1)
    quantiles = {name: np.quantile(outputs, q, axis=0) for name, q in QUANTILES.items()}
    summary = summary_frame(dates, st, mean, var, quantiles)
    flows = _flows_frame(dates, st, entries_out, exits_out)
    return Projection(
        engine="microsim",
        scenario=comp.name,
        start_date=start,
        dates=dates,
        states=st,
        summary=summary,
        flows=flows,
        issues=list(model.issues_),
        internals={"outputs": outputs, "runs": runs, "weights": weights},
    )


def compare(baseline: Projection, scenario: Projection) -> pl.DataFrame:
    """Scenario minus baseline run by run (same seed: shared entry levels), with empirical bands."""
    if baseline.engine != "microsim" or scenario.engine != "microsim":
        raise ValueError("microsim.compare takes two microsimulations run with the same seed")
    diff = scenario.internals["outputs"] - baseline.internals["outputs"]
    quantiles = {name: np.quantile(diff, q, axis=0) for name, q in QUANTILES.items()}
    frame = summary_frame(baseline.dates, baseline.states, diff.mean(axis=0), diff.var(axis=0, ddof=1), quantiles)
    return frame.with_columns(pl.lit(scenario.scenario).alias("scenario"))


__all__ += ["compare"]
