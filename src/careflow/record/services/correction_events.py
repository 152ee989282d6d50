"""Corrections, retractions, managers' sign-off and supervision: new events that point to earlier ones.

Nothing recorded is ever overwritten: a correction is a new event (``corrects_event_id`` names the event it
corrects) with the reason and the corrected account; a retraction marks an event as not to be relied on; both
show on the chronology beside the event they correct. The statutory tables derived from the corrected event are
not recomputed: where a correction changes one (a wrong placement code), the worker records the right event too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from careflow.record.errors import InvalidInput
from careflow.record.models import Child, Event
from careflow.record.pathway import TRANSITIONS, Stage
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import handles, validate_date

__all__ = ["SIGNED_OFF_KINDS", "earlier_event"]

# What a team manager signs off: assessments and plans.
SIGNED_OFF_KINDS = frozenset({"assessment_completed", "family_help_plan_made", "family_network_plan_started",
                              "family_network_plan_reviewed", "initial_conference_held", "transition_plan_made",
                              "pathway_plan_reviewed", "looked_after_started"})
_NOT_CORRECTABLE = frozenset({"event_retracted"})


def earlier_event(ctx: Ctx, child: Child, event_id: int, field: str) -> Event:
    """The child's event ``event_id``, or a clear refusal naming the field."""
    found = ctx.session.scalar(select(Event).where(Event.id == event_id, Event.child_id == child.id))
    if found is None:
        raise InvalidInput(f"{_words(field)}: there is no entry {event_id} on this child's record", field)
    return found


def _words(field: str) -> str:
    return field.replace("_", " ").replace(" id", "").capitalize()


def _is_retracted(ctx: Ctx, event_id: int, now: Event | None = None) -> bool:
    """Whether an earlier retraction (not ``now``, the event being recorded) retracted ``event_id``."""
    return ctx.session.scalar(
        select(Event.id).where(Event.corrects_event_id == event_id, Event.kind == "event_retracted",
                               Event.id != (now.id if now is not None else -1)).limit(1)
    ) is not None


@handles("event_corrected")
def _corrected(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    target = earlier_event(ctx, child, form.corrects_event_id, "corrects_event_id")
    if target.id == event.id or target.kind in _NOT_CORRECTABLE:
        raise InvalidInput("Entry corrected: a retraction cannot be corrected; record the entry again instead",
                           "corrects_event_id")
    if _is_retracted(ctx, target.id):
        raise InvalidInput("Entry corrected: that entry was retracted; record a new entry instead",
                           "corrects_event_id")
    if form.corrected_occurred_on is not None:
        validate_date(ctx, form.corrected_occurred_on, "corrected_occurred_on", child=child)
    return None


@handles("event_retracted")
def _retracted(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    target = earlier_event(ctx, child, form.corrects_event_id, "corrects_event_id")
    if target.kind in _NOT_CORRECTABLE or target.id == event.id:
        raise InvalidInput("Entry retracted: a retraction cannot itself be retracted", "corrects_event_id")
    if TRANSITIONS[target.kind].to_stage is not None or target.kind == "conversation":
        raise InvalidInput(f"Entry retracted: '{TRANSITIONS[target.kind].label}' moved the child on the pathway; "
                           "correct it with a reason instead (the pathway keeps it)", "corrects_event_id")
    if _is_retracted(ctx, target.id, event):
        raise InvalidInput("Entry retracted: that entry was already retracted", "corrects_event_id")
    return None


@handles("manager_signed_off")
def _signed_off(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    target = earlier_event(ctx, child, form.signed_off_event_id, "signed_off_event_id")
    if target.kind not in SIGNED_OFF_KINDS:
        raise InvalidInput(f"Signed off entry: '{TRANSITIONS[target.kind].label}' is not an assessment or a plan; "
                           "a manager signs off assessments and plans", "signed_off_event_id")
    if _is_retracted(ctx, target.id):
        raise InvalidInput("Signed off entry: that entry was retracted", "signed_off_event_id")
    ctx.audit("sign_off", child_id=child.id, entity="event", entity_id=target.id,
              detail={"decision": form.decision, "sign_off_event_id": event.id})
    return None


@handles("supervision_recorded")
def _supervision(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    return None
