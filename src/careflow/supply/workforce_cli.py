"""``careflow workforce``: the workforce picture of an area, printed and written as CSV, JSON and HTML."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

__all__ = ["cli_main"]


def record_workload(year: int, database_url: str | None) -> tuple[dict[str, float], int, str]:
    """The year's s47 enquiries, initial conferences and plans at 31 March counted in the case record.

    Only counts leave the record; the read is audited (action ``workload_counted``) as the command-line
    administrator, like ``careflow export returns``.
    """
    from careflow.record.services.export import to_care_data
    from careflow.record_admin_cli import _context
    from careflow.supply.workforce import workload_from_care_data

    with _context(database_url) as (ctx, settings):
        counts = workload_from_care_data(to_care_data(ctx.session, year), year)
        ctx.audit("workload_counted", entity="returns",
                  detail={"year": year, "purpose": "careflow workforce", **counts})
    return counts, year, f"the case record (LA {settings.la_code}, year ending 31 March {year})"


def cli_main(area: str | None, footprint: Path | None, cin: Path | None, year: int | None, out: Path | None,
             agency_rate: float | None, recording_cut: float, record_year: int | None = None,
             database_url: str | None = None, reform: bool = False) -> int:
    """Run the command; returns the exit code (2 for bad input, with the reason on stderr)."""
    from careflow.supply import workforce as wf

    err = Console(stderr=True, soft_wrap=True)
    try:
        picture = wf.picture_for(area, footprint, year)
        if cin is not None and record_year is not None:
            raise wf.WorkforceError("give --cin or --record-year, not both: the workload comes from one source")
        if cin is not None:
            counts, cin_year, source = wf.cin_workload(cin)
            picture = picture.with_cin(counts, source, cin_year)
        if record_year is not None:
            counts, cin_year, source = record_workload(record_year, database_url)
            picture = picture.with_cin(counts, source, cin_year)
        scenario: dict[str, float] = {}
        if agency_rate is not None or recording_cut:
            scenario = {"agency_rate": picture.rates()["agency_rate"] if agency_rate is None else agency_rate,
                        "recording_cut": recording_cut,
                        **wf.what_if(picture, agency_rate=agency_rate, recording_cut=recording_cut)}
    except wf.WorkforceError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True)
        return 2
    print(picture.text())
    levers: list[dict[str, float]] = []
    if reform:
        from careflow.reform.workforce import lever_capacity

        levers = lever_capacity(picture)
        print("\nThe Review's workforce levers (ECF, staff banks, pay scales; lever files at full spending):")
        print(f"  {'year':<9}{'retained FTE':>13}{'agency avoided':>15}{'premium saved':>15}{'caseload':>10}"
              f"{'time with families':>20}")
        for r in levers:
            saved = f"£{r['premium_saved_gbp'] / 1e6:,.1f}m"
            print(f"  {r['year']}-{(r['year'] + 1) % 100:02d}{r['retained_fte']:>13,.1f}"
                  f"{r['agency_fte_avoided']:>15,.1f}{saved:>15}{r['caseload_per_case_holder']:>10.2f}"
                  f"{r['direct_time_fte']:>16,.1f} FTE")
    if scenario:
        print(f"\nWhat if (agency rate {scenario['agency_rate']:.1%}, {recording_cut:.0%} of time moved from "
              f"recording to families): time with families {scenario['direct_fte_before']:,.1f} -> "
              f"{scenario['direct_fte_after']:,.1f} FTE ({scenario['change']:+.1%}); the premium saved (or spent) "
              "changes permanent staff by "
              f"{scenario['extra_fte_bought']:+,.1f} FTE")
    if out is not None:
        paths = wf.write_outputs(picture, out, scenario, levers)
        print("\nwrote " + ", ".join(str(p) for p in paths))
    return 0
