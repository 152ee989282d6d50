"""Load canonical tables (a synthetic local authority, or returns read back) into the record.

Each child's history becomes records and timeline events; the stage, allocations and open deadlines are derived
as of ``today``. Used by ``careflow serve --demo``; the load is one transaction with one audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import cycle
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from careflow.record import audit, clocks
from careflow.record.audit import SYSTEM
from careflow.record.models import (
    Allocation,
    Assessment,
    Child,
    ChildProtectionConference,
    ChildProtectionPlan,
    Deadline,
    Event,
    LookedAfterEpisode,
    LookedAfterReview,
    Person,
    Referral,
    Relationship,
    Section47Enquiry,
)
from careflow.record.parameters import ParameterError
from careflow.record.pathway import Stage
from careflow.tables import CareData

__all__ = ["GIVEN_NAMES", "load_care_data"]

GIVEN_NAMES = ("Amelia", "Noah", "Olivia", "Muhammad", "Isla", "George", "Ava", "Leo", "Freya", "Oscar", "Zara",
               "Arthur", "Maya", "Theo", "Aisha", "Jacob", "Poppy", "Yusuf", "Ivy", "Kai")


def _rows(data: CareData, table: str) -> list[dict[str, Any]]:
    return data[table].to_dicts() if table in data else []


def _by_child(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[str(row["child_id"])].append(row)
    return out


def load_care_data(session: Session, data: CareData, *, today: dt.date, teams: list[int],
                   workers: dict[int, dict[str, list[int]]], settings_chains: int) -> int:
    """Load ``data``; children are shared round-robin among ``teams`` and allocated to their ``workers``
    (team id → {"key_worker": [...], "social_worker": [...], "expert_child_protection_practitioner": [...]}).

    Returns:
        How many children were loaded.
    """
    referrals = _by_child(_rows(data, "referrals"))
    episodes = _by_child(_rows(data, "looked_after_episodes"))
    plans = _by_child(_rows(data, "child_protection_plans"))
    enquiries = _by_child(_rows(data, "section47_enquiries"))
    assessments = _by_child(_rows(data, "assessments"))
    reviews = _by_child(_rows(data, "looked_after_reviews"))
    relationships = _by_child(_rows(data, "relationships"))
    members = {r["person_id"]: r for r in _rows(data, "family_members")}
    team_cycle = cycle(teams)
    rotas = {t: {k: cycle(v) for k, v in roles.items() if v} for t, roles in workers.items()}
    loaded = 0
    for index, child_row in enumerate(_rows(data, "children")):
        cid = str(child_row["child_id"])
        if cid not in referrals and cid not in episodes:
            continue
        if session.scalar(select(Child.id).where(Child.la_child_id == cid)) is not None:
            continue
        mother = next((members.get(r["person_id"]) for r in relationships.get(cid, [])
                       if r["relationship"] == "mother"), None)
        person = Person(given_name=GIVEN_NAMES[index % len(GIVEN_NAMES)],
                        family_name=(mother or {}).get("family_name") or "Taylor", sex=child_row["sex"],
                        date_of_birth=child_row["date_of_birth"],
                        expected_date_of_birth=child_row["expected_date_of_birth"],
                        ethnicity=child_row["ethnicity"], nhs_number=child_row["nhs_number"], upn=child_row["upn"])
        session.add(person)
        session.flush()
        team = next(team_cycle)
        child = Child(person_id=person.id, la_child_id=cid, team_id=team, stage=Stage.CLOSED.value,
                      stage_since=today, disabilities=[d for d in (child_row["disabilities"] or []) if d != "NONE"],
                      version=1)
        session.add(child)
        session.flush()
        events: list[dict[str, Any]] = []
        deadlines: list[dict[str, Any] | None] = []

        def event(kind: str, day: dt.date, payload: dict[str, Any] | None = None, *, child_id: int = child.id,
                  into: list[dict[str, Any]] = events) -> None:
            into.append({"child_id": child_id, "kind": kind, "occurred_on": day, "payload": payload or {},
                         "recorded_at": dt.datetime.now(dt.UTC), "note": None, "recorded_by_id": None})

        stage, since = Stage.CLOSED, today
        referral_ids: dict[int, int] = {}
        for r in sorted(referrals.get(cid, []), key=lambda r: r["referral_id"]):
            row = Referral(child_id=child.id, sequence=r["referral_id"], referral_date=r["referral_date"],
                           referral_source=r["referral_source"], primary_need=r["primary_need"],
                           closure_date=r["closure_date"], reason_for_closure=r["reason_for_closure"],
                           is_no_further_action=bool(r["is_no_further_action"]))
            session.add(row)
            session.flush()
            referral_ids[r["referral_id"]] = row.id
            child.primary_need = r["primary_need"]
            event("conversation", r["referral_date"], {"referral_source": r["referral_source"]})
            if r["closure_date"] is None:
                stage, since = Stage.FAMILY_HELP, r["referral_date"]
                event("family_help_started", r["referral_date"], {"primary_need": r["primary_need"]})
            else:
                event("case_closed", r["closure_date"], {"reason_for_closure": r["reason_for_closure"]})
        for a in assessments.get(cid, []):
            session.add(Assessment(child_id=child.id, referral_id=referral_ids.get(a["referral_id"]),
                                   start_date=a["start_date"], authorisation_date=a["authorisation_date"],
                                   factors=list(a["factors"] or [])))
        for s in enquiries.get(cid, []):
            held = s["initial_conference_date"]
            session.add(Section47Enquiry(child_id=child.id, referral_id=referral_ids.get(s["referral_id"]),
                                         start_date=s["start_date"], initial_conference_date=held, end_date=held,
                                         initial_conference_target_date=s["initial_conference_target_date"]
                                         or _due("initial_conference", s["start_date"]) or s["start_date"],
                                         is_conference_not_required=bool(s["is_conference_not_required"])))
            event("section_47_started", s["start_date"])
        for p in plans.get(cid, []):
            plan = ChildProtectionPlan(child_id=child.id, referral_id=referral_ids.get(p["referral_id"]),
                                       start_date=p["start_date"], end_date=p["end_date"],
                                       initial_category_of_abuse=p["initial_category_of_abuse"],
                                       latest_category_of_abuse=p["latest_category_of_abuse"])
            session.add(plan)
            session.flush()
            event("initial_conference_held", p["start_date"], {"outcome": "plan",
                                                              "category_of_abuse": p["initial_category_of_abuse"]})
            last = p["start_date"]
            for review in p["review_dates"] or []:
                session.add(ChildProtectionConference(child_id=child.id, plan_id=plan.id, kind="review",
                                                      conference_date=review, outcome="continue"))
                event("child_protection_review_held", review)
                last = review
            if p["end_date"] is None:
                stage, since = Stage.CHILD_PROTECTION, p["start_date"]
                kind = "child_protection_review" if p["review_dates"] else "child_protection_first_review"
                deadlines.append(_deadline(child.id, kind, last))
        care = sorted(episodes.get(cid, []), key=lambda e: e["start_date"])
        for e in care:
            session.add(LookedAfterEpisode(**{k: e[k] for k in (
                "start_date", "end_date", "reason_new_episode", "legal_status", "category_of_need", "placement_type",
                "placement_provider", "reason_episode_ceased", "reason_placement_change", "home_postcode",
                "placement_postcode", "urn")}, child_id=child.id))
            kind = "looked_after_started" if e["reason_new_episode"] == "S" else "placement_changed"
            event(kind, e["start_date"], {"placement_type": e["placement_type"], "legal_status": e["legal_status"]})
        review_dates = sorted(r["review_date"] for r in reviews.get(cid, []))
        for r in reviews.get(cid, []):
            session.add(LookedAfterReview(child_id=child.id, review_date=r["review_date"],
                                          participation=r["participation"]))
            event("looked_after_review_held", r["review_date"], {"participation": r["participation"]})
        if care and care[-1]["end_date"] is None:
            stage, since = Stage.LOOKED_AFTER, care[-1]["start_date"]
            starts = [e["start_date"] for e in care if e["reason_new_episode"] == "S"]
            start = max(starts, default=care[0]["start_date"])
            after = [d for d in review_dates if d >= start]
            kind = ("looked_after_first_review" if not after else
                    "looked_after_second_review" if len(after) == 1 else "looked_after_review")
            deadlines.append(_deadline(child.id, kind, after[-1] if after else start))
        elif stage is Stage.FAMILY_HELP and not any(a["authorisation_date"] for a in assessments.get(cid, [])):
            last_referral = max(referrals[cid], key=lambda r: r["referral_id"])
            deadlines.append(_deadline(child.id, "assessment", last_referral["referral_date"]))
        for rel in relationships.get(cid, []):
            member = members.get(rel["person_id"])
            if member is None:
                continue
            relative = Person(given_name=member["given_name"] or "", family_name=member["family_name"] or "",
                              sex=member["sex"], date_of_birth=member["date_of_birth"])
            session.add(relative)
            session.flush()
            session.add(Relationship(child_id=child.id, person_id=relative.id, kind=rel["relationship"],
                                     has_parental_responsibility=bool(rel["has_parental_responsibility"]),
                                     is_significant=bool(rel["is_significant"]), start_date=rel["start_date"],
                                     end_date=rel["end_date"]))
        child.stage, child.stage_since = stage.value, since
        if stage is not Stage.CLOSED:
            rota = rotas.get(team, {})
            role = {Stage.LOOKED_AFTER: "social_worker",
                    Stage.CHILD_PROTECTION: "expert_child_protection_practitioner"}.get(stage, "key_worker")
            if role in rota:
                session.add(Allocation(child_id=child.id, user_id=next(rota[role]), role_on_case=role,
                                       start_date=since))
            if role != "key_worker" and "key_worker" in rota:
                session.add(Allocation(child_id=child.id, user_id=next(rota["key_worker"]), role_on_case="key_worker",
                                       start_date=since))
        events.sort(key=lambda e: e["occurred_on"])
        if events:
            session.execute(insert(Event), events)
        kept = [d for d in deadlines if d is not None]
        if kept:
            session.execute(insert(Deadline), kept)
        loaded += 1
    audit.append(session, SYSTEM, "import", chains=settings_chains, entity="children", detail={"children": loaded})
    return loaded


def _due(kind: str, basis: dt.date) -> dt.date | None:
    try:
        return clocks.due_date(clocks.CLOCKS[kind].parameter, basis)
    except ParameterError:  # history from before the timescale's first dated value: no deadline to show
        return None


def _deadline(child_id: int, kind: str, basis: dt.date) -> dict[str, Any] | None:
    clock = clocks.CLOCKS[kind]
    due = _due(kind, basis)
    if due is None:
        return None
    return {"child_id": child_id, "kind": kind, "due_date": due,
            "basis_date": basis, "parameter": clock.parameter, "is_cancelled": False, "met_date": None,
            "opened_by_event_id": None, "met_by_event_id": None}
