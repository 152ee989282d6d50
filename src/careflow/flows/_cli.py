"""The glue behind ``careflow forecast`` and ``careflow backtest`` (cli.py wires these; logic stays here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from careflow.errors import CareflowError
from careflow.issues import issues_frame
from careflow.tables.dataset import CareData

__all__ = ["cli_backtest", "cli_forecast", "load_data", "read_year_folders"]


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False, width=140)


def _progress_columns() -> tuple[Any, ...]:
    """Bar columns: what, a bar, per cent, time elapsed and left (the microsimulation reports child-months done)."""
    from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
            TimeRemainingColumn())


def load_data(
    returns: str | Path | Sequence[str | Path] | None = None,
    *,
    synthetic_population: int | None = None,
    synthetic_end_year: int | None = None,
    synthetic_years: int = 6,
    seed: int = 0,
) -> tuple[CareData, list[Any], str, date | None]:
    """Read SSDA903 returns (a folder or files) or generate a synthetic LA.

    Returns (data, issues, label, data end if known: 31 March of a synthetic LA's last collection year).
    """
    if returns is not None:
        from careflow.returns import read_folder

        # Every year's rows as its return gave them: the back-test fits on the returns known at its cut-off, and
        # cleaning keeps the latest version of an episode several returns repeat.
        read = read_folder(returns, reconcile=False, collections={"ssda903"})
        if len(read.years) == 1:
            # One return: the data end on its 31 March, and its rows carry no year, so that the back-test cuts
            # them by date (cutting by return would leave nothing known before the cut-off).
            year = read.years[0]
            data = CareData({name: read.data[name].with_columns(pl.lit(None, dtype=pl.Int16).alias("collection_year"))
                             for name in read.data.names()})
            return data, list(read.issues), read.describe(), date(year, 3, 31)
        return read.data, list(read.issues), read.describe(), None
    if synthetic_population is None:
        raise CareflowError("give returns (a folder or files of SSDA903 returns) or a synthetic population size")
    try:
        from careflow.synth import generate
    except ImportError as exc:  # the foundation's generator is not installed in this checkout
        raise CareflowError(f"the synthetic LA generator (careflow.synth.generate) is not available: {exc}") from None
    end_year = synthetic_end_year or 2022
    la = generate(synthetic_population, end_year=end_year, years=synthetic_years, seed=seed)
    return la.data, [], f"synthetic LA (0-17 population {synthetic_population:,}, seed {seed})", date(end_year, 3, 31)


def read_year_folders(folder: Path) -> tuple[CareData, list[Any]]:
    """Read SSDA903 returns kept as one folder per collection year (``2021/episodes.csv`` or ``2020-21/ssda903/``
    …); each row is tagged with its folder's collection year. See :func:`careflow.returns.read_folder`."""
    from careflow.returns import read_folder

    read = read_folder(folder, reconcile=False, collections={"ssda903"})
    return read.data, list(read.issues)


def _read_line(label: str, data: CareData) -> str:
    """What was read, as the user checks it: ``Read …: 1,234 children looked after, 1,567 episodes.``"""
    episodes = data["looked_after_episodes"].select(
        pl.col("local_authority").fill_null(""), "child_id", "start_date").unique()
    children = episodes.select("local_authority", "child_id").unique().height
    return f"Read {label}: {children:,} children looked after, {episodes.height:,} episodes."


def cli_forecast(
    returns: str | Path | Sequence[str | Path] | None = None,
    *,
    synthetic_population: int | None = None,
    synthetic_end_year: int | None = None,
    seed: int = 0,
    start: date | None = None,
    reference_years: float = 3.0,
    horizon_months: int = 24,
    scenarios: Sequence[str | Path] = (),
    output_dir: str | Path = "forecast",
    entries: str = "counts",
    population: str | None = None,
    engine: str = "markov",
    runs: int = 500,
    unit_costs: str | Path | None = None,
    inflation: float | None = None,
    with_backtest: bool = True,
) -> int:
    """Forecast children in care, placements and spend; write CSV tables and a self-contained HTML report.

    Args:
        returns: SSDA903 returns (a folder, e.g. per-year folders or pooled regional CSVs, or files).
        synthetic_population: instead of returns, a synthetic LA with this 0–17 population.
        synthetic_end_year, seed: for the synthetic LA (and the microsimulation).
        start: the last day of data used (the projection starts after it); default the data's end.
        reference_years: length of the reference window.
        horizon_months: months to forecast.
        scenarios: scenario YAML files or packaged scenario names.
        output_dir: where the CSVs and ``report.html`` go.
        entries: ``counts`` or ``rates`` (per 10,000 children × ``population``).
        population: an area in the packaged ONS 0–17 series (for ``entries="rates"``).
        engine: ``markov`` (analytic bands) or ``microsim`` (``runs`` simulated futures).
        unit_costs: a unit-cost YAML file overriding the packaged one.
        inflation: yearly unit-cost growth (default: the dated parameter).
        with_backtest: also back-test the last 12 months and put the scores in the report.

    Returns:
        0 on success, 2 when the input or options are wrong (the message says what and where).
    """
    from rich.progress import Progress

    from careflow.flows.backtest import backtest
    from careflow.flows.costs import load_unit_costs
    from careflow.flows.markov import compare as markov_compare
    from careflow.flows.microsim import compare as micro_compare
    from careflow.flows.model import FlowModel
    from careflow.flows.report import write_report
    from careflow.flows.scenarios import load_scenario

    console = _console()
    try:
        data, read_issues, label, data_end = load_data(returns, synthetic_population=synthetic_population,
                                                       synthetic_end_year=synthetic_end_year, seed=seed)
        console.print(_read_line(label, data))
        loaded = [load_scenario(s) for s in scenarios]
        model = FlowModel(reference_end=start, reference_years=reference_years, entries=entries,
                          population=population, data_end=data_end).fit(data)
        costs = load_unit_costs(unit_costs, states=model.states_, inflation=inflation)
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        with Progress(*_progress_columns(), console=console, transient=True) as bar:
            task = bar.add_task("projecting", total=1 + len(loaded))

            def run(scenario: Any) -> Any:
                if engine == "markov":
                    return model.predict(horizon_months, scenario=scenario, unit_costs=costs)
                name = scenario.name if scenario is not None else "baseline"
                sim = bar.add_task(f"simulating {name}: {runs:,} runs of {horizon_months} months", total=None)

                def advance(done: int, total: int) -> None:
                    bar.update(sim, completed=done, total=total)

                try:
                    return model.simulate(horizon_months, runs=runs, seed=seed, scenario=scenario, unit_costs=costs,
                                          progress=advance)
                finally:
                    bar.remove_task(sim)

            base = run(None)
            bar.advance(task)
            compared = []
            for scenario in loaded:
                proj = run(scenario)
                diff = markov_compare(base, proj) if engine == "markov" else micro_compare(base, proj)
                compared.append((proj, diff))
                bar.advance(task)
        paths = base.to_csv(out)
        for proj, diff in compared:
            paths += proj.to_csv(out, prefix=f"{proj.scenario}_")
            diff.write_csv(out / f"{proj.scenario}_difference.csv")
        issues_frame([*read_issues, *model.issues_]).write_csv(out / "issues.csv")
        bt = None
        if with_backtest:
            try:
                # The forecast's own fit cleaned the same episodes with the same states and data end: the truth the
                # back-test scores against (only the fit at the cut-off needs its own cleaning).
                bt = backtest(data, horizon_months=12, reference_years=reference_years, entries=entries,
                              population=population, data_end=data_end, cleaned=model.clean_)
                bt.table.write_csv(out / "backtest.csv")
            except CareflowError as exc:
                console.print(f"[yellow]back-test skipped:[/] {exc}")
        report = write_report(out / "report.html", model=model, baseline=base, scenarios=compared, backtest=bt,
                              unit_costs=costs, title=f"Children in care: forecast from {label}")
    except (CareflowError, OSError) as exc:
        console.print(f"[red]careflow forecast:[/] {exc}")
        return 2
    total = base.stock("total")
    console.print(f"{label}: {model.stock_.height:,} children in care on {model.start_date_}; "
                  f"{total['mean'][-1]:,.0f} expected on {base.dates[-1]} "
                  f"(95% band {total['p2_5'][-1]:,.0f}–{total['p97_5'][-1]:,.0f}).")
    for proj, diff in compared:
        last = diff.filter(pl.col("breakdown") == "total").tail(1)
        cost = diff.filter(pl.col("breakdown") == "weekly_cost_gbp").tail(1)
        console.print(f"  {proj.scenario}: {last['mean'][0]:+,.0f} children by {base.dates[-1]} "
                      f"(95% band {last['p2_5'][0]:+,.0f} to {last['p97_5'][0]:+,.0f}); spend "
                      f"{cost['mean'][0]:+,.0f} £ a week (95% band {cost['p2_5'][0]:+,.0f} to "
                      f"{cost['p97_5'][0]:+,.0f})")
    console.print(f"Report: {report}  Tables: {', '.join(p.name for p in paths)}")
    return 0


def cli_backtest(
    returns: str | Path | Sequence[str | Path] | None = None,
    *,
    synthetic_population: int | None = None,
    synthetic_end_year: int | None = None,
    seed: int = 0,
    cutoff: date | None = None,
    horizon_months: int = 12,
    reference_years: float = 3.0,
    entries: str = "counts",
    population: str | None = None,
    engine: str = "markov",
    runs: int = 300,
    output_dir: str | Path | None = None,
) -> int:
    """Back-test: fit at ``cutoff`` (default: ``horizon_months`` before the data end), print the score table.

    Returns 0 on success, 2 when the input or options are wrong.
    """
    from rich.table import Table

    from careflow.flows.backtest import backtest

    console = _console()
    try:
        data, _, label, data_end = load_data(returns, synthetic_population=synthetic_population,
                                             synthetic_end_year=synthetic_end_year, seed=seed)
        console.print(_read_line(label, data))
        result = backtest(data, cutoff=cutoff, horizon_months=horizon_months, reference_years=reference_years,
                          entries=entries, population=population, engine=engine, runs=runs, seed=seed,
                          data_end=data_end)
    except (CareflowError, OSError) as exc:
        console.print(f"[red]careflow backtest:[/] {exc}")
        return 2
    table = Table(title=f"Back-test of {label}: fitted to {result.cutoff}, scored on {horizon_months} months")
    for col in ("breakdown", "group", "months", "observed", "forecast", "MAPE %", "bias %", "in 80%", "in 95%"):
        table.add_column(col, justify="left" if col in ("breakdown", "group") else "right")
    for row in result.table.filter(pl.col("breakdown") != "age_band").iter_rows(named=True):
        table.add_row(row["breakdown"], row["group"], str(row["months"]), f"{row['observed_mean']:.1f}",
                      f"{row['forecast_mean']:.1f}", f"{row['mape_pct']:.1f}", f"{row['bias_pct']:+.1f}",
                      f"{row['coverage_80']:.0%}", f"{row['coverage_95']:.0%}")
    console.print(table)
    o = result.overall()
    console.print(f"All categories: MAPE {o['mape_category']:.1f}%, bias {o['bias_category']:+.1f}%, "
                  f"80% band covers {o['coverage_80']:.0%}, 95% band covers {o['coverage_95']:.0%}. "
                  f"Total: MAPE {o['mape_total']:.1f}%, bias {o['bias_total']:+.1f}%.")
    if output_dir is not None:
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        result.table.write_csv(out / "backtest.csv")
        result.detail.write_csv(out / "backtest_detail.csv")
    return 0
