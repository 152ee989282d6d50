"""careflow's published-statistics figures against DfE's own published figures, read straight from DfE's files.

The compact table careflow ships holds DfE's counts; careflow computes each indicator from them by its definition
and must reproduce the figure DfE publishes, rounded as DfE rounds, for every local authority and year. (England
and regional counts are rounded to the nearest 10 in the files, so there careflow reports DfE's figure itself.)
Workforce rates are computed by DfE from FTE counts that the files round to one decimal, so they agree to 0.1.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from careflow.measures import indicator, published_figures
from careflow.measures.published import DATA_DIR, round_half_up

pytestmark = pytest.mark.shared

REPO = Path(__file__).resolve().parents[2]

# indicator: (file under data/dfe, filter {column: value}, DfE's column)
DFE_FILES: dict[str, tuple[str, dict[str, str], str]] = {
    "cla_rate_per_10k": (
        "cla_2022_release/cla_number_and_rate_per_10k_children.csv",
        {"population_count": "Children looked after at 31 March each year"},
        "rate_per_10000",
    ),
    "cla_starts_rate_per_10k": (
        "cla_2022_release/cla_number_and_rate_per_10k_children.csv",
        {"population_count": "Children starting to be looked after each year"},
        "rate_per_10000",
    ),
    "rereferrals_within_12_months": (
        "cin_cpp/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        {},
        "rereferral_percent",
    ),
    "cpp_second_or_subsequent": ("cin_cpp/d3_cpps_subsequent_plan_2013_to_2025.csv", {}, "CPP_subsequent_percent"),
    "cpp_lasting_2_years_plus": (
        "cin_cpp/d5_cpps_at31march_by_duration_2013_to_2025.csv",
        {},
        "2_years_or_more_percent",
    ),
    "ceased_special_guardianship": (
        "cla_2022_release/la_children_who_ceased_during_year.csv",
        {"cla_group": "Reason episode ceased", "characteristic": "Special guardianship orders"},
        "percentage",
    ),
    "ceased_child_arrangements_order": (
        "cla_2022_release/la_children_who_ceased_during_year.csv",
        {"cla_group": "Reason episode ceased", "characteristic": "Residence order or child arrangement order granted"},
        "percentage",
    ),
    "cla_three_or_more_placements": (
        "cla_2022_release/la_cla_at_31_march_placement_stability_indicator.csv",
        {"characteristic": "With 3 or more placements during the year"},
        "percentage",
    ),
    "cla_long_term_placement_stability": (
        "cla_2022_release/la_cla_at_31_march_placement_stability_indicator.csv",
        {
            "cla_group": "Children looked after continuously for at least 2.5 years at 31 March aged under 16 years",
            "characteristic": "Living in the same placement for at least 2 years, or are placed for adoption and their "
            "adoption and their adoptive placement together with their previous placement, last for "
            "at least 2 years",
        },
        "percentage",
    ),
    "care_leavers_19_21_in_touch": (
        "cla_2022_release/la_care_leavers_intouch.csv",
        {"age": "Aged 19 to 21", "in_touch": "Local authority in touch with care leaver"},
        "percentage",
    ),
    "care_leavers_17_18_in_touch": (
        "cla_2022_release/la_care_leavers_intouch.csv",
        {"age": "Aged 17 to 18", "in_touch": "Local authority in touch with care leaver"},
        "percentage",
    ),
    "care_leavers_19_21_in_education_employment_training": (
        "cla_2022_release/la_care_leavers_activity.csv",
        {"age": "Aged 19 to 21", "activity": "Total in education, employment or training"},
        "percentage",
    ),
    "care_leavers_17_18_in_education_employment_training": (
        "cla_2022_release/la_care_leavers_activity.csv",
        {"age": "Aged 17 to 18", "activity": "Total in education, employment or training"},
        "percentage",
    ),
    "care_leavers_19_21_suitable_accommodation": (
        "cla_2022_release/la_care_leavers_accommodation_suitability.csv",
        {"age": "19 to 21 years", "accommodation_suitability": "Accommodation considered suitable"},
        "percentage",
    ),
    "care_leavers_17_18_suitable_accommodation": (
        "cla_2022_release/la_care_leavers_accommodation_suitability.csv",
        {"age": "17 to 18 years", "accommodation_suitability": "Accommodation considered suitable"},
        "percentage",
    ),
    "social_worker_caseload": ("workforce/csww_indicators_2017_to_2025.csv", {}, "caseload_fte"),
    "social_worker_agency_rate": ("workforce/csww_indicators_2017_to_2025.csv", {}, "agency_rate_fte"),
    "social_worker_vacancy_rate": ("workforce/csww_indicators_2017_to_2025.csv", {}, "vacancy_rate_fte"),
    "social_worker_turnover_rate": ("workforce/csww_indicators_2017_to_2025.csv", {}, "turnover_rate_fte"),
}
SPOT_CHECK_LAS = {
    "919": "Hertfordshire",
    "886": "Kent",
    "330": "Birmingham",
    "201": "City of London",
    "940": "North Northamptonshire",
    "839": "Bournemouth, Christchurch and Poole",
}


@pytest.fixture(scope="module")
def ours() -> pl.DataFrame:
    return published_figures()


def dfe_figures(shared: Path, ident: str) -> pl.DataFrame:
    """DfE's published figure for every LA and year, from DfE's own file."""
    path, where, column = DFE_FILES[ident]
    frame = pl.read_csv(shared / "data" / "dfe" / path, infer_schema=False)
    frame = frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})
    frame = frame.filter(pl.col("geographic_level") == "Local authority")
    for key, value in where.items():
        frame = frame.filter(pl.col(key) == value)
    return frame.select(
        pl.col("old_la_code").alias("area_code"),
        pl.col("time_period").cast(pl.Int32).alias("year"),
        pl.col(column).cast(pl.Float64, strict=False).alias("dfe"),
    ).filter(pl.col("dfe").is_not_null())


@pytest.mark.parametrize("ident", sorted(DFE_FILES))
def test_every_la_and_year_matches_dfe(shared: Path, ours: pl.DataFrame, ident: str) -> None:
    ind = indicator(ident)
    assert ind.dfe is not None
    dfe = dfe_figures(shared, ident)
    mine = ours.filter((pl.col("indicator") == ident) & (pl.col("status") == "ok")).select("area_code", "year", "value")
    joined = dfe.join(mine, on=["area_code", "year"], how="inner")
    assert joined.height >= 0.9 * dfe.height, "careflow has no figure for many LA-years DfE publishes"
    assert joined.select("year").n_unique() >= 5
    rounded = [round_half_up(v, ind.dfe.decimals) for v in joined["value"].to_list()]
    differences = [abs(r - d) for r, d in zip(rounded, joined["dfe"].to_list(), strict=True)]
    if ident.startswith("social_worker"):
        # DfE divides unrounded FTE; the file gives FTE to 0.1, so the last digit can differ by one
        assert max(differences) <= 0.1 + 1e-9
        assert sum(d < 1e-9 for d in differences) / len(differences) > 0.9
    else:
        mismatches = joined.with_columns(pl.Series("ours", rounded)).filter(pl.Series([d > 1e-9 for d in differences]))
        assert mismatches.height == 0, mismatches.head()


@pytest.mark.parametrize(
    "ident",
    [
        "cla_rate_per_10k",
        "rereferrals_within_12_months",
        "cpp_second_or_subsequent",
        "cla_three_or_more_placements",
        "care_leavers_19_21_in_touch",
    ],
)
@pytest.mark.parametrize("code", sorted(SPOT_CHECK_LAS))
def test_named_authorities(shared: Path, ours: pl.DataFrame, ident: str, code: str) -> None:
    """Several LAs, every year DfE publishes: the figure in careflow's report is DfE's to the digit."""
    ind = indicator(ident)
    assert ind.dfe is not None
    dfe = dfe_figures(shared, ident).filter(pl.col("area_code") == code)
    for year, expected in dfe.select("year", "dfe").iter_rows():
        row = ours.filter((pl.col("indicator") == ident) & (pl.col("area_code") == code) & (pl.col("year") == year))
        value = row["value"][0]
        assert value is not None, (SPOT_CHECK_LAS[code], year)
        assert round_half_up(value, ind.dfe.decimals) == expected, (SPOT_CHECK_LAS[code], year)


def test_england_reported_figure_is_dfes(shared: Path) -> None:
    from careflow.measures.benchmark import reported_values

    rep = reported_values(published_figures(["cla_rate_per_10k"], area_codes=["E92000001"]))
    assert dict(rep.filter(pl.col("reported_from") == "dfe").select("year", "reported").iter_rows()) == {
        2018: 64,
        2019: 65,
        2020: 67,
        2021: 67,
        2022: 70,
    }


def test_the_shipped_table_is_what_the_script_derives(shared: Path, tmp_path: Path) -> None:
    script = REPO / "scripts" / "derive_scorecard_tables.py"
    subprocess.run(
        [sys.executable, str(script), "--shared", str(shared), "--out", str(tmp_path)], check=True, capture_output=True
    )
    for name in ("published_counts.csv", "areas.csv"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), f"{name}: run the script again"
