"""Caseloads and deadline lists: my caseload, the team's overdue and due-soon dashboard, the analysts' view.

Lists of named children are audited as one entry naming the children shown; the analysts' list is
pseudonymised (an HMAC of the record id, an age band, no names, identifiers, dates of birth or free text).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select

from careflow.record import clocks
from careflow.record.errors import AccessDenied, InvalidInput, NotFound
from careflow.record.models import Allocation, Child, Deadline, Person, Team, User
from careflow.record.pathway import Role, Stage
from careflow.record.schemas import ChildPseudonymised, DeadlinePublic, Page
from careflow.record.security import pseudonym
from careflow.record.services import access
from careflow.record.services.context import Ctx
from careflow.record.services.records import deadline_public

__all__ = ["AGE_BANDS", "CASELOAD_SORTS", "CaseloadRow", "DeadlineRow", "age_band", "caseload",
           "pseudonymised_children", "team_deadlines"]

# The age bands of the DfE's children-looked-after and children-in-need statistics.
AGE_BANDS: tuple[tuple[int, str], ...] = ((1, "under 1"), (5, "1 to 4"), (10, "5 to 9"), (16, "10 to 15"),
                                          (18, "16 to 17"), (200, "18 and over"))


def age_band(date_of_birth: dt.date | None, today: dt.date) -> str:
    """The DfE statistics age band of a child on ``today`` ("unborn" or "unknown" without a birth date)."""
    if date_of_birth is None:
        return "unknown"
    if date_of_birth > today:
        return "unborn"
    age = clocks.age_on(date_of_birth, today)
    return next(label for upper, label in AGE_BANDS if age < upper)


@dataclass
class CaseloadRow:
    """One child on a worker's caseload, with their open deadlines."""

    child_id: int
    given_name: str
    family_name: str
    age: int | None
    stage: str
    stage_since: dt.date
    role_on_case: str
    deadlines: list[DeadlinePublic] = field(default_factory=list)

    @property
    def stage_label(self) -> str:
        """The stage as people say it."""
        return Stage(self.stage).label

    @property
    def overdue(self) -> int:
        """How many of the child's deadlines have passed."""
        return sum(d.status == "overdue" for d in self.deadlines)


CASELOAD_SORTS = ("urgency", "name", "stage", "since")


def caseload(ctx: Ctx, user_id: int | None = None, *, limit: int = 100, offset: int = 0, sort: str = "urgency",
             stage: str | None = None) -> Page[CaseloadRow]:
    """The children allocated to a worker (the actor by default; a manager may look at their team's workers).

    ``sort``: ``urgency`` (the default: the soonest open deadline first, so overdue work leads), ``name``,
    ``stage`` or ``since`` (longest at their stage first); ``stage`` keeps one stage only."""
    if sort not in CASELOAD_SORTS:
        raise InvalidInput(f"Sort: one of {', '.join(CASELOAD_SORTS)}", "sort")
    if stage is not None and stage not in {s.value for s in Stage}:
        raise InvalidInput("Stage: no such stage", "stage")
    access.require_role(ctx, access.PRACTITIONERS | {Role.ADVOCATE}, "see caseloads")
    target = user_id or ctx.actor.user_id
    if target != ctx.actor.user_id:
        worker = ctx.session.get(User, target)
        if worker is None:
            raise NotFound(f"no user {target}")
        if ctx.role is not Role.TEAM_MANAGER or worker.team_id != ctx.actor.team_id:
            raise AccessDenied("only a worker's team manager sees another worker's caseload")
    where = and_(Allocation.user_id == target, Allocation.end_date.is_(None))
    if stage is not None:
        where = and_(where, Child.stage == stage)
    total = ctx.session.scalar(select(func.count()).select_from(Allocation).join(Child, Child.id == Allocation.child_id)
                               .where(where)) or 0
    soonest = (select(Deadline.child_id, func.min(Deadline.due_date).label("due"))
               .where(Deadline.met_date.is_(None), Deadline.is_cancelled.is_(False))
               .group_by(Deadline.child_id).subquery())
    by_name = (Person.family_name, Person.given_name, Child.id)
    order = {"urgency": (soonest.c.due.asc().nulls_last(), *by_name), "name": by_name,
             "stage": (Child.stage, *by_name), "since": (Child.stage_since, *by_name)}[sort]
    rows = ctx.session.execute(
        select(Child.id, Person.given_name, Person.family_name, Person.date_of_birth, Child.stage, Child.stage_since,
               Allocation.role_on_case)
        .select_from(Allocation).join(Child, Child.id == Allocation.child_id)
        .join(Person, Person.id == Child.person_id).outerjoin(soonest, soonest.c.child_id == Child.id)
        .where(where).order_by(*order).limit(limit).offset(offset)
    ).all()
    today = ctx.today
    out = [CaseloadRow(r.id, r.given_name, r.family_name, clocks.age_on(r.date_of_birth, today)
                       if r.date_of_birth else None, r.stage, r.stage_since, r.role_on_case) for r in rows]
    by_child = {row.child_id: row for row in out}
    if by_child:
        deadlines = ctx.session.scalars(
            select(Deadline).where(Deadline.child_id.in_(list(by_child)), Deadline.met_date.is_(None),
                                   Deadline.is_cancelled.is_(False)).order_by(Deadline.due_date)
        )
        for d in deadlines:
            by_child[d.child_id].deadlines.append(deadline_public(ctx, d))
    ctx.audit("list", entity="caseload", entity_id=target, detail={"children": sorted(by_child)})
    return Page[CaseloadRow](items=out, total=total, limit=limit, offset=offset)


