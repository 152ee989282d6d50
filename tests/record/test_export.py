"""Export: the record's tables through the foundation's writers, read back by its readers with no errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from careflow.issues import Severity
from careflow.record.services.context import Ctx
from careflow.record.services.export import ReturnNotReady, export_returns, submission_gaps, to_care_data

from .conftest import World, fast_settings, make_world


@pytest.fixture
def own_world(tmp_path: Path) -> World:
    """A record of its own (SQLite): the export covers the whole LA, and a return that must read back with no
    errors (DfE's rules included) holds only this test's children."""
    from careflow.record.app import create_app

    return make_world(create_app(fast_settings(database_url=f"sqlite:///{tmp_path / 'own.db'}")))


def _journeys(world: World, upns: bool = True, nhs_number: str = "943 476 5919") -> None:
    cp = world.new_child(occurred_on="2024-06-03", nhs_number=nhs_number)
    world.event("fhw", cp, "family_help_started", primary_need="N1", occurred_on="2024-06-04")
    world.event("fhw", cp, "assessment_completed", factors=["2A", "3A"], occurred_on="2024-07-01")
    world.event("ecpp", cp, "section_47_started", occurred_on="2024-07-08")
    world.event("ecpp", cp, "initial_conference_held", outcome="plan", category_of_abuse="NEG",
                occurred_on="2024-07-26")
    world.event("ecpp", cp, "child_protection_review_held", occurred_on="2024-10-21")
    cla = world.new_child(occurred_on="2024-05-01", date_of_birth="2011-02-03", ethnicity="WBRI", sex="M",
                          **({"upn": "Z318201100011"} if upns else {}))
    world.event("sw", cla, "family_help_started", primary_need="N2", occurred_on="2024-05-02")
    world.event("sw", cla, "looked_after_started", placement_type="U1", placement_provider="PR1",
                occurred_on="2024-06-10")
    world.event("sw", cla, "looked_after_review_held", participation="PN1", occurred_on="2024-07-01")
    world.event("sw", cla, "placement_changed", placement_type="U3", placement_provider="PR4",
                reason_placement_change="CARPL", occurred_on="2024-09-02")
    world.event("sw", cla, "looked_after_ended", reason_episode_ceased="E4A", occurred_on="2025-02-14")
    world.event("sw", cla, "case_closed", reason_for_closure="RC7", occurred_on="2025-03-03")
    late = world.new_child(occurred_on="2025-03-20")  # an enquiry whose conference is due after 31 March
    world.event("fhw", late, "family_help_started", primary_need="N1", occurred_on="2025-03-21")
    world.event("ecpp", late, "section_47_started", occurred_on="2025-03-25")


def _care_journeys(world: World, upns: bool = True) -> dict[str, dict]:
    """Children whose records fill the rest of the SSDA903: a long stay (OC2, UASC, missing, social workers), an
    adoption, a care leaver (OC3), a child with previous permanence said by the worker. With ``upns``, each child of
    school age has a UPN or the SSDA903 code for why it is not known."""

    def upn(value: str) -> dict[str, str]:
        return {"upn": value} if upns else {}

    stay = world.new_child(occurred_on="2023-04-03", date_of_birth="2010-05-06", sex="M", ethnicity="OOTH",
                           **upn("UN2"))
    world.event("sw", stay, "family_help_started", primary_need="N8", occurred_on="2023-04-04")
    world.event("sw", stay, "looked_after_started", placement_type="U1", placement_provider="PR1",
                is_unaccompanied_asylum_seeking=True, occurred_on="2023-04-05")
    world.event("fhw", stay, "missing_started", missing_type="away_without_authorisation", occurred_on="2024-05-01")
    world.event("fhw", stay, "missing_ended", occurred_on="2024-05-02")
    world.event("fhw", stay, "missing_started", missing_type="missing", occurred_on="2025-03-30")
    world.event("sw", stay, "health_check_held", check="health_assessment", is_immunisations_up_to_date=True,
                occurred_on="2024-06-03")
    world.event("sw", stay, "health_check_held", check="dental_check", occurred_on="2024-07-01")
    world.event("sw", stay, "strengths_difficulties_recorded", score=14, occurred_on="2024-08-01")
    world.event("sw", stay, "conviction_recorded", occurred_on="2024-09-02")
    world.event("sw", stay, "substance_misuse_identified", is_intervention_received=True, occurred_on="2024-09-03")
    world.event("manager", stay, "worker_allocated", user_id=world.user_id("ecpp"), role_on_case="social_worker",
                reason_for_change="LEFTRL", occurred_on="2024-10-01")

    adopted = world.new_child(occurred_on="2023-06-01", date_of_birth="2021-01-02", sex="F", ethnicity="WBRI")
    world.event("sw", adopted, "family_help_started", primary_need="N1", occurred_on="2023-06-02")
    world.event("sw", adopted, "looked_after_started", placement_type="U3", placement_provider="PR1",
                occurred_on="2023-06-05")
    world.event("sw", adopted, "looked_after_ended", expect=422, reason_episode_ceased="E11", occurred_on="2024-05-01")
    world.event("sw", adopted, "adoption_decision_made", occurred_on="2024-02-01")
    world.event("sw", adopted, "adoption_match_made", sex_of_adopters="MF", legal_status_of_adopters="L11",
                occurred_on="2024-06-03")
    world.event("sw", adopted, "placement_changed", placement_type="A5", placement_provider="PR1",
                reason_placement_change="CARPL", occurred_on="2024-06-10")
    world.event("sw", adopted, "looked_after_ended", reason_episode_ceased="E11", occurred_on="2025-01-20")

    leaver = world.new_child(occurred_on="2020-09-01", date_of_birth="2006-10-15", sex="F", ethnicity="WBRI",
                             **upn("M318200600022"))
    world.event("sw", leaver, "family_help_started", primary_need="N2", occurred_on="2020-09-02")
    world.event("sw", leaver, "looked_after_started", placement_type="U4", placement_provider="PR1",
                occurred_on="2020-09-03")
    world.event("sw", leaver, "looked_after_ended", reason_episode_ceased="E5", occurred_on="2023-11-06")
    world.event("sw", leaver, "care_leaver_contact_recorded", in_touch="YES", activity="F2", accommodation="D1",
                occurred_on="2024-10-01")

    returned = world.new_child(occurred_on="2024-10-01", date_of_birth="2015-01-02", sex="M", ethnicity="WBRI",
                               **upn("UN4"))
    world.event("sw", returned, "family_help_started", primary_need="N1", occurred_on="2024-10-02")
    world.event("sw", returned, "looked_after_started", placement_type="U1", placement_provider="PR1",
                previous_permanence="P2", previous_permanence_local_authority="201",
                previous_permanence_date="2019-03-04", occurred_on="2024-10-03")
    return {"stay": stay, "adopted": adopted, "leaver": leaver, "returned": returned}


def test_export_reads_back_with_no_errors(own_world: World, tmp_path: Path) -> None:
    from careflow.returns import read_cin_census, read_return, read_ssda903

    world = own_world
    _journeys(world)
    care = _care_journeys(world)
    state = world.app.state.record
    from careflow.record.services.auth import actor_of

    with state.sessions() as session, session.begin():
        ctx = Ctx(session, actor_of(world.users["admin"]), state.settings)
        written = export_returns(ctx, tmp_path, 2025)
        data = to_care_data(session, 2025)
    assert data["looked_after_episodes"].height >= 2
    ssda903 = read_ssda903(written["ssda903"][0].parent, year=2025)
    cin = read_cin_census(written["cin_census"][0], year=2025)
    for result in (ssda903, cin):
        errors = [str(i) for i in result.issues if i.severity is Severity.ERROR]
        assert errors == [], errors[:10]
    episodes = ssda903.data["looked_after_episodes"]
    mine = episodes.filter(episodes["child_id"].is_in(data["looked_after_episodes"]["child_id"].to_list()))
    assert mine.height == data["looked_after_episodes"].height
    assert set(mine["reason_new_episode"].to_list()) >= {"S", "P"}
    assert cin.data["child_protection_plans"].height >= 1
    assert cin.data["child_in_need_plans"].height >= 3  # Family Help is the child in need plan

    assert {f.stem for f in written["ssda903"]} == {"header", "episodes", "uasc", "reviews", "oc2", "oc3", "ad1",
                                                   "placed_for_adoption", "previous_permanence", "missing",
                                                   "sw_episodes"}
    both = read_return([written["ssda903"][0].parent, written["cin_census"][0]], year=2025)
    assert [str(i) for i in both.issues if i.severity is Severity.ERROR] == []
    assert both.collection == "ssda903+cin"

    def row(table: str, child: dict) -> dict:
        frame = ssda903.data[table]
        found = frame.filter(frame["child_id"] == f"C{child['id']:07d}").to_dicts()
        assert len(found) == 1, (table, found)
        return found[0]

    stay, adopted, leaver, returned = care["stay"], care["adopted"], care["leaver"], care["returned"]
    assert row("uasc", stay)["date_uasc_ceased"] is None  # still under 18 on 31 March
    outcome = row("looked_after_outcomes", stay)
    assert (outcome["sdq_score"], outcome["is_convicted"], outcome["has_health_assessment"],
            outcome["has_immunisations"], outcome["has_teeth_check"], outcome["has_substance_misuse"],
            outcome["is_intervention_received"]) == (14, True, True, True, True, True, True)
    missing = ssda903.data["missing_episodes"].filter(ssda903.data["missing_episodes"]["child_id"]
                                                      == f"C{stay['id']:07d}").sort("start_date")
    assert missing.select("missing_type", "end_date").rows() == [("A", dt.date(2024, 5, 2)), ("M", None)]
    workers = ssda903.data["social_worker_episodes"].filter(
        ssda903.data["social_worker_episodes"]["child_id"] == f"C{stay['id']:07d}").sort("start_date")
    # SW_REASON is why an episode began: first contact, then the reason the social worker changed
    assert workers.select("start_date", "end_date", "reason").rows() == [
        (dt.date(2023, 4, 5), dt.date(2024, 10, 1), "FCONTA"), (dt.date(2024, 10, 1), None, "LEFTRL")]
    header = ssda903.data["children"]
    upn_of = dict(header.select("child_id", "upn").iter_rows())
    # the UPN, the code the worker gave for why none is known, or UN1 derived for a child not yet of school age
    assert [upn_of[f"C{c['id']:07d}"] for c in (stay, leaver, returned, adopted)] == [
        "UN2", "M318200600022", "UN4", "UN1"]
    assert header.filter(pl.col("upn").is_null()).height == 0
    girls = header.filter(pl.col("child_id") == f"C{leaver['id']:07d}")
    assert girls["is_mother"].to_list() == [None]  # a care leaver's header row carries no MOTHER
    adoption = row("adoptions", adopted)
    assert (adoption["date_decision_to_place"], adoption["date_matched"], adoption["number_of_adopters"],
            adoption["sex_of_adopters"], adoption["legal_status_of_adopters"]) == (
        dt.date(2024, 2, 1), dt.date(2024, 6, 3), 2, "MF", "L11")
    assert row("placed_for_adoption", adopted)["date_placed"] == dt.date(2024, 2, 1)
    contact = row("care_leavers", leaver)
    assert (contact["in_touch"], contact["activity"], contact["accommodation"]) == ("YES", "F2", "D1")
    permanence = row("previous_permanence", returned)
    assert (permanence["previous_permanence"], permanence["la_of_permanence"],
            permanence["date_of_permanence"]) == ("P2", "201", "04/03/2019")


def test_only_administrators_export(world: World, tmp_path: Path) -> None:
    import pytest

    from careflow.record.errors import AccessDenied
    from careflow.record.services.auth import actor_of

    state = world.app.state.record
    with state.sessions() as session, session.begin():
        ctx = Ctx(session, actor_of(world.users["analyst"]), state.settings)
        with pytest.raises(AccessDenied):
            export_returns(ctx, tmp_path, 2025)


def test_export_lists_what_children_lack_and_writes_nothing(world: World, tmp_path: Path) -> None:
    """Without UPNs (nor the reason none is known) for children of school age, the SSDA903 would fail DfE's rule
    442: the export says which children lack what, and writes no return."""
    from careflow.record.services.auth import actor_of

    _journeys(world, upns=False, nhs_number="943 476 5900")
    care = _care_journeys(world, upns=False)
    state = world.app.state.record
    with state.sessions() as session, session.begin():
        ctx = Ctx(session, actor_of(world.users["admin"]), state.settings)
        gaps = submission_gaps(ctx, 2025)
        with pytest.raises(ReturnNotReady) as refused:
            export_returns(ctx, tmp_path / "out", 2025)
    lacking = {(g.child_id, g.field, g.rules) for g in gaps}
    school_age = [c for c in (care["stay"], care["returned"])]
    expected = {(f"C{c['id']:07d}", "UPN", "442") for c in school_age}
    assert expected <= lacking
    # a care leaver in the return for OC3 only is not looked after in the year: rule 442 does not ask for her UPN
    assert (f"C{care['leaver']['id']:07d}", "UPN", "442") not in lacking
    assert (f"C{care['adopted']['id']:07d}", "UPN", "442") not in lacking  # under school age: UN1, derived
    assert {(g.child_id, g.field, g.rules) for g in refused.value.gaps} == lacking
    assert "UPN" in str(refused.value) and refused.value.status == 409
    assert not (tmp_path / "out").exists()


def test_administrators_get_the_gap_list_through_the_api(world: World) -> None:
    """GET /api/returns/{year}/gaps: the list a worker can act on, before anything is written."""
    _journeys(world, upns=False, nhs_number="943 476 5897")
    answer = world.client("admin").get("/api/returns/2025/gaps")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["year"] == 2025 and body["total"] == len(body["gaps"]) >= 1
    assert {"child_id", "collection", "field", "needed", "rules"} == set(body["gaps"][0])
    assert any(g["field"] == "UPN" and g["rules"] == "442" for g in body["gaps"])
    assert world.client("sw").get("/api/returns/2025/gaps").status_code == 403
    assert world.client("admin").get("/api/returns/2019/gaps").status_code == 422
