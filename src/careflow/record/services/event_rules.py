"""What every event handler shares: the checks of dates and codes, the child's open records, deadlines,
allocations, the pathway facts and the handler registry. Handler modules depend on this one, never the reverse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from careflow import codes
from careflow.record import clocks
from careflow.record.errors import InvalidInput
from careflow.record.labels import field_label, human_date
from careflow.record.models import (
    Advocacy,
    Allocation,
    Child,
    ChildCommunitySafetyPlan,
    ChildProtectionPlan,
    Deadline,
    Event,
    FamilyGroupMeeting,
    FamilyHelpEpisode,
    FamilyNetworkPlan,
    LookedAfterEpisode,
    PathwayPlan,
    PreProceedings,
    Proceedings,
    Referral,
    Section47Enquiry,
    User,
)
from careflow.record.pathway import PathwayFacts, Role, Stage
from careflow.record.services.context import Ctx

__all__ = [
    "CP_CLOCKS",
    "EARLIEST_DATE",
    "HANDLERS",
    "Handler",
    "S",
    "allocate",
    "allocated_user",
    "check_code",
    "close_deadlines",
    "end_everything",
    "end_plan",
    "facts",
    "handles",
    "latest_referral",
    "offer_advocacy",
    "open_deadline",
    "open_proceedings",
    "open_row",
    "require_user",
    "resting_stage",
    "validate_date",
]


EARLIEST_DATE = dt.date(1990, 1, 1)


S = Stage


CP_CLOCKS = ("child_protection_first_review", "child_protection_review")


def _year(day: dt.date, collection: str) -> codes.CollectionYear:
    held = codes.years(collection)
    year = codes.CollectionYear.of_date(day)
    return min(max(year, held[0]), held[-1])


def check_code(name: str, value: str | None, day: dt.date, field: str, collection: str = "ssda903") -> str | None:
    """``value`` if it is a valid code of list ``name`` in the collection year of ``day``; else 422 saying why."""
    if value is None:
        return None
    year = _year(day, collection)
    problem = codes.explain(name, value, year, collection)
    if problem is not None:
        problem = problem.replace(f"is not a {name} code", "is not a code of its list")
        raise InvalidInput(f"{field_label(field)}: {problem}", field=field)
    return value


def validate_date(ctx: Ctx, day: dt.date, field: str, *, child: Child | None = None,
                  after: dt.date | None = None, after_what: str = "") -> dt.date:
    """Refuse dates in the future, before 1990, before the child's birth, or before ``after`` (events in order)."""
    label = field_label(field)
    if day > ctx.today:
        raise InvalidInput(f"{label}: {human_date(day)} is in the future (today is {human_date(ctx.today)})", field)
    if day < EARLIEST_DATE:
        raise InvalidInput(f"{label}: {human_date(day)} is before {EARLIEST_DATE.year}; check the year", field)
    person = child.person if child is not None else None
    if person is not None and person.date_of_birth is not None and day < person.date_of_birth:
        raise InvalidInput(
            f"{label}: {human_date(day)} is before the child's date of birth ({human_date(person.date_of_birth)})",
            field,
        )
    if after is not None and day < after:
        raise InvalidInput(
            f"{label}: {human_date(day)} is before {after_what} ({human_date(after)}): events are recorded in the "
            "order they happened; correct the earlier event first",
            field,
        )
    return day


def open_row(session: Session, model: Any, child: Child, date_column: str = "start_date") -> Any:
    """The child's latest row of ``model`` with no end date, or None."""
    column = getattr(model, date_column)
    return session.scalars(
        select(model).where(model.child_id == child.id, model.end_date.is_(None)).order_by(column.desc(),
                                                                                           model.id.desc()).limit(1)
    ).first()


def latest_referral(session: Session, child: Child) -> Referral | None:
    return session.scalars(
        select(Referral).where(Referral.child_id == child.id).order_by(Referral.sequence.desc()).limit(1)
    ).first()


