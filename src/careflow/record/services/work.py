"""The work: tasks and reminders on a child's record, a manager's view of unallocated children and each worker's
caseload, and the annual advocacy summary. Every read and write of a named child's work is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from careflow.record.errors import AccessDenied, InvalidInput, NotFound
from careflow.record.models import Allocation, Child, Deadline, Event, Person, Task, User
from careflow.record.pathway import OPEN_STAGES, Role, Stage
from careflow.record.schemas import TaskCreate, TaskPublic
from careflow.record.services import access
from careflow.record.services.access import load_child
from careflow.record.services.context import Ctx

__all__ = ["Unallocated", "WorkerLoad", "add_task", "advocacy_summary", "complete_task", "my_tasks",
           "team_overview"]

# Who holds a case: a child with none of these allocated is unallocated work.
HOLDING_ROLES = ("key_worker", "social_worker")


def _public(task: Task, child_name: str, assignee: str | None, today: dt.date) -> TaskPublic:
    return TaskPublic(id=task.id, child_id=task.child_id, child_name=child_name, title=task.title,
                      assigned_to_id=task.assigned_to_id, assigned_to=assignee, due_date=task.due_date,
                      remind_on=task.remind_on, is_done=task.done_at is not None,
                      is_overdue=task.done_at is None and task.due_date < today,
                      is_reminder_due=task.done_at is None and task.remind_on is not None and task.remind_on <= today)


def add_task(ctx: Ctx, child_id: int, form: TaskCreate) -> TaskPublic:
    """A task on the child's record, for the actor or a worker of their team (audited)."""
    child = load_child(ctx, child_id, write=True)
    assignee_id = form.assigned_to_id or ctx.actor.user_id
    assignee = ctx.session.get(User, assignee_id)
    if assignee is None or not assignee.is_active or Role(assignee.role) not in access.WRITE_ROLES:
        raise InvalidInput("Assigned to: choose an active worker", "assigned_to_id")
    if assignee_id != ctx.actor.user_id and assignee.team_id != ctx.actor.team_id:
        raise InvalidInput("Assigned to: you may give tasks to workers of your own team only", "assigned_to_id")
    if form.due_on < ctx.today - dt.timedelta(days=1):
        raise InvalidInput("Due: the due date has passed", "due_on")
    if form.remind_on is not None and form.remind_on > form.due_on:
        raise InvalidInput("Remind me on: the reminder is after the due date", "remind_on")
    task = Task(child_id=child.id, title=form.title, assigned_to_id=assignee_id, due_date=form.due_on,
                remind_on=form.remind_on, created_by_id=ctx.actor.user_id, created_at=dt.datetime.now(dt.UTC))
    ctx.session.add(task)
    ctx.session.flush()
    ctx.audit("write", child_id=child.id, entity="task", entity_id=task.id, detail={"assigned_to": assignee_id})
    person = child.person
    return _public(task, f"{person.given_name} {person.family_name}", assignee.display_name, ctx.today)


def complete_task(ctx: Ctx, task_id: int) -> TaskPublic:
    """Mark a task done (audited)."""
    task = ctx.session.get(Task, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}")
    child = load_child(ctx, task.child_id, write=True)
    if task.done_at is None:
        task.done_at, task.done_by_id = dt.datetime.now(dt.UTC), ctx.actor.user_id
    ctx.session.flush()
    ctx.audit("write", child_id=child.id, entity="task", entity_id=task.id, detail={"done": True})
    assignee = ctx.session.get(User, task.assigned_to_id) if task.assigned_to_id else None
    return _public(task, f"{child.person.given_name} {child.person.family_name}",
                   assignee.display_name if assignee else None, ctx.today)


def my_tasks(ctx: Ctx, *, child_id: int | None = None, include_done: bool = False) -> list[TaskPublic]:
    """The actor's open tasks, soonest due first (or a child's tasks, for anyone who may read the record)."""
    access.require_role(ctx, access.WRITE_ROLES, "see tasks")
    where = []
    if child_id is not None:
        load_child(ctx, child_id, write=False)
        where.append(Task.child_id == child_id)
    else:
        where.append(Task.assigned_to_id == ctx.actor.user_id)
    if not include_done:
        where.append(Task.done_at.is_(None))
    rows = ctx.session.execute(
        select(Task, Person.given_name, Person.family_name, User.display_name)
        .join(Child, Child.id == Task.child_id).join(Person, Person.id == Child.person_id)
        .outerjoin(User, User.id == Task.assigned_to_id).where(*where, access.child_scope(ctx))
        .order_by(Task.done_at.is_not(None), Task.due_date, Task.id).limit(500)
    ).all()
    ctx.audit("list", entity="tasks", detail={"children": sorted({t.child_id for t, *_ in rows})})
    return [_public(t, f"{g} {f}", n, ctx.today) for t, g, f, n in rows]


