"""Events of pre-proceedings, proceedings and orders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from careflow.record.errors import InvalidInput
from careflow.record.models import (
    Child,
    CourtOrder,
    Event,
    LookedAfterEpisode,
    PreProceedings,
    Proceedings,
)
from careflow.record.pathway import Stage
from careflow.record.services.care_events import LEGAL_STATUS_OF_ORDER, change_legal_status
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import (
    S,
    close_deadlines,
    end_plan,
    handles,
    latest_referral,
    offer_advocacy,
    open_deadline,
    open_proceedings,
    open_row,
    resting_stage,
    validate_date,
)

__all__: list[str] = []


_FINAL_ORDERS = {"care_order", "supervision_order", "placement_order", "special_guardianship_order",
                 "child_arrangements_order", "no_order"}


@handles("pre_proceedings_started")
def _pre_proceedings(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    letter = form.letter_before_proceedings_on or day
    validate_date(ctx, letter, "letter_before_proceedings_on", after=day, after_what="pre-proceedings began")
    referral = latest_referral(ctx.session, child)
    ctx.session.add(PreProceedings(child_id=child.id, referral_id=referral.id if referral else None, start_date=day,
                                   letter_before_proceedings_date=letter))
    return S.PRE_PROCEEDINGS


@handles("pre_proceedings_ended")
def _pre_proceedings_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = end_plan(ctx, child, PreProceedings, day, "pre-proceedings")
    plan.outcome = "step_down"
    return resting_stage(ctx.session, child)


@handles("proceedings_issued")
def _proceedings_issued(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    pre = open_row(ctx.session, PreProceedings, child)
    if pre is not None:
        validate_date(ctx, day, "occurred_on", after=pre.start_date, after_what="pre-proceedings began")
        pre.end_date, pre.outcome = day, "proceedings"
    ctx.session.add(Proceedings(child_id=child.id, issue_date=day))
    open_deadline(ctx, child, "proceedings_end", day, event)
    offer_advocacy(ctx, child, day, event)
    return resting_stage(ctx.session, child)


@handles("order_made")
def _order_made(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    proceedings = open_proceedings(ctx.session, child)
    if proceedings is None:
        raise InvalidInput("no open proceedings to make an order in")
    validate_date(ctx, day, "occurred_on", after=proceedings.issue_date, after_what="the proceedings were issued")
    if form.order_type != "no_order":
        ctx.session.add(CourtOrder(child_id=child.id, proceedings_id=proceedings.id, order_type=form.order_type,
                                   start_date=day))
    if form.order_type in _FINAL_ORDERS:
        proceedings.final_hearing_date, proceedings.outcome = day, form.order_type
        ctx.session.execute(
            update(CourtOrder).where(CourtOrder.child_id == child.id, CourtOrder.order_type == "interim_care_order",
                                     CourtOrder.end_date.is_(None)).values(end_date=day)
            .execution_options(synchronize_session=False)
        )
        close_deadlines(ctx, child, ["proceedings_end"], met_on=day, event=event)
    change_legal_status(ctx, child, open_row(ctx.session, LookedAfterEpisode, child),
                        LEGAL_STATUS_OF_ORDER.get(form.order_type), day)
    return resting_stage(ctx.session, child)
