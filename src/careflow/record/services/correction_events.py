"""Corrections, retractions, managers' sign-off and supervision: new events that point to earlier ones.

Nothing recorded is ever overwritten: a correction is a new event (``corrects_event_id`` names the event it
corrects) with the reason and the corrected account; a retraction marks an event as not to be relied on; both
show on the chronology beside the event they correct.

The episodes of care (the SSDA903 episodes file) are re-derived. A correction of an event that builds them
(:data:`REDERIVED_FIELDS`: a period of care begun or ended, a placement or legal status change) says the right
values in ``corrected_values`` (a wrong placement code) and, for a placement or legal status change, the right date in
``corrected_occurred_on``; a retraction of a placement or legal status change takes it out. Either way the child's
episodes are rebuilt, in the same transaction and under the same version check, from the whole history of those
events as corrected, through the steps the events' own handlers take
(:func:`~careflow.record.services.care_events.rederive_episodes`); the audit keeps the rows before and after.

Not re-derived yet: the other tables the statutory returns read (referrals, assessments, enquiries, child
protection plans, reviews, missing episodes, adoption, health, care leavers, allocations, orders) and the dates a
period of care began or ended (they set the stage, the deadlines and care-leaver status). A correction of those
events' date or values is refused, saying so; the worker corrects in words and records the right event. A
retraction of them marks the entry as before, and its derived rows stay.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from careflow.record import clocks
from careflow.record.errors import InvalidInput
from careflow.record.labels import field_label
from careflow.record.models import Child, Deadline, Event
from careflow.record.pathway import TRANSITIONS, Stage
from careflow.record.schemas import EVENT_FORMS
from careflow.record.services.care_events import EPISODE_KINDS, rederive_episodes
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import handles, validate_date

__all__ = ["FEEDS_RETURNS", "REDERIVED_FIELDS", "SIGNED_OFF_KINDS", "earlier_event"]

# The events a correction re-derives the episodes of care from, and the fields of each it may correct.
REDERIVED_FIELDS: dict[str, frozenset[str]] = {
    "looked_after_started": frozenset({"placement_type", "placement_provider", "placement_postcode", "urn",
                                       "legal_status"}),
    "placement_changed": frozenset({"placement_type", "placement_provider", "reason_placement_change",
                                    "is_same_carer", "placement_postcode"}),
    "legal_status_changed": frozenset({"legal_status"}),
    "looked_after_ended": frozenset({"reason_episode_ceased"}),
}
# Of those, the ones whose date a correction may move (and a retraction take out): the others' dates set the stage.
_REDATED = frozenset({"placement_changed", "legal_status_changed"})
# The other events whose date or fields build rows the SSDA903 or CIN census exports read: not re-derived yet.
FEEDS_RETURNS = frozenset({
    "conversation", "family_help_started", "no_further_action", "assessment_completed", "section_47_started",
    "initial_conference_held", "section_47_concluded", "child_protection_review_held", "child_protection_plan_ended",
    "community_safety_plan_started", "family_network_plan_started", "pre_proceedings_started",
    "pre_proceedings_ended", "proceedings_issued", "order_made", "looked_after_review_held", "missing_started",
    "missing_ended", "adoption_decision_made", "adoption_match_made", "adoption_decision_reversed",
    "health_check_held", "strengths_difficulties_recorded", "conviction_recorded", "substance_misuse_identified",
    "care_leaver_contact_recorded", "pathway_plan_reviewed", "worker_allocated", "advocate_assigned", "case_closed",
    "family_member_added",
}) | frozenset(REDERIVED_FIELDS)

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
    values = form.corrected_values or {}
    redated = form.corrected_occurred_on is not None and form.corrected_occurred_on != target.occurred_on
    label = TRANSITIONS[target.kind].label
    if target.kind in REDERIVED_FIELDS:
        allowed = REDERIVED_FIELDS[target.kind]
        wrong = sorted(set(values) - allowed)
        if wrong:
            raise InvalidInput(f"Corrected values: {', '.join(wrong)} cannot be corrected on '{label}'; these can: "
                               f"{', '.join(sorted(allowed))}", "corrected_values")
        if redated and target.kind not in _REDATED:
            raise InvalidInput(f"Correct date: the date of '{label}' set the child's stage, deadlines and care-leaver "
                               "status, which a correction does not re-derive; leave the date out, say the right "
                               "date in the correction, and ask an administrator to correct the episode",
                               "corrected_occurred_on")
        if values or redated:
            _rederive(ctx, child, event, target)
            if redated:
                _move_deadlines(ctx, target, form.corrected_occurred_on)
    elif values or (redated and target.kind in FEEDS_RETURNS):
        field = "corrected_values" if values else "corrected_occurred_on"
        raise InvalidInput(f"{field_label(field)}: a correction of '{label}' does not rebuild the rows of the "
                           "statutory returns it made (only the episodes of care are rebuilt: a period of care, a "
                           "placement or a legal status change); say what is right in the correction, leave this "
                           "field out, and record the right event too", field)
    return None


def _history(ctx: Ctx, child: Child) -> list[tuple[str, dt.date, Any]]:
    """The child's events of :data:`EPISODE_KINDS` as corrected, in the order they happened: each with the values
    and date of its corrections applied in turn, retracted placement and legal status changes left out."""
    events = list(ctx.session.scalars(select(Event).where(Event.child_id == child.id,
                                                          Event.kind.in_(EPISODE_KINDS)).order_by(Event.id)))
    later: dict[int, list[Event]] = {}
    for c in ctx.session.scalars(select(Event).where(
            Event.child_id == child.id, Event.kind.in_(("event_corrected", "event_retracted")),
            Event.corrects_event_id.in_([e.id for e in events])).order_by(Event.id)):
        later.setdefault(c.corrects_event_id or 0, []).append(c)
    history: list[tuple[dt.date, int, str, Any]] = []
    for e in events:
        payload, day, retracted = dict(e.payload or {}), e.occurred_on, False
        for c in later.get(e.id, []):
            if c.kind == "event_retracted":
                retracted = e.kind in _REDATED  # earlier kinds' retractions left their rows, as before
                continue
            payload.update((c.payload or {}).get("corrected_values") or {})
            if e.kind in _REDATED and (c.payload or {}).get("corrected_occurred_on"):
                day = dt.date.fromisoformat(str(c.payload["corrected_occurred_on"]))
        if retracted:
            continue
        try:
            form = EVENT_FORMS[e.kind].model_validate({**payload, "kind": e.kind, "version": 0, "occurred_on": day})
        except ValidationError as error:
            first = error.errors()[0]
            where = str(first["loc"][0]) if first["loc"] else "corrected_values"
            raise InvalidInput(f"Corrected values: {where}: {first['msg']}", "corrected_values") from None
        history.append((day, e.id, e.kind, form))
    history.sort(key=lambda h: (h[0], h[1]))
    return [(kind, day, form) for day, _, kind, form in history]


def _rederive(ctx: Ctx, child: Child, now: Event, target: Event) -> None:
    """Rebuild the child's episodes of care from the corrected history; the audit keeps the rows before and after."""
    change = rederive_episodes(ctx, child, _history(ctx, child))
    ctx.audit("rederive", child_id=child.id, entity="looked_after_episode",
              detail={"correction_event_id": now.id, "kind": now.kind, "corrects_event_id": target.id,
                      "corrected_kind": target.kind, **change})


def _move_deadlines(ctx: Ctx, target: Event, day: dt.date) -> None:
    """The clocks the corrected event started, still running, run from its corrected date."""
    for deadline in ctx.session.scalars(select(Deadline).where(
            Deadline.opened_by_event_id == target.id, Deadline.met_date.is_(None), Deadline.is_cancelled.is_(False))):
        deadline.basis_date, deadline.due_date = day, clocks.due_date(deadline.parameter, day)


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
    if target.kind in _REDATED:  # the placement or legal status change leaves the episodes of care
        _rederive(ctx, child, event, target)
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
