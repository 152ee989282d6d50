"""Events of the reformed services' content: Family Help plans and their services, the devolved budget, benefits
checks, the support items of plans, kinship carers, opt-out advocacy and transitions to adult services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from careflow.record import clocks
from careflow.record.errors import InvalidInput
from careflow.record.models import (
    Assessment,
    BudgetEntry,
    Child,
    Event,
    FamilyHelpPlan,
    FamilyNetworkPlan,
    KinshipCarer,
    PlanItem,
    Relationship,
)
from careflow.record.parameters import parameter
from careflow.record.pathway import Role, Stage
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import close_deadlines, handles, open_deadline, open_row

__all__ = ["TRANSITION_FROM_AGE", "budget_spent", "is_disabled", "spending_limit"]

# Transition planning for a disabled young person starts by 14 (Year 9: SEND Code of Practice 2015, 8.9-8.11),
# the "preparing for adulthood" the review asks to align with adult services (001_8bebe4ae25a58006.txt:1214-1237).
TRANSITION_FROM_AGE = 14


def spending_limit(role: Role, day: dt.date) -> Decimal:
    """The most ``role`` may pay from the devolved budget in one payment on ``day`` (a dated parameter)."""
    return Decimal(str(parameter(f"family_help/devolved_budget/{role.value}/gbp").at(day)))


def _open_plan(ctx: Ctx, child: Child, plan: str) -> FamilyHelpPlan | FamilyNetworkPlan | None:
    model = FamilyHelpPlan if plan == "family_help" else FamilyNetworkPlan
    found: FamilyHelpPlan | FamilyNetworkPlan | None = open_row(ctx.session, model, child)
    return found


@handles("family_help_plan_made")
def _family_help_plan(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    current = _open_plan(ctx, child, "family_help")
    if current is not None:  # a new plan replaces the last one; its services stay with it
        current.end_date = day
    close_deadlines(ctx, child, ["family_help_plan_review"], met_on=day, event=event)
    ctx.session.add(FamilyHelpPlan(child_id=child.id, start_date=day, goals=form.goals))
    open_deadline(ctx, child, "family_help_plan_review", day, event)
    return None


@handles("plan_support_added")
def _plan_support(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = _open_plan(ctx, child, form.plan)
    what = "Family Help plan" if form.plan == "family_help" else "Family Network Plan"
    if plan is None:
        raise InvalidInput(f"Plan: the child has no open {what}; make the plan first", "plan")
    if day < plan.start_date:
        raise InvalidInput(f"Date: the support starts before the {what} began", "occurred_on")
    if form.ends_on is not None and form.ends_on < day:
        raise InvalidInput("Until: the support ends before it starts", "ends_on")
    if form.item == "financial_support" and form.amount_gbp is None:
        raise InvalidInput("Amount (£): financial support needs the amount", "amount_gbp")
    ctx.session.add(PlanItem(child_id=child.id, plan=form.plan, plan_id=plan.id, kind=form.item,
                             description=form.description, provided_by=form.provided_by, recipient=form.recipient,
                             start_date=day, end_date=form.ends_on, amount_gbp=form.amount_gbp, event_id=event.id))
    return None


@handles("budget_spent")
def _budget(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    role = ctx.role
    assert role is not None  # apply_event refuses actors without a role
    limit = spending_limit(role, day)
    if form.amount_gbp > limit:
        manager = spending_limit(Role.TEAM_MANAGER, day)
        who = (f"a team manager may pay up to £{manager:,.2f}" if role is not Role.TEAM_MANAGER
               else "larger payments need the head of service, outside the devolved budget")
        raise InvalidInput(f"Amount (£): £{form.amount_gbp:,.2f} is over your limit of £{limit:,.2f} for one "
                           f"payment; {who}", "amount_gbp")
    ctx.session.add(BudgetEntry(child_id=child.id, spent_on=day, amount_gbp=form.amount_gbp, purpose=form.purpose,
                                spent_by_id=ctx.actor.user_id,
                                approved_by_id=ctx.actor.user_id if role is Role.TEAM_MANAGER else None,
                                event_id=event.id))
    return None


def budget_spent(ctx: Ctx, child_id: int) -> Decimal:
    """What the child's family has had from the devolved budget in all."""
    total = ctx.session.scalar(select(func.sum(BudgetEntry.amount_gbp)).where(BudgetEntry.child_id == child_id))
    return Decimal(total or 0)


@handles("benefits_check_done")
def _benefits(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    if form.outcome in ("new_claim", "increased_award") and form.weekly_gain_gbp is None:
        raise InvalidInput("Weekly gain (£): a new claim or an increased award needs the weekly amount gained",
                           "weekly_gain_gbp")
    return None


@handles("kinship_carer_recorded")
def _kinship(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    in_network = ctx.session.scalar(
        select(Relationship.id).where(Relationship.child_id == child.id,
                                      Relationship.person_id == form.carer_person_id).limit(1)
    )
    if in_network is None:
        raise InvalidInput("Carer: the person chosen is not in this child's family network; add them first",
                           "carer_person_id")
    ctx.session.add(KinshipCarer(child_id=child.id, person_id=form.carer_person_id, arrangement=form.arrangement,
                                 start_date=day, weekly_allowance_gbp=form.weekly_allowance_gbp,
                                 has_legal_aid=form.has_legal_aid, has_employment_leave=form.has_employment_leave,
                                 has_peer_support=form.has_peer_support))
    return None


@handles("advocacy_declined")
def _advocacy_declined(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    close_deadlines(ctx, child, ["advocacy_offer"], met_on=day, event=event)
    return None


@handles("advocacy_escalated")
def _advocacy_escalated(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    return None


@handles("transition_plan_made")
def _transition(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    dob = child.person.date_of_birth
    if dob is None or clocks.age_on(dob, day) < TRANSITION_FROM_AGE:
        raise InvalidInput(f"Date: transition planning to adult services starts at {TRANSITION_FROM_AGE}; the "
                           "child is younger", "occurred_on")
    if not is_disabled(ctx, child):
        raise InvalidInput("Plan: transition planning to adult services is for a disabled young person, and the "
                           "record shows no disability (a main need of the child's disability, or an assessment "
                           "finding the child's learning or physical disability)", "plan")
    return None


# CIN census codes that say the child is disabled: primary need N2; assessment factors 5A and 6A.
_DISABLED_NEED = "N2"
_DISABLED_FACTORS = ("5A", "6A")


def is_disabled(ctx: Ctx, child: Child) -> bool:
    """Whether the record says the child is disabled (their disabilities, main need or an assessment)."""
    if child.disabilities or child.primary_need == _DISABLED_NEED:
        return True
    for factors in ctx.session.scalars(select(Assessment.factors).where(Assessment.child_id == child.id)):
        if any(f in _DISABLED_FACTORS for f in factors or []):
            return True
    return False
