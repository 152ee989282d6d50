"""Benchmark: the national reform model.

1. Monte Carlo: 10,000 runs of the ten-year national model (counterfactual, 22 levers, CLA with and without
   reform, spend), every uncertain parameter drawn (target: under 5 s).
2. All 152 local authorities' counterfactuals (the Review's method) at once (target: under 5 s).
3. For reference: one deterministic run, the one-at-a-time sensitivity, and a region and an LA run.

Run ``python benchmarks/bench_reform.py [--draws 10000] [--seed 2022]``. Prints wall-clock and CPU seconds.
Module loading and the first read of the shipped data are timed separately ("warm-up").
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _timed(label: str, fn: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:60s} {time.perf_counter() - wall:7.3f} s wall  {time.process_time() - cpu:7.3f} s CPU")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()

    def warm() -> Any:
        from careflow import reform

        reform.run()
        return reform

    reform = _timed("warm-up (imports, parameter files, data)", warm)
    from careflow.reform.sensitivity import monte_carlo_summary, tornado
    from careflow.reform.stockflow import la_counterfactuals

    mc = _timed(f"1. Monte Carlo, {args.draws:,} draws of the national model", lambda: reform.run(
        draws=args.draws, seed=args.seed))
    s = monte_carlo_summary(mc)
    p50 = np.array(s["total_p50"])
    print(f"   median total by year (£m): {np.round(p50).astype(int).tolist()}")
    print(f"   P(cumulative break-even by 2032-33) = {s['probability_break_even'][-1]:.0%}")  # type: ignore[index]
    cf = _timed("2. counterfactuals for all 152 local authorities", la_counterfactuals)
    print(f"   {cf.stock.shape[0]} LAs x {cf.stock.shape[1]} years; sum at 31 March 2033: {cf.stock[:, -1].sum():,.0f}")
    _timed("3a. one deterministic national run", reform.run)
    _timed("3b. one-at-a-time sensitivity (tornado)", tornado)
    _timed("3c. London (region) run", lambda: reform.run(area="London"))
    _timed("3d. Leeds (LA) run with 1,000 draws", lambda: reform.run(area="Leeds", draws=1000, seed=1))


if __name__ == "__main__":
    main()
