"""Entry point for ``careflow reform``: print the predicted table beside the Review's and write the reports."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from careflow.errors import CareflowError
from careflow.reform.model import run
from careflow.reform.own_system import OwnSystem
from careflow.reform.package import load_package
from careflow.reform.pathway import JourneyCost, price_journey
from careflow.reform.published import REVIEW_TOTALS
from careflow.reform.report import html_report, json_summary, text_table
from careflow.reform.sensitivity import monte_carlo_summary, tornado

__all__ = ["cli_main", "journey_text"]

DEFAULT_DRAWS = 2000
# Each shipped journey and the alternative its source draws beside it.
ALTERNATIVES = {"josh": "josh_early_help"}


def _gbp(v: float) -> str:
    return f"£{v:,.0f}m" if v >= 0 else f"−£{-v:,.0f}m"


def journey_text(name: str) -> str:
    """A costed journey and, where its source draws one, the alternative, side by side by age."""
    main = price_journey(name)
    alt: JourneyCost | None = price_journey(ALTERNATIVES[name]) if name in ALTERNATIVES else None
    lines = [f"{main.name}: cost to the state by age (whole pounds; unit costs from parameters/journeys/services.yaml)"]
    head = f"{'age':>5s}{'this year':>12s}{'cumulative':>12s}"
    if alt is not None:
        head += f"{alt.name + ': year':>34s}{'cumulative':>12s}"
    lines.append(head)
    for k, age in enumerate(main.ages):
        row = f"{age:>5d}{main.annual[k]:>12,}{main.cumulative[k]:>12,}"
        if alt is not None and age in alt.ages:
            j = alt.ages.index(age)
            row += f"{alt.annual[j]:>34,}{alt.cumulative[j]:>12,}"
        lines.append(row)
    for service, amounts in main.by_service.items():
        lines.append(f"  {service:22s} {sum(amounts):>10,}  ({'; '.join(main.references[service])})")
    if alt is not None:
        lines.append(f"Total to age {main.ages[-1]}: {main.name} £{main.cumulative[-1]:,}; {alt.name} "
                     f"£{alt.cumulative[-1]:,} (difference £{main.cumulative[-1] - alt.cumulative[-1]:,}; the CSJ: "
                     "\"the total cost to the state may be comparable once Josh reaches 16\", "
                     "000_dab62616b6dfd7b9.txt:610)")
    return "\n".join(lines)


def own_system_text(own: OwnSystem) -> str:
    """What the LA's own returns give the model (its exits and placements are printed with the table)."""
    r = own.rates
    bands = ("0_4", "5_9", "10_15", "16_plus")
    lines = [f"{own.area.name}: rates measured through flows over {own.window}",
             f"  children in care at the end: {own.stock_at_end:,.0f}; starts {own.starts_per_year:,.0f} a year "
             f"(by age on starting: " + ", ".join(f"{b} {r.age_shares[b]:.0%}" for b in bands) + ")",
             "  exits by reason and age band, and placements: below the table (the levers act on these)"]
    return "\n".join(lines) + "\n"


def cli_main(package: str | None, area: str, report: Path | None, *, draws: int = DEFAULT_DRAWS, seed: int = 2022,
             out: TextIO | None = None, err: TextIO | None = None, json_out: Path | None = None,
             journey: str | None = None, returns: Path | None = None) -> int:
    """Run ``package`` (a YAML file or shipped name; ``None``: the Review's) for ``area`` ('England', a region or
    an LA), print the predicted public-finance table beside the Review's, write a self-contained HTML report to
    ``report`` and a JSON summary to ``json_out`` (if given). With ``returns`` (a folder of an LA's SSDA903
    returns), the LA's own starts, exits and placements measured through flows replace ``area``'s published rates.
    With ``journey`` ('josh'), print that costed journey and its alternative instead. Returns a process exit
    code: 0, or 2 with a message on bad input.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    if journey is not None:
        try:
            print(journey_text(journey), file=out)
        except CareflowError as exc:
            print(f"careflow reform: {exc}", file=err)
            return 2
        return 0
    where: str | OwnSystem = area
    try:
        pkg = load_package(package)
        if returns is not None:
            from careflow.reform.own_system import from_returns

            where = from_returns(returns)
            print(own_system_text(where), file=out)
        central = run(pkg, where)
        mc = run(pkg, where, draws=draws, seed=seed) if draws > 0 else None
    except CareflowError as exc:
        print(f"careflow reform: {exc}", file=err)
        return 2
    if mc is not None:
        s = monte_carlo_summary(mc)
        cla = s["cla_reduction_2032_33"]
        net = s["net_10_year"]
        assert isinstance(cla, list) and isinstance(net, list)
        national = central.area.level == "national"
        print(f"Monte Carlo ({draws:,} draws, seed {seed}): fewer children looked after at 31 March 2033, median "
              f"{cla[1]:,.0f} (90% band {cla[0]:,.0f} to {cla[2]:,.0f})" + (" - the Review: 30,000" if national else "")
              + f"; ten-year net {_gbp(net[1])} (90% band {_gbp(net[0])} to {_gbp(net[2])})"
              + (" - the Review: £" + f"{sum(REVIEW_TOTALS):,}m"
                 if national else ""), file=out)
        p = s["probability_break_even"]
        assert isinstance(p, list)
        print("Probability of cumulative break-even by year: "
              + ", ".join(f"{y} {v:.0%}" for y, v in zip(central.years, p, strict=True)), file=out)
        print("Parameters that move the ten-year net most (each at its 10th / 90th percentile, £m): " + "; ".join(
            f"{b.parameter} {b.outcome_low:,.0f} / {b.outcome_high:,.0f}" for b in tornado(pkg, where, top=5))
            + "\n", file=out)
    from careflow.measures.published import coverage

    print(f"Published statistics held: {coverage().describe()}", file=out)
    print(text_table(central), file=out)
    if json_out is not None:
        try:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(json_summary(central, mc), indent=1), encoding="utf-8")
        except OSError as exc:
            print(f"careflow reform: cannot write {json_out}: {exc.strerror}", file=err)
            return 2
        print(f"\nJSON written to {json_out}", file=out)
    if report is not None:
        bars = tornado(pkg, where)
        bars_cla = tornado(pkg, where, outcome="cla_reduction_2032_33", top=10)
        page = html_report(central, mc, bars, bars_cla, price_journey("josh"), price_journey(ALTERNATIVES["josh"]))
        try:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(page, encoding="utf-8")
        except OSError as exc:
            print(f"careflow reform: cannot write the report to {report}: {exc.strerror}", file=err)
            return 2
        print(f"\nReport written to {report}", file=out)
    return 0
