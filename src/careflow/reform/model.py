"""Run a reform package: counterfactual, levers, public-finance table, children diverted, break-even.

:func:`run` is deterministic with ``draws=0`` (every parameter at its central value) and a Monte Carlo over the
uncertainties stated in the parameter files otherwise. Every array has a leading axis of draws (length 1 when
deterministic), so the whole Monte Carlo is one vectorised pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from careflow.reform.levers import (
    DIVERSION_GROUPS,
    FIRST_YEAR,
    GROUPS,
    N_YEARS,
    AreaContext,
    LeverResult,
    evaluate,
    per_year,
)
from careflow.reform.own_system import OwnSystem
from careflow.reform.package import Package, load_package
from careflow.reform.params import Parameter
from careflow.reform.series import Area, load_series, resolve_area
from careflow.reform.stockflow import review_counterfactual
from careflow.reform.system import local_rates, run_system

__all__ = [
    "PLACEMENT_UNIT_COSTS",
    "ReformRun",
    "area_context",
    "financial_year_labels",
    "own_context",
    "run",
    "sample_multipliers",
    "uncertain_parameters",
]


def financial_year_labels(first_year: int = FIRST_YEAR, n: int = N_YEARS) -> list[str]:
    """['2023-24', '2024-25', ...]."""
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(first_year, first_year + n)]


@dataclass
class ReformRun:
    """The results of one run (arrays: draws x years)."""

    package: Package
    area: Area
    scale: float
    draws: int
    years: list[str]
    levers: dict[str, LeverResult]
    group_net: dict[str, np.ndarray]
    total: np.ndarray
    cumulative: np.ndarray
    cla_years: np.ndarray
    cla_counterfactual: np.ndarray
    cla_reform: np.ndarray
    diverted: dict[str, np.ndarray]
    spend_years: np.ndarray
    spend_counterfactual: np.ndarray
    spend_reform: np.ndarray
    notes: list[str] = field(default_factory=list)
    context: AreaContext | None = None
    cla_reduction_joint: np.ndarray | None = None
    # reason -> age band -> exits a year per child in care (the area's published tables or its own returns)
    exit_hazards: dict[str, dict[str, float]] | None = None
    exit_hazards_basis: str = ""

    @property
    def lever_net(self) -> dict[str, np.ndarray]:
        return {n: r.net for n, r in self.levers.items()}

    def central(self, arr: np.ndarray) -> np.ndarray:
        """The deterministic value, or the median over draws."""
        return arr[0] if arr.shape[0] == 1 else np.median(arr, axis=0)

    def band(self, arr: np.ndarray, lo: float = 0.05, hi: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        return np.quantile(arr, lo, axis=0), np.quantile(arr, hi, axis=0)

    def break_even_year(self) -> str | None:
        """The first year the cumulative net impact is positive (central run), or None."""
        cum = self.central(self.cumulative)
        idx = np.nonzero(cum > 0)[0]
        return self.years[int(idx[0])] if idx.size else None

    def probability_break_even(self) -> np.ndarray:
        """For each year, the share of draws whose cumulative net impact is positive by then."""
        return (self.cumulative > 0).mean(axis=0)

    def cla_reduction_2032_33(self) -> np.ndarray:
        """Fewer children looked after at 31 March 2033 than the counterfactual (per draw; all levers at once)."""
        if self.cla_reduction_joint is not None:
            return self.cla_reduction_joint[:, -1]
        return sum((v[:, -1] for v in self.diverted.values()), start=np.zeros(self.total.shape[0]))


def uncertain_parameters(package: Package) -> dict[str, Parameter]:
    """Every parameter with a stated uncertainty used by the package: full name -> parameter."""
    out: dict[str, Parameter] = {}
    used_system: set[str] = set()
    for n in package.enabled:
        lv = package.levers[n]
        for pname, p in lv.parameters.items():
            if p.uncertainty is not None:
                out[f"{n}.{pname}"] = p
        refs = [r for c in (*lv.costs, *lv.savings) for r in c.product]
        for e in lv.effects:
            refs += [*e.children, *e.target_share] + [
                x for x in (e.hazard, e.from_state, e.to_state, e.effect, e.scale_down) if x]
        if lv.dose is not None:
            refs += [lv.dose.unit_cost, lv.dose.target]
        used_system.update(r for r in refs if r not in lv.parameters)
    # Model-wide uncertainties: the 0-17 population after mid-2024 and the growth of spend per unit of demand.
    used_system.update({"counterfactual.population_growth", "spend.unit_cost_growth", *PLACEMENT_UNIT_COSTS.values()})
    for name in sorted(used_system):
        found = package.system.get(name)
        if found is not None and found.uncertainty is not None:
            out[name] = found
    return out


# Correlation between parameters whose uncertainties name the same ``shared`` mechanism (e.g. every scale-down
# from pilot to national roll-out, or every whole-family effect size): a stated assumption, not a citation.
SHARED_CORRELATION = 0.6


def sample_multipliers(package: Package, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One multiplier per draw for every uncertain parameter, using ``rng``.

    Parameters whose uncertainty names the same ``shared`` mechanism are drawn with correlation
    :data:`SHARED_CORRELATION` (a Gaussian copula: a common normal draw per mechanism); the others independently.
    """
    from scipy import stats

    params = uncertain_parameters(package)
    mechanisms = sorted({p.uncertainty.shared for p in params.values()
                         if p.uncertainty is not None and p.uncertainty.shared})
    common = {m: rng.standard_normal(n) for m in mechanisms}
    rho = SHARED_CORRELATION
    out: dict[str, np.ndarray] = {}
    for name, p in params.items():
        unc = p.uncertainty
        if unc is None:
            continue
        if unc.shared:
            z = np.sqrt(rho) * common[unc.shared] + np.sqrt(1.0 - rho) * rng.standard_normal(n)
            out[name] = unc.ppf(stats.norm.cdf(z))
        else:
            out[name] = unc.sample(rng, n)
    return out


