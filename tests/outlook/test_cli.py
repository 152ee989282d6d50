"""``careflow outlook`` through the real CLI (click's CliRunner on careflow.cli.app)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from careflow.cli import app

runner = CliRunner()
COLUMNS = ["area_code", "old_la_code", "area_name", "level", "year", "measure", "value", "lo80", "hi80", "lo95",
           "hi95", "method"]


def test_csv_has_one_row_per_area_year_and_measure(tmp_path: Path) -> None:
    out = tmp_path / "out" / "outlook.csv"
    result = runner.invoke(app, ["outlook", "--horizon", "3", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out, infer_schema_length=None, schema_overrides={"old_la_code": pl.String})
    assert frame.columns == COLUMNS
    assert sorted(frame["year"].unique().to_list()) == [2023, 2024, 2025]
    assert set(frame["measure"].unique().to_list()) == {"cla_31_march", "starts", "ceased"}
    assert set(frame["level"].unique().to_list()) == {"national", "regional", "local authority"}
    cla = frame.filter(pl.col("measure") == "cla_31_march")
    assert cla.filter(pl.col("level") == "local authority")["old_la_code"].n_unique() == 152
    assert cla.filter(pl.col("level") == "regional")["area_code"].n_unique() == 9
    assert frame.group_by("area_code", "old_la_code", "year", "measure").len()["len"].max() == 1
    england = cla.filter(pl.col("area_code") == "E92000001").sort("year")
    assert england.height == 3 and england["method"][0] != "persistence"
    assert (england["lo95"] < england["lo80"]).all() and (england["hi80"] < england["hi95"]).all()
    # reorganised authorities: today's ONS code, the DfE number, and both named
    ny = frame.filter(pl.col("old_la_code") == "815")
    assert set(ny["area_code"].to_list()) == {"E06000065"} and "E10000023" in ny["area_name"][0]
    cumbria = frame.filter(pl.col("old_la_code") == "909")["area_name"][0]
    assert "Cumberland" in cumbria and "Westmorland and Furness" in cumbria
    assert "rows written" in result.output


def test_area_narrows_the_csv_and_finds_new_codes(tmp_path: Path) -> None:
    out = tmp_path / "somerset.csv"
    result = runner.invoke(app, ["outlook", "--horizon", "2", "--area", "E06000066", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out, schema_overrides={"old_la_code": pl.String})
    assert frame.height == 2 * 3
    assert set(frame["old_la_code"].to_list()) == {"933"}
    assert "Outlook for Somerset" in result.output and "published" in result.output
    result = runner.invoke(app, ["outlook", "--horizon", "1", "--area", "Cumberland"])
    assert result.exit_code == 0, result.output
    assert "Cumbria" in result.output and "whole area" in result.output


def test_backtest_prints_mape_and_bias_for_every_candidate_and_the_coverage() -> None:
    result = runner.invoke(app, ["outlook", "--backtest"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "origins 2012-2019, horizons 1-3" in text
    for method in ("persistence", "damped_trend", "stock_flow_held", "stock_flow_damped", "pooled", "ensemble",
                   "review_trend"):
        assert method in text
    for heading in ("cla_31_march - local authority", "cla_31_march - national", "starts - regional"):
        assert heading in text
    assert "MAPE 3y" in text and "bias 1y" in text
    # the method used is marked, and its LA MAPE at 1 year is below persistence's as printed
    block = text.split("cla_31_march - local authority")[1].split("\n\n")[0]
    persistence = float(re.search(r"  persistence\s+([\d.]+)%", block).group(1))  # type: ignore[union-attr]
    chosen = float(re.search(r"\* \w+\s+([\d.]+)%", block).group(1))  # type: ignore[union-attr]
    assert chosen < persistence
    assert "Band coverage" in text and "80% all" in text


def test_bad_area_exits_2_and_suggests_the_nearest_name() -> None:
    result = runner.invoke(app, ["outlook", "--area", "Hertfordshre"])
    assert result.exit_code == 2
    assert "Did you mean 'Hertfordshire'" in result.output
    result = runner.invoke(app, ["outlook", "--area", "Northamptonshire"])
    assert result.exit_code == 2
    assert "North Northamptonshire" in result.output  # abolished in 2021: its successors are named


def test_bad_horizon_exits_2() -> None:
    result = runner.invoke(app, ["outlook", "--horizon", "9"])
    assert result.exit_code == 2 and "1 to 5 years" in result.output


def test_report_shows_the_la_beside_its_neighbours(tmp_path: Path) -> None:
    report = tmp_path / "leeds.html"
    result = runner.invoke(app, ["outlook", "--area", "Leeds", "--report", str(report)])
    assert result.exit_code == 0, result.output
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert not re.search(r"<script|<link|src=\"http|href=\"http", page)  # self-contained
    assert page.count("<svg") >= 3 + 5  # three measures, then the LA and its neighbours' fans
    assert "statistical neighbours" in page and "Yorkshire and The Humber" in page
    assert "How the method was chosen" in page and "persistence" in page
