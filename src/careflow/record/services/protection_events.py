"""Events of expert-led child protection: section 47 enquiries, conferences, child protection plans and
Child Community Safety Plans (001_8bebe4ae25a58006.txt:1393-1521).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from careflow.record.errors import InvalidInput
from careflow.record.models import (
    Child,
    ChildCommunitySafetyPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    Event,
    FamilyHelpEpisode,
    Section47Enquiry,
)
from careflow.record.pathway import Stage
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import (
    CP_CLOCKS,
    S,
    allocate,
    check_code,
    close_deadlines,
    end_plan,
    handles,
    latest_referral,
    open_deadline,
    open_row,
    resting_stage,
    validate_date,
)

__all__: list[str] = []


@handles("section_47_started")
def _section_47_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    referral = latest_referral(ctx.session, child)
    deadline = open_deadline(ctx, child, "initial_conference", day, event)
    ctx.session.add(Section47Enquiry(child_id=child.id, referral_id=referral.id if referral else None,
                                     start_date=day, initial_conference_target_date=deadline.due_date,
                                     decided_by_id=ctx.actor.user_id, is_conference_not_required=False))
    # The ECPP co-works the case from here: no handover (001_8bebe4ae25a58006.txt:1405).
    allocate(ctx, child, ctx.actor.user_id, "expert_child_protection_practitioner", day)
    help_episode = open_row(ctx.session, FamilyHelpEpisode, child)
    if help_episode is not None:
        help_episode.expert_child_protection_practitioner_id = ctx.actor.user_id
    return S.SECTION_47


def _end_enquiry(ctx: Ctx, child: Child, day: dt.date, event: Event, *, conference: bool) -> Section47Enquiry | None:
    enquiry = open_row(ctx.session, Section47Enquiry, child)
    if enquiry is not None:
        validate_date(ctx, day, "occurred_on", after=enquiry.start_date, after_what="the section 47 enquiry began")
        enquiry.end_date = day
        if conference:
            enquiry.initial_conference_date = day
        else:
            enquiry.is_conference_not_required = True
    if conference:
        close_deadlines(ctx, child, ["initial_conference"], met_on=day, event=event)
    else:
        close_deadlines(ctx, child, ["initial_conference"], met_on=None, event=event)
    return enquiry


@handles("initial_conference_held")
def _initial_conference(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    enquiry = _end_enquiry(ctx, child, day, event, conference=True)
    plan_id = None
    if form.outcome == "plan":
        if not form.category_of_abuse:
            raise InvalidInput("category_of_abuse is needed when the conference decides on a plan "
                               "(NEG, PHY, SAB, EMO or MUL)", "category_of_abuse")
        check_code("category_of_abuse", form.category_of_abuse, day, "category_of_abuse", "cin")
        referral = latest_referral(ctx.session, child)
        plan = ChildProtectionPlan(child_id=child.id, referral_id=referral.id if referral else None, start_date=day,
                                   initial_category_of_abuse=form.category_of_abuse,
                                   latest_category_of_abuse=form.category_of_abuse)
        ctx.session.add(plan)
        ctx.session.flush()
        plan_id = plan.id
        open_deadline(ctx, child, "child_protection_first_review", day, event)
    ctx.session.add(ChildProtectionConference(child_id=child.id, plan_id=plan_id,
                                              enquiry_id=enquiry.id if enquiry else None, kind="initial",
                                              conference_date=day, outcome=form.outcome,
                                              decided_by_id=ctx.actor.user_id))
    return S.CHILD_PROTECTION if form.outcome == "plan" else resting_stage(ctx.session, child)


@handles("section_47_concluded")
def _section_47_concluded(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _end_enquiry(ctx, child, day, event, conference=False)
    return resting_stage(ctx.session, child)


@handles("child_protection_review_held")
def _cp_review(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = open_row(ctx.session, ChildProtectionPlan, child)
    if plan is None:
        raise InvalidInput("there is no open child protection plan to review")
    validate_date(ctx, day, "occurred_on", after=plan.start_date, after_what="the plan began")
    if form.latest_category_of_abuse:
        plan.latest_category_of_abuse = check_code("category_of_abuse", form.latest_category_of_abuse, day,
                                                   "latest_category_of_abuse", "cin")
    ctx.session.add(ChildProtectionConference(child_id=child.id, plan_id=plan.id, kind="review",
                                              conference_date=day,
                                              outcome="continue" if form.is_plan_continued else "end",
                                              decided_by_id=ctx.actor.user_id))
    close_deadlines(ctx, child, CP_CLOCKS, met_on=day, event=event)
    if form.is_plan_continued:
        open_deadline(ctx, child, "child_protection_review", day, event)
        return None
    plan.end_date = day
    return resting_stage(ctx.session, child)


@handles("child_protection_plan_ended")
def _cp_plan_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    end_plan(ctx, child, ChildProtectionPlan, day, "child protection plan")
    close_deadlines(ctx, child, CP_CLOCKS, met_on=None, event=event)
    return resting_stage(ctx.session, child)


@handles("community_safety_plan_started")
def _ccsp_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    if open_row(ctx.session, Section47Enquiry, child) is not None:
        _end_enquiry(ctx, child, day, event, conference=False)
    ctx.session.add(ChildCommunitySafetyPlan(child_id=child.id, start_date=day, harm_type=form.harm_type))
    allocate(ctx, child, ctx.actor.user_id, "expert_child_protection_practitioner", day)
    return S.COMMUNITY_SAFETY


@handles("community_safety_plan_ended")
def _ccsp_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    end_plan(ctx, child, ChildCommunitySafetyPlan, day, "Child Community Safety Plan")
    return resting_stage(ctx.session, child)
