"""The ``careflow`` command. Thin: it parses arguments, shows progress and prints; the work is elsewhere."""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from careflow.issues import Issue, Severity

app = typer.Typer(
    help="careflow: children's social care returns, a synthetic local authority, and more.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@contextmanager
def _progress(description: str) -> Iterator[Any]:
    """A rich progress bar; yields a callback ``(step: str, fraction: float) -> None``."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=1.0, step="")

        def update(step: str, fraction: float) -> None:
            progress.update(task, completed=max(0.0, min(1.0, fraction)), step=step)

        yield update
        progress.update(task, completed=1.0, step="done")


#: Below this many bytes of input files, polars runs on one thread (see :func:`_threads_for`).
SMALL_INPUT_BYTES = 32 * 2**20


def _threads_for(inputs: list[Path] | None) -> None:
    """Thread pools for a flow-model command, set before numpy and polars are first imported.

    * numpy: one BLAS thread. The flow model's matrices are at most 15 x 15, where BLAS never uses threads, but
      OpenBLAS starts one per core at import: about 0.08 s of CPU on a two-core machine, for nothing.
    * polars: one thread when the input files are small (under 32 MB, e.g. one LA's returns, a few thousand rows).
      Each of the reader's several hundred small queries then runs where it is, instead of being handed to a
      pool: less CPU and less wall-clock time (measured by ``benchmarks/bench_forecast_process.py``). Larger
      inputs (pooled regional or national returns) keep polars' pool.

    A value the user set in the environment is kept.
    """
    import os
    import sys

    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if "polars" in sys.modules or not inputs:
        return
    total = 0
    for path in inputs:
        if path.is_file():
            total += path.stat().st_size
        for folder, _, names in os.walk(path):
            total += sum(os.path.getsize(os.path.join(folder, n)) for n in names)
            if total >= SMALL_INPUT_BYTES:
                return
    if total < SMALL_INPUT_BYTES:
        os.environ.setdefault("POLARS_MAX_THREADS", "1")


def _generate(population: int, end_year: int, years: int, seed: int, la_code: str) -> Any:
    from careflow import synth

    with _progress(f"Simulating a local authority of {population:,} children") as update:
        return synth.generate(population, end_year=end_year, years=years, seed=seed, la_code=la_code, progress=update)


def _write(la: Any, out: Path) -> dict[str, list[Path]]:
    from careflow import synth

    with _progress(f"Writing returns to {out}") as update, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        update("SSDA903 and CIN census", 0.1)
        written: dict[str, list[Path]] = synth.write_returns(la, out)
    for warning in caught:
        if not issubclass(warning.category, UserWarning):  # library deprecations are for developers
            continue
        err_console.print(f"[yellow]note:[/yellow] {warning.message}")
    return written


def _print_summary(la: Any) -> None:
    from careflow import synth

    summary = synth.summary(la)
    seed = getattr(la, "seed", None)
    title = "Synthetic local authority" + (f" (seed {seed})" if seed is not None else "")
    table = Table(title=title, show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in value.items())
        elif isinstance(value, float):
            value = f"{value:,.1f}"
        elif isinstance(value, int) and not key.endswith("year"):
            value = f"{value:,}"
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the returns into.")] = Path("careflow-synth"),
    population: Annotated[int, typer.Option(help="Children aged 0-17 living in the local authority.")] = 60_000,
    end_year: Annotated[int, typer.Option(help="Last collection year simulated (year ending 31 March).")] = 2022,
    years: Annotated[int, typer.Option(help="Collection years simulated.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same local authority.")] = 0,
    la_code: Annotated[str, typer.Option(help="Three-digit local authority code written in the returns.")] = "999",
) -> None:
    """Make a synthetic local authority and write its SSDA903 and CIN census returns for each year."""
    if population < 1_000:
        err_console.print(f"[red]--population {population} is too small: give at least 1,000 children aged 0-17.")
        raise typer.Exit(2)
    la = _generate(population, end_year, years, seed, la_code)
    written = _write(la, out)
    _print_summary(la)
    n_files = sum(len(v) for v in written.values())
    console.print(f"Wrote {n_files} files for {len(written)} collection years under [bold]{out}[/bold].")


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="Return files or folders: SSDA903 CSV/XML, CIN census XML, or a folder of years."),
    ],
    year: Annotated[
        int | None, typer.Option(help="Collection year (ending 31 March) whose codes apply, where no folder names it.")
    ] = None,
    show: Annotated[int, typer.Option(help="How many issues to list (all are counted).")] = 30,
    issues_csv: Annotated[Path | None, typer.Option(help="Write every issue to this CSV file.")] = None,
) -> None:
    """Read returns (one, or a folder of years), print a summary of their issues; exit 1 if they have errors."""
    from careflow.errors import ReturnsFolderError
    from careflow.returns import read_folder

    missing = [str(f) for f in files if not f.exists()]
    if missing:
        err_console.print(f"[red]No such file or folder: {', '.join(missing)}")
        raise typer.Exit(2)
    started = time.perf_counter()
    try:
        with _progress("Reading") as update:
            update(", ".join(f.name for f in files), 0.05)
            read = read_folder(files, year=year, progress=lambda step, done: update(step, 0.05 + 0.95 * done))
    except ReturnsFolderError as exc:
        err_console.print(f"[red]{_escape_text(str(exc))}")
        raise typer.Exit(2) from None
    seconds = time.perf_counter() - started
    if len(read.returns) == 1:
        only = read.returns[0]
        result = only.result
        _print_read_summary(type(result)(result.data, read.issues, result.files, result.collection, only.year),
                            seconds, show)
    else:
        _print_years_summary(read, seconds, show)
    if issues_csv is not None:
        from careflow.issues import issues_frame

        issues_frame(read.issues).write_csv(issues_csv)
        console.print(f"Every issue written to {issues_csv}.")
    raise typer.Exit(1 if read.has_errors else 0)


def _print_read_summary(result: Any, seconds: float, show: int) -> None:
    names = {"ssda903": "SSDA903", "cin": "CIN census"}
    kind = " + ".join(names.get(c, c) for c in result.collection.split("+")) if result.collection else "return"
    year = f" {result.year - 1}-{str(result.year)[-2:]}" if result.year else ""
    console.print(f"[bold]{kind}{year}[/bold]: read {len(result.files)} file(s) in {seconds:.2f} s")
    rows = Table(show_header=True, title="Tables read")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for name, n in result.data.counts().items():
        rows.add_row(name, f"{n:,}")
    console.print(rows)
    _print_issues(result.issues, show)


def _print_years_summary(read: Any, seconds: float, show: int) -> None:
    """A folder of years: one line per year's return, checked against that year's code lists."""
    from careflow.returns.folders import year_label

    console.print(f"[bold]{_escape_text(read.describe())}[/bold]: read {len(read.files)} file(s) in {seconds:.2f} s")
    table = Table(show_header=True, title="Returns by collection year (each checked against its year's codes)")
    for column in ("year", "return", "children", "episodes", "referrals", "errors", "warnings"):
        table.add_column(column, justify="left" if column in ("year", "return") else "right")
    for one in read.returns:
        result = one.result
        counts = result.counts()
        kinds = "+".join({"ssda903": "SSDA903", "cin": "CIN"}.get(c, c) for c in result.collection.split("+"))
        table.add_row(year_label(one.year) if one.year else "?", kinds,
                      f"{result.data['children']['child_id'].n_unique():,}" if "children" in result.data else "0",
                      *(f"{result.data[n].height:,}" if n in result.data else "0"
                        for n in ("looked_after_episodes", "referrals")),
                      f"{counts[Severity.ERROR]:,}", f"{counts[Severity.WARNING]:,}")
    console.print(table)
    repeated = sum(read.repeated.values())
    console.print(
        f"Across the years: {read.children():,} children, {read.episodes():,} looked-after episodes. "
        f"{repeated:,} rows repeat a record an earlier return held (the later return's version stands); "
        f"{read.revised:,} records differ between returns."
    )
    _print_issues(read.issues, show)


def _print_issues(issues: list[Issue], show: int) -> None:
    counts = Counter(i.severity for i in issues)
    console.print(
        f"Issues: [red]{counts[Severity.ERROR]} error(s)[/red], [yellow]{counts[Severity.WARNING]} "
        f"warning(s)[/yellow], {counts[Severity.INFO]} note(s)"
    )
    if not issues:
        return
    by_kind = Counter((i.severity, i.code) for i in issues)
    kinds = Table(show_header=True, title="Issues by kind")
    kinds.add_column("severity")
    kinds.add_column("code")
    kinds.add_column("count", justify="right")
    for (severity, code), n in sorted(by_kind.items(), key=lambda kv: (_rank(kv[0][0]), -kv[1])):
        kinds.add_row(str(severity), code, f"{n:,}")
    console.print(kinds)
    ordered = sorted(issues, key=lambda i: _rank(i.severity))
    for issue in ordered[:show]:
        colour = {"error": "red", "warning": "yellow"}.get(str(issue.severity), "white")
        console.print(f"[{colour}]{issue.severity}[/{colour}] {_escape(issue)}")
    if len(ordered) > show:
        console.print(f"… and {len(ordered) - show} more (use --show or --issues-csv).")


def _rank(severity: Severity) -> int:
    return {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}[severity]


def _escape(issue: Issue) -> str:
    return _escape_text(str(issue))


def _escape_text(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder to write the demo's returns into.")] = Path("careflow-demo"),
    population: Annotated[int, typer.Option(help="Children aged 0-17 in the synthetic local authority.")] = 60_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Make a synthetic local authority, write its returns, read them back, and summarise what it holds."""
    from careflow.returns import read_return

    la = _generate(population, 2022, 5, seed, "999")
    written = _write(la, out)
    _print_summary(la)
    last = sorted(written)[-1]
    groups = [[p for p in written[last] if p.suffix == ".csv"]] + [[p] for p in written[last] if p.suffix == ".xml"]
    checks = []
    with _progress(f"Checking the {last} returns") as update:
        for i, group in enumerate(g for g in groups if g):
            update(group[0].parent.name if len(group) > 1 else group[0].name, i / len(groups))
            started = time.perf_counter()
            checks.append((read_return(group), time.perf_counter() - started))
    for result, seconds in checks:
        _print_read_summary(result, seconds, 10)
    console.print(
        f"\nReturns for {len(written)} collection years are in [bold]{out}[/bold]. Try: careflow check {out}, "
        f"careflow forecast {out}, careflow scorecard --returns {out} --area Hertfordshire"
    )
    if any(r.has_errors for r, _ in checks):
        raise typer.Exit(1)


# Options that forecast and backtest share, declared once.
_EndYear = Annotated[int | None, typer.Option(help="Last collection year of the synthetic LA.")]
_ReferenceYears = Annotated[float, typer.Option(help="Years of history the rates are estimated on.")]
_Entries = Annotated[str, typer.Option(help="counts, or rates (per 10,000 x ONS population).")]
_Population = Annotated[str | None, typer.Option(help="Area whose ONS 0-17 population drives rates.")]


@app.command()
def forecast(
    returns: Annotated[
        list[Path] | None,
        typer.Argument(help="SSDA903 returns: a folder of years (2021-22/ or 2021/), one return's folder, or files."),
    ] = None,
    synthetic: Annotated[
        int | None, typer.Option(help="Forecast a synthetic LA of this many children aged 0-17 instead.")
    ] = None,
    end_year: _EndYear = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    start: Annotated[
        str | None, typer.Option(help="Forecast from this date (YYYY-MM-DD); default: end of data.")
    ] = None,
    reference_years: _ReferenceYears = 3.0,
    horizon: Annotated[int, typer.Option(help="Months to project.")] = 24,
    scenario: Annotated[
        list[str] | None, typer.Option(help="Scenario YAML file or built-in name (repeatable).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for the CSV tables and report.html.")] = Path("forecast"),
    entries: _Entries = "counts",
    population: _Population = None,
    engine: Annotated[str, typer.Option(help="markov (analytic bands) or microsim (simulated).")] = "markov",
    runs: Annotated[int, typer.Option(help="Microsimulation runs.")] = 500,
    unit_costs: Annotated[Path | None, typer.Option(help="YAML of weekly unit costs overriding the defaults.")] = None,
    inflation: Annotated[float | None, typer.Option(help="Yearly cost inflation, e.g. 0.035.")] = None,
) -> None:
    """Forecast children in care by placement, with bands, costs and scenarios against the baseline."""
    _threads_for(returns)
    from careflow.flows import cli_forecast

    code = cli_forecast(
        returns or None,
        synthetic_population=synthetic,
        synthetic_end_year=end_year,
        seed=seed,
        start=_parse_date(start),
        reference_years=reference_years,
        horizon_months=horizon,
        scenarios=scenario or (),
        output_dir=out,
        entries=entries,
        population=population,
        engine=engine,
        runs=runs,
        unit_costs=unit_costs,
        inflation=inflation,
    )
    raise typer.Exit(code)


@app.command()
def backtest(
    returns: Annotated[
        list[Path] | None,
        typer.Argument(help="SSDA903 returns: a folder of years (2021-22/ or 2021/), one return's folder, or files."),
    ] = None,
    synthetic: Annotated[int | None, typer.Option(help="Back-test on a synthetic LA of this many children.")] = None,
    end_year: _EndYear = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    cutoff: Annotated[str | None, typer.Option(help="Fit up to this date (YYYY-MM-DD).")] = None,
    horizon: Annotated[int, typer.Option(help="Months forecast and scored.")] = 12,
    reference_years: _ReferenceYears = 3.0,
    entries: _Entries = "counts",
    population: _Population = None,
    engine: Annotated[str, typer.Option(help="markov or microsim.")] = "markov",
    runs: Annotated[int, typer.Option(help="Microsimulation runs.")] = 300,
    out: Annotated[Path | None, typer.Option(help="Folder for the back-test tables.")] = None,
) -> None:
    """Fit up to a date, forecast, and score against what happened: MAPE, bias, 80% and 95% band coverage."""
    _threads_for(returns)
    from careflow.flows import cli_backtest

    code = cli_backtest(
        returns or None,
        synthetic_population=synthetic,
        synthetic_end_year=end_year,
        seed=seed,
        cutoff=_parse_date(cutoff),
        horizon_months=horizon,
        reference_years=reference_years,
        entries=entries,
        population=population,
        engine=engine,
        runs=runs,
        output_dir=out,
    )
    raise typer.Exit(code)


@app.command()
def reform(
    package: Annotated[str | None, typer.Option(help="Reform package YAML (default: the Review's package).")] = None,
    area: Annotated[str, typer.Option(help="England, a region, or a local authority.")] = "England",
    report: Annotated[Path | None, typer.Option(help="Where to write the HTML report.")] = Path("reform.html"),
    draws: Annotated[int, typer.Option(help="Monte Carlo draws for the bands.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2022,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write a JSON summary to this file.")] = None,
    journey: Annotated[str | None, typer.Option(help="Print a costed journey (josh) and its alternative.")] = None,
    returns: Annotated[Path | None, typer.Option(
        "--returns", help="An LA's own SSDA903 returns (any folder careflow reads): its starts, exits and "
        "placements drive the levers instead of --area's published rates.")] = None,
) -> None:
    """The reform model: levers act on an area's own rates; the Review's case is predicted beside its figures."""
    from careflow.reform import cli_main

    raise typer.Exit(cli_main(package, area, report, draws=draws, seed=seed, json_out=json_out, journey=journey,
                              returns=returns))


@app.command()
def workforce(
    area: Annotated[str | None, typer.Option(help="England, a region, or a local authority.")] = None,
    footprint: Annotated[Path | None, typer.Option(help="A YAML or CSV list of local authorities.")] = None,
    cin: Annotated[Path | None, typer.Option(help="A CIN census XML: the s47 and conference workload from it.")] = None,
    year: Annotated[int | None, typer.Option(help="Census year (30 September); default the latest held.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for workforce.csv, .json and .html.")] = None,
    agency_rate: Annotated[float | None, typer.Option(help="What if the agency rate were this (0-1)?")] = None,
    recording_cut: Annotated[float, typer.Option(help="What if this share of time moved from recording to "
                                                      "families (0-1)?")] = 0.0,
    record_year: Annotated[int | None, typer.Option(help="Count the workload in the case record for this year "
                                                         "(ending 31 March; audited).")] = None,
    database_url: Annotated[str | None, typer.Option(help="The record's database (default: "
                                                          "CAREFLOW_DATABASE_URL).")] = None,
    reform: Annotated[bool, typer.Option("--reform", help="Also show what the Review's workforce levers do "
                                                          "to this workforce, year by year.")] = False,
) -> None:
    """Social workers by role, agency use and its premium, time with families, and the ECPPs the workload needs."""
    from careflow.supply.workforce_cli import cli_main

    raise typer.Exit(cli_main(area, footprint, cin, year, out, agency_rate, recording_cut, record_year,
                              database_url, reform))


@app.command()
def scorecard(
    area: Annotated[
        str | None, typer.Option(help="Local authority, region or England: name, DfE LA number or ONS code.")
    ] = None,
    returns: Annotated[
        Path | None, typer.Option("--returns", help="The LA's SSDA903 / CIN census returns: a folder of years or one.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for scorecard.html, .csv and .json.")] = Path("careflow-scorecard"),
) -> None:
    """The National Framework's indicators for a local authority: HTML report with charts, every figure as CSV/JSON."""
    from careflow.measures.cli import cli_main

    raise typer.Exit(cli_main(area, returns, out))


@app.command()
def outlook(
    horizon: Annotated[int, typer.Option(help="Years ahead of the latest published year (1-5).")] = 5,
    area: Annotated[
        str | None, typer.Option(help="England, a region or an LA (name, DfE LA number or ONS code, old or new).")
    ] = None,
    csv: Annotated[Path | None, typer.Option(help="Write one row per area, year and measure to this CSV.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the area's HTML report (history, fan charts).")] = None,
    backtest: Annotated[bool, typer.Option("--backtest", help="Print the back-test of every candidate.")] = False,
) -> None:
    """Forecasts of children looked after, starts and ceased for England, regions and LAs, from published data."""
    from careflow.outlook.cli import cli_main

    with _progress("Outlook") as update:
        code = cli_main(horizon=horizon, area=area, csv=csv, report=report, backtest=backtest, progress=update)
    raise typer.Exit(code)


@app.command()
def link(
    out: Annotated[Path, typer.Option(help="Folder for links.csv, contacts.csv, review_queue.csv, problems.csv, "
                                           "quality.json and report.html.")] = Path("careflow-link"),
    synthetic: Annotated[int, typer.Option(help="Without --people/--partners: link freshly made synthetic partner "
                                                "data about this many children (and their families).")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data and of splink's sampling.")] = 1,
    people: Annotated[Path | None, typer.Option(help="Your people (CSV: person_id, first_name, last_name, dob, sex, "
                                                     "postcode, nhs_number[, upn]).")] = None,
    partners: Annotated[Path | None, typer.Option(help="Your partner agencies' files (a folder).")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping of the partner files (YAML; default: the "
                                                      "synthetic files' layout).")] = None,
    threshold: Annotated[float | None, typer.Option(help="Match weight from which a probabilistic match is linked "
                                                         "(default 6.63, a match probability of 0.99).")] = None,
    backend: Annotated[str, typer.Option(help="splink backend: duckdb (one machine) or spark (a local Spark "
                                              "session; needs pip install -e '.[spark]' and Java).")] = "duckdb",
    start: Annotated[str, typer.Option(help="Synthetic data: first day of partner records.")] = "2025-04-01",
    end: Annotated[str, typer.Option(help="Synthetic data: last day of partner records.")] = "2026-03-31",
) -> None:
    """Link partner agencies' records (police, health, schools, housing, adult social care) to children and adults:
    NHS number first, then probabilistic matching (splink); a review queue and a match-quality report."""
    from careflow.share.cli import cli_main

    with _progress("Linking partner records") as update:
        code = cli_main(out, synthetic=synthetic, seed=seed, people=people, partners=partners, mapping=mapping,
                        threshold=threshold, backend=backend, start=_parse_date(start), end=_parse_date(end),
                        progress=update, console=console, err_console=err_console)
    raise typer.Exit(code)


@app.command()
def sufficiency(
    area: Annotated[str | None, typer.Option(help="An LA, a region (e.g. 'North West') or England.")] = None,
    footprint: Annotated[
        Path | None, typer.Option(help="A file listing the LAs of a footprint (e.g. an RCC): YAML, CSV or text.")
    ] = None,
    years: Annotated[int, typer.Option(help="Years after 31 March 2022 (1-5 from published data).")] = 5,
    returns: Annotated[
        Path | None, typer.Option(help="The LA's SSDA903 returns: demand from the flows model fitted to them.")
    ] = None,
    ofsted: Annotated[
        Path | None, typer.Option(help="Ofsted-style capacity CSV (la, provision, places) replacing estimated places.")
    ] = None,
    recruit_carers: Annotated[float, typer.Option(help="Scenario: extra in-house foster carers a year.")] = 0.0,
    open_homes: Annotated[float, typer.Option(help="Scenario: children's homes opened in the area.")] = 0.0,
    purchasing: Annotated[str, typer.Option(help="How places the area lacks are bought: spot or block.")] = "spot",
    margin_cap: Annotated[
        float | None, typer.Option(help="Scenario: cap providers' margins at this share (e.g. 0.1).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for sufficiency.csv, JSON and the HTML report.")] = None,
) -> None:
    """Placement sufficiency: demand by type against supply year by year, the gap, where children go, the cost."""
    from careflow.supply.cli import cli_main

    with _progress("Sufficiency") as update:
        code = cli_main(area, footprint, years=years, returns=returns, ofsted=ofsted, recruit_carers=recruit_carers,
                        open_homes=open_homes, purchasing=purchasing, margin_cap=margin_cap, out=out,
                        progress=update)
    raise typer.Exit(code)


def _parse_date(text: str | None) -> Any:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err_console.print(f"[red]'{text}' is not a date (expected YYYY-MM-DD, e.g. 2022-03-31).")
        raise typer.Exit(2) from None


@app.command()
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Load a synthetic LA and a demo user per role.")] = False,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL (default: CAREFLOW_DATABASE_URL, else SQLite).")
    ] = None,
) -> None:
    """Run the case-record web service (SQLite by default, PostgreSQL through CAREFLOW_DATABASE_URL)."""
    from careflow.record import cli_serve

    cli_serve(demo=demo, host=host, port=port, database_url=database_url)


