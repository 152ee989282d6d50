"""The synthetic LA: determinism, the logic of its tables, validation, and its returns read back cleanly."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import polars as pl
import pytest

from careflow.issues import errors
from careflow.synth import SyntheticLA, generate, summary, write_returns
from careflow.synth.returns import cin_census_year, ssda903_year
from careflow.tables import validate

POPULATION = 20_000


@pytest.fixture(scope="module")
def la() -> SyntheticLA:
    return generate(POPULATION, end_year=2023, years=3, seed=11)


def test_same_seed_gives_identical_tables(la: SyntheticLA) -> None:
    again = generate(POPULATION, end_year=2023, years=3, seed=11)
    assert la.data.equals(again.data), la.data.differences(again.data)[:5]
    other = generate(POPULATION, end_year=2023, years=3, seed=12)
    assert not la.data.equals(other.data)


def test_the_la_is_described(la: SyntheticLA) -> None:
    assert la.start_date == dt.date(2020, 4, 1) and la.end_date == dt.date(2023, 3, 31)
    assert la.years == [2021, 2022, 2023]
    assert la.population == POPULATION and la.la_code == "999" and la.la_name == "Synthshire"
    assert "care.plan" in la.parameters
    counts = la.data.counts()
    for table in ("children", "family_members", "relationships", "referrals", "assessments",
                  "child_in_need_plans", "section47_enquiries", "child_protection_plans", "pre_proceedings",
                  "looked_after_episodes", "uasc", "looked_after_reviews", "looked_after_outcomes", "care_leavers",
                  "previous_permanence", "missing_episodes", "family_help_episodes",
                  "family_group_decision_meetings", "proceedings", "court_orders"):
        assert counts.get(table, 0) > 0, f"{table} is empty"


def test_canonical_validation_finds_no_errors(la: SyntheticLA) -> None:
    assert errors(validate(la.data)) == []
    for year in la.years:
        assert errors(validate(la.data, year=year)) == [], year


def test_nothing_is_dated_after_the_end(la: SyntheticLA) -> None:
    for name in la.data.names():
        frame = la.data[name]
        for column, dtype in frame.schema.items():
            if (name, column) == ("uasc", "date_uasc_ceased"):  # the 18th birthday, known in advance
                continue
            if dtype == pl.Date:
                latest = frame[column].max()
                assert latest is None or latest <= la.end_date, f"{name}.{column}: {latest}"
            elif dtype == pl.List(pl.Date):
                latest = frame[column].explode().max()
                assert latest is None or latest <= la.end_date, f"{name}.{column}: {latest}"


def test_care_journeys_make_sense(la: SyntheticLA) -> None:
    ep = la.data["looked_after_episodes"].join(la.data["children"].select("child_id", "date_of_birth"),
                                               on="child_id", how="left")
    assert ep["date_of_birth"].null_count() == 0, "every child looked after is in the children table"
    first = ep.sort("start_date").group_by("child_id").first()
    assert set(first["reason_new_episode"]) == {"S"}
    eighteen = pl.col("date_of_birth").dt.offset_by("18y")
    assert ep.filter(pl.col("start_date") >= eighteen).height == 0, "nobody starts care at 18 or over"
    assert ep.filter(pl.col("end_date") > eighteen).height == 0, "care ends by the 18th birthday"
    # a child looked after on 31 March has an open children in need episode (CIN census scope)
    end = la.end_date
    in_care = ep.filter(pl.col("end_date").is_null())["child_id"].unique()
    open_cin = la.data["referrals"].filter(pl.col("closure_date").is_null())["child_id"].unique()
    assert set(in_care) <= set(open_cin)
    # adopted children were placed for adoption under a placement order first
    adopted = ep.filter(pl.col("reason_episode_ceased").is_in(["E11", "E12"]))
    assert adopted.filter(~pl.col("placement_type").is_in(["A5", "A6"])).height == 0
    assert adopted.filter(pl.col("legal_status") != "E1").height == 0
    assert la.data["children"].filter(pl.col("date_of_birth") > end).height == 0


def test_child_protection_plans_are_reviewed_on_time(la: SyntheticLA) -> None:
    cpp = la.data["child_protection_plans"].filter(pl.col("review_dates").list.len() > 0)
    first = cpp.select((pl.col("review_dates").list.first() - pl.col("start_date")).dt.total_days().alias("d"))
    assert first["d"].max() <= 92, "first review within three months (001_8bebe4ae25a58006.txt:4102)"
    gaps = cpp.select(pl.col("review_dates").list.diff().list.drop_nulls().alias("g")).explode("g")["g"]
    assert gaps.drop_nulls().dt.total_days().max() <= 184, "then at most six-monthly"


def test_summary_has_the_headline_figures(la: SyntheticLA) -> None:
    s = summary(la)
    assert s["year"] == 2023 and s["population_0_17"] == POPULATION
    assert s["cla_at_31_march"] > 0
    assert s["cla_at_31_march_per_10k"] == pytest.approx(s["cla_at_31_march"] / POPULATION * 1e4, abs=0.05)
    assert set(s["cla_ceased_by_reason"]) == {"home", "adoption", "special_guardianship_order",
                                              "child_arrangements_order", "eighteen_plus_independent", "other"}
    assert sum(s["cla_ceased_by_reason"].values()) == pytest.approx(1.0, abs=0.01)
    assert summary(la, 2021)["year"] == 2021


def test_year_slices_follow_the_dfe_definitions(la: SyntheticLA) -> None:
    start, end = dt.date(2021, 4, 1), dt.date(2022, 3, 31)
    ssda = ssda903_year(la.data, 2022)
    ep = ssda["looked_after_episodes"]
    assert ep.filter(pl.col("start_date") > end).height == 0
    assert ep.filter(pl.col("end_date") < start).height == 0
    assert ep.filter(pl.col("end_date") > end).height == 0
    assert ep.filter(pl.col("end_date").is_null() & pl.col("reason_episode_ceased").is_not_null()).height == 0
    header = set(ssda["children"]["child_id"])
    assert set(ep["child_id"]) <= header and set(ssda["care_leavers"]["child_id"]) <= header
    assert ssda["looked_after_reviews"]["review_date"].min() >= start
    cin = cin_census_year(la.data, 2022)
    ref = cin["referrals"]
    assert ref.filter(pl.col("referral_date") > end).height == 0
    assert ref.filter(pl.col("closure_date") < start).height == 0
    assert set(cin["children"]["child_id"]) == set(ref["child_id"])


def test_returns_are_written_and_read_back_without_errors(la: SyntheticLA, tmp_path: Path) -> None:
    from careflow.returns.cin import read_cin_census
    from careflow.returns.ssda903 import read_ssda903

    with pytest.warns(UserWarning, match="CIN census not written for 2020-21"):
        written = write_returns(la, tmp_path)
    assert sorted(written) == ["2020-21", "2021-22", "2022-23"]
    assert not (tmp_path / "2020-21" / "cin_census.xml").exists()
    assert (tmp_path / "2021-22" / "cin_census.xml").is_file()
    assert (tmp_path / "2021-22" / "ssda903" / "episodes.csv").is_file()
    for label, year in (("2021-22", 2022), ("2022-23", 2023)):
        ssda = read_ssda903(tmp_path / label / "ssda903", year=year)
        assert errors(ssda.issues) == [], [str(i) for i in errors(ssda.issues)[:5]]
        assert ssda.data["looked_after_episodes"].height == ssda903_year(la.data, year)["looked_after_episodes"].height
        cin = read_cin_census(tmp_path / label / "cin_census.xml", year=year)
        assert errors(cin.issues) == [], [str(i) for i in errors(cin.issues)[:5]]
        assert cin.data["referrals"].height == cin_census_year(la.data, year)["referrals"].height


def test_returns_of_supported_years_warn_about_nothing(tmp_path: Path) -> None:
    small = generate(3_000, end_year=2022, years=1, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        written = write_returns(small, tmp_path)
    assert [p.name for p in written["2021-22"]][:2] == ["header.csv", "episodes.csv"]
    assert written["2021-22"][-1] == tmp_path / "2021-22" / "cin_census.xml"


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="population"):
        generate(0)
    with pytest.raises(ValueError, match="years"):
        generate(1_000, years=0)
    with pytest.raises(ValueError, match="three digits"):
        generate(1_000, la_code="E09000027")


def test_progress_is_reported() -> None:
    seen: list[tuple[str, float]] = []
    generate(2_000, years=1, seed=1, progress=lambda message, done: seen.append((message, done)))
    assert seen[0][0] == "population" and seen[-1] == ("done", 1.0)
    assert [d for _, d in seen] == sorted(d for _, d in seen)
