"""Bad input to careflow data import: each reported by file, column and label; nothing becomes a silent zero.

The files here are small, made in the test, in the 2025 release's layout of
``cla_number_and_rate_per_10k_children.csv`` (../shared/data/dfe-layouts/layouts.json); no ../shared needed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from careflow import published
from careflow.cli import app

runner = CliRunner()

HEADER_2025 = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
               "region_name", "old_la_code", "la_name", "new_la_code", "population_type", "population_estimate",
               "children_count", "rate_per_10000"]
CLA = "Children looked after on 31 March each year"
STARTS = "Children starting to be looked after each year"


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "careflow-data"
    monkeypatch.setenv("CAREFLOW_DATA", str(root))
    return root


def rate_file(folder: Path, year: int, herts: dict[str, str], *, header: list[str] | None = None,
              labels: tuple[str, str] = (CLA, STARTS), herts_ons: str = "E10000015",
              extra: list[list[str]] | None = None) -> Path:
    """A CLA rates file: England, the East of England and Hertfordshire (919), with Hertfordshire's cells given."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cla_number_and_rate_per_10k_children.csv"
    geo = {
        "england": [str(year), "Financial year", "National", "E92000001", "England", "", "", "", "", ""],
        "east": [str(year), "Financial year", "Regional", "E92000001", "England", "E12000006", "East of England", "",
                 "", ""],
        "herts": [str(year), "Financial year", "Local authority", "E92000001", "England", "E12000006",
                  "East of England", "919", "Hertfordshire", herts_ons],
    }
    rows = []
    for area, base in geo.items():
        for label in labels:
            count = herts.get(label, "100") if area == "herts" else "1000"
            rows.append([*base, label, "250000", count, "40"])
    rows += extra or []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or HEADER_2025)
        writer.writerows(rows)
    return path


def run_import(folder: Path, tmp_path: Path, *args: str) -> tuple[int, str, dict[str, object]]:
    report = tmp_path / f"report-{folder.name}.json"
    result = runner.invoke(app, ["data", "import", str(folder), "--report", str(report), *args])
    data = json.loads(report.read_text()) if report.exists() else {}
    return result.exit_code, flat(result.output), data


def problems(report: dict[str, object], severity: str) -> list[dict[str, str]]:
    return [p for p in report["problems"] if p["severity"] == severity]  # type: ignore[union-attr, index]


def test_unknown_release_file_is_reported_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "unknown"
    rate_file(folder, 2024, {})
    (folder / "cla_placements_by_planet_2031.csv").write_text("time_period,geographic_level,number\n2031,National,1\n")
    code, out, report = run_import(folder, tmp_path)
    assert code == 0
    assert "cla_placements_by_planet_2031.csv" in out and "Files not recognised" in out
    [warning] = [p for p in problems(report, "warning") if "not recognised" in p["message"]]
    assert warning["file"] == "cla_placements_by_planet_2031.csv"


def test_renamed_column_is_an_error_naming_file_column_and_lost_measures(tmp_path: Path) -> None:
    folder = tmp_path / "renamed"
    header = [("population_group" if c == "population_type" else c) for c in HEADER_2025]
    rate_file(folder, 2024, {}, header=header)
    code, out, report = run_import(folder, tmp_path)
    assert code == 1
    [error] = problems(report, "error")
    assert error["file"] == "cla_number_and_rate_per_10k_children.csv"
    assert error["column"] == "population_count | population_type"
    assert "population_group" in error["message"] and "cla_at_31_march" in error["message"]
    assert "nothing saved" in out
    assert not report["saved"] and not (published.store_dir() / "cells.parquet").exists()


def test_reworded_label_loses_a_measure_and_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "reworded"
    rate_file(folder, 2024, {}, labels=("Looked-after children, 31 March", STARTS))
    code, out, report = run_import(folder, tmp_path)
    assert "cla_at_31_march is lost" in out
    assert code == 1
    lost = [p for p in problems(report, "error") if "cla_at_31_march is lost" in p["message"]]
    assert lost and lost[0]["column"] == "population_type"
    assert "Children looked after on 31 March each year" in lost[0]["label"]
    # the label careflow could not map is listed too
    notes = problems(report, "note")
    assert any(p["label"] == "Looked-after children, 31 March" for p in notes)
    # --keep-going saves what could be read (starts), never a zero for the lost measure
    code, _out, report = run_import(folder, tmp_path, "--keep-going")
    assert code == 1 and report["saved"]
    held = published.held_counts().filter((pl.col("area_code") == "919") & (pl.col("year") == 2024))
    assert held["cla_starts"].to_list() == ["100"]
    assert held["cla_at_31_march"].to_list() == [None]


def test_suppressed_cells_stay_symbols_and_unknown_text_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "suppressed"
    # EES 'low' is DfE's k (rounds to zero, not zero); each import replaces the last (same release)
    for symbol, expected in (("low", "k"), ("c", "c"), ("x", "x"), ("k", "k"), ("z", "z")):
        rate_file(folder / symbol, 2024, {CLA: symbol})
        code, out, _ = run_import(folder / symbol, tmp_path)
        assert code == 0, out
        cell = published.held_counts().filter((pl.col("area_code") == "919") & (pl.col("year") == 2024))[
            "cla_at_31_march"].to_list()
        assert cell == [expected]
    # the scorecard shows it as DfE's symbol (here z: not applicable), never zero
    from careflow.measures.published import compute

    rate = compute(["cla_rate_per_10k"], area_codes=["919"], years=[2024])
    assert rate["value"].to_list() == [None]
    assert rate["status"].to_list() == ["not_applicable"] and rate["symbol"].to_list() == ["z"]

    bad = tmp_path / "bad"
    rate_file(bad, 2024, {CLA: "n/a"})
    code, out, report = run_import(bad, tmp_path)
    assert code == 1
    [error] = problems(report, "error")
    assert error["column"] == "children_count" and CLA in error["label"] and "'n/a'" in error["message"]
    assert "not read as zero" in error["message"]


