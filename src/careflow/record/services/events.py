"""Recording events: the pathway check, the derived records, the deadlines and the audit entry, in one transaction.

A worker types an event's small form; this module derives the rest: the stage, the statutory tables
(referrals, plans, episodes with their RNE and legal status, reviews), allocations, and the statutory deadlines
(:mod:`careflow.record.clocks`). :func:`record` either does all of it or, on any error, nothing (the caller's
transaction rolls back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from careflow import codes
from careflow.record import clocks, pathway
from careflow.record.errors import InvalidInput, StaleVersion
from careflow.record.models import (
    AdoptionPlan,
    Advocacy,
    Allocation,
    Assessment,
    CareLeaverArrangement,
    CareLeaverContact,
    Child,
    ChildCommunitySafetyPlan,
    ChildProtectionConference,
    ChildProtectionPlan,
    Conviction,
    CourtOrder,
    Deadline,
    Event,
    FamilyGroupMeeting,
    FamilyHelpEpisode,
    FamilyNetworkPlan,
    HealthCheck,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    PathwayPlan,
    Person,
    PreProceedings,
    PreviousPermanence,
    Proceedings,
    Referral,
    Relationship,
    Section47Enquiry,
    StrengthsDifficultiesScore,
    SubstanceMisuse,
    UnaccompaniedAsylumSeekingPeriod,
    User,
    Visit,
)
from careflow.record.parameters import parameter
from careflow.record.pathway import PathwayFacts, Role, Stage
from careflow.record.schemas import EventBase
from careflow.record.services.context import Ctx

__all__ = ["EARLIEST_DATE", "check_code", "facts", "open_deadline", "record", "record_with_version",
           "validate_date"]

EARLIEST_DATE = dt.date(1990, 1, 1)
S = Stage
_LEGAL_STATUS_OF_ORDER = {"interim_care_order": "C1", "care_order": "C2", "placement_order": "E1"}
_FINAL_ORDERS = {"care_order", "supervision_order", "placement_order", "special_guardianship_order",
                 "child_arrangements_order", "no_order"}
_LOOKED_AFTER_CLOCKS = ("looked_after_first_review", "looked_after_second_review", "looked_after_review",
                        "looked_after_first_visit", "looked_after_visit")
_CP_CLOCKS = ("child_protection_first_review", "child_protection_review")


# --- small helpers ------------------------------------------------------------------------------------------


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
        raise InvalidInput(f"{field}: {problem}", field=field)
    return value


def validate_date(ctx: Ctx, day: dt.date, field: str, *, child: Child | None = None,
                  after: dt.date | None = None, after_what: str = "") -> dt.date:
    """Refuse dates in the future, before 1990, before the child's birth, or before ``after`` (events in order)."""
    if day > ctx.today:
        raise InvalidInput(f"{field} {day.isoformat()} is in the future (today is {ctx.today.isoformat()})", field)
    if day < EARLIEST_DATE:
        raise InvalidInput(f"{field} {day.isoformat()} is before {EARLIEST_DATE.isoformat()}; check the year", field)
    person = child.person if child is not None else None
    if person is not None and person.date_of_birth is not None and day < person.date_of_birth:
        raise InvalidInput(
            f"{field} {day.isoformat()} is before the child's date of birth ({person.date_of_birth.isoformat()})",
            field,
        )
    if after is not None and day < after:
        raise InvalidInput(
            f"{field} {day.isoformat()} is before {after_what} ({after.isoformat()}): events are recorded in the "
            "order they happened; correct the earlier event first",
            field,
        )
    return day


def _open(session: Session, model: Any, child: Child, date_column: str = "start_date") -> Any:
    """The child's latest row of ``model`` with no end date, or None."""
    column = getattr(model, date_column)
    return session.scalars(
        select(model).where(model.child_id == child.id, model.end_date.is_(None)).order_by(column.desc(),
                                                                                           model.id.desc()).limit(1)
    ).first()


def _referral(session: Session, child: Child) -> Referral | None:
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


