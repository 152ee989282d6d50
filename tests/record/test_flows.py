"""The pathway through the API, on SQLite and PostgreSQL: derived records, deadlines, decisions, audit."""

from __future__ import annotations

from sqlalchemy import func, select

from careflow.record.audit import verify
from careflow.record.models import AuditEntry, Deadline, Event, LookedAfterEpisode, Referral

from .conftest import World


def test_first_conversation_to_child_protection_plan(world: World) -> None:
    child = world.new_child()
    assert child["stage"] == "contact"
    assert child["team_id"] is not None
    assert [a["role_on_case"] for a in child["allocations"]] == ["key_worker"]
    world.event("fhw", child, "family_help_started", primary_need="N1", occurred_on="2025-04-02")
    world.event("ecpp", child, "section_47_started", occurred_on="2025-05-12")
    record = world.client("ecpp").get(f"/api/children/{child['id']}").json()
    assert record["stage"] == "section_47"
    due = {d["kind"]: d["due_date"] for d in record["deadlines"]}
    # 15 working days from Monday 12 May 2025, skipping the late May bank holiday (26 May): Tuesday 3 June.
    assert due["initial_conference"] == "2025-06-03"
    assert {a["role_on_case"] for a in record["allocations"]} >= {"key_worker", "expert_child_protection_practitioner"}
    world.event("ecpp", child, "initial_conference_held", outcome="plan", category_of_abuse="NEG",
                occurred_on="2025-05-30")
    record = world.client("fhw").get(f"/api/children/{child['id']}").json()
    assert record["stage"] == "child_protection"
    due = {d["kind"]: d["due_date"] for d in record["deadlines"]}
    assert due == {"assessment": "2025-06-09", "child_protection_first_review": "2025-08-30"}
    timeline = world.client("fhw").get(f"/api/children/{child['id']}/events").json()
    assert [e["kind"] for e in timeline["items"]] == ["initial_conference_held", "section_47_started",
                                                      "family_help_started", "conversation"]


def test_family_first_then_looked_after(world: World) -> None:
    child = world.new_child(date_of_birth="2012-01-10", postcode="ab1 2cd")
    world.event("fhw", child, "family_help_started", primary_need="N4", occurred_on="2025-04-02")
    world.event("ecpp", child, "section_47_started", occurred_on="2025-04-07")
    world.event("ecpp", child, "initial_conference_held", outcome="plan", category_of_abuse="EMO",
                occurred_on="2025-04-25")
    refused = world.event("ecpp", child, "pre_proceedings_started", expect=409, occurred_on="2025-05-01")
    assert "family group decision-making meeting" in refused["detail"]
    world.event("fhw", child, "family_group_meeting_held", outcome="pre_proceedings", occurred_on="2025-05-02")
    world.event("ecpp", child, "pre_proceedings_started", occurred_on="2025-05-06")
    world.event("ecpp", child, "proceedings_issued", occurred_on="2025-05-20")
    world.event("sw", child, "order_made", order_type="interim_care_order", occurred_on="2025-05-21")
    world.event("sw", child, "looked_after_started", placement_type="U1", placement_provider="PR1",
                occurred_on="2025-05-21")
    record = world.client("sw").get(f"/api/children/{child['id']}").json()
    assert record["stage"] == "looked_after"
    due = {d["kind"]: d["due_date"] for d in record["deadlines"]}
    assert due["proceedings_end"] == "2025-11-18"  # 26 weeks
    assert due["looked_after_first_review"] == "2025-06-19"  # 20 working days, 26 May a bank holiday
    assert due["looked_after_first_visit"] == "2025-05-28"
    world.event("sw", child, "order_made", order_type="care_order", occurred_on="2025-06-02")
    with world.app.state.record.sessions() as session:
        episodes = session.scalars(select(LookedAfterEpisode).where(LookedAfterEpisode.child_id == child["id"])
                                   .order_by(LookedAfterEpisode.start_date)).all()
        assert [(e.legal_status, e.reason_new_episode, e.reason_episode_ceased) for e in episodes] == [
            ("C1", "S", "X1"), ("C2", "L", None)]
        assert episodes[0].category_of_need == "N4"  # derived from the primary need
        assert episodes[0].home_postcode == "AB1 2CD"


def test_emergency_lets_proceedings_start_without_a_meeting(world: World) -> None:
    child = world.new_child()
    world.event("fhw", child, "family_help_started", primary_need="N1", occurred_on="2025-04-02")
    world.event("manager", child, "proceedings_issued", expect=409, occurred_on="2025-04-03")
    world.event("manager", child, "emergency_recorded", reason="serious injury, police protection",
                occurred_on="2025-04-03")
    world.event("manager", child, "proceedings_issued", occurred_on="2025-04-03")


def test_who_may_decide(world: World) -> None:
    child = world.new_child()
    world.event("fhw", child, "family_help_started", primary_need="N1")
    refused = world.event("fhw", child, "section_47_started", expect=403)
    assert "Expert Child Protection Practitioner" in refused["detail"]
    world.event("sw", child, "section_47_started", expect=403)
    world.event("manager", child, "section_47_started", expect=403)
    world.event("ecpp", child, "section_47_started")


