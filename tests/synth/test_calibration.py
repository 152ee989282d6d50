"""The synthetic LA reproduces the national statistics it is calibrated to.

An LA of 60,000 children looks after about 400 of them, so one LA's shares move by several points from seed
to seed (an LA adopts about 15 children a year). The test therefore averages the measures of 64 LAs of 60,000
children (seeds 0-63: about 3.8 million children, 27,000 looked after) and compares the averages with the
national table:

* within +/-10% (relative) for rates and for shares of 5% or more;
* within +/-1.5 percentage points (absolute) for shares under 5% (placed for adoption, other placements,
  children under 1 in some years, child arrangements orders), where 10% of the share is a fraction of a point.

The standard error of the average is about a third of these tolerances or less (3% for adoptions, the noisiest
share), so the test fails when the model is off, not by chance. It runs for 2021-22 (the calibration year)
and 2019-20, a year the parameters were not tuned to beyond the national series they follow year by year (UASC
arrivals, adoptions, returns home).
"""

from __future__ import annotations

import polars as pl
import pytest

from careflow.synth import generate, national_targets
from careflow.synth.measures import measures

pytestmark = pytest.mark.slow

POPULATION = 60_000
SEEDS = range(64)
YEARS = (2022, 2020)
RELATIVE = 0.10
ABSOLUTE = 0.015  # for shares under 5%

CHECKS: list[tuple[str, str, str]] = [
    ("cla_at_31_march", "total", "per_10k"),
    ("cla_starts", "total", "per_10k"),
    *[("cla_at_31_march_by_placement_group", c, "share") for c in (
        "foster", "foster_kinship", "residential", "supported_independent", "placed_with_parents",
        "placed_for_adoption", "other")],
    *[("cla_at_31_march_by_age", c, "share") for c in ("under_1", "1_to_4", "5_to_9", "10_to_15", "16_and_over")],
    *[("cla_ceased_by_reason", c, "share") for c in (
        "home", "adoption", "special_guardianship_order", "child_arrangements_order", "eighteen_plus_independent",
        "other")],
    ("cin_at_31_march", "total", "per_10k"),
    ("child_protection_plans_at_31_march", "total", "per_10k"),
    ("referrals", "total", "per_10k"),
    ("referrals", "rereferral_within_12_months", "share"),
    ("section47_enquiries", "total", "per_10k"),
    ("child_protection_plan_starts", "total", "per_10k"),
    ("child_protection_plan_starts", "second_or_subsequent", "share"),
]


@pytest.fixture(scope="module", params=YEARS, ids=lambda y: f"{y - 1}-{y % 100:02d}")
def comparison(request: pytest.FixtureRequest) -> tuple[int, pl.DataFrame]:
    year: int = request.param
    frames = [measures(generate(POPULATION, end_year=year, seed=seed).data, year, POPULATION) for seed in SEEDS]
    model = (pl.concat(frames).group_by(["measure", "category", "unit"])
             .agg(pl.col("value").mean().alias("model"), pl.col("value").std().alias("seed_sd")))
    target = national_targets().filter(pl.col("year") == year).select(
        "measure", "category", "unit", pl.col("value").alias("national"))
    table = model.join(target, on=["measure", "category", "unit"], how="inner")
    return year, table


def _table(frame: pl.DataFrame) -> str:
    with pl.Config(tbl_rows=100, tbl_width_chars=160, fmt_str_lengths=40):
        return str(frame.sort("measure", "category"))


@pytest.mark.parametrize("measure,category,unit", CHECKS, ids=[f"{m}/{c}" for m, c, _ in CHECKS])
def test_reproduces_the_national_figure(
    comparison: tuple[int, pl.DataFrame], measure: str, category: str, unit: str
) -> None:
    year, table = comparison
    row = table.filter((pl.col("measure") == measure) & (pl.col("category") == category) & (pl.col("unit") == unit))
    assert row.height == 1, f"{measure}/{category} ({unit}) missing from the model or the national table"
    model, national = float(row["model"][0]), float(row["national"][0])
    if unit == "share" and national < 0.05:
        assert abs(model - national) <= ABSOLUTE, (
            f"{year}: {measure}/{category} = {model:.4f}, national {national:.4f} (tolerance +/-1.5 points)\n"
            + _table(table))
    else:
        assert abs(model / national - 1) <= RELATIVE, (
            f"{year}: {measure}/{category} = {model:.4f}, national {national:.4f} "
            f"({(model / national - 1):+.1%}; tolerance +/-10%)\n" + _table(table))
