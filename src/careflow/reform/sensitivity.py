"""One-at-a-time sensitivity (the tornado chart) and Monte Carlo summaries.

Each uncertain parameter is set to the 10th and then the 90th percentile of its stated distribution, every other
parameter staying central; all 2 x K runs go through the model as one vectorised batch of draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from careflow.reform.model import ReformRun, run, uncertain_parameters
from careflow.reform.own_system import OwnSystem
from careflow.reform.package import Package, load_package
from careflow.reform.series import Area

__all__ = ["Bar", "monte_carlo_summary", "tornado"]


@dataclass(frozen=True)
class Bar:
    """One parameter's swing of an outcome between its low and high values."""

    parameter: str
    description: str
    low_multiplier: float
    high_multiplier: float
    outcome_low: float
    outcome_high: float
    central: float

    @property
    def swing(self) -> float:
        return abs(self.outcome_high - self.outcome_low)


def _outcome(r: ReformRun, outcome: str) -> np.ndarray:
    if outcome == "ten_year_net":
        return r.total.sum(axis=1)
    if outcome == "cla_reduction_2032_33":
        return r.cla_reduction_2032_33()
    if outcome == "net_2032_33":
        return r.total[:, -1]
    raise ValueError(f"unknown outcome {outcome!r}: ten_year_net, net_2032_33 or cla_reduction_2032_33")


def tornado(package: Package | str | None = None, area: str | Area | OwnSystem | None = None,
            outcome: str = "ten_year_net", top: int = 15) -> list[Bar]:
    """The parameters that move ``outcome`` most, largest swing first."""
    pkg = package if isinstance(package, Package) else load_package(package)
    params = uncertain_parameters(pkg)
    names = sorted(params)
    k = len(names)
    mult = {n: np.ones(2 * k + 1) for n in names}
    bounds = {}
    for i, n in enumerate(names):
        unc = params[n].uncertainty
        assert unc is not None
        lo, hi = unc.quantiles()
        bounds[n] = (lo, hi)
        mult[n][2 * i] = lo
        mult[n][2 * i + 1] = hi
    r = run(pkg, area, multipliers=mult)
    y = _outcome(r, outcome)
    central = float(y[-1])
    bars = [Bar(n, params[n].description, bounds[n][0], bounds[n][1], float(y[2 * i]), float(y[2 * i + 1]),
                central) for i, n in enumerate(names)]
    bars.sort(key=lambda b: -b.swing)
    return bars[:top]


def monte_carlo_summary(r: ReformRun) -> dict[str, object]:
    """Bands (5th, 50th, 95th percentiles) on the totals and the probability of breaking even by each year."""
    q = np.quantile(r.total, [0.05, 0.5, 0.95], axis=0)
    cq = np.quantile(r.cumulative, [0.05, 0.5, 0.95], axis=0)
    cla = np.quantile(r.cla_reduction_2032_33(), [0.05, 0.5, 0.95])
    net = np.quantile(r.total.sum(axis=1), [0.05, 0.5, 0.95])
    return {
        "net_10_year": net.tolist(),
        "draws": r.total.shape[0],
        "years": r.years,
        "total_p05": q[0].tolist(), "total_p50": q[1].tolist(), "total_p95": q[2].tolist(),
        "cumulative_p05": cq[0].tolist(), "cumulative_p50": cq[1].tolist(), "cumulative_p95": cq[2].tolist(),
        "probability_break_even": r.probability_break_even().tolist(),
        "cla_reduction_2032_33": cla.tolist(),
    }
