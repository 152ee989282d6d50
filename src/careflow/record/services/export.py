"""Export: the record's canonical tables for a collection year, and the SSDA903 and CIN census written from them
by the foundation's writers (:mod:`careflow.returns`). Nothing is typed for a return: every field is derived
from what workers recorded (RNE and REC from episode changes, legal status from orders, sex converted to the
year's codes, ethnicity "not yet obtained" where unknown).

SSDA903 tables and where they come from: the header (children looked after in the year, and care leavers with a
17th to 21st birthday in it), episodes and reviews; UASC (periods as an unaccompanied asylum-seeking child, ceasing
at 18); OC2 (children looked after 12 months on 31 March: health assessments and checks, SDQ, convictions,
substance misuse in the year); OC3 (care-leaver contact around the birthday, "not in touch" when none is
recorded); AD1 and placed for adoption (adoption plans); previous permanence (said or derived at the start of a
period of care); missing episodes; social worker episodes (allocations as social worker, from 2023-24). The CIN
census adds Family Help episodes as CIN plans.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from careflow import codes
from careflow.record import clocks
from careflow.record.errors import RecordError
from careflow.record.models import (
    AdoptionPlan,
    Allocation,
    Assessment,
    CareLeaverContact,
    Child,
    ChildProtectionConference,
    ChildProtectionPlan,
    Conviction,
    FamilyHelpEpisode,
    HealthCheck,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    PathwayPlan,
    Person,
    PreProceedings,
    PreviousPermanence,
    Referral,
    Relationship,
    Section47Enquiry,
    StrengthsDifficultiesScore,
    SubstanceMisuse,
    UnaccompaniedAsylumSeekingPeriod,
    User,
)
from careflow.record.pathway import Role
from careflow.record.services import access
from careflow.record.services.context import Ctx
from careflow.tables import CareData

__all__ = ["OWN_CHILD", "SSDA903_TABLES", "Gap", "ReturnNotReady", "export_returns", "submission_gaps", "to_care_data"]

_NOT_OBTAINED = "NOBT"
#: The kind of relationship naming a child's own son or daughter (the SSDA903's MOTHER and MC_DOB come from it).
OWN_CHILD = "own_child"
_UPN_UNKNOWN = re.compile(r"^UN[1-5]$")
#: Placement codes whose URN may be XXXXXXX (not known) from 2025-26 (DfE rule 242), and codes needing no URN
#: (rule 218).
_URN_UNKNOWN_ALLOWED = frozenset({"A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"})
_NO_URN = frozenset({"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"})
#: SSDA903 SW_REASON for a child's first social worker (first contact).
_FIRST_SOCIAL_WORKER = "FCONTA"
#: The canonical tables of the SSDA903 (the rest, but for ``children``, go to the CIN census).
SSDA903_TABLES = ("looked_after_episodes", "looked_after_reviews", "uasc", "looked_after_outcomes", "care_leavers",
                  "adoptions", "placed_for_adoption", "previous_permanence", "missing_episodes",
                  "social_worker_episodes")
_ADOPTED = ("E11", "E12")
_SHORT_BREAKS = ("V3", "V4")
_CARE_LEAVER_BIRTHDAYS = (17, 18, 19, 20, 21)


def _sex(code: str | None, year: int) -> str | None:
    """The SSDA903 sex code of ``year`` for a stored code (M/F/U from 2024-25, 1/2 before)."""
    if code is None:
        return None
    if codes.is_valid("sex", code, year):
        return code
    for candidate in codes.code_list("sex", year).codes:
        if code in codes.replaced_by("sex", candidate) or candidate in codes.replaced_by("sex", code):
            return candidate
    return code


def _upn_unknown(dob: dt.date | None, year: int) -> str | None:
    """Why a child with no UPN has none, where the record shows it: unborn (UN6, CIN census only) or not yet of
    school age (UN1: the fourth birthday after 31 August before the year began, DfE rule 209); else None."""
    if dob is None:
        return "UN6"
    school_start = dt.date(year - 2, 8, 31)
    return "UN1" if clocks.add_months(dob, 48) > school_start else None


def _urn_not_known(placement: str | None, year: int) -> str | None:
    """DfE's "URN not known" (XXXXXXX) for a placement with none recorded, where the year allows it: any placement
    needing a URN up to 2024-25, foster and adoption placements from 2025-26 (rules 218, 242); else None."""
    if placement is None or placement in _NO_URN:
        return None
    return "XXXXXXX" if year < 2026 or placement in _URN_UNKNOWN_ALLOWED else None


def _frame(rows: list[dict[str, Any]], table: str) -> pl.DataFrame:
    from careflow.tables import schema

    target = schema(table)
    if not rows:
        return target.empty()
    columns = {c.name: [r.get(c.name) for r in rows] for c in target.all_columns if c.name in rows[0]}
    return target.conform(pl.DataFrame(columns, schema={k: target[k].dtype for k in columns}))


def to_care_data(session: Session, year: int) -> CareData:
    """The canonical tables of collection year ``year`` (ending 31 March): looked-after episodes and reviews
    overlapping it, and the CIN census episodes (referrals) open during it with their assessments, enquiries,
    plans and pre-proceedings."""
    start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    overlaps = and_(LookedAfterEpisode.start_date <= end,
                    or_(LookedAfterEpisode.end_date.is_(None), LookedAfterEpisode.end_date >= start))
    episodes = session.execute(
        select(LookedAfterEpisode, Child.la_child_id).join(Child, Child.id == LookedAfterEpisode.child_id)
        .where(overlaps).order_by(Child.la_child_id, LookedAfterEpisode.start_date)
    ).all()
    referral_open = and_(Referral.referral_date <= end, or_(Referral.closure_date.is_(None),
                                                            Referral.closure_date >= start))
    referrals = session.execute(
        select(Referral, Child.la_child_id).join(Child, Child.id == Referral.child_id).where(referral_open)
        .order_by(Child.la_child_id, Referral.sequence)
    ).all()
    leavers = _care_leavers(session, start, end)
    in_year = select(LookedAfterEpisode.child_id).where(overlaps).union(
        select(Referral.child_id).where(referral_open),
        select(Child.id).where(Child.id.in_(list(leavers) or [-1])))
    people = session.execute(
        select(Child.la_child_id, Child.disabilities, Person.sex, Person.date_of_birth, Person.expected_date_of_birth,
               Person.ethnicity, Person.upn, Person.nhs_number)
        .join(Person, Person.id == Child.person_id).where(Child.id.in_(in_year)).order_by(Child.la_child_id)
    ).all()
    sexes: dict[str | None, str | None] = {}
    own_children: dict[str, list[dt.date]] = {}
    for cid, born in session.execute(
        select(Child.la_child_id, Person.date_of_birth).join(Relationship, Relationship.child_id == Child.id)
        .join(Person, Person.id == Relationship.person_id)
        .where(Child.id.in_(in_year), Relationship.kind == OWN_CHILD, Person.date_of_birth <= end)
    ):
        if born is not None:
            own_children.setdefault(cid, []).append(born)
    children_rows = []
    for p in people:
        if p.sex not in sexes:
            sexes[p.sex] = _sex(p.sex, year)
        recorded_code = p.upn if p.upn and _UPN_UNKNOWN.match(p.upn) else None
        upn = None if recorded_code else p.upn
        female = sexes[p.sex] in ("2", "F")
        births = own_children.get(p.la_child_id, [])
        children_rows.append({
            "child_id": p.la_child_id, "sex": sexes[p.sex], "date_of_birth": p.date_of_birth,
            "expected_date_of_birth": p.expected_date_of_birth if p.date_of_birth is None else None,
            "ethnicity": p.ethnicity or _NOT_OBTAINED, "upn": upn, "nhs_number": p.nhs_number,
            "upn_unknown": None if upn else (recorded_code or _upn_unknown(p.date_of_birth, year)),
            "disabilities": list(p.disabilities or []) or None,
            # SSDA903 MOTHER and MC_DOB, from her own children in her family network (girls only)
            "is_mother": bool(births) if female else None,
            "mothers_child_date_of_birth": min(births) if births else None,
        })
    dob = {p.la_child_id: p.date_of_birth for p in people}
    sex_of = {row["child_id"]: row["sex"] for row in children_rows}
    episode_rows = [{
        "child_id": cid, "start_date": e.start_date, "reason_new_episode": e.reason_new_episode,
        "legal_status": e.legal_status, "category_of_need": e.category_of_need, "placement_type": e.placement_type,
        "placement_provider": e.placement_provider,
        "end_date": e.end_date if e.end_date is not None and e.end_date <= end else None,
        "reason_episode_ceased": e.reason_episode_ceased if e.end_date is not None and e.end_date <= end else None,
        "reason_placement_change": e.reason_placement_change, "home_postcode": e.home_postcode,
        "placement_postcode": e.placement_postcode, "urn": e.urn or _urn_not_known(e.placement_type, year),
    } for e, cid in episodes]
    reviews = session.execute(
        select(LookedAfterReview, Child.la_child_id).join(Child, Child.id == LookedAfterReview.child_id)
        .where(LookedAfterReview.child_id.in_(select(LookedAfterEpisode.child_id).where(overlaps)),
               LookedAfterReview.review_date.between(start, end))
    ).all()
    review_rows = [{"child_id": cid, "date_of_birth": dob.get(cid), "review_date": r.review_date,
                    "participation": r.participation} for r, cid in reviews]
    referral_key = {r.id: (cid, r.sequence) for r, cid in referrals}
    referral_rows = []
    for r, cid in referrals:
        closed = r.closure_date is not None and r.closure_date <= end
        referral_rows.append({
            "child_id": cid, "referral_id": r.sequence, "referral_date": r.referral_date,
            "referral_source": r.referral_source, "primary_need": r.primary_need or "N0",
            "closure_date": r.closure_date if closed else None,
            "reason_for_closure": r.reason_for_closure if closed else None,
            "is_no_further_action": r.is_no_further_action,
        })

    def under(model: Any, date_column: str) -> list[Any]:
        if not referral_key:
            return []
        column = getattr(model, date_column)
        return list(session.scalars(
            select(model).join(Referral, Referral.id == model.referral_id).where(referral_open, column <= end)
            .order_by(model.id)
        ))

    sequence: dict[tuple[str, Any], int] = {}

    def seq(key: tuple[Any, ...]) -> int:
        sequence[key] = sequence.get(key, 0) + 1
        return sequence[key]

    assessment_rows = []
    for a in under(Assessment, "start_date"):
        cid, ref = referral_key[a.referral_id]
        done = a.authorisation_date if a.authorisation_date and a.authorisation_date <= end else None
        assessment_rows.append({"child_id": cid, "referral_id": ref, "assessment_id": seq(("a", cid, ref)),
                                "start_date": a.start_date, "authorisation_date": done,
                                "factors": (list(a.factors) or None) if done else None})
    enquiry_rows = []
    closed_by = {r.id: r.closure_date for r, _ in referrals if r.closure_date is not None and r.closure_date <= end}
    for s in under(Section47Enquiry, "start_date"):
        cid, ref = referral_key[s.referral_id]
        held = s.initial_conference_date if s.initial_conference_date and s.initial_conference_date <= end else None
        # an enquiry that ended, or whose episode closed, with no conference held did not need one (DfE rule 8868)
        concluded = (s.end_date is not None and s.end_date <= end) or s.referral_id in closed_by
        enquiry_rows.append({"child_id": cid, "referral_id": ref, "enquiry_id": seq(("s", cid, ref)),
                             "start_date": s.start_date,
                             # a target after the census date is not yet due: the return holds dates up to it
                             "initial_conference_target_date": s.initial_conference_target_date
                             if s.initial_conference_target_date <= end else None,
                             "initial_conference_date": held,
                             "is_conference_not_required": held is None and concluded})
    plan_rows = []
    cp_plans = under(ChildProtectionPlan, "start_date")
    reviews_of: dict[int, list[dt.date]] = {}
    previous: dict[int, int] = {}
    if cp_plans:
        plans_in_year = (select(ChildProtectionPlan.id).join(Referral, Referral.id == ChildProtectionPlan.referral_id)
                         .where(referral_open))
        for plan_id, day in session.execute(
            select(ChildProtectionConference.plan_id, ChildProtectionConference.conference_date).where(
                ChildProtectionConference.plan_id.in_(plans_in_year), ChildProtectionConference.kind == "review",
                ChildProtectionConference.conference_date <= end)
        ):
            reviews_of.setdefault(int(plan_id or 0), []).append(day)
        starts: dict[int, list[dt.date]] = {}
        children_with_plans = select(ChildProtectionPlan.child_id).where(ChildProtectionPlan.id.in_(plans_in_year))
        for child_id, day in session.execute(
            select(ChildProtectionPlan.child_id, ChildProtectionPlan.start_date).where(
                ChildProtectionPlan.child_id.in_(children_with_plans))
        ):
            starts.setdefault(child_id, []).append(day)
        previous = {p.id: sum(d < p.start_date for d in starts[p.child_id]) for p in cp_plans}  # derived, not typed
    for p in cp_plans:
        cid, ref = referral_key[p.referral_id]
        plan_rows.append({"child_id": cid, "referral_id": ref, "plan_id": seq(("p", cid, ref)),
                          "start_date": p.start_date,
                          "end_date": p.end_date if p.end_date and p.end_date <= end else None,
                          "initial_category_of_abuse": p.initial_category_of_abuse,
                          "latest_category_of_abuse": p.latest_category_of_abuse,
                          "review_dates": sorted(reviews_of.get(p.id, [])) or None,
                          "number_of_previous_plans": previous[p.id]})
    cin_plan_rows = []
    for h in under(FamilyHelpEpisode, "start_date"):  # Family Help is the reformed child in need plan
        cid, ref = referral_key[h.referral_id]
        cin_plan_rows.append({"child_id": cid, "referral_id": ref, "plan_id": seq(("h", cid, ref)),
                              "start_date": h.start_date,
                              "end_date": h.end_date if h.end_date and h.end_date <= end else None})
    pre_rows = []
    for q in under(PreProceedings, "start_date"):
        cid, ref = referral_key[q.referral_id]
        pre_rows.append({"child_id": cid, "referral_id": ref, "pre_proceedings_id": seq(("q", cid, ref)),
                         "start_date": q.start_date,
                         "letter_before_proceedings_date": q.letter_before_proceedings_date})
    tables = {
        "children": _frame(children_rows, "children"),
        "looked_after_episodes": _frame(episode_rows, "looked_after_episodes"),
        "looked_after_reviews": _frame(review_rows, "looked_after_reviews"),
        "referrals": _frame(referral_rows, "referrals"),
        "assessments": _frame(assessment_rows, "assessments"),
        "section47_enquiries": _frame(enquiry_rows, "section47_enquiries"),
        "child_protection_plans": _frame(plan_rows, "child_protection_plans"),
        "child_in_need_plans": _frame(cin_plan_rows, "child_in_need_plans"),
    }
    looked_after = select(LookedAfterEpisode.child_id).where(overlaps)
    care = _Care(session, year, looked_after, dob, sex_of, leavers)
    tables.update({
        "uasc": _frame(care.uasc(), "uasc"),
        "looked_after_outcomes": _frame(care.outcomes(), "looked_after_outcomes"),
        "care_leavers": _frame(care.care_leavers(), "care_leavers"),
        "adoptions": _frame(care.adoptions(), "adoptions"),
        "placed_for_adoption": _frame(care.placed_for_adoption(), "placed_for_adoption"),
        "previous_permanence": _frame(care.previous_permanence(), "previous_permanence"),
        "missing_episodes": _frame(care.missing_episodes(), "missing_episodes"),
    })
    if year >= 2024:  # social worker episodes are collected from 2023-24
        tables["social_worker_episodes"] = _frame(care.social_worker_episodes(), "social_worker_episodes")
    if year >= 2026:
        tables["pre_proceedings"] = _frame(pre_rows, "pre_proceedings")
    return CareData(tables)


def _care_leavers(session: Session, start: dt.date, end: dt.date) -> set[int]:
    """Children who left care as care leavers (a pathway plan, the last episode ended at 16 or over, not adopted)
    and have a 17th to 21st birthday in the year: the SSDA903 OC3 cohort."""
    earliest = dt.date(start.year - max(_CARE_LEAVER_BIRTHDAYS) - 1, 1, 1)
    latest = dt.date(end.year - min(_CARE_LEAVER_BIRTHDAYS) + 1, 12, 31)
    candidates = session.execute(
        select(Child.id, Person.date_of_birth).join(Person, Person.id == Child.person_id)
        .where(Child.id.in_(select(PathwayPlan.child_id)), Person.date_of_birth.between(earliest, latest))
    ).all()
    if not candidates:
        return set()
    last_episode: dict[int, tuple[dt.date | None, str | None]] = {}
    for child_id, end_date, reason in session.execute(
        select(LookedAfterEpisode.child_id, LookedAfterEpisode.end_date, LookedAfterEpisode.reason_episode_ceased)
        .where(LookedAfterEpisode.child_id.in_([c for c, _ in candidates])).order_by(LookedAfterEpisode.start_date)
    ):
        last_episode[child_id] = (end_date, reason)
    out = set()
    for child_id, dob in candidates:
        left, reason = last_episode.get(child_id, (None, None))
        if dob is None or left is None or reason in _ADOPTED or clocks.age_on(dob, left) < 16:
            continue
        if any(start <= clocks.add_months(dob, 12 * age) <= end and clocks.add_months(dob, 12 * age) > left
               for age in _CARE_LEAVER_BIRTHDAYS):
            out.add(child_id)
    return out


class _Care:
    """The SSDA903 tables beyond episodes and reviews, for the children looked after in a collection year."""

    def __init__(self, session: Session, year: int, looked_after: Any, dob: dict[str, dt.date | None],
                 sex: dict[str, str | None], leavers: set[int]) -> None:
        self.session, self.year = session, year
        self.start, self.end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        self.looked_after, self.dob, self.sex, self.leavers = looked_after, dob, sex, leavers

    def _rows(self, model: Any, *where: Any, order: Any = None) -> list[tuple[Any, str]]:
        """``model`` rows of the year's looked-after children, with the child's LA identifier."""
        query = (select(model, Child.la_child_id).join(Child, Child.id == model.child_id)
                 .where(model.child_id.in_(self.looked_after), *where).order_by(Child.la_child_id, order or model.id))
        return [(row, cid) for row, cid in self.session.execute(query).all()]

    def _in_year(self, day: dt.date | None) -> dt.date | None:
        return day if day is not None and day <= self.end else None

    def uasc(self) -> list[dict[str, Any]]:
        """One row per child who was an unaccompanied asylum-seeking child in the year; DUC once status ceased."""
        out: dict[str, dict[str, Any]] = {}
        for period, cid in self._rows(UnaccompaniedAsylumSeekingPeriod,
                                      UnaccompaniedAsylumSeekingPeriod.start_date <= self.end,
                                      order=UnaccompaniedAsylumSeekingPeriod.start_date):
            dob = self.dob.get(cid)
            ceased = period.end_date
            if dob is not None:  # the status ends at 18 at the latest
                eighteen = clocks.add_months(dob, 12 * 18)
                ceased = min(ceased, eighteen) if ceased is not None else eighteen
            if ceased is not None and ceased < self.start:
                continue
            out[cid] = {"child_id": cid, "sex": self.sex.get(cid), "date_of_birth": dob,
                        "date_uasc_ceased": self._in_year(ceased)}
        return list(out.values())

    def _outcome_cohort(self) -> dict[int, str]:
        """Children looked after on 31 March, continuously for 12 months or more (not on short breaks)."""
        year_before = dt.date(self.year - 1, 3, 31)
        open_at_end = (select(LookedAfterEpisode.child_id)
                       .where(LookedAfterEpisode.start_date <= self.end,
                              or_(LookedAfterEpisode.end_date.is_(None), LookedAfterEpisode.end_date > self.end),
                              LookedAfterEpisode.legal_status.not_in(_SHORT_BREAKS)))
        starts = self.session.execute(
            select(LookedAfterEpisode.child_id, Child.la_child_id, LookedAfterEpisode.start_date)
            .join(Child, Child.id == LookedAfterEpisode.child_id)
            .where(LookedAfterEpisode.child_id.in_(open_at_end), LookedAfterEpisode.reason_new_episode == "S",
                   LookedAfterEpisode.start_date <= self.end)
        ).all()
        period_start: dict[int, tuple[dt.date, str]] = {}
        for child_id, cid, day in starts:  # the period of care began at its latest "S" episode
            if child_id not in period_start or day > period_start[child_id][0]:
                period_start[child_id] = (day, cid)
        return {child_id: cid for child_id, (day, cid) in period_start.items() if day <= year_before}

    def outcomes(self) -> list[dict[str, Any]]:
        """OC2: health, development, offending and substance misuse of the year's 12-month cohort."""
        cohort = self._outcome_cohort()
        if not cohort:
            return []
        ids = list(cohort)
        checks: dict[tuple[int, str], list[Any]] = {}
        for check in self.session.scalars(select(HealthCheck).where(HealthCheck.child_id.in_(ids),
                                                                    HealthCheck.check_date <= self.end)
                                          .order_by(HealthCheck.check_date, HealthCheck.id)):
            checks.setdefault((check.child_id, check.kind), []).append(check)
        scores: dict[int, StrengthsDifficultiesScore] = {}
        for questionnaire in self.session.scalars(select(StrengthsDifficultiesScore).where(
                StrengthsDifficultiesScore.child_id.in_(ids),
                StrengthsDifficultiesScore.assessed_date.between(self.start, self.end))
                .order_by(StrengthsDifficultiesScore.assessed_date, StrengthsDifficultiesScore.id)):
            scores[questionnaire.child_id] = questionnaire  # the latest in the year wins
        convicted = set(self.session.scalars(select(Conviction.child_id).where(
            Conviction.child_id.in_(ids), Conviction.conviction_date.between(self.start, self.end))))
        misuse: dict[int, list[SubstanceMisuse]] = {}
        for identified in self.session.scalars(select(SubstanceMisuse).where(
                SubstanceMisuse.child_id.in_(ids), SubstanceMisuse.identified_date.between(self.start, self.end))):
            misuse.setdefault(identified.child_id, []).append(identified)

        def held_in_year(child_id: int, kind: str) -> bool:
            return any(c.check_date >= self.start for c in checks.get((child_id, kind), []))

        rows = []
        for child_id, cid in sorted(cohort.items(), key=lambda item: item[1]):
            dob = self.dob.get(cid)
            age = clocks.age_on(dob, self.end) if dob is not None else None
            assessments = checks.get((child_id, "health_assessment"), [])
            score = scores.get(child_id)
            sdq_score = sdq_reason = None
            if age is not None and age < 4:
                pass  # under 4 on 31 March: no score and no reason (DfE rule 188)
            elif score is not None:
                sdq_score, sdq_reason = score.score, score.reason_no_score
            elif age is not None and age > 16:
                sdq_reason = "SDQ1"  # derived: aged out of the questionnaire's range
            found = misuse.get(child_id, [])
            rows.append({
                "child_id": cid, "date_of_birth": dob, "sdq_score": sdq_score, "sdq_reason": sdq_reason,
                "is_convicted": (child_id in convicted) if age is None or age >= 10 else None,
                "has_health_check": held_in_year(child_id, "development_check") if age is not None and age < 5
                else None,
                "has_immunisations": bool(assessments and assessments[-1].is_immunisations_up_to_date),
                "has_teeth_check": held_in_year(child_id, "dental_check"),
                "has_health_assessment": held_in_year(child_id, "health_assessment"),
                "has_substance_misuse": bool(found),
                "is_intervention_received": any(f.is_intervention_received for f in found) if found else None,
                "is_intervention_offered": any(f.is_intervention_offered for f in found) if found else None,
            })
        return rows

    def care_leavers(self) -> list[dict[str, Any]]:
        """OC3: for each care leaver with a 17th to 21st birthday in the year, the contact from three months before
        to one month after it (the latest); none recorded means the authority was not in touch."""
        if not self.leavers:
            return []
        people = dict(self.session.execute(select(Child.id, Child.la_child_id)
                                           .where(Child.id.in_(list(self.leavers)))).all())
        contacts: dict[int, list[CareLeaverContact]] = {}
        for contact in self.session.scalars(select(CareLeaverContact)
                                            .where(CareLeaverContact.child_id.in_(list(self.leavers)))
                                            .order_by(CareLeaverContact.contact_date, CareLeaverContact.id)):
            contacts.setdefault(contact.child_id, []).append(contact)
        rows = []
        for child_id, cid in sorted(people.items(), key=lambda item: item[1]):
            dob = self.dob.get(cid)
            if dob is None:
                continue
            birthday = next(b for b in (clocks.add_months(dob, 12 * a) for a in _CARE_LEAVER_BIRTHDAYS)
                            if self.start <= b <= self.end)
            window = (clocks.add_months(birthday, -3), clocks.add_months(birthday, 1))
            near = [c for c in contacts.get(child_id, []) if window[0] <= c.contact_date <= window[1]]
            last = near[-1] if near else None
            rows.append({"child_id": cid, "date_of_birth": dob,
                         "in_touch": last.in_touch if last else "NO",
                         "activity": last.activity if last else "0",
                         "accommodation": last.accommodation if last else "0"})
        return rows

    def adoptions(self) -> list[dict[str, Any]]:
        """AD1: children adopted in the year (episode ceased E11 or E12), from their adoption plan."""
        adopted = (select(LookedAfterEpisode.child_id)
                   .where(LookedAfterEpisode.reason_episode_ceased.in_(_ADOPTED),
                          LookedAfterEpisode.end_date.between(self.start, self.end)))
        out: dict[str, dict[str, Any]] = {}
        for plan, cid in self._rows(AdoptionPlan, AdoptionPlan.child_id.in_(adopted),
                                    AdoptionPlan.matched_date.is_not(None), order=AdoptionPlan.decision_date):
            out[cid] = {"child_id": cid, "date_of_birth": self.dob.get(cid),
                        "date_decision_to_place": plan.decision_date, "date_matched": plan.matched_date,
                        "is_foster_care_adoption": plan.is_foster_carer_adoption,
                        "number_of_adopters": plan.number_of_adopters, "sex_of_adopters": plan.sex_of_adopters,
                        "legal_status_of_adopters": plan.legal_status_of_adopters}
        return list(out.values())

    def placed_for_adoption(self) -> list[dict[str, Any]]:
        """Decisions that a child should be placed for adoption in force during the year, and any reversal."""
        out: dict[tuple[str, dt.date], dict[str, Any]] = {}
        for plan, cid in self._rows(AdoptionPlan, AdoptionPlan.decision_date <= self.end,
                                    or_(AdoptionPlan.ceased_date.is_(None), AdoptionPlan.ceased_date >= self.start),
                                    order=AdoptionPlan.decision_date):
            ceased = self._in_year(plan.ceased_date)
            out[(cid, plan.decision_date)] = {
                "child_id": cid, "date_of_birth": self.dob.get(cid), "date_placed": plan.decision_date,
                "date_placed_ceased": ceased, "reason_placed_ceased": plan.reason_ceased if ceased else None}
        return list(out.values())

    def previous_permanence(self) -> list[dict[str, Any]]:
        """For children whose period of care began in the year: permanence before it (P4, unknown, if unsaid)."""
        out: dict[str, dict[str, Any]] = {}
        for row, cid in self._rows(PreviousPermanence,
                                   PreviousPermanence.period_start_date.between(self.start, self.end),
                                   order=PreviousPermanence.period_start_date):
            code = row.permanence or "P4"
            when = row.permanence_date
            out[cid] = {"child_id": cid, "date_of_birth": self.dob.get(cid), "previous_permanence": code,
                        "la_of_permanence": row.local_authority_code,
                        "date_of_permanence": when.strftime("%d/%m/%Y") if when is not None else None}
        return list(out.values())

    def missing_episodes(self) -> list[dict[str, Any]]:
        """Missing and away-without-authorisation episodes overlapping the year (open ones without an end)."""
        out: dict[tuple[str, dt.date, str], dict[str, Any]] = {}
        for episode, cid in self._rows(MissingEpisode, MissingEpisode.start_date <= self.end,
                                       or_(MissingEpisode.end_date.is_(None), MissingEpisode.end_date >= self.start),
                                       order=MissingEpisode.start_date):
            out[(cid, episode.start_date, episode.missing_type)] = {
                "child_id": cid, "date_of_birth": self.dob.get(cid), "missing_type": episode.missing_type,
                "start_date": episode.start_date, "end_date": self._in_year(episode.end_date)}
        return list(out.values())

    def social_worker_episodes(self) -> list[dict[str, Any]]:
        """Allocations as social worker overlapping the year; SW_ID is the Social Work England registration number
        (the user's record id where none is held), SW_REASON why the allocation ended."""
        rows = self.session.execute(
            select(Allocation, Child.la_child_id, User.registration_number)
            .join(Child, Child.id == Allocation.child_id).join(User, User.id == Allocation.user_id)
            .where(Allocation.child_id.in_(self.looked_after), Allocation.role_on_case == "social_worker",
                   Allocation.start_date <= self.end,
                   or_(Allocation.end_date.is_(None), Allocation.end_date >= self.start))
            .order_by(Child.la_child_id, Allocation.start_date, Allocation.id)
        ).all()
        # One episode per spell with one social worker (overlapping or touching allocations of the same worker are
        # one). SW_DEC is the day the social worker changed: the child's latest episode stays open (DfE rule
        # SW17STG2). SW_REASON is why the episode began: the reason given when the previous social worker changed
        # (held on that allocation), or FCONTA (first contact) for a first social worker (SW10bSTG2, SW13STG1).
        spells: dict[str, list[dict[str, Any]]] = {}
        for allocation, cid, number in rows:
            worker = number or str(allocation.user_id)
            mine = spells.setdefault(cid, [])
            last = mine[-1] if mine else None
            if last is not None and (last["end"] is None or allocation.start_date <= last["end"]):
                if last["worker"] == worker:
                    if last["end"] is not None:
                        last["end"] = None if allocation.end_date is None else max(last["end"], allocation.end_date)
                        last["end_reason"] = allocation.end_reason
                    continue
                if allocation.start_date == last["start"]:
                    continue  # replaced the same day: not an episode
                last["end"] = allocation.start_date
            mine.append({"worker": worker, "start": allocation.start_date, "end": allocation.end_date,
                         "end_reason": allocation.end_reason})
        out: list[dict[str, Any]] = []
        for cid, mine in spells.items():
            for i, spell in enumerate(mine):
                previous = mine[i - 1] if i else None
                changed = previous is not None and abs((spell["start"] - previous["end"]).days) <= 7
                out.append({
                    "child_id": cid, "date_of_birth": self.dob.get(cid), "social_worker_id": spell["worker"],
                    "start_date": spell["start"],
                    "end_date": self._in_year(spell["end"]) if i < len(mine) - 1 else None,
                    "reason": (previous["end_reason"] if previous is not None and changed
                               else _FIRST_SOCIAL_WORKER)})
        return out


