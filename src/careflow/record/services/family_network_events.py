"""Events of family group decision making and Family Network Plans (001_8bebe4ae25a58006.txt:1854-1931).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from careflow.record.errors import InvalidInput
from careflow.record.models import (
    Child,
    ChildProtectionPlan,
    Event,
    FamilyGroupMeeting,
    FamilyNetworkPlan,
    PreProceedings,
    Relationship,
)
from careflow.record.pathway import Stage
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import (
    CP_CLOCKS,
    S,
    close_deadlines,
    end_plan,
    handles,
    offer_advocacy,
    open_deadline,
    open_row,
    resting_stage,
    validate_date,
)

__all__: list[str] = []


@handles("family_group_meeting_held")
def _fgdm(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    offered = form.offered_on or day
    validate_date(ctx, offered, "offered_on", child=child)
    if offered > day:
        raise InvalidInput("offered_on is after the meeting took place", "offered_on")
    ctx.session.add(FamilyGroupMeeting(child_id=child.id, offered_date=offered, meeting_date=day,
                                       is_emergency_exemption=False, outcome=form.outcome,
                                       possible_foster_carers=form.possible_foster_carers))
    offer_advocacy(ctx, child, day, event)
    return None


@handles("emergency_recorded")
def _emergency(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    ctx.session.add(FamilyGroupMeeting(child_id=child.id, offered_date=day, is_emergency_exemption=True,
                                       emergency_reason=form.reason, outcome="none"))
    return None


@handles("family_network_plan_started")
def _fnp_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    in_network = ctx.session.scalar(
        select(Relationship.id).where(Relationship.child_id == child.id,
                                      Relationship.person_id == form.carer_person_id).limit(1)
    )
    if in_network is None:
        raise InvalidInput("Carer: the person chosen is not in this child's family network; add them to the network "
                           "first", "carer_person_id")
    if form.planned_end_on is not None and form.planned_end_on <= day:
        raise InvalidInput("Planned end: the plan's planned end must be after it starts", "planned_end_on")
    if open_row(ctx.session, ChildProtectionPlan, child) is not None:
        end_plan(ctx, child, ChildProtectionPlan, day, "child protection plan")
        close_deadlines(ctx, child, CP_CLOCKS, met_on=None, event=event)
    pre = open_row(ctx.session, PreProceedings, child)
    if pre is not None:
        pre.end_date, pre.outcome = day, "family_network_plan"
    ctx.session.add(FamilyNetworkPlan(child_id=child.id, start_date=day, carer_person_id=form.carer_person_id,
                                      weekly_funding_gbp=form.weekly_funding_gbp, purpose=form.purpose,
                                      success_measures=form.success_measures, planned_end_date=form.planned_end_on,
                                      accommodation=form.accommodation, monitoring=form.monitoring))
    open_deadline(ctx, child, "family_network_plan_review", day, event)
    return S.FAMILY_NETWORK


@handles("family_network_plan_reviewed")
def _fnp_reviewed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = open_row(ctx.session, FamilyNetworkPlan, child)
    if plan is None:
        raise InvalidInput("there is no open Family Network Plan to review")
    validate_date(ctx, day, "occurred_on", after=plan.start_date, after_what="the plan began")
    close_deadlines(ctx, child, ["family_network_plan_review"], met_on=day, event=event)
    open_deadline(ctx, child, "family_network_plan_review", day, event)
    return None


@handles("family_network_plan_ended")
def _fnp_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    end_plan(ctx, child, FamilyNetworkPlan, day, "Family Network Plan")
    close_deadlines(ctx, child, ["family_network_plan_review"], met_on=None, event=event)
    return resting_stage(ctx.session, child)
