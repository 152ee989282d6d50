"""Every event kind through the API at least once, with what each derives."""

from __future__ import annotations

from sqlalchemy import select

from careflow.record.models import (
    CareLeaverArrangement,
    ChildCommunitySafetyPlan,
    FamilyNetworkPlan,
    LookedAfterEpisode,
    PreProceedings,
)
from careflow.record.pathway import TRANSITIONS

from .conftest import World


def _event(world: World, who: str, child: dict, kind: str, **fields: object) -> dict:
    return world.event(who, child, kind, **fields)


def test_family_network_path(world: World) -> None:
    child = world.new_child(occurred_on="2025-01-06")
    _event(world, "fhw", child, "family_help_started", primary_need="N4", occurred_on="2025-01-07")
    added = _event(world, "fhw", child, "family_member_added", given_name="Gran", family_name="Smith",
                   relationship="grandparent", occurred_on="2025-01-08")
    carer = added["payload"]["person_id"]
    network = world.client("fhw").get(f"/api/children/{child['id']}/network").json()
    assert [(r["relationship"], r["person"]["given_name"]) for r in network] == [("grandparent", "Gran")]
    world.event("sw", child, "family_network_plan_started", expect=409, carer_person_id=carer,
                weekly_funding_gbp="180.50", purpose="Amy lives with her gran", success_measures="attendance")
    _event(world, "fhw", child, "family_group_meeting_held", outcome="family_network_plan", occurred_on="2025-01-20")
    _event(world, "sw", child, "family_network_plan_started", carer_person_id=carer, weekly_funding_gbp="180.50",
           purpose="Amy lives with her gran", success_measures="school attendance over 90%", occurred_on="2025-02-03")
    _event(world, "fhw", child, "visit_made", is_seen_alone=True, occurred_on="2025-02-10")
    _event(world, "sw", child, "family_network_plan_ended", occurred_on="2025-05-01")
    _event(world, "fhw", child, "assessment_completed", factors=["3A"], occurred_on="2025-05-02")
    _event(world, "fhw", child, "case_closed", reason_for_closure="RC7", occurred_on="2025-05-06")
    record = world.client("fhw").get(f"/api/children/{child['id']}").json()
    assert record["stage"] == "closed" and record["allocations"] == [] and record["deadlines"] == []
    with world.app.state.record.sessions() as session:
        plan = session.scalars(select(FamilyNetworkPlan).where(FamilyNetworkPlan.child_id == child["id"])).one()
        assert str(plan.weekly_funding_gbp) == "180.50" and plan.end_date is not None


def test_protection_variants(world: World) -> None:
    child = world.new_child(date_of_birth="2009-02-02", occurred_on="2025-01-06")
    _event(world, "fhw", child, "family_help_started", primary_need="N6", occurred_on="2025-01-07")
    _event(world, "ecpp", child, "section_47_started", occurred_on="2025-01-08")
    _event(world, "ecpp", child, "section_47_concluded", occurred_on="2025-01-15")
    _event(world, "ecpp", child, "community_safety_plan_started", harm_type="criminal_exploitation",
           occurred_on="2025-01-16")
    _event(world, "ecpp", child, "community_safety_plan_ended", occurred_on="2025-03-03")
    _event(world, "ecpp", child, "section_47_started", occurred_on="2025-03-04")
    _event(world, "ecpp", child, "initial_conference_held", outcome="no_plan", occurred_on="2025-03-20")
    assert world.client("fhw").get(f"/api/children/{child['id']}").json()["stage"] == "family_help"
    _event(world, "ecpp", child, "section_47_started", occurred_on="2025-03-24")
    _event(world, "ecpp", child, "initial_conference_held", outcome="plan", category_of_abuse="PHY",
           occurred_on="2025-04-07")
    _event(world, "ecpp", child, "child_protection_review_held", latest_category_of_abuse="EMO",
           occurred_on="2025-05-06")
    _event(world, "ecpp", child, "child_protection_review_held", is_plan_continued=False, occurred_on="2025-05-20")
    _event(world, "ecpp", child, "section_47_started", occurred_on="2025-05-20")
    _event(world, "ecpp", child, "initial_conference_held", outcome="plan", category_of_abuse="NEG",
           occurred_on="2025-05-20")
    _event(world, "ecpp", child, "child_protection_plan_ended", occurred_on="2025-05-21")
    _event(world, "fhw", child, "family_group_meeting_held", outcome="pre_proceedings", occurred_on="2025-05-21")
    _event(world, "ecpp", child, "pre_proceedings_started", occurred_on="2025-05-22")
    _event(world, "ecpp", child, "pre_proceedings_ended", occurred_on="2025-05-29")
    _event(world, "manager", child, "worker_allocated", user_id=world.user_id("sw"), role_on_case="social_worker")
    _event(world, "fhw", child, "note_added", note="family doing well")
    record = world.client("fhw").get(f"/api/children/{child['id']}").json()
    assert record["stage"] == "family_help"
    assert "social_worker" in {a["role_on_case"] for a in record["allocations"]}
    with world.app.state.record.sessions() as session:
        assert session.scalars(select(PreProceedings.outcome).where(PreProceedings.child_id == child["id"])).one() \
            == "step_down"
        assert session.scalars(select(ChildCommunitySafetyPlan.harm_type)
                               .where(ChildCommunitySafetyPlan.child_id == child["id"])).one() \
            == "criminal_exploitation"


