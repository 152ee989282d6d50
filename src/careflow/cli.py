"""The ``careflow`` command. Thin: it parses arguments, shows progress and prints; the work is elsewhere.

Start-up is kept light, because it is paid on every command (``careflow forecast`` runs in well under a second): click
parses the arguments, and every library a command needs (rich, numpy, polars, the case record) is imported inside the
command. ``tests/test_startup.py`` holds this.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

if TYPE_CHECKING:
    from rich.console import Console

    from careflow.issues import Issue, Severity

#: Path arguments and options: no checks at parsing (each command says what is missing, in its own words).
PATH = click.Path(path_type=Path)


class _Commands(click.Group):
    """careflow's command group: the case record's and the published data's commands are imported when one of them
    runs (or ``--help`` lists them), not on every command."""

    #: command name -> "module:object", in the order ``careflow --help`` lists them (after the commands above).
    LAZY: ClassVar[dict[str, str]] = {
        "backup": "careflow.record_admin_cli:backup",
        "restore": "careflow.record_admin_cli:restore",
        "data": "careflow.published.cli:app",
        "audit": "careflow.record_audit_cli:app",
        "admin": "careflow.record_admin_cli:admin_app",
        "export": "careflow.record_admin_cli:export_app",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.commands, *(name for name in self.LAZY if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.LAZY:
            import importlib

            module, name = self.LAZY[cmd_name].split(":")
            command = getattr(importlib.import_module(module), name)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)


@click.group(cls=_Commands, context_settings={"show_default": True, "max_content_width": 120})
def app() -> None:
    """careflow: children's social care returns, a synthetic local authority, and more."""


def _console(stderr: bool = False) -> Console:
    """rich's console, imported when a command prints with it (rich costs about 0.07 s of CPU to import)."""
    from rich.console import Console

    return Console(stderr=stderr)


def _exit(code: int) -> click.exceptions.Exit:
    """The command's exit status (0: done; 1: the data have errors; 2: bad input, the message says why)."""
    return click.exceptions.Exit(code)


