"""Scenarios move the forecast the right way and reject unknown names and dates; back-tests score."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from careflow.flows import ScenarioError
from careflow.flows.backtest import backtest
from careflow.flows.markov import compare
from careflow.flows.scenarios import Scenario, load_scenario, packaged_scenarios


def scenario(*changes):
    return Scenario.from_dict({"name": "test", "changes": list(changes)})


def test_packaged_scenarios_load_and_run(toy_model):
    assert packaged_scenarios()
    base = toy_model.predict(48)
    for name in packaged_scenarios():
        p = toy_model.predict(48, scenario=load_scenario(name))
        diff = compare(base, p)
        assert diff.height == base.summary.height


def test_fewer_entries_mean_fewer_children(toy_model):
    base = toy_model.predict(24)
    cut = toy_model.predict(24, scenario=scenario(
        {"kind": "entries", "from": date(2022, 6, 1), "multiply": 0.9, "ages": [0, 10]}))
    d = compare(base, cut).filter(pl.col("breakdown") == "total")
    assert d["mean"][-1] < 0
    assert d["p97_5"][-1] > d["mean"][-1] > d["p2_5"][-1]
    assert d["mean"][0] == 0  # nothing changes before June


def test_move_shifts_children_between_placements(toy_model):
    base = toy_model.predict(12)
    moved = toy_model.predict(12, scenario=scenario(
        {"kind": "move", "from_category": "childrens_home", "to_category": "foster_in_house", "share": 0.05,
         "date": date(2022, 5, 1)}))
    d = compare(base, moved).filter(pl.col("breakdown") == "category")
    homes = d.filter(pl.col("group") == "childrens_home")["mean"].to_numpy()
    assert homes[0] == 0 and homes[2] < 0


def test_unknown_state_named(toy_model):
    with pytest.raises(ScenarioError, match=r"category 'childrens_hom' \(did you mean childrens_home"):
        toy_model.predict(12, scenario=scenario(
            {"kind": "transitions", "from_category": "childrens_hom", "to_category": "kinship_foster",
             "multiply": 2, "from": date(2022, 6, 1)}))


def test_date_outside_horizon_named(toy_model):
    with pytest.raises(ScenarioError, match="from 2030-04-01 is outside the projection"):
        toy_model.predict(12, scenario=scenario({"kind": "entries", "from": date(2030, 4, 1), "multiply": 0.5}))


def test_bad_scenario_keys():
    with pytest.raises(ScenarioError, match="unknown kind 'entry'"):
        scenario({"kind": "entry", "from": date(2022, 6, 1), "multiply": 1})
    with pytest.raises(ScenarioError, match="share must be between 0 and 1"):
        scenario({"kind": "move", "from_category": "a", "to_category": "b", "share": 5, "date": date(2022, 6, 1)})


def test_backtest_scores(toy):
    r = backtest(toy, horizon_months=12, reference_years=3)
    overall = r.overall()
    assert overall["mape_total"] < 10
    assert 0.5 <= overall["coverage_95"] <= 1.0
    assert {"mape_pct", "bias_pct", "coverage_80", "coverage_95"} <= set(r.table.columns)


def test_sample_files_backtest(shared):
    from careflow.returns import read_ssda903

    data = read_ssda903(shared / "data" / "synthetic" / "cs-demand-model-regional").data
    r = backtest(data, horizon_months=12, reference_years=2)
    assert r.table.height > 0
    assert r.overall()["mape_total"] >= 0