def _close_deadlines(ctx: Ctx, child: Child, kinds: Iterable[str], *, met_on: dt.date | None,
                     event: Event | None) -> int:
    """Mark the child's open deadlines of ``kinds`` met on ``met_on`` (or cancelled when None); how many."""
    values: dict[str, Any] = (
        {"met_date": met_on, "met_by_event_id": event.id if event else None} if met_on else {"is_cancelled": True}
    )
    result = ctx.session.execute(
        update(Deadline)
        .where(Deadline.child_id == child.id, Deadline.kind.in_(list(kinds)), Deadline.met_date.is_(None),
               Deadline.is_cancelled.is_(False))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _allocate(ctx: Ctx, child: Child, user_id: int | None, role_on_case: str, day: dt.date,
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


def _allocated(ctx: Ctx, child: Child, role_on_case: str) -> int | None:
    return ctx.session.scalar(
        select(Allocation.user_id).where(Allocation.child_id == child.id, Allocation.role_on_case == role_on_case,
                                         Allocation.end_date.is_(None)).limit(1)
    )


def facts(session: Session, child: Child) -> PathwayFacts:
    """The facts :func:`careflow.record.pathway.check` needs, from the child's record."""
    referral = _referral(session, child)
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
        has_open_proceedings=_open_proceedings(session, child) is not None,
        is_looked_after=_open(session, LookedAfterEpisode, child) is not None,
    )


def _open_proceedings(session: Session, child: Child) -> Proceedings | None:
    return session.scalars(
        select(Proceedings).where(Proceedings.child_id == child.id, Proceedings.final_hearing_date.is_(None))
        .order_by(Proceedings.issue_date.desc()).limit(1)
    ).first()


def _resting_stage(session: Session, child: Child) -> Stage:
    """The stage the child's open records put them at (after a plan, order or episode ends)."""
    checks: list[tuple[Stage, Callable[[], Any]]] = [
        (S.LOOKED_AFTER, lambda: _open(session, LookedAfterEpisode, child)),
        (S.PROCEEDINGS, lambda: _open_proceedings(session, child)),
        (S.PRE_PROCEEDINGS, lambda: _open(session, PreProceedings, child)),
        (S.FAMILY_NETWORK, lambda: _open(session, FamilyNetworkPlan, child)),
        (S.CHILD_PROTECTION, lambda: _open(session, ChildProtectionPlan, child)),
        (S.COMMUNITY_SAFETY, lambda: _open(session, ChildCommunitySafetyPlan, child)),
        (S.SECTION_47, lambda: _open(session, Section47Enquiry, child)),
        (S.CARE_LEAVER, lambda: _open(session, PathwayPlan, child)),
    ]
    for stage, found in checks:
        if found() is not None:
            return stage
    return S.FAMILY_HELP


# --- handlers: one per event kind; each returns the new stage (None: unchanged) --------------------------------

Handler = Callable[[Ctx, Child, Any, Event, dt.date], Stage | None]
HANDLERS: dict[str, Handler] = {}


def _handles(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def start_referral(ctx: Ctx, child: Child, source: str, day: dt.date, event: Event | None) -> Referral:
    """Open a CIN census episode for a first conversation; the recorder becomes key worker."""
    check_code("referral_source", source, day, "referral_source", "cin")
    last = _referral(ctx.session, child)
    referral = Referral(child_id=child.id, sequence=(last.sequence + 1) if last else 1, referral_date=day,
                        referral_source=source, is_no_further_action=False)
    ctx.session.add(referral)
    if ctx.role in (Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER):
        _allocate(ctx, child, ctx.actor.user_id, "key_worker", day)
    return referral


@_handles("conversation")
def _conversation(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    start_referral(ctx, child, form.referral_source, day, event)
    if child.team_id is None or ctx.actor.team_id is not None:
        child.team_id = ctx.actor.team_id or child.team_id
    return S.CONTACT


@_handles("family_help_started")
def _family_help_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    check_code("primary_need", form.primary_need, day, "primary_need", "cin")
    referral = _referral(ctx.session, child)
    if referral is None:
        raise InvalidInput("Family Help needs a first conversation recorded before it")
    referral.primary_need = form.primary_need
    child.primary_need = form.primary_need
    supervisor = form.supervising_social_worker_id
    if supervisor is None and ctx.role is Role.SOCIAL_WORKER:
        supervisor = ctx.actor.user_id
    if supervisor is not None:
        _require_user(ctx, supervisor, {Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER,
                                        Role.TEAM_MANAGER}, "supervising_social_worker_id")
        _allocate(ctx, child, supervisor, "supervising_social_worker", day)
    key_worker = _allocated(ctx, child, "key_worker")
    if key_worker is None and ctx.role is not Role.TEAM_MANAGER:
        key_worker = ctx.actor.user_id
        _allocate(ctx, child, key_worker, "key_worker", day)
    ctx.session.add(FamilyHelpEpisode(child_id=child.id, referral_id=referral.id, start_date=day,
                                      team_id=child.team_id, key_worker_id=key_worker,
                                      supervising_social_worker_id=supervisor))
    open_deadline(ctx, child, "assessment", referral.referral_date, event)
    return S.FAMILY_HELP


@_handles("no_further_action")
def _no_further_action(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    referral = _referral(ctx.session, child)
    if referral is not None:
        referral.is_no_further_action = True
        referral.closure_date = day
        referral.reason_for_closure = "RC8"
    _end_everything(ctx, child, day)
    return S.CLOSED


@_handles("assessment_completed")
def _assessment_completed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    for factor in form.factors:
        check_code("assessment_factors", factor, day, "factors", "cin")
    referral = _referral(ctx.session, child)
    start = referral.referral_date if referral else day
    ctx.session.add(Assessment(child_id=child.id, referral_id=referral.id if referral else None, start_date=start,
                               authorisation_date=day, factors=list(form.factors)))
    _close_deadlines(ctx, child, ["assessment"], met_on=day, event=event)
    return None


@_handles("section_47_started")
def _section_47_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    referral = _referral(ctx.session, child)
    deadline = open_deadline(ctx, child, "initial_conference", day, event)
    ctx.session.add(Section47Enquiry(child_id=child.id, referral_id=referral.id if referral else None,
                                     start_date=day, initial_conference_target_date=deadline.due_date,
                                     decided_by_id=ctx.actor.user_id, is_conference_not_required=False))
    # The ECPP co-works the case from here: no handover (001_8bebe4ae25a58006.txt:1405).
    _allocate(ctx, child, ctx.actor.user_id, "expert_child_protection_practitioner", day)
    help_episode = _open(ctx.session, FamilyHelpEpisode, child)
    if help_episode is not None:
        help_episode.expert_child_protection_practitioner_id = ctx.actor.user_id
    return S.SECTION_47


def _end_enquiry(ctx: Ctx, child: Child, day: dt.date, event: Event, *, conference: bool) -> Section47Enquiry | None:
    enquiry = _open(ctx.session, Section47Enquiry, child)
    if enquiry is not None:
        validate_date(ctx, day, "occurred_on", after=enquiry.start_date, after_what="the section 47 enquiry began")
        enquiry.end_date = day
        if conference:
            enquiry.initial_conference_date = day
        else:
            enquiry.is_conference_not_required = True
    if conference:
        _close_deadlines(ctx, child, ["initial_conference"], met_on=day, event=event)
    else:
        _close_deadlines(ctx, child, ["initial_conference"], met_on=None, event=event)
    return enquiry


@_handles("initial_conference_held")
def _initial_conference(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    enquiry = _end_enquiry(ctx, child, day, event, conference=True)
    plan_id = None
    if form.outcome == "plan":
        if not form.category_of_abuse:
            raise InvalidInput("category_of_abuse is needed when the conference decides on a plan "
                               "(NEG, PHY, SAB, EMO or MUL)", "category_of_abuse")
        check_code("category_of_abuse", form.category_of_abuse, day, "category_of_abuse", "cin")
        referral = _referral(ctx.session, child)
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
    return S.CHILD_PROTECTION if form.outcome == "plan" else _resting_stage(ctx.session, child)


@_handles("section_47_concluded")
def _section_47_concluded(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _end_enquiry(ctx, child, day, event, conference=False)
    return _resting_stage(ctx.session, child)


@_handles("child_protection_review_held")
def _cp_review(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = _open(ctx.session, ChildProtectionPlan, child)
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
    _close_deadlines(ctx, child, _CP_CLOCKS, met_on=day, event=event)
    if form.is_plan_continued:
        open_deadline(ctx, child, "child_protection_review", day, event)
        return None
    plan.end_date = day
    return _resting_stage(ctx.session, child)


@_handles("child_protection_plan_ended")
def _cp_plan_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _end_plan(ctx, child, ChildProtectionPlan, day, "child protection plan")
    _close_deadlines(ctx, child, _CP_CLOCKS, met_on=None, event=event)
    return _resting_stage(ctx.session, child)


def _end_plan(ctx: Ctx, child: Child, model: Any, day: dt.date, what: str) -> Any:
    plan = _open(ctx.session, model, child)
    if plan is None:
        raise InvalidInput(f"there is no open {what} to end")
    validate_date(ctx, day, "occurred_on", after=plan.start_date, after_what=f"the {what} began")
    plan.end_date = day
    return plan


@_handles("community_safety_plan_started")
def _ccsp_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    if _open(ctx.session, Section47Enquiry, child) is not None:
        _end_enquiry(ctx, child, day, event, conference=False)
    ctx.session.add(ChildCommunitySafetyPlan(child_id=child.id, start_date=day, harm_type=form.harm_type))
    _allocate(ctx, child, ctx.actor.user_id, "expert_child_protection_practitioner", day)
    return S.COMMUNITY_SAFETY


@_handles("community_safety_plan_ended")
def _ccsp_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _end_plan(ctx, child, ChildCommunitySafetyPlan, day, "Child Community Safety Plan")
    return _resting_stage(ctx.session, child)


@_handles("family_group_meeting_held")
def _fgdm(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    offered = form.offered_on or day
    validate_date(ctx, offered, "offered_on", child=child)
    if offered > day:
        raise InvalidInput("offered_on is after the meeting took place", "offered_on")
    ctx.session.add(FamilyGroupMeeting(child_id=child.id, offered_date=offered, meeting_date=day,
                                       is_emergency_exemption=False, outcome=form.outcome))
    return None


@_handles("emergency_recorded")
def _emergency(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    ctx.session.add(FamilyGroupMeeting(child_id=child.id, offered_date=day, is_emergency_exemption=True,
                                       emergency_reason=form.reason, outcome="none"))
    return None


@_handles("family_network_plan_started")
def _fnp_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    in_network = ctx.session.scalar(
        select(Relationship.id).where(Relationship.child_id == child.id,
                                      Relationship.person_id == form.carer_person_id).limit(1)
    )
    if in_network is None:
        raise InvalidInput(f"person {form.carer_person_id} is not in this child's family network; add them first",
                           "carer_person_id")
    if _open(ctx.session, ChildProtectionPlan, child) is not None:
        _end_plan(ctx, child, ChildProtectionPlan, day, "child protection plan")
        _close_deadlines(ctx, child, _CP_CLOCKS, met_on=None, event=event)
    pre = _open(ctx.session, PreProceedings, child)
    if pre is not None:
        pre.end_date, pre.outcome = day, "family_network_plan"
    ctx.session.add(FamilyNetworkPlan(child_id=child.id, start_date=day, carer_person_id=form.carer_person_id,
                                      weekly_funding_gbp=form.weekly_funding_gbp))
    return S.FAMILY_NETWORK


@_handles("family_network_plan_ended")
def _fnp_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _end_plan(ctx, child, FamilyNetworkPlan, day, "Family Network Plan")
    return _resting_stage(ctx.session, child)


@_handles("pre_proceedings_started")
def _pre_proceedings(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    letter = form.letter_before_proceedings_on or day
    validate_date(ctx, letter, "letter_before_proceedings_on", after=day, after_what="pre-proceedings began")
    referral = _referral(ctx.session, child)
    ctx.session.add(PreProceedings(child_id=child.id, referral_id=referral.id if referral else None, start_date=day,
                                   letter_before_proceedings_date=letter))
    return S.PRE_PROCEEDINGS


@_handles("pre_proceedings_ended")
def _pre_proceedings_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = _end_plan(ctx, child, PreProceedings, day, "pre-proceedings")
    plan.outcome = "step_down"
    return _resting_stage(ctx.session, child)


@_handles("proceedings_issued")
def _proceedings_issued(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    pre = _open(ctx.session, PreProceedings, child)
    if pre is not None:
        validate_date(ctx, day, "occurred_on", after=pre.start_date, after_what="pre-proceedings began")
        pre.end_date, pre.outcome = day, "proceedings"
    ctx.session.add(Proceedings(child_id=child.id, issue_date=day))
    open_deadline(ctx, child, "proceedings_end", day, event)
    return _resting_stage(ctx.session, child)


@_handles("order_made")
def _order_made(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    proceedings = _open_proceedings(ctx.session, child)
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
        _close_deadlines(ctx, child, ["proceedings_end"], met_on=day, event=event)
    status = _LEGAL_STATUS_OF_ORDER.get(form.order_type)
    episode = _open(ctx.session, LookedAfterEpisode, child)
    if status is not None and episode is not None and episode.legal_status != status:
        _new_episode(ctx, child, episode, day, reason_new_episode="L", legal_status=status)
    return _resting_stage(ctx.session, child)


def _current_order_status(ctx: Ctx, child: Child) -> str | None:
    orders = ctx.session.scalars(
        select(CourtOrder.order_type).where(CourtOrder.child_id == child.id, CourtOrder.end_date.is_(None))
        .order_by(CourtOrder.start_date.desc(), CourtOrder.id.desc())
    ).all()
    for order in orders:
        if order in _LEGAL_STATUS_OF_ORDER:
            return _LEGAL_STATUS_OF_ORDER[order]
    return None


def _category_of_need(child: Child) -> str | None:
    need = child.primary_need
    return need if need and need[0] == "N" and need[1:].isdigit() and 1 <= int(need[1:]) <= 8 else None


@_handles("looked_after_started")
def _looked_after_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    legal_status = form.legal_status or _current_order_status(ctx, child) or "V2"
    check_code("legal_status", legal_status, day, "legal_status")
    check_code("placement_type", form.placement_type, day, "placement_type")
    check_code("placement_provider", form.placement_provider, day, "placement_provider")
    category = _category_of_need(child) or "N1"
    ctx.session.add(LookedAfterEpisode(
        child_id=child.id, start_date=day, reason_new_episode="S", legal_status=legal_status,
        category_of_need=category, placement_type=form.placement_type, placement_provider=form.placement_provider,
        home_postcode=child.person.postcode, placement_postcode=form.placement_postcode, urn=form.urn,
    ))
    if ctx.role is Role.SOCIAL_WORKER:
        # a social worker taking the case into care replaces one allocated earlier: the case moved on
        _allocate(ctx, child, ctx.actor.user_id, "social_worker", day, reason="TSPROC")
    if form.is_unaccompanied_asylum_seeking:
        dob = child.person.date_of_birth
        if dob is None or clocks.age_on(dob, day) >= 18:
            raise InvalidInput("an unaccompanied asylum-seeking child is under 18; check the date of birth",
                               "is_unaccompanied_asylum_seeking")
        ctx.session.add(UnaccompaniedAsylumSeekingPeriod(child_id=child.id, start_date=day))
    ctx.session.add(_previous_permanence(ctx, child, form, day))
    open_deadline(ctx, child, "looked_after_first_review", day, event)
    open_deadline(ctx, child, "looked_after_first_visit", day, event)
    return S.LOOKED_AFTER


# Orders and exits from care that are a permanence option (SSDA903 PREV_PERM codes).
_PERMANENCE_OF_ORDER = {"special_guardianship_order": "P2", "child_arrangements_order": "P3"}
_PERMANENCE_OF_EXIT = {"E11": "P1", "E12": "P1", "E41": "P3", "E45": "P2", "E46": "P2", "E47": "P2", "E48": "P2"}


def _previous_permanence(ctx: Ctx, child: Child, form: Any, day: dt.date) -> PreviousPermanence:
    """What the worker said about permanence before this period of care, or what the record itself holds."""
    if form.previous_permanence is not None:
        code = check_code("previous_permanence", form.previous_permanence, day, "previous_permanence")
        when = form.previous_permanence_date
        if when is not None:
            validate_date(ctx, when, "previous_permanence_date", child=child)
            if when > day:
                raise InvalidInput("previous_permanence_date is after this period of care began",
                                   "previous_permanence_date")
        is_order = code in ("P1", "P2", "P3")
        return PreviousPermanence(child_id=child.id, period_start_date=day, permanence=code,
                                  local_authority_code=form.previous_permanence_local_authority if is_order else None,
                                  permanence_date=when if is_order else None, is_derived=False)
    held: list[tuple[dt.date, str]] = [
        (start, _PERMANENCE_OF_ORDER[kind]) for kind, start in ctx.session.execute(
            select(CourtOrder.order_type, CourtOrder.start_date).where(
                CourtOrder.child_id == child.id, CourtOrder.order_type.in_(list(_PERMANENCE_OF_ORDER)),
                CourtOrder.start_date <= day))
    ]
    for reason, end in ctx.session.execute(
        select(LookedAfterEpisode.reason_episode_ceased, LookedAfterEpisode.end_date).where(
            LookedAfterEpisode.child_id == child.id,
            LookedAfterEpisode.reason_episode_ceased.in_(list(_PERMANENCE_OF_EXIT)), LookedAfterEpisode.end_date <= day)
    ):
        if reason is not None and end is not None:
            held.append((end, _PERMANENCE_OF_EXIT[reason]))
    if not held:  # nobody said and the record holds none: the return says "unknown" (P4)
        return PreviousPermanence(child_id=child.id, period_start_date=day, is_derived=True)
    when, code = max(held)
    return PreviousPermanence(child_id=child.id, period_start_date=day, permanence=code,
                              local_authority_code=ctx.settings.la_code, permanence_date=when, is_derived=True)


def _new_episode(ctx: Ctx, child: Child, current: LookedAfterEpisode, day: dt.date, **changes: Any) -> None:
    """End ``current`` and start the next episode the same day with ``changes`` (SSDA903: REC X1)."""
    validate_date(ctx, day, "occurred_on", after=current.start_date, after_what="the current episode of care began")
    if day == current.start_date:  # a same-day correction: no zero-length episodes in the SSDA903
        for key, value in changes.items():
            if key != "reason_new_episode":
                setattr(current, key, value)
        return
    current.end_date, current.reason_episode_ceased = day, "X1"
    values = {c: getattr(current, c) for c in ("legal_status", "category_of_need", "placement_type",
                                                "placement_provider", "home_postcode", "placement_postcode", "urn")}
    values.update(changes)
    ctx.session.add(LookedAfterEpisode(child_id=child.id, start_date=day, **values))


def _open_episode(ctx: Ctx, child: Child) -> LookedAfterEpisode:
    episode = _open(ctx.session, LookedAfterEpisode, child)
    if episode is None:  # the pathway check already requires one; kept for callers that skip it
        raise InvalidInput(f"child {child.id} has no open episode of care")
    found: LookedAfterEpisode = episode
    return found


@_handles("placement_changed")
def _placement_changed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    episode = _open_episode(ctx, child)
    check_code("placement_type", form.placement_type, day, "placement_type")
    check_code("placement_provider", form.placement_provider, day, "placement_provider")
    check_code("reason_placement_change", form.reason_placement_change, day, "reason_placement_change")
    _new_episode(ctx, child, episode, day, reason_new_episode="T" if form.is_same_carer else "P",
                 placement_type=form.placement_type, placement_provider=form.placement_provider,
                 reason_placement_change=form.reason_placement_change, placement_postcode=form.placement_postcode)
    _close_deadlines(ctx, child, ["looked_after_first_visit", "looked_after_visit"], met_on=None, event=event)
    open_deadline(ctx, child, "looked_after_first_visit", day, event)
    return None


@_handles("legal_status_changed")
def _legal_status_changed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    episode = _open_episode(ctx, child)
    check_code("legal_status", form.legal_status, day, "legal_status")
    if form.legal_status != episode.legal_status:
        _new_episode(ctx, child, episode, day, reason_new_episode="L", legal_status=form.legal_status)
    return None


@_handles("looked_after_review_held")
def _looked_after_review(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    dob = child.person.date_of_birth
    participation = form.participation
    if participation is None:
        if dob is None or clocks.age_on(dob, day) >= 4:
            raise InvalidInput("participation is needed for a child aged 4 or over (PN1 to PN7)", "participation")
        participation = "PN0"  # derived: the child is under 4
    check_code("review_participation", participation, day, "participation")
    ctx.session.add(LookedAfterReview(child_id=child.id, review_date=day, participation=participation))
    open_kinds = set(ctx.session.scalars(
        select(Deadline.kind).where(Deadline.child_id == child.id, Deadline.met_date.is_(None),
                                    Deadline.is_cancelled.is_(False),
                                    Deadline.kind.in_(["looked_after_first_review", "looked_after_second_review",
                                                       "looked_after_review"]))
    ))
    _close_deadlines(ctx, child, list(open_kinds), met_on=day, event=event)
    nxt = "looked_after_second_review" if "looked_after_first_review" in open_kinds else "looked_after_review"
    open_deadline(ctx, child, nxt, day, event)
    return None


def _weeks_looked_after_since(ctx: Ctx, child: Child, since: dt.date, until: dt.date) -> float:
    days = 0
    for episode in ctx.session.scalars(select(LookedAfterEpisode).where(LookedAfterEpisode.child_id == child.id)):
        start = max(episode.start_date, since)
        end = min(episode.end_date or until, until)
        days += max(0, (end - start).days)
    return days / 7


def is_care_leaver(ctx: Ctx, child: Child, day: dt.date) -> bool:
    """Eligible care leaver: aged 16+ on leaving, looked after 13+ weeks since 14 (parameters)."""
    dob = child.person.date_of_birth
    if dob is None:
        return False
    from_age = int(parameter("care_leaver/eligibility/from_age/years").at(day))
    leaving_age = int(parameter("care_leaver/eligibility/leaving_age/years").at(day))
    weeks = float(parameter("care_leaver/eligibility/looked_after/weeks").at(day))
    if clocks.age_on(dob, day) < leaving_age:
        return False
    return _weeks_looked_after_since(ctx, child, clocks.add_months(dob, 12 * from_age), day) >= weeks


@_handles("looked_after_ended")
def _looked_after_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    episode = _open_episode(ctx, child)
    check_code("reason_episode_ceased", form.reason_episode_ceased, day, "reason_episode_ceased")
    if form.reason_episode_ceased == "X1":
        raise InvalidInput("X1 means a new episode follows the same day: record a placement or legal status change "
                           "instead", "reason_episode_ceased")
    validate_date(ctx, day, "occurred_on", after=episode.start_date, after_what="the episode of care began")
    if form.reason_episode_ceased in ("E11", "E12"):
        plan = _open_adoption_plan(ctx, child)
        if plan is None or plan.matched_date is None:
            raise InvalidInput("an adoption needs the decision that the child should be placed for adoption and the "
                               "match with adopters recorded first", "reason_episode_ceased")
    episode.end_date, episode.reason_episode_ceased = day, form.reason_episode_ceased
    _close_deadlines(ctx, child, _LOOKED_AFTER_CLOCKS, met_on=None, event=event)
    if is_care_leaver(ctx, child, day):
        if _open(ctx.session, PathwayPlan, child) is None:
            ctx.session.add(PathwayPlan(child_id=child.id, start_date=day))
            open_deadline(ctx, child, "pathway_plan_review", day, event)
        return S.CARE_LEAVER
    return _resting_stage(ctx.session, child)


@_handles("visit_made")
def _visit(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    ctx.session.add(Visit(child_id=child.id, visit_date=day, is_seen_alone=form.is_seen_alone))
    met = _close_deadlines(ctx, child, ["looked_after_first_visit", "looked_after_visit"], met_on=day, event=event)
    if met or _open(ctx.session, LookedAfterEpisode, child) is not None:
        open_deadline(ctx, child, "looked_after_visit", day, event)
    return None


@_handles("pathway_plan_reviewed")
def _pathway_plan_reviewed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = _open(ctx.session, PathwayPlan, child)
    if plan is None:
        plan = PathwayPlan(child_id=child.id, start_date=day)
        ctx.session.add(plan)
    plan.latest_review_date = day
    _close_deadlines(ctx, child, ["pathway_plan_review"], met_on=day, event=event)
    open_deadline(ctx, child, "pathway_plan_review", day, event)
    return None


@_handles("staying_arrangement_started")
def _staying(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    dob = child.person.date_of_birth
    if dob is None or clocks.age_on(dob, day) < 18:
        raise InvalidInput("Staying Put and Staying Close begin at 18; the child is younger", "occurred_on")
    limit = int(parameter("care_leaver/staying_arrangement_until_age/years").at(day))
    if clocks.age_on(dob, day) >= limit:
        raise InvalidInput(f"Staying Put and Staying Close run to {limit}; the young person is {limit} or older",
                           "occurred_on")
    ctx.session.add(CareLeaverArrangement(child_id=child.id, kind=form.arrangement, start_date=day))
    return None


def _require_user(ctx: Ctx, user_id: int, roles: set[Role], field: str) -> User:
    user = ctx.session.get(User, user_id)
    if user is None or not user.is_active:
        raise InvalidInput(f"{field}: no active user {user_id}", field)
    if Role(user.role) not in roles:
        raise InvalidInput(
            f"{field}: user {user_id} is a {Role(user.role).label}, expected a " + " or ".join(r.label for r in roles),
            field,
        )
    return user


@_handles("advocate_assigned")
def _advocate(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _require_user(ctx, form.advocate_id, {Role.ADVOCATE}, "advocate_id")
    current = _open(ctx.session, Advocacy, child)
    if current is not None:
        current.end_date = day
    ctx.session.add(Advocacy(child_id=child.id, advocate_id=form.advocate_id, start_date=day))
    _allocate(ctx, child, form.advocate_id, "advocate", day)
    return None


_ROLES_ON_CASE = {
    "key_worker": {Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER},
    "supervising_social_worker": {Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER, Role.TEAM_MANAGER},
    "social_worker": {Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER},
    "expert_child_protection_practitioner": {Role.EXPERT_CHILD_PROTECTION_PRACTITIONER},
    "personal_adviser": {Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER},
}


@_handles("worker_allocated")
def _worker_allocated(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _require_user(ctx, form.user_id, _ROLES_ON_CASE[form.role_on_case], "user_id")
    check_code("social_worker_change_reason", form.reason_for_change, day, "reason_for_change")
    _allocate(ctx, child, form.user_id, form.role_on_case, day, reason=form.reason_for_change)
    return None


# --- care: missing episodes, adoption, health and outcomes, care leavers ---------------------------------------

_MISSING_TYPE = {"missing": "M", "away_without_authorisation": "A"}


def _open_missing(ctx: Ctx, child: Child) -> MissingEpisode | None:
    found: MissingEpisode | None = _open(ctx.session, MissingEpisode, child)
    return found


@_handles("missing_started")
def _missing_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    current = _open_missing(ctx, child)
    if current is not None:
        raise InvalidInput(f"the child is already recorded missing or away since {current.start_date.isoformat()}; "
                           "record their return first", "occurred_on")
    ctx.session.add(MissingEpisode(child_id=child.id, missing_type=_MISSING_TYPE[form.missing_type], start_date=day))
    return None


@_handles("missing_ended")
def _missing_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    current = _open_missing(ctx, child)
    if current is None:
        raise InvalidInput("the child is not recorded as missing or away", "occurred_on")
    validate_date(ctx, day, "occurred_on", after=current.start_date, after_what="the child went missing")
    current.end_date = day
    return None


def _open_adoption_plan(ctx: Ctx, child: Child) -> AdoptionPlan | None:
    return ctx.session.scalars(
        select(AdoptionPlan).where(AdoptionPlan.child_id == child.id, AdoptionPlan.ceased_date.is_(None))
        .order_by(AdoptionPlan.decision_date.desc(), AdoptionPlan.id.desc()).limit(1)
    ).first()


@_handles("adoption_decision_made")
def _adoption_decision(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    current = _open_adoption_plan(ctx, child)
    if current is not None:
        raise InvalidInput(f"the decision that the child should be placed for adoption was already made on "
                           f"{current.decision_date.isoformat()}", "occurred_on")
    ctx.session.add(AdoptionPlan(child_id=child.id, decision_date=day))
    return None


def _adoption_plan_needed(ctx: Ctx, child: Child, day: dt.date) -> AdoptionPlan:
    plan = _open_adoption_plan(ctx, child)
    if plan is None:
        raise InvalidInput("record the decision that the child should be placed for adoption first", "occurred_on")
    validate_date(ctx, day, "occurred_on", after=plan.decision_date,
                  after_what="the decision that the child should be placed for adoption")
    return plan


@_handles("adoption_match_made")
def _adoption_match(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = _adoption_plan_needed(ctx, child, day)
    sex = check_code("adopter_sex", form.sex_of_adopters, day, "sex_of_adopters")
    single = sex in ("M1", "F1")
    status = form.legal_status_of_adopters or ("L0" if single else None)
    if status is None:
        raise InvalidInput("legal_status_of_adopters is needed for a couple (L11, L12, L2, L3 or L4)",
                           "legal_status_of_adopters")
    check_code("adopter_legal_status", status, day, "legal_status_of_adopters")
    if single != (status == "L0"):
        raise InvalidInput(f"sex_of_adopters {sex} and legal_status_of_adopters {status} disagree: L0 is a single "
                           "adopter (M1 or F1), the others a couple", "legal_status_of_adopters")
    plan.matched_date, plan.sex_of_adopters, plan.legal_status_of_adopters = day, sex, status
    plan.number_of_adopters = 1 if single else 2
    plan.is_foster_carer_adoption = form.is_foster_carer_adoption
    return None


@_handles("adoption_decision_reversed")
def _adoption_reversed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = _adoption_plan_needed(ctx, child, day)
    plan.reason_ceased = check_code("reason_placed_for_adoption_ceased", form.reason_adoption_decision_reversed,
                                    day, "reason_adoption_decision_reversed")
    plan.ceased_date = day
    return None


@_handles("health_check_held")
def _health_check(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    dob = child.person.date_of_birth
    if form.check == "development_check" and (dob is None or clocks.age_on(dob, day) >= 5):
        raise InvalidInput("developmental health checks are for children under 5", "check")
    ctx.session.add(HealthCheck(
        child_id=child.id, kind=form.check, check_date=day,
        is_immunisations_up_to_date=form.is_immunisations_up_to_date if form.check == "health_assessment" else None,
    ))
    return None


@_handles("strengths_difficulties_recorded")
def _sdq(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    if (form.score is None) == (form.reason_no_score is None):
        raise InvalidInput("give either the score (0 to 40) or why there is none (SDQ1 to SDQ5), not both",
                           "score")
    reason = check_code("sdq_reason", form.reason_no_score, day, "reason_no_score")
    ctx.session.add(StrengthsDifficultiesScore(child_id=child.id, assessed_date=day, score=form.score,
                                               reason_no_score=reason))
    return None


@_handles("conviction_recorded")
def _conviction(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    dob = child.person.date_of_birth
    if dob is not None and clocks.age_on(dob, day) < 10:
        raise InvalidInput("a child under 10 cannot be convicted (the age of criminal responsibility is 10)",
                           "occurred_on")
    ctx.session.add(Conviction(child_id=child.id, conviction_date=day))
    return None


@_handles("substance_misuse_identified")
def _substance_misuse(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    received = form.is_intervention_received
    ctx.session.add(SubstanceMisuse(child_id=child.id, identified_date=day,
                                    is_intervention_offered=form.is_intervention_offered or received,
                                    is_intervention_received=received))
    return None


@_handles("care_leaver_contact_recorded")
def _care_leaver_contact(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    in_touch = check_code("care_leaver_in_touch", form.in_touch, day, "in_touch")
    if in_touch == "YES":
        for name in ("activity", "accommodation"):
            if getattr(form, name) in (None, "0"):
                raise InvalidInput(f"{name} is needed when the young person is in touch", name)
        activity = check_code("care_leaver_activity", form.activity, day, "activity")
        accommodation = check_code("care_leaver_accommodation", form.accommodation, day, "accommodation")
    else:  # not in touch, refused contact, returned home, died, no longer needs services: nothing more is known
        activity = accommodation = "0"
    ctx.session.add(CareLeaverContact(child_id=child.id, contact_date=day, in_touch=in_touch,
                                      activity=activity or "0", accommodation=accommodation or "0"))
    return None


@_handles("family_member_added")
def _family_member(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    if form.date_of_birth is not None:
        validate_date(ctx, form.date_of_birth, "date_of_birth")
    person = Person(given_name=form.given_name, family_name=form.family_name, date_of_birth=form.date_of_birth)
    ctx.session.add(person)
    ctx.session.flush()
    ctx.session.add(Relationship(child_id=child.id, person_id=person.id, kind=form.relationship,
                                 has_parental_responsibility=form.has_parental_responsibility, is_significant=True,
                                 start_date=day))
    event.payload = {**event.payload, "person_id": person.id}
    ctx.session.execute(update(Event).where(Event.id == event.id).values(payload=event.payload))
    return None


@_handles("note_added")
def _note(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    return None


def _end_everything(ctx: Ctx, child: Child, day: dt.date) -> None:
    for model in (FamilyHelpEpisode, FamilyNetworkPlan, ChildCommunitySafetyPlan, PathwayPlan, Advocacy):
        ctx.session.execute(update(model).where(model.child_id == child.id, model.end_date.is_(None))
                            .values(end_date=day).execution_options(synchronize_session=False))
    ctx.session.execute(update(Allocation).where(Allocation.child_id == child.id, Allocation.end_date.is_(None))
                        .values(end_date=day).execution_options(synchronize_session=False))
    ctx.session.execute(update(Deadline).where(Deadline.child_id == child.id, Deadline.met_date.is_(None),
                                               Deadline.is_cancelled.is_(False))
                        .values(is_cancelled=True).execution_options(synchronize_session=False))


@_handles("case_closed")
def _case_closed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    check_code("reason_for_closure", form.reason_for_closure, day, "reason_for_closure", "cin")
    referral = _referral(ctx.session, child)
    if referral is not None and referral.closure_date is None:
        validate_date(ctx, day, "occurred_on", after=referral.referral_date, after_what="the first conversation")
        referral.closure_date, referral.reason_for_closure = day, form.reason_for_closure
    _end_everything(ctx, child, day)
    return S.CLOSED


# --- the entry point ----------------------------------------------------------------------------------------


def _payload(form: EventBase) -> dict[str, Any]:
    return form.model_dump(mode="json", exclude={"version", "note", "kind"}, exclude_none=True)


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
    day = validate_date(ctx, form.occurred_on or ctx.today, "occurred_on", child=child, after=child.stage_since,
                        after_what=f"the child's current stage began ({stage.label.lower()})")
    values: dict[str, Any] = {"child_id": child.id, "kind": kind, "occurred_on": day,
                              "recorded_at": dt.datetime.now(dt.UTC), "recorded_by_id": ctx.actor.user_id,
                              "payload": _payload(form), "note": form.note}
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
    from careflow.record.services.records import load_child

    child = load_child(ctx, child_id, write=True)
    event = apply_event(ctx, child, form)
    ctx.session.flush()
    ctx.audit("write", child_id=child.id, entity="event", entity_id=event.id,
              detail={"kind": event.kind, "version": child.version})
    return event, child.version
