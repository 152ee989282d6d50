"""Events of care and leaving care: episodes, placements, legal status, reviews, visits, missing episodes,
adoption, health and outcomes, care leavers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from careflow.record import clocks
from careflow.record.errors import InvalidInput
from careflow.record.labels import human_date
from careflow.record.models import (
    AdoptionPlan,
    CareLeaverArrangement,
    CareLeaverContact,
    Child,
    Conviction,
    CourtOrder,
    Deadline,
    Event,
    HealthCheck,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    PathwayPlan,
    PreviousPermanence,
    StrengthsDifficultiesScore,
    SubstanceMisuse,
    UnaccompaniedAsylumSeekingPeriod,
    Visit,
)
from careflow.record.parameters import parameter
from careflow.record.pathway import Role, Stage
from careflow.record.services.context import Ctx
from careflow.record.services.event_rules import (
    S,
    allocate,
    check_code,
    close_deadlines,
    handles,
    offer_advocacy,
    open_deadline,
    open_row,
    resting_stage,
    validate_date,
)

__all__ = [
    "EPISODE_KINDS",
    "LEGAL_STATUS_OF_ORDER",
    "change_legal_status",
    "is_care_leaver",
    "new_episode",
    "rederive_episodes",
]


LEGAL_STATUS_OF_ORDER = {"interim_care_order": "C1", "care_order": "C2", "placement_order": "E1"}


_LOOKED_AFTER_CLOCKS = ("looked_after_first_review", "looked_after_second_review", "looked_after_review",
                        "looked_after_first_visit", "looked_after_visit")


def _order_status(ctx: Ctx, child: Child, on: dt.date | None = None) -> str | None:
    """The legal status the child's orders give, the latest order first: the orders in force on ``on``, or without
    it the orders still open (as a period of care is recorded)."""
    in_force = (CourtOrder.end_date.is_(None) if on is None else
                (CourtOrder.start_date <= on) & (CourtOrder.end_date.is_(None) | (CourtOrder.end_date > on)))
    orders = ctx.session.scalars(
        select(CourtOrder.order_type).where(CourtOrder.child_id == child.id, in_force)
        .order_by(CourtOrder.start_date.desc(), CourtOrder.id.desc())
    ).all()
    return next((LEGAL_STATUS_OF_ORDER[o] for o in orders if o in LEGAL_STATUS_OF_ORDER), None)


def _category_of_need(child: Child) -> str | None:
    need = child.primary_need
    return need if need and need[0] == "N" and need[1:].isdigit() and 1 <= int(need[1:]) <= 8 else None


def _start_episode(ctx: Ctx, child: Child, form: Any, day: dt.date, *, legal_status: str | None,
                   category_of_need: str, home_postcode: str | None) -> None:
    """The first episode of a period of care (SSDA903 RNE S); the status is V2 when no order or worker says."""
    legal_status = legal_status or "V2"
    check_code("legal_status", legal_status, day, "legal_status")
    check_code("placement_type", form.placement_type, day, "placement_type")
    check_code("placement_provider", form.placement_provider, day, "placement_provider")
    ctx.session.add(LookedAfterEpisode(
        child_id=child.id, start_date=day, reason_new_episode="S", legal_status=legal_status,
        category_of_need=category_of_need, placement_type=form.placement_type,
        placement_provider=form.placement_provider, home_postcode=home_postcode,
        placement_postcode=form.placement_postcode, urn=form.urn,
    ))


@handles("looked_after_started")
def _looked_after_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _start_episode(ctx, child, form, day, legal_status=form.legal_status or _order_status(ctx, child),
                   category_of_need=_category_of_need(child) or "N1", home_postcode=child.person.postcode)
    if ctx.role is Role.SOCIAL_WORKER:
        # a social worker taking the case into care replaces one allocated earlier: the case moved on
        allocate(ctx, child, ctx.actor.user_id, "social_worker", day, reason="TSPROC")
    if form.is_unaccompanied_asylum_seeking:
        dob = child.person.date_of_birth
        if dob is None or clocks.age_on(dob, day) >= 18:
            raise InvalidInput("an unaccompanied asylum-seeking child is under 18; check the date of birth",
                               "is_unaccompanied_asylum_seeking")
        ctx.session.add(UnaccompaniedAsylumSeekingPeriod(child_id=child.id, start_date=day))
    ctx.session.add(_previous_permanence(ctx, child, form, day))
    open_deadline(ctx, child, "looked_after_first_review", day, event)
    open_deadline(ctx, child, "looked_after_first_visit", day, event)
    offer_advocacy(ctx, child, day, event)
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


def new_episode(ctx: Ctx, child: Child, current: LookedAfterEpisode, day: dt.date, **changes: Any) -> None:
    """End ``current`` and start the next episode the same day with ``changes`` (SSDA903: REC X1).

    The reason for a placement change goes on the episode that ends, not on the new one: the SSDA903 records it
    where the placement ended (DfE rule 225: an episode ending X1 before a change of placement, RNE P, B, T or U,
    must carry REASON_PLACE_CHANGE; csc-validator-be-903 ``lac_validator/rules/lac2022_23/rule_225.py``).
    """
    validate_date(ctx, day, "occurred_on", after=current.start_date, after_what="the current episode of care began")
    reason = changes.pop("reason_placement_change", None)
    if day == current.start_date:  # a same-day correction: no zero-length episodes in the SSDA903
        for key, value in changes.items():
            if key != "reason_new_episode":
                setattr(current, key, value)
        if reason is not None:  # the episode that ended that day is the one the placement change ended
            ended = ctx.session.scalar(select(LookedAfterEpisode).where(
                LookedAfterEpisode.child_id == child.id, LookedAfterEpisode.end_date == day,
                LookedAfterEpisode.reason_episode_ceased == "X1"))
            if ended is not None:
                ended.reason_placement_change = reason
        return
    current.end_date, current.reason_episode_ceased = day, "X1"
    if reason is not None:
        current.reason_placement_change = reason
    values = {c: getattr(current, c) for c in ("legal_status", "category_of_need", "placement_type",
                                                "placement_provider", "home_postcode", "placement_postcode", "urn")}
    values.update(changes)
    ctx.session.add(LookedAfterEpisode(child_id=child.id, start_date=day, **values))


def _open_episode(ctx: Ctx, child: Child) -> LookedAfterEpisode:
    episode = open_row(ctx.session, LookedAfterEpisode, child)
    if episode is None:  # the pathway check already requires one; kept for callers that skip it
        raise InvalidInput(f"child {child.id} has no open episode of care")
    found: LookedAfterEpisode = episode
    return found


def _change_placement(ctx: Ctx, child: Child, form: Any, day: dt.date) -> None:
    episode = _open_episode(ctx, child)
    check_code("placement_type", form.placement_type, day, "placement_type")
    check_code("placement_provider", form.placement_provider, day, "placement_provider")
    check_code("reason_placement_change", form.reason_placement_change, day, "reason_placement_change")
    new_episode(ctx, child, episode, day, reason_new_episode="T" if form.is_same_carer else "P",
                 placement_type=form.placement_type, placement_provider=form.placement_provider,
                 reason_placement_change=form.reason_placement_change, placement_postcode=form.placement_postcode)


@handles("placement_changed")
def _placement_changed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _change_placement(ctx, child, form, day)
    close_deadlines(ctx, child, ["looked_after_first_visit", "looked_after_visit"], met_on=None, event=event)
    open_deadline(ctx, child, "looked_after_first_visit", day, event)
    return None


@handles("legal_status_changed")
def _legal_status_changed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    episode = _open_episode(ctx, child)
    check_code("legal_status", form.legal_status, day, "legal_status")
    change_legal_status(ctx, child, episode, form.legal_status, day)
    return None


def change_legal_status(ctx: Ctx, child: Child, episode: LookedAfterEpisode | None, status: str | None,
                        day: dt.date) -> None:
    """A new episode (RNE L) when ``status`` differs from the open ``episode``'s (an order or a worker said)."""
    if status is not None and episode is not None and episode.legal_status != status:
        new_episode(ctx, child, episode, day, reason_new_episode="L", legal_status=status)


