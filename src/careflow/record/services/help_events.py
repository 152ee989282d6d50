"""Events of Family Help: conversations, Family Help, assessments, allocation, advocates, the network, notes,
closing the case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from careflow.record import clocks
from careflow.record.errors import InvalidInput
from careflow.record.models import (
    Advocacy,
    Assessment,
    Child,
    Event,
    FamilyHelpEpisode,
    Person,
    Referral,
    Relationship,
)
from careflow.record.parameters import parameter
from careflow.record.pathway import Role, Stage
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import (
    S,
    allocate,
    allocated_user,
    check_code,
    close_deadlines,
    end_everything,
    handles,
    latest_referral,
    open_deadline,
    open_row,
    require_user,
    validate_date,
)

__all__ = [
    "start_referral",
]


def start_referral(ctx: Ctx, child: Child, source: str, day: dt.date, event: Event | None) -> Referral:
    """Open a CIN census episode for a first conversation; the recorder becomes key worker."""
    check_code("referral_source", source, day, "referral_source", "cin")
    last = latest_referral(ctx.session, child)
    referral = Referral(child_id=child.id, sequence=(last.sequence + 1) if last else 1, referral_date=day,
                        referral_source=source, is_no_further_action=False)
    ctx.session.add(referral)
    if ctx.role in (Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER):
        allocate(ctx, child, ctx.actor.user_id, "key_worker", day)
    return referral


@handles("conversation")
def _conversation(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    start_referral(ctx, child, form.referral_source, day, event)
    if child.team_id is None or ctx.actor.team_id is not None:
        child.team_id = ctx.actor.team_id or child.team_id
    return S.CONTACT


@handles("family_help_started")
def _family_help_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    check_code("primary_need", form.primary_need, day, "primary_need", "cin")
    referral = latest_referral(ctx.session, child)
    if referral is None:
        raise InvalidInput("Family Help needs a first conversation recorded before it")
    referral.primary_need = form.primary_need
    child.primary_need = form.primary_need
    supervisor = form.supervising_social_worker_id
    if supervisor is None and ctx.role is Role.SOCIAL_WORKER:
        supervisor = ctx.actor.user_id
    if supervisor is not None:
        require_user(ctx, supervisor, {Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER,
                                        Role.TEAM_MANAGER}, "supervising_social_worker_id")
        allocate(ctx, child, supervisor, "supervising_social_worker", day)
    key_worker = allocated_user(ctx, child, "key_worker")
    if key_worker is None and ctx.role is not Role.TEAM_MANAGER:
        key_worker = ctx.actor.user_id
        allocate(ctx, child, key_worker, "key_worker", day)
    ctx.session.add(FamilyHelpEpisode(child_id=child.id, referral_id=referral.id, start_date=day,
                                      team_id=child.team_id, key_worker_id=key_worker,
                                      supervising_social_worker_id=supervisor))
    # The Family Help assessment timescale is a dated parameter; where it is 0 (the reform removes it,
    # 001_8bebe4ae25a58006.txt:859-863) no deadline is opened.
    if parameter(clocks.CLOCKS["assessment"].parameter).at(referral.referral_date) > 0:
        open_deadline(ctx, child, "assessment", referral.referral_date, event)
    return S.FAMILY_HELP


@handles("no_further_action")
def _no_further_action(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    referral = latest_referral(ctx.session, child)
    if referral is not None:
        referral.is_no_further_action = True
        referral.closure_date = day
        referral.reason_for_closure = "RC8"
    end_everything(ctx, child, day)
    return S.CLOSED


@handles("assessment_completed")
def _assessment_completed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    for factor in form.factors:
        check_code("assessment_factors", factor, day, "factors", "cin")
    referral = latest_referral(ctx.session, child)
    start = referral.referral_date if referral else day
    ctx.session.add(Assessment(child_id=child.id, referral_id=referral.id if referral else None, start_date=start,
                               authorisation_date=day, factors=list(form.factors)))
    close_deadlines(ctx, child, ["assessment"], met_on=day, event=event)
    return None


_ROLES_ON_CASE = {
    "key_worker": {Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER},
    "supervising_social_worker": {Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER, Role.TEAM_MANAGER},
    "social_worker": {Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER},
    "expert_child_protection_practitioner": {Role.EXPERT_CHILD_PROTECTION_PRACTITIONER},
    "personal_adviser": {Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER},
}


@handles("worker_allocated")
def _worker_allocated(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    require_user(ctx, form.user_id, _ROLES_ON_CASE[form.role_on_case], "user_id")
    check_code("social_worker_change_reason", form.reason_for_change, day, "reason_for_change")
    allocate(ctx, child, form.user_id, form.role_on_case, day, reason=form.reason_for_change)
    return None


@handles("advocate_assigned")
def _advocate(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    require_user(ctx, form.advocate_id, {Role.ADVOCATE}, "advocate_id")
    current = open_row(ctx.session, Advocacy, child)
    if current is not None:
        current.end_date = day
    ctx.session.add(Advocacy(child_id=child.id, advocate_id=form.advocate_id, start_date=day))
    allocate(ctx, child, form.advocate_id, "advocate", day)
    close_deadlines(ctx, child, ["advocacy_offer"], met_on=day, event=event)
    return None


@handles("family_member_added")
def _family_member(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    if form.date_of_birth is not None:
        validate_date(ctx, form.date_of_birth, "date_of_birth")
    person = Person(given_name=form.given_name, family_name=form.family_name, date_of_birth=form.date_of_birth)
    ctx.session.add(person)
    ctx.session.flush()
    ctx.session.add(Relationship(child_id=child.id, person_id=person.id, kind=form.relationship,
                                 has_parental_responsibility=form.has_parental_responsibility, is_significant=True,
                                 start_date=day))
    event.payload = {**event.payload, "person_id": person.id}
    ctx.session.execute(update(Event).where(Event.id == event.id).values(payload=event.payload))
    return None


@handles("note_added")
def _note(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    return None


@handles("case_closed")
def _case_closed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    check_code("reason_for_closure", form.reason_for_closure, day, "reason_for_closure", "cin")
    referral = latest_referral(ctx.session, child)
    if referral is not None and referral.closure_date is None:
        validate_date(ctx, day, "occurred_on", after=referral.referral_date, after_what="the first conversation")
        referral.closure_date, referral.reason_for_closure = day, form.reason_for_closure
    end_everything(ctx, child, day)
    return S.CLOSED
