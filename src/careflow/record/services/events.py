"""Recording events: the pathway check, the derived records, the deadlines and the audit entry, in one transaction.

A worker types an event's small form; this module derives the rest: the stage, the statutory tables
(referrals, plans, episodes with their RNE and legal status, reviews), allocations, and the statutory deadlines
(:mod:`careflow.record.clocks`). :func:`record` either does all of it or, on any error, nothing (the caller's
transaction rolls back).

Each family of events has its own module (``help_events``, ``protection_events``, ``family_network_events``,
``court_events``, ``care_events``, ``correction_events``, ``reform_events``); each registers its handlers in
:mod:`~careflow.record.services.event_rules`, which they all depend on. This module depends on them all and on
nothing that depends on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from careflow.record import pathway
from careflow.record.errors import InvalidInput, StaleVersion
from careflow.record.models import (
    Child,
    Event,
)
from careflow.record.pathway import Role, Stage
from careflow.record.schemas import EventBase
from careflow.record.services import (  # noqa: F401 (each registers its handlers)
    care_events,
    correction_events,
    court_events,
    family_network_events,
    help_events,
    protection_events,
    reform_events,
)
from careflow.record.services.access import load_child
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import (
    EARLIEST_DATE,
    HANDLERS,
    check_code,
    facts,
    open_deadline,
    validate_date,
)

__all__ = [
    "EARLIEST_DATE",
    "apply_event",
    "bump",
    "check_code",
    "facts",
    "open_deadline",
    "record",
    "record_with_version",
    "validate_date",
]


def _payload(form: EventBase) -> dict[str, Any]:
    return form.model_dump(mode="json", exclude={"version", "note", "kind", "corrects_event_id"}, exclude_none=True)


def _first_day(ctx: Ctx, child: Child) -> dt.date:
    """The date of the child's first event (a late entry is not dated before the record began)."""
    first = ctx.session.scalar(select(func.min(Event.occurred_on)).where(Event.child_id == child.id))
    return first or EARLIEST_DATE


# The two statements of every event, prepared once (their compiled forms are cached; nothing is built per call).
_CHILDREN = cast(Table, Child.__table__)


_EVENTS = cast(Table, Event.__table__)


_BUMP = (update(_CHILDREN).where(_CHILDREN.c.id == bindparam("child"), _CHILDREN.c.version == bindparam("seen"))
         .values(version=bindparam("next"), updated_at=bindparam("now")))


_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)


def bump(ctx: Ctx, child: Child) -> None:
    """Take the child's next version now: the UPDATE checks the old one (and on PostgreSQL locks the row), so a
    concurrent writer of the same child waits here and then fails with a stale version instead of overwriting."""
    child_id, seen = child.id, child.version
    now = dt.datetime.now(dt.UTC)
    result = ctx.session.connection().execute(_BUMP, {"child": child_id, "seen": seen, "next": seen + 1, "now": now})
    if result.rowcount != 1:
        # The version actually stored (committed by the other writer), not a guess: the client retries with it.
        stored = ctx.session.connection().execute(select(_CHILDREN.c.version)
                                                  .where(_CHILDREN.c.id == child_id)).scalar_one()
        raise StaleVersion(
            f"child {child_id} was changed by someone else at the same moment (you had version {seen}, it is now "
            f"{stored}); reload and try again",
            current_version=int(stored),
        )
    # The loaded child now carries the new version as committed state: later flushes check it.
    set_committed_value(child, "version", seen + 1)
    set_committed_value(child, "updated_at", now)


def apply_event(ctx: Ctx, child: Child, form: EventBase, *, check_version: bool = True,
                bump_version: bool = True) -> Event:
    """Check and apply ``form`` to ``child`` in the current transaction (no audit entry; see :func:`record`)."""
    kind = str(getattr(form, "kind"))  # noqa: B009 - every event form has a Literal kind
    if check_version and form.version != child.version:
        raise StaleVersion(
            f"child {child.id} changed since you opened it (you had version {form.version}, it is now "
            f"{child.version}); reload the record and record the event again",
            current_version=child.version,
        )
    role = ctx.role
    if role is None:
        raise InvalidInput(f"{ctx.actor.role} cannot record events")
    if bump_version:
        bump(ctx, child)
    stage = Stage(child.stage)
    pathway.check(kind, stage, role, facts(ctx.session, child) if kind in pathway.EVENTS_NEEDING_FACTS else None)
    # A late entry (a visit written up after the stage moved on) may be dated before the stage began.
    late = kind in pathway.LATE_ENTRIES
    day = validate_date(ctx, form.occurred_on or ctx.today, "occurred_on", child=child,
                        after=None if late else child.stage_since,
                        after_what=f"the child's current stage began ({stage.label.lower()})")
    if late and day < child.stage_since:  # only then is the record's first day read (a note today costs nothing)
        validate_date(ctx, day, "occurred_on", after=_first_day(ctx, child), after_what="the child's record began")
    corrects = getattr(form, "corrects_event_id", None)
    if corrects is not None and ctx.session.scalar(
            select(Event.id).where(Event.id == corrects, Event.child_id == child.id)) is None:
        raise InvalidInput(f"Entry: there is no entry {corrects} on this child's record", "corrects_event_id")
    values: dict[str, Any] = {"child_id": child.id, "kind": kind, "occurred_on": day,
                              "recorded_at": dt.datetime.now(dt.UTC), "recorded_by_id": ctx.actor.user_id,
                              "payload": _payload(form), "note": form.note,
                              "corrects_event_id": corrects}
    # Events are only ever inserted: a plain INSERT (no unit of work); handlers read the new row's id.
    event = Event(id=ctx.session.connection().execute(_INSERT_EVENT, values).scalar_one(), **values)
    new_stage = HANDLERS[kind](ctx, child, form, event, day)
    if new_stage is not None and new_stage != stage:
        child.stage, child.stage_since = new_stage.value, day
    return event


def record(ctx: Ctx, child_id: int, form: EventBase) -> Event:
    """Record an event on a child's record: access, version and pathway checks, derived rows, audit; all or nothing.

    Raises:
        NotFound, AccessDenied, StaleVersion, TransitionNotAllowed, InvalidInput.
    """
    return record_with_version(ctx, child_id, form)[0]


def record_with_version(ctx: Ctx, child_id: int, form: EventBase) -> tuple[Event, int]:
    """:func:`record`, also returning the record's version after the event (what the next write must carry)."""
    # an advocate writes only what their role is for (an escalation), on a child they advocate for
    advocate_entry = ctx.role is Role.ADVOCATE and str(getattr(form, "kind")) in pathway.ADVOCATE_EVENTS  # noqa: B009
    child = load_child(ctx, child_id, write=not advocate_entry)
    event = apply_event(ctx, child, form)
    ctx.session.flush()
    ctx.audit("write", child_id=child.id, entity="event", entity_id=event.id,
              detail={"kind": event.kind, "version": child.version})
    return event, child.version