def open_deadline(ctx: Ctx, child: Child, kind: str, basis: dt.date, event: Event | None) -> Deadline:
    """Open the deadline ``kind`` computed from ``basis`` (the clock's parameter in force on ``basis``)."""
    clock = clocks.CLOCKS[kind]
    deadline = Deadline(child_id=child.id, kind=kind, due_date=clocks.due_date(clock.parameter, basis),
                        basis_date=basis, parameter=clock.parameter,
                        opened_by_event_id=event.id if event is not None else None, is_cancelled=False)
    ctx.session.add(deadline)
    return deadline


def close_deadlines(ctx: Ctx, child: Child, kinds: Iterable[str], *, met_on: dt.date | None,
                     event: Event | None, opened_by: dt.date | None = None) -> int:
    """Mark the child's open deadlines of ``kinds`` met on ``met_on`` (or cancelled when None); how many.

    ``opened_by``: only deadlines whose basis is on or before that date (a late entry meets only the deadlines
    that were already running when it happened)."""
    values: dict[str, Any] = (
        {"met_date": met_on, "met_by_event_id": event.id if event else None} if met_on else {"is_cancelled": True}
    )
    basis = Deadline.basis_date <= opened_by if opened_by is not None else Deadline.basis_date.is_not(None)
    result = ctx.session.execute(
        update(Deadline)
        .where(Deadline.child_id == child.id, Deadline.kind.in_(list(kinds)), Deadline.met_date.is_(None),
               Deadline.is_cancelled.is_(False), basis)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def allocate(ctx: Ctx, child: Child, user_id: int | None, role_on_case: str, day: dt.date,
              reason: str | None = None) -> None:
    """Allocate ``user_id`` in ``role_on_case`` unless already; ends whoever held that role before, for ``reason``
    (an SSDA903 SW_REASON code; kept for social workers, whose changes the return counts)."""
    if user_id is None:
        return
    current = ctx.session.scalars(
        select(Allocation).where(Allocation.child_id == child.id, Allocation.role_on_case == role_on_case,
                                 Allocation.end_date.is_(None))
    ).all()
    if any(a.user_id == user_id for a in current):
        return
    for allocation in current:
        allocation.end_date = day
        if role_on_case == "social_worker":
            allocation.end_reason = reason or "MANAGE"
    ctx.session.add(Allocation(child_id=child.id, user_id=user_id, role_on_case=role_on_case, start_date=day))


def allocated_user(ctx: Ctx, child: Child, role_on_case: str) -> int | None:
    return ctx.session.scalar(
        select(Allocation.user_id).where(Allocation.child_id == child.id, Allocation.role_on_case == role_on_case,
                                         Allocation.end_date.is_(None)).limit(1)
    )


def facts(session: Session, child: Child) -> PathwayFacts:
    """The facts :func:`careflow.record.pathway.check` needs, from the child's record."""
    referral = latest_referral(session, child)
    since = referral.referral_date if referral else dt.date.min
    meetings = session.execute(
        select(FamilyGroupMeeting.is_emergency_exemption, FamilyGroupMeeting.outcome, FamilyGroupMeeting.meeting_date)
        .where(FamilyGroupMeeting.child_id == child.id,
               func.coalesce(FamilyGroupMeeting.meeting_date, FamilyGroupMeeting.offered_date) >= since)
    ).all()
    return PathwayFacts(
        has_family_group_meeting=any(m.meeting_date is not None and not m.is_emergency_exemption for m in meetings),
        has_emergency=any(m.is_emergency_exemption for m in meetings),
        has_family_network_plan_outcome=any(m.outcome == "family_network_plan" for m in meetings),
        has_open_proceedings=open_proceedings(session, child) is not None,
        is_looked_after=open_row(session, LookedAfterEpisode, child) is not None,
    )


def open_proceedings(session: Session, child: Child) -> Proceedings | None:
    return session.scalars(
        select(Proceedings).where(Proceedings.child_id == child.id, Proceedings.final_hearing_date.is_(None))
        .order_by(Proceedings.issue_date.desc()).limit(1)
    ).first()


def resting_stage(session: Session, child: Child) -> Stage:
    """The stage the child's open records put them at (after a plan, order or episode ends)."""
    checks: list[tuple[Stage, Callable[[], Any]]] = [
        (S.LOOKED_AFTER, lambda: open_row(session, LookedAfterEpisode, child)),
        (S.PROCEEDINGS, lambda: open_proceedings(session, child)),
        (S.PRE_PROCEEDINGS, lambda: open_row(session, PreProceedings, child)),
        (S.FAMILY_NETWORK, lambda: open_row(session, FamilyNetworkPlan, child)),
        (S.CHILD_PROTECTION, lambda: open_row(session, ChildProtectionPlan, child)),
        (S.COMMUNITY_SAFETY, lambda: open_row(session, ChildCommunitySafetyPlan, child)),
        (S.SECTION_47, lambda: open_row(session, Section47Enquiry, child)),
        (S.CARE_LEAVER, lambda: open_row(session, PathwayPlan, child)),
    ]
    for stage, found in checks:
        if found() is not None:
            return stage
    return S.FAMILY_HELP


Handler = Callable[[Ctx, Child, Any, Event, dt.date], Stage | None]


HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def end_plan(ctx: Ctx, child: Child, model: Any, day: dt.date, what: str) -> Any:
    plan = open_row(ctx.session, model, child)
    if plan is None:
        raise InvalidInput(f"there is no open {what} to end")
    validate_date(ctx, day, "occurred_on", after=plan.start_date, after_what=f"the {what} began")
    plan.end_date = day
    return plan


def require_user(ctx: Ctx, user_id: int, roles: set[Role], field: str) -> User:
    user = ctx.session.get(User, user_id)
    if user is None or not user.is_active:
        raise InvalidInput(f"{field}: no active user {user_id}", field)
    if Role(user.role) not in roles:
        raise InvalidInput(
            f"{field}: user {user_id} is {Role(user.role).with_article}, expected "
            + " or ".join(r.with_article for r in sorted(roles)),
            field,
        )
    return user


def end_everything(ctx: Ctx, child: Child, day: dt.date) -> None:
    for model in (FamilyHelpEpisode, FamilyNetworkPlan, ChildCommunitySafetyPlan, PathwayPlan, Advocacy):
        ctx.session.execute(update(model).where(model.child_id == child.id, model.end_date.is_(None))
                            .values(end_date=day).execution_options(synchronize_session=False))
    ctx.session.execute(update(Allocation).where(Allocation.child_id == child.id, Allocation.end_date.is_(None))
                        .values(end_date=day).execution_options(synchronize_session=False))
    ctx.session.execute(update(Deadline).where(Deadline.child_id == child.id, Deadline.met_date.is_(None),
                                               Deadline.is_cancelled.is_(False))
                        .values(is_cancelled=True).execution_options(synchronize_session=False))


def offer_advocacy(ctx: Ctx, child: Child, day: dt.date, event: Event | None) -> None:
    """Advocacy is opt-out (001_8bebe4ae25a58006.txt:2481-2559): when a child becomes looked after, is offered
    family group decision making or enters proceedings, an advocate is to be introduced unless one works with them
    already or the child has declined; the clock is met by an advocate assigned or a recorded decline."""
    if open_row(ctx.session, Advocacy, child) is not None:
        return
    already = ctx.session.scalar(
        select(Deadline.id).where(Deadline.child_id == child.id, Deadline.kind == "advocacy_offer",
                                  Deadline.met_date.is_(None), Deadline.is_cancelled.is_(False)).limit(1)
    )
    if already is None:
        open_deadline(ctx, child, "advocacy_offer", day, event)
