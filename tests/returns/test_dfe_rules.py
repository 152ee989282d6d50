"""careflow's own checks of DfE's rules (careflow.returns.dfe_rules): ``careflow check`` tells a user without DfE's
validators what those would say, for the rules careflow's writers were fixed to keep."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from careflow.cli import app
from careflow.issues import issues_frame
from careflow.returns import read_ssda903, write_cin_census, write_ssda903
from careflow.returns.dfe_rules import cin_findings, ssda903_findings, upn_la_numbers
from careflow.tables import CareData, schema

D = dt.date


def _frame(table: str, rows: list[dict]) -> pl.DataFrame:
    return schema(table).conform(pl.DataFrame(rows)) if rows else schema(table).empty()


def _census() -> CareData:
    """A 2025-26 census breaking one rule per child: C1 an assessment authorised before the year (8696), C2 a case
    closed as no further action after a section 47 enquiry (2990), C3 a CIN plan open under a protection plan
    (4017), C4 a closed episode whose enquiry shows neither a conference nor that none was needed (8868), C5 the
    conference recorded at both levels (2884), C6 a UPN with no real LA number (1530)."""
    kids = [{"child_id": f"C{i}", "sex": "F", "date_of_birth": D(2015, 1, 1), "ethnicity": "WBRI",
             "upn": "A999123456789" if i == 6 else None, "upn_unknown": None if i == 6 else "UN2",
             "disabilities": ["NONE"]} for i in range(1, 7)]
    ref = [{"child_id": f"C{i}", "referral_id": 1, "referral_date": D(2025, 5, 1), "referral_source": "1A",
            "primary_need": "N1", "is_no_further_action": False} for i in range(1, 7)]
    ref[1] |= {"closure_date": D(2025, 7, 1), "reason_for_closure": "RC8"}
    ref[3] |= {"closure_date": D(2025, 8, 1), "reason_for_closure": "RC7"}
    ref[4] |= {"initial_child_protection_conference_date": D(2025, 6, 1)}
    return CareData({
        "children": _frame("children", kids),
        "referrals": _frame("referrals", ref),
        "assessments": _frame("assessments", [
            {"child_id": "C1", "referral_id": 1, "assessment_id": 1, "start_date": D(2025, 3, 1),
             "authorisation_date": D(2025, 3, 20), "factors": ["2A"]}]),
        "section47_enquiries": _frame("section47_enquiries", [
            {"child_id": c, "referral_id": 1, "enquiry_id": 1, "start_date": D(2025, 5, 10),
             "initial_conference_target_date": D(2025, 6, 2), "is_conference_not_required": c == "C2",
             "initial_conference_date": D(2025, 6, 1) if c in ("C3", "C5") else None}
            for c in ("C2", "C3", "C4", "C5")]),
        "child_protection_plans": _frame("child_protection_plans", [
            {"child_id": c, "referral_id": 1, "plan_id": 1, "start_date": D(2025, 6, 1),
             "initial_category_of_abuse": "NEG", "latest_category_of_abuse": "NEG", "number_of_previous_plans": 0}
            for c in ("C3", "C5")]),
        "child_in_need_plans": _frame("child_in_need_plans", [
            {"child_id": "C3", "referral_id": 1, "plan_id": 1, "start_date": D(2025, 5, 20)}]),
    })


def test_each_broken_rule_is_found_on_its_child() -> None:
    found = {(f.rule, f.table, f.index) for f in cin_findings(_census(), 2026)}
    assert found == {("8696", "assessments", 0), ("2990", "referrals", 1), ("4017", "child_in_need_plans", 0),
                     ("8868", "section47_enquiries", 2), ("2884", "referrals", 4), ("1530", "children", 5)}
    assert {"318", "201", "943", "001"} <= upn_la_numbers() and "999" not in upn_la_numbers()


def test_careflow_check_reports_dfe_rules_in_a_cin_census(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_cin_census(_census(), path, year=2026, la_code="318")
    result = CliRunner().invoke(app, ["check", str(path), "--issues-csv", str(tmp_path / "issues.csv")])
    assert result.exit_code == 1, result.output
    issues = pl.read_csv(tmp_path / "issues.csv")
    assert set(issues["code"].to_list()) == {"dfe-8696", "dfe-2990", "dfe-4017", "dfe-8868", "dfe-2884", "dfe-1530"}
    where = dict(zip(issues["code"].to_list(), issues["element"].to_list(), strict=True))
    assert where["dfe-1530"] == "/Message/Children/Child[6]"
    assert where["dfe-8696"] == "/Message/Children/Child[1]/CINdetails[1]/Assessments[1]"


def test_the_synthetic_las_census_breaks_none() -> None:
    from careflow.synth import generate
    from careflow.synth.returns import cin_census_year, ssda903_year
    from careflow.tables import recode_for_year

    la = generate(2_000, end_year=2026, years=2, seed=3)
    for year in (2025, 2026):
        census, _ = recode_for_year(cin_census_year(la.data, year), year, ambiguous="first")
        assert [f for f in cin_findings(census, year)] == []
        ssda903, _ = recode_for_year(ssda903_year(la.data, year), year, ambiguous="first")
        assert [f for f in ssda903_findings(ssda903, year)] == []


def _ssda903() -> CareData:
    """A 2025-26 SSDA903: girl G1 with no MOTHER (393) nor UPN (442); a children's home placement with URN XXXXXXX
    (242); a social worker id that is a user number (SW02STG1) and an episode with no reason (SW13STG1); an SDQ
    reason for a child under 4 (188)."""
    return CareData({
        "children": _frame("children", [
            {"child_id": "G1", "sex": "F", "date_of_birth": D(2012, 1, 1), "ethnicity": "WBRI"},
            {"child_id": "B2", "sex": "M", "date_of_birth": D(2023, 1, 1), "ethnicity": "WBRI", "upn": "UN1"}]),
        "looked_after_episodes": _frame("looked_after_episodes", [
            {"child_id": "G1", "start_date": D(2025, 5, 1), "reason_new_episode": "S", "legal_status": "C2",
             "category_of_need": "N1", "placement_type": "K2", "placement_provider": "PR1", "urn": "XXXXXXX",
             "home_postcode": "TW1 1AA", "placement_postcode": "TW1 1AF"},
            {"child_id": "B2", "start_date": D(2024, 1, 1), "reason_new_episode": "S", "legal_status": "C2",
             "category_of_need": "N1", "placement_type": "U1", "placement_provider": "PR1", "urn": "XXXXXXX",
             "home_postcode": "TW1 1AA", "placement_postcode": "TW1 1AF"}]),
        "looked_after_outcomes": _frame("looked_after_outcomes", [
            {"child_id": "B2", "date_of_birth": D(2023, 1, 1), "sdq_reason": "SDQ1", "has_immunisations": True,
             "has_teeth_check": True, "has_health_assessment": True, "has_substance_misuse": False}]),
        "social_worker_episodes": _frame("social_worker_episodes", [
            {"child_id": "G1", "date_of_birth": D(2012, 1, 1), "social_worker_id": "17", "start_date": D(2025, 5, 1)},
            {"child_id": "B2", "date_of_birth": D(2023, 1, 1), "social_worker_id": "SW123456",
             "start_date": D(2024, 1, 1), "reason": "FCONTA"}]),
    })


def test_careflow_check_reports_dfe_rules_in_an_ssda903(tmp_path: Path) -> None:
    found = {(f.rule, f.table, f.index) for f in ssda903_findings(_ssda903(), 2026)}
    assert found == {("393", "children", 0), ("442", "children", 0), ("242", "looked_after_episodes", 0),
                     ("SW02STG1", "social_worker_episodes", 0), ("SW13STG1", "social_worker_episodes", 0),
                     ("188", "looked_after_outcomes", 0)}
    write_ssda903(_ssda903(), tmp_path / "r", format="csv")
    read = read_ssda903(tmp_path / "r", year=2026)
    dfe = issues_frame([i for i in read.issues if i.code.startswith("dfe-")])
    assert sorted(zip(dfe["code"].to_list(), dfe["file"].to_list(), dfe["row"].to_list(), strict=True)) == [
        ("dfe-188", "oc2.csv", 2), ("dfe-242", "episodes.csv", 2), ("dfe-393", "header.csv", 2),
        ("dfe-442", "header.csv", 2), ("dfe-SW02STG1", "sw_episodes.csv", 2), ("dfe-SW13STG1", "sw_episodes.csv", 2)]
    # 2024-25 still allowed XXXXXXX for any placement
    assert "242" not in {f.rule for f in ssda903_findings(_ssda903(), 2025)}
    result = CliRunner().invoke(app, ["check", str(tmp_path / "r"), "--year", "2026"])
    assert result.exit_code == 1, result.output
    assert "DfE rule 242" in " ".join(result.output.split()), result.output


@pytest.mark.parametrize("year", [2023, 2026])
def test_cin_rules_as_data_name_their_source(year: int) -> None:
    from careflow.returns.dfe_rules import _rules

    rules = _rules()
    assert {r["rule"] for r in rules["cin"]["in_census_year"]} == {"8696", "8715", "8930", "4013", "8620"}
    assert rules["ssda903"]["urn_not_known"]["from_year"] == 2026
    assert cin_findings(CareData(), year) == []