@contextmanager
def _progress(description: str) -> Iterator[Any]:
    """A rich progress bar; yields a callback ``(step: str, fraction: float) -> None``."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=_console(stderr=True),
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
        _console(stderr=True).print(f"[yellow]note:[/yellow] {warning.message}")
    return written


def _print_summary(la: Any) -> None:
    from rich.table import Table

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
    _console().print(table)


@app.command()
@click.option("--out", type=PATH, default=Path("careflow-synth"), help="Folder to write the returns into.")
@click.option("--population", default=60_000, help="Children aged 0-17 living in the local authority.")
@click.option("--end-year", default=2022, help="Last collection year simulated (year ending 31 March).")
@click.option("--years", default=5, help="Collection years simulated.")
@click.option("--seed", default=0, help="Random seed: the same seed gives the same local authority.")
@click.option("--la-code", default="999", help="Three-digit local authority code written in the returns.")
def synth(out: Path, population: int, end_year: int, years: int, seed: int, la_code: str) -> None:
    """Make a synthetic local authority and write its SSDA903 and CIN census returns for each year."""
    if population < 1_000:
        _console(stderr=True).print(
            f"[red]--population {population} is too small: give at least 1,000 children aged 0-17.")
        raise _exit(2)
    la = _generate(population, end_year, years, seed, la_code)
    written = _write(la, out)
    _print_summary(la)
    n_files = sum(len(v) for v in written.values())
    _console().print(f"Wrote {n_files} files for {len(written)} collection years under [bold]{out}[/bold].")


@app.command()
@click.argument("files", type=PATH, nargs=-1, required=True,
                help="Return files or folders: SSDA903 CSV/XML, CIN census XML, or a folder of years.")
@click.option("--year", type=int, help="Collection year (ending 31 March) whose codes apply, where no folder names it.")
@click.option("--show", default=30, help="How many issues to list (all are counted).")
@click.option("--issues-csv", type=PATH, help="Write every issue to this CSV file.")
def check(files: tuple[Path, ...], year: int | None, show: int, issues_csv: Path | None) -> None:
    """Read returns (one, or a folder of years), print a summary of their issues; exit 1 if they have errors."""
    from careflow.errors import ReturnsFolderError
    from careflow.returns import read_folder

    missing = [str(f) for f in files if not f.exists()]
    if missing:
        _console(stderr=True).print(f"[red]No such file or folder: {', '.join(missing)}")
        raise _exit(2)
    started = time.perf_counter()
    try:
        with _progress("Reading") as update:
            update(", ".join(f.name for f in files), 0.05)
            read = read_folder(list(files), year=year,
                               progress=lambda step, done: update(step, 0.05 + 0.95 * done))
    except ReturnsFolderError as exc:
        _console(stderr=True).print(f"[red]{_escape_text(str(exc))}")
        raise _exit(2) from None
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
        _console().print(f"Every issue written to {issues_csv}.")
    raise _exit(1 if read.has_errors else 0)


def _print_read_summary(result: Any, seconds: float, show: int) -> None:
    from rich.table import Table

    console = _console()
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
    from rich.table import Table

    from careflow.issues import Severity
    from careflow.returns.folders import year_label

    console = _console()
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
    from rich.table import Table

    from careflow.issues import Severity

    console = _console()
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
    from careflow.issues import Severity

    return {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}[severity]


def _escape(issue: Issue) -> str:
    return _escape_text(str(issue))


def _escape_text(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
@click.option("--out", type=PATH, default=Path("careflow-demo"), help="Folder to write the demo's returns into.")
@click.option("--population", default=60_000, help="Children aged 0-17 in the synthetic local authority.")
@click.option("--seed", default=0, help="Random seed.")
def demo(out: Path, population: int, seed: int) -> None:
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
    _console().print(
        f"\nReturns for {len(written)} collection years are in [bold]{out}[/bold]. Try: careflow check {out}, "
        f"careflow forecast {out}, careflow scorecard --returns {out} --area Hertfordshire"
    )
    if any(r.has_errors for r, _ in checks):
        raise _exit(1)


# Arguments and options that forecast and backtest share, declared once.
_returns = click.argument("returns", type=PATH, nargs=-1, required=False,
                          help="SSDA903 returns: a folder of years (2021-22/ or 2021/), one return's folder, or files.")
_end_year = click.option("--end-year", type=int, help="Last collection year of the synthetic LA.")
_reference_years = click.option("--reference-years", default=3.0, help="Years of history the rates are estimated on.")
_entries = click.option("--entries", default="counts", help="counts, or rates (per 10,000 x ONS population).")
_population = click.option("--population", help="Area whose ONS 0-17 population drives rates.")


@app.command()
@_returns
@click.option("--synthetic", type=int, help="Forecast a synthetic LA of this many children aged 0-17 instead.")
@_end_year
@click.option("--seed", default=0, help="Random seed.")
@click.option("--start", help="Forecast from this date (YYYY-MM-DD); default: end of data.")
@_reference_years
@click.option("--horizon", default=24, help="Months to project.")
@click.option("--scenario", multiple=True, help="Scenario YAML file or built-in name (repeatable).")
@click.option("--out", type=PATH, default=Path("forecast"), help="Folder for the CSV tables and report.html.")
@_entries
@_population
@click.option("--engine", default="markov", help="markov (analytic bands) or microsim (simulated).")
@click.option("--runs", default=500, help="Microsimulation runs.")
@click.option("--unit-costs", type=PATH, help="YAML of weekly unit costs overriding the defaults.")
@click.option("--inflation", type=float, help="Yearly cost inflation, e.g. 0.035.")
def forecast(returns: tuple[Path, ...], synthetic: int | None, end_year: int | None, seed: int, start: str | None,
             reference_years: float, horizon: int, scenario: tuple[str, ...], out: Path, entries: str,
             population: str | None, engine: str, runs: int, unit_costs: Path | None, inflation: float | None) -> None:
    """Forecast children in care by placement, with bands, costs and scenarios against the baseline."""
    _threads_for(list(returns))
    from careflow.flows import cli_forecast

    code = cli_forecast(
        list(returns) or None,
        synthetic_population=synthetic,
        synthetic_end_year=end_year,
        seed=seed,
        start=_parse_date(start),
        reference_years=reference_years,
        horizon_months=horizon,
        scenarios=scenario,
        output_dir=out,
        entries=entries,
        population=population,
        engine=engine,
        runs=runs,
        unit_costs=unit_costs,
        inflation=inflation,
    )
    raise _exit(code)


@app.command()
@_returns
@click.option("--synthetic", type=int, help="Back-test on a synthetic LA of this many children.")
@_end_year
@click.option("--seed", default=0, help="Random seed.")
@click.option("--cutoff", help="Fit up to this date (YYYY-MM-DD).")
@click.option("--horizon", default=12, help="Months forecast and scored.")
@_reference_years
@_entries
@_population
@click.option("--engine", default="markov", help="markov or microsim.")
@click.option("--runs", default=300, help="Microsimulation runs.")
@click.option("--out", type=PATH, help="Folder for the back-test tables.")
def backtest(returns: tuple[Path, ...], synthetic: int | None, end_year: int | None, seed: int, cutoff: str | None,
             horizon: int, reference_years: float, entries: str, population: str | None, engine: str, runs: int,
             out: Path | None) -> None:
    """Fit up to a date, forecast, and score against what happened: MAPE, bias, 80% and 95% band coverage."""
    _threads_for(list(returns))
    from careflow.flows import cli_backtest

    code = cli_backtest(
        list(returns) or None,
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
    raise _exit(code)


@app.command()
@click.option("--package", help="Reform package YAML (default: the Review's package).")
@click.option("--area", default="England", help="England, a region, or a local authority.")
@click.option("--report", type=PATH, default=Path("reform.html"), help="Where to write the HTML report.")
@click.option("--draws", default=2000, help="Monte Carlo draws for the bands.")
@click.option("--seed", default=2022, help="Random seed.")
@click.option("--json", "json_out", type=PATH, help="Write a JSON summary to this file.")
@click.option("--journey", help="Print a costed journey (josh) and its alternative.")
@click.option("--returns", type=PATH, help="An LA's own SSDA903 returns (any folder careflow reads): its starts, exits "
              "and placements drive the levers instead of --area's published rates.")
def reform(package: str | None, area: str, report: Path | None, draws: int, seed: int, json_out: Path | None,
           journey: str | None, returns: Path | None) -> None:
    """The reform model: levers act on an area's own rates; the Review's case is predicted beside its figures."""
    from careflow.reform import cli_main

    raise _exit(cli_main(package, area, report, draws=draws, seed=seed, json_out=json_out, journey=journey,
                         returns=returns))


@app.command()
@click.option("--area", help="England, a region, or a local authority.")
@click.option("--footprint", type=PATH, help="A YAML or CSV list of local authorities.")
@click.option("--cin", type=PATH, help="A CIN census XML: the s47 and conference workload from it.")
@click.option("--year", type=int, help="Census year (30 September); default the latest held.")
@click.option("--out", type=PATH, help="Folder for workforce.csv, .json and .html.")
@click.option("--agency-rate", type=float, help="What if the agency rate were this (0-1)?")
@click.option("--recording-cut", default=0.0, help="What if this share of time moved from recording to families (0-1)?")
@click.option("--record-year", type=int, help="Count the workload in the case record for this year (ending 31 March; "
              "audited).")
@click.option("--database-url", help="The record's database (default: CAREFLOW_DATABASE_URL).")
@click.option("--reform", is_flag=True, help="Also show what the Review's workforce levers do to this workforce, "
              "year by year.")
def workforce(area: str | None, footprint: Path | None, cin: Path | None, year: int | None, out: Path | None,
              agency_rate: float | None, recording_cut: float, record_year: int | None, database_url: str | None,
              reform: bool) -> None:
    """Social workers by role, agency use and its premium, time with families, and the ECPPs the workload needs."""
    from careflow.supply.workforce_cli import cli_main

    raise _exit(cli_main(area, footprint, cin, year, out, agency_rate, recording_cut, record_year,
                         database_url, reform))


@app.command()
@click.option("--area", help="Local authority, region or England: name, DfE LA number or ONS code.")
@click.option("--returns", type=PATH, help="The LA's SSDA903 / CIN census returns: a folder of years or one.")
@click.option("--out", type=PATH, default=Path("careflow-scorecard"), help="Folder for scorecard.html, .csv and .json.")
def scorecard(area: str | None, returns: Path | None, out: Path) -> None:
    """The National Framework's indicators for a local authority: HTML report with charts, every figure as CSV/JSON."""
    from careflow.measures.cli import cli_main

    raise _exit(cli_main(area, returns, out))


