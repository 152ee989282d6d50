"""Commands chained as a user chains them, through the real CLI: one command's output is the next one's input.

`careflow synth` writes a folder of years; `check`, `forecast`, `backtest` and `scorecard --returns` read it. So do
they DfE / Social Finance per-year folders and the case record's export. Each test asserts what the user sees:
the exit code, the count of children read (checked against the files themselves), the files written.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from careflow.cli import app

runner = CliRunner()

# Small and short, so that the chains run in every CI: 6,000 children aged 0-17, four collection years.
POPULATION, END_YEAR, YEARS = "6000", "2023", "4"
YEAR_LABELS = ["2019-20", "2020-21", "2021-22", "2022-23"]


def _flat(output: str) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(output.split())


def _read_line(output: str) -> tuple[str, int, int]:
    """What forecast and backtest say they read: (what, children looked after, episodes)."""
    match = re.search(r"Read (.+?): ([\d,]+) children looked after, ([\d,]+) episodes\.", _flat(output))
    assert match, output
    return match.group(1), int(match.group(2).replace(",", "")), int(match.group(3).replace(",", ""))


def _episodes_in(files: list[Path], key: tuple[str, ...] = ("CHILD", "DECOM")) -> tuple[int, int]:
    """Children and episodes counted straight from the SSDA903 episodes.csv files (not through careflow)."""
    frame = pl.concat([pl.read_csv(f, infer_schema_length=0).select(list(key)) for f in files]).unique()
    child = [k for k in key if k != "DECOM"]
    return frame.select(child).unique().height, frame.height


@pytest.fixture(scope="module")
def la(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`careflow synth`'s output: DIR/2019-20/ssda903/*.csv … DIR/2022-23/cin_census.xml."""
    out = tmp_path_factory.mktemp("chain") / "la"
    made = runner.invoke(app, ["synth", "--population", POPULATION, "--end-year", END_YEAR, "--years", YEARS,
                               "--seed", "3", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in out.iterdir()) == YEAR_LABELS
    return out


def _synth_counts(la: Path) -> tuple[int, int]:
    return _episodes_in(sorted(la.glob("*/ssda903/episodes.csv")))


def test_synth_then_check_summarises_each_year(la: Path) -> None:
    checked = runner.invoke(app, ["check", str(la)])
    assert checked.exit_code == 0, checked.output
    text = _flat(checked.output)
    assert f"careflow's year folders in {la}: 4 collection years, 2019-20 to 2022-23" in text
    for label in YEAR_LABELS:  # one row per year, each with no errors
        assert re.search(rf"│ {label} │ SSDA903(\+CIN)? *│ *[\d,]+ │ *[\d,]+ │ *[\d,]+ │ +0 │", checked.output), label
    # the CIN census is read for the years careflow writes it (from 2021-22)
    assert "│ 2021-22 │ SSDA903+CIN" in checked.output and "│ 2020-21 │ SSDA903 " in checked.output
    _, episodes = _synth_counts(la)
    assert f"{episodes:,} looked-after episodes" in text
    assert "0 error(s)" in text


def test_synth_then_forecast_reads_every_year(la: Path, tmp_path: Path) -> None:
    out = tmp_path / "forecast"
    result = runner.invoke(app, ["forecast", str(la), "--horizon", "12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    what, children, episodes = _read_line(result.output)
    assert what == f"careflow's year folders in {la}: 4 collection years, 2019-20 to 2022-23"
    assert (children, episodes) == _synth_counts(la)
    assert "children in care on 2023-03-31" in _flat(result.output)  # the data end with the last return
    for name in ("report.html", "stock.csv", "issues.csv"):
        assert (out / name).stat().st_size > 0, name


def test_year_folders_named_one_by_one_pool_too(la: Path, tmp_path: Path) -> None:
    """The CLI hands the command its paths: each year's folder named alone is still its year."""
    years = [la / "2021-22", la / "2022-23"]
    result = runner.invoke(app, ["forecast", *map(str, years), "--reference-years", "1", "--horizon", "6",
                                 "--out", str(tmp_path / "f")])
    assert result.exit_code == 0, result.output
    what, children, episodes = _read_line(result.output)
    assert what == f"returns in {years[0]}, {years[1]}: 2 collection years, 2021-22 to 2022-23"
    assert (children, episodes) == _episodes_in([y / "ssda903" / "episodes.csv" for y in years])


def test_synth_then_backtest(la: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["backtest", str(la), "--out", str(tmp_path / "bt")])
    assert result.exit_code == 0, result.output
    _, children, episodes = _read_line(result.output)
    assert (children, episodes) == _synth_counts(la)
    text = _flat(result.output)
    assert "fitted to 2022-03-31" in text and "MAPE" in text
    scored = pl.read_csv(tmp_path / "bt" / "backtest.csv")
    assert scored.filter(pl.col("breakdown") == "total")["months"].to_list() == [12]


def test_synth_then_scorecard_from_returns(la: Path, tmp_path: Path) -> None:
    out = tmp_path / "scorecard"
    result = runner.invoke(app, ["scorecard", "--returns", str(la), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _flat(result.output)
    assert f"careflow's year folders in {la}: 4 collection years, 2019-20 to 2022-23" in text
    assert "years 2020, 2021, 2022, 2023" in text
    figures = pl.read_csv(out / "scorecard.csv")
    placements = figures.filter((pl.col("indicator") == "cla_three_or_more_placements") & (pl.col("status") == "ok"))
    assert sorted(placements["year"].to_list()) == [2020, 2021, 2022, 2023]
    assert (out / "scorecard.html").stat().st_size > 0


def _dfe_year_folders(shared: Path, out: Path) -> Path:
    """The Social Finance demand model's sample, laid out as it reads returns: one folder per collection year,
    each with header.csv, episodes.csv and uasc.csv (its YEAR column becomes the folder)."""
    sample = shared / "data" / "synthetic" / "cs-demand-model-regional"
    for name in ("header", "episodes", "uasc"):
        frame = pl.read_csv(sample / f"{name}.csv", infer_schema_length=0)
        for (year,), part in frame.group_by("YEAR"):
            folder = out / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            part.drop("YEAR").write_csv(folder / f"{name}.csv")
    return out


def test_dfe_year_folders_then_forecast(shared: Path, tmp_path: Path) -> None:
    folders = _dfe_year_folders(shared, tmp_path / "dfe")
    years = sorted(int(p.name) for p in folders.iterdir())
    assert len(years) > 1
    out = tmp_path / "forecast"
    result = runner.invoke(app, ["forecast", str(folders), "--reference-years", "2", "--horizon", "12",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    what, children, episodes = _read_line(result.output)
    first, last = years[0], years[-1]
    assert what == (f"DfE per-year folders in {folders}: {len(years)} collection years, "
                    f"{first - 1}-{first % 100:02d} to {last - 1}-{last % 100:02d}")
    # pooled over two local authorities: a child is an (LA, CHILD) pair
    assert (children, episodes) == _episodes_in(sorted(folders.glob("*/episodes.csv")), ("LA", "CHILD", "DECOM"))
    assert (out / "report.html").exists() and (out / "stock.csv").exists()
    # the same returns pooled in one file (its YEAR column) forecast the same children
    pooled = runner.invoke(app, ["forecast", str(shared / "data" / "synthetic" / "cs-demand-model-regional"),
                                 "--reference-years", "2", "--horizon", "12", "--out", str(tmp_path / "pooled")])
    assert pooled.exit_code == 0, pooled.output
    assert _read_line(pooled.output)[1:] == (children, episodes)

    def outlook(text: str) -> str:
        match = re.search(r"\d[\d,]* children in care on .*?\)", _flat(text))
        assert match, text
        return match.group(0)

    assert outlook(pooled.output) == outlook(result.output)


@pytest.fixture(scope="module")
def record_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The case record's demo (a synthetic LA of 3,000 children loaded into the record), exported as the
    administrator exports the year's returns: DIR/ssda903_YYYY/*.csv and DIR/cin_census_YYYY.xml."""
    from sqlalchemy import select

    from careflow import codes
    from careflow.record.models import User
    from careflow.record.serve import build_demo
    from careflow.record.services.auth import actor_of
    from careflow.record.services.context import Ctx
    from careflow.record.services.export import export_returns
    from careflow.record.settings import Settings

    base = tmp_path_factory.mktemp("record")
    settings = Settings(password_time_cost=1, password_memory_kib=64, secret_key="test-secret", audit_chains=4,
                        database_url=f"sqlite:///{base / 'record.db'}")
    state = build_demo(settings, population=3000).state.record
    year = int(codes.years("ssda903")[-1])  # the demo's year: the latest careflow's code lists hold
    with state.sessions() as session, session.begin():
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        export_returns(Ctx(session, actor_of(admin), state.settings), base / "export", year)
    return base / "export"


def test_record_export_then_check(record_export: Path) -> None:
    year = int(next(record_export.glob("ssda903_*")).name.split("_")[1])
    checked = runner.invoke(app, ["check", str(record_export)])
    assert checked.exit_code == 0, checked.output
    text = _flat(checked.output)
    assert f"SSDA903 + CIN census {year - 1}-{year % 100:02d}: read 11 file(s)" in text
    assert "0 error(s)" in text


def test_record_export_then_forecast(record_export: Path, tmp_path: Path) -> None:
    year = int(next(record_export.glob("ssda903_*")).name.split("_")[1])
    out = tmp_path / "forecast"
    result = runner.invoke(app, ["forecast", str(record_export), "--reference-years", "1", "--horizon", "12",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    what, children, episodes = _read_line(result.output)
    assert what == f"the case record's export in {record_export}: collection year {year - 1}-{year % 100:02d}"
    assert (children, episodes) == _episodes_in(sorted(record_export.glob("ssda903_*/episodes.csv")))
    assert children > 0
    assert f"children in care on {year}-03-31" in _flat(result.output)
    assert (out / "report.html").exists()


def test_a_folder_of_something_else_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("not a return")
    for command in (["check"], ["forecast"], ["backtest"], ["scorecard", "--returns"]):
        result = runner.invoke(app, [*command, str(tmp_path)])
        assert result.exit_code == 2, (command, result.output)
        text = _flat(result.output)
        assert "no returns found" in text and "notes/" in text and "2021-22/ssda903" in text, (command, text)
