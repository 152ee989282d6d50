"""``careflow outlook``: the entry point the command line calls. Thin: it runs, narrows, writes and reports.

``cli_main`` returns the process exit code and writes messages to ``err``; it never raises for bad input.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import polars as pl

from careflow.errors import CareflowError
from careflow.outlook.backtest import ORIGINS, SCORED_HORIZONS, split_check
from careflow.outlook.forecast import POPULATION_ASSUMPTION, OutlookResult, find_outlook_area, run_outlook
from careflow.outlook.history import OutlookArea
from careflow.outlook.models import MEASURE_NAMES

__all__ = ["backtest_text", "cli_main"]

LEVEL_ORDER = ("local authority", "regional", "national")


def backtest_text(result: OutlookResult) -> str:
    """MAPE and bias per horizon for every candidate (persistence included), the chosen method marked, and the
    bands' coverage."""
    hs = SCORED_HORIZONS
    lines = [f"Rolling-origin back-test: origins {ORIGINS[0]}-{ORIGINS[-1]}, horizons {hs[0]}-{hs[-1]} years, "
             f"every area; data to {result.history.last_year}.",
             "MAPE: mean absolute percentage error; bias: mean signed percentage error (+ = forecast too high). "
             "* = the method the outlook uses (lowest mean MAPE among those below persistence at every horizon)."]
    s = result.scores
    for m in MEASURE_NAMES:
        for level in LEVEL_ORDER:
            part = s.filter((pl.col("measure") == m) & (pl.col("level") == level))
            if not part.height:
                continue
            n = int(part.filter(pl.col("method") == "persistence")["n"].sum())
            lines.append("")
            lines.append(f"{m} - {level} ({n:,} forecasts per method)")
            head = f"  {'method':<20}" + "".join(f"{'MAPE ' + str(h) + 'y':>10}" for h in hs) + "".join(
                f"{'bias ' + str(h) + 'y':>10}" for h in hs)
            lines.append(head)
            for method in sorted(part["method"].unique().to_list(), key=lambda x: (x != "persistence", x)):
                rows = part.filter(pl.col("method") == method).sort("horizon")
                mark = "*" if result.choices[(level, m)] == method else " "
                mape = "".join(f"{v:>9.2f}%" for v in rows["mape"])
                bias = "".join(f"{v:>+9.2f}%" for v in rows["bias"])
                lines.append(f"{mark} {method:<20}{mape}{bias}")
    lines.append("")
    lines.append("Band coverage of the methods used (each origin's bands calibrated on the other origins' errors):")
    lines.append(f"  {'measure':<14}{'level':<17}" + "".join(f"{'80% ' + str(h) + 'y':>9}" for h in hs)
                 + "".join(f"{'95% ' + str(h) + 'y':>9}" for h in hs) + f"{'80% all':>9}{'95% all':>9}")
    cov = result.coverage
    for m in MEASURE_NAMES:
        for level in LEVEL_ORDER:
            c = cov.filter((pl.col("measure") == m) & (pl.col("level") == level)).sort("horizon")
            if not c.height:
                continue
            w = c["n"].cast(pl.Float64).to_numpy()
            all80 = float((c["coverage80"].to_numpy() * w).sum() / w.sum())
            all95 = float((c["coverage95"].to_numpy() * w).sum() / w.sum())
            lines.append(f"  {m:<14}{level:<17}" + "".join(f"{v:>8.1f}%" for v in c["coverage80"])
                         + "".join(f"{v:>8.1f}%" for v in c["coverage95"]) + f"{all80:>8.1f}%{all95:>8.1f}%")
    check = split_check(result.backtest)
    first, second = ORIGINS[:4], ORIGINS[4:]
    lines.append("")
    lines.append(f"Out-of-sample check of the choice: chosen on origins {first[0]}-{first[-1]} only, scored on "
                 f"{second[0]}-{second[-1]} (MAPE 1-3y, against persistence):")
    for r in check.iter_rows(named=True):
        mine = "/".join(f"{v:.2f}" for v in r["mape_second"])
        ref = "/".join(f"{v:.2f}" for v in r["persistence_second"])
        verdict = "beats persistence" if r["beats_persistence"] else "does NOT beat persistence"
        if r["chosen_on_first"] == "persistence":
            verdict = "(persistence)"
        lines.append(f"  {r['measure']:<14}{r['level']:<17}{r['chosen_on_first']:<19}{mine:<20} vs {ref:<20}"
                     f"{verdict}")
    return "\n".join(lines)