def test_a_year_in_two_releases_keeps_the_later_figure_and_records_the_revision(tmp_path: Path) -> None:
    first = tmp_path / "release2023"
    rate_file(first, 2023, {CLA: "2000"},
              extra=[["2022", "Financial year", "Local authority", "E92000001", "England", "E12000006",
                      "East of England", "919", "Hertfordshire", "E10000015", CLA, "250000", "1900", "76"]])
    second = tmp_path / "release2024"
    rate_file(second, 2024, {CLA: "2100"},
              extra=[["2023", "Financial year", "Local authority", "E92000001", "England", "E12000006",
                      "East of England", "919", "Hertfordshire", "E10000015", CLA, "250000", "2010", "80"]])
    assert run_import(first, tmp_path)[0] == 0
    code, out, report = run_import(second, tmp_path)
    assert code == 0
    revisions = [r for r in report["revisions"] if r["area_code"] == "919" and r["measure"] == "cla_at_31_march"]
    assert revisions == [{
        "area_code": "919", "year": 2023, "measure": "cla_at_31_march", "old_cell": "2000", "old_release": "CLA 2023",
        "old_file": "cla_number_and_rate_per_10k_children.csv", "new_cell": "2010", "new_release": "CLA 2024",
        "new_file": "cla_number_and_rate_per_10k_children.csv"}]
    assert "CLA 2023 → CLA 2024" in out
    # the shipped 2022 figure is revised by the 2023 release's
    assert any(r["year"] == 2022 for r in report["revisions"]) is False  # the 2024 release does not cover 2022
    held = published.held_counts().filter(pl.col("area_code") == "919").sort("year")
    by_year = dict(held.select("year", "cla_at_31_march").iter_rows())
    assert by_year[2022] == "1900" and by_year[2023] == "2010" and by_year[2024] == "2100"
    # importing the older release again does not undo the later one
    assert run_import(first, tmp_path)[0] == 0
    by_year = dict(published.held_counts().filter(pl.col("area_code") == "919").select(
        "year", "cla_at_31_march").iter_rows())
    assert by_year[2023] == "2010"
    assert (published.store_dir() / "revisions.csv").exists()


def test_an_la_that_changed_code_is_reported_and_stays_joined(tmp_path: Path) -> None:
    folder = tmp_path / "recoded"
    rate_file(folder, 2024, {}, herts_ons="E06000099",
              extra=[["2024", "Financial year", "Local authority", "E92000001", "England", "E12000002", "North West",
                      "942", "Cumberland", "E06000063", CLA, "50000", "400", "80"]])
    code, out, report = run_import(folder, tmp_path)
    assert code == 0, out
    warnings = problems(report, "warning")
    changed = [w for w in warnings if w["label"] == "919"]
    assert changed and changed[0]["column"] == "new_la_code" and "E06000099" in changed[0]["message"]
    assert "E10000015" in changed[0]["message"]
    new = [w for w in warnings if w["label"] == "942"]
    assert new and "Cumberland" in new[0]["message"]
    assert "919 Hertfordshire changed code" in out
    # Hertfordshire's history is one series; Cumberland is a named area
    held = published.held_counts().filter(pl.col("area_code") == "919")
    assert {2022, 2024} <= set(held["year"].to_list())
    from careflow.measures.published import find_area

    assert find_area("Cumberland").code == "942"


def test_two_releases_in_one_folder_keep_the_later_figure(tmp_path: Path) -> None:
    folder = tmp_path / "both"
    rate_file(folder / "cla_2023_release", 2023, {CLA: "2000"})
    rate_file(folder / "cla_2024_release", 2024, {CLA: "2100"},
              extra=[["2023", "Financial year", "Local authority", "E92000001", "England", "E12000006",
                      "East of England", "919", "Hertfordshire", "E10000015", CLA, "250000", "2010", "80"]])
    code, out, report = run_import(folder, tmp_path)
    assert code == 0, out
    [revision] = [r for r in report["revisions"]
                  if r["area_code"] == "919" and r["year"] == 2023 and r["measure"] == "cla_at_31_march"]
    assert (revision["old_cell"], revision["new_cell"]) == ("2000", "2010")
    assert revision["old_file"] == "cla_2023_release/cla_number_and_rate_per_10k_children.csv"
    assert revision["new_file"] == "cla_2024_release/cla_number_and_rate_per_10k_children.csv"
    by_year = dict(published.held_counts().filter(pl.col("area_code") == "919").select(
        "year", "cla_at_31_march").iter_rows())
    assert by_year[2023] == "2010"


def test_headers_and_labels_differing_only_in_case_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    header = [c.upper() if c in ("population_type", "children_count") else c for c in HEADER_2025]
    rate_file(folder, 2024, {CLA.upper(): "321"}, header=header, labels=(CLA.upper(), STARTS))
    code, out, _ = run_import(folder, tmp_path)
    assert code == 0, out
    held = published.held_counts().filter((pl.col("area_code") == "919") & (pl.col("year") == 2024))
    assert held["cla_at_31_march"].to_list() == ["321"]


def test_a_financial_year_period_is_an_error_not_a_year(tmp_path: Path) -> None:
    folder = tmp_path / "fy"
    rate_file(folder, 2024, {}, extra=[["202223", "Financial year", "National", "E92000001", "England", "", "", "",
                                        "", "", CLA, "1", "1", "1"]])
    code, _out, report = run_import(folder, tmp_path)
    assert code == 1
    [error] = problems(report, "error")
    assert error["column"] == "time_period" and "202223" in error["message"]
