"""The report and the command: both scorecard commands, and bad input."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from careflow.measures import cli_main, indicators
from careflow.tables import CareData

from .tiny import EXPECTED, tiny


def run(area: str | None, returns_dir: Path | None, out: Path) -> tuple[int, str]:
    err = io.StringIO()
    from careflow.measures.cli import cli_main as main

    code = main(area, returns_dir, out, stderr=err)
    return code, err.getvalue()


def test_area_scorecard(tmp_path: Path) -> None:
    code, message = run("Hertfordshire", None, tmp_path / "herts")
    assert code == 0, message
    html = (tmp_path / "herts" / "scorecard.html").read_text()
    for ind in indicators():
        assert ind.name.replace("'", "&#x27;") in html
    assert "Child and family objective 1: Family Help" in html and "System objective 1: Workforce" in html
    assert html.count("<svg") > 40
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "rank" not in html.lower().replace("nothing here is a rank", "")
    figures = pl.read_csv(tmp_path / "herts" / "scorecard.csv")
    assert {"numerator_definition", "denominator_definition", "reference", "status", "dfe_value"} <= set(
        figures.columns
    )
    assert figures["indicator"].n_unique() == len(indicators())
    payload = json.loads((tmp_path / "herts" / "scorecard.json").read_text())
    assert payload["area"]["name"] == "Hertfordshire"
    assert len(payload["indicators"]) == len(indicators())


def test_small_authority_shows_suppression(tmp_path: Path) -> None:
    code, _ = run("Isles of Scilly", None, tmp_path / "scilly.html")
    assert code == 0
    html = (tmp_path / "scilly.html").read_text()
    assert "suppressed (c)" in html
    assert (tmp_path / "scilly.csv").exists() and (tmp_path / "scilly.json").exists()


def test_unknown_area(tmp_path: Path) -> None:
    code, message = run("Hertfordshir", None, tmp_path)
    assert code == 2
    assert "Did you mean 'Hertfordshire'" in message
    assert not (tmp_path / "scorecard.html").exists()


def test_nothing_asked(tmp_path: Path) -> None:
    code, message = run(None, None, tmp_path)
    assert code == 2 and "--area" in message


def test_missing_returns_folder(tmp_path: Path) -> None:
    code, message = run(None, tmp_path / "nowhere", tmp_path / "out")
    assert code == 2 and "No such folder" in message


def test_empty_returns_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, message = run(None, tmp_path / "empty", tmp_path / "out")
    assert code == 2 and "no returns found" in message
    assert "2021-22/ssda903" in message  # it says what it expected to find


def _ssda903_ready() -> CareData:
    """The tiny LA's SSDA903 tables, with the header fields a return needs."""
    data = tiny()
    dobs = pl.concat(
        [data["children"].select("child_id", "date_of_birth"), data["care_leavers"].select("child_id", "date_of_birth")]
    )
    ids = pl.concat(
        [data[t].select("child_id") for t in ("looked_after_episodes", "looked_after_reviews", "care_leavers")]
    ).unique()
    children = ids.join(dobs, on="child_id", how="left").with_columns(
        pl.col("date_of_birth").fill_null(date(2012, 1, 1)), pl.lit("1").alias("sex"), pl.lit("WBRI").alias("ethnicity")
    )
    return CareData(
        {
            "children": children,
            "looked_after_episodes": data["looked_after_episodes"],
            "looked_after_reviews": data["looked_after_reviews"],
            "care_leavers": data["care_leavers"].drop("collection_year"),
        }
    )


def test_returns_scorecard_round_trip(tmp_path: Path) -> None:
    """The tiny LA written as an SSDA903 return, read back by careflow's reader and scored."""
    from careflow.returns import write_ssda903

    returns = tmp_path / "returns"
    write_ssda903(_ssda903_ready(), returns, year=2024)
    code, message = run("Hertfordshire", returns, tmp_path / "out")
    assert code == 0, message
    figures = pl.read_csv(tmp_path / "out" / "scorecard.csv").filter(pl.col("year") == 2024)
    got = {r["indicator"]: (r["numerator"], r["denominator"], r["status"]) for r in figures.iter_rows(named=True)}
    for ident in (
        "cla_kinship_foster_care",
        "cla_three_or_more_placements",
        "cla_long_term_placement_stability",
        "ceased_returned_home",
        "ceased_special_guardianship",
        "reentry_within_12_months",
        "cla_starts_returning_within_12_months",
        "cla_review_participation",
        "care_leavers_19_21_in_touch",
        "care_leavers_17_18_suitable_accommodation",
    ):
        assert got[ident][:2] == EXPECTED[ident], ident
    assert got["cla_rate_per_10k"][0] == 5 and got["cla_rate_per_10k"][2] == "ok"  # Hertfordshire's population
    assert got["rereferrals_within_12_months"][2] == "no_data"  # no CIN census given
    html = (tmp_path / "out" / "scorecard.html").read_text()
    assert "from its own returns" in html
    assert "stop at 2022" in html


@pytest.mark.shared
def test_returns_from_shared_synthetic_files(shared: Path, tmp_path: Path) -> None:
    source = shared / "data" / "synthetic" / "csc-validator-be-903"
    returns = tmp_path / "r"
    returns.mkdir()
    for name in ("header.csv", "episodes.csv", "reviews.csv", "oc3.csv"):
        (returns / name).write_bytes((source / name).read_bytes())
    code, message = run(None, returns, tmp_path / "out")
    assert code == 0, message
    figures = pl.read_csv(tmp_path / "out" / "scorecard.csv")
    rate = figures.filter(pl.col("indicator") == "cla_rate_per_10k").row(0, named=True)
    assert rate["status"] == "not_computable"  # no area given: no population
    assert figures.filter(pl.col("indicator") == "cla_three_or_more_placements")["status"].to_list() == ["ok"]


def test_cli_main_is_exported() -> None:
    assert callable(cli_main)


def test_returns_in_year_folders_pool_into_a_trend(tmp_path: Path) -> None:
    """`careflow synth` writes DIR/2022-23/ssda903/*.csv, DIR/2023-24/...: each folder is one year's return."""
    from careflow.returns import write_ssda903

    for folder, year in (("2022-23", 2023), ("2023-24", 2024)):
        write_ssda903(_ssda903_ready(), tmp_path / "returns" / folder / "ssda903", year=year)
    code, message = run("Hertfordshire", tmp_path / "returns", tmp_path / "out")
    assert code == 0, message
    assert "years 2023, 2024" in message
    figures = pl.read_csv(tmp_path / "out" / "scorecard.csv")
    latest = figures.filter((pl.col("year") == 2024) & (pl.col("indicator") == "cla_three_or_more_placements"))
    assert (latest["numerator"][0], latest["denominator"][0]) == EXPECTED["cla_three_or_more_placements"]


@pytest.mark.parametrize(
    ("path", "year"),
    [("returns/2021-22/ssda903", 2022), ("r/2023_24", 2024), ("r/ssda903", None), ("r/2021-23", None)],
)
def test_folder_year(path: str, year: int | None) -> None:
    from careflow.measures.cli import _folder_year

    assert _folder_year(Path(path)) == year
