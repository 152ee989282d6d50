"""Benchmarking: neighbours, region and England; funnel limits; no ranks."""

from __future__ import annotations

import itertools
import math

import polars as pl
import pytest

from careflow.measures import find_area, published_figures
from careflow.measures.benchmark import Z_95, Z_998, comparators, funnel


@pytest.fixture(scope="module")
def figures() -> pl.DataFrame:
    return published_figures()


def test_comparators_are_means_of_the_published_values(figures: pl.DataFrame) -> None:
    herts = find_area("Hertfordshire")
    comp = comparators(figures, herts).filter((pl.col("indicator") == "cla_rate_per_10k") & (pl.col("year") == 2022))
    row = comp.row(0, named=True)
    rates = figures.filter((pl.col("indicator") == "cla_rate_per_10k") & (pl.col("year") == 2022))
    by_area = dict(rates.select("area_code", "value").iter_rows())
    neighbours = [by_area[c] for c in herts.statistical_neighbours]
    assert row["neighbours"] == pytest.approx(sum(neighbours) / len(neighbours))
    assert row["neighbours_n"] == 10
    assert row["region"] == pytest.approx(by_area["E12000006"])
    assert row["england"] == pytest.approx(by_area["E92000001"])
    assert row["value"] == pytest.approx(1024 / 268734 * 10_000)
    assert not any("rank" in c for c in comp.columns)


def test_suppressed_neighbours_are_left_out_not_zeroed(figures: pl.DataFrame) -> None:
    herts = find_area("Hertfordshire")
    row = (
        comparators(figures, herts)
        .filter((pl.col("indicator") == "ceased_returned_home") & (pl.col("year") == 2022))
        .row(0, named=True)
    )
    assert row["neighbours_n"] < 10  # some neighbours' counts are suppressed
    rates = figures.filter(
        (pl.col("indicator") == "ceased_returned_home")
        & (pl.col("year") == 2022)
        & pl.col("area_code").is_in(list(herts.statistical_neighbours))
        & (pl.col("status") == "ok")
    )
    assert row["neighbours"] == pytest.approx(rates["value"].mean())


def test_funnel_limits(figures: pl.DataFrame) -> None:
    plot = funnel(figures, "cla_three_or_more_placements", 2022)
    assert plot is not None
    p0 = plot.target / 100
    phi = plot.overdispersion
    assert phi >= 1
    limits = plot.limits
    # binomial limits around England's value, widened by sqrt(phi)
    n = limits["denominator"][40]
    half_width = Z_95 * math.sqrt(p0 * (1 - p0) / n) * math.sqrt(phi) * 100
    assert limits["upper_95"][40] == pytest.approx(min(100.0, plot.target + half_width))
    assert limits["lower_95"][40] == pytest.approx(max(0.0, plot.target - half_width))
    widths = (limits["upper_998"] - limits["lower_998"]).to_list()
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(widths)), "limits narrow as n grows"
    assert (limits["upper_998"] >= limits["upper_95"]).all()
    assert set(plot.points["band"].drop_nulls()) <= {
        "within 95% limits",
        "between 95% and 99.8% limits",
        "beyond 99.8% limits",
    }
    assert Z_998 > Z_95


def test_small_authorities_are_not_over_read(figures: pl.DataFrame) -> None:
    """The same distance from England is within the limits for a small LA and beyond them for a large one."""
    plot = funnel(figures, "cla_three_or_more_placements", 2022, extra=[("small", 20, 20.0), ("large", 20000, 20.0)])
    assert plot is not None
    bands = dict(
        plot.points.filter(pl.col("area_code").is_in(["small", "large"])).select("area_code", "band").iter_rows()
    )
    assert bands["small"] == "within 95% limits"
    assert bands["large"] == "beyond 99.8% limits"


def test_funnel_without_england_is_none(figures: pl.DataFrame) -> None:
    assert funnel(figures, "proceedings_within_26_weeks", 2022) is None