@handles("looked_after_review_held")
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
    close_deadlines(ctx, child, list(open_kinds), met_on=day, event=event)
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


def _end_episode(ctx: Ctx, child: Child, form: Any, day: dt.date) -> None:
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


@handles("looked_after_ended")
def _looked_after_ended(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    _end_episode(ctx, child, form, day)
    close_deadlines(ctx, child, _LOOKED_AFTER_CLOCKS, met_on=None, event=event)
    if is_care_leaver(ctx, child, day):
        if open_row(ctx.session, PathwayPlan, child) is None:
            ctx.session.add(PathwayPlan(child_id=child.id, start_date=day))
            open_deadline(ctx, child, "pathway_plan_review", day, event)
        return S.CARE_LEAVER
    return resting_stage(ctx.session, child)


@handles("visit_made")
def _visit(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    ctx.session.add(Visit(child_id=child.id, visit_date=day, is_seen_alone=form.is_seen_alone))
    kinds = ["looked_after_first_visit", "looked_after_visit"]
    met = close_deadlines(ctx, child, kinds, met_on=day, event=event, opened_by=day)
    # A visit recorded late leaves the clock that a later event started running.
    running_later = ctx.session.scalar(
        select(Deadline.id).where(Deadline.child_id == child.id, Deadline.kind.in_(kinds), Deadline.basis_date > day,
                                  Deadline.met_date.is_(None), Deadline.is_cancelled.is_(False)).limit(1)
    )
    if running_later is None and (met or open_row(ctx.session, LookedAfterEpisode, child) is not None):
        open_deadline(ctx, child, "looked_after_visit", day, event)
    return None


@handles("pathway_plan_reviewed")
def _pathway_plan_reviewed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = open_row(ctx.session, PathwayPlan, child)
    if plan is None:
        plan = PathwayPlan(child_id=child.id, start_date=day)
        ctx.session.add(plan)
    plan.latest_review_date = day
    close_deadlines(ctx, child, ["pathway_plan_review"], met_on=day, event=event)
    open_deadline(ctx, child, "pathway_plan_review", day, event)
    return None


@handles("staying_arrangement_started")
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


_MISSING_TYPE = {"missing": "M", "away_without_authorisation": "A"}


def _open_missing(ctx: Ctx, child: Child) -> MissingEpisode | None:
    found: MissingEpisode | None = open_row(ctx.session, MissingEpisode, child)
    return found


@handles("missing_started")
def _missing_started(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    current = _open_missing(ctx, child)
    if current is not None:
        raise InvalidInput(f"the child is already recorded missing or away since {human_date(current.start_date)}; "
                           "record their return first", "occurred_on")
    ctx.session.add(MissingEpisode(child_id=child.id, missing_type=_MISSING_TYPE[form.missing_type], start_date=day))
    return None


@handles("missing_ended")
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


@handles("adoption_decision_made")
def _adoption_decision(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    current = _open_adoption_plan(ctx, child)
    if current is not None:
        raise InvalidInput(f"the decision that the child should be placed for adoption was already made on "
                           f"{human_date(current.decision_date)}", "occurred_on")
    ctx.session.add(AdoptionPlan(child_id=child.id, decision_date=day))
    return None


def _adoption_plan_needed(ctx: Ctx, child: Child, day: dt.date) -> AdoptionPlan:
    plan = _open_adoption_plan(ctx, child)
    if plan is None:
        raise InvalidInput("record the decision that the child should be placed for adoption first", "occurred_on")
    validate_date(ctx, day, "occurred_on", after=plan.decision_date,
                  after_what="the decision that the child should be placed for adoption")
    return plan


@handles("adoption_match_made")
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


@handles("adoption_decision_reversed")
def _adoption_reversed(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    plan = _adoption_plan_needed(ctx, child, day)
    plan.reason_ceased = check_code("reason_placed_for_adoption_ceased", form.reason_adoption_decision_reversed,
                                    day, "reason_adoption_decision_reversed")
    plan.ceased_date = day
    return None


@handles("health_check_held")
def _health_check(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    dob = child.person.date_of_birth
    if form.check == "development_check" and (dob is None or clocks.age_on(dob, day) >= 5):
        raise InvalidInput("developmental health checks are for children under 5", "check")
    ctx.session.add(HealthCheck(
        child_id=child.id, kind=form.check, check_date=day,
        is_immunisations_up_to_date=form.is_immunisations_up_to_date if form.check == "health_assessment" else None,
    ))
    return None


@handles("strengths_difficulties_recorded")
def _sdq(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    if (form.score is None) == (form.reason_no_score is None):
        raise InvalidInput("give either the score (0 to 40) or why there is none (SDQ1 to SDQ5), not both",
                           "score")
    reason = check_code("sdq_reason", form.reason_no_score, day, "reason_no_score")
    ctx.session.add(StrengthsDifficultiesScore(child_id=child.id, assessed_date=day, score=form.score,
                                               reason_no_score=reason))
    return None


@handles("conviction_recorded")
def _conviction(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    dob = child.person.date_of_birth
    if dob is not None and clocks.age_on(dob, day) < 10:
        raise InvalidInput("a child under 10 cannot be convicted (the age of criminal responsibility is 10)",
                           "occurred_on")
    ctx.session.add(Conviction(child_id=child.id, conviction_date=day))
    return None


@handles("substance_misuse_identified")
def _substance_misuse(ctx: Ctx, child: Child, form: Any, event: Event, day: dt.date) -> Stage | None:
    received = form.is_intervention_received
    ctx.session.add(SubstanceMisuse(child_id=child.id, identified_date=day,
                                    is_intervention_offered=form.is_intervention_offered or received,
                                    is_intervention_received=received))
    return None


@handles("care_leaver_contact_recorded")
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


# The events whose fields build the episodes of care (and so the SSDA903 episodes file), in the order they apply.
EPISODE_KINDS = ("looked_after_started", "placement_changed", "legal_status_changed", "order_made",
                 "looked_after_ended")

_EPISODE_FIELDS = ("start_date", "end_date", "reason_new_episode", "legal_status", "category_of_need",
                   "placement_type", "placement_provider", "reason_episode_ceased", "reason_placement_change",
                   "home_postcode", "placement_postcode", "urn")


def _episode_row(episode: LookedAfterEpisode) -> dict[str, str | None]:
    """The row for the audit log, which is kept for good: no postcodes (a carer's address; the events hold them)."""
    return {f: (v.isoformat() if isinstance(v, dt.date) else v) for f in _EPISODE_FIELDS if not f.endswith("postcode")
            for v in [getattr(episode, f)]}


def rederive_episodes(ctx: Ctx, child: Child, history: list[tuple[str, dt.date, Any]]) -> dict[str, Any]:
    """Rebuild the child's episodes of care from ``history``: the events of :data:`EPISODE_KINDS` as corrected
    (retracted ones left out), each ``(kind, date, form)``, in the order they happened.

    The episode steps are the ones the events' own handlers take (:func:`new_episode` and the rest), so a corrected
    history gives the rows the right events would have given. What the events do not hold is kept from the old rows,
    period by period: the home postcode and the category of need as they were when each period of care began (the
    child's current ones may have changed since). Returns the rows before and after, for the audit.

    Raises:
        InvalidInput: the corrected history does not make episodes (a placement change before the period began), or
            the child has episodes that no event here recorded (loaded from an earlier system).
    """
    old = list(ctx.session.scalars(select(LookedAfterEpisode).where(LookedAfterEpisode.child_id == child.id)
                                   .order_by(LookedAfterEpisode.start_date, LookedAfterEpisode.id)))
    before = [_episode_row(e) for e in old]
    periods = [e for e in old if e.reason_new_episode == "S"]
    starts = [h for h in history if h[0] == "looked_after_started"]
    # the events here make episodes with RNE S, P, T and L only, and one S for each period they began
    if len(periods) != len(starts) or any(e.reason_new_episode not in ("S", "P", "T", "L") for e in old):
        raise InvalidInput(f"child {child.id}'s episodes of care were not all recorded as events on this record "
                           "(some were loaded from an earlier system), so they cannot be rebuilt from the events; "
                           "record the right event instead (a placement or legal status change)",
                           "corrects_event_id")
    for episode in old:
        ctx.session.delete(episode)
    ctx.session.flush()
    period = 0
    for kind, day, form in history:
        if kind == "looked_after_started":
            kept = periods[period]
            period += 1
            _start_episode(ctx, child, form, day, legal_status=form.legal_status or _order_status(ctx, child, day),
                           category_of_need=kept.category_of_need or "N1", home_postcode=kept.home_postcode)
            continue
        episode = open_row(ctx.session, LookedAfterEpisode, child)
        if kind == "order_made":
            change_legal_status(ctx, child, episode, LEGAL_STATUS_OF_ORDER.get(form.order_type), day)
            continue
        if episode is None:
            label = kind.replace("_", " ")
            raise InvalidInput(f"as corrected, the {label} of {human_date(day)} falls outside any episode of care; "
                               "check the corrected date", "corrected_occurred_on")
        if kind == "placement_changed":
            _change_placement(ctx, child, form, day)
        elif kind == "legal_status_changed":
            check_code("legal_status", form.legal_status, day, "legal_status")
            change_legal_status(ctx, child, episode, form.legal_status, day)
        elif kind == "looked_after_ended":
            _end_episode(ctx, child, form, day)
    ctx.session.flush()
    after = [_episode_row(e) for e in ctx.session.scalars(
        select(LookedAfterEpisode).where(LookedAfterEpisode.child_id == child.id)
        .order_by(LookedAfterEpisode.start_date, LookedAfterEpisode.id))]
    return {"before": before, "after": after}
