"""Export: the record's canonical tables for a collection year, and the SSDA903 and CIN census written from them
by the foundation's writers (:mod:`careflow.returns`). Nothing is typed for a return: every field is derived
from what workers recorded (RNE and REC from episode changes, legal status from orders, sex converted to the
year's codes, ethnicity "not yet obtained" where unknown).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from careflow import codes
from careflow.record.models import (
    Assessment,
    Child,
    ChildProtectionConference,
    ChildProtectionPlan,
    LookedAfterEpisode,
    LookedAfterReview,
    Person,
    PreProceedings,
    Referral,
    Section47Enquiry,
)
from careflow.record.pathway import Role
from careflow.record.services import access
from careflow.record.services.context import Ctx
from careflow.tables import CareData

__all__ = ["export_returns", "to_care_data"]

_NOT_OBTAINED = "NOBT"


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
    in_year = select(LookedAfterEpisode.child_id).where(overlaps).union(
        select(Referral.child_id).where(referral_open))
    people = session.execute(
        select(Child.la_child_id, Child.disabilities, Person.sex, Person.date_of_birth, Person.expected_date_of_birth,
               Person.ethnicity, Person.upn, Person.nhs_number)
        .join(Person, Person.id == Child.person_id).where(Child.id.in_(in_year)).order_by(Child.la_child_id)
    ).all()
    sexes: dict[str | None, str | None] = {}
    children_rows = []
    for p in people:
        if p.sex not in sexes:
            sexes[p.sex] = _sex(p.sex, year)
        children_rows.append({
            "child_id": p.la_child_id, "sex": sexes[p.sex], "date_of_birth": p.date_of_birth,
            "expected_date_of_birth": p.expected_date_of_birth if p.date_of_birth is None else None,
            "ethnicity": p.ethnicity or _NOT_OBTAINED, "upn": p.upn, "nhs_number": p.nhs_number,
            "upn_unknown": None if p.upn else ("UN6" if p.date_of_birth is None else "UN4"),
            "disabilities": list(p.disabilities or []) or None,
        })
    dob = {p.la_child_id: p.date_of_birth for p in people}
    episode_rows = [{
        "child_id": cid, "start_date": e.start_date, "reason_new_episode": e.reason_new_episode,
        "legal_status": e.legal_status, "category_of_need": e.category_of_need, "placement_type": e.placement_type,
        "placement_provider": e.placement_provider,
        "end_date": e.end_date if e.end_date is not None and e.end_date <= end else None,
        "reason_episode_ceased": e.reason_episode_ceased if e.end_date is not None and e.end_date <= end else None,
        "reason_placement_change": e.reason_placement_change, "home_postcode": e.home_postcode,
        "placement_postcode": e.placement_postcode, "urn": e.urn,
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
    for s in under(Section47Enquiry, "start_date"):
        cid, ref = referral_key[s.referral_id]
        held = s.initial_conference_date if s.initial_conference_date and s.initial_conference_date <= end else None
        enquiry_rows.append({"child_id": cid, "referral_id": ref, "enquiry_id": seq(("s", cid, ref)),
                             "start_date": s.start_date,
                             # a target after the census date is not yet due: the return holds dates up to it
                             "initial_conference_target_date": s.initial_conference_target_date
                             if s.initial_conference_target_date <= end else None,
                             "initial_conference_date": held,
                             "is_conference_not_required": bool(s.is_conference_not_required and s.end_date
                                                                and s.end_date <= end)})
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
    }
    if year >= 2026:
        tables["pre_proceedings"] = _frame(pre_rows, "pre_proceedings")
    return CareData(tables)


def export_returns(ctx: Ctx, out_dir: Path, year: int, la_code: str = "999") -> dict[str, list[Path]]:
    """Write the year's SSDA903 (CSV) and CIN census (XML) into ``out_dir`` (administrators; audited)."""
    access.require_role(ctx, frozenset({Role.ADMIN}), "export statutory returns")
    from careflow.returns import write_cin_census, write_ssda903

    data = to_care_data(ctx.session, year)
    ssda903_data = CareData({k: v for k, v in data.tables.items()
                             if k in ("looked_after_episodes", "looked_after_reviews")})
    cla_ids = set(data["looked_after_episodes"]["child_id"].to_list())
    ssda903_data["children"] = data["children"].filter(pl.col("child_id").is_in(list(cla_ids)))
    cin_ids = set(data["referrals"]["child_id"].to_list())
    cin_data = CareData({k: v for k, v in data.tables.items()
                         if k not in ("looked_after_episodes", "looked_after_reviews")})
    cin_data["children"] = data["children"].filter(pl.col("child_id").is_in(list(cin_ids)))
    out_dir.mkdir(parents=True, exist_ok=True)
    ssda903 = write_ssda903(ssda903_data, out_dir / f"ssda903_{year}", year=None)
    cin = [write_cin_census(cin_data, out_dir / f"cin_census_{year}.xml", year=year, la_code=la_code)]
    ctx.audit("export", entity="returns", detail={"year": year, "ssda903_children": len(cla_ids),
                                                  "cin_children": len(cin_ids)})
    return {"ssda903": ssda903, "cin_census": cin}