@app.command("codes")
def codes_command(
    name: Annotated[str, typer.Argument(help="A code list, e.g. placement_type, legal_status.")],
    year: Annotated[str, typer.Option(help="Collection year, e.g. 2024-25.")] = "2024-25",
    collection: Annotated[str, typer.Option(help="ssda903 or cin.")] = "ssda903",
) -> None:
    """Show a code list for a collection year, with labels and what replaced retired codes."""
    from careflow import codes
    from careflow.errors import CareflowError

    try:
        listing = codes.code_list(name, codes.CollectionYear.parse(year), collection=collection)
    except (CareflowError, KeyError, ValueError) as exc:
        err_console.print(f"[red]{exc}")
        raise typer.Exit(2) from None
    table = Table(title=f"{collection} {listing.field} ({name}), {codes.CollectionYear.parse(year).label}")
    table.add_column("code")
    table.add_column("name")
    table.add_column("label")
    for code in listing.codes.values():
        table.add_row(code.code, code.name, code.label)
    for old, new in listing.retired.items():
        table.add_row(f"[dim]{old}[/dim]", "[dim]retired[/dim]", f"[dim]replaced by {', '.join(new) or '-'}[/dim]")
    console.print(table)


# careflow data import / status: published statistics (careflow.published)
from careflow.published.cli import app as _data_app  # noqa: E402

app.add_typer(_data_app, name="data")


def _record_commands() -> None:
    from careflow import record_admin_cli as admin_cli
    from careflow.record_audit_cli import app as audit_app

    app.add_typer(audit_app, name="audit")
    app.add_typer(admin_cli.admin_app, name="admin")
    app.add_typer(admin_cli.export_app, name="export")
    app.command("backup")(admin_cli.backup)
    app.command("restore")(admin_cli.restore)


_record_commands()


def main() -> None:  # pragma: no cover - console entry point
    app()