def _summary(result: OutlookResult, frame: pl.DataFrame, area: OutlookArea | None) -> str:
    h = result.history
    who = area.display_name if area is not None else "England"
    code = area.ons_code if area is not None else "E92000001"
    la = area.old_la_code if area is not None else ""
    rows = frame.filter((pl.col("area_code") == code) & (pl.col("old_la_code") == la))
    lines = [f"Outlook for {who}: forecasts from {h.last_year + 1} (years ending 31 March)",
             f"{'year':<6}{'measure':<14}{'value':>9}{'80% band':>20}{'95% band':>20}  method"]
    i = h.index(area.code if area is not None else "E92000001")
    for m in MEASURE_NAMES:
        v = h.values[m][i, -1]
        lines.append(f"{h.last_year:<6}{m:<14}{v:>9,.0f}{'':>20}{'':>20}  published")
    order = {m: k for k, m in enumerate(MEASURE_NAMES)}
    rows = rows.with_columns(pl.col("measure").replace_strict(order, return_dtype=pl.Int32).alias("_order"))
    for r in rows.sort("_order", "year").iter_rows(named=True):
        b80 = f"{r['lo80']:,.0f}-{r['hi80']:,.0f}"
        b95 = f"{r['lo95']:,.0f}-{r['hi95']:,.0f}"
        lines.append(f"{r['year']:<6}{r['measure']:<14}{r['value']:>9,.0f}{b80:>20}{b95:>20}  {r['method']}")
    return "\n".join(lines)


def cli_main(
    *,
    horizon: int = 5,
    area: str | None = None,
    csv: Path | None = None,
    report: Path | None = None,
    backtest: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> int:
    """Run the outlook; print a summary (or the back-test); write the CSV and the HTML report if asked.

    Returns a process exit code: 0, or 2 with a message on bad input.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    step = progress or (lambda _s, _f: None)
    try:
        if not 1 <= horizon <= 5:
            raise CareflowError(f"--horizon {horizon}: the outlook forecasts 1 to 5 years ahead")
        step("reading the published history", 0.05)
        chosen = find_outlook_area(area) if area else None
        step("back-testing every candidate from every origin", 0.2)
        result = run_outlook(horizon)
    except CareflowError as exc:
        print(f"careflow outlook: {exc}", file=err)
        return 2
    step("writing", 0.9)
    frame = result.frame
    if chosen is not None:
        frame = frame.filter((pl.col("area_code") == chosen.ons_code) & (pl.col("old_la_code") == chosen.old_la_code))
    if backtest:
        print(backtest_text(result), file=out)
    else:
        print(_summary(result, frame, chosen), file=out)
    print(f"\nSource: {result.history.source}. Population after the last estimate: {POPULATION_ASSUMPTION}.",
          file=out)
    missing = [a.name for a in result.history.areas
               if a.level == "local authority" and a.ons_code in set(frame["area_code"].to_list())
               and frame.filter(pl.col("area_code") == a.ons_code)["measure"].n_unique() < len(MEASURE_NAMES)]
    if missing and chosen is None:
        print(f"No forecast where the latest figure is suppressed: {', '.join(sorted(set(missing)))} (some "
              "measures).", file=out)
    try:
        if csv is not None:
            csv.parent.mkdir(parents=True, exist_ok=True)
            frame.write_csv(csv)
            print(f"{frame.height:,} rows written to {csv}", file=out)
        if report is not None:
            from careflow.outlook.report import html_report

            target = chosen or find_outlook_area("England", result.history)
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(html_report(result, target), encoding="utf-8")
            print(f"Report written to {report}", file=out)
    except OSError as exc:
        print(f"careflow outlook: cannot write {exc.filename}: {exc.strerror}", file=err)
        return 2
    step("done", 1.0)
    return 0
