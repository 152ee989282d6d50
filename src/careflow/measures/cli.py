"""``careflow scorecard``: the entry point the command line calls. Thin: it reads, computes, writes and reports.

``cli_main`` returns the process exit code and writes messages to stderr; it never raises for bad input.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, TextIO

import polars as pl

from careflow.measures.published import Area, AreaNotFoundError, counts, coverage, find_area
from careflow.tables import CareData

__all__ = ["cli_main", "population_for", "read_returns"]


def population_for(area: Area) -> dict[int, float]:
    """The 0-17 population careflow holds for an area, by year ending 31 March (for rates from returns).

    Years after the last the published tables hold use the latest estimate (ONS mid-year estimates are in the
    published table to mid-2021, the denominator of 2022); the report says so.
    """
    frame = counts().filter(pl.col("area_code") == area.code).select("year", "population_0_17")
    out: dict[int, float] = {}
    for year, cell in frame.iter_rows():
        try:
            out[int(year)] = float(cell)
        except (TypeError, ValueError):
            continue
    return out


_YEAR_FOLDER = re.compile(r"(?<!\d)(20\d\d)[-_](\d\d)(?!\d)")


def _folder_year(path: Path) -> int | None:
    """The collection year a folder names, e.g. ``returns/2021-22/ssda903`` → 2022."""
    for part in reversed(path.parts):
        match = _YEAR_FOLDER.search(part)
        if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
            return int(match.group(1)) + 1
    return None


def read_returns(root: Path) -> tuple[CareData, list[str], list[Any], list[int], str]:
    """Read every return under ``root`` with :func:`careflow.returns.read_folder` (careflow's year folders, DfE
    per-year folders, the record's export, one return). Rows carry the collection year of their return, so several
    years pool into one record; every year's rows are kept (:func:`~careflow.measures.canonical.compute` keeps the
    latest version of each record and needs to know which years each table was returned in).

    Returns:
        (tables, files read, issues, collection years found, what was read: layout, folder and years).

    Raises:
        careflow.errors.ReturnsFolderError: ``root`` holds no returns careflow recognises.
    """
    from careflow.returns import read_folder

    read = read_folder(root, reconcile=False)
    return read.data, read.files, list(read.issues), read.years, f"{read.describe()}, {read.children():,} children"


def _say(stream: TextIO, message: str) -> None:
    stream.write(message.rstrip("\n") + "\n")


def cli_main(area: str | None, returns_dir: Path | None, out: Path, *, stderr: TextIO | None = None) -> int:
    """Write the scorecard report for an area (published statistics) or for an LA's own returns.

    Args:
        area: a local authority, region or England, by name, DfE LA number or ONS code. With ``returns_dir`` it
            says which authority the returns are from (for the population denominator and the comparisons).
        returns_dir: a folder (or file) of SSDA903 and/or CIN census returns.
        out: a folder for ``scorecard.html``, ``scorecard.csv`` and ``scorecard.json``, or a path ending ``.html``.

    Returns:
        0 when the report was written; 2 for bad input (unknown area, unreadable returns), with the reason on
        stderr.
    """
    err = stderr or sys.stderr
    from careflow.measures import report

    if area is None and returns_dir is None:
        _say(err, "Give --area NAME (published statistics) or --returns DIR (your SSDA903 / CIN census returns), "
                  "or both.")
        return 2
    chosen: Area | None = None
    if area is not None:
        try:
            chosen = find_area(area)
        except AreaNotFoundError as exc:
            _say(err, str(exc))
            return 2
    if returns_dir is None:
        if chosen is None:  # pragma: no cover - guarded above
            return 2
        card = report.build(chosen)
        if chosen.last_year is not None and chosen.last_year < coverage().last_year:
            card.notes.append(
                f"{chosen.name} has no published figures after {chosen.last_year} (local government reorganisation); "
                "see its successor authority."
            )
        paths = report.write(card, out)
        _say(err, f"Scorecard for {chosen.name} written to {paths['html']} (figures: {paths['csv']}, "
                  f"{paths['json']}).")
        return 0
    return _from_returns(chosen, returns_dir, out, err)


def _from_returns(chosen: Area | None, returns_dir: Path, out: Path, err: TextIO) -> int:
    from careflow.measures import report
    from careflow.measures.canonical import compute, data_years

    if not returns_dir.exists():
        _say(err, f"No such folder or file: {returns_dir}. Give the folder holding your SSDA903 CSV/XML and CIN "
                  "census XML files.")
        return 2
    from careflow.errors import ReturnsFolderError

    try:
        data, files, issues, folder_years, what = read_returns(returns_dir)
    except ReturnsFolderError as exc:
        _say(err, str(exc))
        return 2
    if not data.names() or all(data[n].height == 0 for n in data.names()):
        _say(err, f"Nothing could be read from {returns_dir}:")
        for issue in issues[:20]:
            _say(err, f"  {issue}")
        return 2
    notes = []
    errors = [i for i in issues if str(i.severity) == "error"]
    if issues:
        notes.append(
            f"Reading the returns found {len(issues):,} issue(s), {len(errors):,} of them errors; figures are "
            "computed from the rows that could be read. Run `careflow check` on the files for the full list."
        )
    authorities = sorted(
        {la for n in data.names() for la in data[n]["local_authority"].drop_nulls().unique().to_list()}
    )
    if chosen is None and len(authorities) == 1:
        try:
            chosen = find_area(str(authorities[0]))
            notes.append(f"The returns name local authority {authorities[0]}: {chosen.name}.")
        except AreaNotFoundError:
            chosen = None
    if len(authorities) > 1:
        _say(err, f"The returns hold {len(authorities)} local authorities ({', '.join(map(str, authorities[:6]))}"
                  f"{'…' if len(authorities) > 6 else ''}); the scorecard is for one. Give the returns of one "
                  "authority, or use careflow.measures.figures_from_tables for pooled data.")
        return 2
    years = sorted(set(folder_years)) or data_years(data)
    population = None
    if chosen is not None:
        by_year = population_for(chosen)
        if by_year:
            latest = max(by_year)
            population = {y: by_year.get(y, by_year[latest]) for y in years}
            if any(y not in by_year for y in years):
                notes.append(
                    f"Rates per 10,000 for {', '.join(str(y) for y in years if y not in by_year)} use the latest "
                    f"0-17 population careflow holds for {chosen.name} (for {latest}); give newer ONS estimates to "
                    "careflow.measures.figures_from_tables for exact rates."
                )
    else:
        notes.append("The authority is not known, so rates per 10,000 children cannot be computed and there are no "
                     "comparisons: give --area with --returns.")
    figures = compute(data, years=years, population=population)
    code = figures["area_code"][0] if figures.height else ""
    card = report.build(chosen, own=figures, own_code=code, notes=notes)
    paths = report.write(card, out)
    _say(err, f"Read {what}.")
    _say(err, f"Scorecard from {len(files)} return file(s), years {', '.join(map(str, years)) or 'none'}, "
              f"written to {paths['html']} (figures: {paths['csv']}, {paths['json']}).")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m careflow.measures.cli [--area NAME] [--returns DIR] [--out PATH]`` (until the CLI wires it)."""
    import argparse

    parser = argparse.ArgumentParser(prog="careflow scorecard", description=cli_main.__doc__.splitlines()[0]
                                     if cli_main.__doc__ else None)
    parser.add_argument("--area")
    parser.add_argument("--returns", type=Path)
    parser.add_argument("--out", type=Path, default=Path("scorecard"))
    args = parser.parse_args(argv)
    return cli_main(args.area, args.returns, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
