"""Scenarios move the forecast the right way and reject unknown names and dates; back-tests score."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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


def test_backtest_reuses_the_forecasts_cleaning(toy, toy_model):
    """Given the forecast's cleaned episodes (same states, same data end), the back-test scores the same."""
    again = backtest(toy, horizon_months=12, reference_years=3)
    reused = backtest(toy, horizon_months=12, reference_years=3, cleaned=toy_model.clean_)
    assert reused.table.equals(again.table)
    assert reused.detail.equals(again.detail)
    assert reused.detail.height > 0


def test_sample_files_backtest(shared):
    from careflow.returns import read_ssda903

    data = read_ssda903(shared / "data" / "synthetic" / "cs-demand-model-regional").data
    r = backtest(data, horizon_months=12, reference_years=2)
    assert r.table.height > 0
    assert r.overall()["mape_total"] >= 0


def test_reform_levers_drive_the_la_model(toy_model, tmp_path):
    """The same lever file drives `careflow reform` and `careflow forecast --scenario`."""
    base = toy_model.predict(60)

    def total(name_or_path):
        p = toy_model.predict(60, scenario=load_scenario(name_or_path))
        return compare(base, p).filter(pl.col("breakdown") == "total")["mean"][-1]

    assert total("family_help") < 0  # fewer entries
    assert total("sgo_kinship_allowance") < 0  # more exits to special guardianship
    # No money, no effect: the lever file with its investment at zero changes nothing.
    import yaml

    from careflow.reform.levers import load_levers

    raw = yaml.safe_load(Path(load_levers()["family_help"].source).read_text(encoding="utf-8"))
    for pname in ("investment", "continuing_cost"):
        raw["parameters"][pname]["values"] = {k: 0.0 for k in raw["parameters"][pname]["values"]}
    path = tmp_path / "family_help.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    from careflow.flows.scenarios import scenario_from_lever

    assert scenario_from_lever(path).changes == ()
    assert load_scenario(path).changes == ()  # a lever file given to --scenario
    assert total("regional_care_cooperatives") == 0  # prices change spend, not children
    rcc = compare(base, toy_model.predict(60, scenario=load_scenario("regional_care_cooperatives")))
    assert rcc.filter(pl.col("breakdown") == "weekly_cost_gbp")["mean"][-1] < 0


def test_a_lever_scenario_uses_the_reform_mechanism_numbers():
    from careflow.reform.levers import evaluate, load_levers, load_system_parameters
    from careflow.reform.model import area_context

    system = load_system_parameters()
    lever = load_levers()["family_help"]
    ctx = area_context(None, system)
    r = evaluate(lever, system, context=ctx)
    t = 2  # 2025-26
    expected = 1 - (0.32 * r.reach[0, t] * system["scale_down.family_help"].first_value
                    * system["flows.prior_cin_share"].first_value * ctx.rates.non_uasc_share)
    changes = [c for c in load_scenario("family_help").changes if c.get("from") == date(2025, 4, 1)]
    assert len(changes) == 4  # one per age band on starting
    assert all(c.get("multiply") == pytest.approx(expected) for c in changes)


def test_packaged_scenarios_are_reform_levers():
    from careflow.reform.levers import load_levers

    assert set(packaged_scenarios()) <= set(load_levers())