@app.command()
@click.option("--horizon", default=5, help="Years ahead of the latest published year (1-5).")
@click.option("--area", help="England, a region or an LA (name, DfE LA number or ONS code, old or new).")
@click.option("--csv", type=PATH, help="Write one row per area, year and measure to this CSV.")
@click.option("--report", type=PATH, help="Write the area's HTML report (history, fan charts).")
@click.option("--backtest", is_flag=True, help="Print the back-test of every candidate.")
def outlook(horizon: int, area: str | None, csv: Path | None, report: Path | None, backtest: bool) -> None:
    """Forecasts of children looked after, starts and ceased for England, regions and LAs, from published data."""
    from careflow.outlook.cli import cli_main

    with _progress("Outlook") as update:
        code = cli_main(horizon=horizon, area=area, csv=csv, report=report, backtest=backtest, progress=update)
    raise _exit(code)


@app.command()
@click.option("--out", type=PATH, default=Path("careflow-link"), help="Folder for links.csv, contacts.csv, "
              "review_queue.csv, problems.csv, quality.json and report.html.")
@click.option("--synthetic", default=2000, help="Without --people/--partners: link freshly made synthetic partner data "
              "about this many children (and their families).")
@click.option("--seed", default=1, help="Seed of the synthetic data and of splink's sampling.")
@click.option("--people", type=PATH, help="Your people (CSV: person_id, first_name, last_name, dob, sex, postcode, "
              "nhs_number[, upn]).")