class ReturnNotReady(RecordError):
    """The record lacks what DfE's rules require of the year's returns: ``gaps`` says which children lack what."""

    status = 409

    def __init__(self, year: int, gaps: list[Gap]) -> None:
        shown = "; ".join(str(g) for g in gaps[:5]) + (f"; and {len(gaps) - 5} more" if len(gaps) > 5 else "")
        super().__init__(f"the {year - 1}-{year % 100:02d} returns would fail DfE's rules: {len(gaps)} thing(s) to "
                         f"record first: {shown}", gaps=[g.as_dict() for g in gaps])
        self.gaps = gaps


@dataclass(frozen=True)
class Gap:
    """Something a child's record lacks that a return needs, with what to record and DfE's rules it would fail."""

    child_id: str
    collection: str
    field: str
    needed: str
    rules: str

    def __str__(self) -> str:
        return f"child {self.child_id}: {self.field}: {self.needed} ({self.collection} rule {self.rules})"

    def as_dict(self) -> dict[str, str]:
        return {"child_id": self.child_id, "collection": self.collection, "field": self.field,
                "needed": self.needed, "rules": self.rules}


def _ssda903(data: CareData) -> CareData:
    """The SSDA903 tables of the year, its header of the children looked after and the care leavers."""
    out = CareData({k: v for k, v in data.tables.items() if k in SSDA903_TABLES})
    looked_after = data["looked_after_episodes"]["child_id"].unique().to_list()
    ids = set(looked_after) | set(data["care_leavers"]["child_id"])
    out["children"] = data["children"].filter(pl.col("child_id").is_in(list(ids))).with_columns(
        # the SSDA903's UPN field carries why a UPN is not known (UN1-UN5)
        pl.coalesce("upn", pl.when(pl.col("upn_unknown") != "UN6").then(pl.col("upn_unknown"))).alias("upn"),
        pl.lit(None, dtype=pl.String).alias("upn_unknown"),
        # MOTHER for the children looked after in the year only (a care leaver's header carries none)
        *[pl.when(pl.col("child_id").is_in(looked_after)).then(pl.col(c)).alias(c)
          for c in ("is_mother", "mothers_child_date_of_birth")])
    return out


