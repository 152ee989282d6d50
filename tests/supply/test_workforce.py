"""careflow.supply.workforce: the Review's workforce figures from their inputs, the picture of an area, bad input,
and the reform's workforce levers acting through the model. CLI tests go through the real ``careflow`` app."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from careflow.cli import app
from careflow.supply import workforce as wf

runner = CliRunner()


# ---------------------------------------------------------------- the +69% (001_8bebe4ae25a58006.txt:3263)


def test_review_plus_69_percent_is_computed_from_its_cited_inputs() -> None:
    uplift = wf.review_time_uplift()
    assert round(100 * uplift) == 69  # the Review's "69%"
    ps = wf.parameters()
    now = ps["time_with_families.current_case_holding_share"].values[-1][1] * \
        ps["time_with_families.current_direct_time_share"].values[-1][1]
    goal = 0.75 * 0.50
    assert uplift == pytest.approx(goal / now - 1, rel=1e-9)


@pytest.mark.parametrize(("inputs", "expected"), [
    ({"target_direct_time_share": 0.6}, 0.75 * 0.6 / (2 / 3 * 1 / 3) - 1),        # a bolder time goal
    ({"current_case_holding_share": 0.632}, 0.75 * 0.5 / (0.632 / 3) - 1),      # the census's case-holder share
    ({"target_case_holding_share": 2 / 3, "target_direct_time_share": 1 / 3}, 0.0),  # no change, no gain
])
def test_changing_an_input_moves_the_uplift_as_the_arithmetic_says(inputs: dict[str, float], expected: float) -> None:
    assert wf.review_time_uplift(inputs) == pytest.approx(expected, abs=1e-6)


# ---------------------- agency: 15.5% at £26,000, over £100m (001_8bebe4ae25a58006.txt:3339-3341)


def test_review_agency_figures_come_out_of_the_census_and_the_premium() -> None:
    check = wf.review_agency_check(2021)
    assert round(100 * check["agency_rate"], 1) == 15.5
    assert check["premium_gbp"] == 26_000
    assert check["cost_gbp"] == pytest.approx(check["agency_fte"] * 26_000)
    assert check["cost_gbp"] > 100e6 and check["cover_cost_gbp"] > 100e6  # "over £100 million a year"
    assert check["salary_gbp"] == pytest.approx(26_000 / 0.53)  # "53% of the average social worker salary"


def test_agency_cost_follows_its_inputs() -> None:
    base = wf.agency_cost(5969.5, 32502, premium=26_000)
    assert base.cost_gbp == pytest.approx(5969.5 * 26_000)
    assert wf.agency_cost(5969.5, 32502, premium=13_000).cost_gbp == pytest.approx(base.cost_gbp / 2)
    assert wf.agency_cost(2 * 5969.5, 32502, premium=26_000).cost_gbp == pytest.approx(2 * base.cost_gbp)
    assert base.agency_rate == pytest.approx(5969.5 / (5969.5 + 32502))
    with pytest.raises(wf.WorkforceError, match="negative"):
        wf.agency_cost(-1, 10)


def test_agency_rate_of_the_picture_matches_dfes_published_rate() -> None:
    # DfE publishes agency_rate_fte = 15.5 (2021) and 17.6 (2022) for England; the picture sums the LAs.
    p = wf.picture_for("England")
    assert round(100 * p.rates(2021)["agency_rate"], 1) == pytest.approx(15.5, abs=0.15)
    assert round(100 * p.rates(2022)["agency_rate"], 1) == pytest.approx(17.6, abs=0.15)


def test_a_lower_agency_rate_buys_permanent_staff_with_the_premium() -> None:
    p = wf.picture_for("North West")
    out = wf.what_if(p, agency_rate=0.0)
    # every agency FTE replaced frees the premium, which buys premium / salary = 53% of a permanent FTE
    assert out["extra_fte_bought"] == pytest.approx(p.value("agency_fte") * 0.53)
    assert out["direct_fte_after"] > out["direct_fte_before"]
    same = wf.what_if(p, agency_rate=p.rates()["agency_rate"])
    assert same["change"] == pytest.approx(0.0, abs=1e-12)


def test_moving_recording_time_to_families_raises_time_with_families_in_proportion() -> None:
    p = wf.picture_for("Leeds")
    out = wf.what_if(p, recording_cut=1 / 3)  # direct time from 1/3 to 2/3: doubled
    assert out["change"] == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(wf.WorkforceError, match="outside 0 to 1"):
        wf.what_if(p, recording_cut=0.9)


# ---------------------------------------------------------------- ECPPs and the ECF pipeline


def test_ecpp_need_is_the_workload_times_the_stated_days() -> None:
    base = wf.ecpp_need(1000, 400, 300, 200)
    more = wf.ecpp_need(1000, 400, 300, 200, overrides={"days_per_section_47": 2.5})
    assert more.days - base.days == pytest.approx(1000 * (2.5 - 1.5))
    per_fte = 225 * 0.6
    assert base.fte_needed == pytest.approx(base.days / per_fte)
    assert base.days == pytest.approx(1000 * 1.5 + (400 + 300 * 2) * 1.0 + 300 * 3.0)
    assert base.eligible_fte == pytest.approx(200 * 0.45)
    assert wf.ecpp_need(1000, 400, 300, 10).is_short and not base.is_short
    with pytest.raises(wf.WorkforceError, match="expected a count"):
        wf.ecpp_need(-1, 0, 0, 10)


def test_ecf_pipeline_produces_expert_practitioners_after_five_years() -> None:
    pipe = dict(wf.ecf_pipeline(100, 0.1))
    assert all(pipe[y] == 0 for y in range(2023, 2028))
    assert pipe[2028] == pytest.approx(100 * 0.5 * 0.9**5 * 0.85)
    assert dict(wf.ecf_pipeline(100, 0.2))[2028] < pipe[2028]  # more turnover, fewer experts


# ---------------------------------------------------------------- areas, footprints, suppressed cells


def test_a_footprint_sums_its_las() -> None:
    a, b = wf.picture_for("Blackpool"), wf.picture_for("Blackburn with Darwen")
    both = wf.workforce_picture(["Blackpool", "Blackburn with Darwen"], name="Lancashire pair")
    for m in ("social_worker_fte", "agency_fte", "cases"):
        assert both.value(m) == pytest.approx(a.value(m) + b.value(m))
    assert both.cin["section_47_enquiries"] == a.cin["section_47_enquiries"] + b.cin["section_47_enquiries"]
    twice = wf.workforce_picture(["Blackpool", "E06000009"])  # the same LA by name and code: counted once, noted
    assert twice.value("social_worker_fte") == a.value("social_worker_fte")
    assert "1 local authority was named more than once; each is counted once" in twice.notes


def test_a_suppressed_cell_falls_back_to_the_nearest_year_and_says_so() -> None:
    rows = [r for r in wf.load_table() if r.name == "Gateshead"]
    assert next(r for r in rows if r.year == 2022).cells["leavers_fte"] == "u"  # low reliability in 2022
    p = wf.picture_for("Gateshead")
    y2021 = float(next(r for r in rows if r.year == 2021).cells["leavers_fte"])
    assert p.value("leavers_fte") == pytest.approx(y2021)
    assert any("Gateshead: leavers (FTE) 2022 low reliability; its 2021 value" in n for n in p.notes)


def test_an_la_the_workforce_census_reports_jointly_takes_its_share_of_the_joint_row() -> None:
    joint = next(r for r in wf.load_table() if r.name == "Kingston upon Thames / Richmond upon Thames"
                 and r.year == 2022)
    a, b = wf.picture_for("Kingston upon Thames"), wf.picture_for("Richmond upon Thames")
    assert a.value("social_worker_fte") + b.value("social_worker_fte") == pytest.approx(
        float(joint.cells["social_worker_fte"]))
    s47 = {r.name: float(r.cells["section_47_enquiries"]) for r in wf.load_table()
           if r.year == 2022 and r.name in {"Kingston upon Thames", "Richmond upon Thames"}}
    share = s47["Kingston upon Thames"] / sum(s47.values())
    assert a.value("social_worker_fte") == pytest.approx(share * float(joint.cells["social_worker_fte"]))
    assert any("Kingston upon Thames: the workforce census reports it jointly" in n for n in a.notes)
    both = wf.workforce_picture(["Kingston upon Thames", "Richmond upon Thames"])
    assert both.value("social_worker_fte") == pytest.approx(float(joint.cells["social_worker_fte"]))
    assert both.cin["section_47_enquiries"] == pytest.approx(sum(s47.values()))


def test_england_workload_sums_to_the_published_national_counts() -> None:
    national = next(r for r in wf.load_table() if r.level == "national" and r.year == 2022)
    p = wf.picture_for("England")
    # national counts are rounded to the nearest 10; a few LA cells fall back to another year (noted)
    assert p.cin["section_47_enquiries"] == pytest.approx(float(national.cells["section_47_enquiries"]), abs=50)
    assert p.value("social_worker_fte") == pytest.approx(float(national.cells["social_worker_fte"]), abs=5)


@pytest.mark.parametrize("region", ["London", "North West", "Inner London", "Yorkshire and The Humber"])
def test_a_region_sums_to_its_published_regional_row(region: str) -> None:
    published = next(r for r in wf.load_table() if r.level == "region" and r.name == region and r.year == 2022)
    p = wf.picture_for(region)
    assert p.value("social_worker_fte") == pytest.approx(float(published.cells["social_worker_fte"]), abs=1)
    assert p.value("agency_fte") == pytest.approx(float(published.cells["agency_fte"]), rel=0.01)


def test_an_unknown_area_names_the_nearest() -> None:
    with pytest.raises(wf.UnknownAreaError, match="Did you mean 'North West'"):
        wf.resolve_area("North Wset")
    with pytest.raises(wf.WorkforceError, match="no local authorities"):
        wf.workforce_picture([])


# ---------------------------------------------------------------- the CLI


def test_cli_writes_the_picture_as_csv_json_and_html(tmp_path: Path) -> None:
    result = runner.invoke(app, ["workforce", "--area", "North West", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Workforce: North West" in result.output and "+68.8%" in result.output
    rows = list(csv.DictReader((tmp_path / "workforce.csv").open()))
    measures = {r["measure"] for r in rows}
    assert {"social_worker_fte", "agency_rate", "agency_premium_cost_gbp", "ecpp_fte_needed",
            "ecf_new_expert_practitioners"} <= measures
    summary = json.loads((tmp_path / "workforce.json").read_text())["summary"]
    p = wf.picture_for("North West")
    assert summary["agency_cost_gbp"] == pytest.approx(p.value("agency_fte") * 26_000, abs=1)
    html = (tmp_path / "workforce.html").read_text()
    assert html.count("<svg") >= 3 and "North West" in html
    assert "What is cited and what is assumed" in html
    basis = {r["name"]: r["basis"] for r in summary["parameters"]}
    assert basis["time_with_families.target_direct_time_share"] == "cited"
    assert basis["expert_practitioners.experienced_share"] == "assumed"
    assert basis["unit_costs.agency_premium"] == "cited"


def test_cli_footprint_file(tmp_path: Path) -> None:
    fp = tmp_path / "pair.yaml"
    fp.write_text("name: Lancashire pair\nlas: [Blackpool, Blackburn with Darwen]\n")
    result = runner.invoke(app, ["workforce", "--footprint", str(fp)])
    assert result.exit_code == 0, result.output
    assert "Workforce: Lancashire pair (2 local authorities)" in result.output
    fp.write_text("las: [Blackpool, Blackpol Town]\n")
    result = runner.invoke(app, ["workforce", "--footprint", str(fp)])
    assert result.exit_code == 2
    assert "problem(s) in footprint" in result.output and "pair.yaml" in result.output
    assert "las item 2: 'Blackpol Town' is not a local authority" in result.output
    assert "Did you mean 'Blackpool'" in result.output
    dup = tmp_path / "dup.csv"
    dup.write_text("la\nBlackpool\nE06000009\n")
    result = runner.invoke(app, ["workforce", "--footprint", str(dup)])
    assert result.exit_code == 2 and "dup.csv" in result.output
    assert "row 3: 'Blackpool' is listed twice ('E06000009' is the same local authority as 'Blackpool', first at " \
        "row 2)" in result.output
    bad = tmp_path / "empty.csv"
    bad.write_text("la\n")
    result = runner.invoke(app, ["workforce", "--footprint", str(bad)])
    assert result.exit_code == 2 and "empty.csv: lists no local authorities" in result.output


def test_cli_unknown_area_and_bad_scenario(tmp_path: Path) -> None:
    result = runner.invoke(app, ["workforce", "--area", "Blackpol"])
    assert result.exit_code == 2 and "Did you mean 'Blackpool'" in result.output
    result = runner.invoke(app, ["workforce", "--area", "Leeds", "--agency-rate", "1.5"])
    assert result.exit_code == 2 and "agency rate 1.5 is outside 0 to 1" in result.output
    result = runner.invoke(app, ["workforce", "--area", "Leeds", "--cin", str(tmp_path / "nope.xml")])
    assert result.exit_code == 2 and "does not exist" in result.output
    result = runner.invoke(app, ["workforce", "--area", "Leeds", "--year", "2015"])
    assert result.exit_code == 2 and "census year 2015 is not held (workforce years 2017-2022)" in result.output
    result = runner.invoke(app, ["workforce", "--area", "Leeds", "--recording-cut", "-0.5"])
    assert result.exit_code == 2 and "outside 0 to 1" in result.output


def test_cli_what_if_prints_the_change(tmp_path: Path) -> None:
    result = runner.invoke(app, ["workforce", "--area", "England", "--agency-rate", "0.10", "--recording-cut",
                                 "0.05", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    scenario = json.loads((tmp_path / "workforce.json").read_text())["scenario"]
    p = wf.picture_for("England")
    expected = wf.what_if(p, agency_rate=0.10, recording_cut=0.05)
    assert scenario["direct_fte_after"] == pytest.approx(expected["direct_fte_after"])
    assert f"{expected['change']:+.1%}" in result.output


def test_cli_workload_from_a_cin_census_file(tmp_path: Path) -> None:
    from careflow.returns.cin import write_cin_census
    from careflow.synth import generate
    from careflow.synth.returns import cin_census_year
    from careflow.tables import recode_for_year

    la = generate(2_000, end_year=2026, years=1, seed=3)
    data, _ = recode_for_year(cin_census_year(la.data, 2026), 2026, ambiguous="first")
    path = tmp_path / "cin_census.xml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_cin_census(data, path, year=2026, la_code=la.la_code)
    counts, year, source = wf.cin_workload(path)
    assert year == 2026 and source.endswith("cin_census.xml")
    s47 = la.data["section47_enquiries"]["start_date"]
    import datetime as dt

    assert counts["section_47_enquiries"] == ((s47 >= dt.date(2025, 4, 1)) & (s47 <= dt.date(2026, 3, 31))).sum()
    result = runner.invoke(app, ["workforce", "--area", "Leeds", "--cin", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "CIN census file cin_census.xml" in result.output
    summary = json.loads((tmp_path / "workforce.json").read_text())["summary"]
    assert summary["ecpp"]["section_47_enquiries"] == counts["section_47_enquiries"]


# ---------------------------------------------------------------- the reform's workforce levers


def test_workforce_levers_save_through_the_workforce_model() -> None:
    from careflow.reform.levers import evaluate, load_levers, load_system_parameters

    system = load_system_parameters()
    levers = load_levers()
    check = {r.year: r for r in wf.load_table() if r.level == "national"}
    latest = check[max(check)]
    assert system["workforce.agency_fte"].values[-1][1] == float(latest.cells["agency_fte"])
    for name, driver in (("regional_staff_banks", "workforce.agency_fte"),
                         ("national_pay_scales", "workforce.agency_fte"),
                         ("early_career_framework", "workforce.leavers_fte")):
        lever = levers[name]
        assert "published_saving" not in lever.parameters, name
        base = evaluate(lever, system)
        doubled = evaluate(lever, system, multipliers={driver: np.array([2.0])})
        assert base.savings.sum() > 0, name
        np.testing.assert_allclose(doubled.savings, 2 * base.savings, rtol=1e-9)
        np.testing.assert_allclose(doubled.costs, base.costs)
        none = evaluate(lever, system, money_scale=0.0)
        assert none.savings.sum() == 0, name  # no money, no saving


def test_staff_bank_saving_is_the_stated_product() -> None:
    from careflow.reform.levers import evaluate, load_levers, load_system_parameters

    system = load_system_parameters()
    lever = load_levers()["regional_staff_banks"]
    r = evaluate(lever, system)
    j = 2030 - 2023  # 2030-31: a quarter through banks at a 30% cut
    index = (1 + system["spend.unit_cost_growth"].first_value) ** j  # unit costs rise with the spend trend
    expected = 0.25 * 0.30 * system["workforce.agency_fte"].values[-1][1] * 26_000 / 1e6 * index
    assert r.savings[0, j] == pytest.approx(expected * r.reach[0, j], rel=1e-6)


def test_cli_reform_shows_the_workforce_levers_acting_on_the_area(tmp_path: Path) -> None:
    result = runner.invoke(app, ["workforce", "--area", "North West", "--reform", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "The Review's workforce levers" in result.output
    levers = json.loads((tmp_path / "workforce.json").read_text())["reform_levers"]
    p = wf.picture_for("North West")
    by_year = {r["year"]: r for r in levers}
    # 2028-29: the ECF's 10% fewer leavers (lever file) on the area's own leavers and agency cover of vacancies
    retained = 0.10 * p.value("leavers_fte")
    assert by_year[2028]["retained_fte"] == pytest.approx(retained)
    cover = p.value("agency_cover_fte") / p.value("vacancy_fte")
    assert by_year[2028]["agency_fte_avoided"] == pytest.approx(retained * cover)
    # retained social workers hold cases in the area's proportion: caseload falls
    assert by_year[2028]["caseload_per_case_holder"] < by_year[2023]["caseload_per_case_holder"]
    assert by_year[2023]["caseload_per_case_holder"] == pytest.approx(p.rates()["caseload_per_case_holder"])
    rows = list(csv.DictReader((tmp_path / "workforce.csv").open()))
    assert any(r["measure"] == "reform_premium_saved_gbp" and r["year"] == "2030" for r in rows)
    assert "The Review's workforce levers on this workforce" in (tmp_path / "workforce.html").read_text()


def test_review_conferences_come_from_the_records_statutory_timescale() -> None:
    from careflow.params import load_file

    months = load_file(Path(wf.__file__).parents[1] / "record" / "parameters" / "child_protection"
                       / "subsequent_review" / "months.yaml", name="m")["m"].values[-1][1]
    assert wf.review_conferences_per_plan_year() == pytest.approx(12 / months)
    base = wf.ecpp_need(0, 0, 100, 100)
    monthly = wf.ecpp_need(0, 0, 100, 100, overrides={"review_conferences_per_plan_year": 12})
    assert monthly.days - base.days == pytest.approx(100 * (12 - 12 / months) * 1.0)


def test_every_published_area_draws_a_picture() -> None:
    names = sorted({r.name for r in wf.load_table() if r.level in {"la", "region"}})
    assert len(names) > 150
    for name in names:
        p = wf.picture_for(name)
        assert p.value("social_worker_fte") >= 0 and "<svg" in p.html_section(), name
        assert all(r["value"] is None or r["value"] == r["value"] for r in p.to_records()), name  # no NaN


def test_an_area_run_saves_on_the_areas_own_agency_workers() -> None:
    from careflow import reform

    england = reform.run()
    for area in ("Bournemouth, Christchurch and Poole", "Leeds"):
        r = reform.run(area=area)
        own = wf.picture_for(area).value("agency_fte") / wf.picture_for("England").value("agency_fte")
        # staff banks save on agency FTE alone: the area's saving is England's x its share of agency workers
        np.testing.assert_allclose(r.levers["regional_staff_banks"].savings,
                                   england.levers["regional_staff_banks"].savings * own, rtol=1e-6)
        assert any("own agency workers" in n for n in r.notes)


def test_areas_resolve_once_through_the_supply_areas_with_the_workforce_tables_las(tmp_path: Path) -> None:
    from careflow.supply import areas

    # the same footprint file, read by the one reader: the supply model's names, in the workforce table's codes
    fp = tmp_path / "rcc.csv"
    fp.write_text("Blackpool\nE06000008\n888\n")  # no header: the first row is an LA, not dropped
    assert wf.resolve_area(footprint=fp).las == ("Blackpool", "Blackburn with Darwen", "Lancashire")
    assert wf.picture_for(footprint=fp).las == ("E06000009", "E06000008", "E10000017")
    assert wf.resolve_area("North West").las[:22] == areas.resolve_area("North West").las
    # an LA the placement tables lack (Cumbria) works for the workforce, alone, in a footprint and in its region
    assert "Cumbria" not in areas.all_las()
    cumbria = wf.picture_for("Cumbria")
    assert cumbria.las == ("E10000006",) and cumbria.value("social_worker_fte") > 0
    assert "Cumbria: in the workforce census but not in the DfE placement tables" in cumbria.notes[0]
    fp.write_text("la\nCumbria\nBlackpool\n")
    pair = wf.picture_for(footprint=fp)
    assert pair.value("social_worker_fte") == pytest.approx(
        cumbria.value("social_worker_fte") + wf.picture_for("Blackpool").value("social_worker_fte"))
    north_west = wf.picture_for("North West")
    assert "E10000006" in north_west.las and len(north_west.las) == 23
    assert any(n.startswith("Cumbria: in the workforce census") for n in north_west.notes)
    # the supply model's own footprint of the North West (no Cumbria) gets it added when the workforce draws it
    assert wf.picture_for(areas.resolve_area("North West")).value("social_worker_fte") == pytest.approx(
        north_west.value("social_worker_fte"))
    with pytest.raises(areas.UnknownAreaError, match="Did you mean 'Cumbria'"):
        wf.resolve_area("Cumbriaa")
