"""A child's chronology: the whole history, paged and filtered, every code and field in words, corrections beside
the entries they correct, late entries with both dates; printable and as a PDF for court bundles and subject
access requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from careflow.record.errors import InvalidInput
from careflow.record.labels import field_label, human_date, value_label
from careflow.record.models import Child, Event, Person, Relationship, User
from careflow.record.pathway import TRANSITIONS
from careflow.record.schemas import EventPublic, Page
from careflow.record.services.access import load_child
from careflow.record.services.context import Ctx

__all__ = ["KIND_CHOICES", "chronology", "describe"]

KIND_CHOICES: list[tuple[str, str]] = [(k, t.label) for k, t in TRANSITIONS.items()]
_PEOPLE_FIELDS = ("user_id", "advocate_id", "supervising_social_worker_id")
_PERSON_FIELDS = ("carer_person_id", "person_id")
_EVENT_FIELDS = ("corrects_event_id", "signed_off_event_id")


def _lookups(ctx: Ctx, child: Child, events: Sequence[Event]) -> dict[str, str]:
    """Names for the ids in the events' payloads: users, people in the network, earlier entries."""
    users: set[int] = set()
    people: set[int] = set()
    entries: set[int] = set()
    for e in events:
        payload = e.payload or {}
        users.update(int(payload[f]) for f in _PEOPLE_FIELDS if isinstance(payload.get(f), int))
        people.update(int(payload[f]) for f in _PERSON_FIELDS if isinstance(payload.get(f), int))
        entries.update(int(payload[f]) for f in _EVENT_FIELDS if isinstance(payload.get(f), int))
        if e.corrects_event_id:
            entries.add(e.corrects_event_id)
    out: dict[str, str] = {}
    if users:
        for uid, name in ctx.session.execute(select(User.id, User.display_name).where(User.id.in_(users))):
            for f in _PEOPLE_FIELDS:
                out[f"{f}:{uid}"] = name
    if people:
        in_network = select(Relationship.person_id).where(Relationship.child_id == child.id)
        for pid, given, family in ctx.session.execute(
            select(Person.id, Person.given_name, Person.family_name).where(Person.id.in_(people),
                                                                           Person.id.in_(in_network))
        ):
            for f in _PERSON_FIELDS:
                out[f"{f}:{pid}"] = f"{given} {family}"
    if entries:
        for eid, kind, day in ctx.session.execute(
            select(Event.id, Event.kind, Event.occurred_on).where(Event.id.in_(entries), Event.child_id == child.id)
        ):
            for f in _EVENT_FIELDS:
                out[f"{f}:{eid}"] = f"{TRANSITIONS[kind].label} of {human_date(day)}"
    return out


def describe(event: Event, lookups: dict[str, str]) -> list[tuple[str, str]]:
    """The event's payload as (label, value) pairs people read (codes as their labels, ids as names)."""
    out = []
    payload = dict(event.payload or {})
    if event.corrects_event_id:
        payload = {"corrects_event_id": event.corrects_event_id, **payload}
    for name, value in payload.items():
        if name == "occurred_on" or (name == "person_id" and event.kind == "family_member_added"):
            continue
        text = value_label(name, value, event.occurred_on, lookups)
        if text != "":
            out.append((field_label(name), text))
    return out


def _public(event: Event, username: str | None, lookups: dict[str, str],
            corrections: dict[int, list[Event]]) -> EventPublic:
    transition = TRANSITIONS.get(event.kind)
    later = corrections.get(event.id, [])
    recorded = event.recorded_at.date() if event.recorded_at else event.occurred_on
    return EventPublic(
        id=event.id, kind=event.kind, label=transition.label if transition else event.kind,
        occurred_on=event.occurred_on, recorded_at=event.recorded_at, recorded_by=username,
        payload=event.payload or {}, note=event.note, details=describe(event, lookups),
        recorded_late_days=max(0, (recorded - event.occurred_on).days), corrects_event_id=event.corrects_event_id,
        corrected_by=[c.id for c in later], is_retracted=any(c.kind == "event_retracted" for c in later),
    )


def chronology(ctx: Ctx, child_id: int, *, offset: int = 0, limit: int = 50, kinds: Sequence[str] = (),
               date_from: dt.date | None = None, date_to: dt.date | None = None,
               oldest_first: bool = False) -> Page[EventPublic]:
    """A page of the child's whole history (newest first unless ``oldest_first``), filtered by kind and date
    (audited with the filters)."""
    unknown = sorted(set(kinds) - set(TRANSITIONS))
    if unknown:
        raise InvalidInput(f"Kind: no kind of entry called {', '.join(unknown)}", "kind")
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("From: the first date is after the last", "date_from")
    child = load_child(ctx, child_id, write=False)
    where: list[Any] = [Event.child_id == child.id]
    if kinds:
        where.append(Event.kind.in_(list(kinds)))
    if date_from:
        where.append(Event.occurred_on >= date_from)
    if date_to:
        where.append(Event.occurred_on <= date_to)
    total = ctx.session.scalar(select(func.count()).select_from(Event).where(*where)) or 0
    order = (Event.occurred_on.asc(), Event.id.asc()) if oldest_first else (Event.occurred_on.desc(), Event.id.desc())
    rows = ctx.session.execute(
        select(Event, User.display_name).outerjoin(User, User.id == Event.recorded_by_id).where(*where)
        .order_by(*order).limit(limit).offset(offset)
    ).all()
    events = [e for e, _ in rows]
    corrections: dict[int, list[Event]] = {}
    if events:
        for c in ctx.session.scalars(select(Event).where(Event.corrects_event_id.in_([e.id for e in events]))):
            corrections.setdefault(c.corrects_event_id or 0, []).append(c)
    lookups = _lookups(ctx, child, events)
    ctx.audit("read", child_id=child.id, entity="timeline",
              detail={"limit": limit, "offset": offset, "kinds": list(kinds),
                      "from": date_from.isoformat() if date_from else None,
                      "to": date_to.isoformat() if date_to else None})
    items = [_public(e, name, lookups, corrections) for e, name in rows]
    return Page[EventPublic](items=items, total=total, limit=limit, offset=offset)
