"""Children's records: open one at the first conversation, read it, correct it, its timeline and network.

Every read and write of a named child's record writes an audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from careflow import codes
from careflow.record import clocks
from careflow.record.clocks import CLOCKS
from careflow.record.errors import AccessDenied, InvalidInput, NotFound, StaleVersion
from careflow.record.identifiers import ascii_digits, clean_nhs_number, nhs_number_problem, upn_problem
from careflow.record.labels import human_date
from careflow.record.models import (
    Allocation,
    AuditEntry,
    Child,
    Deadline,
    Event,
    FamilyNetworkPlan,
    Person,
    Relationship,
    User,
)
from careflow.record.pathway import TRANSITIONS, Role, Stage
from careflow.record.schemas import (
    AllocationPublic,
    AuditEntryPublic,
    ChildCreate,
    ChildPublic,
    ChildUpdate,
    ConversationForm,
    DeadlinePublic,
    EventPublic,
    Page,
    PersonPublic,
    RelationshipPublic,
)
from careflow.record.services import access, search
from careflow.record.services.access import load_child
from careflow.record.services.context import Ctx
from careflow.record.services.events import EARLIEST_DATE, apply_event, bump, check_code, validate_date

__all__ = [
    "create_child",
    "deadline_public",
    "deadline_status",
    "load_child",
    "network",
    "read_child",
    "timeline",
    "update_child",
    "who_saw",
]


def deadline_status(deadline: Deadline, today: dt.date, due_soon_days: int) -> str:
    """overdue, due_soon, upcoming, met or cancelled."""
    if deadline.is_cancelled:
        return "cancelled"
    if deadline.met_date is not None:
        return "met"
    if deadline.due_date < today:
        return "overdue"
    if deadline.due_date <= today + dt.timedelta(days=due_soon_days):
        return "due_soon"
    return "upcoming"


def deadline_public(ctx: Ctx, deadline: Deadline) -> DeadlinePublic:
    """A deadline with its label and status as of today."""
    return DeadlinePublic(
        id=deadline.id, child_id=deadline.child_id, kind=deadline.kind, label=CLOCKS[deadline.kind].label,
        due_date=deadline.due_date, basis_date=deadline.basis_date, parameter=deadline.parameter,
        status=deadline_status(deadline, ctx.today, ctx.settings.due_soon_days),  # type: ignore[arg-type]
    )


def _open_deadlines(ctx: Ctx, child_id: int) -> list[DeadlinePublic]:
    rows = ctx.session.scalars(
        select(Deadline).where(Deadline.child_id == child_id, Deadline.met_date.is_(None),
                               Deadline.is_cancelled.is_(False)).order_by(Deadline.due_date)
    )
    return [deadline_public(ctx, d) for d in rows]


def _public(ctx: Ctx, child: Child) -> ChildPublic:
    person = child.person
    allocations = ctx.session.execute(
        select(Allocation, User.display_name).join(User, User.id == Allocation.user_id)
        .where(Allocation.child_id == child.id, Allocation.end_date.is_(None)).order_by(Allocation.id)
    ).all()
    return ChildPublic(
        id=child.id, la_child_id=child.la_child_id, given_name=person.given_name, family_name=person.family_name,
        date_of_birth=person.date_of_birth, expected_date_of_birth=person.expected_date_of_birth, sex=person.sex,
        nhs_number=person.nhs_number, upn=person.upn, ethnicity=person.ethnicity, postcode=person.postcode,
        age=clocks.age_on(person.date_of_birth, ctx.today) if person.date_of_birth else None,
        stage=child.stage, stage_since=child.stage_since, team_id=child.team_id, version=child.version,
        allocations=[AllocationPublic(user_id=a.user_id, display_name=name, role_on_case=a.role_on_case,
                                      start_date=a.start_date) for a, name in allocations],
        deadlines=_open_deadlines(ctx, child.id),
    )


def _identity(ctx: Ctx, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Check identity fields; returns them cleaned (NHS number digits only, UPN upper case)."""
    out = dict(values)
    year = min(max(codes.CollectionYear.of_date(today), codes.years("ssda903")[0]), codes.years("ssda903")[-1])
    if out.get("nhs_number"):
        problem = nhs_number_problem(out["nhs_number"])
        if problem:
            raise InvalidInput(f"NHS number: {problem}", "nhs_number")
        out["nhs_number"] = clean_nhs_number(out["nhs_number"])
    if out.get("upn"):
        problem = upn_problem(out["upn"])
        if problem:
            raise InvalidInput(f"UPN: {problem}", "upn")
        out["upn"] = ascii_digits(out["upn"]).strip().upper()
    if out.get("sex") is not None:
        check_code("sex", out["sex"], year.end_date, "sex")
    if out.get("ethnicity") is not None:
        check_code("ethnicity", out["ethnicity"], year.end_date, "ethnicity")
    if out.get("postcode"):
        out["postcode"] = " ".join(out["postcode"].upper().split())
    return out


