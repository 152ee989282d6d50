"""``careflow workforce``: the workforce picture of an area, printed and written as CSV, JSON and HTML."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

__all__ = ["cli_main"]


def cli_main(area: str | None, footprint: Path | None, cin: Path | None, year: int | None, out: Path | None,
             agency_rate: float | None, recording_cut: float) -> int:
    """Run the command; returns the exit code (2 for bad input, with the reason on stderr)."""
    from careflow.supply import workforce as wf

    err = Console(stderr=True, soft_wrap=True)
    try:
        picture = wf.picture_for(area, footprint, year)
        if cin is not None:
            counts, cin_year, source = wf.cin_workload(cin)
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
    if scenario:
        print(f"\nWhat if (agency rate {scenario['agency_rate']:.1%}, {recording_cut:.0%} of time moved from "
              f"recording to families): time with families {scenario['direct_fte_before']:,.1f} -> "
              f"{scenario['direct_fte_after']:,.1f} FTE ({scenario['change']:+.1%}); the premium saved (or spent) "
              "changes permanent staff by "
              f"{scenario['extra_fte_bought']:+,.1f} FTE")
    if out is not None:
        paths = wf.write_outputs(picture, out, scenario)
        print("\nwrote " + ", ".join(str(p) for p in paths))
    return 0
