"""The glue behind ``careflow sufficiency`` (careflow/cli.py wires it; the work is in sufficiency and report)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from careflow.errors import CareflowError

__all__ = ["cli_main"]


def cli_main(area: str | None, footprint: Path | None, *, years: int = 5, returns: Path | None = None,
             ofsted: Path | None = None, recruit_carers: float = 0.0, open_homes: float = 0.0,
             purchasing: str = "spot", margin_cap: float | None = None, out: Path | None = None,
             progress: Callable[[str, float], None] | None = None) -> int:
    """Run sufficiency for an area (or a footprint file), print the gap table, write outputs; 0 ok, 2 bad input."""
    from rich.console import Console
    from rich.table import Table

    from careflow.supply.areas import resolve_area, resolve_footprint
    from careflow.supply.report import write_outputs
    from careflow.supply.sufficiency import Scenario, run_sufficiency

    console = Console(highlight=False, width=140)
    err = Console(stderr=True, highlight=False, width=140)
    try:
        if (area is None) == (footprint is None):
            raise CareflowError("give --area (an LA, a region such as 'North West', or England) or --footprint FILE "
                                "(a list of LAs), one of the two")
        fp = resolve_footprint(footprint) if footprint is not None else resolve_area(str(area))
        scenario = Scenario(recruit_carers, open_homes, purchasing, margin_cap).check()
        result = run_sufficiency(fp, years=years, scenario=scenario, returns=returns, ofsted=ofsted,
                                 progress=progress)
        baseline = None
        if scenario != Scenario():
            baseline = run_sufficiency(fp, years=years, returns=returns, ofsted=ofsted)
        paths = write_outputs([result], out, compare=baseline) if out is not None else []
    except (CareflowError, OSError) as exc:
        err.print(f"[red]careflow sufficiency:[/] {exc}")
        return 2
    table = Table(title=f"Sufficiency: {fp.name} ({scenario.label}); gap = demand - supply, children at 31 March")
    table.add_column("year")
    for t in ("foster_in_house", "foster_independent", "childrens_home", "supported_accommodation"):
        table.add_column(t.replace("_", " "), justify="right")
    table.add_column("needs met", justify="right")
    table.add_column("within 20 miles", justify="right")
    table.add_column("cost £m", justify="right")
    for y, m in zip(result.years, result.measures, strict=True):
        table.add_row(str(y), *[f"{result.row(y, t)['gap']:+,.0f}" for t in
                                ("foster_in_house", "foster_independent", "childrens_home", "supported_accommodation")],
                      f"{m['needs_met_share']:.1%}", f"{m['within_20_miles_share']:.1%}",
                      f"{m['total_cost_gbp'] / 1e6:,.1f}")
    console.print(table)
    console.print(f"Demand: {result.demand_source}.")
    if baseline is not None:
        y = result.years[-1]
        console.print(f"Against the baseline in {y}: children's homes gap "
                      f"{baseline.row(y, 'childrens_home')['gap']:+,.0f}"
                      f" -> {result.row(y, 'childrens_home')['gap']:+,.0f}; cost "
                      f"£{baseline.measures[-1]['total_cost_gbp'] / 1e6:,.1f}m -> "
                      f"£{result.measures[-1]['total_cost_gbp'] / 1e6:,.1f}m.")
    if result.notes:
        console.print(f"{len(result.notes)} note(s) on data and assumptions (in the report and JSON); first: "
                      f"{result.notes[0]}")
    if paths:
        console.print(f"Wrote {', '.join(str(p) for p in paths[:3])}" + (f" and {len(paths) - 3} more" if
                                                                           len(paths) > 3 else ""))
    return 0