def test_stale_version_is_refused_and_nothing_is_written(world: World) -> None:
    child = world.new_child()
    stale = dict(child)
    world.event("fhw", child, "family_help_started", primary_need="N1")
    with world.app.state.record.sessions() as session:
        events_before = session.scalar(select(func.count()).select_from(Event).where(Event.child_id == child["id"]))
    answer = world.event("sw", stale, "note_added", expect=409, note="replayed with an old version")
    assert answer["current_version"] == child["version"]
    patch = world.client("fhw").patch(f"/api/children/{child['id']}", json={"version": stale["version"],
                                                                           "given_name": "Overwritten"})
    assert patch.status_code == 409
    with world.app.state.record.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.child_id == child["id"])) == \
            events_before
    assert world.client("fhw").get(f"/api/children/{child['id']}").json()["given_name"] == "Amy"


def test_failed_event_stores_nothing_partial(world: World) -> None:
    child = world.new_child()
    world.event("fhw", child, "family_help_started", primary_need="N1")
    world.event("ecpp", child, "emergency_recorded", reason="immediate risk")
    world.event("manager", child, "proceedings_issued")
    with world.app.state.record.sessions() as session:
        before = (session.scalar(select(func.count()).select_from(Event)),
                  session.scalar(select(func.count()).select_from(Deadline)),
                  session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "write")))
    # The legal status is derived and valid, the placement type is checked last and is not a code: all or nothing.
    answer = world.event("sw", child, "looked_after_started", expect=422, placement_type="ZZ",
                         placement_provider="PR1")
    assert "Placement type" in answer["detail"]
    with world.app.state.record.sessions() as session:
        after = (session.scalar(select(func.count()).select_from(Event)),
                 session.scalar(select(func.count()).select_from(Deadline)),
                 session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "write")))
        assert session.scalar(select(func.count()).select_from(LookedAfterEpisode)
                              .where(LookedAfterEpisode.child_id == child["id"])) == 0
    assert after == before
    assert world.client("sw").get(f"/api/children/{child['id']}").json()["version"] == child["version"]


def test_every_read_and_write_is_audited_and_the_chain_holds(world: World) -> None:
    child = world.new_child()
    world.client("fhw").get(f"/api/children/{child['id']}")
    world.client("sw").get(f"/api/children/{child['id']}/events")
    world.event("fhw", child, "note_added", note="spoke to school")
    seen = world.client("manager").get(f"/api/children/{child['id']}/audit").json()
    actions = [(e["username"].split("-")[-1], e["action"], e["entity"]) for e in reversed(seen["items"])]
    assert actions == [("fhw", "create", "child"), ("fhw", "read", "child"), ("sw", "read", "timeline"),
                       ("fhw", "write", "event")]
    assert world.client("fhw").get(f"/api/children/{child['id']}/audit").status_code == 403
    verified = world.client("admin").get("/api/audit/verify").json()
    assert verified == {"is_intact": True, "problems": []}
    with world.app.state.record.sessions() as session:
        assert verify(session) == []


def test_caseload_team_dashboard_and_pagination(world: World) -> None:
    children = [world.new_child(occurred_on="2025-03-03") for _ in range(3)]
    for child in children:
        world.event("fhw", child, "family_help_started", primary_need="N5", occurred_on="2025-03-04")
    page = world.client("fhw").get("/api/caseload", params={"limit": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["deadlines"][0]["kind"] == "assessment"
    # Assessments were due 45 working days after 3 March 2025 (Easter and May bank holidays skipped).
    dashboard = world.client("manager").get(f"/api/teams/{children[0]['team_id']}/deadlines").json()
    assert dashboard["total"] == 3
    assert {r["deadline"]["status"] for r in dashboard["items"]} == {"overdue"}
    assert dashboard["items"][0]["deadline"]["due_date"] == "2025-05-08"
    assert world.client("other").get(f"/api/teams/{children[0]['team_id']}/deadlines").status_code == 403


def test_care_leaver_derived_from_age_and_time_in_care(world: World) -> None:
    child = world.new_child(date_of_birth="2008-05-01", occurred_on="2024-01-02")
    world.event("sw", child, "family_help_started", primary_need="N1", occurred_on="2024-01-03")
    world.event("sw", child, "looked_after_started", placement_type="U4", placement_provider="PR1",
                legal_status="V2", occurred_on="2024-01-05")
    world.event("sw", child, "looked_after_review_held", participation="PN1", occurred_on="2024-01-30")
    world.event("sw", child, "looked_after_ended", reason_episode_ceased="E5", occurred_on="2025-05-20")
    record = world.client("sw").get(f"/api/children/{child['id']}").json()
    assert record["stage"] == "care_leaver"
    assert "pathway_plan_review" in [d["kind"] for d in record["deadlines"]]


def test_openapi_lists_the_api(world: World) -> None:
    schema = world.client("fhw").get("/openapi.json").json()
    assert "/api/children/{child_id}/events" in schema["paths"]
    kinds = schema["components"]["schemas"]
    assert "InitialConferenceHeldForm" in kinds and "ChildPublic" in kinds


def test_referral_numbering(world: World) -> None:
    child = world.new_child(occurred_on="2025-01-06")
    world.event("fhw", child, "no_further_action", occurred_on="2025-01-07")
    world.event("fhw", child, "conversation", referral_source="6", occurred_on="2025-03-01")
    with world.app.state.record.sessions() as session:
        rows = session.execute(select(Referral.sequence, Referral.is_no_further_action, Referral.closure_date)
                               .where(Referral.child_id == child["id"]).order_by(Referral.sequence)).all()
    assert [(r[0], r[1], r[2] is not None) for r in rows] == [(1, True, True), (2, False, False)]