def _gaps(ssda903: CareData, year: int) -> list[Gap]:
    """What the year's SSDA903 needs that the record does not hold (the CIN census is filled from the record)."""
    start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    gaps: list[Gap] = []
    episodes_in_year = ssda903["looked_after_episodes"]
    cared = episodes_in_year.filter(~pl.col("legal_status").is_in(list(_SHORT_BREAKS)))["child_id"].unique()
    # a UPN (or why it is not known) for each child looked after other than on short breaks (rule 442)
    for cid in ssda903["children"].filter(pl.col("upn").is_null() & pl.col("child_id").is_in(cared.to_list()))[
            "child_id"].to_list():
        gaps.append(Gap(cid, "SSDA903", "UPN", "the child's unique pupil number, or why it is not known (UN2-UN5)",
                        "442"))
    for row in ssda903["looked_after_outcomes"].iter_rows(named=True):
        dob = row["date_of_birth"]
        if row["sdq_score"] is None and row["sdq_reason"] is None and (dob is None or clocks.age_on(dob, end) >= 4):
            gaps.append(Gap(row["child_id"], "SSDA903", "SDQ", "a strengths and difficulties questionnaire score "
                            "in the year, or why none was completed (SDQ2-SDQ5)", "186/197B"))
    for row in ssda903["looked_after_episodes"].iter_rows(named=True):
        code, urn = row["placement_type"], row["urn"]
        if code in _NO_URN or (row["end_date"] is not None and row["end_date"] <= dt.date(2015, 3, 31)):
            continue
        if urn is None or (year >= 2026 and urn == "XXXXXXX" and code not in _URN_UNKNOWN_ALLOWED):
            gaps.append(Gap(row["child_id"], "SSDA903", "URN", f"the Ofsted URN of the {code} placement from "
                            f"{row['start_date'].isoformat()}", "218/242"))
    if year >= 2024:
        workers = ssda903["social_worker_episodes"]
        for row in workers.iter_rows(named=True):
            if not str(row["social_worker_id"] or "").upper().startswith(("SW", "XX")):
                gaps.append(Gap(row["child_id"], "SSDA903", "SW_ID", "the Social Work England registration number "
                                f"of the child's social worker (user {row['social_worker_id']}) from "
                                f"{row['start_date'].isoformat()}", "SW02STG1"))
        for row in workers.filter(pl.col("reason").is_null()).iter_rows(named=True):
            gaps.append(Gap(row["child_id"], "SSDA903", "SW_REASON", "why the social worker changed on "
                            f"{row['start_date'].isoformat()}", "SW13STG1"))
        covered = set(workers["child_id"].to_list())
        episodes = ssda903["looked_after_episodes"].filter(
            pl.col("end_date").is_null() | (pl.col("end_date") >= start))
        for cid in sorted(set(episodes["child_id"].to_list()) - covered):
            gaps.append(Gap(cid, "SSDA903", "social worker", "the child's social worker while looked after in the "
                            "year (an allocation as social worker)", "SW12STG2"))
    return sorted(gaps, key=lambda g: (g.child_id, g.field))