def create_child(ctx: Ctx, form: ChildCreate) -> ChildPublic:
    """Open a child's record at the first conversation (stage: contact); the recorder's team holds it."""
    access.require_role(ctx, access.WRITE_ROLES, "open children's records")
    today = ctx.today
    values = _identity(ctx, form.model_dump(exclude={"referral_source", "occurred_on", "note", "is_not_a_duplicate"}),
                       today)
    dob, expected = values.get("date_of_birth"), values.get("expected_date_of_birth")
    if dob is None and expected is None:
        raise InvalidInput("Date of birth: give the child's date of birth (or, for an unborn child, the expected "
                           "date of birth)",
                           "date_of_birth")
    if dob is not None:
        validate_date(ctx, dob, "date_of_birth")
        if clocks.age_on(dob, today) >= 26:
            raise InvalidInput(f"Date of birth: {human_date(dob)} makes the person {clocks.age_on(dob, today)}: the "
                               "record holds children and care leavers to 25", "date_of_birth")
    if expected is not None and not today - dt.timedelta(days=30) <= expected <= today + dt.timedelta(days=280):
        raise InvalidInput("Expected date of birth: must be within the next 40 weeks", "expected_date_of_birth")
    search.check_duplicate(ctx, {**values, "is_not_a_duplicate": form.is_not_a_duplicate})
    person = Person(**values)
    ctx.session.add(person)
    ctx.session.flush()
    child = Child(person_id=person.id, la_child_id=f"TMP{person.id}", team_id=ctx.actor.team_id,
                  stage=Stage.NONE.value, stage_since=EARLIEST_DATE, disabilities=[], version=1)
    ctx.session.add(child)
    ctx.session.flush()
    child.la_child_id = f"C{child.id:07d}"
    child.person = person
    conversation = ConversationForm(kind="conversation", version=child.version, occurred_on=form.occurred_on,
                                    note=form.note, referral_source=form.referral_source)
    event = apply_event(ctx, child, conversation, check_version=False, bump_version=False)
    ctx.session.flush()
    ctx.audit("create", child_id=child.id, entity="child", entity_id=child.id, detail={"event_id": event.id})
    return _public(ctx, child)



def read_child(ctx: Ctx, child_id: int) -> ChildPublic:
    """A child's record header, with allocations and open deadlines (audited)."""
    child = load_child(ctx, child_id, write=False)
    public = _public(ctx, child)
    ctx.audit("read", child_id=child.id, entity="child", entity_id=child.id)
    return public


def update_child(ctx: Ctx, child_id: int, form: ChildUpdate) -> ChildPublic:
    """Correct a child's identity; 409 if ``form.version`` is not the current version (nothing is written)."""
    child = load_child(ctx, child_id, write=True)
    if form.version != child.version:
        raise StaleVersion(
            f"child {child_id} changed since you opened it (you had version {form.version}, it is now "
            f"{child.version}); reload and make your change again",
            current_version=child.version,
        )
    changes = _identity(ctx, form.model_dump(exclude={"version"}, exclude_unset=True), ctx.today)
    if changes.get("date_of_birth") is not None:
        validate_date(ctx, changes["date_of_birth"], "date_of_birth")
    bump(ctx, child)
    for key, value in changes.items():
        setattr(child.person, key, value)
    ctx.session.flush()
    ctx.audit("write", child_id=child.id, entity="child", entity_id=child.id,
              detail={"fields": sorted(changes), "version": child.version})
    return _public(ctx, child)


