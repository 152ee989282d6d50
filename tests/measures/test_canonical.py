"""Every indicator from canonical tables, checked against a tiny LA counted by hand (tests/measures/tiny.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careflow.measures import figures_from_tables, indicator, indicators
from careflow.measures.canonical import data_years
from careflow.tables import CareData

from .tiny import EXPECTED, NOT_COMPUTABLE, POPULATION, YEAR, tiny


@pytest.fixture(scope="module")
def figures() -> pl.DataFrame:
    return figures_from_tables(tiny(), years=[YEAR], population=POPULATION)


def test_every_indicator_has_a_hand_computed_answer() -> None:
    ids = {i.id for i in indicators()}
    assert ids == set(EXPECTED) | NOT_COMPUTABLE, "add the new indicator's hand-computed answer to tiny.py"


@pytest.mark.parametrize("ident", sorted(EXPECTED))
def test_indicator_matches_hand_count(figures: pl.DataFrame, ident: str) -> None:
    row = figures.filter(pl.col("indicator") == ident).row(0, named=True)
    numerator, denominator = EXPECTED[ident]
    assert row["status"] == "ok", row["note"]
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    assert row["value"] == pytest.approx(numerator / denominator * indicator(ident).scale)


@pytest.mark.parametrize("ident", sorted(NOT_COMPUTABLE))
def test_workforce_is_not_computable_from_returns(figures: pl.DataFrame, ident: str) -> None:
    row = figures.filter(pl.col("indicator") == ident).row(0, named=True)
    assert row["status"] == "not_computable"
    assert row["value"] is None
    assert "workforce census" in row["note"]


def test_rates_need_a_population(figures: pl.DataFrame) -> None:
    without = figures_from_tables(tiny(), years=[YEAR])
    row = without.filter(pl.col("indicator") == "cla_rate_per_10k").row(0, named=True)
    assert row["status"] == "not_computable" and row["value"] is None
    assert "population" in row["note"]
    assert row["numerator"] == 5  # the count is still shown


def test_zero_denominator_is_never_a_zero() -> None:
    # 2030: nothing happens in the tiny LA, so shares have no denominator
    later = figures_from_tables(tiny(), years=[2030], population={2030: 10_000.0})
    row = later.filter(pl.col("indicator") == "rereferrals_within_12_months").row(0, named=True)
    assert row["status"] == "zero_denominator"
    assert row["value"] is None
    assert row["note"].startswith("no referrals")
    rate = later.filter(pl.col("indicator") == "referrals_rate_per_10k").row(0, named=True)
    assert rate["status"] == "ok" and rate["value"] == 0.0  # a true zero rate, with a population behind it


def test_missing_tables_are_no_data_not_zero() -> None:
    only_referrals = CareData({"referrals": tiny()["referrals"]})
    out = figures_from_tables(only_referrals, years=[YEAR])
    row = out.filter(pl.col("indicator") == "cla_three_or_more_placements").row(0, named=True)
    assert row["status"] == "no_data"
    assert row["note"] == "the data hold no rows in table looked_after_episodes"
    assert row["numerator"] is None and row["value"] is None


def test_empty_data() -> None:
    out = figures_from_tables(CareData(), years=[YEAR])
    assert set(out["status"]) == {"no_data", "not_computable"}
    assert out["value"].null_count() == out.height


def test_pooled_authorities_and_repeated_collection_years() -> None:
    data = tiny()
    pooled: dict[str, list[pl.DataFrame]] = {}
    for la in ("111", "222"):
        for collection_year in (2023, 2024):  # each row returned twice, as pooled returns repeat open episodes
            for name in data.names():
                frame = data[name].with_columns(
                    pl.lit(la).alias("local_authority"),
                    pl.lit(collection_year, dtype=pl.Int16).alias("collection_year"),
                )
                pooled.setdefault(name, []).append(frame)
    both = CareData({name: pl.concat(frames) for name, frames in pooled.items()})
    population = pl.DataFrame({"local_authority": ["111", "222"], "year": [YEAR, YEAR], "population": [1e4, 1e4]})
    out = figures_from_tables(both, years=[YEAR], population=population)
    for la in ("111", "222"):
        mine = out.filter(pl.col("area_code") == la)
        for ident, (numerator, denominator) in EXPECTED.items():
            row = mine.filter(pl.col("indicator") == ident).row(0, named=True)
            assert (row["numerator"], row["denominator"]) == (numerator, denominator), (la, ident)


def test_adoptive_placement_continues_the_placement_before_it() -> None:
    episodes = pl.DataFrame(
        {
            "child_id": ["Z", "Z"],
            "start_date": [date(2020, 1, 1), date(2023, 6, 1)],
            "reason_new_episode": ["S", "P"],
            "legal_status": ["C2", "E1"],
            "placement_type": ["U4", "A5"],  # placed for adoption with the current foster carers
            "end_date": [date(2023, 6, 1), None],
            "reason_episode_ceased": ["X1", None],
        }
    )
    data = CareData(
        {
            "looked_after_episodes": episodes,
            "children": pl.DataFrame({"child_id": ["Z"], "date_of_birth": [date(2015, 5, 5)]}),
        }
    )
    out = figures_from_tables(
        data, years=[YEAR], indicator_ids=["cla_long_term_placement_stability", "cla_three_or_more_placements"]
    )
    stable = out.filter(pl.col("indicator") == "cla_long_term_placement_stability").row(0, named=True)
    assert (stable["numerator"], stable["denominator"]) == (1, 1)
    moves = out.filter(pl.col("indicator") == "cla_three_or_more_placements").row(0, named=True)
    assert (moves["numerator"], moves["denominator"]) == (0, 1)


def test_data_years() -> None:
    assert data_years(tiny()) == [2024]  # care leavers carry collection year 2024
    no_years = CareData({"looked_after_episodes": tiny()["looked_after_episodes"]})
    assert data_years(no_years, today=date(2024, 6, 1)) == [2024]
    assert data_years(CareData()) == []


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rnd: object) -> None:
    data = tiny()
    shuffled = CareData(
        {
            name: data[name].sample(fraction=1.0, shuffle=True, seed=rnd.randint(0, 10**6))  # type: ignore[attr-defined]
            for name in data.names()
        }
    )
    a = figures_from_tables(data, years=[YEAR], population=POPULATION).sort("indicator")
    b = figures_from_tables(shuffled, years=[YEAR], population=POPULATION).sort("indicator")
    assert a.select("indicator", "numerator", "denominator", "status").equals(
        b.select("indicator", "numerator", "denominator", "status")
    )


def test_a_year_without_its_return_is_no_data() -> None:
    """Pooled returns: the CIN census of 2024 alone says nothing about referrals in 2023 (it holds some of them)."""
    data = tiny()
    tables = {name: data[name] for name in data.names()}
    tables["referrals"] = tables["referrals"].with_columns(pl.lit(2024, dtype=pl.Int16).alias("collection_year"))
    out = figures_from_tables(CareData(tables), years=[2023, 2024], population={2023: 1e4, 2024: 1e4})
    mine = out.filter(pl.col("indicator") == "rereferrals_within_12_months")
    rows = {r["year"]: r for r in mine.iter_rows(named=True)}
    assert (rows[2024]["numerator"], rows[2024]["denominator"]) == EXPECTED["rereferrals_within_12_months"]
    assert rows[2023]["status"] == "no_data"
    assert rows[2023]["numerator"] is None and rows[2023]["denominator"] is None
    assert rows[2023]["note"] == "no return for this year holds table referrals"
