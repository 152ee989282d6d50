"""``careflow data``: import published DfE / ONS statistics and list what careflow holds."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console


@click.group("data", context_settings={"show_default": True})
def app() -> None:
    """Published statistics: import a DfE / ONS release (any layout careflow's mapping declares) and list what
    careflow holds."""


def _console(stderr: bool = False) -> Console:
    """rich's console, imported when a command prints (not when ``careflow`` starts)."""
    from rich.console import Console

    return Console(stderr=stderr)


def escape(text: str) -> str:
    """``text`` with rich's markup escaped."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def _import(folder: Path, keep_going: bool, dry_run: bool) -> Any:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from careflow.published import import_folder

    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.fields[step]}"), TimeElapsedColumn(), console=_console(stderr=True)) as progress:
        task = progress.add_task(f"Reading {folder}", total=1.0, step="")

        def update(step: str, fraction: float) -> None:
            progress.update(task, completed=fraction, step=step[-60:])

        report = import_folder(folder, keep_going=keep_going, dry_run=dry_run, progress=update)
        progress.update(task, completed=1.0, step="done")
    return report


@app.command("import")
@click.argument("folder", type=click.Path(path_type=Path),
                help="Folder of DfE / ONS CSV files (subfolders are read too).")
@click.option("--report", type=click.Path(path_type=Path),
              help="Write the full report (every file, column, label, revision) to this JSON file.")
@click.option("--keep-going/--no-keep-going", help="Save what could be read even when a measure is lost.")
@click.option("--dry-run/--no-dry-run", help="Read and report; save nothing.")
@click.option("--show", default=20, help="How many unmapped columns/labels and revisions to list.")
def import_(folder: Path, report: Path | None, keep_going: bool, dry_run: bool, show: int) -> None:
    """Read FOLDER through careflow's declared mapping and add its figures to the published data careflow holds.

    Where two releases cover a year, the later release's figure is kept and the revision recorded. Every file,
    column or label that could not be mapped is listed; a measure lost (a renamed column, a reworded label)
    is an error, and then nothing is saved unless --keep-going.
    """
    if not folder.is_dir():
        _console(stderr=True).print(f"[red]error:[/red] {escape(str(folder))} is not a folder")
        raise click.exceptions.Exit(2)
    result = _import(folder, keep_going, dry_run)
    _print_import(result, show)
    if report is not None:
        report.write_text(json.dumps(result.to_json(), indent=1, default=str) + "\n", encoding="utf-8")
        _console().print(f"Full report: {escape(str(report))}")
    if result.errors:
        raise click.exceptions.Exit(1)


def _print_import(result: Any, show: int) -> None:
    from rich.table import Table

    console, err_console = _console(), _console(stderr=True)
    taken = [f for f in result.files if f.status == "taken"]
    table = Table(title=f"Taken from {result.folder}", show_header=True)
    for col in ("file", "release", "years", "measures", "cells"):
        table.add_column(col, justify="right" if col in ("cells", "measures") else "left",
                         overflow="fold" if col == "file" else "ellipsis")
    for f in taken:
        years = _span(f.years)
        table.add_row(escape(f.file), f.release, years, str(len(f.measures)), f"{f.cells:,}")
    console.print(table)
    in_use = result.taken
    if in_use.height:
        span = f"{in_use['year'].min()}-{in_use['year'].max()}"
        console.print(f"{in_use.height:,} figures now in use from this folder ({span}, "
                      f"{in_use['measure'].n_unique()} measures, {in_use['area_code'].n_unique()} areas).")
    rev = result.revisions
    if rev.height:
        console.print(f"[bold]Revised:[/bold] {rev.height:,} figures an earlier release gave were changed by a "
                      "later one (the later release's figure is kept):")
        by = rev.group_by("measure", "old_release", "new_release").len().sort("len", descending=True)
        for measure, old, new, n in by.head(show).iter_rows():
            console.print(f"  {measure}: {n:,} figure(s), {old} → {new}")
        for row in rev.head(min(show, 5)).iter_rows(named=True):
            console.print(f"    e.g. {row['area_code']} {row['year']} {row['measure']}: {row['old_cell']} "
                          f"({escape(row['old_file'])}) → {row['new_cell']} ({escape(row['new_file'])})")
    else:
        console.print("Revised: none.")
    ignored = [f for f in result.files if f.status == "ignored"]
    if ignored:
        reasons = Counter(f.reason for f in ignored)
        console.print(f"Not read by design: {len(ignored)} file(s) — "
                      + "; ".join(f"{n} {escape(r)}" for r, n in reasons.most_common()))
    unrecognised = [p for p in result.problems if p.severity == "warning" and "not recognised" in p.message]
    warnings = [p for p in result.problems if p.severity == "warning" and p not in unrecognised]
    notes = [p for p in result.problems if p.severity == "note"]
    if unrecognised:
        console.print(f"[yellow]Files not recognised[/yellow] (no release careflow knows; nothing taken): "
                      f"{len(unrecognised)}")
        for p in unrecognised[:show]:
            console.print(f"  {escape(p.file)}")
    if notes:
        by_file: dict[str, list[str]] = defaultdict(list)
        for p in notes:
            by_file[p.file].append(f"{p.column}={p.label!r}" if p.label else p.column)
        console.print(f"Not mapped ({len(notes)} columns or labels careflow's measures do not use, in "
                      f"{len(by_file)} file(s)):")
        for file, items in list(by_file.items())[:show]:
            more = f" … and {len(items) - 5} more" if len(items) > 5 else ""
            console.print(f"  {escape(file)}: {escape(', '.join(items[:5]))}{more}")
    for p in warnings[:show * 5]:
        console.print(f"[yellow]warning:[/yellow] {escape(str(p))[9:]}")
    for p in result.errors:
        err_console.print(f"[red]error:[/red] {escape(str(p))[7:]}")
    if result.errors:
        err_console.print(f"[red]{len(result.errors)} error(s)[/red]: "
                          + ("saved anyway (--keep-going)." if result.saved else "nothing saved (fix the mapping or "
                             "the files, or pass --keep-going to save what could be read)."))
    elif result.saved:
        console.print(f"[green]Saved[/green] to {escape(str(result.store))}.")
    elif not in_use.height:
        console.print("Nothing new to save." if result.read.cells.height else "Nothing taken from this folder.")
    else:
        console.print("Dry run: nothing saved.")


@app.command()
def status() -> None:
    """List the published statistics careflow holds, by release and year (shipped tables and imports)."""
    import polars as pl
    from rich.table import Table

    from careflow.published import coverage, imports_log, store_dir
    from careflow.published import status as held_status

    console = _console()
    frame = held_status()
    table = Table(title="Published statistics careflow holds (figures in use, by release)", show_header=True)
    for col in ("release", "origin", "years", "measures", "areas", "figures"):
        table.add_column(col, justify="right" if col in ("measures", "areas", "figures") else "left")
    grouped = frame.group_by("release", "origin").agg(
        "year", pl.col("cells").sum(), pl.col("measures").max(), pl.col("areas").max()).sort("release")
    for release, origin, years, cells, measures, areas in grouped.iter_rows():
        table.add_row(release, origin, _span(sorted(years)), str(measures), str(areas), f"{cells:,}")
    console.print(table)
    # by year: which release each collection's figures come from
    with_collection = frame.with_columns(pl.col("release").str.replace(r" \d{4}$", "").alias("collection"))
    collections = sorted(with_collection["collection"].unique().to_list())
    grid = Table(title="By year: the release each collection's figures come from", show_header=True)
    grid.add_column("year")
    for collection in collections:
        grid.add_column(collection)
    for year in sorted(with_collection["year"].unique().to_list()):
        part = with_collection.filter(pl.col("year") == year)
        cells = []
        for collection in collections:
            releases = sorted(set(part.filter(pl.col("collection") == collection)["release"].to_list()))
            cells.append(", ".join(releases) or "-")
        grid.add_row(str(year), *cells)
    console.print(grid)
    cov = coverage()
    console.print(f"Years held: {cov.describe()}")
    console.print(f"Import folder: {escape(str(store_dir()))} (set CAREFLOW_DATA to use another)")
    for entry in imports_log():
        console.print(f"  import {entry['import']}: {escape(str(entry['folder']))} at {entry['at']}: "
                      f"{', '.join(entry['releases'])} ({entry['cells_in_use']:,} figures in use, "  # type: ignore[arg-type]
                      f"{entry['revisions']} revisions)")


def _span(years: list[int]) -> str:
    """'2010-2017, 2019' from a sorted list of years."""
    parts: list[str] = []
    start = prev = None
    for y in years:
        if start is None:
            start = prev = y
        elif y == prev + 1:  # type: ignore[operator]
            prev = y
        else:
            parts.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = y
    if start is not None:
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(parts)