@dataclass
class DeadlineRow:
    """A deadline on the team dashboard: whose child, who is allocated."""

    deadline: DeadlinePublic
    child_id: int
    child_name: str
    workers: list[str]


def team_deadlines(ctx: Ctx, team_id: int | None = None, *, include_due_soon: bool = True, limit: int = 200,
                   offset: int = 0) -> Page[DeadlineRow]:
    """Overdue (and due-soon) deadlines of a team's children, most overdue first (managers and their team)."""
    access.require_role(ctx, access.PRACTITIONERS, "see team dashboards")
    team = team_id or ctx.actor.team_id
    if team is None or ctx.session.get(Team, team) is None:
        raise NotFound(f"no team {team}")
    if team != ctx.actor.team_id:
        raise AccessDenied("you see the dashboard of your own team only")
    horizon = ctx.today + dt.timedelta(days=ctx.settings.due_soon_days if include_due_soon else -1)
    where = and_(Child.team_id == team, Deadline.met_date.is_(None), Deadline.is_cancelled.is_(False),
                 Deadline.due_date <= horizon)
    total = ctx.session.scalar(
        select(func.count()).select_from(Deadline).join(Child, Child.id == Deadline.child_id).where(where)
    ) or 0
    rows = ctx.session.execute(
        select(Deadline, Person.given_name, Person.family_name)
        .join(Child, Child.id == Deadline.child_id).join(Person, Person.id == Child.person_id)
        .where(where).order_by(Deadline.due_date, Deadline.id).limit(limit).offset(offset)
    ).all()
    child_ids = sorted({d.child_id for d, _, _ in rows})
    workers: dict[int, list[str]] = {}
    if child_ids:
        for child_id, name in ctx.session.execute(
            select(Allocation.child_id, User.display_name).join(User, User.id == Allocation.user_id)
            .where(Allocation.child_id.in_(child_ids), Allocation.end_date.is_(None))
        ):
            workers.setdefault(child_id, []).append(name)
    ctx.audit("list", entity="team_deadlines", entity_id=team, detail={"children": child_ids})
    items = [DeadlineRow(deadline_public(ctx, d), d.child_id, f"{g} {f}", sorted(workers.get(d.child_id, [])))
             for d, g, f in rows]
    return Page[DeadlineRow](items=items, total=total, limit=limit, offset=offset)


def pseudonymised_children(ctx: Ctx, *, stage: str | None = None, limit: int = 100,
                           offset: int = 0) -> Page[ChildPseudonymised]:
    """Every child, pseudonymised, for analysts (and managers): no names, identifiers, birth dates or notes; the
    date a stage began as its quarter, and no child among fewer than five alike (:mod:`.disclosure`). Listed in
    pseudonym order (record ids, and so the order records were opened, are not shown)."""
    from careflow.record.services import disclosure

    access.require_role(ctx, frozenset({Role.ANALYST, Role.TEAM_MANAGER}), "see the pseudonymised list")
    today = ctx.today
    open_deadline = and_(Deadline.met_date.is_(None), Deadline.is_cancelled.is_(False))
    counts = (
        select(Deadline.child_id, func.count().label("open"),
               func.sum(case((Deadline.due_date < today, 1), else_=0)).label("overdue"))
        .where(open_deadline).group_by(Deadline.child_id).subquery()
    )
    rows = ctx.session.execute(
        select(Child.id, Child.stage, Child.stage_since, Child.team_id, Person.date_of_birth, Person.sex,
               Person.ethnicity, counts.c.open, counts.c.overdue)
        .join(Person, Person.id == Child.person_id).outerjoin(counts, counts.c.child_id == Child.id)
        .where(Child.stage != Stage.NONE.value)
    ).all()
    exact = {r.id: disclosure.QuasiIdentifiers(age_band(r.date_of_birth, today), r.sex, r.ethnicity, r.stage,
                                               disclosure.quarter(r.stage_since), r.team_id) for r in rows}
    released = disclosure.generalise(exact)
    wanted = None if stage is None else Stage(stage).value
    items = sorted(
        (ChildPseudonymised(pseudonym=pseudonym(ctx.settings.secret_key, r.id), age_band=q.age_band, sex=q.sex,
                            ethnicity=q.ethnicity, stage=q.stage, stage_since=q.stage_since, team_id=q.team_id,
                            open_deadlines=int(r.open or 0), overdue_deadlines=int(r.overdue or 0))
         for r in rows if (q := released.get(r.id)) is not None and (wanted is None or q.stage == wanted)),
        key=lambda item: item.pseudonym)
    page = items[offset:offset + limit]
    ctx.audit("list_pseudonymised", entity="children",
              detail={"count": len(page), "offset": offset, "withheld": len(exact) - len(released)})
    return Page[ChildPseudonymised](items=page, total=len(items), limit=limit, offset=offset)
