"""Episode clean-up: each bad input gives a clear issue naming the child and what was done; nothing silent."""

from __future__ import annotations

from datetime import date

import polars as pl

from careflow.flows import clean_episodes, load_states
from careflow.flows.clean import episodes_frame
from careflow.tables.dataset import CareData

STATES = load_states()


def ep(child, start, end, place="U4", rec=None, rne="P", provider="PR1"):
    return {"child_id": child, "start_date": start, "end_date": end, "placement_type": place,
            "placement_provider": provider, "reason_episode_ceased": rec, "reason_new_episode": rne}


def data(rows, births):
    return CareData({
        "looked_after_episodes": episodes_frame(rows),
        "children": pl.DataFrame({"child_id": list(births), "date_of_birth": list(births.values())}),
    })


def codes(result):
    return {i.code for i in result.issues}


def test_overlap_is_trimmed_and_reported():
    d = data([ep("A", date(2020, 1, 1), date(2020, 6, 1), rec="X1", rne="S"),
              ep("A", date(2020, 5, 1), None, place="K2", provider="PR4")], {"A": date(2010, 1, 1)})
    r = clean_episodes(d, STATES, data_end=date(2021, 3, 31))
    issue = next(i for i in r.issues if i.code == "overlapping-episodes")
    assert "child A" in issue.message and "01/05/2020" in issue.message
    first = r.spells.sort("start_date").row(0, named=True)
    assert first["end_date"] == date(2020, 5, 1)
    assert first["to"] == STATES.category_names.index("childrens_home")


def test_closed_without_end_date_is_an_error_and_not_counted_as_exit():
    d = data([ep("B", date(2020, 1, 1), None, rec="E4A", rne="S")], {"B": date(2012, 1, 1)})
    r = clean_episodes(d, STATES, data_end=date(2021, 3, 31))
    issue = next(i for i in r.issues if i.code == "closed-without-end-date")
    assert issue.severity == "error" and "no end date" in issue.message
    assert r.spells["to"].to_list() == [-1]


def test_start_before_birth_is_left_out_with_an_error():
    d = data([ep("C", date(2009, 1, 1), date(2010, 1, 1), rec="E4A", rne="S")], {"C": date(2012, 1, 1)})
    r = clean_episodes(d, STATES, data_end=date(2021, 3, 31))
    issue = next(i for i in r.issues if i.code == "before-birth")
    assert "before the date of birth 01/01/2012" in issue.message
    assert r.spells.height == 0


def test_legal_status_only_change_is_merged_and_counted():
    d = data([ep("D", date(2020, 1, 1), date(2020, 3, 1), rec="X1", rne="S"),
              ep("D", date(2020, 3, 1), date(2020, 9, 1), rec="E45", rne="L")], {"D": date(2015, 1, 1)})
    r = clean_episodes(d, STATES, data_end=date(2021, 3, 31))
    assert r.spells.height == 1
    assert r.counts["legal-status-change-merged"] == 1
    assert r.spells["to"][0] == len(STATES.categories) + STATES.exit_names.index("special_guardianship")


def test_missing_date_of_birth_reported():
    d = data([ep("E", date(2020, 1, 1), None, rne="S")], {"X": date(2015, 1, 1)})
    r = clean_episodes(d, STATES, data_end=date(2021, 3, 31))
    assert "no-date-of-birth" in codes(r)


def test_open_episode_followed_by_another_is_closed():
    d = data([ep("F", date(2020, 1, 1), None, rne="S"), ep("F", date(2020, 4, 1), None, place="K2")],
             {"F": date(2010, 1, 1)})
    r = clean_episodes(d, STATES, data_end=date(2021, 3, 31))
    assert "open-episode-followed" in codes(r)
    assert r.spells.height == 2


def test_age_band_birthdays_split_exposure(toy_model):
    # Exposure of one spell crossing a band birthday lands in both bands: every band has time.
    assert (toy_model.transitions_.exposure_months_.sum(axis=1) > 0).all()


def test_temporary_placements_continue_the_placement_they_interrupt_in_v2():
    """A children's home spell broken by three nights in hospital (T1) and a week away (T4): one spell in v2,
    with the home's provider; 'other' in between in v1 (as the peer counts it). A T4 opening a period of care
    keeps its own category in both."""
    rows = [ep("A", date(2020, 1, 1), date(2020, 3, 1), place="K2", provider="PR4", rec="X1", rne="S"),
            ep("A", date(2020, 3, 1), date(2020, 3, 4), place="T1", provider="PR0", rec="X1"),
            ep("A", date(2020, 3, 4), date(2020, 3, 11), place="T4", provider=None, rec="X1"),
            ep("A", date(2020, 3, 11), None, place="K2", provider="PR4"),
            ep("B", date(2020, 2, 1), date(2020, 2, 5), place="T4", provider=None, rec="X1", rne="S"),
            ep("B", date(2020, 2, 5), None, place="U4", provider="PR1")]
    d = data(rows, {"A": date(2008, 1, 1), "B": date(2012, 1, 1)})
    v2 = clean_episodes(d, load_states(2), data_end=date(2021, 3, 31))
    home, other = STATES.category_names.index("childrens_home"), STATES.category_names.index("other")
    a = v2.spells.filter(pl.col("key") == v2.spells.sort("start_date")["key"][0]).sort("start_date")
    assert a["category"].to_list() == [home] and a["provider"].to_list() == ["PR4"]
    b = v2.spells.filter(pl.col("key") != a["key"][0]).sort("start_date")
    assert b["category"].to_list()[0] == other
    messages = {i.code: i.message for i in v2.issues}
    assert "2 temporary placements (T0, T1, T2, T3, T4) were counted" in messages["temporary-placement-continued"]
    assert messages["temporary-placement-first"].startswith("1 temporary placements open a period of care")
    v1 = clean_episodes(d, STATES, data_end=date(2021, 3, 31))
    assert v1.spells.height == v2.spells.height + 2  # home, other, home for A in v1
    assert "temporary-placement-continued" not in codes(v1)


def test_temporary_placement_types_must_be_mapped(tmp_path):
    from pathlib import Path

    import pytest

    from careflow.flows import FlowConfigError

    text = (Path(__file__).parents[2] / "src/careflow/flows/data/states/v2.yaml").read_text()
    bad = tmp_path / "states.yaml"
    bad.write_text(text.replace("temporary_placement_types: [T0, T1, T2, T3, T4]",
                                "temporary_placement_types: [T0, T9]"))
    with pytest.raises(FlowConfigError, match=r"temporary_placement_types \['T9'\] are in no placement category"):
        load_states(bad)