def test_care_to_leaving_care(world: World) -> None:
    child = world.new_child(date_of_birth="2006-09-01", occurred_on="2023-01-09")
    _event(world, "sw", child, "family_help_started", primary_need="N5", occurred_on="2023-01-10")
    _event(world, "sw", child, "looked_after_started", placement_type="U4", placement_provider="PR4",
           legal_status="V2", occurred_on="2023-01-11")
    _event(world, "sw", child, "legal_status_changed", legal_status="C2", occurred_on="2023-03-01")
    _event(world, "sw", child, "placement_changed", placement_type="U5", placement_provider="PR4",
           reason_placement_change="CHILD", is_same_carer=True, occurred_on="2023-06-01")
    _event(world, "sw", child, "looked_after_review_held", participation="PN1", occurred_on="2023-02-01")
    _event(world, "sw", child, "pathway_plan_reviewed", occurred_on="2023-07-01")
    _event(world, "sw", child, "advocate_assigned", advocate_id=world.user_id("advocate"), occurred_on="2023-07-02")
    _event(world, "sw", child, "looked_after_ended", reason_episode_ceased="E17", occurred_on="2024-09-01")
    assert world.client("sw").get(f"/api/children/{child['id']}").json()["stage"] == "care_leaver"
    too_young = world.event("sw", child, "staying_arrangement_started", expect=422, arrangement="staying_put",
                            occurred_on="2024-08-31")
    assert "detail" in too_young
    _event(world, "sw", child, "staying_arrangement_started", arrangement="staying_put", occurred_on="2024-09-02")
    _event(world, "sw", child, "case_closed", reason_for_closure="RC7", occurred_on="2025-01-02")
    _event(world, "fhw", child, "conversation", referral_source="1C", occurred_on="2025-02-03")
    _event(world, "fhw", child, "no_further_action", occurred_on="2025-02-04")
    with world.app.state.record.sessions() as session:
        episodes = session.scalars(select(LookedAfterEpisode).where(LookedAfterEpisode.child_id == child["id"])
                                   .order_by(LookedAfterEpisode.start_date)).all()
        assert [(e.reason_new_episode, e.legal_status, e.placement_type, e.reason_episode_ceased)
                for e in episodes] == [("S", "V2", "U4", "X1"), ("L", "C2", "U4", "X1"), ("T", "C2", "U5", "E17")]
        assert session.scalars(select(CareLeaverArrangement.kind)
                               .where(CareLeaverArrangement.child_id == child["id"])).one() == "staying_put"


def test_every_kind_is_recorded_by_some_test() -> None:
    from pathlib import Path

    text = "".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py") if p.name != Path(__file__).name)
    text += Path(__file__).read_text().split("def test_every_kind")[0]
    assert {k for k in TRANSITIONS if f'"{k}"' not in text} == set()