def _spend(area: Area, system: Mapping[str, Parameter], cla_years: np.ndarray, cla_cf: np.ndarray,
           base_year: int, population_growth: np.ndarray | float, trend: str,
           growth_multiplier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counterfactual spend (£bn): the Review's s251 aggregate extended on demand and unit-cost trends.

    spend(t) = base x [share_CLA x CLA(t)/CLA(base) + (1 - share_CLA) x CIN(t)/CIN(base)] x (1 + g)^(t - base)
    (001_8bebe4ae25a58006.txt:3933: trends in unit cost and demand continue as over the past five years).
    """
    years = np.arange(base_year, 2034)
    base = system["spend.base_spend"].first_value
    share = system["spend.share_looked_after"].first_value
    g = system["spend.unit_cost_growth"].first_value * growth_multiplier
    if base_year not in cla_years:  # an LA created after the base year: spend starts from its first year
        base_year = int(cla_years[0])
        years = np.arange(base_year, 2034)
    j0 = int(np.nonzero(cla_years == base_year)[0][0])
    base_cla = cla_cf[:, [j0]]
    with np.errstate(divide="ignore", invalid="ignore"):
        cla = np.where(base_cla > 0, cla_cf[:, j0: j0 + years.size] / base_cla, 1.0)
    try:
        cin = review_counterfactual(area, base_year=base_year, to_year=2033, trend=trend, measure="cin",
                                    population_growth=population_growth)
        k0 = int(np.nonzero(cin.years == base_year)[0][0])
        cin_idx = np.atleast_2d(cin.stock)[:, k0:] / np.atleast_2d(cin.stock)[:, [k0]]
    except Exception:  # CIN not published for the area: demand for other services follows CLA
        cin_idx = cla
    scale_area = 1.0
    if area.level != "national":
        scale_area = load_series(area).value("cla", base_year) / load_series(None).value("cla", base_year)
    # Spend is stated for 2020-21 (year ending March 2021); an area starting later is scaled from that level.
    demand = share * cla + (1.0 - share) * cin_idx
    spend = base * scale_area * demand * (1.0 + g[:, None]) ** (years - base_year)
    return years, spend


# The unit cost of each placement in the area's mix (the shared unit-cost library: parameters/unit_costs).
PLACEMENT_UNIT_COSTS = {
    "residential": "unit_costs.residential",
    "foster_in_house": "unit_costs.foster",
    "foster_agency": "unit_costs.foster_agency",
    "kinship_foster": "unit_costs.fostering_allowance",
    "with_parents": "unit_costs.child_in_need",
    "other": "unit_costs.looked_after",
}


def area_context(area: str | Area | None, system: Mapping[str, Parameter], n: int = 1,
                 growth: np.ndarray | float | None = None, trend: str = "linear",
                 multipliers: Mapping[str, np.ndarray] | None = None) -> AreaContext:
    """The area's own rates, counterfactual, starts and cost of a child in care, for ``n`` draws."""
    a = resolve_area(area)
    mult = multipliers or {}
    base_year = int(system["counterfactual.base_year"].first_value)
    window = int(system["counterfactual.window_years"].first_value)
    g = system["counterfactual.population_growth"].first_value if growth is None else growth
    cf = review_counterfactual(a, base_year=base_year, to_year=2033, trend=trend, window=window,
                               population_growth=g)
    stock = np.broadcast_to(np.atleast_2d(cf.stock), (n, cf.years.size))
    idx = np.searchsorted(cf.years, np.arange(FIRST_YEAR, FIRST_YEAR + 1 + N_YEARS))
    first = stock[:, idx[0]].copy()
    cf10 = stock[:, idx[1:]].copy()
    rates = local_rates(a)
    pop = load_series(a).population_path(np.arange(FIRST_YEAR + 1, FIRST_YEAR + 1 + N_YEARS), g)
    starts = np.broadcast_to(np.atleast_2d(rates.starts_rate_per_10k * pop / 1e4), (n, N_YEARS)).copy()
    care = np.zeros((n, N_YEARS))
    for placement, ref in PLACEMENT_UNIT_COSTS.items():
        p = system[ref]
        value = per_year(np.full(n, p.by_financial_year(FIRST_YEAR, 1)[0]), p.unit) * mult.get(ref, np.ones(n))
        care = care + rates.placement_shares[placement] * value[:, None]
    scale = 1.0
    if a.level != "national":
        s_area, s_nat = load_series(a), load_series(None)
        share_year = base_year if np.isfinite(s_area.value("cla", base_year)) else s_area.last_year
        scale = s_area.value("cla", share_year) / s_nat.value("cla", share_year)
    return AreaContext(rates, first, cf10, starts, care, scale)


def _exit_hazards(a: Area, own: OwnSystem | None) -> tuple[dict[str, dict[str, float]] | None, str]:
    """The area's exit hazards by reason and age band, and what they are measured on."""
    from careflow.reform.local_mixes import hazards_by_age

    if own is not None:
        return own.hazards_by_band, f"exits a year / child-years in care, {own.window} (the LA's returns)"
    key = "England" if a.level != "la" else a.key
    found = hazards_by_age(key)
    if found is None:
        return None, ""
    basis = found[1] + ("" if a.level == "la" or a.level == "national" else " (England's: regions are not derived)")
    return found[0], basis


def own_context(own: OwnSystem, system: Mapping[str, Parameter], n: int = 1,
                multipliers: Mapping[str, np.ndarray] | None = None) -> AreaContext:
    """The context of an LA's own returns: its flat-rate counterfactual from 31 March 2023, its starts, and the
    cost of a child in care at its own placement mix."""
    mult = multipliers or {}
    years, stock = own.counterfactual()
    idx = np.searchsorted(years, np.arange(FIRST_YEAR, FIRST_YEAR + 1 + N_YEARS))
    if years[0] > FIRST_YEAR:
        raise ValueError(f"the returns end on 31 March {years[0]}, after the model's first year")
    first = np.full(n, stock[idx[0]])
    cf10 = np.broadcast_to(stock[idx[1:]][None, :], (n, N_YEARS)).copy()
    starts = np.full((n, N_YEARS), own.starts_per_year)
    care = np.zeros((n, N_YEARS))
    for placement, ref in PLACEMENT_UNIT_COSTS.items():
        p = system[ref]
        value = per_year(np.full(n, p.by_financial_year(FIRST_YEAR, 1)[0]), p.unit) * mult.get(ref, np.ones(n))
        care = care + own.rates.placement_shares[placement] * value[:, None]
    return AreaContext(own.rates, first, cf10, starts, care, own.scale)
def _workforce_multipliers(a: Area, scale: float, n: int, notes: list[str]) -> dict[str, np.ndarray]:
    """An area's own workforce in the workforce levers (careflow.reform.workforce.area_multipliers)."""
    from careflow.reform.workforce import area_multipliers

    return area_multipliers(a, scale, n, notes)


def run(
    package: Package | str | None = None,
    area: str | Area | OwnSystem | None = None,
    *,
    draws: int = 0,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
    trend: str = "linear",
    multipliers: Mapping[str, np.ndarray] | None = None,
) -> ReformRun:
    """Run ``package`` (default: the Review's) for ``area`` (default: England; an :class:`OwnSystem`: an LA's own
    returns, ``careflow reform --returns``).

    ``draws`` > 0 runs a Monte Carlo over the uncertainties stated in the parameter files, with ``rng`` (or a
    generator seeded with ``seed``). ``multipliers`` (full parameter name -> per-draw array) overrides the
    sampling, e.g. for one-at-a-time sensitivity.
    """
    pkg = package if isinstance(package, Package) else load_package(package)
    own = area if isinstance(area, OwnSystem) else None
    a = area.area if isinstance(area, OwnSystem) else resolve_area(area)
    system = pkg.system
    if multipliers is not None:
        mult = dict(multipliers)
        n = len(next(iter(mult.values()))) if mult else 1
    elif draws > 0:
        rng = rng if rng is not None else np.random.default_rng(seed)
        mult = sample_multipliers(pkg, draws, rng)
        n = draws
    else:
        mult, n = {}, 1
    notes: list[str] = []

    base_year = int(system["counterfactual.base_year"].first_value)
    window = int(system["counterfactual.window_years"].first_value)
    growth = np.full(n, system["counterfactual.population_growth"].first_value)
    if "counterfactual.population_growth" in mult:
        # The multiplier's uncertainty is uniform on [0, 2]: (m - 1) is a draw on [-1, 1] of the stated spread.
        growth = growth + (mult["counterfactual.population_growth"] - 1.0) * \
            system["counterfactual.population_growth_sd"].first_value
    if own is not None:
        cla_years, cf_stock = own.counterfactual()
        cla_cf = np.atleast_2d(cf_stock)
        ctx = own_context(own, system, n, mult)
    else:
        cf = review_counterfactual(a, base_year=base_year, to_year=2033, trend=trend, window=window,
                                   population_growth=growth if n > 1 else float(growth[0]))
        cla_years = cf.years
        cla_cf = np.atleast_2d(cf.stock)
        notes.extend(cf.notes)
        ctx = area_context(a, system, n, growth if n > 1 else float(growth[0]), trend, mult)
    scale = ctx.scale
    if own is not None:
        notes.append(f"national money and volumes are scaled to {a.label} by its share of England's children "
                     f"looked after ({scale:.2%}); its own starts, exits by reason and age, and placements "
                     f"(returns, {own.window}) drive the effects")
    elif a.level != "national":
        notes.append(f"national money and volumes are scaled to {a.label} by its share of children looked after "
                     f"({scale:.2%}); its own starts, exits by reason and placement mix drive the effects")
    notes.extend(ctx.rates.notes)
    mult = {**mult, **_workforce_multipliers(a, scale, n, notes)}

    results = {name: evaluate(pkg.levers[name], system, mult, n, context=ctx) for name in pkg.enabled}
    group_net = {g: np.zeros((n, N_YEARS)) for g in GROUPS}
    for name, r in results.items():
        group_net[pkg.levers[name].group] = group_net[pkg.levers[name].group] + r.net
    group_net = {g: v for g, v in group_net.items() if any(pkg.levers[x].group == g for x in pkg.enabled)}
    total = sum((r.net for r in results.values()), start=np.zeros((n, N_YEARS)))
    diverted = {g: np.zeros((n, N_YEARS)) for g in DIVERSION_GROUPS}
    for r in results.values():
        for g, v in r.by_diversion_group.items():
            diverted[g] = diverted[g] + v
    # Children looked after with reform: the stock-flow run with every lever's changed rates at once.
    avoided = sum((r.avoided_share for r in results.values() if r.avoided_share is not None),
                  start=np.zeros((n, N_YEARS)))
    uplift = sum((r.uplift for r in results.values() if r.uplift is not None), start=np.zeros((n, N_YEARS)))
    weighted = sum((r.returns_weighted for r in results.values() if r.returns_weighted is not None),
                   start=np.zeros((n, N_YEARS)))
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.where(uplift > 0, weighted / uplift, 0.0)  # the extra exits' return hazard, uplift-weighted
    joint = run_system(ctx.first_stock, ctx.cf_stock, ctx.starts, np.clip(avoided, 0.0, 1.0), uplift, returns)
    cla_reduction = joint.reduction
    # Year t of the table ends on 31 March FIRST_YEAR + t.
    reform_idx = np.searchsorted(cla_years, np.arange(FIRST_YEAR + 1, FIRST_YEAR + 1 + N_YEARS))
    cla_reform = np.broadcast_to(cla_cf, (n, cla_years.size)).copy()
    cla_reform[:, reform_idx] = cla_reform[:, reform_idx] - cla_reduction

    hazards, hazards_basis = _exit_hazards(a, own)
    growth_mult = mult.get("spend.unit_cost_growth", np.ones(n))
    if own is not None:  # England's counterfactual spend, scaled by the LA's share of children looked after
        england = review_counterfactual(None, base_year=base_year, to_year=2033, trend=trend, window=window,
                                        population_growth=growth if n > 1 else float(growth[0]))
        spend_years, spend_cf = _spend(resolve_area(None), system, england.years,
                                       np.broadcast_to(np.atleast_2d(england.stock), (n, england.years.size)),
                                       base_year, growth if n > 1 else float(growth[0]), trend,
                                       np.asarray(growth_mult))
        spend_cf = spend_cf * scale
        notes.append("spend: England's counterfactual spend scaled by the LA's share of children looked after")
    else:
        spend_years, spend_cf = _spend(a, system, cla_years, np.broadcast_to(cla_cf, (n, cla_years.size)),
                                       base_year, growth if n > 1 else float(growth[0]), trend,
                                       np.asarray(growth_mult))
    spend_reform = spend_cf.copy()
    sidx = np.searchsorted(spend_years, np.arange(FIRST_YEAR + 1, FIRST_YEAR + 1 + N_YEARS))
    spend_reform[:, sidx] = spend_reform[:, sidx] - total / 1000.0
    return ReformRun(
        package=pkg, area=a, scale=scale, draws=n if (draws > 0 or multipliers is not None) else 0,
        years=financial_year_labels(), levers=results, group_net=group_net, total=total,
        cumulative=np.cumsum(total, axis=1), cla_years=cla_years, cla_counterfactual=np.broadcast_to(
            cla_cf, (n, cla_years.size)).copy(), cla_reform=cla_reform, diverted=diverted,
        spend_years=spend_years, spend_counterfactual=spend_cf, spend_reform=spend_reform, notes=notes,
        context=ctx, cla_reduction_joint=cla_reduction, exit_hazards=hazards, exit_hazards_basis=hazards_basis,
    )