def submission_gaps(ctx: Ctx, year: int) -> list[Gap]:
    """Before the returns are written: which children lack what DfE's rules require (administrators; audited)."""
    access.require_role(ctx, frozenset({Role.ADMIN}), "check statutory returns")
    gaps = _gaps(_ssda903(to_care_data(ctx.session, year)), year)
    ctx.audit("export_check", entity="returns", detail={"year": year, "gaps": len(gaps)})
    return gaps


def export_returns(ctx: Ctx, out_dir: Path, year: int, la_code: str | None = None, *,
                   allow_gaps: bool = False) -> dict[str, list[Path]]:
    """Write the year's SSDA903 (CSV) and CIN census (XML) into ``out_dir`` (administrators; audited).

    ``la_code`` (the DfE three-digit number in the CIN census header) defaults to the settings' ``la_code``.
    Where the record lacks what DfE's rules require (:func:`submission_gaps`), nothing is written and
    :class:`ReturnNotReady` lists which children lack what, unless ``allow_gaps`` (a draft return that will fail).
    """
    access.require_role(ctx, frozenset({Role.ADMIN}), "export statutory returns")
    from careflow.returns import write_cin_census, write_ssda903
    from careflow.returns.cin import census_year

    la_code = la_code or ctx.settings.la_code
    data = to_care_data(ctx.session, year)
    ssda903_data = _ssda903(data)
    gaps = _gaps(ssda903_data, year)
    if gaps and not allow_gaps:
        ctx.audit("export_refused", entity="returns", detail={"year": year, "gaps": len(gaps)})
        raise ReturnNotReady(year, gaps)
    cla_ids = set(ssda903_data["children"]["child_id"].to_list())
    cin_ids = set(data["referrals"]["child_id"].to_list())
    # the census holds what DfE's specification says the year holds (Family Help under a child protection plan is
    # not a CIN plan at the same time, and so on: careflow.returns.cin.census_year)
    cin_data = census_year(CareData({k: v for k, v in data.tables.items() if k not in SSDA903_TABLES}), year)
    cin_data["children"] = (data["children"].filter(pl.col("child_id").is_in(list(cin_ids)))
                            .with_columns(pl.lit(None, dtype=pl.String).alias("nhs_number"),  # not in the census
                                          pl.lit(None, dtype=pl.Boolean).alias("is_mother"),
                                          pl.lit(None, dtype=pl.Date).alias("mothers_child_date_of_birth"),
                                          # a child with neither a UPN nor a known reason: new to the LA (UN4)
                                          pl.when(pl.col("upn").is_null())
                                          .then(pl.coalesce("upn_unknown", pl.lit("UN4")))
                                          .alias("upn_unknown")))
    out_dir.mkdir(parents=True, exist_ok=True)
    ssda903 = write_ssda903(ssda903_data, out_dir / f"ssda903_{year}", year=None)
    cin = [write_cin_census(cin_data, out_dir / f"cin_census_{year}.xml", year=year, la_code=la_code)]
    ctx.audit("export", entity="returns", detail={"year": year, "ssda903_children": len(cla_ids),
                                                  "cin_children": len(cin_ids), "gaps": len(gaps)})
    return {"ssda903": ssda903, "cin_census": cin}