@dataclass
class Unallocated:
    """A child of the team with nobody holding the case."""

    child_id: int
    name: str
    stage: str
    stage_since: dt.date
    overdue: int

    @property
    def stage_label(self) -> str:
        """The stage as people say it."""
        return Stage(self.stage).label


@dataclass
class WorkerLoad:
    """One worker of the team and their caseload."""

    user_id: int
    name: str
    role: str
    children: int
    overdue_deadlines: int
    open_tasks: int


def team_overview(ctx: Ctx) -> tuple[list[Unallocated], list[WorkerLoad]]:
    """A team manager's view: the team's unallocated children and each worker's caseload (audited)."""
    if ctx.role is not Role.TEAM_MANAGER or ctx.actor.team_id is None:
        raise AccessDenied("only a team manager sees the team's unallocated work and caseloads")
    team = ctx.actor.team_id
    today = ctx.today
    holding = (select(Allocation.child_id).where(Allocation.role_on_case.in_(HOLDING_ROLES),
                                                 Allocation.end_date.is_(None)))
    overdue = (select(Deadline.child_id, func.count().label("n")).where(
        Deadline.met_date.is_(None), Deadline.is_cancelled.is_(False), Deadline.due_date < today)
        .group_by(Deadline.child_id).subquery())
    rows = ctx.session.execute(
        select(Child.id, Person.given_name, Person.family_name, Child.stage, Child.stage_since, overdue.c.n)
        .join(Person, Person.id == Child.person_id).outerjoin(overdue, overdue.c.child_id == Child.id)
        .where(Child.team_id == team, Child.stage.in_([s.value for s in OPEN_STAGES]), Child.id.not_in(holding))
        .order_by(overdue.c.n.desc().nulls_last(), Child.stage_since, Child.id).limit(500)
    ).all()
    unallocated = [Unallocated(r.id, f"{r.given_name} {r.family_name}", r.stage, r.stage_since, int(r.n or 0))
                   for r in rows]
    workers = ctx.session.execute(
        select(User.id, User.display_name, User.role).where(User.team_id == team, User.is_active.is_(True),
                                                            User.role != Role.TEAM_MANAGER.value)
        .order_by(User.display_name)
    ).all()
    loads = []
    for uid, name, role in workers:
        children = select(Allocation.child_id).where(Allocation.user_id == uid, Allocation.end_date.is_(None))
        count = ctx.session.scalar(select(func.count(func.distinct(Allocation.child_id))).where(
            Allocation.user_id == uid, Allocation.end_date.is_(None))) or 0
        late = ctx.session.scalar(select(func.count()).select_from(Deadline).where(
            Deadline.child_id.in_(children), Deadline.met_date.is_(None), Deadline.is_cancelled.is_(False),
            Deadline.due_date < today)) or 0
        tasks = ctx.session.scalar(select(func.count()).select_from(Task).where(
            Task.assigned_to_id == uid, Task.done_at.is_(None))) or 0
        loads.append(WorkerLoad(uid, name, Role(role).label, int(count), int(late), int(tasks)))
    ctx.audit("list", entity="team_overview", entity_id=team, detail={"children": [u.child_id for u in unallocated]})
    return unallocated, loads


def advocacy_summary(ctx: Ctx, year_start: dt.date) -> dict[str, int]:
    """The year's opt-out advocacy for the team's children (from ``year_start``, twelve months): advocates
    introduced, declines, escalations, and offers still waiting (team managers; counts only, audited)."""
    if ctx.role is not Role.TEAM_MANAGER or ctx.actor.team_id is None:
        raise AccessDenied("only a team manager sees the team's advocacy summary")
    end = dt.date(year_start.year + 1, year_start.month, min(year_start.day, 28))
    in_team = select(Child.id).where(Child.team_id == ctx.actor.team_id)
    counts = dict(ctx.session.execute(
        select(Event.kind, func.count()).where(Event.child_id.in_(in_team), Event.occurred_on >= year_start,
                                               Event.occurred_on < end,
                                               Event.kind.in_(["advocate_assigned", "advocacy_declined",
                                                               "advocacy_escalated"]))
        .group_by(Event.kind)
    ).all())
    entitled = ctx.session.scalar(
        select(func.count()).select_from(Deadline)
        .where(Deadline.child_id.in_(in_team), Deadline.kind == "advocacy_offer", Deadline.basis_date >= year_start,
               Deadline.basis_date < end)
    ) or 0
    waiting = ctx.session.scalar(select(func.count()).select_from(Deadline).where(
        and_(Deadline.child_id.in_(in_team), Deadline.kind == "advocacy_offer", Deadline.met_date.is_(None),
             Deadline.is_cancelled.is_(False)))) or 0
    ctx.audit("list", entity="advocacy_summary", entity_id=ctx.actor.team_id, detail={"from": year_start.isoformat()})
    return {"entitled": int(entitled), "advocates_introduced": int(counts.get("advocate_assigned", 0)),
            "declined": int(counts.get("advocacy_declined", 0)),
            "escalations": int(counts.get("advocacy_escalated", 0)), "waiting": int(waiting)}