def event_public(event: Event, username: str | None, child_version: int | None = None) -> EventPublic:
    """An event for the timeline (``child_version``: the record's version after it, for the next write)."""
    transition = TRANSITIONS.get(event.kind)
    return EventPublic(id=event.id, kind=event.kind, label=transition.label if transition else event.kind,
                       occurred_on=event.occurred_on, recorded_at=event.recorded_at, recorded_by=username,
                       payload=event.payload or {}, note=event.note, child_version=child_version,
                       recorded_late_days=max(0, (event.recorded_at.date() - event.occurred_on).days),
                       corrects_event_id=event.corrects_event_id)


def timeline(ctx: Ctx, child_id: int, *, limit: int = 50, offset: int = 0) -> Page[EventPublic]:
    """A child's events, newest first (audited)."""
    child = load_child(ctx, child_id, write=False)
    total = ctx.session.scalar(select(func.count()).select_from(Event).where(Event.child_id == child.id)) or 0
    rows = ctx.session.execute(
        select(Event, User.display_name).outerjoin(User, User.id == Event.recorded_by_id)
        .where(Event.child_id == child.id).order_by(Event.occurred_on.desc(), Event.id.desc())
        .limit(limit).offset(offset)
    ).all()
    ctx.audit("read", child_id=child.id, entity="timeline", detail={"limit": limit, "offset": offset})
    return Page[EventPublic](items=[event_public(e, n) for e, n in rows], total=total, limit=limit, offset=offset)


def network(ctx: Ctx, child_id: int) -> list[RelationshipPublic]:
    """The people who matter to the child (audited)."""
    child = load_child(ctx, child_id, write=False)
    rows = ctx.session.scalars(
        select(Relationship).where(Relationship.child_id == child.id, Relationship.end_date.is_(None))
        .order_by(Relationship.id)
    ).all()
    carers = set(ctx.session.scalars(
        select(FamilyNetworkPlan.carer_person_id).where(FamilyNetworkPlan.child_id == child.id,
                                                        FamilyNetworkPlan.end_date.is_(None))
    ))
    ctx.audit("read", child_id=child.id, entity="network")
    return [
        RelationshipPublic(id=r.id, relationship=r.kind, has_parental_responsibility=r.has_parental_responsibility,
                           is_significant=r.is_significant, is_family_network_plan_carer=r.person_id in carers,
                           person=PersonPublic.model_validate(r.person))
        for r in rows
    ]


def who_saw(ctx: Ctx, child_id: int, *, limit: int = 50, offset: int = 0) -> Page[AuditEntryPublic]:
    """Who read or changed a child's record: for the team manager of the child's team and administrators."""
    child = ctx.session.get(Child, child_id)
    if child is None:
        raise NotFound(f"no child with record id {child_id}")
    role = ctx.role
    if not (role is Role.ADMIN or (role is Role.TEAM_MANAGER and child.team_id == ctx.actor.team_id)):
        raise AccessDenied("only the team manager of the child's team or an administrator sees who saw a record",
                           child_id=child_id)
    total = ctx.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.child_id == child_id))
    rows = ctx.session.scalars(
        select(AuditEntry).where(AuditEntry.child_id == child_id).order_by(AuditEntry.id.desc())
        .limit(limit).offset(offset)
    ).all()
    ctx.audit("read_audit", child_id=child_id, entity="audit_log")
    return Page[AuditEntryPublic](items=[AuditEntryPublic.model_validate(r) for r in rows], total=total or 0,
                                  limit=limit, offset=offset)
