"""Load canonical tables (a synthetic local authority, or returns read back) into the record.

Each child's history becomes records and timeline events: referrals, Family Help, assessments, enquiries, plans,
proceedings and court orders, family group decision-making meetings, Family Network Plans (with their carer from
the child's network), episodes of care and reviews. The stage, allocations and open deadlines are derived as of
``today``. Used by ``careflow serve --demo``; the load is one transaction with one audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from itertools import cycle
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from careflow.record import audit, clocks
from careflow.record.audit import SYSTEM
from careflow.record.models import (
    AdoptionPlan,
    Allocation,
    Assessment,
    CareLeaverContact,
    Child,
    ChildProtectionConference,
    ChildProtectionPlan,
    CourtOrder,
    Deadline,
    Event,
    FamilyGroupMeeting,
    FamilyHelpEpisode,
    FamilyNetworkPlan,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    PathwayPlan,
    Person,
    PreProceedings,
    PreviousPermanence,
    Proceedings,
    Referral,
    Relationship,
    Section47Enquiry,
    StrengthsDifficultiesScore,
    UnaccompaniedAsylumSeekingPeriod,
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
    help_episodes = _by_child(_rows(data, "family_help_episodes"))
    court_cases = _by_child(_rows(data, "proceedings"))
    orders = _by_child(_rows(data, "court_orders"))
    meetings = _by_child(_rows(data, "family_group_decision_meetings"))
    network_plans = _by_child(_rows(data, "family_network_plans"))
    pre_proceedings = _by_child(_rows(data, "pre_proceedings"))
    care_tables = {name: _by_child(_rows(data, name)) for name in (
        "uasc", "missing_episodes", "previous_permanence", "placed_for_adoption", "adoptions", "care_leavers",
        "looked_after_outcomes")}
    team_cycle = cycle(teams)
    rotas = {t: {k: cycle(v) for k, v in roles.items() if v} for t, roles in workers.items()}
    # a looked-after child always has a social worker (SSDA903 social worker episodes): from the team's, or any
    every_social_worker = [u for roles in workers.values() for u in roles.get("social_worker", [])]
    any_social_worker = cycle(every_social_worker) if every_social_worker else None
    loaded = 0
    first_event = session.scalar(select(func.max(Event.id))) or 0
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
                        ethnicity=child_row["ethnicity"], nhs_number=child_row["nhs_number"],
                        # the UPN, or the SSDA903 code saying why it is not known (UN1-UN5)
                        upn=child_row["upn"] or child_row.get("upn_unknown"))
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
        person_ids: dict[str, int] = {}  # the network first: a Family Network Plan names its carer among them
        for rel in relationships.get(cid, []):
            member = members.get(rel["person_id"])
            if member is None:
                continue
            relative = Person(given_name=member["given_name"] or "", family_name=member["family_name"] or "",
                              sex=member["sex"], date_of_birth=member["date_of_birth"])
            session.add(relative)
            session.flush()
            person_ids[rel["person_id"]] = relative.id
            session.add(Relationship(child_id=child.id, person_id=relative.id, kind=rel["relationship"],
                                     has_parental_responsibility=bool(rel["has_parental_responsibility"]),
                                     is_significant=bool(rel["is_significant"]), start_date=rel["start_date"],
                                     end_date=rel["end_date"]))
        if child_row.get("is_mother") and child_row.get("mothers_child_date_of_birth") is not None:
            # her own child, in her family network (the SSDA903's MOTHER and MC_DOB are derived from it)
            baby = Person(given_name=GIVEN_NAMES[(index + 7) % len(GIVEN_NAMES)], family_name=person.family_name,
                          date_of_birth=child_row["mothers_child_date_of_birth"])
            session.add(baby)
            session.flush()
            session.add(Relationship(child_id=child.id, person_id=baby.id, kind="own_child",
                                     has_parental_responsibility=False, is_significant=True,
                                     start_date=child_row["mothers_child_date_of_birth"]))
        for h in help_episodes.get(cid, []):
            sequence = _referral_at(referrals.get(cid, []), h["start_date"])
            session.add(FamilyHelpEpisode(child_id=child.id, referral_id=referral_ids.get(sequence or 0),
                                          start_date=h["start_date"], end_date=h["end_date"], team_id=team))
        stage, since = _court_and_family_network(session, child.id, court_cases.get(cid, []), orders.get(cid, []),
                                                 meetings.get(cid, []), network_plans.get(cid, []), person_ids,
                                                 event, deadlines, (stage, since))
        care = sorted(episodes.get(cid, []), key=lambda e: e["start_date"])
        for e in care:
            session.add(LookedAfterEpisode(**{k: e[k] for k in (
                "start_date", "end_date", "reason_new_episode", "legal_status", "category_of_need", "placement_type",
                "placement_provider", "reason_episode_ceased", "reason_placement_change", "home_postcode",
                "placement_postcode", "urn")}, child_id=child.id))
            kind = "looked_after_started" if e["reason_new_episode"] == "S" else "placement_changed"
            event(kind, e["start_date"], {"placement_type": e["placement_type"], "legal_status": e["legal_status"]})
        _care_records(session, child.id, child_row["date_of_birth"], care, {n: t.get(cid, []) for n, t in
                                                                           care_tables.items()}, event)
        social_worker = rotas.get(team, {}).get("social_worker") or any_social_worker
        if social_worker is not None:
            for first, last in _periods_of_care(care):
                if last is not None:  # the open period's social worker is allocated with the child's stage below
                    session.add(Allocation(child_id=child.id, user_id=next(social_worker),
                                           role_on_case="social_worker", start_date=first, end_date=last))
        for q in pre_proceedings.get(cid, []):
            session.add(PreProceedings(child_id=child.id, referral_id=referral_ids.get(q["referral_id"]),
                                       start_date=q["start_date"],
                                       letter_before_proceedings_date=q["letter_before_proceedings_date"],
                                       end_date=q["step_decision_date"], outcome=q["outcome"]))
            event("pre_proceedings_started", q["start_date"])
            if q["step_decision_date"] is None and stage is not Stage.PROCEEDINGS:
                stage, since = Stage.PRE_PROCEEDINGS, q["start_date"]
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
        child.stage, child.stage_since = stage.value, since
        if stage is not Stage.CLOSED:
            rota = dict(rotas.get(team, {}))
            if "social_worker" not in rota and any_social_worker is not None:
                rota["social_worker"] = any_social_worker
            role = {Stage.LOOKED_AFTER: "social_worker", Stage.PROCEEDINGS: "social_worker",
                    Stage.FAMILY_NETWORK: "social_worker",
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
    # The import's entry holds the SHA-256 of every event it wrote (the run of ids it took), so an event changed
    # afterwards in the database no longer matches it.
    last_event = session.scalar(select(func.max(Event.id))) or 0
    detail: dict[str, Any] = {"children": loaded}
    if last_event > first_event:
        detail["event_range"] = [first_event + 1, last_event]
    audit.append(session, SYSTEM, "import", chains=settings_chains, entity="children", detail=detail)
    return loaded


def _referral_at(rows: list[dict[str, Any]], day: dt.date) -> int | None:
    """The sequence of the referral open on ``day`` (the latest that began by then), if any."""
    open_then = [r for r in rows
                 if r["referral_date"] <= day and (r["closure_date"] is None or r["closure_date"] >= day)]
    return int(max(open_then, key=lambda r: r["referral_date"])["referral_id"]) if open_then else None


def _court_and_family_network(
    session: Session, child_id: int, court_cases: list[dict[str, Any]], orders: list[dict[str, Any]],
    meetings: list[dict[str, Any]], plans: list[dict[str, Any]], person_ids: dict[str, int],
    event: Any, deadlines: list[dict[str, Any] | None], current: tuple[Stage, dt.date],
) -> tuple[Stage, dt.date]:
    """Proceedings, court orders (each in the proceedings open on its date), family group decision-making meetings
    and Family Network Plans, with their timeline events; returns the stage they put the child at (an open Family
    Network Plan, then open proceedings, outrank child protection, as in the record's own resting stage)."""
    stage, since = current
    opened: list[tuple[Proceedings, dict[str, Any]]] = []
    for p in sorted(court_cases, key=lambda p: p["issue_date"]):
        row = Proceedings(child_id=child_id, issue_date=p["issue_date"], final_hearing_date=p["final_hearing_date"],
                          outcome=p["outcome"])
        session.add(row)
        opened.append((row, p))
        event("proceedings_issued", p["issue_date"])
    session.flush()
    for o in sorted(orders, key=lambda o: o["start_date"]):
        within = next((row for row, p in reversed(opened) if p["issue_date"] <= o["start_date"]
                       and (p["final_hearing_date"] is None or o["start_date"] <= p["final_hearing_date"])), None)
        session.add(CourtOrder(child_id=child_id, proceedings_id=within.id if within else None,
                               order_type=o["order_type"], start_date=o["start_date"], end_date=o["end_date"]))
        event("order_made", o["start_date"], {"order_type": o["order_type"]})
    for m in meetings:
        emergency = bool(m["is_emergency_exemption"])
        session.add(FamilyGroupMeeting(child_id=child_id, offered_date=m["offered_date"],
                                       meeting_date=m["meeting_date"], is_emergency_exemption=emergency,
                                       outcome=m["outcome"],
                                       emergency_reason="an emergency (imported; no reason recorded)" if emergency
                                       else None))
        if emergency and (m["offered_date"] or m["meeting_date"]):
            event("emergency_recorded", m["offered_date"] or m["meeting_date"])
        elif m["meeting_date"] is not None:
            event("family_group_meeting_held", m["meeting_date"], {"outcome": m["outcome"]})
    for n in plans:
        funding = None if n["weekly_funding_gbp"] is None else Decimal(str(round(n["weekly_funding_gbp"], 2)))
        carer = person_ids.get(str(n["carer_person_id"])) if n["carer_person_id"] is not None else None
        session.add(FamilyNetworkPlan(child_id=child_id, start_date=n["start_date"], end_date=n["end_date"],
                                      carer_person_id=carer, weekly_funding_gbp=funding))
        payload: dict[str, Any] = {"weekly_funding_gbp": None if funding is None else f"{funding:.2f}"}
        if carer is not None:
            payload["carer_person_id"] = carer
        event("family_network_plan_started", n["start_date"], payload)
        if n["end_date"] is not None:
            event("family_network_plan_ended", n["end_date"])
    open_plans = [n for n in plans if n["end_date"] is None]
    open_cases = [p for p in court_cases if p["final_hearing_date"] is None]
    if open_cases:
        issued = max(p["issue_date"] for p in open_cases)
        stage, since = Stage.PROCEEDINGS, issued
        deadlines.append(_deadline(child_id, "proceedings_end", issued))
    elif open_plans:
        stage, since = Stage.FAMILY_NETWORK, max(n["start_date"] for n in open_plans)
    return stage, since


def _care_records(session: Session, child_id: int, dob: dt.date | None, care: list[dict[str, Any]],
                  rows: dict[str, list[dict[str, Any]]], event: Any) -> None:
    """The SSDA903's other tables as the record holds them: UASC periods, missing episodes, previous permanence
    (on the period of care that began in its collection year), adoption plans (decision, match, reversal) and
    care-leaver contact on the birthday the OC3 row is about (with a pathway plan from leaving care)."""
    for u in rows["uasc"]:
        starts = [e["start_date"] for e in care if e["reason_new_episode"] == "S"]
        if starts:
            session.add(UnaccompaniedAsylumSeekingPeriod(child_id=child_id, start_date=min(starts),
                                                         end_date=u["date_uasc_ceased"]))
    for m in rows["missing_episodes"]:
        session.add(MissingEpisode(child_id=child_id, missing_type=m["missing_type"], start_date=m["start_date"],
                                   end_date=m["end_date"]))
        event("missing_started", m["start_date"], {"missing_type": "missing" if m["missing_type"] == "M"
                                                   else "away_without_authorisation"})
        if m["end_date"] is not None:
            event("missing_ended", m["end_date"])
    for q in rows["previous_permanence"]:
        year = q["collection_year"]
        began = [e["start_date"] for e in care if e["reason_new_episode"] == "S" and year is not None
                 and dt.date(year - 1, 4, 1) <= e["start_date"] <= dt.date(year, 3, 31)]
        if not began:
            continue
        when = _partial_date(q["date_of_permanence"])
        session.add(PreviousPermanence(child_id=child_id, period_start_date=max(began),
                                       permanence=q["previous_permanence"],
                                       local_authority_code=q["la_of_permanence"], permanence_date=when,
                                       is_derived=False))
    matches = {a["date_decision_to_place"]: a for a in rows["adoptions"]}
    decisions = {p["date_placed"]: p for p in rows["placed_for_adoption"]}
    for day in sorted(set(decisions) | {d for d in matches if d is not None}):
        placed, adopted = decisions.get(day, {}), matches.get(day, {})
        session.add(AdoptionPlan(
            child_id=child_id, decision_date=day, matched_date=adopted.get("date_matched"),
            number_of_adopters=adopted.get("number_of_adopters"), sex_of_adopters=adopted.get("sex_of_adopters"),
            legal_status_of_adopters=adopted.get("legal_status_of_adopters"),
            is_foster_carer_adoption=adopted.get("is_foster_care_adoption"),
            ceased_date=placed.get("date_placed_ceased"), reason_ceased=placed.get("reason_placed_ceased")))
        event("adoption_decision_made", day)
        if adopted.get("date_matched") is not None:
            event("adoption_match_made", adopted["date_matched"], {"sex_of_adopters": adopted["sex_of_adopters"]})
    for o in rows["looked_after_outcomes"]:
        year = o["collection_year"]
        if year is not None and (o["sdq_score"] is not None or o["sdq_reason"] is not None):
            # the synthetic OC2 carries no questionnaire date: the middle of its collection year stands for it
            session.add(StrengthsDifficultiesScore(child_id=child_id, assessed_date=dt.date(year - 1, 9, 30),
                                                   score=o["sdq_score"], reason_no_score=o["sdq_reason"]))
    left = [e["end_date"] for e in care if e["end_date"] is not None and e["reason_episode_ceased"] != "X1"]
    if rows["care_leavers"] and left and dob is not None:
        session.add(PathwayPlan(child_id=child_id, start_date=max(left)))
        for c in rows["care_leavers"]:
            year = c["collection_year"]
            birthdays = [clocks.add_months(dob, 12 * age) for age in range(17, 22)]
            on = next((b for b in birthdays if year is not None
                       and dt.date(year - 1, 4, 1) <= b <= dt.date(year, 3, 31)), None)
            if on is None:
                continue
            session.add(CareLeaverContact(child_id=child_id, contact_date=on, in_touch=c["in_touch"],
                                          activity=c["activity"] or "0", accommodation=c["accommodation"] or "0"))
            event("care_leaver_contact_recorded", on, {"in_touch": c["in_touch"]})


def _periods_of_care(care: list[dict[str, Any]]) -> list[tuple[dt.date, dt.date | None]]:
    """(start, end) of each period of care: from an "S" episode to an episode ending other than X1."""
    out: list[tuple[dt.date, dt.date | None]] = []
    first: dt.date | None = None
    for e in care:
        if first is None:
            first = e["start_date"]
        if e["end_date"] is None or e["reason_episode_ceased"] != "X1":
            out.append((first, e["end_date"]))
            first = None
    return out


def _partial_date(text: str | None) -> dt.date | None:
    """A DATE_PERM (DD/MM/YYYY, or zz/MM/YYYY when the day is not known: the first of the month)."""
    if not text:
        return None
    try:
        day, month, year = text.split("/")
        return dt.date(int(year), int(month), 1 if not day.isdigit() else int(day))
    except ValueError:
        return None


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