@click.option("--partners", type=PATH, help="Your partner agencies' files (a folder).")
@click.option("--mapping", type=PATH, help="Column mapping of the partner files (YAML; default: the synthetic files' "
              "layout).")
@click.option("--threshold", type=float, help="Match weight from which a probabilistic match is linked (default 6.63, "
              "a match probability of 0.99).")
@click.option("--backend", default="duckdb", help="splink backend: duckdb (one machine) or spark (a local Spark "
              "session; needs pip install -e '.[spark]' and Java).")
@click.option("--start", default="2025-04-01", help="Synthetic data: first day of partner records.")
@click.option("--end", default="2026-03-31", help="Synthetic data: last day of partner records.")
def link(out: Path, synthetic: int, seed: int, people: Path | None, partners: Path | None, mapping: Path | None,
         threshold: float | None, backend: str, start: str, end: str) -> None:
    """Link partner agencies' records (police, health, schools, housing, adult social care) to children and adults:
    NHS number first, then probabilistic matching (splink); a review queue and a match-quality report."""
    from careflow.share.cli import cli_main

    with _progress("Linking partner records") as update:
        code = cli_main(out, synthetic=synthetic, seed=seed, people=people, partners=partners, mapping=mapping,
                        threshold=threshold, backend=backend, start=_parse_date(start), end=_parse_date(end),
                        progress=update, console=_console(), err_console=_console(stderr=True))
    raise _exit(code)


