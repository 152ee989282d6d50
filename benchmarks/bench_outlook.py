"""Benchmark: the outlook (issue 10).

The whole of ``careflow outlook``: read the published history, back-test every candidate from every origin
(2012-2021, horizons 1-5, every area and measure), choose the methods, calibrate the bands (and measure their
coverage origin by origin), and forecast every area 5 years ahead with bands (target: under 60 s in all). Then
the CSV for every area and an LA's HTML report, and, for reference, the steps one by one.

Run ``python benchmarks/bench_outlook.py``. Prints wall-clock and CPU seconds and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _timed(label: str, fn: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:66s} {time.perf_counter() - wall:7.3f} s wall  {time.process_time() - cpu:7.3f} s CPU")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", default="Leeds", help="the LA whose report is written")
    args = parser.parse_args()
    start = time.perf_counter()

    def everything() -> Any:
        from careflow.outlook import run_outlook

        return run_outlook(5)

    result = _timed("1. outlook, all areas, 5 years with bands + back-test of all origins", everything)
    f = result.frame
    print(f"   {f.height:,} rows ({f['area_code'].n_unique()} areas x {f['year'].n_unique()} years x "
          f"{f['measure'].n_unique()} measures); back-test {result.backtest.errors.height:,} scored forecasts "
          f"from origins {result.backtest.origins[0]}-{result.backtest.origins[-1]}")
    with tempfile.TemporaryDirectory() as tmp:
        from careflow.outlook import find_outlook_area
        from careflow.outlook.report import html_report

        _timed("2. CSV of every area", lambda: f.write_csv(Path(tmp) / "outlook.csv"))
        _timed(f"3. HTML report for {args.area}", lambda: html_report(result, find_outlook_area(args.area)))
    from careflow.outlook.backtest import choose_methods, run_backtest
    from careflow.outlook.forecast import coverage
    from careflow.outlook.history import load_history

    h = load_history()
    bt = _timed("4a. back-test alone (again, history cached)", lambda: run_backtest(h))
    choices = _timed("4b. scores and choice of methods", lambda: choose_methods(bt.scores()))
    _timed("4c. band coverage, each origin calibrated on the others", lambda: coverage(bt, choices))
    print(f"total {time.perf_counter() - start:.2f} s; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
