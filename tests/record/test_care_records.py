"""Care records the SSDA903 needs beyond episodes: each event's checks, and what it derives."""

from __future__ import annotations

from sqlalchemy import select

from careflow.record.models import AdoptionPlan, CareLeaverContact, PreviousPermanence, StrengthsDifficultiesScore

from .conftest import World


def _in_care(world: World, date_of_birth: str = "2012-01-02") -> dict:
    child = world.new_child(occurred_on="2024-04-01", date_of_birth=date_of_birth)
    world.event("sw", child, "family_help_started", primary_need="N1", occurred_on="2024-04-02")
    world.event("sw", child, "looked_after_started", placement_type="U1", placement_provider="PR1",
                occurred_on="2024-04-03")
    return child


def test_care_events_refuse_what_cannot_be(world: World) -> None:
    child = _in_care(world)
    cases = [
        ("missing_ended", {}, "not recorded as missing"),
        ("adoption_match_made", {"sex_of_adopters": "F1"}, "decision that the child should be placed"),
        ("adoption_decision_reversed", {"reason_adoption_decision_reversed": "RD1"}, "decision that the child"),
        ("strengths_difficulties_recorded", {}, "either the score"),
        ("strengths_difficulties_recorded", {"score": 10, "reason_no_score": "SDQ2"}, "not both"),
        ("strengths_difficulties_recorded", {"reason_no_score": "SDQ9"}, "Why there is no score"),
        ("health_check_held", {"check": "development_check"}, "under 5"),
        ("worker_allocated", {"user_id": world.user_id("sw"), "role_on_case": "social_worker",
                              "reason_for_change": "BORED"}, "Why the social worker changed"),
    ]
    for kind, fields, message in cases:
        who = "manager" if kind == "worker_allocated" else "sw"
        answer = world.event(who, child, kind, expect=422, **fields)
        assert message in str(answer["detail"]), (kind, answer)
    world.event("sw", child, "strengths_difficulties_recorded", expect=422, score=41)  # 0 to 40
    world.event("sw", child, "care_leaver_contact_recorded", expect=409, in_touch="YES")  # not a care leaver yet
    world.event("sw", child, "missing_started", missing_type="missing", occurred_on="2024-05-01")
    again = world.event("sw", child, "missing_started", expect=422, missing_type="missing", occurred_on="2024-05-02")
    assert "already recorded missing" in again["detail"]
    world.event("sw", child, "missing_ended", expect=422, occurred_on="2024-04-30")  # before it began
    world.event("sw", child, "missing_ended", occurred_on="2024-05-03")
    young = _in_care(world, date_of_birth="2016-01-02")
    too_young = world.event("sw", young, "conviction_recorded", expect=422)
    assert "age of criminal responsibility" in too_young["detail"]


def test_adoption_plan_from_decision_to_reversal(world: World) -> None:
    child = _in_care(world, date_of_birth="2022-02-03")
    world.event("sw", child, "adoption_decision_made", occurred_on="2024-05-01")
    world.event("sw", child, "adoption_decision_made", expect=422, occurred_on="2024-05-02")
    mismatch = world.event("sw", child, "adoption_match_made", expect=422, sex_of_adopters="F1",
                           legal_status_of_adopters="L11", occurred_on="2024-06-01")
    assert "disagree" in mismatch["detail"]
    couple = world.event("sw", child, "adoption_match_made", expect=422, sex_of_adopters="FF",
                         occurred_on="2024-06-01")
    assert "needed for a couple" in couple["detail"]
    world.event("sw", child, "adoption_match_made", sex_of_adopters="F1", is_foster_carer_adoption=True,
                occurred_on="2024-06-01")
    world.event("sw", child, "adoption_decision_reversed", reason_adoption_decision_reversed="RD3",
                occurred_on="2024-09-02")
    with world.app.state.record.sessions() as session:
        plan = session.scalars(select(AdoptionPlan).where(AdoptionPlan.child_id == child["id"])).one()
    assert (plan.number_of_adopters, plan.legal_status_of_adopters, plan.is_foster_carer_adoption,
            plan.ceased_date.isoformat(), plan.reason_ceased) == (1, "L0", True, "2024-09-02", "RD3")
    adopted = world.event("sw", child, "looked_after_ended", expect=422, reason_episode_ceased="E12")
    assert "adoption needs" in adopted["detail"]


def test_previous_permanence_is_derived_from_the_record(world: World) -> None:
    child = _in_care(world, date_of_birth="2013-01-02")
    world.event("sw", child, "looked_after_ended", reason_episode_ceased="E46", occurred_on="2024-06-03")
    world.event("sw", child, "looked_after_started", placement_type="U1", placement_provider="PR1",
                occurred_on="2025-01-06")
    with world.app.state.record.sessions() as session:
        rows = session.scalars(select(PreviousPermanence).where(PreviousPermanence.child_id == child["id"])
                               .order_by(PreviousPermanence.period_start_date)).all()
    assert [(r.permanence, r.is_derived) for r in rows] == [(None, True), ("P2", True)]
    assert rows[1].permanence_date.isoformat() == "2024-06-03" and rows[1].local_authority_code == "999"


def test_care_leaver_contact_and_questionnaire(world: World) -> None:
    child = world.new_child(occurred_on="2022-01-04", date_of_birth="2006-01-09")
    world.event("sw", child, "family_help_started", primary_need="N1", occurred_on="2022-01-05")
    world.event("sw", child, "looked_after_started", placement_type="U1", placement_provider="PR1",
                occurred_on="2022-01-06")
    world.event("sw", child, "strengths_difficulties_recorded", reason_no_score="SDQ5", occurred_on="2022-06-01")
    world.event("sw", child, "looked_after_ended", reason_episode_ceased="E17", occurred_on="2024-01-09")
    needs = world.event("sw", child, "care_leaver_contact_recorded", expect=422, in_touch="YES", activity="F2")
    assert "accommodation is needed" in needs["detail"]
    world.event("fhw", child, "care_leaver_contact_recorded", in_touch="REFU", activity="F2",
                occurred_on="2024-02-01")
    with world.app.state.record.sessions() as session:
        contact = session.scalars(select(CareLeaverContact).where(CareLeaverContact.child_id == child["id"])).one()
        score = session.scalars(select(StrengthsDifficultiesScore)
                                .where(StrengthsDifficultiesScore.child_id == child["id"])).one()
    assert (contact.in_touch, contact.activity, contact.accommodation) == ("REFU", "0", "0")
    assert (score.score, score.reason_no_score) == (None, "SDQ5")