@app.command()
@click.option("--area", help="An LA, a region (e.g. 'North West') or England.")
@click.option("--footprint", type=PATH, help="A file listing the LAs of a footprint (e.g. an RCC): YAML, CSV or text.")
@click.option("--years", default=5, help="Years after 31 March 2022 (1-5 from published data).")
@click.option("--returns", type=PATH, help="The LA's SSDA903 returns: demand from the flows model fitted to them.")
@click.option("--ofsted", type=PATH, help="Ofsted-style capacity CSV (la, provision, places) replacing estimated "
              "places.")
@click.option("--recruit-carers", default=0.0, help="Scenario: extra in-house foster carers a year.")
@click.option("--open-homes", default=0.0, help="Scenario: children's homes opened in the area.")
@click.option("--purchasing", default="spot", help="How places the area lacks are bought: spot or block.")
@click.option("--margin-cap", type=float, help="Scenario: cap providers' margins at this share (e.g. 0.1).")
@click.option("--out", type=PATH, help="Folder for sufficiency.csv, JSON and the HTML report.")
def sufficiency(area: str | None, footprint: Path | None, years: int, returns: Path | None, ofsted: Path | None,
                recruit_carers: float, open_homes: float, purchasing: str, margin_cap: float | None,
                out: Path | None) -> None:
    """Placement sufficiency: demand by type against supply year by year, the gap, where children go, the cost."""
    from careflow.supply.cli import cli_main

    with _progress("Sufficiency") as update:
        code = cli_main(area, footprint, years=years, returns=returns, ofsted=ofsted, recruit_carers=recruit_carers,
                        open_homes=open_homes, purchasing=purchasing, margin_cap=margin_cap, out=out,
                        progress=update)
    raise _exit(code)


def _parse_date(text: str | None) -> Any:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _console(stderr=True).print(f"[red]'{text}' is not a date (expected YYYY-MM-DD, e.g. 2022-03-31).")
        raise _exit(2) from None


@app.command()
@click.option("--demo", is_flag=True, help="Load a synthetic LA and a demo user per role.")
@click.option("--host", default="127.0.0.1", help="Interface to listen on.")
@click.option("--port", default=8000, help="Port to listen on.")
@click.option("--database-url", help="SQLAlchemy URL (default: CAREFLOW_DATABASE_URL, else SQLite).")
def serve(demo: bool, host: str, port: int, database_url: str | None) -> None:
    """Run the case-record web service (SQLite by default, PostgreSQL through CAREFLOW_DATABASE_URL)."""
    from careflow.record import cli_serve

    cli_serve(demo=demo, host=host, port=port, database_url=database_url)


@app.command("codes")
@click.argument("name", help="A code list, e.g. placement_type, legal_status.")
@click.option("--year", default="2024-25", help="Collection year, e.g. 2024-25.")
@click.option("--collection", default="ssda903", help="ssda903 or cin.")
def codes_command(name: str, year: str, collection: str) -> None:
    """Show a code list for a collection year, with labels and what replaced retired codes."""
    from rich.table import Table

    from careflow import codes
    from careflow.errors import CareflowError

    try:
        listing = codes.code_list(name, codes.CollectionYear.parse(year), collection=collection)
    except (CareflowError, KeyError, ValueError) as exc:
        _console(stderr=True).print(f"[red]{exc}")
        raise _exit(2) from None
    table = Table(title=f"{collection} {listing.field} ({name}), {codes.CollectionYear.parse(year).label}")
    table.add_column("code")
    table.add_column("name")
    table.add_column("label")
    for code in listing.codes.values():
        table.add_row(code.code, code.name, code.label)
    for old, new in listing.retired.items():
        table.add_row(f"[dim]{old}[/dim]", "[dim]retired[/dim]", f"[dim]replaced by {', '.join(new) or '-'}[/dim]")
    _console().print(table)


def main() -> None:  # pragma: no cover - console entry point
    app()
