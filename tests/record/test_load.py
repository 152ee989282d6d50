"""Loading canonical tables into the record: court orders, family group meetings and Family Network Plans too."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import polars as pl
from sqlalchemy import func, select

from careflow.record.audit import verify
from careflow.record.load import load_care_data
from careflow.record.models import (
    Child,
    CourtOrder,
    Deadline,
    Event,
    FamilyGroupMeeting,
    FamilyHelpEpisode,
    FamilyNetworkPlan,
    MissingEpisode,
    PreProceedings,
    Proceedings,
    Relationship,
)
from careflow.tables import CareData, schema

from .conftest import World

_ids = itertools.count(1)
D = dt.date


def _table(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    target = schema(name)
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return target.conform(pl.DataFrame([{k: row.get(k) for k in keys} for row in rows],
                                       schema={k: target[k].dtype for k in keys}))


def _load(world: World, data: CareData, today: dt.date | None = None) -> dict[str, Child]:
    state = world.app.state.record
    team = world.users["fhw"].team_id
    workers = {team: {"key_worker": [world.user_id("fhw")], "social_worker": [world.user_id("sw")],
                      "expert_child_protection_practitioner": [world.user_id("ecpp")]}}
    with state.sessions() as session, session.begin():
        load_care_data(session, data, today=today or D(2025, 3, 31), teams=[team], workers=workers,
                       settings_chains=state.settings.audit_chains)
    ids = data["children"]["child_id"].to_list()
    with state.sessions() as session:
        return {c.la_child_id: c for c in session.scalars(select(Child).where(Child.la_child_id.in_(ids)))}


def test_family_network_plan_and_proceedings_are_loaded(world: World) -> None:
    run = next(_ids)
    network, court, emergency = (f"L{world.prefix}n{run}", f"L{world.prefix}c{run}", f"L{world.prefix}e{run}")
    gran = f"P{world.prefix}g{run}"
    child = {"sex": "F", "date_of_birth": D(2015, 1, 2), "ethnicity": "WBRI"}
    data = CareData({
        "children": _table("children", [{"child_id": c, **child} for c in (network, court, emergency)]),
        "referrals": _table("referrals", [
            {"child_id": c, "referral_id": 1, "referral_date": D(2024, 5, 1), "referral_source": "2A",
             "primary_need": "N1"} for c in (network, court, emergency)]),
        "family_help_episodes": _table("family_help_episodes", [
            {"child_id": network, "episode_id": "H1", "start_date": D(2024, 5, 2)}]),
        "family_members": _table("family_members", [
            {"person_id": gran, "given_name": "Rose", "family_name": "Hill", "sex": "F",
             "date_of_birth": D(1960, 3, 4)}]),
        "relationships": _table("relationships", [
            {"child_id": network, "person_id": gran, "relationship": "grandparent",
             "has_parental_responsibility": False, "is_significant": True}]),
        "family_group_decision_meetings": _table("family_group_decision_meetings", [
            {"child_id": network, "meeting_id": "F1", "offered_date": D(2024, 6, 1), "meeting_date": D(2024, 6, 10),
             "is_emergency_exemption": False, "outcome": "family_network_plan"},
            {"child_id": emergency, "meeting_id": "F1", "offered_date": D(2024, 7, 1),
             "is_emergency_exemption": True, "outcome": "none"}]),
        "family_network_plans": _table("family_network_plans", [
            {"child_id": network, "plan_id": "N1", "start_date": D(2024, 7, 1), "carer_person_id": gran,
             "weekly_funding_gbp": 162.529}]),
        "proceedings": _table("proceedings", [
            {"child_id": court, "proceedings_id": "P1", "issue_date": D(2025, 1, 6)},
            {"child_id": emergency, "proceedings_id": "P1", "issue_date": D(2024, 7, 2),
             "final_hearing_date": D(2024, 12, 20), "outcome": "child_arrangements_order"}]),
        "court_orders": _table("court_orders", [
            {"child_id": court, "order_id": "O1", "order_type": "supervision_order", "start_date": D(2025, 1, 20)},
            {"child_id": emergency, "order_id": "O1", "order_type": "child_arrangements_order",
             "start_date": D(2024, 12, 20)}]),
    })
    children = _load(world, data)
    assert {k: c.stage for k, c in children.items()} == {
        network: "family_network", court: "proceedings", emergency: "family_help"}
    with world.app.state.record.sessions() as session:
        plan = session.scalars(select(FamilyNetworkPlan).where(FamilyNetworkPlan.child_id == children[network].id)
                               ).one()
        carer = session.scalars(select(Relationship).where(Relationship.child_id == children[network].id)).one()
        assert plan.carer_person_id == carer.person_id and str(plan.weekly_funding_gbp) == "162.53"
        assert session.scalars(select(FamilyHelpEpisode.referral_id)
                               .where(FamilyHelpEpisode.child_id == children[network].id)).one() is not None
        order = session.scalars(select(CourtOrder).where(CourtOrder.child_id == children[court].id)).one()
        proceedings = session.scalars(select(Proceedings).where(Proceedings.child_id == children[court].id)).one()
        assert order.proceedings_id == proceedings.id
        assert session.scalars(select(Deadline.kind).where(Deadline.child_id == children[court].id)).all() \
            == ["proceedings_end"]
        meeting = session.scalars(select(FamilyGroupMeeting)
                                  .where(FamilyGroupMeeting.child_id == children[emergency].id)).one()
        assert meeting.is_emergency_exemption and meeting.emergency_reason
        kinds = {c: set(session.scalars(select(Event.kind).where(Event.child_id == children[c].id)))
                 for c in children}
        assert verify(session) == []
    assert {"family_group_meeting_held", "family_network_plan_started"} <= kinds[network]
    assert {"proceedings_issued", "order_made"} <= kinds[court]
    assert {"emergency_recorded", "proceedings_issued", "order_made"} <= kinds[emergency]
    page = world.client("fhw").get(f"/children/{children[network].id}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Rose Hill" in page.text and "<svg" in page.text


def test_a_synthetic_local_authority_loads_its_court_and_family_network_tables(world: World) -> None:
    from careflow import synth

    la = synth.generate(1500, end_year=2026, years=1, seed=3)
    prefix = f"S{world.prefix}x"  # the record's identifiers must be unique across the test session's loads
    data = CareData({name: (la.data[name].with_columns(pl.concat_str(pl.lit(prefix), pl.col("child_id"))
                                                       .alias("child_id"))
                            if "child_id" in la.data[name].columns else la.data[name])
                     for name in la.data.names()})
    children = _load(world, data, today=D(2026, 3, 31))
    loaded = set(children)
    with world.app.state.record.sessions() as session:
        ids = [c.id for c in children.values()]
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model)
                                                      .where(model.child_id.in_(ids)))
                  for model in (CourtOrder, FamilyGroupMeeting, FamilyNetworkPlan, Proceedings, PreProceedings,
                                MissingEpisode)}
        assert verify(session) == []
    expected = {name: data[name].filter(pl.col("child_id").is_in(list(loaded))).height
                for name in ("court_orders", "family_group_decision_meetings", "family_network_plans", "proceedings",
                             "pre_proceedings", "missing_episodes")}
    assert counts == {"court_orders": expected["court_orders"],
                      "family_group_meetings": expected["family_group_decision_meetings"],
                      "family_network_plans": expected["family_network_plans"],
                      "proceedings": expected["proceedings"], "pre_proceedings": expected["pre_proceedings"],
                      "missing_episodes": expected["missing_episodes"]}
    assert counts["court_orders"] > 0 and counts["family_group_meetings"] > 0
