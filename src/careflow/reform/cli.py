"""Entry point for ``careflow reform``: print the reproduced table and write the HTML report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from careflow.errors import CareflowError
from careflow.reform.model import run
from careflow.reform.package import load_package
from careflow.reform.pathway import price_journey
from careflow.reform.report import html_report, text_table
from careflow.reform.sensitivity import monte_carlo_summary, tornado

__all__ = ["cli_main"]

DEFAULT_DRAWS = 2000


def cli_main(package: str | None, area: str, report: Path | None, *, draws: int = DEFAULT_DRAWS, seed: int = 2022,
             out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``package`` (a YAML file or shipped name; ``None``: the Review's) for ``area`` ('England', a region or
    an LA), print the public-finance table beside the Review's, and write a self-contained HTML report to
    ``report`` (if given). Returns a process exit code: 0, or 2 with a message on bad input.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        pkg = load_package(package)
        central = run(pkg, area)
        mc = run(pkg, area, draws=draws, seed=seed) if draws > 0 else None
    except CareflowError as exc:
        print(f"careflow reform: {exc}", file=err)
        return 2
    print(text_table(central), file=out)
    if mc is not None:
        s = monte_carlo_summary(mc)
        p = s["probability_break_even"]
        assert isinstance(p, list)
        print(f"\nMonte Carlo ({draws:,} draws, seed {seed}): probability of cumulative break-even by year - "
              + ", ".join(f"{y} {v:.0%}" for y, v in zip(central.years, p, strict=True)), file=out)
        cla = s["cla_reduction_2032_33"]
        assert isinstance(cla, list)
        print(f"Fewer children looked after in 2032-33: {cla[1]:,.0f} (90% band {cla[0]:,.0f} to {cla[2]:,.0f})",
              file=out)
    if report is not None:
        bars = tornado(pkg, area)
        bars_cla = tornado(pkg, area, outcome="cla_reduction_2032_33", top=10)
        page = html_report(central, mc, bars, bars_cla, price_journey("josh"))
        try:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(page, encoding="utf-8")
        except OSError as exc:
            print(f"careflow reform: cannot write the report to {report}: {exc.strerror}", file=err)
            return 2
        print(f"\nReport written to {report}", file=out)
    return 0
