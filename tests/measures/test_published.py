"""The scorecard from the published statistics that ship with careflow (no ../shared needed)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest

from careflow.measures import AreaNotFoundError, find_area, indicators, published_figures
from careflow.measures.benchmark import reported_values
from careflow.measures.published import DATA_DIR, ENGLAND, counts, round_half_up


@pytest.fixture(scope="module")
def figures() -> pl.DataFrame:
    return published_figures()


def one(figures: pl.DataFrame, area: str, year: int, ident: str) -> dict[str, object]:
    rows = figures.filter((pl.col("area_code") == area) & (pl.col("year") == year) & (pl.col("indicator") == ident))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_the_derived_table_ships_compact_and_names_its_source() -> None:
    sizes = {p.name: p.stat().st_size for p in DATA_DIR.iterdir()}
    assert set(sizes) >= {"published_counts.csv", "areas.csv", "manifest.json"}
    assert sum(sizes.values()) < 3_000_000
    manifest = json.loads((DATA_DIR / "manifest.json").read_text())
    assert "../shared/data/dfe" in manifest["source"]
    assert "Open Government Licence" in manifest["licence"]
    for column in counts().columns[2:]:
        assert manifest["columns"].get(column), f"{column} has no source in the manifest"


def test_every_published_column_a_definition_names_exists() -> None:
    available = set(counts().columns)
    for ind in indicators():
        for term in (ind.numerator.published, ind.denominator.published):
            assert set(term.columns) <= available, (ind.id, term.columns)
        if ind.dfe:
            assert ind.dfe.column in available, ind.id


def test_all_areas_and_years() -> None:
    years = counts()["year"].unique().sort().to_list()
    assert years == list(range(2010, 2023))
    la_2022 = counts().filter((pl.col("year") == 2022) & (pl.col("area_code").str.len_chars() == 3))
    with_cla = la_2022.filter(pl.col("cla_at_31_march").str.contains(r"^\d+$"))
    assert with_cla.height == 152  # every local authority in England in 2022


def test_hertfordshire_2022_by_hand(figures: pl.DataFrame) -> None:
    herts = find_area("Hertfordshire").code
    cla = one(figures, herts, 2022, "cla_rate_per_10k")
    # DfE: 1,024 children looked after, 0-17 population 268,734, rate 38 per 10,000
    assert (cla["numerator"], cla["denominator"], cla["dfe_value"]) == (1024, 268734, 38)
    assert round_half_up(cla["value"], 0) == 38  # type: ignore[arg-type]
    rr = one(figures, herts, 2022, "rereferrals_within_12_months")
    assert (rr["numerator"], rr["denominator"]) == (913, 6539)
    assert round_half_up(rr["value"], 1) == 14.0 == rr["dfe_value"]  # type: ignore[arg-type]
    turnover = one(figures, herts, 2022, "social_worker_turnover_rate")
    assert turnover["value"] == pytest.approx(90.6 / 485.8 * 100)


def test_suppressed_is_shown_as_suppressed_never_zero(figures: pl.DataFrame) -> None:
    # Isles of Scilly, 2020: DfE suppressed the number of children looked after ('c')
    row = one(figures, "420", 2020, "cla_rate_per_10k")
    assert (row["status"], row["symbol"], row["value"], row["numerator"]) == ("suppressed", "c", None, None)
    assert row["denominator"] == 337  # the population is not suppressed, and is kept
    hidden = figures.filter(pl.col("symbol").is_in(["c", "k", "u"]))
    assert (
        hidden.filter(pl.col("status") != "suppressed")["value"].to_list()
        == hidden.filter(pl.col("status") != "suppressed")["dfe_value"].to_list()
    )  # only where DfE published the figure itself


def test_dfe_figure_over_a_suppressed_count(figures: pl.DataFrame) -> None:
    # City of London 2022: DfE suppressed the plans started (c) but published 0 repeat plans, 0%
    row = one(figures, "201", 2022, "cpp_second_or_subsequent")
    assert (row["status"], row["value"], row["denominator"], row["symbol"]) == ("ok", 0.0, None, "c")
    assert "published the figure itself" in row["note"]
    assert (
        figures.filter(pl.col("status") != "ok")["value"].null_count()
        == figures.filter(pl.col("status") != "ok").height
    )


def test_sfr_small_numbers_become_c(figures: pl.DataFrame) -> None:
    # 2010-2017 files mark numbers 1-5 with x; careflow records them as suppressed
    sfr = counts().filter(pl.col("year") <= 2012)
    assert not sfr.select(pl.exclude("area_code", "year").str.contains("^x$").any()).row(0).count(True)
    row = one(figures, "201", 2011, "ceased_child_arrangements_order")
    assert row["status"] == "suppressed"


def test_not_applicable_and_no_data(figures: pl.DataFrame) -> None:
    old_dorset = one(figures, "835", 2022, "cla_rate_per_10k")
    assert (old_dorset["status"], old_dorset["symbol"]) == ("not_applicable", "z")
    kinship = one(figures, find_area("Hertfordshire").code, 2015, "cla_kinship_foster_care")
    assert kinship["status"] == "no_data" and kinship["value"] is None
    no_population = one(figures, "919", 2011, "cla_rate_per_10k")
    assert no_population["status"] == "no_data"  # no mid-2010 population in the data at hand
    assert no_population["numerator"] is not None  # the count is kept; only the rate is missing


def test_zero_denominator(figures: pl.DataFrame) -> None:
    row = one(figures, "420", 2018, "cla_three_or_more_placements")
    assert (row["status"], row["value"], row["denominator"]) == ("zero_denominator", None, 0)


def test_not_published_indicators(figures: pl.DataFrame) -> None:
    for ident in (
        "proceedings_within_26_weeks",
        "family_group_decision_making_before_plo",
        "reentry_within_12_months",
        "cla_review_participation",
        "cla_starts_returning_within_12_months",
    ):
        assert figures.filter(pl.col("indicator") == ident)["status"].unique().to_list() == ["not_published"]


def test_reported_uses_dfe_where_it_publishes(figures: pl.DataFrame) -> None:
    rep = reported_values(figures.filter(pl.col("year") == 2022))
    england = rep.filter((pl.col("area_code") == ENGLAND) & (pl.col("indicator") == "cla_rate_per_10k")).row(
        0, named=True
    )
    assert (england["reported"], england["reported_from"]) == (70, "dfe")  # 82,170 children, 70 per 10,000
    herts = rep.filter((pl.col("area_code") == "919") & (pl.col("indicator") == "cin_rate_per_10k")).row(0, named=True)
    assert herts["reported_from"] == "computed" and herts["reported"] == 207.8
    la = rep.filter(pl.col("area_code").str.len_chars() == 3)
    count_based = la.filter(~pl.col("indicator").str.starts_with("social_worker"))
    assert count_based["matches_dfe"].drop_nulls().all()


def test_subset_and_unknown_indicator() -> None:
    out = published_figures(["cla_rate_per_10k"], area_codes=["919"], years=[2022])
    assert out.height == 1
    with pytest.raises(KeyError, match="did you mean cla_rate_per_10k"):
        published_figures(["cla_rate_per_10"])


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Hertfordshire", "919"),
        ("hertfordshire", "919"),
        ("919", "919"),
        ("E10000015", "919"),
        ("Bristol, City of", "801"),
        ("bristol city of", "801"),
        ("Dorset", "838"),
        ("Dorset (to 2019)", "835"),
        ("England", ENGLAND),
        ("East of England", "E12000006"),
        ("Bournemouth, Christchurch and Poole", "839"),
    ],
)
def test_find_area(query: str, code: str) -> None:
    assert find_area(query).code == code


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("Hertfordshir", "Hertfordshire"),
        ("Herts", "Hertfordshire"),
        ("Lancashir", "Lancashire"),
        ("Birmingam", "Birmingham"),
    ],
)
def test_unknown_area_suggests_the_nearest(query: str, suggestion: str) -> None:
    with pytest.raises(AreaNotFoundError, match=f"Did you mean '{suggestion}'"):
        find_area(query)


def test_unknown_area_without_a_near_name() -> None:
    with pytest.raises(AreaNotFoundError, match="No local authority, region or England is called 'Atlantis'"):
        find_area("Atlantis")


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(18.65, 1, 18.7), (2.5, 0, 3.0), (0.05, 1, 0.1), (13.96238, 1, 14.0), (-2.5, 0, -3.0), (38.104594, 0, 38.0)],
)
def test_round_half_up(value: float, decimals: int, expected: float) -> None:
    assert round_half_up(value, decimals) == expected


def test_values_are_finite(figures: pl.DataFrame) -> None:
    ok = figures.filter(pl.col("status") == "ok")
    assert all(math.isfinite(v) for v in ok["value"].to_list())
    assert Path(DATA_DIR / "areas.csv").exists()


def _tiny_published() -> pl.DataFrame:
    """Three areas' published cells, typed in by hand."""
    return pl.DataFrame(
        {
            "area_code": ["111", "222", "333"],
            "year": ["2022", "2022", "2022"],
            # workforce: 111 plain; 222 with DfE's low-reliability 'u' for agency staff; 333 has no cases
            "sw_inpost_fte": ["90.0", "40.5", "10"],
            "sw_agency_fte": ["10.0", "u", "0"],
            "sw_vacancy_fte": ["10", "4.5", "0"],
            "sw_leavers_fte": ["18", "x", "0"],
            "sw_cases": ["1500", "600", "0"],
            "sw_case_holders_fte": ["75.0", "37.5", "0"],
            # s47 enquiries minus conferences; 222's conferences suppressed; 333 has none at all (empty: no data)
            "section47_enquiries": ["200", "40", None],
            "initial_conferences": ["50", "c", None],
            "cla_at_31_march": ["150", "k", "z"],
            "population_0_17": ["30000", "8000", "z"],
        }
    )


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        # (status, value) per area 111, 222, 333, worked out by hand
        ("social_worker_caseload", [("ok", 1500 / 75), ("ok", 600 / 37.5), ("zero_denominator", None)]),
        ("social_worker_agency_rate", [("ok", 10 / 100 * 100), ("suppressed", None), ("ok", 0.0)]),
        ("social_worker_vacancy_rate", [("ok", 10 / 100 * 100), ("ok", 4.5 / 45 * 100), ("ok", 0.0)]),
        ("social_worker_turnover_rate", [("ok", 18 / 90 * 100), ("not_available", None), ("ok", 0.0)]),
        ("s47_not_leading_to_conference", [("ok", 150 / 200 * 100), ("suppressed", None), ("no_data", None)]),
        ("cla_rate_per_10k", [("ok", 150 / 30000 * 10_000), ("suppressed", None), ("not_applicable", None)]),
    ],
)
def test_published_computation_by_hand(ident: str, expected: list[tuple[str, float | None]]) -> None:
    out = published_figures([ident], table=_tiny_published()).sort("area_code")
    got = list(zip(out["status"].to_list(), out["value"].to_list(), strict=True))
    for (status, value), (want_status, want_value) in zip(got, expected, strict=True):
        assert status == want_status
        assert value == (pytest.approx(want_value) if want_value is not None else None)
    symbols = dict(zip(out["area_code"].to_list(), out["symbol"].to_list(), strict=True))
    if ident == "social_worker_agency_rate":
        assert symbols["222"] == "u"
    if ident == "s47_not_leading_to_conference":
        assert symbols == {"111": None, "222": "c", "333": None}
